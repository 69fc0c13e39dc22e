"""The app in German (AppTest): a German reader sees German labels, German messages for the
corrections and German errors for bad input, and the story on screen stays."""

from __future__ import annotations

from typing import Any

import pytest
import test_app as app_test
from streamlit.testing.v1 import AppTest
from test_app import APP, GERMAN, TIMEOUT, errors, story_of, story_page, tick_drop
from test_i18n import german_catalog, messages_in_code

from storymap.errors import StorymapError
from storymap.export import load_story, to_html
from storymap.i18n import translations
from storymap.story_text import StoryText

KORREKTUREN = ":material/edit: Korrekturen"
TEXT_FIELDS = ("label", "body", "help", "placeholder", "value")
KINDS = ("button", "caption", "markdown", "success", "error", "info", "warning", "selectbox",
         "radio", "checkbox", "text_area", "text_input", "tab", "expander", "multiselect",
         "button_group", "download_button", "toggle", "number_input", "status")


def german() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["ui_lang"] = "de"
    at.run()
    assert not at.exception, at.exception
    return at


def shown_text(at: AppTest) -> list[str]:
    """Every label, text, help and placeholder the page shows (the story map's iframe aside)."""
    texts: list[str] = []
    for kind in KINDS:
        for element in at.get(kind):
            proto: Any = element.proto
            for field in TEXT_FIELDS:
                value = getattr(proto, field, None)
                if isinstance(value, str) and value:
                    texts.append(value)
    return texts


def english_sentences(domain: str = "app") -> set[str]:
    """The English messages of `domain` that German says differently, up to their first
    field, longer than a word or two (so that "Geocoder" or "Name" do not count)."""
    catalog = german_catalog(domain)
    english = set()
    for mid in messages_in_code(domain):
        german_text = catalog.get(mid)
        plain = mid.replace("*", "").split("{")[0].strip()
        if german_text and german_text != mid and len(plain.split()) >= 3:
            english.add(plain)
    return english


def open_tab(at: AppTest, key: str, label: str) -> None:
    at.session_state[key] = label
    at.run()
    assert not at.exception, at.exception


def test_a_german_reader_gets_german_labels_and_no_english_sentence() -> None:
    at = german()
    assert at.button(key="load_sample").label == "Beispielartikel laden"
    assert story_of(at).places  # the sample map, as in English
    seen = shown_text(at)
    for key, label in (("input_tabs", "Einfügen"), ("input_tabs", "Hochladen"),
                       ("main_tabs", KORREKTUREN)):
        open_tab(at, key, label)
        seen += shown_text(at)
    english = english_sentences()
    assert len(english) > 30
    leaked = sorted({s for text in seen for s in english if s in text})
    assert not leaked, leaked
    assert "Orte" in " ".join(seen) and "Korrekturen" in " ".join(seen)


def test_the_german_app_embeds_the_german_export() -> None:
    at = german()
    story = story_of(at)
    page = story_page(at)
    assert len(page) == len(to_html(story, ui_language="de", embedded=True))
    assert "Weiter ▸" in page and "◂ Zurück" in page and "Next ▸" not in page


def test_a_correction_speaks_german_and_can_be_undone() -> None:
    at = german()
    open_tab(at, "main_tabs", KORREKTUREN)
    story = story_of(at)
    wonsan = next(p for p in story.places if p.label("de") == "Wonsan")
    tick_drop(at, wonsan.id)
    name = StoryText(story, "de").name(wonsan)
    assert any(f"{name} entfernt: kein Ort." in s.value for s in at.success)
    undo = at.button(key="undo")
    assert undo.label.startswith("Letzte Änderung")
    undo.click()
    at.run()
    assert wonsan.id in {p.id for p in story_of(at).places}
    assert any("Rückgängig gemacht." in s.value for s in at.success)


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/plain") -> AppTest:
    return app_test.upload(at, name, data, mime, tab="Hochladen")


def paste(at: AppTest, text: str) -> AppTest:
    return app_test.paste(at, text, tab="Einfügen")


def german_error(make_error: Any) -> str:
    """The German text of the error `make_error()` raises."""
    with pytest.raises(StorymapError) as caught:
        make_error()
    return caught.value.translated(translations("de", "storymap").gettext)


MALFORMED = b'{"format": "storymap.story/1", "article": '


@pytest.mark.parametrize(
    ("action", "german_words"),
    [
        (lambda at: paste(at, "  \n "), "leer"),
        (lambda at: upload(at, "foto.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
                           "image/png"), "foto.txt"),
        (lambda at: upload(at, "gross.txt", b"a" * 10_000_000), "10.0 MB"),
        (lambda at: upload(at, "story.json", MALFORMED), "story.json"),
    ],
    ids=["empty", "binary", "10MB", "malformed-json"],
)
def test_bad_input_gets_a_german_message_and_keeps_the_story(
        action: Any, german_words: str) -> None:
    at = german()
    paste(at, GERMAN)
    before = story_of(at)
    action(at)
    shown = errors(at)
    assert shown and german_words in shown[0], shown
    english = english_sentences("app") | english_sentences("storymap")
    assert not any(s in shown[0] for s in english), shown
    assert story_of(at) == before
    at.run()
    assert story_of(at) == before and not errors(at)


def test_a_malformed_story_reads_the_same_in_the_app_and_the_library() -> None:
    """The app shows the library's own German sentence, not one of its own."""
    at = german()
    upload(at, "story.json", MALFORMED)
    expected = german_error(lambda: load_story(MALFORMED.decode()))
    assert any(expected.split(":")[0] in e for e in errors(at)), (expected, errors(at))
