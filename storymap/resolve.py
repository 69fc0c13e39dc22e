"""Pick one place per span with a transparent score, and decide which spans are places.

Each candidate's score is a sum of small named features (kept as `Candidate.evidence`):

- ``prior``: feature class and population (countries > regions > big cities > villages; a
  small region ranks like a town of its size);
- ``country``: the candidate lies in a country the article talks about (a name whose
  readings all lie in one country says so too: which Kansas City is unclear, the US is not);
- ``region``: the candidate lies in a region the article names (worth more than any country
  support, which it implies);
- ``parent``: the text says "X, Y" / "X (Y)" / "X in Y" and Y contains the candidate;
- ``child``: the reverse: Y in "X, Y" is the reading that contains a reading of X;
- ``cue``: "Gebiet Kursk", "Orange County", "state of …" favour regions;
- ``language``: a mild home bias (German articles: DE/AT/CH; English: US/GB/CA/AU/IE/NZ);
- ``nearby``: the candidate is close to the article's unambiguous places;
- ``own-name``: the name is the place's own, not one of GeoNames' many alternates;
- ``alias``: penalty when another candidate bears the name as its own;
- ``capital``: seats of government are the usual sense of their name;
- ``namesake``: so are capitals, cities of a million and cities bigger than the region that
  shares their name ("Manchester" is not Manchester Parish, Jamaica);
- ``hamlet``: penalty for small towns named like a country, region or sea.

Identical names share one sense per article. Spans that are probably not places (ordinary
words, people's names, tiny places named without any context) are dropped here, with the
reasons recorded, because only here is the article-level context known.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, NamedTuple

from .evaluation import haversine_km
from .gazetteer import (
    F_CC,
    F_FEATURE,
    F_ID,
    F_LABELS,
    F_LAT,
    F_LON,
    F_NAME,
    F_POP,
    F_REGION,
    Gazetteer,
    normalize,
    read_table,
)
from .model import Candidate
from .recognize import ARTICLES, Span

PARENT_JOINERS = frozenset({", ", " (", " in ", " im ", ", in "})
HOME = {
    "de": frozenset({"DE", "AT", "CH"}),
    "en": frozenset({"US", "GB", "CA", "AU", "IE", "NZ"}),
}
BIG_PLACE = 200_000
PLACE_CUES = frozenset({"locative", "region-word"})
"""Cues that the text itself calls the name a place ("in X", "Gebiet X")."""
NAMED_CUES = frozenset({"region-word", "before-name"})
"""Cues that the name is part of a longer one or marked as a region ("the Halle office")."""
KM_PER_DEGREE = 111.195
NEAR_DEGREES = 2.7  # 300 km of latitude: farther points cannot be "nearby"
HINT_KEY = "\x00hint"
HINT_WEIGHT = 5


@dataclass(slots=True)
class Scored:
    """A candidate place (gazetteer record index) with its score and evidence."""

    place: int
    score: float
    evidence: dict[str, float]
    made: Candidate | None = field(default=None, compare=False, repr=False)
    """The model's Candidate for it, built once: scores are memoised across articles."""

    # Written out so that mypyc compiles it (see recognize.Span).
    def __init__(self, place: int, score: float, evidence: dict[str, float]) -> None:
        self.place = place
        self.score = score
        self.evidence = evidence
        self.made = None


@dataclass(slots=True)
class Resolution:
    """The decision for one span: its ranked candidates, or dropped with a reason."""

    span: Span
    candidates: tuple[Scored, ...]
    dropped: str = ""

    def __init__(self, span: Span, candidates: tuple[Scored, ...], dropped: str = "") -> None:
        self.span = span
        self.candidates = candidates
        self.dropped = dropped

    @property
    def best(self) -> Scored | None:
        return self.candidates[0] if self.candidates and not self.dropped else None

    @property
    def confidence(self) -> float:
        if not self.candidates or self.dropped:
            return 0.0
        if len(self.candidates) == 1:
            return 1.0
        margin = self.candidates[0].score - self.candidates[1].score
        return round(1.0 / (1.0 + math.exp(-2.0 * margin)), 3)


