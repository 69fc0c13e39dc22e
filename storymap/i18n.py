"""The user interface in the reader's language: gettext catalogs read through babel.

Messages are written in English in the code (``_("Next ▸")``) and translated in
``storymap/locale/<lang>/LC_MESSAGES/<domain>.po``. Two domains keep the two faces apart:
``app`` (the Streamlit app) and ``storymap`` (the exported map, the still images and the
CLI). English needs no catalog: a message's id is its English text.

The catalogs are read-only files, so a loaded catalog is kept per (language, domain) like
the curated tables; nothing a reader does changes one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

UI_LANGUAGES = ("en", "de")
"""The languages the interface speaks; the first is the fallback."""
DEFAULT_LANGUAGE = UI_LANGUAGES[0]
DOMAINS = ("app", "storymap")

_QUALITY = re.compile(r"^\s*q\s*=\s*([0-9.]+)\s*$")


def catalog_path(language: str, domain: str) -> resources.abc.Traversable:
    """Where the catalog of `domain` in `language` lives inside the package."""
    return resources.files("storymap") / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(language: str, domain: str = "storymap") -> NullTranslations:
    """The gettext translations of `domain` in `language` (an unknown language, or English,
    gives the messages as written)."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown message domain {domain!r}; expected one of {DOMAINS}")
    if language not in UI_LANGUAGES or language == DEFAULT_LANGUAGE:
        return NullTranslations()
    with catalog_path(language, domain).open("rb") as po:
        catalog = read_po(po, locale=language, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def preferred_languages(accept_language: str | None) -> list[str]:
    """The language tags of an HTTP Accept-Language header, most wanted first
    ("de-AT,de;q=0.9,en;q=0.5" → ["de-AT", "de", "en"])."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        quality = 1.0
        if match := _QUALITY.match(params):
            try:
                quality = float(match.group(1))
            except ValueError:
                continue
        if quality > 0:
            ranked.append((-quality, order, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def ui_language(preferences: Iterable[str | None]) -> str:
    """The first interface language the reader prefers ("de-CH" → "de"), else English."""
    tags = [tag for tag in preferences if tag]
    chosen = negotiate_locale(tags, list(UI_LANGUAGES), sep="-") or negotiate_locale(
        tags, list(UI_LANGUAGES), sep="_"
    )
    return chosen if chosen in UI_LANGUAGES else DEFAULT_LANGUAGE
