"""Which spans are places, and one sense per name per article.

Not-a-place is one ordered list of rules (`RULES`), each a verdict and a test; the first
rule whose test holds decides (a verdict of "" keeps the span). Rules of the "span" stage
read only what the span and its surroundings say, so they come first and run before any
scoring as the early filter (about a third of a news article's spans — sentence starts,
months, people's names — are never scored); the "score" stage reads the best candidate too.
The early filter and the final verdict walk the same list: the early one stops at the first
"score" rule, so whatever it drops the final verdict drops for the same reason.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from ..gazetteer import Gazetteer, PlaceFacts
from ..recognize import ARTICLES, Span, shouted
from .context import Surroundings, in_context
from .features import Scored
from .limits import LIMITS

NAMED_CUES = frozenset({"region-word", "before-name"})
"""Cues that the name is part of a longer one or marked as a region ("the Halle office")."""
STRONG_CUES = frozenset({"region-word", "dateline"})
"""Cues that make even a common word a place: "Gebiet Kursk", the dateline "Wels - …"."""
KEEP = ""


@dataclass(frozen=True, slots=True)
class Resolution:
    """The decision for one span: its ranked candidates, or dropped with a reason."""

    span: Span
    candidates: tuple[Scored, ...]
    dropped: str = ""

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
        return round(1.0 / (1.0 + math.exp(-LIMITS.confidence_slope * margin)), 3)


class Facts(NamedTuple):
    """What the rules read about one name span; `best` is None before scoring."""

    span: Span
    language: str
    zipf: float
    """How common the name is as a word in the article's language (0: shouted, "AP")."""
    cued: bool
    """The text calls it a place: "in X", "Gebiet X", or an enumeration of names."""
    has_parent: bool
    """It is the X of "X, Y" / "X (Y)" / "X in Y" (whether Y contains X is for the score)."""
    person: bool
    """The name is part of a person's name elsewhere in the article."""
    ambiguous: bool
    gaz: Gazetteer
    placed_elsewhere: bool = False
    """Another mention of the same name is in context ("in Salzburg"): one sense, one
    verdict, so a bare dateline "Salzburg -" is no ordinary word either."""
    best: Scored | None = None
    big: bool = False
    """The best candidate is important, or some candidate has `big_place` people."""

    @property
    def f(self) -> PlaceFacts:
        return self.gaz.facts

    @property
    def b(self) -> int:
        assert self.best is not None, "a score-stage rule ran before scoring"
        return self.best.place

    def has(self, feature: str) -> bool:
        return self.best is not None and self.best.has(feature)

    @property
    def context(self) -> bool:
        """The text calls it a place: cued, or the Y of "X, Y" contains it (before scoring,
        any "X, Y" may: only the score can tell, so the early rules give it the benefit)."""
        if self.best is None:
            return self.cued or self.has_parent
        return self.cued or self.best.has("parent")


def _without_article(key: str) -> str:
    """"the mission" → "mission": the word a name with a leading article is made of."""
    first, _, rest = key.partition(" ")
    return rest if rest and first in ARTICLES else key


def _noun_after_article(v: Facts) -> bool:
    noun_like = v.language == "de" or v.f.pop[v.b] < LIMITS.big_place  # "the London office"
    return ("determiner" in v.span.cues and v.f.feature[v.b] == "city" and noun_like
            and v.zipf >= LIMITS.small_common_zipf and not NAMED_CUES & v.span.cues)


def _person_not_place(v: Facts) -> bool:
    """"Anna Essen zog nach Essen": the person's name does not hide the big city after
    "nach"."""
    f, b = v.f, v.b
    named_as_place = f.important[b] or (f.pop[b] >= LIMITS.big_place
                                        and "locative" in v.span.cues)
    return v.person and not named_as_place


def _person_alias(v: Facts) -> bool:
    person_like = "first-name" in v.span.cues or "before-name" in v.span.cues
    return (person_like and not v.context and not v.f.own_name(v.b, v.span.key)
            and v.f.feature[v.b] not in ("country", "continent"))


def _word_alias(v: Facts) -> bool:
    """"Dabei", "The Mission": an ordinary word that is only a town's alternate name."""
    if v.context or v.f.feature[v.b] != "city" or v.f.own_name(v.b, v.span.key):
        return False
    bare = v.gaz.zipf(_without_article(v.span.key), v.language)
    return max(v.zipf, bare) >= LIMITS.alias_common_zipf


def _strong_context(v: Facts) -> bool:
    return "region-word" in v.span.cues or v.has("parent") or v.has("region")


def _unmistakable(v: Facts) -> bool:
    """"Donauwörth": no word, one place bears it as its own, at home."""
    from .context import HOME

    return (len(v.span.places) == 1 and v.f.own_name(v.b, v.span.key)
            and not NAMED_CUES & v.span.cues and v.f.cc[v.b] in HOME.get(v.language, ()))


def _small_uncontexted(v: Facts) -> bool:
    supported = v.context or v.has("country") or v.has("country-mentions") or v.has("region")
    return not supported and not _unmistakable(v)


