"""No state leaks between the app's sessions: every reader has a story of their own, and a
correction in one session never shows in another's story, map or downloads, nor in the story
the server caches for everyone (the sample, an article two readers paste)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest
from test_app import ENGLISH, fresh, open_corrections, paste, story_of, tick_drop

from storymap.export import to_geojson
from storymap.model import Story
from storymap.story_text import StoryText


def drop(at: AppTest, label: str) -> None:
    """Tick "Not a place" for the place labelled `label` in the corrections table."""
    open_corrections(at)
    story = story_of(at)
    tick_drop(at, next(p.id for p in story.places if p.label(story.language) == label))


def labels(story: Story) -> set[str]:
    return {p.label(story.language) for p in story.places}


def page(at: AppTest) -> str:
    srcdoc: str = at.get("iframe")[0].proto.srcdoc
    return srcdoc


def test_a_correction_stays_in_its_own_session() -> None:
    first, second = fresh(), fresh()
    cached = story_of(second).to_dict()
    drop(first, "Wonsan")
    assert "Wonsan" not in labels(story_of(first))
    # the other reader, and a reader who comes later, still see the sample as it was
    assert "Wonsan" in labels(story_of(second))
    second.run()
    assert "Wonsan" in labels(story_of(second))
    later = fresh()
    assert story_of(later).to_dict() == cached
    # downloads and maps follow each session's own story
    names = {f["properties"]["label"] for f in json.loads(to_geojson(story_of(first)))
             ["features"]}
    assert "Wonsan" not in names
    wonsan = next(p for p in story_of(second).places if p.label("de") == "Wonsan")
    shown = StoryText(story_of(second), "en").name(wonsan)  # the page speaks English
    assert f'"{shown}"' in page(second) and f'"{shown}"' not in page(first)
    assert not second.session_state["log"] and len(first.session_state["log"]) == 1


def test_two_readers_of_one_article_correct_it_differently() -> None:
    first, second = fresh(), fresh()
    paste(first, ENGLISH)
    paste(second, ENGLISH)
    assert story_of(first) == story_of(second)  # built once for both: the same story
    drop(first, "Madrid")
    drop(second, "Paris")
    assert "Madrid" not in labels(story_of(first)) and "Paris" in labels(story_of(first))
    assert "Paris" not in labels(story_of(second)) and "Madrid" in labels(story_of(second))
    third = paste(fresh(), ENGLISH)
    assert {"Paris", "Madrid"} <= labels(story_of(third))
