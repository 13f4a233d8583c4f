"""Timing of one step of the classroom demo: the model's tick, then everything the page builds
for it (the "now" card and the five chart options), and the size of what is sent to the browser.

    python benchmarks/demo_step.py [SCENARIO] [--ticks N] [--browser]

With --browser, also the round trip in headless Chromium: click Step, wait until the page shows
the new tick (server work, websocket and the browser's redraw). Prints medians and 90th
percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

from sim.viz import views
from sim.viz.demo_model import DemoModel


def _summary(name: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=10)[-1] if len(ms) >= 2 else ms[0]
    return f"{name:<28} median {statistics.median(ms):7.2f} ms   p90 {q:7.2f} ms   (n={len(ms)})"


def python_side(scenario: str, ticks: int) -> None:
    """Model step, view building and payload per step."""
    model = DemoModel(scenario)
    step_ms, view_ms, sizes = [], [], []
    for _ in range(ticks):
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        card = views.now(model)
        options = {name: build(model).option for name, build in views.CHARTS.items()}
        t2 = time.perf_counter()
        step_ms.append(1000 * (t1 - t0))
        view_ms.append(1000 * (t2 - t1))
        sizes.append(len(json.dumps(options)) + len(card.caption))
    print(f"{scenario}, {ticks} ticks")
    print(_summary("model step", step_ms))
    print(_summary("views (card + 5 charts)", view_ms))
    print(f"{'payload at the last tick':<28} {sizes[-1] / 1024:7.1f} kB of JSON")


def browser_side(scenario: str, ticks: int) -> None:
    """Round trip of a Step click in headless Chromium."""
    from playwright.sync_api import expect, sync_playwright

    from sim.viz.cli import free_port, serve_command, wait_until_up

    port = free_port()
    cmd, env = serve_command(scenario, "127.0.0.1", port)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1600, "height": 1400})
            t0 = time.perf_counter()
            page.goto(url, wait_until="domcontentloaded")
            step = page.get_by_role("button", name="Step", exact=True)
            step.wait_for(timeout=30_000)
            page.locator(".tradesim-chart-production svg").first.wait_for(timeout=30_000)
            print(f"{'page ready':<28} {1000 * (time.perf_counter() - t0):7.0f} ms")
            ms = []
            for i in range(1, ticks + 1):
                t = time.perf_counter()
                step.click()
                expect(page.locator(".tradesim-when")).to_contain_text(f"tick {i} of", timeout=15_000)
                ms.append(1000 * (time.perf_counter() - t))
            print(_summary("browser round trip", ms))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    """Parse the arguments and time."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="endless_cycle")
    ap.add_argument("--ticks", type=int, default=60)
    ap.add_argument("--browser", action="store_true")
    args = ap.parse_args()
    python_side(args.scenario, args.ticks)
    if args.browser:
        browser_side(args.scenario, min(args.ticks, 30))


if __name__ == "__main__":
    main()