@lru_cache(maxsize=262_144)
def prior(gaz: Gazetteer, idx: int) -> float:
    r = gaz.record(idx)
    feature, pid = r[F_FEATURE], r[F_ID]
    if feature == "country":
        return 6.0
    if feature == "continent":
        return 5.0
    if feature == "region":
        if pid.startswith("iso:"):
            # A state of millions: 5.0; a parish of 8,000 people: like a town of that size.
            people = _iso_people(gaz, idx)
            return min(5.0, 1.0 + 0.7 * math.log10(people + 1)) if people else 5.0
        if pid.startswith(("fips:", "rg2:")):
            return 3.5
        if pid.startswith("area:"):
            return 4.5
        return 3.0
    if feature != "city":
        return 4.5  # seas, rivers, mountains, landmarks: curated, so named on purpose
    return min(5.5, 1.0 + 0.7 * math.log10(int(r[F_POP]) + 1))


def resolve(
    spans: Sequence[Span],
    text: str,
    language: str,
    gaz: Gazetteer,
    *,
    hint_countries: Sequence[str] = (),
) -> list[Resolution]:
    """Score every span's candidates in the light of the whole article. `hint_countries`
    (ISO codes) is a person's word on what the article is about ("this is about Austria"):
    it counts like several mentions of each country."""
    parents, listed = _neighbours(spans, text)
    person_keys = {s.key for s in spans if "person" in s.cues}
    ambiguous = ambiguous_words().get(language, _NO_NAMES)
    early = [_drop_before_scoring(span, k in parents, k in listed, language, gaz, ambiguous)
             for k, span in enumerate(spans)]
    context = _Context.first_pass([s for s, e in zip(spans, early, strict=True) if not e], gaz)
    for cc in hint_countries:
        context.countries[cc.upper()].extend([HINT_KEY] * HINT_WEIGHT)
    by_key: dict[str, list[int]] = defaultdict(list)
    scored: list[list[Scored]] = []
    memo: dict[tuple[str, tuple[int, ...], frozenset[str], tuple[int, ...], tuple[int, ...]],
               tuple[Scored, ...]] = {}
    for k, span in enumerate(spans):
        if early[k]:
            scored.append([])
            continue
        parent = parents.get(k, ())
        children = spans[k - 1].places if k - 1 in parents and parents[k - 1] == span.places \
            else ()
        ranked_key = (span.key, span.places, span.cues, parent, children)
        ranked = memo.get(ranked_key)  # a name repeated in the same setting ranks alike
        if ranked is None:
            ranked = memo[ranked_key] = _rank(gaz, span, parent, children, context, language)
        scored.append(list(ranked))
        by_key[span.key].append(k)
    # One sense per article: identical names get the candidate with the best total score.
    for ks in by_key.values():
        if len(ks) < 2 or len({spans[k].kind for k in ks}) > 1 or not spans[ks[0]].places:
            continue
        totals: dict[int, float] = defaultdict(float)
        for k in ks:
            for c in scored[k]:
                totals[c.place] += c.score
        winner = max(totals, key=lambda p: (totals[p], -p))
        for k in ks:
            scored[k].sort(key=lambda c: (c.place != winner, -c.score, c.place))
    out = []
    for k, (span, cands) in enumerate(zip(spans, scored, strict=True)):
        reason = early[k] or _drop_reason(span, cands, gaz, person_keys, language, ambiguous,
                                          k in listed)
        out.append(Resolution(span, tuple(cands[:5]), reason))
    return out


def _rank(
    gaz: Gazetteer,
    span: Span,
    parent: tuple[int, ...],
    children: tuple[int, ...],
    context: _Context,
    language: str,
) -> tuple[Scored, ...]:
    """A span's candidates, scored and best first. `parent`: the places of Y in "X, Y";
    `children`: the places of X when this span is that Y."""
    shortlist = _shortlist(gaz, span.places, context)
    name = context.names.get((shortlist, span.key))
    if name is None:
        name = context.names[shortlist, span.key] = (_rivals(gaz, shortlist, span.key),
                                                     _nearby_points(gaz, shortlist))
    rivals, reachable = name
    pairs = _scores(gaz, shortlist, span, parent, context, language, rivals)
    bases = [base for base, _ in pairs]
    near = _with_nearby(bases, reachable, context, span.key) if reachable else bases
    if near is bases and not children:
        cands = [final for _, final in pairs]  # the memoised whole score: nothing to add
    else:
        cands = []
        for c, (base, final) in zip(near, pairs, strict=True):
            if children:
                c = _child_bonus(gaz, c, children)
            cands.append(final if c is base else _penalised(gaz, c, rivals))
    if len(cands) > 1:
        cands.sort(key=lambda c: (-c.score, c.place))
    return tuple(cands)


