"""Retake the demo page's screenshots in docs/img/.

Debian's Chromium via Playwright, as the browser tests do (needs /usr/bin/chromium and the dev
extra):

- ``demo.png``: what ``tradesim demo`` opens with (endless_cycle), 100 years run, 1280 x 720;
- ``demo_1024x768.png``: the same at 1024 x 768;
- ``demo_lesson1.png``: lesson 1, the cycle: endless_cycle to 2000 (200 years);
- ``demo_lesson2.png``: lesson 2, baseline with China's reserve target at 24 months from 2010,
  run to 2020;
- ``demo_lesson3.png``: lesson 3, baseline with catch-up x2 from 2010, run to 2040.

Each shot is checked first: no text overlaps or is cut off (the tests' check).

    python scripts/demo_screenshots.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_demo_browser import ARGS, CHROMIUM, layout_problems, open_page, serve, step, stop  # noqa: E402


def choose(page, scenario: str) -> None:
    """Pick a scenario in the left column's Scenario list."""
    page.locator(".tradesim-levers .v-select").first.click()
    page.get_by_role("option", name=scenario, exact=True).click()
    page.wait_for_timeout(300)


def move(page, lever: str, presses: int) -> None:
    """Move a lever's slider right by ``presses`` steps (keyboard, as a hand would)."""
    slider = page.locator(f".tradesim-lever-{lever}").get_by_role("slider")
    slider.focus()
    for _ in range(presses):
        slider.press("ArrowRight")
        page.wait_for_timeout(60)
    page.wait_for_timeout(300)


def reset(page) -> None:
    """Press Reset and wait for tick 0."""
    page.get_by_role("button", name="Reset", exact=True).click()
    page.locator(".tradesim-when").filter(has_text="tick 0 of").wait_for(timeout=15_000)


def shoot(page, path: Path) -> None:
    """Check the layout, then save the screenshot."""
    problems = layout_problems(page)
    if problems:
        raise SystemExit(f"{path.name}: " + "; ".join(problems[:5]))
    page.screenshot(path=str(path))
    print(f"wrote {path}")


def main() -> None:
    """Take the shots."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    out = ap.parse_args().out
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url, proc = serve(None, Path(tmp) / "server.log")
        requests: list[str] = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                for (w, h), name in (((1280, 720), "demo.png"), ((1024, 768), "demo_1024x768.png")):
                    page = open_page(browser, url, w, h, requests)
                    step(page, 100)
                    shoot(page, out / name)
                    if name == "demo.png":
                        step(page, 100)
                        shoot(page, out / "demo_lesson1.png")
                    page.close()
                page = open_page(browser, url, 1280, 720, requests)
                choose(page, "baseline")
                move(page, "reserve_target_months", 24)
                reset(page)
                step(page, 21)
                shoot(page, out / "demo_lesson2.png")
                page.close()
                page = open_page(browser, url, 1280, 720, requests)
                choose(page, "baseline")
                move(page, "catchup", 4)
                reset(page)
                step(page, 41)
                shoot(page, out / "demo_lesson3.png")
                page.close()
                browser.close()
        finally:
            stop(proc)


if __name__ == "__main__":
    main()
