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
- text click → passages: from the same click until the popup with its passage shows with
  its heading inside the map (it opens at the click and rides along with the flight;
  floor: 0.3 s);
- text click → passages, reduced motion: the same for a reader whose system asks for
  reduced motion, so the map jumps instead of flying (what the flight itself costs);
- marker click → passages: from clicking the first marker on the map until its popup shows
  (floor: 0.3 s);
- correction → notice, correction → map: in Corrections, "Fix a mention" set to *Not a
  place* and applied, from the click on Apply until the notice beside it shows, and until
  the story map is drawn again without that place (floor: 0.7 s for the map).

Readiness is checked in the page on every animation frame and timed by the page's clock, so
no polling interval is added to what is measured. Prints a table of medians and ranges; exits
1 when a floor is missed.
"""

from __future__ import annotations

import argparse
import os
import re
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
    "text click → passages": 0.3, "text click → passages, reduced motion": None,
    "marker click → passages": 0.3,
    "correction → notice": None, "correction → map": 0.7}
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
# ... where the page has chosen the place a click asked for.
TARGET_SET = """(frame) => {
  const doc = document.querySelector(frame).contentDocument;
  return doc.documentElement.hasAttribute("data-storymap-target") ? Date.now() : false;
}"""
# ... where the map's popup holds the text and its heading is inside the map, on screen (a
# popup riding along with a flight from off-screen does not count until it is in view).
POPUP_WITH = """([frame, text]) => {
  const doc = document.querySelector(frame).contentDocument;
  const p = doc.querySelector(".leaflet-popup-content");
  const h = p && p.querySelector("h3");
  if (!h || !p.innerText.includes(text)) return false;
  const r = h.getBoundingClientRect(), m = doc.querySelector(".leaflet-container")
    .getBoundingClientRect();
  return r.width > 0 && r.top >= m.top && r.bottom <= m.bottom && r.left >= m.left
    && r.right <= m.right ? Date.now() : false;
}"""
# ... where the story map in the iframe is a new document (the old one was tagged), ready.
MAP_REDRAWN = """(frame) => {
  const doc = document.querySelector(frame).contentDocument;
  const root = doc && doc.documentElement;
  return root && !root.hasAttribute("data-bench-old") && root.hasAttribute("data-storymap-ready")
    && doc.querySelector(".sm-marker, .marker-cluster") ? Date.now() : false;
}"""
TAG_OLD = """(frame) => document.querySelector(frame).contentDocument.documentElement
  .setAttribute("data-bench-old", "1")"""
NOTICE = """(text) => [...document.querySelectorAll('[data-testid="stAlert"]')]
  .some(a => a.innerText.includes(text)) ? Date.now() : false"""


# Record the page's clock when the reader presses on anything, in the app or in its map,
# so that a click is timed from the press the page sees, not from when Playwright starts
# looking for the element (its checks take about 0.1 s of their own).
WATCH_PRESSES = """(frame) => {
  const note = () => { window.__pressedAt = Date.now(); };
  document.addEventListener("pointerdown", note, true);
  document.querySelector(frame).contentDocument.addEventListener("pointerdown", note, true);
}"""


def click_time(page: Any, locator: Any, script: str, arg: str | list[str]) -> float:
    """Click `locator`; seconds from the press until `script` holds."""
    page.evaluate(WATCH_PRESSES, MAP_FRAME)
    locator.click()
    done = page_time(page, script, arg)
    return done - float(page.evaluate("window.__pressedAt")) / 1000


def page_time(page: Any, script: str, arg: str | list[str]) -> float:
    """Wait, checking on every animation frame, until `script` returns the page's clock."""
    handle = page.wait_for_function(script, arg=arg, polling="raf", timeout=30_000)
    return float(handle.json_value()) / 1000


def correction_times(page: Any, times: dict[str, list[float]]) -> None:
    """Fix the first mention as not a place and time the notice and the redrawn map."""
    page.page.get_by_role("tab", name="Corrections").click()
    apply = page.page.get_by_role("button", name="Apply", exact=True)
    apply.wait_for(timeout=30_000)
    page.page.locator('[data-testid="stRadio"]').filter(has_text="It means").get_by_text(
        "Not a place", exact=True).click()
    time.sleep(0.5)  # the radio's rerun
    page.page.evaluate(TAG_OLD, MAP_FRAME)
    times["correction → notice"].append(click_time(page.page, apply, NOTICE, "now means"))
    pressed = float(page.page.evaluate("window.__pressedAt")) / 1000
    times["correction → map"].append(page_time(page.page, MAP_REDRAWN, MAP_FRAME) - pressed)


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
                mention = page.frame.locator("button.sm-mention", has_text=MENTION).first
                times["text click → place marked"].append(
                    click_time(page.page, mention, TARGET_SET, MAP_FRAME))
                pressed = float(page.page.evaluate("window.__pressedAt")) / 1000
                times["text click → passages"].append(
                    page_time(page.page, POPUP_WITH, [MAP_FRAME, PASSAGE]) - pressed)
                page.frame.locator(".leaflet-popup-close-button").click()
                time.sleep(1.0)  # the flight ends
                marker = page.frame.locator(".sm-marker").first
                label = re.split(r"[ ,(]", marker.get_attribute("aria-label") or "")[0]
                times["marker click → passages"].append(
                    click_time(page.page, marker, POPUP_WITH, [MAP_FRAME, label]))
                correction_times(page, times)
                if page.errors:
                    print("page errors:", page.errors, file=sys.stderr)
                page.close()
                still = AppPage(browser, server.url, reduced_motion="reduce")
                page_time(still.page, MAP_SHOWN, MAP_FRAME)
                time.sleep(0.3)
                times["text click → passages, reduced motion"].append(click_time(
                    still.page, still.frame.locator("button.sm-mention", has_text=MENTION).first,
                    POPUP_WITH, [MAP_FRAME, PASSAGE]))
                still.close()
            browser.close()
    finally:
        server.stop()

    ok = True
    print(f"Streamlit app, warm server, {args.runs} runs (seconds from the press the page "
          f"sees, checked every frame; load average {load_before:.1f} → "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'measure':<40} {'median':>7} {'min':>7} {'max':>7} {'floor':>7}  ")
    for name, values in times.items():
        med, floor = statistics.median(values), FLOORS[name]
        passed = floor is None or med <= floor
        ok &= passed
        verdict = "" if floor is None else "ok" if passed else "TOO SLOW"
        print(f"{name:<40} {med:7.3f} {min(values):7.3f} {max(values):7.3f} "
              f"{'' if floor is None else f'{floor:.1f}':>7}  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
