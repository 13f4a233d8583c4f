"""The classroom demo in a real browser: serve the page on 127.0.0.1 as ``tradesim demo`` does,
open it in headless Chromium (Debian's ``chromium``, driven by Playwright) at the sizes of
classroom projectors and a desktop, and check what a class sees:

- no two pieces of text overlap and none is cut off, HTML and chart text alike (the charts are
  SVG, so their axis labels and matrix numbers are DOM text too);
- every lever shows its value; a lever moved, Reset and Step reach the charts and the caption,
  and the lever's event is marked on the charts;
- switching the scenario switches the levers' countries;
- no request leaves 127.0.0.1.

Screenshots are kept in the test's temporary folder. Needs /usr/bin/chromium and the
``playwright`` package (never ``playwright install``); without them the tests are skipped,
except under CI=true where they fail. Deselect with ``-m "not browser"``.
``scripts/demo_screenshots.py`` retakes docs/img/demo*.png with the same helpers.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sim.viz.cli import free_port, serve_command, wait_until_up
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = [(1024, 768), (1280, 720), (1920, 1080)]
PHASE = re.compile(r"^(balance|imbalance|rebalancing)$", re.IGNORECASE)

# Every visible piece of text on the page as boxes: HTML text nodes (measured with a Range, one
# box per line, so a block's empty width does not count) and the SVG <text> of the charts. A box is "clipped" when
# it sticks out of an ancestor that hides overflow (scrolling columns: across only), out of its
# chart, or (in the main area, which must fit the window) out of the window.
TEXT_BOXES_JS = """
() => {
  const out = [];
  const visible = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0) return false;
    }
    return true;
  };
  const clipOf = (el, r) => {
    const vw = innerWidth, vh = innerHeight, eps = 1;
    const inMain = el.closest('.tradesim-main');
    if (inMain && (r.left < -eps || r.top < -eps || r.right > vw + eps || r.bottom > vh + eps)) return 'window';
    const svg = el.closest('svg');
    if (svg) {
      const b = svg.getBoundingClientRect();
      if (r.left < b.left - eps || r.right > b.right + eps || r.top < b.top - eps || r.bottom > b.bottom + eps) return 'chart';
    }
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      const b = a.getBoundingClientRect();
      const hideX = s.overflowX !== 'visible', hideY = s.overflowY !== 'visible';
      const scrollY = s.overflowY === 'auto' || s.overflowY === 'scroll';
      if (hideX && (r.left < b.left - eps || r.right > b.right + eps)) return 'overflow-x of ' + a.className;
      if (hideY && !scrollY && (r.top < b.top - eps || r.bottom > b.bottom + eps)) return 'overflow-y of ' + a.className;
    }
    return '';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest('svg, script, style, noscript') || !visible(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {  // one box per line of wrapped text
      if (r.width < 1 || r.height < 1) continue;
      out.push({text, kind: 'html', where: el.className || el.tagName, clip: clipOf(el, r),
                box: [r.left, r.top, r.right, r.bottom]});
    }
  }
  for (const t of document.querySelectorAll('.tradesim-chart svg text')) {
    const text = t.textContent.trim();
    if (!text || !visible(t)) continue;
    const r = t.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const chart = t.closest('.tradesim-chart').className;
    out.push({text, kind: 'svg', where: chart, clip: clipOf(t, r), box: [r.left, r.top, r.right, r.bottom]});
  }
  return out;
}
"""


def overlaps(boxes: list[dict], tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap by more than ``tolerance`` px in both directions (the
    lines of one wrapped text are not compared with each other)."""
    found = []
    for i, a in enumerate(boxes):
        ax0, ay0, ax1, ay1 = a["box"]
        for b in boxes[i + 1 :]:
            if a["text"] == b["text"] and a["where"] == b["where"] and a["kind"] == "html" == b["kind"]:
                continue
            bx0, by0, bx1, by1 = b["box"]
            if min(ax1, bx1) - max(ax0, bx0) > tolerance and min(ay1, by1) - max(ay0, by0) > tolerance:
                found.append((f"{a['text']!r} ({a['where']})", f"{b['text']!r} ({b['where']})"))
    return found


