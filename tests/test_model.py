"""Tests for storymap.model: the Story queries, corrections, GeoJSON and the JSON round trip.

Stories here are built by hand (no gazetteer), with offsets computed from the text.
"""

from __future__ import annotations

import copy
import json
import math
import pickle
from dataclasses import FrozenInstanceError, replace
from typing import Any

import pytest

from storymap.model import (
    FEATURES,
    MENTION_KINDS,
    Candidate,
    Mention,
    Passage,
    Place,
    Story,
    unique_places,
)

TEXT = (
    "Russland und Nordkorea rücken zusammen\n"
    "Der Kreml lobt die Gespräche in Wonsan.\n"
    "Kein Ort wird hier genannt.\n"
    "Russland schickt Soldaten nach Kursk, sagt die russische Führung."
)

RU = Place("gn:2017370", "Russia", "country", 60.0, 100.0, "RU", 2017370, 144_000_000,
           {"de": "Russland", "en": "Russia"})
KP = Place("gn:1873107", "North Korea", "country", 40.0, 127.0, "KP", 1873107, 22_000_000,
           {"de": "Nordkorea"})
MOSCOW = Place("gn:524901", "Moscow", "city", 55.75, 37.62, "RU", 524901, 10_000_000,
               {"de": "Moskau"}, seat_of=RU.id)
WONSAN = Place("gn:1866923", "Wonsan", "city", 39.15, 127.44, "KP", 1866923, 329_207)
KURSK = Place("iso:RU-KRS", "Kursk Oblast", "region", 51.65, 36.1, "RU")
KURSK_CITY = Place("gn:538560", "Kursk", "city", 51.73, 36.19, "RU", 538560, 440_000)


def passages(text: str) -> tuple[Passage, ...]:
    out, pos = [], 0
    for i, line in enumerate(text.split("\n")):
        out.append(Passage(i, pos, pos + len(line), line))
        pos += len(line) + 1
    return tuple(out)


def mention(text: str, word: str, place: Place | None, kind: str = "name", nth: int = 0,
            candidates: tuple[Candidate, ...] = ()) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    end = start + len(word)
    passage = text.count("\n", 0, start)
    return Mention(start, end, word, passage, place.id if place else None, kind,  # type: ignore[arg-type]
                   0.9, candidates)


@pytest.fixture
def story() -> Story:
    ms = (
        mention(TEXT, "Russland", RU),
        mention(TEXT, "Nordkorea", KP),
        mention(TEXT, "Kreml", MOSCOW, "metonym"),
        mention(TEXT, "Wonsan", WONSAN),
        mention(TEXT, "Russland", RU, nth=1),
        mention(TEXT, "Kursk", KURSK, candidates=(
            Candidate(KURSK, 9.5, {"prior": 5.0, "cue": 3.0}),
            Candidate(KURSK_CITY, 4.2, {"prior": 4.2}),
        )),
        mention(TEXT, "russische", RU, "adjective"),
    )
    return Story(TEXT, "de", passages(TEXT), (RU, KP, MOSCOW, WONSAN, KURSK), ms)


@pytest.fixture
def empty() -> Story:
    return Story("Nichts", "de", passages("Nichts"), (), ())


# -- basics ---------------------------------------------------------------------------------


def test_dataclasses_are_frozen(story: Story) -> None:
    with pytest.raises(FrozenInstanceError):
        story.language = "en"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        RU.lat = 0.0  # type: ignore[misc]


def test_mention_text_matches_offsets(story: Story) -> None:
    for m in story.mentions:
        assert story.article[m.start : m.end] == m.text
        p = story.passages[m.passage]
        assert p.start <= m.start < m.end <= p.end


def test_title_and_place_lookup(story: Story, empty: Story) -> None:
    assert story.title == "Russland und Nordkorea rücken zusammen"
    assert story.place(WONSAN.id) == WONSAN
    assert story.place("nope") is None
    assert Story("", "de", (), (), ()).title == ""
    assert empty.title == "Nichts"


def test_place_label_falls_back_to_the_name() -> None:
    assert RU.label("de") == "Russland"
    assert RU.label("fr") == "Russia"
    assert WONSAN.label("de") == "Wonsan"


def test_constants() -> None:
    assert "country" in FEATURES and "continent" in FEATURES
    assert MENTION_KINDS == ("name", "adjective", "metonym")


# -- queries --------------------------------------------------------------------------------


def test_mentions_of_place(story: Story) -> None:
    ru = story.mentions_of(RU.id)
    assert [m.text for m in ru] == ["Russland", "Russland", "russische"]
    assert [m.start for m in ru] == sorted(m.start for m in ru)
    assert story.mentions_of("nope") == []


def test_mentions_of_a_seat_include_its_country(story: Story) -> None:
    texts = [m.text for m in story.mentions_of(MOSCOW.id)]
    assert "Kreml" in texts
    assert texts.count("Russland") == 2  # Moscow stands for Russia acting in politics
    assert story.seat_of_government(RU.id) == MOSCOW
    assert story.seat_of_government(KP.id) is None


