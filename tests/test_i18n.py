"""The interface's languages: choosing one from the browser, and complete German catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po

from storymap.i18n import (
    DOMAINS,
    catalog_path,
    preferred_languages,
    translations,
    ui_language,
)

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
APP_FILES = ("streamlit_app.py", "storymap/app_*.py")


def domain_files(domain: str) -> list[Path]:
    """The source files whose messages belong to `domain` (the app's, or all the rest)."""
    app = {p for pattern in APP_FILES for p in ROOT.glob(pattern)}
    if domain == "app":
        return sorted(app)
    return sorted(p for p in (ROOT / "storymap").rglob("*.py") if p not in app)


def messages_in_code(domain: str) -> set[str]:
    """Every message id marked for translation (_, gettext, ngettext, N_) in the domain's
    files, as babel's extractor reads them."""
    found: set[str] = set()
    for path in domain_files(domain):
        with path.open("rb") as source:
            for _, _, message, _ in extract_python(source, KEYWORDS.keys(), [], {}):  # type: ignore[arg-type]
                if message:
                    found.add(message if isinstance(message, str) else message[0])
    return found


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
    with catalog_path("de", domain).open("rb") as po:
        catalog = read_po(po, locale="de")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
        and not m.fuzzy
    }
    missing = messages_in_code(domain) - translated
    assert not missing, f"untranslated in {domain}.po: {sorted(missing)}"
