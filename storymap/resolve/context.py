"""What one article says around its names: its countries, regions and clear places, and the
words between neighbouring names. Built per article by `resolve` and dropped after it;
nothing here outlives the article or is shared with another one."""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from ..evaluation import haversine_km
from ..gazetteer import Gazetteer, PlaceFacts, normalize, read_table
from ..recognize import PLACE_CUES, Span
from .limits import LIMITS

PARENT_JOINERS = frozenset({", ", " (", " in ", " im ", ", in "})
"""Between X and Y in "X, Y" / "X (Y)" / "X in Y": Y should contain X."""
LIST_JOINERS = frozenset({", ", " und ", " and ", " oder ", " or ", "/", " sowie ", " & "})
"""Between the names of an enumeration ("Wien, Graz und Linz")."""
FIGURE = re.compile(r" \([\d.,%+\u2212\u2013 -]+\)")
"""A figure in brackets after a name, as in a table of results: "Wien (4.528), Graz (2.306)"
is an enumeration all the same."""
HOME = {
    "de": frozenset({"DE", "AT", "CH"}),
    "en": frozenset({"US", "GB", "CA", "AU", "IE", "NZ"}),
}
"""Where the readers of a language mostly live (the mild ``language`` bias)."""
HINT_KEY = "\x00hint"
"""The name a person's country hint is recorded under (no real name is like it)."""
KM_PER_DEGREE = 111.195


class Prominence(NamedTuple):
    """What a name's prominent readings say before any context."""

    top: int
    """The most prominent reading."""
    clear: bool
    """It stands out: the only one, or a `prominent_margin` of prior ahead of the next."""
    country: str
    """The country all prominent readings lie in ("" when they differ)."""
    one_spot: bool
    """All prominent readings lie within `one_spot_km` of the top one."""


def by_prior(facts: PlaceFacts, places: tuple[int, ...]) -> tuple[int, ...]:
    """A name's places, most prominent first (ties keep their order: the index stores each
    name's readings in this order already, so this sort only checks it)."""
    prior = facts.prior
    return tuple(sorted(places, key=lambda i: -prior[i]))


def prominence(facts: PlaceFacts, places: tuple[int, ...]) -> Prominence:
    ranked = by_prior(facts, places)
    least = facts.prior[ranked[0]] - LIMITS.prominent_margin
    top, *others = [i for i in ranked if facts.prior[i] > least]
    countries = {facts.cc[top], *(facts.cc[i] for i in others)}
    lat, lon = facts.lat[top], facts.lon[top]
    return Prominence(
        top, not others, countries.pop() if len(countries) == 1 else "",
        all(haversine_km(lat, lon, facts.lat[i], facts.lon[i]) <= LIMITS.one_spot_km
            for i in others),
    )


@cache
def ambiguous_words() -> dict[str, frozenset[str]]:
    """data/ambiguous.tsv: ordinary words that are also big places' names, per language
    (a curated table, read once)."""
    out: dict[str, set[str]] = defaultdict(set)
    for row in read_table("ambiguous.tsv"):
        out[row["lang"]].add(normalize(row["word"]))
    return {lang: frozenset(words) for lang, words in out.items()}


class Surroundings(NamedTuple):
    """What the words around the article's names say, read before any scoring."""

    parents: dict[int, tuple[int, ...]]
    """Span index of X in "X, Y" → the places of Y."""
    listed: frozenset[int]
    """Indices of name spans in an enumeration with another name."""
    person_keys: frozenset[str]
    """Names that are part of a person's name somewhere in the article."""
    ambiguous: frozenset[str]
    """The language's ordinary words that are also big places' names."""
    placed_keys: frozenset[str]
    """Names the text calls a place at least once ("in X", "X, Y", an enumeration)."""

    @classmethod
    def read(cls, spans: Sequence[Span], text: str, language: str) -> Surroundings:
        parents, listed = neighbours(spans, text)
        placed = frozenset(s.key for k, s in enumerate(spans)
                           if s.kind == "name" and in_context(s, k, parents, listed))
        return cls(parents, frozenset(listed),
                   frozenset(s.key for s in spans if "person" in s.cues),
                   ambiguous_words().get(language, frozenset()), placed)


