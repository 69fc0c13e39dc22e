"""Stories share no mutable state, and every model object is built by its class's constructor.

Two articles that name the same places run in one process; nothing one story holds that could
change (a dict, a list, an evidence mapping) may be held by the other, and forcing a change
into one story's evidence leaves the other's as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from storymap.gazetteer import Gazetteer
from storymap.model import Candidate, Evidence, Mention, Passage, Place, Story
from storymap.pipeline import run

ARTICLES = (
    ("en", "Storms hit Texas and Ohio\nFloods closed roads in Texas, Ohio and Kentucky. "
           "Austin and Columbus opened shelters."),
    ("en", "Texas and Ohio vote\nVoters in Ohio and Texas went to the polls; Houston and "
           "Cleveland reported long queues."),
    ("de", "Wahl in Texas und Ohio\nIn Texas und Ohio wurde gewählt, auch in Houston."),
)
IMMUTABLE = (str, int, float, bool, type(None), bytes)


def objects(root: Any) -> Iterator[Any]:
    """Every object reachable from a story through fields, mappings and sequences."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, IMMUTABLE):
            continue
        seen.add(id(obj))
        yield obj
        if dataclasses.is_dataclass(obj):
            stack.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))
        elif isinstance(obj, Mapping):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (tuple, list, set, frozenset)):
            stack.extend(obj)


def changeable(obj: Any) -> bool:
    """Objects whose contents can change after construction (or that could be forced to)."""
    return isinstance(obj, (dict, list, set, bytearray, Evidence)) or not (
        isinstance(obj, (tuple, frozenset)) or dataclasses.is_dataclass(obj)
    )


def force(obj: Any) -> None:
    """Past the type's guard: overwrite whatever storage the object has (its slots or its
    __dict__), as a careless caller with object.__setattr__ could."""
    names = [n for k in type(obj).__mro__ for n in getattr(k, "__slots__", ())]
    names += list(getattr(obj, "__dict__", {}))
    assert names, "the evidence keeps its terms somewhere"
    for name in names:
        object.__setattr__(obj, name, (("forced", -1.0),))


@pytest.mark.parametrize("pair", [(0, 1), (0, 2), (1, 2)])
def test_two_stories_share_no_mutable_object(gaz: Gazetteer, pair: tuple[int, int]) -> None:
    (la, ta), (lb, tb) = ARTICLES[pair[0]], ARTICLES[pair[1]]
    a, b = run(ta, language=la, gazetteer=gaz), run(tb, language=lb, gazetteer=gaz)
    assert {p.id for p in a.places} & {p.id for p in b.places}, "the articles share places"
    mutable_a = {id(o) for o in objects(a) if changeable(o)}
    mutable_b = {id(o) for o in objects(b) if changeable(o)}
    assert mutable_a and not mutable_a & mutable_b


def test_the_same_article_twice_shares_nothing_mutable(gaz: Gazetteer) -> None:
    language, text = ARTICLES[0]
    a, b = run(text, language=language, gazetteer=gaz), run(text, language=language, gazetteer=gaz)
    assert a == b
    assert not {id(o) for o in objects(a) if changeable(o)} & {
        id(o) for o in objects(b) if changeable(o)}


def test_forcing_one_storys_evidence_leaves_the_other(gaz: Gazetteer) -> None:
    language, text = ARTICLES[0]
    a, b = run(text, language=language, gazetteer=gaz), run(text, language=language, gazetteer=gaz)
    before = [[dict(c.evidence) for c in m.candidates] for m in b.mentions]
    assert any(any(ev) for ev in before)
    for m in a.mentions:
        for c in m.candidates:
            with pytest.raises(TypeError):
                c.evidence["prior"] = -1.0  # type: ignore[index]
            force(c.evidence)
            c.place.labels["de"] = "verändert"  # type: ignore[index]
    assert [[dict(c.evidence) for c in m.candidates] for m in b.mentions] == before
    assert all(p.labels.get("de") != "verändert" for p in b.places)
    for m in b.mentions:
        assert all(c.place.labels.get("de") != "verändert" for c in m.candidates)


MODEL_TYPES = (Passage, Place, Candidate, Mention, Story)


def test_every_model_object_comes_from_its_constructor(
    gaz: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wrap each model class's __init__; every object of a story must have passed one (an
    object made another way — a twin class with __class__ reassigned — would not)."""
    built: list[Any] = []
    for cls in MODEL_TYPES:
        init = cls.__init__

        def counting(self: Any, *args: Any, __init: Any = init, **kwargs: Any) -> None:
            __init(self, *args, **kwargs)
            built.append(self)

        monkeypatch.setattr(cls, "__init__", counting)
    for language, text in ARTICLES:
        story = run(text, language=language, gazetteer=gaz)
        made = {id(o) for o in built}
        found = [o for o in objects(story) if isinstance(o, MODEL_TYPES)]
        assert {type(o) for o in found} == set(MODEL_TYPES)
        assert all(type(o) in MODEL_TYPES for o in found)
        assert [o for o in found if id(o) not in made] == []

