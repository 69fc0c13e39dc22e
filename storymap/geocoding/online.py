"""The story-level stages of online geocoding: look up the names the gazetteer does not know
(`geocode_unresolved`, the pipeline's fallback) and, opt-in, let a service break close calls
(`rerank`). Both take any Geocoder; a fault changes nothing but adds a line to
`Story.warnings`."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from ..model import Candidate, Mention, Place, Story
from .embedded import GazetteerGeocoder
from .protocol import Fault, Geocoder, Lookup, short

__all__ = ["GEOCODED_CONFIDENCE", "RERANK_BELOW", "geocode_unresolved", "rerank",
           "story_countries"]

log = logging.getLogger(__name__)

RERANK_BELOW = 0.7
"""`rerank` asks the service about mentions less confident than this."""
GEOCODED_CONFIDENCE = 0.8
"""Confidence of a mention placed by an online geocoder: one answer, no article context."""
SAME_PLACE_KM: Mapping[str, float] = {"country": 1500.0, "continent": 3000.0, "region": 300.0}
"""How far a service's point may lie from a candidate of this feature and still be it."""
SAME_PLACE_KM_OTHER = 40.0
EARTH_RADIUS_KM = 6371.0088


class SpanLike(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def passage(self) -> int: ...


def story_countries(story: Story, limit: int = 5) -> list[str]:
    """The article's countries, most mentioned first (mentions of places in them)."""
    counts: Counter[str] = Counter()
    for m in story.mentions:
        p = story.place(m.place_id) if m.place_id else None
        if p is not None and p.country_code:
            counts[p.country_code] += 1
    return [cc for cc, _ in counts.most_common(limit)]


def _search(
    geocoder: Geocoder, query: str, codes: Sequence[str], language: str | None
) -> tuple[list[Place], Fault | None]:
    """The geocoder's places for `query` and the fault, if any: an `OnlineGeocoder`'s own
    lookup, or any Geocoder's search with its exceptions turned into a fault (a foreign
    geocoder's faults must not end the story either)."""
    lookup = getattr(geocoder, "lookup", None)
    if callable(lookup):
        answer = lookup(query, limit=5, country_codes=codes, language=language)
        if isinstance(answer, Lookup):
            return list(answer.places), answer.fault
    name = str(getattr(geocoder, "name", type(geocoder).__name__))
    try:
        return geocoder.search(query, limit=5, country_codes=codes, language=language), None
    except Exception as exc:
        log.warning("geocoder %s failed for %r", name, query, exc_info=True)
        return [], Fault("error", short(str(exc)) or type(exc).__name__, name)


def _ask_one(
    geocoder: Geocoder, query: str, codes: Sequence[str], language: str | None
) -> tuple[Place | None, Fault | None]:
    lookup = getattr(geocoder, "lookup", None)
    if callable(lookup):
        answer = lookup(query, limit=5, country_codes=codes, language=language)
        if isinstance(answer, Lookup):
            return (answer.places[0] if answer.places else None), answer.fault
    name = getattr(geocoder, "name", type(geocoder).__name__)
    try:
        return geocoder.geocode(query, country_codes=codes, language=language), None
    except Exception as exc:  # a foreign geocoder: its faults must not end the story either
        log.warning("geocoder %s failed for %r", name, query, exc_info=True)
        return None, Fault("error", short(str(exc)) or type(exc).__name__, str(name))
def _names(items: Iterable[str]) -> str:
    shown = list(dict.fromkeys(items))
    more = len(shown) - 5
    text = ", ".join(shown[:5])
    return text + (f" and {more} more" if more > 0 else "")


def geocode_unresolved(
    story: Story,
    spans: Sequence[SpanLike],
    geocoder: Geocoder,
    *,
    language: str | None = None,
) -> Story:
    """Look up names the gazetteer does not know (the recognizer's "unknown" spans) with an
    online geocoder. A hit becomes a mention of the place found; a miss or a fault leaves an
    unresolved mention (place_id None) and a line in `Story.warnings`."""
    if not spans or isinstance(geocoder, GazetteerGeocoder):
        return story
    language = language or story.language
    codes = story_countries(story)
    taken = {(m.start, m.end) for m in story.mentions}
    mentions = list(story.mentions)
    places = {p.id: p for p in story.places}
    answers: dict[str, tuple[Place | None, Fault | None]] = {}
    faults: dict[Fault, list[str]] = {}
    missing: list[str] = []
    for span in spans:
        if (span.start, span.end) in taken or any(
            m.start < span.end and span.start < m.end for m in story.mentions
        ):
            continue
        key = " ".join(span.text.split()).casefold()
        if key not in answers:
            answers[key] = _ask_one(geocoder, span.text, codes, language)
            if codes and answers[key] == (None, None):
                # Not in the article's countries: a village across the border still counts.
                answers[key] = _ask_one(geocoder, span.text, (), language)
            place, fault = answers[key]
            if fault is not None:
                faults.setdefault(fault, []).append(span.text)
            elif place is None:
                missing.append(span.text)
        place, fault = answers[key]
        if place is not None:
            if place.id not in places:
                places[place.id] = place
            existing = places[place.id]
            mentions.append(Mention(span.start, span.end, span.text, span.passage, existing.id,
                                    "name", GEOCODED_CONFIDENCE,
                                    (Candidate(existing, 1.0, {"geocoder": 1.0}),)))
        else:
            mentions.append(Mention(span.start, span.end, span.text, span.passage, None,
                                    "name", 0.0, ()))
        taken.add((span.start, span.end))
    warnings = list(story.warnings)
    title = getattr(geocoder, "title", None) or str(getattr(geocoder, "name", "the geocoder"))
    for fault, names in faults.items():
        n = len(names)
        warnings.append(
            f"{fault.sentence()}; {n} place{'s were' if n != 1 else ' was'} not looked up: "
            f"{_names(names)}."
        )
    if missing:
        n = len(missing)
        warnings.append(
            f"{title} found no place for {n} name{'s' if n != 1 else ''} the gazetteer does "
            f"not know either: {_names(missing)}."
        )
    mentions.sort(key=lambda m: (m.start, m.end))
    return replace(story, mentions=tuple(mentions), places=_in_article_order(places, mentions),
                   warnings=tuple(warnings))


def _in_article_order(
    places: Mapping[str, Place], mentions: Sequence[Mention]
) -> tuple[Place, ...]:
    """Places by first mention (a seat of government right after its country)."""
    first: dict[str, float] = {}
    for m in mentions:
        if m.place_id is not None:
            first.setdefault(m.place_id, m.start)

    def position(item: tuple[int, Place]) -> tuple[float, int]:
        i, p = item
        pos = first.get(p.id)
        if pos is None and p.seat_of is not None and p.seat_of in first:
            pos = first[p.seat_of] + 0.5
        return (math.inf if pos is None else pos, i)

    return tuple(p for _, p in sorted(enumerate(places.values()), key=position))


def _km(a: Place, b: Place) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _same_place(candidate: Place, online: Place) -> bool:
    if candidate.geonameid is not None and candidate.geonameid == online.geonameid:
        return True
    if candidate.country_code and online.country_code and (
        candidate.country_code != online.country_code
    ):
        return False
    reach = SAME_PLACE_KM.get(candidate.feature, SAME_PLACE_KM_OTHER)
    return _km(candidate, online) <= reach


def rerank(story: Story, geocoder: Geocoder, *, below: float = RERANK_BELOW) -> Story:
    """Opt-in: let an online geocoder break close calls. For each mention with confidence
    below `below` and several candidates, the service is asked for the name (biased to the
    article's countries); the first of its results that matches a candidate (same GeoNames
    id, or nearby in the same country) picks that candidate. Faults change nothing but add a
    warning."""
    if isinstance(geocoder, GazetteerGeocoder):
        return story
    codes = story_countries(story)
    language = story.language
    mentions = list(story.mentions)
    places = {p.id: p for p in story.places}
    asked: dict[str, tuple[list[Place], Fault | None]] = {}
    faults: list[Fault] = []
    changed = False
    for i, m in enumerate(mentions):
        if m.confidence >= below or len(m.candidates) < 2 or m.kind != "name":
            continue
        key = m.text.casefold()
        if key not in asked:
            asked[key] = _search(geocoder, m.text, codes, language)
            if asked[key][1] is not None:
                faults.append(asked[key][1])  # type: ignore[arg-type]
        results, _ = asked[key]
        pick = next(
            (c for r in results for c in m.candidates if _same_place(c.place, r)), None
        )
        if pick is None or pick.place.id == m.place_id:
            continue
        rest = tuple(c for c in m.candidates if c is not pick)
        chosen = Candidate(pick.place, pick.score, {**pick.evidence, "geocoder": 1.0})
        mentions[i] = replace(m, place_id=pick.place.id, confidence=max(m.confidence, below),
                              candidates=(chosen, *rest))
        places.setdefault(pick.place.id, pick.place)
        changed = True
    warnings = list(story.warnings)
    if faults:
        warnings.append(f"{faults[0].sentence()}; the gazetteer's choices were kept.")
    if not changed:
        return replace(story, warnings=tuple(warnings)) if faults else story
    used = {m.place_id for m in mentions if m.place_id}
    kept = tuple(p for p in places.values()
                 if p.id in used or (p.seat_of is not None and p.seat_of in used))
    return replace(story, mentions=tuple(mentions), places=kept, warnings=tuple(warnings))