@dataclass(frozen=True, slots=True)
class ArticleContext:
    """What the article is about, with which names said so (a name never supports itself)."""

    facts: PlaceFacts
    language: str
    words: Surroundings
    countries: dict[str, list[str]]
    """Country code → the names (keys) that placed the article there, once per mention."""
    regions: dict[str, set[str]]
    """Region code → the names that placed the article there."""
    points: list[tuple[float, float, frozenset[str]]]
    """Clear places' points (merged in ~10 km cells) with the names that placed them, sorted
    by latitude (`lats`), so a distance query reads only a band of `near_degrees`."""
    lats: list[float]

    @classmethod
    def build(cls, words: Surroundings, clear: Sequence[Span], language: str, gaz: Gazetteer,
              hint_countries: Sequence[str] = ()) -> ArticleContext:
        """`clear`: the spans that survived the early filter, read for the context."""
        countries, regions, cells = _first_pass(clear, gaz.facts)
        for cc in hint_countries:
            countries[cc.upper()].extend([HINT_KEY] * LIMITS.hint_mentions)
        points = sorted((lat, lon, frozenset(keys)) for lat, lon, keys in cells.values())
        return cls(gaz.facts, language, words, dict(countries), dict(regions), points,
                   [p[0] for p in points])

    def support(self, cc: str, key: str) -> int:
        """Mentions of other names in the country (capped at `support_cap`)."""
        keys = self.countries.get(cc) if cc else None
        return min(len(keys) - keys.count(key), LIMITS.support_cap) if keys else 0

    def region_named(self, region: str, key: str) -> bool:
        """Another name of the article lies in (or is) this region."""
        names = self.regions.get(region) if region else None
        return names is not None and (len(names) > 1 or key not in names)

    def distance_km(self, lat: float, lon: float, key: str) -> float:
        """Distance to the nearest clear place of another name (equirectangular: plenty for
        a few hundred km)."""
        best = math.inf
        shrink = math.cos(math.radians(lat))
        lo = bisect.bisect_left(self.lats, lat - LIMITS.near_degrees)
        hi = bisect.bisect_right(self.lats, lat + LIMITS.near_degrees)
        for plat, plon, keys in self.points[lo:hi]:
            if len(keys) == 1 and key in keys:
                continue  # placed by this name alone
            best = min(best, (lat - plat) ** 2 + ((lon - plon) * shrink) ** 2)
        return KM_PER_DEGREE * math.sqrt(best) if best < math.inf else math.inf


_Cells = dict[tuple[float, float], tuple[float, float, set[str]]]


def _first_pass(spans: Sequence[Span], facts: PlaceFacts
                ) -> tuple[defaultdict[str, list[str]], defaultdict[str, set[str]], _Cells]:
    """Countries, regions and points from the spans that are clear: countries, adjectives,
    regions, and big or cued places with a single (or dominant) reading."""
    countries: defaultdict[str, list[str]] = defaultdict(list)
    regions: defaultdict[str, set[str]] = defaultdict(set)
    cells: _Cells = {}
    for span in spans:
        seen = _clear_reading(span, facts)
        if seen is None:
            continue
        top = seen.top
        if not seen.clear:
            # Which Kansas City is unclear, but not that the article is about the US,
            # nor where: both lie on the state line.
            if seen.country:
                countries[seen.country].append(span.key)
            if facts.feature[top] == "city" and seen.one_spot:
                _add_point(cells, facts, top, span.key)
            continue
        if facts.cc[top]:
            countries[facts.cc[top]].append(span.key)
        if facts.feature[top] == "region":
            regions[facts.region[top]].add(span.key)
        if facts.feature[top] in ("city", "region"):
            _add_point(cells, facts, top, span.key)
    return countries, regions, cells


def _clear_reading(span: Span, facts: PlaceFacts) -> Prominence | None:
    """The span's prominent readings when they are strong enough to set the article's
    context (None: a person, an unknown, a word, a small uncued town)."""
    if "person" in span.cues or "first-name" in span.cues or not span.places:
        return None
    if "unknown" in span.cues:
        return None
    seen = prominence(facts, span.places)
    top = seen.top
    feature, pop = facts.feature[top], facts.pop[top]
    if "common-word" in span.cues and feature == "city" and pop < LIMITS.big_place:
        return None
    cued = not PLACE_CUES.isdisjoint(span.cues)
    strong = feature in ("country", "region") or pop >= LIMITS.strong_place or cued
    return seen if strong else None


def _add_point(cells: _Cells, facts: PlaceFacts, idx: int, key: str) -> None:
    lat, lon = facts.lat[idx], facts.lon[idx]
    cell = (round(lat, LIMITS.same_cell_degrees), round(lon, LIMITS.same_cell_degrees))
    cells.setdefault(cell, (lat, lon, set()))[2].add(key)


def in_context(span: Span, k: int, parents: dict[int, tuple[int, ...]], listed: set[int]
               | frozenset[int]) -> bool:
    """The text calls spans[k] a place: "in X", "Gebiet X", "X, Y", an enumeration."""
    return k in parents or k in listed or not PLACE_CUES.isdisjoint(span.cues)


def neighbours(spans: Sequence[Span], text: str) -> tuple[dict[int, tuple[int, ...]], set[int]]:
    """What the words between neighbouring spans say, in one pass: for "X, Y" / "X (Y)" /
    "X in Y" the candidate places of Y, keyed by X's index (parents); and the indices of
    name spans in an enumeration with another name, "Wien, Graz und Linz" (listed)."""
    parents: dict[int, tuple[int, ...]] = {}
    listed: set[int] = set()
    for k, (a, b) in enumerate(itertools.pairwise(spans)):
        if b.kind != "name":
            continue
        gap = text[a.end : b.start]
        if gap in PARENT_JOINERS:
            parents[k] = b.places
        if a.kind == "name" and FIGURE.sub("", gap, count=1) in LIST_JOINERS:
            listed.update((k, k + 1))
    return parents, listed
