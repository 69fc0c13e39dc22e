"""The Streamlit app's widget flows with Streamlit's AppTest (no browser: the embedded story
map's JavaScript does not run here; tests/test_app_browser.py covers it), plus the app logic
in storymap.app_state.

Every flow checks that bad input shows `st.error` and leaves the story on screen as it was.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from streamlit.testing.v1 import AppTest

from storymap import app_state as app
from storymap.export import dump_story, load_story, to_geojson, to_html
from storymap.model import Story
from storymap.story_text import StoryText

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
SEED_TITLE = "Russland und Nordkorea schmieden engere Allianzen"
TIMEOUT = 120  # the first run in a fresh cache builds the gazetteer
CORRECTIONS_TAB = ":material/edit: Corrections"

GERMAN = (
    "Kanzler besucht Wien und Prag\n"
    "Der Bundeskanzler reiste am Montag nach Wien, wo er mit dem österreichischen "
    "Regierungschef über die Lage in der Ukraine sprach. Danach fuhr er weiter nach Prag."
)
ENGLISH = (
    "Storms sweep across France and Spain\n"
    "Heavy rain flooded streets in Paris on Tuesday, and the storm moved south towards "
    "Madrid and Barcelona, where the airport was closed for several hours."
)
HOSTILE = (
    "Angriff <script>alert(1)</script> auf Wonsan\n"
    "In Wonsan schrieb jemand <img src=x onerror=alert(2)> und {{ 7*7 }} an die Wand, "
    "dann ging es nach Russland."
)


def fresh() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def story_of(at: AppTest) -> Story:
    story = at.session_state["story"]
    assert isinstance(story, Story)
    return story


def labels(story: Story) -> set[str]:
    return {p.label(story.language) for p in story.places} | {p.name for p in story.places}


def story_page(at: AppTest) -> str:
    """The story map page the app embeds (its iframe's document)."""
    frames = at.get("iframe")
    assert len(frames) == 1, "one embedded story map"
    page: str = frames[0].proto.srcdoc
    return page


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def open_input_tab(at: AppTest, tab: str) -> AppTest:
    """Open a sidebar input tab: only the open one is built."""
    at.session_state["input_tabs"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def paste(at: AppTest, text: str, tab: str = "Paste") -> AppTest:
    """Paste `text` in the Paste tab (its label is `tab`, in the UI's language) and build."""
    open_input_tab(at, tab)
    at.text_area(key="paste_text").input(text)
    at.button(key="build").click()
    at.run()
    assert not at.exception, at.exception
    return at


def open_corrections(at: AppTest) -> AppTest:
    at.session_state["main_tabs"] = CORRECTIONS_TAB
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/plain",
           tab: str = "Upload") -> AppTest:
    open_input_tab(at, tab)
    at.file_uploader(key="upload").set_value((name, data, mime))
    at.run()
    assert not at.exception, at.exception
    return at


def tick_drop(at: AppTest, place_id: str) -> AppTest:
    """Tick "Not a place" for `place_id` in the open corrections table."""
    row = [p.id for p in story_of(at).places].index(place_id)
    at.session_state[f"places_{at.session_state['rev']}"] = {
        "edited_rows": {row: {"drop": True}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture()
def at() -> AppTest:
    return fresh()


# -- the flows ----------------------------------------------------------------------------------


def test_sample_loads_on_first_visit(at: AppTest) -> None:
    story = story_of(at)
    assert story.title == SEED_TITLE
    assert {"Wonsan", "Nordkorea", "Russland"} <= labels(story)
    assert not errors(at)
    assert any(SEED_TITLE in m.value for m in at.markdown)
    # counted as the map counts them: the places the text names, seats as part of countries
    named = len(story.named_places())
    assert named < len(story.places)
    assert any(f" {named} places" in c.value for c in at.caption)
    # the map the reader downloads, with the article and its story steps, in the UI's language
    page = story_page(at)
    exported = to_html(story, ui_language="en", embedded=True)
    assert len(page) == len(exported) and page.count("Wonsan") == exported.count("Wonsan")
    assert 'id="sm-article"' in page and 'id="sm-next"' in page and "Next ▸" in page
    assert {b.proto.label for b in at.get("download_button")} == {
        "Story map (HTML)", "Places (GeoJSON)", "Story (JSON, re-loadable)",
        "Still map (SVG)", "Still map (PNG)"}


def test_pasted_german_text_builds_a_story(at: AppTest) -> None:
    paste(at, GERMAN)
    story = story_of(at)
    assert story.language == "de"
    assert {"Wien", "Ukraine"} <= labels(story)
    assert labels(story) & {"Prag", "Prague"}
    assert not errors(at)


def test_pasted_english_text_builds_a_story(at: AppTest) -> None:
    paste(at, ENGLISH)
    story = story_of(at)
    assert story.language == "en"
    assert {"Paris", "Madrid", "Barcelona"} <= labels(story)
    assert any("English" in c.value for c in at.caption)


def test_language_override_rebuilds(at: AppTest) -> None:
    paste(at, ENGLISH)
    at.session_state["options_open"] = True  # the choices are built when their expander opens
    at.run()
    at.selectbox(key="language").select("de")
    at.run()
    assert story_of(at).language == "de"


def test_choices_survive_closing_their_tab_or_expander(at: AppTest) -> None:
    # the sidebar builds only the open input tab and the options when expanded: what was
    # chosen or typed there is kept while they are closed
    at.session_state["options_open"] = True
    at.run()
    at.selectbox(key="language").select("de")
    at.run()
    at.session_state["options_open"] = False
    at.run()
    assert not at.selectbox  # the choices are not built now
    open_input_tab(at, "Paste")
    at.text_area(key="paste_text").input(ENGLISH)
    at.run()
    open_input_tab(at, "Sample")
    assert not at.text_area
    open_input_tab(at, "Paste")
    assert at.text_area(key="paste_text").value == ENGLISH
    at.button(key="build").click()
    at.run()
    assert not at.exception, at.exception
    assert story_of(at).language == "de"  # still the chosen language, not the detected one
    assert at.session_state["language"] == "de"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda at: paste(at, ""), "empty"),
        (lambda at: paste(at, "   \n\n  "), "empty"),
        (lambda at: upload(at, "photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
                           "image/png"), "PNG image"),
        (lambda at: upload(at, "big.txt", b"Wien und Graz. " * 700_000), "limit"),
        (lambda at: upload(at, "story.json", b'{"format": "storymap.story/1", "article": '),
         "malformed"),
        (lambda at: upload(at, "story.json", b'{"format": "storymap.story/1"}'), "missing"),
        (lambda at: upload(at, "other.json", b'{"type": "FeatureCollection"}'),
         "not a storymap story"),
        (lambda at: upload(at, "word.docx", b"PK\x03\x04 not really a zip"), "Word document"),
    ],
    ids=["empty", "blank", "binary", "10MB", "malformed-json", "incomplete-json",
         "other-json", "bad-docx"],
)
def test_bad_input_shows_an_error_and_keeps_the_story(at: AppTest, action, message) -> None:
    paste(at, GERMAN)
    before = story_of(at)
    action(at)
    shown = errors(at)
    assert shown and message in shown[0], shown
    assert story_of(at) == before
    at.run()  # the error is shown once; the story stays
    assert story_of(at) == before and not errors(at)