def layout_problems(page) -> list[str]:
    """Overlapping and clipped texts on the page as it stands (empty: none)."""
    boxes = page.evaluate(TEXT_BOXES_JS)
    assert len(boxes) > 50, f"too few texts found ({len(boxes)}): is the page drawn?"
    assert any(b["kind"] == "svg" for b in boxes), "no chart text: are the charts SVG?"
    problems = [f"overlap: {a} and {b}" for a, b in overlaps(boxes)]
    problems += [f"clipped ({b['clip']}): {b['text']!r} ({b['where']})" for b in boxes if b["clip"]]
    return problems


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run; .ci/run installs chromium)")
    pytest.skip(reason)


def serve(scenario: str | None, log_path: Path) -> tuple[str, subprocess.Popen]:
    """Start the demo server (``scenario`` None: the command's default); return URL and process."""
    port = free_port()
    cmd, env = serve_command(scenario or "endless_cycle", "127.0.0.1", port)
    if scenario is None:
        env.pop("TRADESIM_DEMO_SCENARIO")  # what `tradesim demo` opens with by default
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    proc.log = log  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}/"
    wait_until_up(url, proc, timeout=60)
    return url, proc


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started by :func:`serve`."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc.log.close()  # type: ignore[attr-defined]


def open_page(browser, url: str, width: int, height: int, requests: list[str]):
    """A new page (a new session and model) at one window size; every request's URL is recorded
    in ``requests`` and any not for 127.0.0.1 is refused."""
    page = browser.new_page(viewport={"width": width, "height": height})

    def route(r):
        requests.append(r.request.url)
        if urlparse(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=60_000)
    page.locator(".tradesim-chart-production svg").first.wait_for(timeout=30_000)
    return page


def step(page, times: int) -> None:
    """Press Step ``times`` times, each time waiting for the page to show the new tick."""
    from playwright.sync_api import expect

    button = page.get_by_role("button", name="Step", exact=True)
    when = page.locator(".tradesim-when")
    start = int(re.search(r"tick (\d+) of", when.inner_text()).group(1))
    for i in range(start + 1, start + times + 1):
        button.click()
        expect(when).to_contain_text(f"tick {i} of", timeout=15_000)
    page.wait_for_timeout(300)  # the charts' redraw


CHARTS = ("imbalance", "balance", "bilateral", "reserves", "production")


def chart_svgs(page) -> dict[str, str]:
    """Chart name -> its SVG markup."""
    return {name: page.locator(f".tradesim-chart-{name} svg").first.inner_html() for name in CHARTS}


