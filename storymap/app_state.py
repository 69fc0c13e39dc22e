"""The Streamlit app's logic, testable without Streamlit (only ``streamlit_app.py`` imports it).

Everything here is a pure function of the story (or of uploaded bytes): reading uploads,
building a story with a geocoder and a region hint, the corrections a person makes (kept as a
small log so they can be replayed after a re-run) and the tables the app shows, in the UI
language. Article text reaches HTML only inside the exported story map (storymap.render).
"""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath
from typing import Any
from xml.etree import ElementTree

from babel.numbers import format_decimal

from storymap import article as article_mod
from storymap import pipeline
from storymap.errors import ExportError, GeocodingError, InputError, StorymapError
from storymap.export import is_story_json, load_story
from storymap.fetch import fetch_article, is_url
from storymap.gazetteer import Gazetteer
from storymap.geocoding import GEOCODERS, Geocoder
from storymap.geocoding import make_geocoder as online_geocoder
from storymap.i18n import translations
from storymap.model import Mention, Place, Story
from storymap.story_text import StoryText, country_name, page_language, territories

log = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parent / "tables" / "samples"
SAMPLE_NAME = "seed-de.txt"
ARTICLE_MAX_BYTES = article_mod.DEFAULT_MAX_BYTES
STORY_JSON_MAX_BYTES = 8_000_000
DOCX_MAX_XML_BYTES = 20_000_000
UPLOAD_TYPES = ("txt", "md", "markdown", "html", "htm", "docx", "json")
EMBEDDED = "embedded"
USER_AGENT = "storymap-streamlit-app/0.1 (https://github.com/storymap)"


# -- input -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Loaded:
    """What an upload turned out to be: article text to geoparse, or a saved story."""

    text: str | None = None
    story: Story | None = None
    name: str = ""


def sample_text(name: str = SAMPLE_NAME) -> str:
    return (SAMPLES_DIR / name).read_text(encoding="utf-8")


def sample_names() -> list[str]:
    return sorted(p.name for p in SAMPLES_DIR.glob("*.txt"))


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.1f} KB"


def _safe_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name or "upload"
    return re.sub(r"[^\w.\- ]", "_", base)[:120]


