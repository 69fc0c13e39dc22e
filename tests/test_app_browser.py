"""The Streamlit app in a real browser: `streamlit run` on 127.0.0.1, Debian's Chromium driven
by Playwright, every request that does not go to 127.0.0.1 blocked (so passing proves the app
and its map work offline).

The story map is the exported page (`export.to_html(story, embedded=True)`) in the app's
`st.iframe`; its markers, article text and popups are found there by the export's own
selectors (`.sm-marker`, `button.sm-mention`, `.leaflet-popup-content`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM

ROOT = Path(__file__).resolve().parents[1]
MAP_FRAME = '.st-key-story_map iframe[title="st.iframe"]'
WONSAN = (39.15, 127.44)
START_TIMEOUT = 180  # a fresh cache builds the gazetteer on the first page load

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="browser tests need Debian's chromium at /usr/bin/chromium "
    "(apt-get install -y chromium)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`streamlit run streamlit_app.py` on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.devnull, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("streamlit did not become healthy")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    try:
        srv.wait_healthy()
        yield srv
    finally:
        srv.stop()


class AppPage:
    """The app opened offline, with blocked requests and page errors recorded."""

    def __init__(self, browser: Any, url: str, locale: str = "en-US", **options: Any) -> None:
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000},
                                           accept_downloads=True, locale=locale, **options)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.frame = self.page.frame_locator(MAP_FRAME)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def wait_for_map(self) -> None:
        self.frame.locator("html[data-storymap-ready]").wait_for(
            timeout=START_TIMEOUT * 1000, state="attached")

    def js(self, script: str, arg: Any = None) -> Any:
        """Run `script` in the story map's own document (the iframe's)."""
        frame = self.page.locator(MAP_FRAME).element_handle().content_frame()
        return frame.evaluate(script, arg)

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def app_page(server: Server, browser: Any) -> Iterator[AppPage]:
    page = AppPage(browser, server.url)
    try:
        page.wait_for_map()
        yield page
    finally:
        page.close()


def test_map_renders_offline(app_page: AppPage) -> None:
    frame = app_page.frame
    assert frame.locator(".sm-marker, .marker-cluster").count() >= 3
    assert frame.locator("button.sm-mention").count() >= 10
    # the offline basemap is drawn under the (blocked) tiles
    assert frame.locator(".leaflet-smBasemap-pane path").count() >= 2
    assert all("127.0.0.1" not in u for u in app_page.blocked)
    assert not app_page.errors, app_page.errors


def test_clicking_the_mention_wonsan_flies_the_map_there(app_page: AppPage) -> None:
    """Text to map in the app: no server round trip, the page's own script flies."""
    frame = app_page.frame
    frame.locator("button.sm-mention", has_text="Wonsan").first.click()
    popup = frame.locator(".leaflet-popup-content")
    popup.locator("h3", has_text=re.compile("W[oŏ]nsan")).wait_for(timeout=10_000)
    frame.locator("html[data-storymap-shown]").wait_for(timeout=10_000, state="attached")
    assert "Kim reiste eigens nach Wonsan" in popup.inner_text()
    center = app_page.js("(() => { const c = storymap.map.getCenter(); return [c.lat, c.lng];"
                         " })()")
    assert abs(center[0] - WONSAN[0]) < 1 and abs(center[1] - WONSAN[1]) < 1
    assert app_page.js("storymap.map.getZoom()") <= 13
    assert not app_page.errors, app_page.errors


def test_every_marker_at_the_first_view_can_be_clicked(app_page: AppPage) -> None:
    """Nothing hides under another marker: each marker or cluster answers a click at its
    centre (the element there is the marker itself)."""
    hidden = app_page.js("""() => [...document.querySelectorAll('.sm-marker, .marker-cluster')]
        .filter(m => { const r = m.getBoundingClientRect();
          if (!r.width) return false;
          const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return !(hit && (hit === m || m.contains(hit))); })
        .map(m => m.getAttribute('aria-label') || m.textContent)""")
    assert hidden == []


