"""The Streamlit app's logic, testable without Streamlit (only ``streamlit_app.py`` imports it).

Everything here is a pure function of the story (or of uploaded bytes): reading uploads,
building a story with a geocoder and a region hint, the corrections a person makes (kept as a
small log so they can be replayed after a re-run), the tables and the escaped HTML the app
shows. Article text reaches HTML only through :func:`html.escape`, here.
"""

from __future__ import annotations

import html
import io
import logging
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath
from typing import Any
from xml.etree import ElementTree

from storymap import article as article_mod
from storymap import pipeline
from storymap.errors import ExportError, GeocodingError, InputError, StorymapError
from storymap.export import is_story_json, load_story
from storymap.fetch import fetch_article, is_url
from storymap.gazetteer import Gazetteer
from storymap.geocoding import GEOCODERS, Geocoder
from storymap.geocoding import make_geocoder as online_geocoder
from storymap.model import Mention, Place, Story

log = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parent / "tables" / "samples"
SAMPLE_NAME = "seed-de.txt"
ARTICLE_MAX_BYTES = article_mod.DEFAULT_MAX_BYTES
STORY_JSON_MAX_BYTES = 8_000_000
DOCX_MAX_XML_BYTES = 20_000_000
UPLOAD_TYPES = ("txt", "md", "markdown", "html", "htm", "docx", "json")
EMBEDDED = "embedded"
USER_AGENT = "storymap-streamlit-app/0.1 (https://github.com/storymap)"