def read_upload(name: str, data: bytes) -> Loaded:
    """An uploaded file → article text or a saved story. Raises InputError/ExportError with a
    message that names the file."""
    shown = _safe_name(name)
    suffix = PurePath(shown).suffix.lower()
    if not data:
        raise InputError("The file '{name}' is empty. Choose the file that holds the article.",
                         name=shown)
    if suffix == ".json" or is_story_json(data):
        if len(data) > STORY_JSON_MAX_BYTES:
            raise ExportError("The story file '{name}' is {size}; the limit is {limit}.",
                              name=shown, size=_size(len(data)),
                              limit=_size(STORY_JSON_MAX_BYTES))
        try:
            story = load_story(data)
        except ExportError as exc:
            raise ExportError("'{name}' is not a story this app can continue: {reason}",
                              name=shown, reason=exc.message) from None
        return Loaded(story=story, name=shown)
    if len(data) > ARTICLE_MAX_BYTES:
        raise InputError("The file '{name}' is {size}; the limit is {limit}. Use a shorter "
                         "article or split it into parts.", name=shown, size=_size(len(data)),
                         limit=_size(ARTICLE_MAX_BYTES))
    if suffix == ".docx":
        return Loaded(text=docx_text(data, shown), name=shown)
    return Loaded(text=article_mod.text_from_bytes(data, shown), name=shown)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(data: bytes, shown: str = "upload.docx") -> str:
    """The paragraphs of a Word document (.docx), one per line, read with the standard
    library (a .docx is a ZIP of XML). Guarded against oversized members."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > DOCX_MAX_XML_BYTES:
                raise InputError("The document '{name}' is too large once unpacked.",
                                 name=shown)
            xml = zf.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError) as exc:
        raise InputError("'{name}' is not a readable Word document (.docx): {reason}. Save it "
                         "again as .docx, or as plain text.", name=shown, reason=exc) from None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise InputError("The Word document '{name}' is damaged ({reason}).", name=shown,
                         reason=exc) from None
    lines = []
    for para in root.iter(f"{_W}p"):
        parts = []
        for node in para.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append(" ")
        line = "".join(parts).strip()
        if line:
            lines.append(line)
    text = "\n".join(lines)
    if not text.strip():
        raise InputError("The Word document '{name}' has no text in it.", name=shown)
    return text


# -- languages, countries, geocoders ---------------------------------------------------------


@cache
def language_names(ui_language: str = "en") -> dict[str, str]:
    """ISO 639-1 code → its name in the UI language (CLDR), for the languages the core
    detects."""
    from babel import Locale

    names = Locale(page_language(ui_language)).languages
    return {code: str(names.get(code, code)) for code in article_mod.LANGUAGES}


@cache
def country_names(ui_language: str = "en") -> dict[str, str]:
    """ISO 3166 alpha-2 code → its name in the UI language (CLDR), sorted by name."""
    terr = territories(page_language(ui_language))
    pairs = [(c, str(n)) for c, n in terr.items() if re.fullmatch(r"[A-Z]{2}", c)
             and c not in {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}]
    return dict(sorted(pairs, key=lambda kv: kv[1]))


def geocoder_names() -> tuple[str, ...]:
    """The embedded gazetteer first, then the online geocoders (storymap.geocoding)."""
    online = tuple(str(n) for n in GEOCODERS if n not in _EMBEDDED_NAMES)
    return (EMBEDDED, *online)


_EMBEDDED_NAMES = frozenset({EMBEDDED, "gazetteer"})


def fetch_url(text: str) -> str | None:
    """The article at a web address (storymap.fetch), or None when `text` is not a web
    address. Raises InputError."""
    if not is_url(text):
        return None
    article: str | bytes = fetch_article(text.strip())
    return article.decode("utf-8", errors="replace") if isinstance(article, bytes) else article


def geocoder_label(name: str, ui_language: str = "en") -> str:
    _ = translations(ui_language, "app").gettext
    if name == EMBEDDED:
        return _("Embedded gazetteer (offline)")
    return _("{geocoder} (online)").format(geocoder=name)


def make_geocoder(name: str) -> Geocoder | None:
    """An online geocoder by name, or None for the embedded gazetteer."""
    if name == EMBEDDED:
        return None
    try:
        agent = os.environ.get("STORYMAP_USER_AGENT") or USER_AGENT
        geocoder: Geocoder = online_geocoder(name, user_agent=agent)
    except StorymapError:
        raise
    except Exception as exc:
        raise GeocodingError("The geocoder {name!r} cannot be set up: {reason}", name=name,
                             reason=exc) from exc
    return geocoder


def search_places(query: str, gaz: Gazetteer, geocoder: str = EMBEDDED, *,
                  language: str | None = None, limit: int = 8) -> list[Place]:
    """Places named `query`: the embedded gazetteer's exact-name search, or an online
    geocoder's search (failures become GeocodingError with a message)."""
    query = query.strip()
    if not query:
        return []
    if geocoder == EMBEDDED:
        return gaz.search(query, limit=limit)
    coder = make_geocoder(geocoder)
    assert coder is not None
    try:
        return list(coder.search(query, limit=limit, language=language))
    except StorymapError:
        raise
    except Exception as exc:
        raise GeocodingError("{geocoder} could not search for {query!r}: {reason}",
                             geocoder=geocoder, query=query, reason=exc) from exc


