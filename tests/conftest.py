"""Shared fixtures and helpers for the core's tests (gazetteer, recognize, resolve, pipeline,
CLI, properties).

The gazetteer index is loaded once per session (`gaz`); every test that geoparses passes it to
`storymap.pipeline.run(..., gazetteer=gaz)`. Offsets in tests are always computed from the
text (`occurrence`), never written down.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storymap import gazetteer as gazetteer_mod
from storymap.gazetteer import Gazetteer
from storymap.model import Mention, Place, Story
from storymap.pipeline import run

ROOT = Path(__file__).resolve().parents[1]
SEED_DE = ROOT / "data" / "samples" / "seed-de.txt"


CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium, which the browser tests drive (scripts/test.sh installs it)."""
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    """The real gazetteer, loaded (or built, after a data change) once per session."""
    return gazetteer_mod.load()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_DE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_de_story(gaz: Gazetteer, seed_text: str) -> Story:
    return run(seed_text, gazetteer=gaz)


@pytest.fixture(scope="session")
def geoparse(gaz: Gazetteer) -> Callable[..., Story]:
    """run() with the session gazetteer, memoised per (text, language)."""
    memo: dict[tuple[str, str | None], Story] = {}

    def parse(text: str, language: str | None = None) -> Story:
        key = (text, language)
        if key not in memo:
            memo[key] = run(text, language=language, gazetteer=gaz)
        return memo[key]

    return parse


# -- helpers ------------------------------------------------------------------------------------


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def occurrences(text: str, word: str) -> list[tuple[int, int]]:
    """(start, end) of every whole-word occurrence of `word` in `text`."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def occurrence(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    found = occurrences(text, word)
    assert len(found) > nth, f"{word!r} occurs {len(found)} time(s) in the test text"
    return found[nth]


def mentions_over(story: Story, start: int, end: int) -> list[Mention]:
    """Mentions overlapping the character range [start, end)."""
    return [m for m in story.mentions if m.start < end and start < m.end]


def place_at(story: Story, word: str, nth: int = 0) -> tuple[Mention, Place]:
    """The mention covering the nth occurrence of `word`, and the place it resolved to."""
    start, end = occurrence(story.article, word, nth)
    found = mentions_over(story, start, end)
    assert found, f"no mention covers {word!r} (#{nth}); mentions: {describe(story)}"
    assert len(found) == 1, f"{word!r} is split over several mentions: {describe(story)}"
    mention = found[0]
    assert mention.place_id is not None, f"{word!r} was recognised but not resolved"
    place = story.place(mention.place_id)
    assert place is not None, f"{mention.place_id} is missing from story.places"
    return mention, place


def describe(story: Story) -> str:
    """A compact line per mention, for assertion messages."""
    out = []
    for m in story.mentions:
        p = story.place(m.place_id) if m.place_id else None
        where = (
            f"{p.name} ({p.feature}, {p.country_code}, {p.lat:.2f}, {p.lon:.2f})"
            if p
            else "-"
        )
        out.append(f"{m.text!r}[{m.kind}]→{where}")
    seats = [f"{p.name} seat_of {p.seat_of}" for p in story.places if p.seat_of]
    return "; ".join(out + seats) or "(no mentions)"
