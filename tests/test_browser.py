"""The exported story map in a real browser: Debian's Chromium driven by Playwright, the page
opened from file:// with every non-file request blocked, so passing proves it works offline.

Marker counting: clustering stays on (it is what readers get, and it keeps the coinciding
markers of a country and its seat of government reachable). Every place is either an
individual marker icon or counted in a cluster badge, so the test sums both from the DOM and
also asks the page's `storymap.markerCount()` hook.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM
from sample_stories import SEED_PATH, hand_built_seed, hostile_story

from storymap.export import to_html
from storymap.model import Story

TILE_HOST = "tile.openstreetmap.org"
KURSK = (51.7, 36.2)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="browser tests need Debian's chromium at /usr/bin/chromium "
    "(apt-get install -y chromium)"
)


def seed_story() -> Story:
    """The seed article as a Story: from the pipeline when it is there, else built by hand."""
    try:
        from storymap import run  # type: ignore[attr-defined]
    except ImportError:
        return hand_built_seed()
    story: Story = run(SEED_PATH.read_text(encoding="utf-8"))
    return story


class Page:
    """A page opened offline, with everything that went wrong recorded."""

    def __init__(self, context: Any, url: str) -> None:
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(url)
        self.page.wait_for_selector("html[data-storymap-ready]", timeout=15_000)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def place_index(self, label: str) -> int:
        index: int = self.js("l => storymap.places.findIndex(p => p.label === l)", label)
        assert index >= 0, f"no place labelled {label!r}"
        return index

    def reveal(self, label: str) -> Any:
        """Zoom/spiderfy until the place's own marker icon is on screen; return its locator."""
        i = self.place_index(label)
        self.js("i => { window.__revealed = false; storymap.map.setView("
                "storymap.markers[i].getLatLng(), 9, {animate: false}); }", i)
        self.js("i => { const m = storymap.markers[i];"
                " storymap.reveal(storymap.places[i].id, () => { window.__revealed = true; }); }",
                i)
        self.page.wait_for_function("window.__revealed === true")
        # markercluster re-renders after a zoom with a short animation that swaps the icons:
        # a click during it hits an icon on its way out (seen once in CI under load)
        self.page.wait_for_function(
            "!document.querySelector('.leaflet-cluster-anim, .leaflet-zoom-anim')")
        return self.page.locator(f".sm-marker[aria-label^={_css_string(label)}]")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def seed() -> Story:
    return seed_story()


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory: pytest.TempPathFactory, seed: Story) -> Path:
    path = tmp_path_factory.mktemp("export") / "seed.html"
    path.write_text(to_html(seed, ui_language="de"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "hostile <&> story.html"
    path.write_text(to_html(hostile_story(), ui_language="de"), encoding="utf-8")
    return path


@pytest.fixture
def seed_page(browser: Any, seed_file: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield Page(context, seed_file.as_uri())
    context.close()


@pytest.fixture
def hostile_page(browser: Any, hostile_file: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield Page(context, hostile_file.as_uri())
    context.close()


def test_no_asset_fails_offline_except_tiles(seed_page: Page) -> None:
    seed_page.page.wait_for_timeout(300)
    assert seed_page.errors == []
    assert seed_page.dialogs == []
    assert all(TILE_HOST in url for url in seed_page.blocked), seed_page.blocked
    assert all(TILE_HOST in url for url in seed_page.failed), seed_page.failed
    assert seed_page.js("typeof L.MarkerClusterGroup === 'function'")
    # every image on the page that is not a tile loaded (icons come as data: URIs)
    broken = seed_page.js(
        "[...document.images].filter(i => !i.classList.contains('leaflet-tile') &&"
        " !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 60))")
    assert broken == []
    # the offline basemap is drawn under the tiles
    assert seed_page.js("document.querySelectorAll('.leaflet-smBasemap-pane path').length") >= 2


def test_marker_count_equals_places(seed_page: Page, seed: Story) -> None:
    """One marker per place the text names: a seat shown for its country is part of it."""
    named = seed.named_places()
    assert seed_page.js("storymap.markerCount()") == len(named)
    icons = seed_page.js("document.querySelectorAll('.leaflet-marker-icon.sm-marker').length")
    in_clusters = seed_page.js(
        "[...document.querySelectorAll('.marker-cluster span')].filter(s => !s.closest("
        "'.sm-sr') && s.parentElement.tagName === 'DIV')"
        ".reduce((n, s) => n + parseInt(s.textContent, 10), 0)")
    assert icons + in_clusters == len(named)
    assert "6 Orte" in seed_page.page.locator("#sm-status").inner_text()


def test_coinciding_markers_spiderfy(seed_page: Page, seed: Story) -> None:
    """Russia is shown at its seat, Moscow, which the text names too ("Kreml"): the two
    share a point, and a click on their group spreads them at a sensible zoom."""
    moscow = next(p for p in seed.places if p.name == "Moscow")
    seed_page.js("ll => storymap.map.setView(ll, 10, {animate: false})", [moscow.lat, moscow.lon])
    seed_page.page.wait_for_timeout(300)
    cluster = seed_page.page.locator(".marker-cluster").first
    cluster.click()
    seed_page.page.wait_for_timeout(700)
    labels = seed_page.js("[...document.querySelectorAll('.sm-marker')]"
                          ".map(m => m.getAttribute('aria-label'))")
    assert any(lbl.startswith("Moskau, Stadt") for lbl in labels), labels
    assert any(lbl.startswith("Russland (Regierungssitz Moskau), Staat") for lbl in labels), labels
    assert seed_page.js("storymap.map.getZoom()") == 10


def test_clicking_wonsan_opens_popup_with_passage(seed_page: Page) -> None:
    marker = seed_page.reveal("Wonsan")
    marker.click()
    popup = seed_page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Kim reiste eigens nach Wonsan" in text
    assert "Wonsan" in popup.locator("h3").inner_text()
    assert popup.locator("mark", has_text="Wonsan").count() >= 2  # both passages, highlighted
    # the panel marks the place's mentions and scrolls to the first one
    selected = seed_page.js("[...document.querySelectorAll('.sm-mention.sm-selected')]"
                            ".map(b => b.textContent)")
    assert selected and set(selected) == {"Wonsan"}


def test_clicking_mention_kursk_flies_there(seed_page: Page) -> None:
    seed_page.page.locator("button.sm-mention", has_text=re.compile(r"\bKursk\b")).first.click()
    seed_page.page.wait_for_selector("html[data-storymap-shown]", state="attached",
                                     timeout=10_000)
    # Kursk in view, below the centre by half its popup (which opens above it and fits)
    assert seed_page.js("([lat, lon]) => storymap.map.getBounds().contains([lat, lon])", KURSK)
    point = seed_page.js("([lat, lon]) => { const p = storymap.map.latLngToContainerPoint("
                         "[lat, lon]), s = storymap.map.getSize(); return [p.x / s.x, p.y / s.y];"
                         " }", list(KURSK))
    assert 0.4 < point[0] < 0.6 and 0.45 < point[1] < 0.8, point
    popup = seed_page.page.locator(".leaflet-popup-content h3")
    assert "Kursk" in popup.inner_text()
    box = popup.bounding_box()
    assert box is not None and box["y"] >= 0


def test_story_mode_next_and_arrow_keys(seed_page: Page, seed: Story) -> None:
    steps = [passage.index for passage, _places in seed.steps()]
    assert len(steps) >= 2
    page = seed_page.page
    assert page.locator("#sm-prev").is_disabled()
    page.locator("#sm-next").click()
    assert seed_page.js("storymap.step()") == 0
    assert page.locator(".sm-current").get_attribute("id") == f"sm-p-{steps[0]}"
    page.locator("#sm-next").click()
    assert page.locator(".sm-current").get_attribute("id") == f"sm-p-{steps[1]}"
    assert page.locator(".sm-current .sm-mention").count() > 0
    assert "Schritt 2 von" in page.locator("#sm-status").inner_text()
    page.locator("body").click(position={"x": 1000, "y": 790})  # focus outside the map
    page.keyboard.press("ArrowRight")
    assert page.locator(".sm-current").get_attribute("id") == f"sm-p-{steps[2]}"
    page.keyboard.press("ArrowLeft")
    assert page.locator(".sm-current").get_attribute("id") == f"sm-p-{steps[1]}"
    # the map flies to the step's places
    page.wait_for_timeout(1200)
    places = seed.places_in(steps[1])
    bounds = seed_page.js("(() => { const b = storymap.map.getBounds();"
                          " return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; })()")
    for p in places:
        if p.feature != "country" or seed.seat_of_government(p.id) is None:
            assert bounds[0] <= p.lat <= bounds[2] and bounds[1] <= p.lon <= bounds[3], p.name


def test_keyboard_and_accessible_names(seed_page: Page, seed: Story) -> None:
    page = seed_page.page
    names = seed_page.js("[...document.querySelectorAll('.leaflet-marker-icon')].map(m =>"
                         " [m.getAttribute('role'), m.tabIndex, m.getAttribute('aria-label') ||"
                         " m.textContent])")
    assert names and all(role == "button" and tab == 0 and name for role, tab, name in names)
    for selector in ("#sm-prev", "#sm-next"):
        assert page.locator(selector).get_attribute("aria-label")
    assert page.locator("button.sm-mention").count() == sum(
        1 for m in seed.mentions if m.place_id)
    # Enter on a focused marker opens its popup
    marker = seed_page.reveal("Wonsan")
    marker.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content").wait_for()
    # a mention button is reachable with Tab and activates with Enter
    page.locator("button.sm-mention").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.sm-mention.sm-selected').length > 0")


def test_hostile_text_is_inert_and_literal(hostile_page: Page) -> None:
    page = hostile_page.page
    article = page.locator("#sm-article").inner_text()
    assert '<script>alert("title")</script>' in article
    assert "<img src=x onerror=alert(1)>" in article
    assert "</script><script>alert(2)</script>" in article
    assert "`backtick` und ${alert(3)} sowie {{ 7*7 }}" in article
    assert "&amp; &lt;b&gt;fett&lt;/b&gt; &#x27;" in article
    assert "القاهرة" in article and "ירושלים" in article
    assert page.title() == 'Angriff <script>alert("title")</script> auf Wonsan'

    evil = hostile_page.reveal("</script><script>alert(6)</script>`${alert(7)}`")
    evil.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "</script><script>alert(6)</script>`${alert(7)}`" in tooltip.inner_text()
    evil.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "</script><script>alert(6)</script>`${alert(7)}`" in text
    assert "<img src=x onerror=alert(1)>" in text

    kursk = hostile_page.reveal("Kursk &amp; 'Oblast'")
    kursk.click()
    assert popup.locator("mark", has_text="<b onmouseover=alert(4)>Kursk</b>").count() == 1

    page.wait_for_timeout(300)
    assert hostile_page.dialogs == []
    assert hostile_page.errors == []
    injected = hostile_page.js(
        "document.querySelectorAll('img[src=x], b[onmouseover], #sm-article script,"
        " .leaflet-popup script, .leaflet-tooltip script').length")
    assert injected == 0
    assert all(TILE_HOST in url for url in hostile_page.blocked), hostile_page.blocked


def test_narrow_screen_puts_panel_below(browser: Any, seed_file: Path) -> None:
    context = browser.new_context(viewport={"width": 420, "height": 800})
    try:
        page = Page(context, seed_file.as_uri())
        map_box = page.page.locator(".folium-map").bounding_box()
        panel_box = page.page.locator("#sm-panel").bounding_box()
        assert map_box is not None and panel_box is not None
        assert panel_box["y"] >= map_box["y"] + map_box["height"] - 1
        assert map_box["width"] > 400
    finally:
        context.close()


# -- the languages ------------------------------------------------------------------------------

ENGLISH_WORDS = re.compile(
    r"\b(the|and|of|on|to|in|place|places|show|step|steps|previous|next|overview|seat|"
    r"government|mentioned|times|once|zoom|close|story|passage|passages|click|contributors|"
    r"outlines|country|city|title|not|resolved|group|data|map|tiles|layers|mi)\b", re.IGNORECASE)


def ui_words(page: Page) -> list[str]:
    """Every word the page itself says (text, titles, accessible names), without the article's
    own text and the passages quoted from it."""
    words: list[str] = page.js("""(() => {
      const out = [];
      const skip = n => n.closest && n.closest('#sm-article, .sm-snips, style, script, h3');
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const n = walker.currentNode;
        if (!skip(n.parentElement) && n.textContent.trim()) { out.push(n.textContent.trim()); }
      }
      for (const e of document.querySelectorAll('[title], [aria-label], [alt]')) {
        for (const a of ['title', 'aria-label', 'alt']) {
          if (e.hasAttribute(a) && !(a === 'title' && e.closest('#sm-article') &&
              !e.classList.contains('sm-mention') && !e.classList.contains('sm-unresolved'))) {
            out.push(e.getAttribute(a));
          }
        }
      }
      return out;
    })()""")
    return words


def open_everything(page: Page) -> None:
    """A popup, a tooltip, a spread group and a story step: all the words the page can show."""
    marker = page.reveal("Wonsan")
    marker.hover()
    page.page.locator(".leaflet-tooltip").wait_for()
    marker.click()
    page.page.locator(".leaflet-popup-content").wait_for()
    page.page.locator("#sm-next").click()


def test_german_page_speaks_german(seed_page: Page, seed: Story) -> None:
    page = seed_page.page
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#sm-prev").inner_text() == "◂ Zurück"
    assert page.locator("#sm-next").inner_text() == "Weiter ▸"
    assert page.locator("#sm-overview").inner_text() == "Übersicht"
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Vergrößern"
    assert page.locator("#sm-status").inner_text() == "6 Orte · 7 Schritte"
    open_everything(seed_page)
    assert "Schritt 1 von 7" in page.locator("#sm-status").inner_text()
    words = ui_words(seed_page)
    # mention buttons name their place in German
    assert any(w == "Nordkorea (Regierungssitz Pjöngjang) auf der Karte zeigen" for w in words)
    english = sorted({w for w in words if ENGLISH_WORDS.search(w)})
    assert english == [], english


@pytest.fixture(scope="module")
def seed_en_file(tmp_path_factory: pytest.TempPathFactory, seed: Story) -> Path:
    path = tmp_path_factory.mktemp("export") / "seed-en.html"
    path.write_text(to_html(seed, ui_language="en"), encoding="utf-8")
    return path


def test_english_page_speaks_english(browser: Any, seed_en_file: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = Page(context, seed_en_file.as_uri())
        assert page.page.locator("html").get_attribute("lang") == "en"
        assert page.page.locator("#sm-prev").inner_text() == "◂ Previous"
        assert page.page.locator("#sm-next").inner_text() == "Next ▸"
        assert page.page.locator("#sm-status").inner_text() == "6 places · 7 steps"
        # place names in the UI language, the article untouched
        page.page.locator("button.sm-mention", has_text="Nordkorea").first.click()
        page.page.wait_for_selector("html[data-storymap-shown]")
        title = page.page.locator(".leaflet-popup-content h3").inner_text()
        assert title == "North Korea (seat of government Pyongyang)"
        assert "Russland und Nordkorea" in page.page.locator("#sm-article h1").inner_text()
    finally:
        context.close()


# -- views ---------------------------------------------------------------------------------------

MAX_ZOOM = {"country": 7, "region": 7, "continent": 7}
CITY_MAX_ZOOM = 13


def check_every_mention(page: Page) -> None:
    """Each mention flies to its place: a country fitted to its outline (zoom ≤ 7), anything
    else at ≤ 13, the place's own marker on screen (spread from its group if need be) and
    its passages open; the view then stays put (no zoom into an empty max-zoom view)."""
    p = page.page
    count = p.locator("button.sm-mention").count()
    for k in range(count):
        shown = p.locator("html").get_attribute("data-storymap-shown") or "0"
        button = p.locator("button.sm-mention").nth(k)
        index = int(button.get_attribute("data-place") or "-1")
        button.click()
        p.wait_for_function(
            "n => (document.documentElement.getAttribute('data-storymap-shown') || '0') !== n",
            arg=shown, timeout=10_000)
        place = page.js("i => storymap.places[i]", index)
        zoom = page.js("storymap.map.getZoom()")
        limit = MAX_ZOOM.get(place["feature"], CITY_MAX_ZOOM)
        assert zoom <= limit, (button.inner_text(), place["title"], zoom)
        assert page.js("""i => !!storymap.markers[i]._icon && storymap.map.getBounds()
          .contains(storymap.markers[i].getLatLng())""", index), place["title"]
        popup = p.locator(".leaflet-popup-content h3")
        assert popup.inner_text() == place["title"]
        p.wait_for_timeout(250)
        assert page.js("storymap.map.getZoom()") == zoom, place["title"]


def test_every_mention_shows_its_place_at_a_fitting_zoom(seed_page: Page) -> None:
    assert seed_page.page.locator("button.sm-mention").count() >= 20
    check_every_mention(seed_page)


ENGLISH_ARTICLE = """Spain and the EU agree on migration deal in Brussels

MADRID — Spain's prime minister met EU leaders in Brussels on Tuesday. The talks covered \
arrivals on the Canary Islands and in Ceuta, and the Mediterranean route from Libya.

France and Portugal backed the plan, while officials in Paris and Lisbon warned about costs. \
The Sagrada Familia in Barcelona was lit in blue, and the Alps saw record snow.
"""


def exported(article: str, folder: Path) -> tuple[Story, Path]:
    """The article through the pipeline, exported (in its own language) to a file."""
    from storymap import run  # type: ignore[attr-defined]

    story: Story = run(article)
    path = folder / "story.html"
    path.write_text(to_html(story), encoding="utf-8")
    return story, path


def test_every_mention_of_an_english_article_fits(browser: Any, tmp_path: Path) -> None:
    """A country whose seat the text names too (Spain, Madrid), the EU, a sea, a range, a
    landmark inside a city: each click fits, in an English page."""
    story, path = exported(ENGLISH_ARTICLE, tmp_path)
    assert {"Spain", "Madrid", "European Union"} <= {p.name for p in story.named_places()}
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = Page(context, path.as_uri())
        assert page.page.locator("#sm-next").inner_text() == "Next ▸"
        assert page.page.locator("button.sm-mention").count() >= 12
        check_every_mention(page)
        assert page.errors == []
    finally:
        context.close()


def _clickable_markers(page: Page) -> list[Any]:
    """For each marker or group icon inside the map's view: (label, what is at its centre)."""
    result: list[Any] = page.js("""(() => {
      const map = storymap.map.getContainer().getBoundingClientRect();
      return [...document.querySelectorAll('.leaflet-marker-icon')].map(icon => {
        const r = icon.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (x < map.left || x > map.right || y < map.top || y > map.bottom) { return null; }
        const hit = document.elementFromPoint(x, y);
        const at = hit && hit.closest('.leaflet-marker-icon');
        return [icon.getAttribute('aria-label') || icon.textContent, at === icon];
      }).filter(x => x);
    })()""")
    return result


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_first_view_every_marker_is_clickable(browser: Any, seed_file: Path, seed: Story,
                                              viewport: tuple[int, int]) -> None:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        page = Page(context, seed_file.as_uri())
        page.page.wait_for_timeout(300)
        found = _clickable_markers(page)
        assert found and all(ok for _, ok in found), found
        # every place is on the first view, as a marker or inside a group
        in_view = page.js("""(() => { const b = storymap.map.getBounds();
          return storymap.markers.filter(m => b.contains(m.getLatLng())).length; })()""")
        assert in_view == len(seed.named_places())
    finally:
        context.close()


def test_story_controls_end_at_the_ends(seed_page: Page) -> None:
    page = seed_page.page
    total = seed_page.js("storymap.steps.length")
    assert page.locator("#sm-prev").is_disabled()
    page.locator("#sm-next").click()
    assert page.locator("#sm-prev").is_disabled()  # the first step
    seed_page.js("n => storymap.goTo(n - 1)", total)
    assert page.locator("#sm-next").is_disabled()
    assert not page.locator("#sm-prev").is_disabled()
    page.keyboard.press("ArrowRight")
    assert seed_page.js("storymap.step()") == total - 1
    page.locator("#sm-overview").click()
    assert seed_page.js("storymap.step()") == -1
    assert page.locator("#sm-status").inner_text() == "6 Orte · 7 Schritte"
    page.wait_for_timeout(1000)
    assert seed_page.js("storymap.map.getZoom()") <= 7


# -- phones and the app's frame -------------------------------------------------------------------


def test_phone_shows_map_controls_and_passages_on_one_screen(browser: Any,
                                                              seed_file: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    try:
        page = Page(context, seed_file.as_uri())
        p = page.page
        map_box = p.locator(".folium-map").bounding_box()
        assert map_box is not None
        assert map_box["y"] >= 0 and map_box["y"] + map_box["height"] <= 844
        assert map_box["height"] >= 844 * 0.4 and map_box["width"] >= 380
        centre = page.js("""(() => { const r = storymap.map.getContainer()
          .getBoundingClientRect(); const e = document.elementFromPoint(r.left + r.width / 2,
          r.top + r.height / 2); return !!e.closest('.folium-map'); })()""")
        assert centre  # not covered
        controls = p.locator(".sm-controls").bounding_box()
        assert controls is not None
        assert map_box["y"] + map_box["height"] - 1 <= controls["y"] <= (
            map_box["y"] + map_box["height"] + 4)
        assert controls["y"] + controls["height"] <= 844
        marker = page.reveal("Wonsan")
        marker.tap()
        sheet = p.locator("#sm-sheet")
        sheet.wait_for(state="visible")
        box = sheet.bounding_box()
        assert box is not None
        assert box["y"] >= map_box["y"] + map_box["height"] - 1  # beside the map, not over it
        assert box["y"] + box["height"] <= 844 and box["height"] >= 200
        assert "Kim reiste eigens nach Wonsan" in sheet.inner_text()
        assert p.locator(".leaflet-popup").count() == 0
        assert page.js("window.scrollY") == 0
        assert p.locator(".folium-map").bounding_box() == map_box
        p.locator("#sm-sheet-close").tap()
        sheet.wait_for(state="hidden")
    finally:
        context.close()


def framed(page_html: str, tmp_path: Path, width: int, height: int) -> Path:
    """A host page that shows `page_html` as st.components.v1.html does: an iframe's srcdoc
    with a sandbox, far down a long page."""
    import html as html_module

    host = tmp_path / "host.html"
    host.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body style='margin:0'>"
        "<div style='height:1500px'>app</div>"
        f"<iframe id='f' style='border:0' width='{width}' height='{height}' sandbox='allow-scripts "
        "allow-same-origin allow-forms allow-popups allow-downloads' srcdoc=\""
        + html_module.escape(page_html, quote=True) + "\"></iframe>"
        "<div style='height:1500px'></div></body></html>", encoding="utf-8")
    return host


def test_embedded_page_works_in_a_sandboxed_frame(browser: Any, seed: Story,
                                                  tmp_path: Path) -> None:
    """As the app shows it: st.components.v1.html puts the page in an iframe's srcdoc with a
    sandbox; the page fills the frame, clicks work and the host page never scrolls."""
    page_html = to_html(seed, ui_language="de", embedded=True)
    assert 'class="sm-hint"' not in page_html and 'class="sm-hint"' in to_html(seed)
    host = framed(page_html, tmp_path, 900, 560)
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("file:", "data:", "about:")) else r.abort())
        p = context.new_page()
        errors: list[str] = []
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(host.as_uri())
        p.evaluate("window.scrollTo(0, 1200)")
        frame = p.frame_locator("#f")
        frame.locator("html[data-storymap-ready]").wait_for(state="attached", timeout=15_000)
        inner = p.frames[1]
        size = inner.evaluate("[document.documentElement.scrollHeight, window.innerHeight]")
        assert size[0] <= size[1] + 1  # fills the frame, no page of its own to scroll
        frame.locator("button.sm-mention", has_text="Wonsan").first.click()
        inner.wait_for_function("document.documentElement.hasAttribute('data-storymap-shown')")
        assert "Wonsan" in frame.locator(".leaflet-popup-content h3").inner_text()
        marker = inner.evaluate("storymap.markers.length")
        assert marker == len(seed.named_places())
        assert p.evaluate("window.scrollY") == 1200
        assert errors == []
    finally:
        context.close()


def test_embedded_page_in_a_phone_column(browser: Any, seed: Story, tmp_path: Path) -> None:
    """The app on a phone: a 370 px wide frame. The map, then its story controls, then the
    article; a tapped marker's passages open in the sheet inside the frame."""
    host = framed(to_html(seed, ui_language="en", embedded=True), tmp_path, 370, 640)
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    try:
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("file:", "data:", "about:")) else r.abort())
        p = context.new_page()
        p.goto(host.as_uri())
        frame = p.frame_locator("#f")
        frame.locator("html[data-storymap-ready]").wait_for(state="attached", timeout=15_000)
        inner = p.frames[1]
        map_box = inner.evaluate("storymap.map.getContainer().getBoundingClientRect().toJSON()")
        controls = frame.locator(".sm-controls").bounding_box()
        frame_box = p.locator("#f").bounding_box()
        assert controls is not None and frame_box is not None
        assert map_box["top"] <= 1 and map_box["height"] >= 640 * 0.4
        assert controls["y"] - frame_box["y"] >= map_box["bottom"] - 1  # right below the map
        assert controls["y"] + controls["height"] <= frame_box["y"] + 640
        assert frame.locator("#sm-next").inner_text() == "Next ▸"
        wonsan = next(place for place in seed.places if place.label("de") == "Wonsan")
        label = inner.evaluate("""id => new Promise(done => { const i = storymap.indexOf(id);
          storymap.map.setView(storymap.markers[i].getLatLng(), 9, {animate: false});
          storymap.reveal(id, () => done(storymap.places[i].label)); })""", wonsan.id)
        assert label == "Wŏnsan"  # the gazetteer's English name
        frame.locator(f".sm-marker[aria-label^={_css_string(label)}]").tap()
        sheet = frame.locator("#sm-sheet")
        sheet.wait_for(state="visible")
        box, frame_box = sheet.bounding_box(), p.locator("#f").bounding_box()  # tap scrolled
        assert box is not None and frame_box is not None
        assert box["y"] + box["height"] <= frame_box["y"] + 640 + 1
        assert "Kim reiste eigens nach Wonsan" in sheet.inner_text()
        assert "Mentioned twice" in sheet.inner_text() or "Mentioned 2 times" in sheet.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844), (320, 640)])