class _Rivals(NamedTuple):
    """What a span's other candidates say about each one's score (alias, namesake, hamlet)."""

    own_name: bool
    """Some candidate bears the name as its own: the others get the ``alias`` penalty."""
    region: bool
    """Some candidate is a region: big cities and capitals get the ``namesake`` bonus."""
    region_people: int
    """The most people in an ISO region among the candidates (0: none): a city bigger than
    that region gets the ``namesake`` bonus too ("Manchester" over Manchester Parish)."""
    important: bool
    """Some candidate is a country, continent or big area: small towns get ``hamlet``."""


def _rivals(gaz: Gazetteer, shortlist: tuple[int, ...], key: str) -> _Rivals:
    return _Rivals(
        any(is_own_name(gaz, idx, key) for idx in shortlist),
        any(_facts(gaz, idx).feature == "region" for idx in shortlist),
        max((_iso_people(gaz, idx) for idx in shortlist), default=0),
        any(_facts(gaz, idx).important for idx in shortlist),
    )


def _iso_people(gaz: Gazetteer, idx: int) -> int:
    """How many people live in the place if it is an ISO 3166-2 region (0: unknown or no
    such region); see gazetteer._region_people."""
    r = gaz.record(idx)
    return gaz.region_people.get(r[F_REGION], 0) if str(r[F_ID]).startswith("iso:") else 0


def _nearby_points(
    gaz: Gazetteer, shortlist: tuple[int, ...]
) -> tuple[tuple[int, float, float], ...]:
    """(position, lat, lon) of the cities and counties among a span's candidates: the ones a
    ``nearby`` bonus can reach (none: no distances to compute). A county is small enough
    for its neighbours to tell which of the 23 Jackson Counties is meant."""
    return tuple(
        (k, f.lat, f.lon)
        for k, f in enumerate(_facts(gaz, idx) for idx in shortlist)
        if f.feature == "city" or f.county
    )


def _penalised(gaz: Gazetteer, c: Scored, rivals: _Rivals) -> Scored:
    """The adjustments that depend on the other candidates, in their fixed order."""
    if rivals.own_name:
        c = _alias_penalty(gaz, c)
    if rivals.region:
        c = _namesake_bonus(gaz, c, rivals.region_people)
    if rivals.important:
        c = _hamlet_penalty(gaz, c)
    return c


