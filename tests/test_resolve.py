"""Tests for storymap.resolve: transparent scores (named evidence that sums to the score),
ranked candidates, confidence in [0, 1], one sense per article, "X, Y" parents, region cues,
and the reasons for dropping spans that are no places."""

from __future__ import annotations

import math
import re

import pytest
from conftest import km, occurrence

from storymap import article
from storymap.gazetteer import F_CC, F_FEATURE, F_LAT, F_LON, F_POP, Gazetteer
from storymap.recognize import find_spans
from storymap.resolve import FEATURES, Resolution, resolve, weight_table

EVIDENCE_NAME = re.compile(r"[a-z][a-z-]*")


def documented_evidence() -> set[str]:
    """The features the shipped weights table (data/weights.tsv) gives a weight and a
    meaning."""
    return {w.feature for w in weight_table() if w.meaning.strip()}

TEXTS = {
    "seed-like": (
        "de",
        "Russland und Nordkorea vertiefen Beziehungen\n"
        "Der Kreml lobt die Gespräche in Wonsan. Nordkoreanische Soldaten kämpfen im Gebiet "
        "Kursk.\nIm Sommer hielt Kim eine Rede in Wonsan.",
    ),
    "portland": (
        "en",
        "The ferry from Portland, Maine, resumed service. In Portland, the harbour master "
        "welcomed the decision, and Boston officials agreed.",
    ),
    "paris-texas": (
        "en",
        "Paris, Texas, is a small city. Visitors to Paris enjoy the Eiffel Tower replica "
        "there.",
    ),
    "london-ontario": ("en", "The concert in London, Ontario, sold out within minutes."),
}


def resolutions(gaz: Gazetteer, name: str) -> tuple[str, list[Resolution]]:
    language, text = TEXTS[name]
    art = article.load(text, language=language)
    spans = find_spans(art.text, art.passages, art.language, gaz)
    return art.text, resolve(spans, art.text, art.language, gaz)


def at(text: str, res: list[Resolution], word: str, nth: int = 0) -> Resolution:
    start, end = occurrence(text, word, nth)
    found = [r for r in res if r.span.start < end and start < r.span.end]
    assert len(found) == 1, (word, [r.span.text for r in res])
    return found[0]


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_one_resolution_per_span_in_order(gaz: Gazetteer, name: str) -> None:
    language, text = TEXTS[name]
    art = article.load(text, language=language)
    spans = find_spans(art.text, art.passages, art.language, gaz)
    res = resolve(spans, art.text, art.language, gaz)
    assert [r.span for r in res] == spans


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_scores_are_sums_of_named_evidence(gaz: Gazetteer, name: str) -> None:
    _, res = resolutions(gaz, name)
    for r in res:
        for c in r.candidates:
            evidence = c.evidence()
            assert "prior" in evidence
            assert all(EVIDENCE_NAME.fullmatch(k) for k in evidence), evidence
            assert all(math.isfinite(v) for v in evidence.values())
            assert c.score == pytest.approx(sum(evidence.values()), abs=0.01)
            assert c.place in r.span.places


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_candidates_ranked_and_confidence_bounded(gaz: Gazetteer, name: str) -> None:
    _text, res = resolutions(gaz, name)
    keys: dict[str, int] = {}
    for r in res:
        keys[r.span.key] = keys.get(r.span.key, 0) + 1
    for r in res:
        assert 0.0 <= r.confidence <= 1.0
        assert len(r.candidates) <= 5
        assert len({c.place for c in r.candidates}) == len(r.candidates)
        scores = [c.score for c in r.candidates]
        if keys[r.span.key] == 1:
            assert scores == sorted(scores, reverse=True), r.span.text
        else:  # one sense per article may move the article-wide winner to the front
            assert scores[1:] == sorted(scores[1:], reverse=True), r.span.text
        if r.dropped:
            assert r.best is None and r.confidence == 0.0
        elif r.candidates:
            assert r.best == r.candidates[0]
        if len(r.candidates) == 1 and not r.dropped:
            assert r.confidence == 1.0


def test_confidence_grows_with_the_margin(gaz: Gazetteer) -> None:
    _text, res = resolutions(gaz, "seed-like")
    for r in res:
        if r.best is not None and len(r.candidates) > 1:
            margin = r.candidates[0].score - r.candidates[1].score
            assert (r.confidence >= 0.5) == (margin >= 0), r.span.text


def test_one_sense_per_article(gaz: Gazetteer) -> None:
    text, res = resolutions(gaz, "portland")
    first, second = at(text, res, "Portland", 0), at(text, res, "Portland", 1)
    assert first.best is not None and second.best is not None
    assert first.best.place == second.best.place
    r = gaz.record(first.best.place)
    assert km(r[F_LAT], r[F_LON], 43.66, -70.26) <= 25  # Portland, Maine, from "X, Y"


def test_one_sense_spreads_the_parent(gaz: Gazetteer) -> None:
    text, res = resolutions(gaz, "paris-texas")
    for nth in (0, 1):
        r = at(text, res, "Paris", nth)
        assert r.best is not None
        assert gaz.record(r.best.place)[F_CC] == "US", nth


