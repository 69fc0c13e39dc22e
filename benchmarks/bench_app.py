"""Benchmark the Streamlit app in a real browser (Playwright + Debian's Chromium).

    .venv/bin/python benchmarks/bench_app.py [--runs 7]
    .venv/bin/python benchmarks/bench_app.py --load   # concurrent readers, bench_load.py

Starts `streamlit run streamlit_app.py` on 127.0.0.1, warms it up (gazetteer loaded, sample
story cached), then measures, in a fresh browser context per run and with every non-local
request blocked (issue 13's floors, in `FLOORS`):

- page load → map: from `page.goto` until the embedded story map (the export's page in the
  app's iframe) is ready and shows a marker or cluster (floor: 2 s);
- text click → place marked: from clicking the mention "Wonsan" in the map's article text
  until the page has chosen its place (the marker is marked and the flight starts);
- text click → passages: from the same click until the popup with its passage shows, at the
  end of the flight (floor: 0.3 s);
- marker click → passages: from clicking the first marker on the map until its popup shows
  (floor: 0.3 s).

Readiness is checked in the page on every animation frame and timed by the page's clock, so
no polling interval is added to what is measured. Prints a table of medians and ranges; exits
1 when a floor is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import CHROMIUM, FLAGS
from test_app_browser import MAP_FRAME, AppPage, Server

FLOORS: dict[str, float | None] = {
    "page load → map": 2.0, "text click → place marked": None,
    "text click → passages": 0.3, "marker click → passages": 0.3}
MENTION = "Wonsan"
PASSAGE = "Kim reiste eigens nach Wonsan"

# The page's clock (ms) at the first animation frame where the story map in the app's iframe
# is ready and shows a marker or a cluster, else false.
MAP_SHOWN = """(frame) => {
  const f = document.querySelector(frame);
  const doc = f && f.contentDocument;
  if (!doc || !doc.documentElement || !doc.documentElement.hasAttribute("data-storymap-ready"))
    return false;
  const m = doc.querySelector(".sm-marker, .marker-cluster");
  const r = m && m.getBoundingClientRect();
  return r && r.width > 0 && r.height > 0 ? Date.now() : false;
}"""
# ... where the map's popup holds the text, else false.
TARGET_SET = """(frame) => {
  const doc = document.querySelector(frame).contentDocument;
  return doc.documentElement.hasAttribute("data-storymap-target") ? Date.now() : false;
}"""
POPUP_WITH = """([frame, text]) => {
  const doc = document.querySelector(frame).contentDocument;
  const p = doc.querySelector(".leaflet-popup-content");
  return p && p.innerText.includes(text) ? Date.now() : false;
}"""


def page_time(page: Any, script: str, arg: str | list[str]) -> float:
    """Wait, checking on every animation frame, until `script` returns the page's clock."""
    handle = page.wait_for_function(script, arg=arg, polling="raf", timeout=30_000)
    return float(handle.json_value()) / 1000


def run_load() -> int:
    """Concurrent readers (bench_load.py) against a warm server."""
    from bench_load import load
    from playwright.sync_api import sync_playwright

    server = Server()
    try:
        server.wait_healthy()
        with sync_playwright() as p:  # warm up: gazetteer loaded, sample cached
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            warm = AppPage(browser, server.url)
            warm.wait_for_map()
            warm.close()
            browser.close()
        return load(server, str(CHROMIUM), list(FLAGS))
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--load", action="store_true",
                        help="concurrent readers instead (see bench_load.py)")
    args = parser.parse_args()
    if args.load:
        return run_load()
    from playwright.sync_api import sync_playwright

    server = Server()
    times: dict[str, list[float]] = {name: [] for name in FLOORS}
    load_before = os.getloadavg()[0]
    try:
        server.wait_healthy()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            warm = AppPage(browser, server.url)
            warm.wait_for_map()
            warm.close()
            for _ in range(args.runs):
                page = AppPage(browser, "about:blank")
                t0 = time.time()
                page.page.goto(server.url)
                times["page load → map"].append(page_time(page.page, MAP_SHOWN, MAP_FRAME)
                                                - t0)
                time.sleep(0.3)  # let the page settle, as a reader would
                t0 = time.time()
                page.frame.locator("button.sm-mention", has_text=MENTION).first.click()
                times["text click → place marked"].append(
                    page_time(page.page, TARGET_SET, MAP_FRAME) - t0)
                times["text click → passages"].append(
                    page_time(page.page, POPUP_WITH, [MAP_FRAME, PASSAGE]) - t0)
                page.frame.locator(".leaflet-popup-close-button").click()
                time.sleep(1.0)  # the flight ends
                marker = page.frame.locator(".sm-marker").first
                label = (marker.get_attribute("aria-label") or "").split(" ")[0]
                t0 = time.time()
                marker.click()
                times["marker click → passages"].append(
                    page_time(page.page, POPUP_WITH, [MAP_FRAME, label]) - t0)
                if page.errors:
                    print("page errors:", page.errors, file=sys.stderr)
                page.close()
            browser.close()
    finally:
        server.stop()

    ok = True
    print(f"Streamlit app, warm server, {args.runs} runs (seconds, checked every frame; load "
          f"average "
          f"{load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'measure':<28} {'median':>7} {'min':>7} {'max':>7} {'floor':>7}  ")
    for name, values in times.items():
        med, floor = statistics.median(values), FLOORS[name]
        passed = floor is None or med <= floor
        ok &= passed
        verdict = "" if floor is None else "ok" if passed else "TOO SLOW"
        print(f"{name:<28} {med:7.3f} {min(values):7.3f} {max(values):7.3f} "
              f"{'' if floor is None else f'{floor:.1f}':>7}  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