def test_places_in_passage_in_order_of_first_mention(story: Story) -> None:
    assert story.places_in(0) == [RU, KP]
    assert story.places_in(1) == [MOSCOW, WONSAN]
    assert story.places_in(2) == []
    assert story.places_in(3) == [RU, KURSK]  # Russland twice (name and adjective): once
    assert story.places_in(99) == []


def test_places_in_skips_unresolved_and_unknown_places() -> None:
    text = "Wonsan und Atlantis"
    ms = (mention(text, "Wonsan", None), mention(text, "Atlantis", KP))
    story = Story(text, "de", passages(text), (), ms)  # KP not among the places
    assert story.places_in(0) == []


def test_steps_are_passages_with_places(story: Story, empty: Story) -> None:
    steps = story.steps()
    assert [p.index for p, _ in steps] == [0, 1, 3]
    assert steps[1][1] == [MOSCOW, WONSAN]
    assert empty.steps() == []


def test_bounds(story: Story, empty: Story) -> None:
    south, west, north, east = story.bounds()  # type: ignore[misc]
    assert (south, north) == (39.15, 60.0)
    assert (west, east) == (36.1, 127.44)
    assert empty.bounds() is None
    one = replace(empty, places=(WONSAN,))
    assert one.bounds() == (39.15, 127.44, 39.15, 127.44)


# -- corrections ----------------------------------------------------------------------------


def test_with_mention_place_changes_one_mention(story: Story) -> None:
    k = next(m for m in story.mentions if m.text == "Kursk")
    fixed = story.with_mention_place(k.start, k.end, KURSK_CITY)
    changed = next(m for m in fixed.mentions if m.start == k.start)
    assert changed.place_id == KURSK_CITY.id
    assert changed.confidence == 1.0
    assert fixed.place(KURSK_CITY.id) == KURSK_CITY
    assert fixed.place(KURSK.id) is None  # no mention left
    assert story.place(KURSK.id) == KURSK  # the original is untouched
    assert len(fixed.mentions) == len(story.mentions)


def test_with_mention_place_none_means_not_a_place(story: Story) -> None:
    w = next(m for m in story.mentions if m.text == "Wonsan")
    fixed = story.with_mention_place(w.start, w.end, None)
    assert next(m for m in fixed.mentions if m.start == w.start).place_id is None
    assert fixed.place(WONSAN.id) is None
    assert fixed.places_in(1) == [MOSCOW]


def test_with_mention_place_all_identical(story: Story) -> None:
    first = story.mentions[0]
    fixed = story.with_mention_place(first.start, first.end, KP, all_identical=True)
    assert [m.place_id for m in fixed.mentions if m.text == "Russland"] == [KP.id, KP.id]
    # the adjective still names Russia, so Russia and its seat stay
    assert fixed.place(RU.id) == RU
    assert fixed.place(MOSCOW.id) == MOSCOW


def test_with_mention_place_keeps_seat_while_country_is_mentioned(story: Story) -> None:
    k = next(m for m in story.mentions if m.text == "Kreml")
    fixed = story.with_mention_place(k.start, k.end, None)
    assert fixed.place(MOSCOW.id) == MOSCOW  # seat of Russia, which is still mentioned


def test_with_mention_place_unknown_offsets(story: Story) -> None:
    with pytest.raises(KeyError):
        story.with_mention_place(0, 3, RU)


# -- GeoJSON ----------------------------------------------------------------------------------


def test_geo_interface_is_lon_lat_feature_collection(story: Story) -> None:
    gj = story.__geo_interface__
    assert gj["type"] == "FeatureCollection"
    assert len(gj["features"]) == len(story.places)
    by_id = {f["id"]: f for f in gj["features"]}
    wonsan = by_id[WONSAN.id]
    assert wonsan["geometry"] == {"type": "Point", "coordinates": [127.44, 39.15]}
    assert wonsan["properties"]["mentions"][0]["text"] == "Wonsan"
    assert by_id[MOSCOW.id]["properties"]["seat_of"] == RU.id
    assert by_id[MOSCOW.id]["properties"]["label"] == "Moskau"
    assert "GeoNames" in gj["attribution"]
    json.dumps(gj)  # plain JSON types only


# -- JSON round trip --------------------------------------------------------------------------


def test_round_trip_is_lossless(story: Story) -> None:
    data = story.to_dict()
    again = Story.from_dict(json.loads(json.dumps(data)))
    assert again == story
    assert again.to_dict() == data
    # fields excluded from equality survive too
    assert again.place(MOSCOW.id).labels == {"de": "Moskau"}  # type: ignore[union-attr]
    k = next(m for m in again.mentions if m.text == "Kursk")
    assert k.candidates[0].evidence == {"prior": 5.0, "cue": 3.0}
    assert again.place(MOSCOW.id).seat_of == RU.id  # type: ignore[union-attr]


def test_round_trip_empty_and_warnings(empty: Story) -> None:
    s = replace(empty, warnings=("2 names not resolved",))
    assert Story.from_dict(s.to_dict()) == s


def test_to_dict_is_sorted_labels_and_format(story: Story) -> None:
    data = story.to_dict()
    assert data["format"] == "storymap.story/1"
    assert data["passages"][1] == [1, story.passages[1].start, story.passages[1].end]