def test_page_load_runs_the_script_once(server: Server, browser: Any) -> None:
    # the map reports no value on load (its default is what it reports before any click), so
    # the page asks the server for one run only, not a second one once the map is drawn
    page = AppPage(browser, "about:blank")
    try:
        sent: list[Any] = []
        page.page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append(p)))
        page.page.goto(server.url)
        page.wait_for_map()
        time.sleep(1.5)  # the map's first report would come right after it is drawn
        assert len(sent) == 1, f"{len(sent)} messages to the server on load"
        assert not page.errors, page.errors
    finally:
        page.close()


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)


def download(app_page: AppPage, label: str) -> bytes:
    with app_page.page.expect_download(timeout=30_000) as info:
        app_page.page.get_by_role("button", name=label).click()
    path = info.value.path()
    return Path(path).read_bytes()


def test_downloads_are_a_valid_html_page_and_geojson(app_page: AppPage) -> None:
    page = download(app_page, "Story map (HTML)").decode("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    checker = _Checker()
    checker.feed(page)
    assert {"html", "head", "body", "script", "style"} <= checker.tags
    assert "storymap-data" in page and "Wonsan" in page
    assert "<script src=" not in page  # self-contained

    geojson = json.loads(download(app_page, "Places (GeoJSON)"))
    assert geojson["type"] == "FeatureCollection"
    names = {f["properties"]["label"] for f in geojson["features"]}
    assert {"Wonsan", "Nordkorea", "Russland"} <= names
    for f in geojson["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90

    story = json.loads(download(app_page, "Story (JSON, re-loadable)"))
    assert story["format"] == "storymap.story/1"


ENGLISH_ON_SCREEN = ("Load the sample article", "Corrections", "Export", "Places",
                     "Language and geocoder", "Next ▸", "◂ Previous", "Overview")


def test_a_german_browser_gets_german_and_the_switch_gives_english(
        server: Server, browser: Any) -> None:
    page = AppPage(browser, server.url, locale="de-DE")
    try:
        page.wait_for_map()
        sidebar = page.page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_role("button", name="Beispielartikel laden").wait_for(timeout=10_000)
        main = page.page.locator('[data-testid="stMain"]')
        assert main.get_by_role("tab", name="Korrekturen").count() == 1
        assert page.frame.locator("#sm-next").inner_text().strip() == "Weiter ▸"
        assert "Zurück" in page.frame.locator("#sm-prev").inner_text()
        shown = page.page.locator("body").inner_text() + page.js("document.body.innerText")
        leaked = [s for s in ENGLISH_ON_SCREEN
                  if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", shown)]
        assert not leaked, leaked
        # the switch overrides the browser
        sidebar.get_by_role("radio", name="English").click()
        sidebar.get_by_role("button", name="Load the sample article").wait_for(timeout=20_000)
        page.frame.locator("#sm-next", has_text="Next ▸").wait_for(timeout=20_000)
        assert not page.errors, page.errors
    finally:
        page.close()


def test_an_english_browser_gets_english(app_page: AppPage) -> None:
    sidebar = app_page.page.locator('[data-testid="stSidebar"]')
    # the sidebar is drawn after the map: wait for it, do not count what is there yet
    sidebar.get_by_role("button", name="Load the sample article").wait_for(timeout=20_000)
    assert app_page.frame.locator("#sm-next").inner_text().strip() == "Next ▸"
    assert "Weiter" not in app_page.page.locator("body").inner_text()


def test_on_a_phone_the_map_is_on_the_first_screen(server: Server, browser: Any) -> None:
    """390x844: the sidebar starts collapsed and the story map begins on the first screen,
    not covered by anything."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1",
                                                   "data:", "blob:", "about:"))
                  else route.abort())
    try:
        page = context.new_page()
        page.goto(server.url)
        page.frame_locator(MAP_FRAME).locator("html[data-storymap-ready]").wait_for(
            timeout=START_TIMEOUT * 1000, state="attached")
        box = page.locator(MAP_FRAME).bounding_box()
        assert box is not None and box["y"] < 844 * 0.6 and box["width"] >= 340
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_attribute("aria-expanded") != "true"
        x, y = box["x"] + box["width"] / 2, box["y"] + 40
        on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", [x, y])
        assert on_top == "IFRAME"
    finally:
        context.close()