def build_story(
    text: str,
    *,
    language: str | None,
    gazetteer: Gazetteer,
    geocoder: str = EMBEDDED,
    hint_countries: Sequence[str] = (),
) -> Story:
    """Geoparse `text` with the core (``storymap.run``), the region hint weighed by the
    resolver itself (its ``hint_countries``, "this article is about Austria")."""
    return pipeline.run(text, language=language, gazetteer=gazetteer,
                        hint_countries=tuple(c.upper() for c in hint_countries),
                        geocoder=make_geocoder(geocoder))


# -- corrections -----------------------------------------------------------------------------
#
# A correction is a small JSON-able dict, so the app can keep a log and replay it on top of a
# re-run (a region hint re-resolves every mention; the person's own choices still win):
#   {"op": "mention", "start": s, "end": e, "place": place-dict | None, "all": bool}
#   {"op": "drop", "place_id": id}
#   {"op": "add", "place": place-dict, "spans": [[s, e], ...]}


Correction = dict[str, Any]


def correct_mention(start: int, end: int, place: Place | None, *, all_identical: bool) -> \
        Correction:
    return {"op": "mention", "start": start, "end": end,
            "place": place.to_dict() if place else None, "all": all_identical}


def drop_place(place_id: str) -> Correction:
    return {"op": "drop", "place_id": place_id}


def add_place(place: Place, spans: Iterable[tuple[int, int]]) -> Correction:
    return {"op": "add", "place": place.to_dict(), "spans": [list(s) for s in spans]}


def apply_correction(story: Story, c: Mapping[str, Any]) -> Story:
    """Apply one correction; raises KeyError/ValueError when it does not fit the story."""
    op = c.get("op")
    if op == "mention":
        place = Place.from_dict(c["place"]) if c.get("place") else None
        if place is not None:
            place = story.place(place.id) or place
        return story.with_mention_place(int(c["start"]), int(c["end"]), place,
                                        all_identical=bool(c.get("all")))
    if op == "drop":
        return story.without_place(str(c["place_id"]))
    if op == "add":
        place = Place.from_dict(c["place"])
        return story.with_added_mentions(story.place(place.id) or place,
                                         [(int(s), int(e)) for s, e in c["spans"]])
    raise ValueError(f"unknown correction {op!r}")


def apply_corrections(story: Story, log_: Iterable[Mapping[str, Any]]) -> Story:
    """Replay a correction log; corrections that no longer fit (the mention is gone) are
    skipped."""
    for c in log_:
        try:
            story = apply_correction(story, c)
        except (KeyError, ValueError) as exc:
            log.info("correction %r skipped: %s", c.get("op"), exc)
    return story


def user_place(name: str, lat: float, lon: float, *, feature: str = "other",
               country_code: str | None = None) -> Place:
    """A place a person put on the map by clicking."""
    lat, lon = round(float(lat), 5), round(float(lon), 5)
    if not (-90 <= lat <= 90):
        raise ValueError("latitude must be between -90 and 90")
    if not -180 <= lon <= 180:
        lon = round((lon + 180) % 360 - 180, 5)
    return Place(id=f"user:{lat:.5f},{lon:.5f}", name=name.strip() or "Place", feature=feature,
                 lat=lat, lon=lon, country_code=country_code)


def find_spans(story: Story, text: str) -> list[tuple[int, int]]:
    """Whole-word occurrences of `text` in the article (each inside one passage)."""
    text = text.strip()
    if not text:
        return []
    pattern = re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")
    spans = []
    for p in story.passages:
        for match in pattern.finditer(story.article, p.start, p.end):
            spans.append((match.start(), match.end()))
    return spans


# -- views -----------------------------------------------------------------------------------


PLACE_COLUMNS = ("place", "name", "feature", "country", "lat", "lon", "confidence",
                 "mentions", "drop")
"""The columns of `places_table` (the app names them in the UI language)."""