def _rare_alias(v: Facts) -> bool:
    return v.f.name_key[v.b] != v.span.key and v.f.pop[v.b] < LIMITS.rare_alias and not v.context


def _region_by_name(v: Facts) -> bool:
    """"Leicestershire", "Lancashire": a region's own name that is no common word. Regions
    have no population of their own, so the small-town rules below would read wordfreq's
    count of the name itself as an ordinary word."""
    return (v.f.feature[v.b] == "region" and v.f.own_name(v.b, v.span.key)
            and v.zipf < LIMITS.mid_common_zipf)


class Rule(NamedTuple):
    verdict: str
    """Why the span is no place; "" (KEEP): it is one, stop here."""
    stage: Literal["span", "score"]
    test: Callable[[Facts], bool]


RULES: tuple[Rule, ...] = (
    Rule("part of a person's name", "span", lambda v: "person" in v.span.cues),
    Rule("part of a title", "span", lambda v: "title" in v.span.cues),
    Rule("a month or weekday", "span", lambda v: "calendar" in v.span.cues
         and "region-word" not in v.span.cues and not v.has_parent),
    Rule("an ordinary word that is also a place name", "span",
         lambda v: v.ambiguous and not v.context),
    Rule("a very common word", "span",
         lambda v: v.zipf >= LIMITS.function_word_zipf and not v.context),
    Rule("a noun after an article", "score", _noun_after_article),
    Rule("part of a person's name", "score", _person_not_place),
    Rule("a person's name that is also an alternate place name", "score", _person_alias),
    Rule("an ordinary word that is only an alternate name", "score", _word_alias),
    Rule(KEEP, "score", lambda v: v.big or ("region-word" in v.span.cues and " " in v.span.key)),
    Rule("a first name", "score",
         lambda v: "first-name" in v.span.cues and not _strong_context(v)),
    Rule("an ordinary word", "score", lambda v: v.f.pop[v.b] >= LIMITS.hamlet
         and v.zipf >= LIMITS.mid_common_zipf and not (v.context or v.placed_elsewhere)),
    Rule(KEEP, "score", lambda v: v.f.pop[v.b] >= LIMITS.hamlet),
    Rule(KEEP, "score", _region_by_name),
    Rule("an ordinary word", "score", lambda v: v.zipf >= LIMITS.small_common_zipf
         and not (STRONG_CUES & v.span.cues or v.has("parent")
                  or (v.context and v.has("region")))),  # "in Newport", Wales named too
    Rule("a small place named without context", "score", _small_uncontexted),
    Rule("a rare alternate name", "score", _rare_alias),
)
"""Not-a-place, in order: the first rule that holds decides."""


def span_facts(span: Span, k: int, words: Surroundings, language: str, gaz: Gazetteer
               ) -> Facts:
    has_parent = k in words.parents
    return Facts(span, language, 0.0 if shouted(span.text) else gaz.zipf(span.key, language),
                 in_context(span, k, {}, words.listed), has_parent,
                 span.key in words.person_keys, span.key in words.ambiguous, gaz,
                 span.key in words.placed_keys)



def _fixed(span: Span) -> str | None:
    """The verdicts no rule is needed for: unknowns, spans without candidates, and
    adjectives and metonyms (always places)."""
    if "unknown" in span.cues:
        return "not in the gazetteer"
    if not span.places:
        return "no candidates"
    return KEEP if span.kind != "name" else None


def early_verdict(v: Facts) -> str:
    """The verdict of the "span" rules (KEEP: score the span and decide after)."""
    fixed = _fixed(v.span)
    if fixed is not None:
        return fixed
    for rule in RULES:
        if rule.stage != "span":
            break
        if rule.test(v):
            return rule.verdict
    return KEEP


def final_verdict(v: Facts, cands: Sequence[Scored]) -> str:
    """The verdict of all the rules, given the span's ranked candidates."""
    fixed = _fixed(v.span)
    if fixed is not None:
        return fixed
    if not cands:
        return "no candidates"
    f = v.gaz.facts
    big = f.important[cands[0].place] or any(f.pop[c.place] >= LIMITS.big_place for c in cands)
    scored = v._replace(best=cands[0], big=big)
    for rule in RULES:
        if rule.test(scored):
            return rule.verdict
    return KEEP


def one_sense(spans: Sequence[Span], ranked: list[list[Scored]]) -> None:
    """Identical names share the candidate with the best total score over the article:
    each such span's list is reordered in place, the winner first."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for k, span in enumerate(spans):
        if ranked[k]:
            by_key[span.key].append(k)
    for ks in by_key.values():
        if len(ks) < 2 or len({spans[k].kind for k in ks}) > 1:
            continue
        totals: dict[int, float] = defaultdict(float)
        for k in ks:
            for c in ranked[k]:
                totals[c.place] += c.score
        winner = max(totals, key=lambda p: (totals[p], -p))
        for k in ks:
            ranked[k].sort(key=lambda c: (c.place != winner, -c.score, c.place))
