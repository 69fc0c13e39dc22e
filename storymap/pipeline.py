"""run(): the one place that calls the stages in order (article → recognize → resolve → Story)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from . import article as article_mod
from . import gazetteer as gazetteer_mod
from .gazetteer import Gazetteer
from .model import Candidate, Mention, Place, Story
from .recognize import find_spans
from .resolve import Resolution, Scored, resolve

if TYPE_CHECKING:
    from .geocoders import Geocoder


def run(
    source: str | bytes,
    *,
    language: str | None = None,
    gazetteer: Gazetteer | None = None,
    max_bytes: int = article_mod.DEFAULT_MAX_BYTES,
    hint_countries: Sequence[str] = (),
    geocoder: Geocoder | None = None,
) -> Story:
    """Turn an article (text or raw bytes) into a Story. Raises InputError on bad input.
    `hint_countries` biases resolution towards those countries (ISO codes).
    With an online `geocoder`, names the gazetteer does not know ("in Laafeld") are looked
    up there; network faults only add a line to `Story.warnings`."""
    art = article_mod.load(source, language=language, max_bytes=max_bytes)
    gaz = gazetteer or gazetteer_mod.load()
    spans = find_spans(art.text, art.passages, art.language, gaz)
    resolutions = resolve(spans, art.text, art.language, gaz, hint_countries=hint_countries)
    story = build_story(art.text, art.language, art.passages, resolutions, gaz)
    if geocoder is not None and getattr(geocoder, "name", None) != "gazetteer":
        from .geocoders import geocode_unresolved

        unknown = [r.span for r in resolutions if not r.span.places and "unknown" in r.span.cues]
        story = geocode_unresolved(story, unknown, geocoder, language=art.language)
    return story


def build_story(
    text: str,
    language: str,
    passages: tuple[article_mod.Passage, ...],
    resolutions: list[Resolution],
    gaz: Gazetteer,
) -> Story:
    """Assemble mentions and places; countries acting in politics add their seat. Every
    model object is built here, fresh for this story, and only for what it keeps."""
    mentions: list[Mention] = []
    places: dict[str, Place] = {}
    acting: list[str] = []
    made: dict[int, Place] = {}  # this story's own Place per record, read by its candidates
    for res in resolutions:
        span, best = res.span, res.best
        if best is None:
            continue
        candidates = tuple(_candidate(gaz, c, made) for c in res.candidates)
        place = candidates[0].place
        places.setdefault(place.id, _with_label(place, span.text, span.key, language, span.kind))
        mentions.append(Mention(span.start, span.end, span.text, span.passage, place.id,
                                span.kind, res.confidence, candidates))
        facts = gaz.facts
        if (facts.feature[best.place] == "country" and span.kind == "name"
                and "locative" not in span.cues and facts.cc[best.place]):
            acting.append(facts.cc[best.place])
    for cc in dict.fromkeys(acting):
        seat_idx, country_idx = gaz.seats.get(cc), gaz.countries.get(cc)
        if seat_idx is None or country_idx is None:
            continue
        seat = places.get(gaz.place(seat_idx).id) or gaz.place(seat_idx)
        places[seat.id] = replace(seat, seat_of=gaz.place(country_idx).id)
    return Story(
        article=text,
        language=language,
        passages=passages,
        places=tuple(places.values()),
        mentions=tuple(mentions),
    )


def _candidate(gaz: Gazetteer, scored: Scored, made: dict[int, Place]) -> Candidate:
    place = made.get(scored.place)
    if place is None:
        place = made[scored.place] = gaz.place(scored.place)
    return Candidate(place, scored.score, scored.evidence())


def _with_label(place: Place, surface: str, key: str, language: str, kind: str) -> Place:
    """Name the place in the article's language as the article itself names it. Countries
    and regions keep their curated labels ("USA" stays "Vereinigte Staaten"); a city's
    label is only wordfreq's best guess among GeoNames' alternates, so the text wins,
    unless it shouts ("WASHINGTON (AP) —")."""
    keep_stored = place.feature != "city" or surface.isupper()
    if kind != "name" or (language in place.labels and keep_stored):
        return place
    label = surface
    if surface.casefold() != key and surface.endswith("s"):
        label = surface[:-1]  # German genitive: "Wonsans" → "Wonsan"
    return replace(place, labels={**place.labels, language: label})