def test_ten_megabyte_upload_names_the_limit(at: AppTest) -> None:
    upload(at, "huge.txt", b"a" * 10_000_000)
    assert "10.0 MB" in errors(at)[0] and "2.0 MB" in errors(at)[0]
    assert story_of(at).title == SEED_TITLE


def test_uploaded_text_markdown_html_and_docx(at: AppTest) -> None:
    upload(at, "a.md", b"# Regen in Wien\n\nIn **Wien** und Graz regnet es seit Tagen.\n")
    assert {"Wien", "Graz"} <= labels(story_of(at))
    upload(at, "b.html", b"<html><head><title>Storm in Paris</title></head><body><article>"
           b"<h1>Storm in Paris</h1><p>The storm reached Paris and Lyon on Monday, and "
           b"trains to Marseille were stopped.</p></article></body></html>", "text/html")
    assert "Paris" in labels(story_of(at))
    upload(at, "c.docx", docx(["Flut in Dresden", "Die Elbe stieg in Dresden und Meißen."]),
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "Dresden" in labels(story_of(at))


def test_a_correction_changes_places_and_the_geojson(at: AppTest) -> None:
    open_corrections(at)
    story = story_of(at)
    geojson_before = to_geojson(story)
    wonsan = next(p for p in story.places if p.label("de") == "Wonsan")
    tick_drop(at, wonsan.id)
    after = story_of(at)
    assert wonsan.id not in {p.id for p in after.places}
    assert all(m.place_id != wonsan.id for m in after.mentions)
    geojson = json.loads(to_geojson(after))
    assert wonsan.id not in {f["id"] for f in geojson["features"]}
    assert to_geojson(after) != geojson_before
    shown = StoryText(story, "en").name(wonsan)  # the English UI names places in English
    assert any(f"Dropped {shown}: not a place." in s.value for s in at.success)
    # the notice sits with the table, and undo is offered right there; it brings Wonsan back
    at.button(key="undo_places").click()
    at.run()
    assert wonsan.id in {p.id for p in story_of(at).places}
    assert any(s.value == "Undone." for s in at.success)


def test_pick_another_candidate_for_all_identical_mentions(at: AppTest) -> None:
    paste(at, ENGLISH + "\nLater the storm hit Paris again.")
    open_corrections(at)
    story = story_of(at)
    rev = at.session_state["rev"]
    groups = app.mention_groups(story)
    k = next(i for i, g in enumerate(groups) if g.text == "Paris")
    at.selectbox(key=f"fix_group_{rev}").set_value(k)
    at.run()
    # "Not a place" is the last option
    radio = at.radio(key=f"fix_choice_{rev}_{k}")
    radio.set_value(len(radio.options) - 1)
    at.checkbox(key=f"fix_all_{rev}_{k}").check()
    at.button(key=f"fix_apply_{rev}").click()
    at.run()
    after = story_of(at)
    paris = [m for m in after.mentions if m.text == "Paris"]
    assert len(paris) == 2 and all(m.place_id is None for m in paris)
    assert "Paris" not in {p.name for p in after.places}


def test_add_a_missed_place_by_name(at: AppTest) -> None:
    text = "Treffen in Wien\nDie Minister trafen sich in Wien und später im Dorf Zwettl."
    paste(at, text)
    open_corrections(at)
    at.text_input(key="add_name").input("Zwettl")
    at.run()
    assert at.selectbox(key="add_result").options  # gazetteer search found it
    at.button(key="add_button").click()
    at.run()
    story = story_of(at)
    zwettl = [m for m in story.mentions if m.text == "Zwettl"]
    assert zwettl and zwettl[0].place_id and story.place(zwettl[0].place_id)
    assert story.place(zwettl[0].place_id).country_code == "AT"  # type: ignore[union-attr]


def test_region_hint_re_resolves_and_keeps_corrections(at: AppTest) -> None:
    text = ("Flooding in the valley\nThe water rose overnight in Feldkirchen, and the roads "
            "to Baden were closed.")
    paste(at, text)
    open_corrections(at)
    before = story_of(at)
    feld = next(m for m in before.mentions if m.text == "Feldkirchen")
    assert before.place(feld.place_id or "").country_code != "AT"  # type: ignore[union-attr]
    rev = at.session_state["rev"]
    at.multiselect(key=f"hint_{rev}").select("AT")
    at.run()
    at.button(key="hint_apply").click()
    at.run()
    after = story_of(at)
    feld_after = next(m for m in after.mentions if m.text == "Feldkirchen")
    place = after.place(feld_after.place_id or "")
    assert place is not None and place.country_code == "AT", (feld, place)
    assert any("Austria" in c.value for c in at.caption)


def test_story_json_round_trip_keeps_corrections(at: AppTest) -> None:
    story = story_of(at)
    wonsan = next(p for p in story.places if p.label("de") == "Wonsan")
    corrected = story.without_place(wonsan.id)
    paste(at, ENGLISH)  # something else on screen
    upload(at, "saved.story.json", dump_story(corrected).encode("utf-8"), "application/json")
    assert story_of(at) == corrected
    assert any("Continuing the saved story" in s.value for s in at.success)


def test_hostile_article_text_is_escaped(at: AppTest) -> None:
    paste(at, HOSTILE)
    story = story_of(at)
    assert "Wonsan" in labels(story)
    bodies = [h.proto.body for h in at.get("html")] + [story_page(at)]
    assert not any("<script>alert" in b or "<img src=x" in b for b in bodies)
    page = story_page(at)
    assert "alert(1)" in page and "7*7 }}" in page  # the text is in the page as data only,
    assert "\\u003cscript\\u003ealert(1)" in page  # with its markup escaped
    assert not any("<script>" in m.value for m in at.markdown)


# -- app_state without Streamlit ---------------------------------------------------------------


def docx(paragraphs: list[str]) -> bytes:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    xml = f'<?xml version="1.0"?><w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", xml)
    return buf.getvalue()


def test_docx_text_reads_paragraphs() -> None:
    assert app.docx_text(docx(["Title", "First & second"])) == "Title\nFirst & second"


def test_read_upload_names_the_file_not_a_temp_path() -> None:
    with pytest.raises(ValueError, match=r"'photo\.txt'") as err:
        app.read_upload("../../photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert "/tmp" not in str(err.value)


def test_read_upload_story_json_round_trips(seed_de_story: Story) -> None:
    loaded = app.read_upload("x.json", dump_story(seed_de_story).encode())
    assert loaded.story == seed_de_story == load_story(dump_story(seed_de_story))


def test_one_marker_per_point_with_all_its_places(seed_de_story: Story) -> None:
    from storymap.render import app_markers

    markers = app_markers(seed_de_story)
    assert any(m["title"] == "Wonsan" for m in markers)
    # a country acting in politics and its seat share one marker
    assert any(len(m["ids"]) == 2 for m in markers)
    assert len({(m["lat"], m["lon"]) for m in markers}) == len(markers)


def test_corrections_replay_after_a_rerun(seed_de_story: Story) -> None:
    wonsan = next(p for p in seed_de_story.places if p.label("de") == "Wonsan")
    log = [app.drop_place(wonsan.id), {"op": "mention", "start": 0, "end": 1, "place": None}]
    replayed = app.apply_corrections(seed_de_story, log)  # the second one does not fit
    assert wonsan.id not in {p.id for p in replayed.places}


def test_user_place_from_a_map_click() -> None:
    p = app.user_place("Laafeld", 46.6789123, 15.9812345, feature="city")
    assert (p.lat, p.lon, p.feature, p.id) == (46.67891, 15.98123, "city", "user:46.67891,15.98123")
    assert app.user_place("x", 10, 190).lon == -170


def test_app_map_escapes_article_text_and_jinja() -> None:
    from streamlit_folium import _get_header, _get_map_string

    from storymap.pipeline import run
    from storymap.render import app_markers, render_app

    story = run(HOSTILE)
    m = render_app(story)
    page = m.get_root().render()  # the full page (branca renders element output again)
    m2 = render_app(story)
    m2.get_root().render()
    script = _get_map_string(m2) + _get_header(m2)  # what streamlit-folium sends
    for text in (page, script):
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "{{ 7*7 }}" not in text  # inert (\\u007b...) in the JSON, never evaluated
    tips = " ".join(mk["tip"] for mk in app_markers(story))
    assert "<script" not in tips