def places_table(story: Story, ui_language: str = "en") -> list[dict[str, Any]]:
    """One row per place for the place list and the corrections table, in the UI language:
    an "id" and the PLACE_COLUMNS ("drop" is the not-a-place tick, always False here)."""
    words = StoryText(story, ui_language)
    rows = []
    for p in story.places:
        ms = story.mentions_of(p.id)
        direct = [m for m in ms if m.place_id == p.id]
        conf = (sum(m.confidence for m in direct) / len(direct)) if direct else None
        seat_note = words.seat_note(p)
        rows.append({
            "id": p.id,
            "place": words.name(p),
            "name": p.name,
            "feature": words.feature(p) + (f" ({seat_note})" if seat_note else ""),
            "country": country_name(p.country_code, words.language) or "",
            "lat": round(p.lat, 4),
            "lon": round(p.lon, 4),
            "confidence": None if conf is None else round(conf, 2),
            "mentions": len(direct),
            "drop": False,
        })
    return rows


@dataclass(frozen=True, slots=True)
class MentionGroup:
    """Identical mention texts that name the same place (what "apply to all" changes)."""

    text: str
    place_id: str | None
    spans: tuple[tuple[int, int], ...]
    passages: tuple[int, ...]

    @property
    def first(self) -> tuple[int, int]:
        return self.spans[0]


def mention_groups(story: Story) -> list[MentionGroup]:
    groups: dict[tuple[str, str | None], list[Mention]] = {}
    for m in story.mentions:
        groups.setdefault((m.text, m.place_id), []).append(m)
    return [
        MentionGroup(text, pid, tuple((m.start, m.end) for m in ms),
                     tuple(dict.fromkeys(m.passage for m in ms)))
        for (text, pid), ms in groups.items()
    ]


def mention_at(story: Story, start: int, end: int) -> Mention | None:
    return next((m for m in story.mentions if (m.start, m.end) == (start, end)), None)


def candidates_for(story: Story, mention: Mention) -> list[Place]:
    """The places a mention could be: its current place first, then the runners-up."""
    out: dict[str, Place] = {}
    if mention.place_id:
        current = story.place(mention.place_id)
        if current is not None:
            out[current.id] = current
    for c in mention.candidates:
        out.setdefault(c.place.id, story.place(c.place.id) or c.place)
    return list(out.values())


def describe_place(p: Place, words: StoryText) -> str:
    """A place as a choice list shows it, in the words' language: "Wonsan — city · North
    Korea, pop. 363,127, 39.15, 127.44"."""
    _ = translations(words.language, "app").gettext
    parts = [words.subtitle(p)]
    if p.population:
        parts.append(_("pop. {n}").format(n=format_decimal(p.population, locale=words.language)))
    parts.append(f"{p.lat:.2f}, {p.lon:.2f}")
    label = words.name(p)
    name = f"{label} ({p.name})" if p.name != label else label
    return f"{name} — {', '.join(parts)}"


def story_stats(story: Story) -> dict[str, int]:
    """The header's counts: the places the text names (a seat shown only as part of its
    country is no place of its own), as the story map counts them."""
    return {
        "places": len(story.named_places()),
        "mentions": sum(1 for m in story.mentions if m.place_id),
        "passages": len(story.passages),
        "steps": len(story.steps()),
    }


def download_name(story: Story, suffix: str) -> str:
    """A file name from the story's title: ``russland-und-nordkorea.geojson``."""
    words = re.findall(r"\w+", story.title.lower())[:6]
    stem = "-".join(words)[:60].strip("-") or "story"
    return f"{stem}{suffix}"


__all__ = [
    "EMBEDDED",
    "Correction",
    "Loaded",
    "MentionGroup",
    "add_place",
    "apply_correction",
    "apply_corrections",
    "build_story",
    "candidates_for",
    "correct_mention",
    "country_names",
    "describe_place",
    "docx_text",
    "drop_place",
    "find_spans",
    "geocoder_names",
    "language_names",
    "mention_groups",
    "places_table",
    "read_upload",
    "sample_text",
    "search_places",
    "user_place",
]
