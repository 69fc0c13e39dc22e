"""The evidence for each candidate place of a name: one small function per feature, and the
weights table they are summed with (data/weights.tsv, fitted by scripts/fit_weights.py).

A feature gives a number per candidate from (setting, candidates, context): `setting` is
what the text says around this one name, the candidates gazetteer record indices, the
context what the whole article says. It is called once per name for all its candidates
(a feature that cannot apply, say no "X, Y" in the text, answers for all of them at once).
A candidate's score is the dot product of its feature values with the weights;
`Scored.evidence()` shows each non-zero term.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import mul
from typing import NamedTuple

from ..gazetteer import read_table
from ..model import Evidence
from ..recognize import Span
from .context import HOME, ArticleContext, by_prior
from .limits import LIMITS


class Rivals(NamedTuple):
    """What a name's other candidates say about each one (``alias``, ``namesake``,
    ``hamlet``): the same for all of them."""

    own_name: bool
    """Some candidate bears the name as its own."""
    region: bool
    """Some candidate is a region."""
    region_people: int
    """The most people in an ISO region among the candidates (0: none)."""
    important: bool
    """Some candidate is a country, continent, ISO region or curated area."""


class Setting(NamedTuple):
    """What the text says around one name span, read once for all its candidates."""

    key: str
    cue: str
    """"city" ("Stadt X", "X city") or "region" ("Gebiet X", "X County") or ""."""
    parents: tuple[int, ...]
    """The places of Y when the span is X in "X, Y"."""
    children: tuple[int, ...]
    """The places of X when the span is Y in "X, Y"."""
    rivals: Rivals
    alone: bool
    """The span has a single candidate: nothing to tell apart."""


Feature = Callable[[Setting, Sequence[int], ArticleContext], list[float]]
"""A feature's values for each of a span's candidates (gazetteer record indices), in order:
one call per span, not per candidate, so a feature that cannot apply (no "X, Y", no cue, no
country named) answers for all of them at once."""


def prior(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    p = ctx.facts.prior
    return [p[i] for i in cands]


def _in_named_region(s: Setting, idx: int, ctx: ArticleContext) -> bool:
    f = ctx.facts
    local = f.feature[idx] not in ("country", "continent", "region") or f.county[idx]
    return local and ctx.region_named(f.region[idx], s.key)


def _country_support(s: Setting, idx: int, ctx: ArticleContext) -> int:
    """Mentions of other names in the candidate's country, where they count for it: not
    for regions (``region-country``), nor when its region is named (that implies them)."""
    if ctx.facts.feature[idx] in ("continent", "region") or _in_named_region(s, idx, ctx):
        return 0
    return ctx.support(ctx.facts.cc[idx], s.key)


def country(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    if not ctx.countries:
        return [0.0] * len(cands)
    return [float(_country_support(s, i, ctx) > 0) for i in cands]


def country_mentions(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    if not ctx.countries:
        return [0.0] * len(cands)
    return [float(_country_support(s, i, ctx)) for i in cands]


def region(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    if not ctx.regions:
        return [0.0] * len(cands)
    return [float(_in_named_region(s, i, ctx)) for i in cands]


def region_country(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    f = ctx.facts
    return [float(f.feature[i] == "region" and bool(f.region[i])
                  and ctx.support(f.cc[i], s.key) > 0) for i in cands]


def own_name(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    f = ctx.facts
    return [float(f.feature[i] not in ("country", "continent", "region")
                  and f.own_name(i, s.key)) for i in cands]


def own_name_country(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    f = ctx.facts
    return [float(f.feature[i] in ("country", "continent") and f.own_name(i, s.key))
            for i in cands]


def own_name_region(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    f = ctx.facts
    return [float(f.feature[i] == "region" and f.own_name(i, s.key)) for i in cands]


def _inside(parents: tuple[int, ...], idx: int, ctx: ArticleContext) -> bool:
    """One of the places of Y in "X, Y" contains the candidate."""
    f = ctx.facts
    for p in parents:
        if (f.feature[p] == "country" and f.cc[p] == f.cc[idx] and f.feature[idx] != "country"
                ) or (f.feature[p] == "region" and f.region[p] == f.region[idx] and p != idx):
            return True
    return False


def parent(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    return [float(_inside(s.parents, i, ctx)) for i in cands]


def child(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    if not s.children:
        return [0.0] * len(cands)
    f = ctx.facts
    return [float(any(c != i and (
        (f.feature[i] == "region" and f.region[c] and f.region[c] == f.region[i])
        or (f.feature[i] == "country" and f.cc[c] == f.cc[i])) for c in s.children))
        for i in cands]


def cue(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    feature = ctx.facts.feature
    return [float(bool(s.cue) and feature[i] == s.cue) for i in cands]


def language(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    f, home = ctx.facts, HOME.get(ctx.language, frozenset())
    return [float(f.feature[i] in ("city", "region") and f.cc[i] in home) for i in cands]


def capital(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    f = ctx.facts
    return [float(f.feature[i] == "city" and f.seat[i]) for i in cands]


def _closeness(s: Setting, idx: int, ctx: ArticleContext) -> float:
    f = ctx.facts
    if not (f.feature[idx] == "city" or f.county[idx]):
        return 0.0
    d = ctx.distance_km(f.lat[idx], f.lon[idx], s.key)
    return round(1.0 - d / LIMITS.nearby_km, 3) if d < LIMITS.nearby_km else 0.0


def nearby(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    """1 at a clear place of the article, falling to 0 at `nearby_km` (cities and counties:
    a county is small enough for its neighbours to tell which of 23 Jackson Counties)."""
    if s.alone or not ctx.points:
        return [0.0] * len(cands)
    return [_closeness(s, i, ctx) for i in cands]


def alias(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    if not s.rivals.own_name:
        return [0.0] * len(cands)
    f = ctx.facts
    return [float(not f.own_name(i, s.key) and f.pop[i] < LIMITS.big_city_alias
                  and not f.seat[i]) for i in cands]


def namesake(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    if not s.rivals.region:
        return [0.0] * len(cands)
    f, people = ctx.facts, s.rivals.region_people
    return [float(f.feature[i] == "city" and (
        f.pop[i] >= LIMITS.namesake_city or f.seat[i] or f.pop[i] > people > 0))
        for i in cands]


def hamlet(s: Setting, cands: Sequence[int], ctx: ArticleContext) -> list[float]:
    if not s.rivals.important:
        return [0.0] * len(cands)
    f = ctx.facts
    return [float(f.feature[i] == "city" and f.pop[i] < LIMITS.hamlet
                  and not _inside(s.parents, i, ctx)) for i in cands]


FEATURES: Mapping[str, Feature] = {
    "prior": prior,
    "country": country,
    "country-mentions": country_mentions,
    "region": region,
    "region-country": region_country,
    "own-name": own_name,
    "own-name-country": own_name_country,
    "own-name-region": own_name_region,
    "parent": parent,
    "child": child,
    "cue": cue,
    "language": language,
    "capital": capital,
    "nearby": nearby,
    "alias": alias,
    "namesake": namesake,
    "hamlet": hamlet,
}
"""Every evidence feature, in the order of the weights vector."""
NAMES = tuple(FEATURES)
INDEX = {name: k for k, name in enumerate(NAMES)}


class Weight(NamedTuple):
    feature: str
    weight: float
    source: str
    """"fitted" (scripts/fit_weights.py) or "hand-set" (where the data cannot speak)."""
    meaning: str


@cache
def weight_table() -> tuple[Weight, ...]:
    """data/weights.tsv, one row per feature (a shipped table, read once)."""
    return tuple(Weight(r["feature"], float(r["weight"]), r["source"], r["meaning"])
                 for r in read_table("weights.tsv"))


def weights() -> tuple[float, ...]:
    """The weights in feature order (a missing feature weighs 0)."""
    table = {w.feature: w.weight for w in weight_table()}
    return tuple(table.get(name, 0.0) for name in NAMES)


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate place (gazetteer record index) with its feature values and score."""

    place: int
    score: float
    values: tuple[float, ...]
    """Feature values in `NAMES` order."""
    weights: tuple[float, ...]

    def has(self, feature: str) -> bool:
        return self.values[INDEX[feature]] != 0.0

    def evidence(self) -> Evidence:
        """Each non-zero term of the score, by feature name."""
        return Evidence((name, round(v * w, 3)) for name, v, w
                        in zip(NAMES, self.values, self.weights, strict=True) if v and w)


