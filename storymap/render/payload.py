"""Story → the JSON the story map's page script reads: passages, mentions, places with their
snippets and views, story steps, every word in the UI language. Pure data, no folium."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from storymap.model import FEATURES, MENTION_KINDS, Story
from storymap.render.index import StoryIndex
from storymap.render.view import (
    CLUSTER_RADIUS_PX,
    FIT_MAX_ZOOM,
    FLIGHT_SECONDS,
    SPREAD_ZOOM,
    place_view,
)
from storymap.story_text import StoryText

log = logging.getLogger(__name__)



SNIPPET_MAX = 280
"""Passages longer than this (characters) are trimmed around the mention in popups."""



def snippet_window(length: int, spans: Sequence[tuple[int, int]],
                   text: str, max_len: int = SNIPPET_MAX) -> tuple[int, int]:
    """The part of a passage (``[a, b)``, relative offsets) a popup shows: the whole passage when
    it is short, else about `max_len` characters around the first span, cut at spaces."""
    if length <= max_len or not spans:
        return 0, length
    s, e = spans[0]
    room = max(max_len - (e - s), 0)
    a = max(0, s - room // 2)
    b = min(length, e + room - (s - a))
    a = max(0, min(a, b - max_len))
    if a > 0:
        space = text.find(" ", a, s)
        a = space + 1 if space != -1 else a
    if b < length:
        space = text.rfind(" ", e, b)
        b = space if space != -1 else b
    return a, b


def story_payload(story: Story, ui_language: str = "en") -> dict[str, Any]:
    """Everything the page script needs, compact; offsets are relative to each passage.

    One entry per place the text names (`Story.named_places`): a seat of government shown
    only for its country is part of that country's entry (its marker stands at the seat),
    never a place of its own. Every word comes in `ui_language`."""
    idx = StoryIndex(story)
    words = StoryText(story, ui_language)
    named = story.named_places()
    position = {p.id: i for i, p in enumerate(named)}
    passages = [[p.index, p.text] for p in story.passages]
    mentions: list[list[Any]] = []
    mention_index: dict[tuple[int, int], int] = {}
    for m in sorted(story.mentions, key=lambda m: (m.passage, m.start, m.end)):
        passage = idx.passages.get(m.passage)
        if passage is None or not passage.start <= m.start < m.end <= passage.end:
            log.warning("mention %r at %d:%d lies outside its passage", m.text, m.start, m.end)
            continue
        place = position.get(m.place_id, -1) if m.place_id else -1
        kind = m.kind if m.kind in MENTION_KINDS else "name"
        mention_index[(m.start, m.end)] = len(mentions)
        mentions.append([m.passage, m.start - passage.start, m.end - passage.start, place, kind])
    places = []
    for p in named:
        lat, lon = idx.marker_position(p)
        own = idx.own[p.id]
        snips = []
        by_passage: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for m in own:
            passage = idx.passages.get(m.passage)
            if passage is not None and passage.start <= m.start < m.end <= passage.end:
                by_passage[m.passage].append((m.start - passage.start, m.end - passage.start))
        for pi, spans in by_passage.items():
            text = idx.passages[pi].text
            a, b = snippet_window(len(text), spans, text)
            inside = [[s, e] for s, e in spans if s < b and e > a]
            snips.append([pi, a, b, inside])
        feature = p.feature if p.feature in FEATURES else "other"
        extent, zoom = place_view(p)
        places.append(
            {
                "id": p.id,
                "label": words.name(p),
                "title": words.title(p),
                "sub": words.subtitle(p),
                "seatNote": words.seat_note(p),
                "counted": words.mentioned(len(own)),
                "aria": words.aria(p, len(own)),
                "show": words.show_on_map(p),
                "feature": feature,
                "atSeat": words.seat(p) is not None,
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "extent": extent,
                "zoom": zoom,
                "snips": snips,
                "count": len(own),
                "mi": [mention_index[(m.start, m.end)] for m in own
                       if (m.start, m.end) in mention_index],
            }
        )
    steps = idx.steps(position)
    bounds = None
    if named:
        points = [idx.marker_position(p) for p in named]
        lats = [round(la, 6) for la, _ in points]
        lons = [round(lo, 6) for _, lo in points]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    return {
        "v": 2,
        "lang": words.language,
        "t": words.messages(),
        "overview": words.overview(len(places), len(steps)),
        "stepText": [words.step(k + 1, len(steps)) for k in range(len(steps))],
        "passages": passages,
        "mentions": mentions,
        "places": places,
        "steps": steps,
        "bounds": bounds,
        "spreadZoom": SPREAD_ZOOM,
        "fitZoom": FIT_MAX_ZOOM,
        "clusterRadius": CLUSTER_RADIUS_PX,
        "flightSeconds": FLIGHT_SECONDS,
    }