def test_credits_never_cover_the_scale_bar(browser: Any, seed_file: Path, seed_en_file: Path,
                                            viewport: tuple[int, int], language: str) -> None:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        page = Page(context, (seed_file if language == "de" else seed_en_file).as_uri())
        scale_text = page.page.locator(".leaflet-control-scale").inner_text()
        assert ("mi" in scale_text.split()) == (language == "en"), scale_text
        scale, credits = page.js("""['.leaflet-control-scale', '.leaflet-control-attribution']
          .map(s => document.querySelector(s).getBoundingClientRect().toJSON())""")
        assert "GeoNames" in page.page.locator(".leaflet-control-attribution").inner_text()
        assert "CC BY 4.0" in page.page.locator(".leaflet-control-attribution").inner_text()
        apart = (scale["right"] <= credits["left"] or credits["right"] <= scale["left"]
                 or scale["bottom"] <= credits["top"] or credits["bottom"] <= scale["top"])
        assert apart, (scale, credits)
        assert credits["right"] <= viewport[0] and credits["bottom"] <= viewport[1]
    finally:
        context.close()


def test_every_step_shows_its_places_at_a_fitting_zoom(seed_page: Page) -> None:
    """Story mode flies to each step's places: never closer than the closest of their views
    (a country ≤ 7, a city ≤ 13), every place of the step inside the view."""
    page = seed_page.page
    total = seed_page.js("storymap.steps.length")
    for k in range(total):
        if k:
            page.locator("#sm-next").click()
        else:
            seed_page.js("storymap.goTo(0)")
        page.wait_for_function(
            "k => document.documentElement.getAttribute('data-storymap-step') === String(k)",
            arg=k, timeout=10_000)
        ids = seed_page.js("k => storymap.steps[k][1]", k)
        features = seed_page.js("ids => ids.map(i => storymap.places[i].feature)", ids)
        zoom = seed_page.js("storymap.map.getZoom()")
        assert zoom <= min(MAX_ZOOM.get(f, CITY_MAX_ZOOM) for f in features), (k, features)
        inside = seed_page.js("""ids => ids.every(i => storymap.map.getBounds().contains(
            L.latLng(storymap.places[i].lat, storymap.places[i].lon)))""", ids)
        assert inside, k
        if len(ids) == 1:
            assert seed_page.js("i => !!storymap.markers[i]._icon", ids[0])
    assert page.locator("#sm-next").is_disabled()
    assert "Schritt 7 von 7" in page.locator("#sm-status").inner_text()


@pytest.mark.parametrize(("article", "count"), [
    ("Ein Tag ohne Orte\n\nDie Sitzung dauerte lange, es gab Kaffee.", 0),
    ("One place only\n\nThe minister flew to Wonsan on Monday.", 1),
])
def test_stories_with_no_or_one_place_work(browser: Any, tmp_path: Path, article: str,
                                           count: int) -> None:
    """No place: no markers, the controls disabled, no error. One place: one step, its marker
    clickable at a sensible zoom."""
    story, path = exported(article, tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = Page(context, path.as_uri())
        assert len(story.named_places()) == count
        assert page.js("storymap.markerCount()") == count
        assert page.page.locator("#sm-prev").is_disabled()
        assert page.page.locator("#sm-next").is_disabled() == (count == 0)
        if count:
            page.page.locator("#sm-next").click()
            page.page.wait_for_selector("html[data-storymap-step='0']")
            assert page.js("storymap.map.getZoom()") <= CITY_MAX_ZOOM
            assert page.page.locator("#sm-next").is_disabled()
            check_every_mention(page)
        assert page.errors == []
    finally:
        context.close()