def test_parent_evidence(gaz: Gazetteer) -> None:
    text, res = resolutions(gaz, "london-ontario")
    london = at(text, res, "London")
    assert london.best is not None
    assert "parent" in london.best.evidence()
    assert gaz.record(london.best.place)[F_CC] == "CA"
    runner_up = [c for c in london.candidates if gaz.record(c.place)[F_CC] == "GB"]
    assert runner_up, "London, England stays as a candidate a person can pick"


def test_region_cue_evidence(gaz: Gazetteer) -> None:
    text, res = resolutions(gaz, "seed-like")
    kursk = at(text, res, "Kursk")
    assert kursk.best is not None
    assert gaz.record(kursk.best.place)[F_FEATURE] == "region"
    assert "cue" in kursk.best.evidence()


def test_country_coherence_evidence(gaz: Gazetteer) -> None:
    text, res = resolutions(gaz, "seed-like")
    wonsan = at(text, res, "Wonsan")
    assert wonsan.best is not None
    assert gaz.record(wonsan.best.place)[F_CC] == "KP"
    assert "country" in wonsan.best.evidence()  # Nordkorea is named in the article


@pytest.mark.parametrize("word", ["Sommer", "Kim", "Rede"])
def test_dropped_spans_say_why(gaz: Gazetteer, word: str) -> None:
    text, res = resolutions(gaz, "seed-like")
    start, end = occurrence(text, word)
    found = [r for r in res if r.span.start < end and start < r.span.end]
    # either never a span, or a span dropped with a reason a person can read
    for r in found:
        assert r.dropped, word
        assert len(r.dropped) > 5 and r.best is None


def test_adjectives_and_metonyms_are_never_dropped_as_words(gaz: Gazetteer) -> None:
    text, res = resolutions(gaz, "seed-like")
    for word in ("Kreml", "Nordkoreanische"):
        r = at(text, res, word)
        assert not r.dropped and r.best is not None


def test_prior_orders_feature_classes(gaz: Gazetteer) -> None:
    prior = gaz.facts.prior
    country = prior[gaz.countries["DE"]]
    region = prior[gaz.regions["DE-BY"]]
    big = prior[gaz.seats["DE"]]  # Berlin
    village = min(
        (i for i, r in enumerate(gaz.records) if r[F_FEATURE] == "city" and r[F_POP] < 2000),
        key=lambda i: gaz.records[i][F_POP],
    )
    assert country > region > prior[village]
    assert big > prior[village]


def test_resolve_nothing(gaz: Gazetteer) -> None:
    assert resolve([], "", "de", gaz) == []


def test_documented_evidence_includes_the_basics() -> None:
    assert {"prior", "country", "region", "parent", "cue", "nearby"} <= documented_evidence()


def test_every_evidence_name_is_documented(gaz: Gazetteer) -> None:
    used: set[str] = set()
    for name in TEXTS:
        for r in resolutions(gaz, name)[1]:
            for c in r.candidates:
                used |= set(c.evidence())
    assert used - documented_evidence() == set()


def test_every_feature_has_a_weight_a_source_and_a_meaning() -> None:
    table = {w.feature: w for w in weight_table()}
    assert set(table) == set(FEATURES)
    for w in table.values():
        assert math.isfinite(w.weight)
        assert w.source in ("fitted", "hand-set"), w
        assert len(w.meaning.split()) >= 3, w


DROP_TEXTS = (
    ("de", "Im Mai sprach Paris Hilton in Essen. Die Halle war voll, sagte Anna Essen. "
           "Dabei war auch Florence Pugh, die nach Florenz weiterreiste."),
    ("en", "In May, Sydney Sweeney and Madison Keys met in Madison. Will the mission in "
           "Mission, Texas, succeed? Chelsea Clinton visited Chelsea, London, on Monday."),
)


@pytest.mark.parametrize(("language", "text"), DROP_TEXTS)
def test_early_filter_and_final_verdict_agree(gaz: Gazetteer, language: str, text: str) -> None:
    """Whatever the early filter drops, the final verdict drops for the same reason, whichever
    candidate would have won; and the final verdict is what `resolve` reports."""
    from storymap.resolve import FEATURES, Scored, final_verdict, ranked_candidates

    art = article.load(text, language=language)
    spans = find_spans(art.text, art.passages, art.language, gaz)
    facts, early, ranked = ranked_candidates(spans, art.text, art.language, gaz)
    res = resolve(spans, art.text, art.language, gaz)
    zero = (0.0,) * len(FEATURES)
    dropped_early = 0
    for k, span in enumerate(spans):
        if early[k]:
            dropped_early += 1
            assert ranked[k] == []
            for place in span.places[:5]:
                as_if = [Scored(place, 0.0, zero, zero)]
                assert final_verdict(facts[k], as_if) == early[k], span.text
            assert res[k].dropped == early[k]
        else:
            assert res[k].dropped == final_verdict(facts[k], ranked[k])
    assert dropped_early, "the texts have spans the early filter drops"
