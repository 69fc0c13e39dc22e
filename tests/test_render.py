"""render.py: the page data, escaping, geometry and the folium map's structure."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from pathlib import Path

import folium
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from sample_stories import (
    KURSK,
    MOSCOW,
    NORTH_KOREA,
    PYONGYANG,
    RUSSIA,
    WONSAN,
    build_story,
    hand_built_seed,
    hostile_story,
    synthetic_story,
)
from shapely.geometry import Point, shape

from storymap.model import Passage, Story
from storymap.render import (
    SNIPPET_MAX,
    StoryIndex,
    country_name,
    country_outlines,
    render,
    script_json,
    snippet_window,
    story_payload,
    world_basemap,
)
from storymap.render import (
    template_text as _template_text,
)

FORBIDDEN_IN_SCRIPT = ("<", ">", "&", "\u2028", "\u2029", "{{", "{%", "{#")


def page_data(html: str, element_id: str = "storymap-data") -> object:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.DOTALL
    )
    assert match, f"no #{element_id} block"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def seed() -> Story:
    return hand_built_seed()


@pytest.fixture(scope="module")
def seed_html(seed: Story) -> str:
    html: str = render(seed).get_root().render()
    return html


# -- script_json --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "</script><script>alert(1)</script>",
        "<!-- <script>",
        "a\u2028b\u2029c",
        "{{ 7*7 }} {% if %} {# x #} \\{{",
        "&amp; &lt; \"quotes\" 'single' `tick` ${x}",
    ],
)
def test_script_json_is_inert_and_exact(text: str) -> None:
    out = script_json({"t": text, "nested": [{"t": text}]})
    assert json.loads(out) == {"t": text, "nested": [{"t": text}]}
    for bad in FORBIDDEN_IN_SCRIPT:
        assert bad not in out


@given(st.text())
def test_script_json_round_trips_any_text(text: str) -> None:
    out = script_json([text, {"k": text}])
    assert json.loads(out) == [text, {"k": text}]
    assert not any(bad in out for bad in FORBIDDEN_IN_SCRIPT)


def test_script_json_rejects_nan() -> None:
    with pytest.raises(ValueError):
        script_json({"x": float("nan")})


# -- snippets -----------------------------------------------------------------------------------


def test_short_passage_is_shown_whole() -> None:
    assert snippet_window(100, [(10, 16)], "x" * 100) == (0, 100)


@given(
    st.lists(st.sampled_from(["Kim", "reiste", "nach", "Wonsan,", "einem", "Kurort", "und"]),
             min_size=60, max_size=200),
    st.data(),
)
def test_long_passage_is_trimmed_around_the_mention(words: list[str], data: st.DataObject) -> None:
    text = " ".join(words)
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    start = data.draw(st.sampled_from(starts))
    end = text.find(" ", start)
    end = len(text) if end == -1 else end
    a, b = snippet_window(len(text), [(start, end)], text)
    assert 0 <= a <= start < end <= b <= len(text)
    assert b - a <= SNIPPET_MAX
    assert a == 0 or text[a - 1] == " "
    assert b == len(text) or text[b] == " "


# -- payload ------------------------------------------------------------------------------------


def test_payload_has_one_entry_per_named_place_with_seats_inside_their_country(
    seed: Story,
) -> None:
    payload = story_payload(seed, "de")
    places = {p["id"]: p for p in payload["places"]}
    assert list(places) == [p.id for p in seed.named_places()]
    assert PYONGYANG.id not in places  # shown only for North Korea: part of it
    assert MOSCOW.id in places  # "Kreml" names Moscow itself
    assert (places[RUSSIA.id]["lat"], places[RUSSIA.id]["lon"]) == (MOSCOW.lat, MOSCOW.lon)
    assert (places[NORTH_KOREA.id]["lat"], places[NORTH_KOREA.id]["lon"]) == (
        PYONGYANG.lat, PYONGYANG.lon)
    assert places[NORTH_KOREA.id]["title"] == "Nordkorea (Regierungssitz Pjöngjang)"
    assert places[NORTH_KOREA.id]["atSeat"] is True
    assert places[RUSSIA.id]["title"] == "Russland (Regierungssitz Moskau)"
    assert places[MOSCOW.id]["seatNote"] == "Regierungssitz von Russland"
    assert places[WONSAN.id]["sub"] == "Stadt · Nordkorea"
    assert places[KURSK.id]["label"] == "Kursk"
    assert payload["overview"] == "6 Orte · 7 Schritte"
    english = {p["id"]: p for p in story_payload(seed, "en")["places"]}
    assert english[NORTH_KOREA.id]["title"] == "North Korea (seat of government Pyongyang)"
    assert english[WONSAN.id]["sub"] == "city · North Korea"
    assert english[MOSCOW.id]["counted"] == "Mentioned once"
    assert story_payload(seed, "en")["overview"] == "6 places · 7 steps"


def test_counts_agree_with_the_model(seed: Story) -> None:
    """Each mention counts once, for the place it names: summed counts are the resolved
    mentions, and the place count is the places the text names."""
    payload = story_payload(seed, "de")
    resolved = [m for m in seed.mentions if m.place_id]
    assert sum(p["count"] for p in payload["places"]) == len(resolved)
    assert sorted(i for p in payload["places"] for i in p["mi"]) == list(range(len(resolved)))
    assert len(payload["places"]) == len(seed.named_places())


def test_payload_views_fit_the_place(seed: Story) -> None:
    places = {p["id"]: p for p in story_payload(seed)["places"]}
    russia = places[RUSSIA.id]
    assert russia["extent"] is not None and russia["zoom"] <= 7
    (south, west), (north, east) = russia["extent"]
    assert south < MOSCOW.lat < north and west < MOSCOW.lon < east
    assert places[WONSAN.id]["extent"] is None and places[WONSAN.id]["zoom"] <= 13


def test_payload_mentions_and_snippets_point_at_the_text(seed: Story) -> None:
    payload = story_payload(seed)
    texts = dict(payload["passages"])
    assert len(payload["mentions"]) == len(seed.mentions)
    for passage, s, e, place, _kind in payload["mentions"]:
        assert texts[passage][s:e] in {m.text for m in seed.mentions}
        assert place >= 0
    for p in payload["places"]:
        own = [m for m in seed.mentions if m.place_id == p["id"]]
        assert p["count"] == len(own)
        marked = [payload["mentions"][i] for i in p["mi"]]
        assert [texts[m[0]][m[1]:m[2]] for m in marked] == [m.text for m in own]
        assert [s[0] for s in p["snips"]] == sorted({m.passage for m in own})
        for _passage, a, b, spans in p["snips"]:
            for s, e in spans:
                assert a <= s < e <= b
    wonsan = next(p for p in payload["places"] if p["id"] == WONSAN.id)
    snippet_texts = [texts[pi][a:b] for pi, a, b, _ in wonsan["snips"]]
    assert any("Kim reiste eigens nach Wonsan" in t for t in snippet_texts)


def test_payload_steps_match_the_model(seed: Story) -> None:
    payload = story_payload(seed)
    ids = [p["id"] for p in payload["places"]]
    assert [(i, [ids[k] for k in places]) for i, places in payload["steps"]] == [
        (passage.index, [p.id for p in places]) for passage, places in seed.steps()
    ]


def test_route_follows_first_mentions_without_repeats(seed: Story) -> None:
    route = StoryIndex(seed).route()
    # Russia (at Moscow), North Korea (at Pyongyang), the Kremlin (Moscow), Wonsan, Ukraine,
    # Kursk: each place where the text first names it, never a seat for its country's words
    assert route[0] == (MOSCOW.lat, MOSCOW.lon)
    assert route[1] == (PYONGYANG.lat, PYONGYANG.lon)
    assert route[2] == (MOSCOW.lat, MOSCOW.lon)
    assert route[3] == (WONSAN.lat, WONSAN.lon)
    assert route[-1] == (KURSK.lat, KURSK.lon)
    assert all(a != b for a, b in itertools.pairwise(route))


def test_payload_sanitises_feature_and_kind() -> None:
    place = replace(WONSAN, feature='bad class"><x')
    odd = build_story("Title\nIn Wonsan today.\n", "de",
                      [[], [("Wonsan", place, "guess")]], [place])
    payload = story_payload(odd)
    assert payload["places"][0]["feature"] == "other"
    assert payload["mentions"][0][4] == "name"


def test_synthetic_payload_is_fast_enough() -> None:
    story = synthetic_story(2_000)
    payload = story_payload(story)
    assert len(payload["places"]) == 2_000
    assert sum(len(p["mi"]) for p in payload["places"]) == len(story.mentions)


# -- geometry -----------------------------------------------------------------------------------


def test_country_outlines_come_from_real_geometry() -> None:
    outlines = country_outlines(["RU", "KP", "XX", "ru"])
    codes = [f["properties"]["country_code"] for f in outlines["features"]]
    assert codes == ["RU", "KP"]
    russia = shape(outlines["features"][0]["geometry"])
    assert russia.contains(Point(MOSCOW.lon, MOSCOW.lat))
    assert russia.contains(Point(KURSK.lon, KURSK.lat))
    assert not russia.contains(Point(PYONGYANG.lon, PYONGYANG.lat))
    assert shape(outlines["features"][1]["geometry"]).contains(Point(WONSAN.lon, WONSAN.lat))


def test_world_basemap_is_small_and_has_no_holes_for_missing_countries() -> None:
    basemap = world_basemap()
    land = shape(basemap["features"][0]["geometry"])
    assert land.contains(Point(19.04, 47.50))  # Budapest: countryinfo has no Hungary outline
    assert land.contains(Point(MOSCOW.lon, MOSCOW.lat))
    assert not land.contains(Point(-30.0, 30.0))  # the Atlantic
    assert not land.contains(Point(50.5, 42.0))  # the Caspian Sea stays water
    assert shapely.is_valid(land)
    assert len(json.dumps(basemap)) < 200_000


def test_country_names_from_cldr() -> None:
    assert country_name("kp") == "North Korea"
    assert country_name("KP", "de") == "Nordkorea"
    assert country_name("KP", "xx-unknown") == "North Korea"
    assert country_name(None) is None


# -- the folium map -----------------------------------------------------------------------------


def test_render_sets_assets_on_the_instance_only(seed: Story) -> None:
    before_js, before_css = list(folium.Map.default_js), list(folium.Map.default_css)
    m = render(seed)
    assert isinstance(m, folium.Map)
    assert [name for name, _ in m.default_js] == ["leaflet", "leaflet_markercluster"]
    assert all(url.startswith("data:text/javascript;base64,") for _, url in m.default_js)
    assert all(url.startswith("data:text/css;base64,") for _, url in m.default_css)
    assert folium.Map.default_js == before_js and folium.Map.default_css == before_css
    assert folium.Map().default_js == before_js


def test_rendered_page_structure(seed: Story, seed_html: str) -> None:
    assert seed_html.count('id="sm-panel"') == 1
    assert seed_html.count('id="sm-article"') == 1
    assert 'lang="de"' in seed_html
    data = page_data(seed_html)
    assert isinstance(data, dict)
    assert [p["id"] for p in data["places"]] == [p.id for p in seed.named_places()]
    assert isinstance(page_data(seed_html, "storymap-basemap"), dict)
    # tiles with a referrer policy, attribution for tiles and GeoNames, a layer control
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in seed_html
    assert '"referrerPolicy": "strict-origin-when-cross-origin"' in seed_html
    assert "OpenStreetMap" in seed_html and "GeoNames" in seed_html
    assert "CC BY 4.0" in seed_html
    assert "L.control.layers" in seed_html
    assert '"Country outlines"' in seed_html and '"Narrative route"' in seed_html
    german = render(seed, ui_language="de").get_root().render()
    assert json.dumps("Ländergrenzen") in german and json.dumps("Weg der Geschichte") in german
    assert "◂ Zurück" in german and "Weiter ▸" in german and "◂ Previous" not in german
    assert "storymapInit(" in seed_html
    # one GeoJson outline layer with Russia, North Korea and Ukraine; one route polyline
    assert seed_html.count("L.geoJson(") == 1
    assert seed_html.count("L.polyline(") == 1
    # no per-place folium markers or popups: the page script builds them lazily
    assert "L.marker(" not in seed_html and "L.popup(" not in seed_html
    assert "<title>Russland und Nordkorea schmieden engere Allianzen</title>" in seed_html


def test_hostile_text_appears_only_escaped() -> None:
    story = hostile_story()
    html = render(story, ui_language="de").get_root().render()
    for raw in ("<script>alert(", "<img src=x", "</script><script>alert(2)",
                "<b onmouseover", "{{ 7*7 }}", "${alert(3)}`"):
        assert raw not in html
    assert "<title>Angriff &lt;script&gt;alert(&#x27;title&#x27;)" not in html
    assert "<title>Angriff &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; auf Wonsan" \
        "</title>" in html
    data = page_data(html)
    assert isinstance(data, dict)
    assert "".join(t for _, t in data["passages"]) == story.article.replace("\n", "")
    labels = [p["label"] for p in data["places"]]
    assert "</script><script>alert(6)</script>`${alert(7)}`" in labels


def test_jinja_syntax_in_the_article_is_not_evaluated() -> None:
    article = "Titel {{ 6*7 }}\nIn Wonsan {% for x in range(3) %}x{% endfor %} {# c #}.\n"
    story = build_story(article, "de", [[], [("Wonsan", WONSAN, "name")]], [WONSAN])
    html = render(story).get_root().render()
    data = page_data(html)
    assert isinstance(data, dict)
    assert data["passages"] == [[p.index, p.text] for p in story.passages]
    assert "<title>Titel {{ 6*7 }}</title>" in html
    assert "Titel 42" not in html and "xxx" not in html
    # the page script and stylesheet are emitted verbatim (branca would re-template them)
    assert _template_text("storymap.js") in html
    assert _template_text("storymap.css") in html


def test_story_without_places_renders() -> None:
    story = Story("Nur ein Titel", "de", (Passage(0, 0, 13, "Nur ein Titel"),), (), ())
    html = render(story).get_root().render()
    data = page_data(html)
    assert isinstance(data, dict)
    assert data["places"] == [] and data["bounds"] is None and data["steps"] == []


def test_render_options() -> None:
    story = hand_built_seed()
    html = render(story, panel=False, tiles=False, basemap=False).get_root().render()
    assert 'id="sm-panel"' not in html
    assert "tile.openstreetmap.org" not in html
    assert page_data(html, "storymap-basemap") is None


def test_geodata_is_cached_on_disk(tmp_path: Path) -> None:
    from storymap.render.geodata import cached_geodata

    built = cached_geodata(tmp_path)
    files = list(tmp_path.glob("geodata-*.json"))
    assert len(files) == 1
    assert cached_geodata(tmp_path) == built
    files[0].write_text("{broken", encoding="utf-8")  # a damaged cache is rebuilt
    assert cached_geodata(tmp_path) == built
    assert json.loads(files[0].read_text(encoding="utf-8")) == built


def test_payload_views_of_places_in_no_single_country() -> None:
    """A sea, a mountain range, a river and the EU belong to no one country (no country
    code): a click shows them wide; a peak, a lake shore town or a landmark stay close."""
    from storymap.model import Place

    places = [
        Place("area:med", "Mediterranean Sea", "water", 35.0, 20.0),
        Place("area:alps", "Alps", "mountain", 46.5, 10.0, labels={"de": "Alpen"}),
        Place("org:EU", "European Union", "other", 48.7, 9.1,
              labels={"de": "Europäische Union"}),
        Place("gn:1", "Zugspitze", "mountain", 47.42, 10.98, "DE"),
        Place("gn:2", "Sagrada Família", "landmark", 41.40, 2.17, "ES"),
        Place("gn:3", "Spain", "country", 40.0, -4.0, "ES", labels={"de": "Spanien"}),
        Place("gn:4", "Madrid", "city", 40.42, -3.70, "ES", labels={"de": "Madrid"},
              seat_of="gn:3"),
    ]
    by_name = {p.name: p for p in places}
    article = ("EU und Spanien\n\nDas Mittelmeer, die Alpen und die Zugspitze; "
               "in Barcelona die Sagrada Família.")
    story = build_story(article, "de", [
        [("EU", by_name["European Union"], "name"), ("Spanien", by_name["Spain"], "name")],
        [("Mittelmeer", by_name["Mediterranean Sea"], "name"),
         ("Alpen", by_name["Alps"], "name"), ("Zugspitze", by_name["Zugspitze"], "name"),
         ("Sagrada Família", by_name["Sagrada Família"], "name")],
    ], places)
    payload = story_payload(story, "de")
    views = {p["id"]: (p["extent"], p["zoom"]) for p in payload["places"]}
    assert "gn:4" not in views  # Madrid is only Spain's seat here
    for wide in ("area:med", "area:alps", "org:EU"):
        assert views[wide] == (None, 5), wide
    assert views["gn:1"][1] > 7 and views["gn:2"][1] > 7  # a peak, a landmark: close
    assert all(zoom <= 13 for _, zoom in views.values())
    spain = views["gn:3"]
    assert spain[0] is not None and spain[1] <= 7
    (south, west), (north, east) = spain[0]
    assert south < 40.42 < north and west < -3.70 < east  # mainland Spain, around Madrid
    assert north - south < 12  # the Canary Islands (far overseas) do not widen the view
    titles = {p["id"]: p["title"] for p in payload["places"]}
    assert titles["gn:3"] == "Spanien (Regierungssitz Madrid)"
    assert titles["org:EU"] == "Europäische Union"