@dataclass
class _Context:
    """What the article is about, with which names said so (a name never supports itself)."""

    countries: dict[str, list[str]]
    regions: dict[str, set[str]]
    points: list[tuple[float, float, set[str]]]
    """Clear places' points, merged within ~10 km, with the names that placed them; sorted
    by latitude (`lats`), so a distance query looks only at a band of ±300 km."""
    lats: list[float] = field(default_factory=list)
    # The gazetteer's memos, fetched once per article: `_facts`, `_sum`, and per (shortlist,
    # name) its `_rivals` and `_nearby_points`.
    facts: dict[int, _Facts] = field(default_factory=dict)
    sums: _Sums = field(default_factory=dict)
    names: _Names = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.points.sort(key=lambda p: p[0])
        self.lats = [p[0] for p in self.points]

    def distance_km(self, lat: float, lon: float, key: str) -> float:
        """Distance to the nearest clear place of another name (equirectangular: plenty for
        a 300 km neighbourhood, and cheap enough to run for every candidate)."""
        best = math.inf
        shrink = math.cos(math.radians(lat))
        lo = bisect.bisect_left(self.lats, lat - NEAR_DEGREES)
        hi = bisect.bisect_right(self.lats, lat + NEAR_DEGREES)
        for plat, plon, keys in self.points[lo:hi]:
            dlat = lat - plat
            if len(keys) == 1 and key in keys:
                continue  # placed by this name alone
            d2 = dlat * dlat + ((lon - plon) * shrink) ** 2
            if d2 < best:
                best = d2
        return KM_PER_DEGREE * math.sqrt(best) if best < math.inf else math.inf

    @classmethod
    def first_pass(cls, spans: Sequence[Span], gaz: Gazetteer) -> _Context:
        """Countries, regions and points from spans that are clear: countries, adjectives,
        regions, and big or cued places with a single (or dominant) reading."""
        countries: dict[str, list[str]] = defaultdict(list)
        regions: dict[str, set[str]] = defaultdict(set)
        points: dict[tuple[float, float], tuple[float, float, set[str]]] = {}
        prominence = _memo(_PROMINENCE, gaz)
        for span in spans:
            if "person" in span.cues or "first-name" in span.cues:
                continue
            if not span.places:
                continue
            seen = prominence.get(span.places)
            if seen is None:
                seen = prominence[span.places] = _prominence(gaz, span.places)
            r = _facts(gaz, seen.top)
            minor = r.feature == "city" and r.pop < BIG_PLACE
            if "common-word" in span.cues and minor:
                continue
            cued = not PLACE_CUES.isdisjoint(span.cues)
            strong = r.feature in ("country", "region") or r.pop >= 100_000 or cued
            if not strong:
                continue
            if not seen.clear:
                # Which Kansas City is unclear, but not that the article is about the US,
                # nor where: both lie on the state line.
                if seen.country:
                    countries[seen.country].append(span.key)
                if r.feature == "city" and seen.one_spot:
                    cell = (round(r.lat, 1), round(r.lon, 1))
                    points.setdefault(cell, (r.lat, r.lon, set()))[2].add(span.key)
                continue
            if r.cc:
                countries[r.cc].append(span.key)
            if r.feature == "region":
                regions[r.region].add(span.key)
            if r.feature in ("city", "region"):
                cell = (round(r.lat, 1), round(r.lon, 1))
                points.setdefault(cell, (r.lat, r.lon, set()))[2].add(span.key)
        return cls(countries, regions, list(points.values()), [], _memo(_FACTS, gaz),
                   _memo(_SUMS, gaz), _memo(_NAMES, gaz))


@lru_cache(maxsize=65_536)
def _by_prior(gaz: Gazetteer, places: tuple[int, ...]) -> tuple[int, ...]:
    """A name's places, most prominent first (ties keep their order)."""
    return tuple(sorted(places, key=lambda i: -prior(gaz, i)))


def _prominent(gaz: Gazetteer, places: tuple[int, ...]) -> tuple[int, ...]:
    """A name's readings that could be meant on prominence alone: the most prominent one
    and those less than a point of prior behind it (memoised by `_prominence`)."""
    ranked = _by_prior(gaz, places)
    least = prior(gaz, ranked[0]) - 1.0
    return tuple(i for i in ranked if prior(gaz, i) > least)


class _Prominence(NamedTuple):
    """What a name's prominent readings (`_prominent`) say before any context."""

    top: int
    """The most prominent reading."""
    clear: bool
    """It stands out: the only one, or a point of prior ahead of the next."""
    country: str
    """The country all prominent readings lie in ("" when they differ)."""
    one_spot: bool
    """All prominent readings lie within ONE_SPOT_KM of the top one (Kansas City, Missouri
    and Kansas City, Kansas)."""


_PROMINENCE: dict[Gazetteer, dict[tuple[int, ...], _Prominence]] = {}


def _prominence(gaz: Gazetteer, places: tuple[int, ...]) -> _Prominence:
    readings = _prominent(gaz, places)
    top, *others = [_facts(gaz, i) for i in readings]
    countries = {top.cc, *(f.cc for f in others)}
    return _Prominence(
        readings[0], not others, countries.pop() if len(countries) == 1 else "",
        all(haversine_km(top.lat, top.lon, f.lat, f.lon) <= ONE_SPOT_KM for f in others),
    )


ONE_SPOT_KM = 50.0
LIST_JOINERS = frozenset({", ", " und ", " and ", " oder ", " or ", "/", " sowie ", " & "})


SHORTLIST = 12