def test_unique_places_keeps_first() -> None:
    other_ru = replace(RU, name="Russian Federation")
    assert unique_places([RU, KP, other_ru, KP]) == (RU, KP)
    assert unique_places([RU, KP, other_ru])[0].name == "Russia"


def _broken(story: Story, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(story.to_dict())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    result: dict[str, Any] = data
    return result


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        (("format",), _DELETE, ValueError),
        (("format",), "storymap.story/2", ValueError),
        (("article",), _DELETE, KeyError),
        (("language",), _DELETE, KeyError),
        (("passages",), _DELETE, KeyError),
        (("passages",), 5, TypeError),
        (("passages", 0), [0, 1], ValueError),
        (("places",), _DELETE, KeyError),
        (("places", 0, "lat"), math.nan, ValueError),
        (("places", 0, "lat"), 91.0, ValueError),
        (("places", 0, "lon"), -181.0, ValueError),
        (("places", 0, "lon"), "east", ValueError),
        (("places", 0, "lat"), None, TypeError),
        (("places", 0, "id"), _DELETE, KeyError),
        (("places", 0, "name"), _DELETE, KeyError),
        (("places", 0, "labels"), 7, TypeError),
        (("mentions",), _DELETE, KeyError),
        (("mentions", 0), "Russland", TypeError),
        (("mentions", 0, "start"), _DELETE, KeyError),
        (("mentions", 0, "start"), -1, ValueError),
        (("mentions", 0, "end"), 10_000, ValueError),
        (("mentions", 0, "end"), 0, ValueError),
        (("mentions", 0, "start"), "zero", ValueError),
        (("mentions", 0, "start"), None, TypeError),
        (("mentions", 0, "kind"), "person", ValueError),
        (("mentions", 0, "passage"), _DELETE, KeyError),
        (("mentions", 5, "candidates", 0, "score"), _DELETE, KeyError),
        (("mentions", 5, "candidates", 0, "place", "lat"), math.inf, ValueError),
        (("mentions", 5, "candidates", 0, "evidence", "prior"), "high", ValueError),
    ],
)
def test_from_dict_rejects_malformed_data(
    story: Story, path: tuple[Any, ...], value: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        Story.from_dict(_broken(story, path, value))


def _minimal(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"format": "storymap.story/1", "article": "Wien", "language": "de",
                            "passages": [], "places": [], "mentions": []}
    data.update(fields)
    return data




@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda s: [s.to_dict()], id="document-is-a-list"),
        pytest.param(
            lambda s: _broken(s, ("mentions", 5, "candidates", 0, "evidence"), ["prior"]),
            id="evidence-is-a-list",
        ),
        pytest.param(lambda s: _minimal(article=None), id="article-is-null"),
        pytest.param(lambda s: _minimal(language=42), id="language-is-a-number"),
        pytest.param(
            lambda s: _minimal(passages=[[0, 0, 99]]), id="passage-outside-article",
        ),
    ],
)
def test_from_dict_rejects_wrong_types(story: Story, make: Any) -> None:
    try:
        Story.from_dict(make(story))
    except (ValueError, KeyError, TypeError):
        return
    raise AssertionError("accepted malformed story data")


def test_minimal_document_is_accepted() -> None:
    assert Story.from_dict(_minimal()) == Story("Wien", "de", (), (), ())


def test_model_types_are_frozen_and_survive_pickle() -> None:
    candidate = Candidate(RU, 1.5, {"prior": 1.5})
    mention = Mention(3, 9, "Moskau", 1, RU.id, "name", 0.9, (candidate,))
    passage = Passage(1, 5, 12, "Moskau.")
    for obj in (RU, candidate, mention, passage):
        first = next(iter(obj.__dataclass_fields__))
        with pytest.raises(FrozenInstanceError):
            setattr(obj, first, getattr(obj, first))
        assert pickle.loads(pickle.dumps(obj)) == obj
    assert replace(mention, end=10).end == 10


def test_candidate_evidence_is_an_immutable_copy() -> None:
    raw = {"prior": 1.5}
    candidate = Candidate(RU, 1.5, raw)
    raw["prior"] = 99.0
    assert candidate.evidence["prior"] == 1.5
    with pytest.raises(TypeError):
        candidate.evidence["prior"] = 2.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        candidate.evidence.terms = ()  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del candidate.evidence.terms  # type: ignore[attr-defined]
    assert dict(candidate.evidence) == {"prior": 1.5}


def test_a_seat_shown_only_for_its_country_is_not_a_named_place() -> None:
    from storymap import run

    story = run("Nordkorea schmiedet Allianzen. Der Kreml schweigt.", language="de")
    named = {p.name for p in story.named_places()}
    seats = {p.name for p in story.places if p.seat_of}
    assert "Pjöngjang" in seats or "Pyongyang" in seats
    assert not named & {"Pjöngjang", "Pyongyang"}
    assert named & {"Moskau", "Moscow"}  # the Kremlin names Moscow itself
    assert {p.id for p in story.named_places()} <= {p.id for p in story.places}