FEATURE_LABELS = {
    "country": "country", "region": "region", "city": "city", "landmark": "landmark",
    "water": "water", "mountain": "mountain", "island": "island", "continent": "continent",
    "other": "place",
}
MAX_ZOOM_FOR = {
    "country": 5, "continent": 3, "region": 6, "water": 6, "island": 8, "mountain": 9,
    "city": 9, "landmark": 12, "other": 8,
}


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
        raise InputError(f"The file '{shown}' is empty. Choose the file that holds the article.")
    if suffix == ".json" or is_story_json(data):
        if len(data) > STORY_JSON_MAX_BYTES:
            raise ExportError(
                f"The story file '{shown}' is {_size(len(data))}; the limit is "
                f"{_size(STORY_JSON_MAX_BYTES)}."
            )
        try:
            story = load_story(data)
        except ExportError as exc:
            raise ExportError(f"'{shown}' is not a story this app can continue: {exc}") from None
        return Loaded(story=story, name=shown)
    if len(data) > ARTICLE_MAX_BYTES:
        raise InputError(
            f"The file '{shown}' is {_size(len(data))}; the limit is "
            f"{_size(ARTICLE_MAX_BYTES)}. Use a shorter article or split it into parts."
        )
    if suffix == ".docx":
        return Loaded(text=docx_text(data, shown), name=shown)
    with tempfile.TemporaryDirectory(prefix="storymap-upload-") as tmp:
        path = Path(tmp) / shown
        path.write_bytes(data)
        try:
            text = article_mod.read_file(path, max_bytes=ARTICLE_MAX_BYTES)
        except InputError as exc:
            raise InputError(str(exc).replace(str(path), shown)) from None
    return Loaded(text=text, name=shown)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(data: bytes, shown: str = "upload.docx") -> str:
    """The paragraphs of a Word document (.docx), one per line, read with the standard
    library (a .docx is a ZIP of XML). Guarded against oversized members."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > DOCX_MAX_XML_BYTES:
                raise InputError(f"The document '{shown}' is too large once unpacked.")
            xml = zf.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError) as exc:
        raise InputError(
            f"'{shown}' is not a readable Word document (.docx): {exc}. "
            "Save it again as .docx, or as plain text."
        ) from None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise InputError(f"The Word document '{shown}' is damaged ({exc}).") from None
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
        raise InputError(f"The Word document '{shown}' has no text in it.")
    return text


# -- languages, countries, geocoders ---------------------------------------------------------


@cache
def language_names() -> dict[str, str]:
    """ISO 639-1 code → English name, for the languages the core detects."""
    from babel import Locale

    names = Locale("en").languages
    return {code: str(names.get(code, code)) for code in article_mod.LANGUAGES}


@cache
def country_names() -> dict[str, str]:
    """ISO 3166 alpha-2 code → English name (CLDR), sorted by name."""
    from babel import Locale

    terr = Locale("en").territories
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


def geocoder_label(name: str) -> str:
    return "Embedded gazetteer (offline)" if name == EMBEDDED else f"{name} (online)"


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
        raise GeocodingError(f"The geocoder {name!r} cannot be set up: {exc}") from exc
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
        raise GeocodingError(f"{geocoder} could not search for {query!r}: {exc}") from exc


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


def places_table(story: Story) -> list[dict[str, Any]]:
    """One row per place for the corrections table."""
    lang = story.language
    rows = []
    for p in story.places:
        ms = story.mentions_of(p.id)
        direct = [m for m in ms if m.place_id == p.id]
        conf = (sum(m.confidence for m in direct) / len(direct)) if direct else None
        seat_of = story.place(p.seat_of) if p.seat_of else None
        rows.append({
            "id": p.id,
            "Place": p.label(lang),
            "Name": p.name,
            "Feature": FEATURE_LABELS.get(p.feature, "place")
            + (f" (seat of {seat_of.label(lang)})" if seat_of else ""),
            "Country": country_label(p.country_code),
            "Latitude": round(p.lat, 4),
            "Longitude": round(p.lon, 4),
            "Confidence": None if conf is None else round(conf, 2),
            "Mentions": len(direct),
            "Not a place": False,
        })
    return rows


def country_label(code: str | None) -> str:
    if not code:
        return ""
    return country_names().get(code.upper(), code.upper())


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


def describe_place(p: Place, language: str = "en") -> str:
    parts = [FEATURE_LABELS.get(p.feature, "place")]
    if p.country_code and p.feature != "country":
        parts.append(country_label(p.country_code))
    if p.population:
        parts.append(f"pop. {p.population:,}")
    parts.append(f"{p.lat:.2f}, {p.lon:.2f}")
    label = p.label(language)
    name = f"{label} ({p.name})" if p.name != label else label
    return f"{name} — {', '.join(parts)}"


def marker_for_click(markers: Sequence[Mapping[str, Any]], lat: float, lon: float,
                     tooltip: str | None = None) -> list[str]:
    """The place ids of the marker at a clicked position (Leaflet reports the marker's own
    position; the tooltip text breaks a tie)."""
    best: tuple[float, Sequence[str]] | None = None
    for mk in markers:
        d = abs(float(mk["lat"]) - lat) + abs(float(mk["lon"]) - lon)
        if d < 1e-4 and (best is None or d < best[0]
                         or (tooltip and d == best[0] and str(mk["title"]) in tooltip)):
            best = (d, mk["ids"])
    return list(best[1]) if best else []


def passages_of(story: Story, place_ids: Iterable[str]) -> list[int]:
    """Passages that mention any of the places, in article order."""
    out: set[int] = set()
    for pid in place_ids:
        out.update(m.passage for m in story.mentions_of(pid))
    return sorted(out)


def marker_positions(story: Story, place_ids: Iterable[str]) -> list[tuple[float, float]]:
    """Where the places are drawn (a country with a seat of government: at the seat)."""
    seats = {p.seat_of: p for p in story.places if p.seat_of}
    out = []
    for pid in place_ids:
        p = story.place(pid)
        if p is None:
            continue
        if p.feature == "country" and p.id in seats:
            out.append((seats[p.id].lat, seats[p.id].lon))
        else:
            out.append((p.lat, p.lon))
    return list(dict.fromkeys(out))


def view_for(story: Story, place_ids: Sequence[str]) -> tuple[tuple[float, float], int] | None:
    """A centre and zoom that show the places (one place: its feature's zoom)."""
    points = marker_positions(story, place_ids)
    if not points:
        return None
    if len(points) == 1:
        p = story.place(place_ids[0])
        zoom = MAX_ZOOM_FOR.get(p.feature if p else "other", 8)
        if p is not None and p.feature == "country" and len(place_ids) > 1:
            zoom = 6
        return points[0], zoom
    lats = [a for a, _ in points]
    lons = [b for _, b in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    span = max(north - south, (east - west) / 2, 0.01)
    zoom = max(2, min(8, int(math.log2(150 / span))))
    return ((south + north) / 2, (west + east) / 2), zoom


def passage_html(story: Story, index: int, *, selected: Iterable[str] = (),
                 number: bool = True) -> str:
    """One passage as HTML with its mentions highlighted (escaped here, once)."""
    passage = next((p for p in story.passages if p.index == index), None)
    if passage is None:
        return ""
    chosen = set(selected)
    seats = {p.id: p.seat_of for p in story.places if p.seat_of}
    chosen |= {seats[pid] for pid in list(chosen) if pid in seats}
    lang = story.language
    out = []
    cursor = passage.start
    for m in sorted((m for m in story.mentions if m.passage == index),
                    key=lambda m: (m.start, m.end)):
        if m.start < cursor or not (passage.start <= m.start < m.end <= passage.end):
            continue
        out.append(html.escape(story.article[cursor:m.start]))
        place = story.place(m.place_id) if m.place_id else None
        if place is None:
            title = "marked as not a place" if m.place_id is None else "unknown place"
            out.append(f'<span class="sm-notplace" title="{html.escape(title)}">'
                       f"{html.escape(m.text)}</span>")
        else:
            cls = f"sm-mk sm-k-{m.kind}" + (" sm-sel" if place.id in chosen else "")
            title = describe_place(place, lang)
            out.append(f'<mark class="{cls}" title="{html.escape(title)}">'
                       f"{html.escape(m.text)}</mark>")
        cursor = m.end
    out.append(html.escape(story.article[cursor:passage.end]))
    tag = "h3" if index == 0 else "p"
    num = (f'<span class="sm-pn">{"Title" if index == 0 else "¶ " + str(index)}</span>'
           if number else "")
    return f'<{tag} class="sm-passage" dir="auto">{num}{"".join(out)}</{tag}>'


def article_html(story: Story, *, selected: Iterable[str] = ()) -> str:
    chosen = list(selected)
    body = "".join(passage_html(story, p.index, selected=chosen, number=False)
                   for p in story.passages)
    return f'<div class="sm-article" lang="{html.escape(story.language)}">{body}</div>'


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
    "article_html",
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
    "marker_for_click",
    "mention_groups",
    "passage_html",
    "passages_of",
    "places_table",
    "read_upload",
    "sample_text",
    "search_places",
    "user_place",
    "view_for",
]
