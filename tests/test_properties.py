"""Property tests (hypothesis) of the whole pipeline on generated articles: prose fragments,
place names (with inflections, abbreviations, other scripts) and random Unicode, glued with
random separators.

For every text that is an article at all (anything else must raise InputError):
- every mention's text is the article slice at its offsets;
- mentions are sorted and do not overlap, and each lies inside its passage;
- places, seats, confidences and kinds are consistent;
- running twice gives the same story, and the JSON form round-trips.
"""

from __future__ import annotations

import itertools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storymap.errors import InputError
from storymap.gazetteer import Gazetteer
from storymap.model import MENTION_KINDS, Story
from storymap.pipeline import run

PROSE = [
    "Die Regierung kündigte am Montag neue Maßnahmen an",
    "sagte ein Sprecher der Behörde",
    "im Sommer",
    "die Rede des Ministers",
    "beim Essen",
    "Der Präsident",
    "officials said on Monday",
    "Reading the report",
    "the Mission",
    "in March",
    "according to a statement",
    "Präsident Lincoln",
    "Mary Adams said",
    "Wladimir Putin",
    "Kim Jong Un",
    "Paris Hilton",
    "nach Angaben der Polizei",
    "„Wir prüfen das“, hieß es",
    "1.000 Menschen",
]
PLACES = [
    "Berlin", "Wien", "Wiener", "Russland", "Russlands", "Nordkorea", "Nordkoreas",
    "nordkoreanischen", "westrussischen", "russische", "US-amerikanische", "Wonsan",
    "Gebiet Kursk", "Kursk region", "Kreml", "der Kreml", "das Weiße Haus", "the White House",
    "Downing Street", "Élysée", "New York", "U.S.", "UK", "B.C.", "Ky.", "Russia's",
    "North Korean", "Paris", "Paris, Texas", "London, Ontario", "Portland, Maine", "Georgia",
    "Tbilisi", "Atlanta", "Texas", "Ohio", "Alberta", "Bayern", "Steiermark", "steirischen",
    "Tirol", "Europa", "Afrika", "Europe", "Essen", "in Essen", "Halle", "Reading, Berkshire",
    "Baden-Württemberg", "St. Louis", "Côte d'Ivoire", "Москва", "Μόσχα", "Spanien",
    "Österreich", "Donau",
]
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", "\n\n", "s ", "-", "", " (", ") ", ": ", "\t"]

fragments = st.one_of(
    st.sampled_from(PROSE),
    st.sampled_from(PLACES),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
)


@st.composite
def articles(draw: st.DrawFn) -> str:
    parts = draw(st.lists(fragments, min_size=1, max_size=24))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts)))
    return "".join(itertools.chain.from_iterable(zip(parts, seps, strict=True)))


def check_story(story: Story) -> None:
    text = story.article
    for p in story.passages:
        assert text[p.start : p.end] == p.text
    for i, p in enumerate(story.passages):
        assert p.index == i
    for a, b in itertools.pairwise(story.mentions):
        assert a.start < b.start and a.end <= b.start, (a, b)
    place_ids = {p.id for p in story.places}
    assert len(place_ids) == len(story.places)
    for m in story.mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert 0 <= m.passage < len(story.passages)
        p = story.passages[m.passage]
        assert p.start <= m.start and m.end <= p.end, (m, p)
        assert m.kind in MENTION_KINDS
        assert 0.0 <= m.confidence <= 1.0
        assert m.place_id is None or m.place_id in place_ids
    for place in story.places:
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180
        if place.seat_of is not None:
            assert place.seat_of in {m.place_id for m in story.mentions}
        else:
            assert story.mentions_of(place.id), place


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=articles(), language=st.sampled_from([None, "de", "en"]))
def test_mentions_are_exact_sorted_and_inside_passages(
    gaz: Gazetteer, text: str, language: str | None
) -> None:
    try:
        story = run(text, language=language, gazetteer=gaz)
    except InputError:
        return  # empty, binary-looking or wordless input: refused with a message
    check_story(story)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=articles())
def test_running_twice_gives_the_same_story(gaz: Gazetteer, text: str) -> None:
    try:
        first = run(text, gazetteer=gaz)
    except InputError:
        return
    second = run(text, gazetteer=gaz)
    assert first.to_dict() == second.to_dict()
    assert first == second
    again = Story.from_dict(first.to_dict())
    assert again.to_dict() == first.to_dict()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    name=st.sampled_from(PLACES),
)
def test_a_place_name_inside_noise_keeps_offsets_exact(
    gaz: Gazetteer, prefix: str, name: str
) -> None:
    text = f"{prefix} Die Delegation reiste nach {name} und sprach mit der Presse."
    try:
        story = run(text, language="de", gazetteer=gaz)
    except InputError:
        return
    check_story(story)


def check_formats_agree(story: Story) -> None:
    """The exported map, the GeoJSON and the story JSON count the same places and mentions:
    a seat of government shown only for its country is part of it, never a place of its
    own, and every mention counts once, for the place it names. Each view fits its place."""
    from storymap.export import dump_story, geojson_dict
    from storymap.render import story_payload

    resolved = [m for m in story.mentions if m.place_id]
    named = [p.id for p in story.named_places()]
    for language in ("de", "en"):
        payload = story_payload(story, language)
        assert [p["id"] for p in payload["places"]] == named
        assert sum(p["count"] for p in payload["places"]) == len(resolved)
        assert sorted(i for p in payload["places"] for i in p["mi"]) == [
            i for i, m in enumerate(payload["mentions"]) if m[3] >= 0]
        for p in payload["places"]:
            assert p["zoom"] <= (7 if p["feature"] in ("country", "region", "continent")
                                 else 13), p
    features = geojson_dict(story)["features"]
    assert sum(len(f["properties"]["mentions"]) for f in features) == len(resolved)
    assert [f["id"] for f in features if f["properties"]["mentions"]] == named
    seats = {f["id"] for f in features if not f["properties"]["mentions"]}
    assert all(f["properties"]["seat_of"] for f in features if f["id"] in seats)
    saved = Story.from_dict(json.loads(dump_story(story)))
    assert [p.id for p in saved.named_places()] == named


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=articles(), drop=st.integers(min_value=0, max_value=50))
def test_exported_formats_agree_before_and_after_a_correction(
    gaz: Gazetteer, text: str, drop: int
) -> None:
    try:
        story = run(text, gazetteer=gaz)
    except InputError:
        return
    check_formats_agree(story)
    named = story.named_places()
    if named:
        check_formats_agree(story.without_place(named[drop % len(named)].id))
