"""export.py: the self-contained HTML page, GeoJSON and story JSON (golden files, round trips,
malformed input) and writing the outputs.

Regenerate the golden files after an intended change with
``STORYMAP_UPDATE_GOLDEN=1 pytest tests/test_export.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample_stories import (
    HOSTILE_ARTICLE,
    MOSCOW,
    RUSSIA,
    WONSAN,
    build_story,
    hand_built_seed,
    hostile_story,
    synthetic_story,
)

from storymap.errors import ExportError
from storymap.export import (
    dump_story,
    geojson_dict,
    is_story_json,
    load_story,
    to_geojson,
    to_html,
    write_outputs,
)
from storymap.model import Story

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("STORYMAP_UPDATE_GOLDEN") == "1"
SEED_HTML_MAX_BYTES = 700_000


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file (see module docstring)"


@pytest.fixture(scope="module")
def seed() -> Story:
    return hand_built_seed()


@pytest.fixture(scope="module")
def seed_html(seed: Story) -> str:
    return to_html(seed)


# -- HTML -------------------------------------------------------------------------------------


def test_html_is_one_self_contained_document(seed_html: str) -> None:
    assert seed_html.startswith("<!DOCTYPE html>")
    assert seed_html.count("<html") == 1 and seed_html.rstrip().endswith("</html>")
    assert len(seed_html.encode("utf-8")) <= SEED_HTML_MAX_BYTES
    # no external script or stylesheet, no source maps, no relative image urls
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=", seed_html)
    assert "sourceMappingURL" not in seed_html
    assert "url(images/" not in seed_html
    # Leaflet and markercluster are inlined from the XStatic packages; folium's jQuery is not
    assert 'version = "1.9.3"' in seed_html or "1.9.3" in seed_html
    assert "MarkerClusterGroup" in seed_html and "jQuery" not in seed_html
    assert seed_html.count("data:image/png;base64,") >= 5  # css images + default icons
    # folium's CDN defaults (bootstrap, font-awesome, awesome-markers) are not on the page
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrap"):
        assert cdn not in seed_html


def test_html_head_keeps_charset_first(seed_html: str) -> None:
    head = seed_html[: seed_html.index("<style")]
    assert 'charset=UTF-8' in head


def test_hostile_html_has_no_raw_markup() -> None:
    html = to_html(hostile_story())
    for raw in ("<script>alert(", "<img src=x", "<b onmouseover", "{{ 7*7 }}",
                "</script><script>alert(2)"):
        assert raw not in html
    assert "\u2028" not in html and "\u2029" not in html


# -- GeoJSON ----------------------------------------------------------------------------------


def test_geojson_golden(seed: Story) -> None:
    check_golden("seed.geojson", to_geojson(seed))


def test_geojson_is_rfc7946(seed: Story) -> None:
    data = json.loads(to_geojson(seed))
    assert data["type"] == "FeatureCollection"
    assert "GeoNames" in data["attribution"] and "CC BY 4.0" in data["attribution"]
    assert "crs" not in data
    assert len(data["features"]) == len(seed.places)
    for feature, place in zip(data["features"], seed.places, strict=True):
        assert feature["type"] == "Feature"
        assert feature["id"] == place.id
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point"
        assert (lon, lat) == (round(place.lon, 6), round(place.lat, 6))
        props = feature["properties"]
        assert props["name"] == place.name and props["feature"] == place.feature
        mentions = [m for m in seed.mentions if m.place_id == place.id]
        assert [(m["passage"], m["start"], m["end"], m["text"]) for m in props["mentions"]] == [
            (m.passage, m.start, m.end, m.text) for m in mentions
        ]
    wonsan = next(f for f in data["features"] if f["id"] == WONSAN.id)
    assert wonsan["properties"]["country"] == "North Korea"


def test_geojson_agrees_with_the_model_interface(seed: Story) -> None:
    ours = geojson_dict(seed)
    model = seed.__geo_interface__
    for a, b in zip(ours["features"], model["features"], strict=True):
        extra = dict(a["properties"])
        assert extra.pop("country") is not None
        assert extra == b["properties"]
        assert a["geometry"] == b["geometry"]
    assert ours["attribution"] == model["attribution"]


def test_geojson_is_deterministic(seed: Story) -> None:
    assert to_geojson(seed) == to_geojson(hand_built_seed())
    text = to_geojson(seed)
    assert text.endswith("\n")
    assert json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=1) + "\n" \
        == text


def test_geojson_hostile_text_round_trips() -> None:
    story = hostile_story()
    data = json.loads(to_geojson(story))
    texts = [m["text"] for f in data["features"] for m in f["properties"]["mentions"]]
    assert "<b onmouseover=alert(4)>Kursk</b>" in texts
    assert "القاهرة" in texts
    names = [f["properties"]["name"] for f in data["features"]]
    assert '<img src=x onerror=alert(5)>"Wonsan"' in names
    labels = [f["properties"]["label"] for f in data["features"]]
    assert "</script><script>alert(6)</script>`${alert(7)}`" in labels
    for f in data["features"]:
        for m in f["properties"]["mentions"]:
            assert story.article[m["start"] : m["end"]] == m["text"]


def test_geojson_rejects_non_finite_coordinates() -> None:
    broken = replace(WONSAN, lat=float("nan"))
    story = build_story("T\nIn Wonsan.\n", "de", [[], [("Wonsan", broken, "name")]], [broken])
    with pytest.raises(ExportError, match="non-finite"):
        to_geojson(story)


def test_geojson_large_story_is_linear() -> None:
    story = synthetic_story(5_000)
    data = json.loads(to_geojson(story))
    assert len(data["features"]) == 5_000


# -- story JSON -------------------------------------------------------------------------------


def test_story_json_golden(seed: Story) -> None:
    check_golden("seed.story.json", dump_story(seed))


def test_story_json_round_trip_is_lossless(seed: Story) -> None:
    loaded = load_story(dump_story(seed))
    assert loaded == seed
    assert loaded.to_dict() == seed.to_dict()
    assert dump_story(loaded) == dump_story(seed)
    # labels and evidence are not part of dataclass equality: compare them too
    assert [dict(p.labels) for p in loaded.places] == [dict(p.labels) for p in seed.places]
    assert [[dict(c.evidence) for c in m.candidates] for m in loaded.mentions] == [
        [dict(c.evidence) for c in m.candidates] for m in seed.mentions
    ]


def test_story_json_hostile_round_trip() -> None:
    story = hostile_story()
    text = dump_story(story)
    loaded = load_story(text)
    assert loaded.article == HOSTILE_ARTICLE
    assert loaded == story
    assert load_story(text.encode("utf-8")) == story
    assert load_story(b"\xef\xbb\xbf" + text.encode("utf-8")) == story  # with a BOM


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=60).filter(lambda t: "\n" not in t),
       st.floats(min_value=0, max_value=1), st.floats(-89.9, 89.9), st.floats(-179.9, 179.9))
def test_story_json_round_trips_any_text(text: str, confidence: float, lat: float,
                                         lon: float) -> None:
    article = f"Title\nIn {text} today.\n"
    start = article.index(text, 9)
    place = type(MOSCOW)("p:1", text, "city", lat, lon, None, None, 0, {"de": text})
    from storymap.model import Mention, Passage

    passages = (Passage(0, 0, 5, "Title"), Passage(1, 6, len(article) - 1, article[6:-1]))
    mention = Mention(start, start + len(text), text, 1, "p:1", "name", confidence)
    story = Story(article, "de", passages, (place,), (mention,))
    loaded = load_story(dump_story(story))
    assert loaded.to_dict() == story.to_dict()
    geo = json.loads(to_geojson(story))
    assert geo["features"][0]["properties"]["mentions"][0]["text"] == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "malformed"),
        ("{not json", "malformed: .* line 1, column 2"),
        ("[1, 2]", "must be an object"),
        ('{"format": "other"}', "not a storymap story"),
        ('{"format": "storymap.story/1"}', "missing the field 'article'"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply|malformed"),
    ],
)
def test_load_story_rejects_malformed_input(data: str | bytes, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        load_story(data)


def _seed_dict() -> dict[str, object]:
    result: dict[str, object] = json.loads(dump_story(hand_built_seed()))
    return result


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["mentions"][0].update(start=10_000, end=10_005), "outside the article"),
        (lambda d: d["mentions"][0].update(place_id="nowhere"), "unknown place 'nowhere'"),
        (lambda d: d["mentions"][0].update(passage=5), "not in passage 5"),
        (lambda d: d["mentions"][0].update(kind="guess"), "unknown mention kind"),
        (lambda d: d["places"][0].update(lat=123.0), "invalid coordinates"),
        (lambda d: d["places"][0].update(lat="north"), "invalid"),
        (lambda d: d.update(passages=[[0, 0, 10**9]]), "outside the article"),
        (lambda d: d.update(places=None), "invalid"),
        (lambda d: d["places"][0].pop("id"), "missing the field 'id'"),
    ],
)
def test_load_story_rejects_inconsistent_stories(change: object, message: str) -> None:
    data = _seed_dict()
    change(data)  # type: ignore[operator]
    with pytest.raises(ExportError, match=message):
        load_story(json.dumps(data))


def test_is_story_json(seed: Story) -> None:
    assert is_story_json(dump_story(seed))
    assert is_story_json(dump_story(seed).encode("utf-8"))
    assert not is_story_json("Russland und Nordkorea schmieden engere Allianzen")
    assert not is_story_json(to_geojson(seed))


# -- writing files ----------------------------------------------------------------------------


def test_write_outputs(tmp_path: Path, seed: Story) -> None:
    html, geo, js = tmp_path / "story.html", tmp_path / "story.geojson", tmp_path / "story.json"
    write_outputs(seed, html=html, geojson=geo, story_json=js)
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert geo.read_text(encoding="utf-8") == to_geojson(seed)
    assert load_story(js.read_bytes()) == seed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.geojson", "story.html",
                                                          "story.json"]


def test_write_outputs_only_what_is_asked(tmp_path: Path, seed: Story) -> None:
    write_outputs(seed, html=None, geojson=tmp_path / "a.geojson", story_json=None)
    assert [p.name for p in tmp_path.iterdir()] == ["a.geojson"]


def test_write_outputs_reports_missing_folder(tmp_path: Path, seed: Story) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        write_outputs(seed, html=None, geojson=tmp_path / "no" / "x.geojson", story_json=None)


def test_write_outputs_leaves_no_partial_file(tmp_path: Path, seed: Story) -> None:
    target = tmp_path / "taken"
    target.mkdir()  # a folder where the file should go: os.replace fails
    with pytest.raises(ExportError, match="cannot write"):
        write_outputs(seed, html=None, geojson=target, story_json=None)
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_story_json_of_a_corrected_story(seed: Story) -> None:
    corrected = seed.with_mention_place(seed.mentions[0].start, seed.mentions[0].end, None)
    loaded = load_story(dump_story(corrected))
    assert loaded == corrected
    assert loaded.mentions[0].place_id is None
    assert any(p.id == RUSSIA.id for p in loaded.places)


# -- seats of government: counted once, in every format -----------------------------------------


def _page_places(html: str) -> list[dict[str, object]]:
    match = re.search(r'<script type="application/json" id="storymap-data">(.*?)</script>',
                      html, re.DOTALL)
    assert match
    places: list[dict[str, object]] = json.loads(match.group(1))["places"]
    return places


def test_a_seat_is_part_of_its_country_in_every_format(seed: Story) -> None:
    """Pyongyang is shown only for North Korea ("Nordkorea" names the country): the page
    lists it as part of North Korea, the GeoJSON has it as a seat feature without mentions,
    and summed mention counts equal the mentions of the text in every format."""
    from sample_stories import NORTH_KOREA, PYONGYANG

    resolved = [m for m in seed.mentions if m.place_id]
    named = [p.id for p in seed.named_places()]
    assert PYONGYANG.id not in named and MOSCOW.id in named  # "Kreml" names Moscow itself
    # the page: one entry per named place, counts summing to the text's mentions
    page = _page_places(to_html(seed, ui_language="de"))
    assert [p["id"] for p in page] == named
    assert sum(int(str(p["count"])) for p in page) == len(resolved)
    korea = next(p for p in page if p["id"] == NORTH_KOREA.id)
    assert korea["title"] == "Nordkorea (Regierungssitz Pjöngjang)"
    assert (korea["lat"], korea["lon"]) == (PYONGYANG.lat, PYONGYANG.lon)
    # GeoJSON: every mention once; the seat linked to its country, with none of its words
    features = {f["id"]: f["properties"] for f in geojson_dict(seed)["features"]}
    assert sum(len(f["mentions"]) for f in features.values()) == len(resolved)
    assert features[PYONGYANG.id]["seat_of"] == NORTH_KOREA.id
    assert features[PYONGYANG.id]["mentions"] == []
    assert [i for i, f in features.items() if f["mentions"]] == named
    assert [m["text"] for m in features[MOSCOW.id]["mentions"]] == ["Kreml"]
    # story JSON: the same places and mentions, the seat's link kept
    saved = json.loads(dump_story(seed))
    assert [p["id"] for p in saved["places"]] == list(features)
    assert len([m for m in saved["mentions"] if m["place_id"]]) == len(resolved)
    assert next(p for p in saved["places"] if p["id"] == PYONGYANG.id)["seat_of"] == \
        NORTH_KOREA.id


def test_dropping_a_country_drops_the_seat_shown_for_it(seed: Story) -> None:
    from sample_stories import NORTH_KOREA, PYONGYANG

    fixed = seed.without_place(NORTH_KOREA.id)
    page = _page_places(to_html(fixed, ui_language="en"))
    assert NORTH_KOREA.id not in [p["id"] for p in page]
    assert PYONGYANG.id not in [f["id"] for f in geojson_dict(fixed)["features"]]
    match = re.search(r'id="storymap-data">(.*?)</script>', to_html(fixed, ui_language="en"))
    assert match
    overview = json.loads(match.group(1))["overview"]
    assert overview.startswith(f"{len(fixed.named_places())} places · ")
    assert len(fixed.named_places()) == len(seed.named_places()) - 1


def test_html_language_defaults_to_the_articles(seed: Story) -> None:
    assert seed.language == "de"
    assert '<html lang="de">' in to_html(seed) and "Weiter ▸" in to_html(seed)
    english = replace(seed, language="en")
    assert '<html lang="en">' in to_html(english) and "Next ▸" in to_html(english)
    french = replace(seed, language="fr")
    assert '<html lang="en">' in to_html(french)
    assert '<html lang="de">' in to_html(french, ui_language="de-AT")
