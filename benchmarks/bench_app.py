"""Benchmark the Streamlit app in a real browser (Playwright + Debian's Chromium).

    .venv/bin/python benchmarks/bench_app.py [--runs 7]

Starts `streamlit run streamlit_app.py` on 127.0.0.1, warms it up (gazetteer loaded, sample
story cached), then measures, with every non-local request blocked:

- page load → visible map: from `page.goto` until the sample's markers are in the map
  (floor: 3 s);
- marker click → passages: from clicking the Wonsan marker until its passage is in the side
  panel (floor: 1 s).

Prints a table of medians (and min/max) over the runs; exits 1 when a floor is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_app_browser import CHROMIUM, FLAGS, PANEL, AppPage, Server

FLOORS = {"page load → visible map": 3.0, "marker click → passages": 1.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = Server()
    times: dict[str, list[float]] = {name: [] for name in FLOORS}
    try:
        server.wait_healthy()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            warm = AppPage(browser, server.url)
            warm.frame.locator(".leaflet-marker-icon").first.wait_for(timeout=300_000)
            warm.close()
            for _ in range(args.runs):
                page = AppPage(browser, "about:blank")
                t0 = time.perf_counter()
                page.page.goto(server.url)
                page.marker("Wonsan").wait_for(state="visible", timeout=30_000)
                times["page load → visible map"].append(time.perf_counter() - t0)
                page.page.locator(PANEL).wait_for(timeout=30_000)
                time.sleep(0.3)  # let the page settle, as a reader would
                t0 = time.perf_counter()
                page.marker("Wonsan").click()
                page.page.locator(PANEL).get_by_text("Kim reiste eigens nach Wonsan").wait_for(
                    timeout=30_000)
                times["marker click → passages"].append(time.perf_counter() - t0)
                if page.errors:
                    print("page errors:", page.errors, file=sys.stderr)
                page.close()
            browser.close()
    finally:
        server.stop()

    ok = True
    print(f"Streamlit app, warm server, {args.runs} runs (seconds)")
    print(f"{'measure':<28} {'median':>7} {'min':>7} {'max':>7} {'floor':>7}  ")
    for name, values in times.items():
        med = statistics.median(values)
        passed = med <= FLOORS[name]
        ok &= passed
        print(f"{name:<28} {med:7.3f} {min(values):7.3f} {max(values):7.3f} "
              f"{FLOORS[name]:7.1f}  {'ok' if passed else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