def charts_until(page, done, timeout_s: float = 15.0) -> dict[str, str]:
    """Poll the charts' SVG until ``done(svgs)`` holds or ``timeout_s`` passes; return the last read.

    The browser redraws each chart on its own after the server's update (CI once read the
    balance chart before its redraw), so a fixed wait is a race; the caller asserts on the result.
    """
    deadline = time.monotonic() + timeout_s
    svgs = chart_svgs(page)
    while not done(svgs) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        svgs = chart_svgs(page)
    return svgs


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium and one demo server with the command's default scenario."""
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is missing (pip install -e '.[dev]')")
    log_path = tmp_path_factory.mktemp("demo") / "server.log"
    url, proc = serve(None, log_path)
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                yield chromium, url
            finally:
                chromium.close()
    finally:
        stop(proc)
        log = log_path.read_text(encoding="utf-8")
        assert "Traceback" not in log, log[-3000:]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_layout_fits_without_overlap_or_clipping(browser, size, tmp_path):
    from playwright.sync_api import expect

    chromium, url = browser
    width, height = size
    requests: list[str] = []
    page = open_page(chromium, url, width, height, requests)
    try:
        # the cycle opens first, with the levers of its own countries
        expect(page.locator(".tradesim-when")).to_contain_text("endless_cycle: 1800, tick 0 of 500")
        for lever in ("start_tick", "reserve_target_months", "consumption_change", "tariff", "catchup"):
            value = page.locator(f".tradesim-lever-{lever} b")
            value.scroll_into_view_if_needed()
            expect(value).to_be_visible()
            assert value.inner_text().strip(), f"lever {lever} shows no value"
        expect(page.locator(".tradesim-lever-tariff")).to_contain_text("North tariff on East: as in the scenario")
        expect(page.locator(".tradesim-lever-start_tick b")).to_have_text("1810 (tick 10)")
        # Mesa's internal switches are not shown to students
        for hidden in ("Use Threads", "Render Interval", "This website runs on"):
            assert page.get_by_text(hidden).count() == 0, hidden
        before = chart_svgs(page)
        step(page, 40)
        expect(page.locator(".tradesim-phase")).to_have_text(PHASE)
        after = charts_until(page, lambda s: all(s[n] != before[n] for n in CHARTS))
        assert [n for n in before if before[n] == after[n]] == [], "charts that did not change after 40 steps"
        page.screenshot(path=str(tmp_path / f"demo_{width}x{height}.png"))
        problems = layout_problems(page)
        assert problems == [], f"{width}x{height}:\n" + "\n".join(problems[:20])
    finally:
        page.close()
    outside = [u for u in requests if urlparse(u).hostname != "127.0.0.1"]
    assert requests and outside == [], outside


def test_levers_follow_the_scenario_reset_and_step(browser, tmp_path):
    from playwright.sync_api import expect

    chromium, url = browser
    requests: list[str] = []
    page = open_page(chromium, url, 1280, 720, requests)
    try:
        # choose the baseline world: the levers switch to its countries
        page.locator(".tradesim-levers .v-select").first.click()
        page.get_by_role("option", name="baseline", exact=True).click()
        tariff = page.locator(".tradesim-lever-tariff")
        expect(tariff).to_contain_text("US tariff on China: as in the scenario")
        # the partner's (US) tariff on the country's (China) goods, 5 steps of 5%
        slider = tariff.get_by_role("slider")
        slider.focus()
        for k in range(1, 6):
            slider.press("ArrowRight")
            expect(tariff.locator("b")).to_have_text(f"{5 * k}%")
            page.wait_for_timeout(150)  # as a hand would: each value reaches the server
        page.get_by_role("button", name="Reset", exact=True).click()
        meta = page.locator(".tradesim-meta")
        expect(meta).to_contain_text("Levers from 2010 (tick 10): US tariff on China 25%", timeout=15_000)
        expect(page.locator(".tradesim-when")).to_contain_text("baseline: 2000, tick 0 of 200")
        # the levers' event is marked on the charts before it happens: a dashed line in 2010
        marked = charts_until(page, lambda s: all("stroke-dasharray" in s[n] for n in ("imbalance", "balance")))
        for name in ("imbalance", "balance"):
            assert "stroke-dasharray" in marked[name], name
        before = chart_svgs(page)
        step(page, 12)
        after = charts_until(page, lambda s: all(s[n] != before[n] for n in CHARTS))
        assert [n for n in before if before[n] == after[n]] == [], "charts that did not change after 12 steps"
        expect(page.locator(".tradesim-caption")).to_contain_text("In 2010: classroom levers: US tariff on China 25%")
        expect(page.locator(".tradesim-phase")).to_have_text(PHASE)
        page.screenshot(path=str(tmp_path / "demo_levers.png"))
        problems = layout_problems(page)
        assert problems == [], "\n".join(problems[:20])
    finally:
        page.close()
    outside = [u for u in requests if urlparse(u).hostname != "127.0.0.1"]
    assert requests and outside == [], outside
