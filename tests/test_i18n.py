"""The interface's languages: choosing one from the browser, and complete German catalogs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po

from storymap.i18n import (
    DOMAINS,
    catalog_path,
    preferred_languages,
    translations,
    ui_language,
)

ROOT = Path(__file__).resolve().parent.parent
UI_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_n": (1, 2), "N_": None}
"""Calls whose literal first argument is an interface message, in the file's own domain."""
ERROR_KEYWORDS = {name: None for name in (
    "Message", "StorymapError", "InputError", "ExportError", "GeocodingError", "GazetteerError",
)}
"""Calls whose literal template is an error message: every error is read through the
storymap domain, wherever it is raised (see storymap.errors)."""
APP_FILES = ("streamlit_app.py", "storymap/app_*.py")


def domain_files(domain: str) -> list[Path]:
    """The source files whose messages belong to `domain` (the app's, or all the rest)."""
    app = {p for pattern in APP_FILES for p in ROOT.glob(pattern)}
    if domain == "app":
        return sorted(app)
    return sorted(p for p in (ROOT / "storymap").rglob("*.py") if p not in app)


def extracted(paths: list[Path], keywords: dict[str, Any]) -> set[str]:
    """The literal message ids of calls to `keywords` in `paths`, as babel's extractor reads
    them (the singular of a plural pair)."""
    found: set[str] = set()
    for path in paths:
        with path.open("rb") as source:
            for _, message, _, _ in extract("python", source, keywords=keywords):
                if message:
                    found.add(message if isinstance(message, str) else message[0])
    return found


def messages_in_code(domain: str) -> set[str]:
    """Every message id the domain's catalog must translate: its files' interface messages,
    and for the storymap domain every error template in the code."""
    found = extracted(domain_files(domain), UI_KEYWORDS)
    if domain == "storymap":
        found |= extracted(domain_files("app") + domain_files("storymap"), ERROR_KEYWORDS)
    return found


def german_catalog(domain: str) -> dict[str, Any]:
    """The German catalog of `domain`: message id (the singular of a plural) → translation."""
    with catalog_path("de", domain).open("rb") as po:
        catalog = read_po(po, locale="de")
    return {(m.id if isinstance(m.id, str) else m.id[0]): m.string
            for m in catalog if m.id and not m.fuzzy}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("de-AT", "de"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,de;q=0.8", "de"),
        ("fr-FR", "en"),
        ("en;q=0.3,de;q=0.9", "de"),
        ("", "en"),
        (None, "en"),
        ("garbage;;;q=x,,", "en"),
    ],
)
def test_the_browser_language_chooses_the_interface(header: str | None, expected: str) -> None:
    assert ui_language(preferred_languages(header)) == expected


def test_navigation_reads_in_each_language() -> None:
    de = translations("de", "storymap")
    assert de.gettext("◂ Previous") == "◂ Zurück"
    assert de.gettext("Next ▸") == "Weiter ▸"
    en = translations("en", "storymap")
    assert en.gettext("Next ▸") == "Next ▸"
    assert translations("xx", "app").gettext("Next ▸") == "Next ▸"


def test_an_unknown_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="domain"):
        translations("de", "nope")


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_in_the_code_has_a_german_translation(domain: str) -> None:
    catalog = german_catalog(domain)
    translated = {mid for mid, text in catalog.items()
                  if text and all(text if isinstance(text, tuple) else [text])}
    missing = messages_in_code(domain) - translated
    assert not missing, f"untranslated in {domain}.po: {sorted(missing)}"


FIELD = re.compile(r"\{(\w*)[^{}]*\}")


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_translation_fills_the_same_fields(domain: str) -> None:
    """A German template that drops or renames a `{field}` would show a raw brace or lose
    the file name the reader needs."""
    with catalog_path("de", domain).open("rb") as po:
        catalog = read_po(po, locale="de")
    wrong = []
    for m in catalog:
        ids = [str(i) for i in (m.id if isinstance(m.id, tuple | list) else [m.id])]
        known = {field for mid in ids for field in FIELD.findall(mid)}
        texts = m.string if isinstance(m.string, tuple | list) else [m.string]
        for text in map(str, texts):
            if text and set(FIELD.findall(text)) - known:
                wrong.append((m.id, text))
    assert not wrong, wrong
