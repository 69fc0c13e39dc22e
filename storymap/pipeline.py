"""run(): the one place that calls the stages in order (article → recognize → resolve → Story)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from . import article as article_mod
from . import gazetteer as gazetteer_mod
from .gazetteer import F_CC, F_FEATURE, F_ID, Gazetteer
from .model import Candidate, Mention, Place, Story, new_candidate, new_mention, new_place
from .recognize import find_spans
from .resolve import Resolution, Scored, resolve

if TYPE_CHECKING:
    from .geocoding import Geocoder


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
        from .geocoding import geocode_unresolved

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
    """Assemble mentions and places; countries acting in politics add their seat."""
    mentions: list[Mention] = []
    places: dict[str, Place] = {}
    acting: list[str] = []
    for res in resolutions:
        if res.dropped:
            continue
        span, best = res.span, res.best
        if best is None:
            continue
        candidates = tuple([c.made or _candidate(gaz, c) for c in res.candidates])
        record = gaz.record(best.place)  # the Place's id and country, without building it
        place_id: str = record[F_ID]
        if place_id not in places:
            places[place_id] = _labelled(gaz, best.place, span.text, span.key, language,
                                         span.kind)
        mentions.append(new_mention(span.start, span.end, span.text, span.passage, place_id,
                                    span.kind, res.confidence, candidates))
        if (
            record[F_FEATURE] == "country"
            and span.kind == "name"
            and "locative" not in span.cues
            and record[F_CC]
        ):
            acting.append(record[F_CC])
    ordered = list(places.values())
    for cc in dict.fromkeys(acting):
        seat_idx = gaz.seats.get(cc)
        country_idx = gaz.countries.get(cc)
        if seat_idx is None or country_idx is None:
            continue
        seat = gaz.place(seat_idx)
        country_id = gaz.place(country_idx).id
        if seat.id in places:
            places[seat.id] = _as_seat(places[seat.id], country_id)
        else:
            places[seat.id] = _seat(gaz, seat_idx, country_id)
        ordered = list(places.values())
    return Story(
        article=text,
        language=language,
        passages=passages,
        places=tuple(ordered),
        mentions=tuple(mentions),
    )


@lru_cache(maxsize=1024)
def _seat(gaz: Gazetteer, seat_idx: int, country_id: str) -> Place:
    """The seat of government of a country (a gazetteer place marked as such), memoised."""
    return _as_seat(gaz.place(seat_idx), country_id)


def _as_seat(p: Place, country_id: str) -> Place:
    """`replace(p, seat_of=country_id)`, spelled out: dataclasses.replace reads the fields
    anew on every call, at twenty times the cost, about once per article."""
    return new_place(p.id, p.name, p.feature, p.lat, p.lon, p.country_code, p.geonameid,
                     p.population, p.labels, country_id)


def _candidate(gaz: Gazetteer, scored: Scored) -> Candidate:
    """The Candidate of a score, kept on it: scores are shared by repeated names and, when
    memoised, across articles."""
    scored.made = new_candidate(gaz.place(scored.place), scored.score, scored.evidence)
    return scored.made


@lru_cache(maxsize=65_536)
def _labelled(gaz: Gazetteer, idx: int, surface: str, key: str, language: str, kind: str
              ) -> Place:
    """`_with_label` of a gazetteer place, memoised: news names the same places alike."""
    return _with_label(gaz.place(idx), surface, key, language, kind)


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
