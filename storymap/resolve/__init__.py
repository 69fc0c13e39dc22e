"""Pick one place per span with a transparent score, and decide which spans are places.

The flow, one file each: `context` reads what the article says (its countries, regions,
clear places, the words between names), `features` scores each candidate as the weighted
sum of named evidence (weights: data/weights.tsv), `decide` drops what is no place (one
ordered list of rules) and gives identical names one sense per article. The context is
built per article and dropped with it: nothing is remembered between articles.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..gazetteer import Gazetteer
from ..recognize import Span
from .context import ArticleContext, Surroundings
from .decide import Facts, Resolution, early_verdict, final_verdict, one_sense, span_facts
from .features import FEATURES, Scored, Weight, rank, setting, shortlist, weight_table, weights
from .limits import LIMITS

__all__ = [
    "FEATURES", "Resolution", "Scored", "Weight", "early_verdict", "final_verdict",
    "ranked_candidates", "resolve", "weight_table", "weights",
]


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
    facts, early, ranked = ranked_candidates(spans, text, language, gaz, hint_countries)
    out = []
    for k, span in enumerate(spans):
        reason = early[k] or final_verdict(facts[k], ranked[k])
        out.append(Resolution(span, tuple(ranked[k][: LIMITS.kept]), reason))
    return out


def ranked_candidates(
    spans: Sequence[Span], text: str, language: str, gaz: Gazetteer,
    hint_countries: Sequence[str] = (), w: tuple[float, ...] | None = None,
) -> tuple[list[Facts], list[str], list[list[Scored]]]:
    """Per span: what the rules read, the early verdict, and every shortlisted candidate
    scored (best first; empty when dropped early). `w`: weights other than the shipped
    ones (scripts/fit_weights.py)."""
    w = weights() if w is None else w
    words = Surroundings.read(spans, text, language)
    facts = [span_facts(span, k, words, language, gaz) for k, span in enumerate(spans)]
    early = [early_verdict(v) for v in facts]
    clear = [s for s, e in zip(spans, early, strict=True) if not e]
    ctx = ArticleContext.build(words, clear, language, gaz, hint_countries)
    ranked: list[list[Scored]] = []
    for k, span in enumerate(spans):
        if early[k]:
            ranked.append([])
            continue
        places = shortlist(span.places, ctx)
        ranked.append(rank(setting(span, k, spans, ctx, places), places, ctx, w))
    one_sense(spans, ranked)
    return facts, early, ranked

