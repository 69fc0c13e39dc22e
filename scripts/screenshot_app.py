"""Make docs/app.png, the README's screenshot of the app, with the sample article.

    .venv/bin/python scripts/screenshot_app.py [--out docs/app.png]

Starts `streamlit run streamlit_app.py` on 127.0.0.1, opens it in Debian's Chromium (online
map tiles load when there is a network; the embedded basemap shows either way), clicks the
Wonsan marker so the passage panel shows what the article says there, and saves a 1440 x 900
screenshot.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, FLAGS  # noqa: E402
from test_app_browser import PANEL, Server  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "app.png")
    parser.add_argument("--offline", action="store_true", help="block map tiles")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = Server()
    try:
        server.wait_healthy()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            context = browser.new_context(viewport={"width": 1440, "height": 900},
                                          device_scale_factor=1)
            if args.offline:
                context.route("**/*", lambda r: r.continue_()
                              if r.request.url.startswith(("http://127.0.0.1", "data:",
                                                           "blob:", "about:"))
                              else r.abort())
            page = context.new_page()
            page.goto(server.url)
            frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
            frame.locator('.leaflet-marker-icon[title="Wonsan"]').wait_for(timeout=300_000)
            frame.locator('.leaflet-marker-icon[title="Wonsan"]').click()
            page.locator(PANEL).get_by_text("Kim reiste eigens nach Wonsan").wait_for(
                timeout=30_000)
            page.mouse.move(5, 5)
            time.sleep(2.0)  # tiles and fonts
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