def setting(span: Span, k: int, spans: Sequence[Span], ctx: ArticleContext,
            shortlist: tuple[int, ...]) -> Setting:
    """What the text says around spans[k] (`shortlist`: its candidates)."""
    parents = ctx.words.parents
    children = spans[k - 1].places if k and parents.get(k - 1) == span.places else ()
    cue_name = ("city" if "city-word" in span.cues else
                "region" if "region-word" in span.cues else "")
    return Setting(span.key, cue_name, parents.get(k, ()), children,
                   rivals(span.key, shortlist, ctx), len(shortlist) < 2)


def rivals(key: str, shortlist: tuple[int, ...], ctx: ArticleContext) -> Rivals:
    f = ctx.facts
    return Rivals(
        any(f.own_name(i, key) for i in shortlist),
        any(f.feature[i] == "region" for i in shortlist),
        max((f.region_people[i] for i in shortlist), default=0),
        any(f.important[i] for i in shortlist),
    )


def shortlist(places: tuple[int, ...], ctx: ArticleContext) -> tuple[int, ...]:
    """At most `shortlist` candidates by prior, plus the best few in the article's countries
    ("Windsor" has 40 namesakes; the Ontario one may rank low by size alone)."""
    n = LIMITS.shortlist
    if len(places) <= n:
        return places
    ranked = by_prior(ctx.facts, places)
    local = [i for i in ranked[n:] if ctx.facts.cc[i] in ctx.countries]
    return ranked[:n] + tuple(local[: n // 2])


def rank(s: Setting, places: tuple[int, ...], ctx: ArticleContext, w: tuple[float, ...]
         ) -> list[Scored]:
    """The candidates scored, best first (ties: the lower record index): each feature
    evaluated once for all of them, each score the dot product of its values with `w`."""
    columns = [fn(s, places, ctx) for fn in FEATURES.values()]
    scored = []
    for k, idx in enumerate(places):
        values = tuple([col[k] for col in columns])
        scored.append(Scored(idx, round(sum(map(mul, values, w)), 3), values, w))
    scored.sort(key=lambda c: (-c.score, c.place))
    return scored
