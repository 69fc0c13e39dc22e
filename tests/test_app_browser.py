"""The Streamlit app in a real browser: `streamlit run` on 127.0.0.1, Debian's Chromium driven
by Playwright, every request that does not go to 127.0.0.1 blocked (so passing proves the app
and its map work offline).

The map lives in streamlit-folium's component iframe; markers are found there by their title
(the place's label), the passage panel by its Streamlit container key.
"""

from __future__ import annotations

import json
import os
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
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
PANEL = ".st-key-passage_panel"
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

    def __init__(self, browser: Any, url: str) -> None:
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000},
                                           accept_downloads=True)
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
        self.frame.locator(".leaflet-marker-icon").first.wait_for(timeout=START_TIMEOUT * 1000)

    def marker(self, title: str) -> Any:
        return self.frame.locator(f'.leaflet-marker-icon[title="{title}"]')

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
    markers = app_page.frame.locator(".leaflet-marker-icon")
    assert markers.count() >= 5
    assert app_page.marker("Wonsan").count() == 1
    # the offline basemap is drawn under the (blocked) tiles
    assert app_page.frame.locator(".sm-basemap-pane canvas").count() >= 1
    assert all("127.0.0.1" not in u for u in app_page.blocked)
    assert not app_page.errors, app_page.errors


def test_clicking_wonsan_shows_its_passages(app_page: AppPage) -> None:
    panel = app_page.page.locator(PANEL)
    assert "Kim reiste eigens nach Wonsan" not in panel.inner_text()
    app_page.marker("Wonsan").click()
    panel.get_by_text("Kim reiste eigens nach Wonsan").wait_for(timeout=10_000)
    assert "Wonsan" in panel.locator(".sm-place-head").inner_text()
    # the map was not rebuilt by the click: same iframe, same markers
    assert app_page.marker("Wonsan").count() == 1
    # a second marker switches the panel
    app_page.frame.locator('.leaflet-marker-icon[title^="Ukraine"]').click()
    panel.locator(".sm-place-head", has_text="Ukraine").wait_for(timeout=10_000)
    assert not app_page.errors, app_page.errors


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
