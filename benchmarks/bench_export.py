"""Export benchmark: seed export time and size, and synthetic stories of 100, 1,000 and 10,000
places: HTML size, export time and time until the map is interactive in headless Chromium.

    python benchmarks/bench_export.py [--runs 3] [--sizes 100,1000,10000]

"Interactive" is the moment the page script marks itself ready (`data-storymap-ready`): every
marker is clustered and on the map, the panel is built and the controls respond. It is read
from `performance.now()` in the page (milliseconds since navigation started), with every
network request blocked as in the browser tests. Exit status 1 when a floor is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the hand-built and synthetic stories

from sample_stories import SEED_PATH, hand_built_seed, synthetic_story  # noqa: E402

from storymap.export import to_html  # noqa: E402
from storymap.model import Story  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-sync", "--disable-dev-shm-usage",
]
FLOORS = {"seed_seconds": 1.0, "seed_bytes": 700_000, "tti_1000_seconds": 2.0}


def seed_story() -> tuple[Story, str]:
    try:
        from storymap import run  # type: ignore[attr-defined]
    except ImportError:
        return hand_built_seed(), "hand-built"
    return run(SEED_PATH.read_text(encoding="utf-8")), "storymap.run"


def timed_export(story: Story, runs: int) -> tuple[str, float, float]:
    """(html, first call seconds, median of the following calls)."""
    t0 = time.perf_counter()
    html = to_html(story)
    first = time.perf_counter() - t0
    times = []
    for _ in range(max(runs, 1)):
        t0 = time.perf_counter()
        to_html(story)
        times.append(time.perf_counter() - t0)
    return html, first, statistics.median(times)


def cold_process_export(story: Story) -> float:
    """Seconds for `storymap build story.json` minus the CLI: a new interpreter imports
    storymap.export, loads the saved story and renders the page."""
    import subprocess

    from storymap.export import dump_story

    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "seed.story.json"
        saved.write_text(dump_story(story), encoding="utf-8")
        code = (
            "import time; t = time.perf_counter()\n"
            "from pathlib import Path\n"
            "from storymap.export import load_story, to_html\n"
            f"to_html(load_story(Path({str(saved)!r}).read_bytes()))\n"
            "print(time.perf_counter() - t)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True, cwd=ROOT)
    return float(out.stdout.strip())


STILL_FLOORS = {"svg_bytes": 400_000, "png_bytes": 2_000_000}


def still_rows(stories: list[tuple[str, Story]], runs: int) -> list[str]:
    """Print SVG and PNG time (median and range over `runs`) and size; return floors missed."""
    from storymap.still import to_png, to_svg

    print(f"{'still map':>12} {'format':>6} {'median s':>9} {'range s':>13} {'size KB':>8}")
    missed = []
    for label, story in stories:
        for fmt, draw in (("svg", to_svg), ("png", to_png)):
            times, size = [], 0
            for _ in range(max(runs, 1)):
                t0 = time.perf_counter()
                out = draw(story)
                times.append(time.perf_counter() - t0)
                size = len(out.encode("utf-8") if isinstance(out, str) else out)
            print(f"{label:>12} {fmt:>6} {statistics.median(times):>9.3f} "
                  f"{min(times):>6.3f}-{max(times):<6.3f} {size / 1000:>8.0f}")
            if label == "seed" and size > STILL_FLOORS[f"{fmt}_bytes"]:
                missed.append(f"seed {fmt} is {size} bytes")
    print(f"floors for the seed: SVG <= {STILL_FLOORS['svg_bytes'] // 1000} KB, "
          f"PNG <= {STILL_FLOORS['png_bytes'] // 1000} KB")
    return missed


def time_to_interactive(browser: object, path: Path, runs: int) -> tuple[float, float]:
    """(median ms until ready, median ms to open one popup) over `runs` fresh page loads."""
    ready, popup = [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("file:", "data:")) else r.abort())
        page = context.new_page()
        page.goto(path.as_uri(), wait_until="commit")
        page.wait_for_selector("html[data-storymap-ready]", timeout=120_000)
        ready.append(page.evaluate("storymap.readyAt"))
        popup.append(page.evaluate(
            """() => new Promise(done => {
                 const m = storymap.markers[Math.floor(storymap.markers.length / 2)];
                 const t = performance.now();
                 storymap.reveal(storymap.places[storymap.markers.indexOf(m)].id, () => {
                   m.openPopup();
                   done(performance.now() - t);
                 });
               })"""))
        context.close()
    return statistics.median(ready), statistics.median(popup)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--still-only", action="store_true",
                        help="only the still maps (SVG, PNG): no HTML export, no browser")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    failures = []

    story, source = seed_story()
    failures.extend(still_rows([("seed", story), ("100 places", synthetic_story(100))],
                               args.runs))
    print()
    if args.still_only:
        for failure in failures:
            print(f"FLOOR MISSED: {failure}")
        return 1 if failures else 0
    html, first, warm = timed_export(story, args.runs)
    size = len(html.encode("utf-8"))
    print(f"seed story ({source}, {len(story.places)} places)")
    print(f"  export: first call {first:.3f} s (cold caches: assets, basemap), "
          f"then median {warm:.3f} s; size {size / 1000:.0f} KB")
    print(f"  floors: <= {FLOORS['seed_seconds']} s, <= {FLOORS['seed_bytes'] / 1000:.0f} KB")
    cold = cold_process_export(story)
    print(f"  in a fresh process (imports + load story JSON + export): {cold:.3f} s")
    if first > FLOORS["seed_seconds"]:
        failures.append(f"seed export took {first:.2f} s")
    if size > FLOORS["seed_bytes"]:
        failures.append(f"seed HTML is {size} bytes")

    from playwright.sync_api import sync_playwright

    print()
    print(f"{'places':>8} {'mentions':>9} {'HTML KB':>9} {'export s':>9} "
          f"{'interactive ms':>15} {'reveal+popup ms':>16}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            path = Path(tmp) / "seed.html"
            path.write_text(html, encoding="utf-8")
            tti, popup = time_to_interactive(browser, path, args.runs)
            print(f"{'seed':>8} {len(story.mentions):>9} {size / 1000:>9.0f} {warm:>9.3f} "
                  f"{tti:>15.0f} {popup:>16.0f}")
            for n in sizes:
                synthetic = synthetic_story(n)
                page, _, export_s = timed_export(synthetic, 1)
                path = Path(tmp) / f"synthetic-{n}.html"
                path.write_text(page, encoding="utf-8")
                tti, popup = time_to_interactive(browser, path, args.runs)
                print(f"{n:>8} {len(synthetic.mentions):>9} "
                      f"{len(page.encode('utf-8')) / 1000:>9.0f} {export_s:>9.3f} "
                      f"{tti:>15.0f} {popup:>16.0f}")
                if n == 1000 and tti > FLOORS["tti_1000_seconds"] * 1000:
                    failures.append(f"1,000 places took {tti:.0f} ms to become interactive")
        finally:
            browser.close()
    print()
    print(f"median of {args.runs} page loads each; floor: <= 2 s interactive at 1,000 places;")
    print("reveal+popup: zoom/spiderfy to the middle marker (animated) and build its popup")
    for failure in failures:
        print(f"FLOOR MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
