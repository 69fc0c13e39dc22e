"""Error messages in German: the app translates an error's English template through the
storymap catalog and fills in the same fields; ``str(error)`` stays the English sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from storymap.article import load, read_file, text_from_bytes
from storymap.errors import ExportError, InputError, Message, StorymapError
from storymap.export import load_story
from storymap.fetch import fetch
from storymap.i18n import translations

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def german(exc: StorymapError) -> str:
    return exc.translated(translations("de", "storymap").gettext)


def templates(message: Message) -> Iterator[str]:
    """The English templates of a message and of the phrases among its fields."""
    yield message.template
    for value in message.fields.values():
        if isinstance(value, Message):
            yield from templates(value)


def assert_all_german(exc: StorymapError) -> str:
    """The German text of `exc`, checked to hold no piece of any English template (the words
    between its fields) and to differ from the English sentence."""
    text = german(exc)
    assert text != str(exc)
    for template in templates(exc.message):
        for piece in re.split(r"\{[^{}]*\}", template):
            if len(piece.strip()) >= 6:
                assert piece not in text, (piece, text)
    return text


def test_an_empty_article_is_refused_in_german() -> None:
    with pytest.raises(InputError) as caught:
        load("  \n\t ")
    assert str(caught.value) == ("The article is empty: there is no text in it. Paste the "
                                 "article text or choose a file that contains it.")
    text = assert_all_german(caught.value)
    assert text.startswith("Der Artikel ist leer")


def test_a_binary_file_is_named_and_its_kind_translated() -> None:
    with pytest.raises(InputError) as caught:
        text_from_bytes(PNG, "photo.png")
    assert str(caught.value) == ("The file 'photo.png' looks like a binary file (a PNG image), "
                                 "not text. Give the article as plain text, Markdown or HTML.")
    text = assert_all_german(caught.value)
    assert "„photo.png“" in text
    assert "PNG-Bild" in text  # the phrase field is translated with the sentence


def test_binary_bytes_without_a_name_read_as_the_input() -> None:
    with pytest.raises(InputError) as caught:
        load(b"abc\x00def")
    assert str(caught.value).startswith("The input looks like a binary file (it contains zero "
                                        "bytes, which text never has)")
    assert assert_all_german(caught.value).startswith("Die Eingabe ist offenbar eine Binärdatei")


def test_a_too_large_article_gives_both_sizes() -> None:
    with pytest.raises(InputError) as caught:
        load("x" * 1001, max_bytes=1000)
    assert str(caught.value) == ("The article is 1,001 bytes; the limit is 1,000 bytes. Use a "
                                 "shorter article or split it into several parts.")
    text = assert_all_german(caught.value)
    assert "1001 Bytes" in text and "1000 Bytes" in text  # no English thousands commas


def test_a_too_large_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Berlin " * 1000, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_file(path, max_bytes=1000)
    assert str(caught.value) == (f"The file '{path}' is 7.0 KB; the limit is 1.0 KB. Use a "
                                 "shorter article or split it into several parts.")
    text = assert_all_german(caught.value)
    assert f"„{path}“" in text and "7.0 KB" in text


def test_a_malformed_story_json_says_where() -> None:
    with pytest.raises(ExportError) as caught:
        load_story(b'{"format": ')
    assert str(caught.value) == "story JSON is malformed: Expecting value at line 1, column 12"
    text = assert_all_german(caught.value)
    assert "Zeile 1" in text and "Spalte 12" in text


def test_a_web_address_refusal_names_the_address() -> None:
    with pytest.raises(InputError) as caught:
        fetch("ftp://example.org/article")
    assert str(caught.value) == ("'ftp://example.org/article' is a ftp:// address; storymap "
                                 "only fetches http:// and https:// web pages.")
    text = assert_all_german(caught.value)
    assert "„ftp://example.org/article“" in text and "ftp://-Adresse" in text


def test_english_is_what_an_unknown_language_gets() -> None:
    error = InputError("The file '{name}' is empty. Choose the file that holds the article.",
                       name="a.txt")
    assert error.translated(translations("xx", "storymap").gettext) == str(error)
