"""Make docs/app.png and docs/app-phone.png, the README's screenshots of the app, with the
sample article.

    .venv/bin/python scripts/screenshot_app.py [--out docs]

Starts `streamlit run streamlit_app.py` on 127.0.0.1, opens it in Debian's Chromium (online
map tiles load when there is a network; the embedded basemap shows either way), clicks the
mention "Wonsan" in the story map's article text so the map flies there and shows what the
article says, and saves a 1440 x 900 screenshot; then the first screen of a 390 x 844 phone.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, FLAGS  # noqa: E402
from test_app_browser import MAP_FRAME, Server  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder")
    parser.add_argument("--offline", action="store_true", help="block map tiles")
    parser.add_argument("--locale", default="de-DE",
                        help="the browser's language, which chooses the app's (default de-DE)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = Server()
    try:
        server.wait_healthy()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            for name, viewport, mobile in (("app.png", (1440, 900), False),
                                           ("app-phone.png", (390, 844), True)):
                context = browser.new_context(
                    viewport={"width": viewport[0], "height": viewport[1]},
                    device_scale_factor=1 if not mobile else 2, is_mobile=mobile,
                    has_touch=mobile, locale=args.locale)
                if args.offline:
                    context.route("**/*", lambda r: r.continue_()
                                  if r.request.url.startswith(("http://127.0.0.1", "data:",
                                                               "blob:", "about:", "ws:"))
                                  else r.abort())
                page = context.new_page()
                page.goto(server.url)
                frame = page.frame_locator(MAP_FRAME)
                frame.locator("html[data-storymap-ready]").wait_for(timeout=300_000,
                                                                    state="attached")
                if not mobile:
                    frame.locator("button.sm-mention", has_text="Wonsan").first.click()
                    frame.locator(".leaflet-popup-content", has_text="Kim reiste").wait_for(
                        timeout=30_000)
                page.mouse.move(5, 5)
                time.sleep(2.0)  # tiles and fonts
                args.out.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out / name))
                print(f"wrote {args.out / name}")
                context.close()
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