def _shortlist(gaz: Gazetteer, places: tuple[int, ...], ctx: _Context) -> tuple[int, ...]:
    """At most a dozen candidates by prior, plus the best few in the article's countries
    ("Windsor" has 40 namesakes; the Ontario one may rank low by size alone)."""
    if len(places) <= SHORTLIST:
        return places
    ranked = _by_prior(gaz, places)
    local = [i for i in ranked[SHORTLIST:] if gaz.record(i)[F_CC] in ctx.countries]
    return ranked[:SHORTLIST] + tuple(local[: SHORTLIST // 2])


def _child_bonus(gaz: Gazetteer, c: Scored, children: tuple[int, ...]) -> Scored:
    """The Y of "X, Y": the reading of Y that contains a reading of X ("Seattle, Washington"
    is the state; "Paris, Texas" is Texas)."""
    r = gaz.record(c.place)
    for child in children:
        cr = gaz.record(child)
        if child != c.place and (
            (r[F_FEATURE] == "region" and cr[F_REGION] and cr[F_REGION] == r[F_REGION])
            or (r[F_FEATURE] == "country" and cr[F_CC] == r[F_CC])
        ):
            return Scored(c.place, round(c.score + 3.0, 3), {**c.evidence, "child": 3.0})
    return c


def _neighbours(spans: Sequence[Span], text: str) -> tuple[dict[int, tuple[int, ...]], set[int]]:
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
        if a.kind == "name" and gap in LIST_JOINERS:
            listed.update((k, k + 1))
    return parents, listed


class _Facts(NamedTuple):
    """A record's fields that scoring reads, derived once per place."""

    feature: str
    cc: str
    region: str
    county: bool
    prior: float
    seat: bool
    important: bool
    """Countries, continents, ISO regions and curated areas (not towns or counties)."""
    pop: int
    lat: float
    lon: float


MEMO_SIZE = 65_536
_NameKey = tuple[str, str, "_Rivals"]
"""A name, the article's language and the name's rivals: the same for all its candidates."""
_SumKey = tuple[int, int, bool, bool, str]
"""What else one candidate's sum depends on (see `_sum`): place, support, in_region, parent,
cue."""
_Sums = dict[_NameKey, dict[_SumKey, tuple["Scored", "Scored"]]]
"""`_sum`'s memo, by name first: the long part of the key is hashed once per name."""
_FACTS: dict[Gazetteer, dict[int, _Facts]] = {}
_SUMS: dict[Gazetteer, _Sums] = {}
_Names = dict[tuple[tuple[int, ...], str], tuple["_Rivals", tuple[tuple[int, float, float], ...]]]
_NAMES: dict[Gazetteer, _Names] = {}


def _memo(memos: dict[Gazetteer, dict[Any, Any]], gaz: Gazetteer) -> dict[Any, Any]:
    """The gazetteer's memo in `memos`, emptied when it outgrows MEMO_SIZE. Plain dicts
    where scoring looks things up a few hundred times per article: a lookup costs a
    fraction of an lru_cache call."""
    memo = memos.get(gaz)
    if memo is None or len(memo) > MEMO_SIZE:
        memo = memos[gaz] = {}
    return memo


def _facts(gaz: Gazetteer, idx: int) -> _Facts:
    memo = _memo(_FACTS, gaz)
    facts = memo.get(idx)
    if facts is None:
        r = gaz.record(idx)
        feature, pid = r[F_FEATURE], str(r[F_ID])
        facts = memo[idx] = _Facts(
            feature, r[F_CC], r[F_REGION], pid.startswith(("fips:", "rg2:")),
            round(prior(gaz, idx), 3), idx in gaz.seat_places,
            feature not in ("city", "region") or pid.startswith(("iso:", "area:")),
            int(r[F_POP]), r[F_LAT], r[F_LON],
        )
    return facts


_NO_NAMES: frozenset[str] = frozenset()


def _scores(
    gaz: Gazetteer,
    shortlist: tuple[int, ...],
    span: Span,
    parent_places: tuple[int, ...],
    ctx: _Context,
    language: str,
    rivals: _Rivals,
) -> list[tuple[Scored, Scored]]:
    """Read what the article says about each candidate; the sums themselves are memoised,
    since the same few things are said of the same names in article after article.
    Per candidate: (the evidence so far, with the `rivals` adjustments too)."""
    key = span.key
    cue = "city" if "city-word" in span.cues else "region" if "region-word" in span.cues else ""
    countries, regions = ctx.countries, ctx.regions
    facts = ctx.facts
    name_key = (key, language, rivals)
    sums = ctx.sums.get(name_key)
    if sums is None:
        sums = ctx.sums[name_key] = {}
    out = []
    for idx in shortlist:
        f = facts.get(idx) or _facts(gaz, idx)
        feature, cc, region, county = f.feature, f.cc, f.region, f.county
        support = 0
        if cc and (keys := countries.get(cc)):  # mentions of other names in the country
            support = min(len(keys) - keys.count(key), 5)  # the bonus stops growing at 5
        in_region = False
        if region and (feature not in ("country", "continent", "region") or county):
            names = regions.get(region, _NO_NAMES)  # the region, if named (by another name)
            in_region = len(names) > 1 or (len(names) == 1 and key not in names)
        parent = False
        for p in parent_places:
            pr = gaz.record(p)
            if (pr[F_FEATURE] == "country" and pr[F_CC] == cc and feature != "country") or (
                pr[F_FEATURE] == "region" and pr[F_REGION] == region and p != idx
            ):
                parent = True
                break
        sum_key = (idx, support, in_region, parent, cue)
        pair = sums.get(sum_key)
        if pair is None:
            pair = sums[sum_key] = _sum(gaz, idx, key, language, support, in_region, parent,
                                        cue, rivals)
        out.append(pair)
    return out


def _sum(
    gaz: Gazetteer,
    idx: int,
    key: str,
    language: str,
    support: int,
    in_region: bool,
    parent: bool,
    cue: str,
    rivals: _Rivals,
) -> tuple[Scored, Scored]:
    """The evidence for one candidate from what the article says of it (see the module
    docstring), before and after the `rivals` adjustments. `support`: mentions of other
    names in the candidate's country."""
    f = _facts(gaz, idx)
    feature, cc, region, prior_score, seat = f.feature, f.cc, f.region, f.prior, f.seat
    ev: dict[str, float] = {"prior": prior_score}
    if feature not in ("continent", "region") and support:
        ev["country"] = min(2.0, 0.75 + 0.25 * support)
    if in_region:
        ev["region"] = 2.5
        ev.pop("country", None)  # the region implies its country: count the context once
    if feature == "region" and region and support:
        ev["country"] = 1.0
    if is_own_name(gaz, idx, key):  # a country's own name is rarely meant as a hamlet's
        ev["own-name"] = OWN_NAME_BONUS.get(feature, 0.3)
    if parent:
        ev["parent"] = 3.0
    if cue == "city":
        if feature == "city":
            ev["cue"] = 3.0
    elif cue == "region" and feature == "region":
        ev["cue"] = 3.0
    if feature in ("city", "region") and cc in HOME.get(language, ()):
        ev["language"] = 0.5
    if feature == "city" and seat:
        ev["capital"] = 0.5
    base = Scored(idx, round(sum(ev.values()), 3), ev)
    return base, _penalised(gaz, base, rivals)


NEARBY_KM = 300.0


def _with_nearby(
    cands: list[Scored], reachable: tuple[tuple[int, float, float], ...], ctx: _Context, key: str
) -> list[Scored]:
    """Add the ``nearby`` bonus (at most 1) where it can still change the choice: to city
    and county candidates within 1 point of the best. Distances are the costliest part of
    scoring.
    `reachable`: (position in `cands`, lat, lon) of those candidates (`_nearby_points`).
    Returns `cands` itself when no bonus applies."""
    if len(cands) < 2 or not ctx.points:
        return cands
    best = max([c.score for c in cands])
    out = None
    for k, lat, lon in reachable:
        c = cands[k]
        if c.score >= best - 1.0:
            d = ctx.distance_km(lat, lon, key)
            if d < NEARBY_KM:
                bonus = round(1.0 - d / NEARBY_KM, 3)
                if out is None:
                    out = list(cands)
                out[k] = Scored(c.place, round(c.score + bonus, 3), {**c.evidence, "nearby": bonus})
    return cands if out is None else out


def _drop_before_scoring(
    span: Span, has_parent: bool, listed: bool, language: str, gaz: Gazetteer,
    ambiguous: frozenset[str],
) -> str:
    """The reasons to drop a span that no score can change, checked first so that about a
    third of the spans of a news article (sentence-initial "In", months, people's names)
    are never scored. `_drop_reason` gives the same verdicts for them."""
    if "unknown" in span.cues:
        return "not in the gazetteer"
    if not span.places:
        return "no candidates"
    if span.kind != "name":
        return ""
    if "person" in span.cues:
        return "part of a person's name"
    if has_parent or listed or not PLACE_CUES.isdisjoint(span.cues):
        return ""  # context that a score can confirm ("X, Y"): decided after scoring
    if "calendar" in span.cues:
        return "a month or weekday"
    if span.key in ambiguous:
        return "an ordinary word that is also a place name"
    zipf = 0.0 if span.text.isupper() and len(span.text) > 1 else _zipf(gaz, span.key, language)
    if zipf >= FUNCTION_WORD_ZIPF:
        return "a very common word"
    return ""


def _drop_reason(
    span: Span,
    cands: list[Scored],
    gaz: Gazetteer,
    person_keys: set[str],
    language: str,
    ambiguous: frozenset[str],
    listed: bool = False,
) -> str:
    """Why a name span is probably not a place ("" when it is kept). `ambiguous`: the
    language's ordinary words that are also big places' names (`ambiguous_words`)."""
    if "unknown" in span.cues:
        return "not in the gazetteer"
    if not cands:
        return "no candidates"
    if span.kind != "name":
        return ""
    zipf = 0.0 if span.text.isupper() and len(span.text) > 1 else _zipf(gaz, span.key, language)
    best = cands[0]
    facts = _facts(gaz, best.place)
    feature, pop, important = facts.feature, facts.pop, facts.important
    own = is_own_name(gaz, best.place, span.key)
    big = important or pop >= BIG_PLACE or any(
        _facts(gaz, c.place).pop >= BIG_PLACE for c in cands
    )
    has_context = (
        not PLACE_CUES.isdisjoint(span.cues) or "parent" in best.evidence or listed
    )
    supported = has_context or "country" in best.evidence or "region" in best.evidence
    if "calendar" in span.cues and not ("region-word" in span.cues or "parent" in best.evidence):
        return "a month or weekday"
    noun_like = language == "de" or pop < BIG_PLACE  # "der Halle"; but "the London office"
    if "determiner" in span.cues and feature == "city" and zipf >= SMALL_COMMON_ZIPF and not (
        NAMED_CUES & span.cues
    ) and noun_like:
        return "a noun after an article"
    # "Anna Essen zog nach Essen": the person's name does not hide the big city after "nach"
    named_as_place = important or (pop >= BIG_PLACE and "locative" in span.cues)
    if span.key in person_keys and ("person" in span.cues or not named_as_place):
        return "part of a person's name"
    if span.key in ambiguous and not has_context:
        return "an ordinary word that is also a place name"
    if zipf >= FUNCTION_WORD_ZIPF and not has_context:
        return "a very common word"
    person_like = "first-name" in span.cues or "before-name" in span.cues
    if not own and person_like and feature not in ("country", "continent") and not has_context:
        return "a person's name that is also an alternate place name"
    if not own and feature == "city" and not has_context and max(
        zipf, _zipf(gaz, _without_article(span.key), language)
    ) >= ALIAS_COMMON_ZIPF:
        return "an ordinary word that is only an alternate name"  # "Dabei", "The Mission"
    if big or ("region-word" in span.cues and " " in span.key):
        return ""
    strong_context = "region-word" in span.cues or "parent" in best.evidence or (
        "region" in best.evidence  # "Nelson" in an article about British Columbia
    )
    if "first-name" in span.cues and not strong_context:
        return "a first name"
    if pop >= 20_000:
        if zipf >= MID_COMMON_ZIPF and not has_context:
            return "an ordinary word"
        return ""
    placed = has_context and "region" in best.evidence  # "in Newport", Wales named too
    if zipf >= SMALL_COMMON_ZIPF and not (
        "region-word" in span.cues or "parent" in best.evidence or placed
    ):
        return "an ordinary word"
    unmistakable = (  # "Donauwörth": no word (see above), one place bears it, at home
        len(span.places) == 1 and own and not NAMED_CUES & span.cues
        and facts.cc in HOME.get(language, ())
    )
    if not supported and not unmistakable:
        return "a small place named without context"
    own_name = normalize_name(gaz.record(best.place)[F_NAME])
    if own_name != span.key and pop < 5_000 and not has_context:
        return "a rare alternate name"
    return ""


FUNCTION_WORD_ZIPF = 6.0
ALIAS_COMMON_ZIPF = 4.0
MID_COMMON_ZIPF = 4.0
SMALL_COMMON_ZIPF = 3.0


def _zipf(gaz: Gazetteer, key: str, language: str) -> float:
    z = gaz.common.get(key)
    if z is None:
        return 0.0
    return z[0] if language == "de" else z[1] if language == "en" else max(z)


def _without_article(key: str) -> str:
    """"the mission" → "mission": the word a name with a leading article is made of."""
    first, _, rest = key.partition(" ")
    return rest if rest and first in ARTICLES else key


@cache
def ambiguous_words() -> dict[str, frozenset[str]]:
    """data/ambiguous.tsv: ordinary words that are also big places' names, per language."""
    out: dict[str, set[str]] = defaultdict(set)
    for row in read_table("ambiguous.tsv"):
        out[row["lang"]].add(normalize(row["word"]))
    return {lang: frozenset(words) for lang, words in out.items()}


BIG_CITY_ALIAS = 5_000_000
OWN_NAME_BONUS = {"country": 1.5, "continent": 1.5, "region": 1.2}


def _alias_penalty(gaz: Gazetteer, c: Scored) -> Scored:
    """When some candidate bears the name as its own ("Oklahoma", "Montana"), the ones that
    only list it as an alternate (Oklahoma City, Montana City) step back; very big cities
    keep the short name people call them by ("New York")."""
    f = _facts(gaz, c.place)
    if "own-name" in c.evidence or f.pop >= BIG_CITY_ALIAS or f.seat:  # f.seat: "Washington"
        return c
    evidence = {**c.evidence, "alias": -1.0}
    return Scored(c.place, round(c.score - 1.0, 3), evidence)


NAMESAKE_CITY = 1_000_000
HAMLET = 20_000


def _hamlet_penalty(gaz: Gazetteer, c: Scored) -> Scored:
    """A small town named like a country, region or sea ("China, Maine", "Middle East,
    Maryland") needs the text to say so ("X, Y"); article context alone is not enough."""
    f = _facts(gaz, c.place)
    if f.feature != "city" or f.pop >= HAMLET or "parent" in c.evidence:
        return c
    return Scored(c.place, round(c.score - 1.5, 3), {**c.evidence, "hamlet": -1.5})


def _namesake_bonus(gaz: Gazetteer, c: Scored, region_people: int) -> Scored:
    """A capital, a city of a million, or a city bigger than the region it shares its name
    with ("New York", "Washington", "México", "Manchester"): news usually means the city.
    `region_people`: the size of the biggest ISO region of that name (0: none)."""
    f = _facts(gaz, c.place)
    if f.feature != "city" or not (
        f.pop >= NAMESAKE_CITY or f.seat or f.pop > region_people > 0
    ):
        return c
    return Scored(c.place, round(c.score + 1.0, 3), {**c.evidence, "namesake": 1.0})


@lru_cache(maxsize=65_536)
def is_own_name(gaz: Gazetteer, idx: int, key: str) -> bool:
    """The key is the place's canonical name or its English/German label, not one of the
    many alternate names ("Mexico" is Mexico's own name, only an alias of Mexico City)."""
    r = gaz.record(idx)
    if r[F_FEATURE] not in ("city", "country"):
        return True  # regions, areas, continents: every name in our tables is deliberate
    if normalize_name(r[F_NAME]) == key:
        return True
    return any(normalize_name(label) == key for _, label in r[F_LABELS])


def normalize_name(name: str) -> str:
    return " ".join(name.split()).casefold()
