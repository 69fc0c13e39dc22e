"""Per-story lookups both maps share, computed once: marker positions (a country at its seat
of government), each place's mentions, story steps and the narrative route."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from storymap.model import Mention, Place, Story


class StoryIndex:
    """Per-story lookups computed once (the model's queries are linear per call)."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.places = story.places
        self.position = {p.id: i for i, p in enumerate(self.places)}
        self.by_id = {p.id: p for p in self.places}
        self.seat = {p.seat_of: p for p in self.places if p.seat_of}
        direct: dict[str, list[Mention]] = defaultdict(list)
        for m in story.mentions:
            if m.place_id is not None:
                direct[m.place_id].append(m)
        self.own: dict[str, list[Mention]] = {p.id: direct.get(p.id, []) for p in self.places}
        """The mentions that name each place (a seat has none of its country's)."""
        self.mentions: dict[str, list[Mention]] = {}
        for p in self.places:
            ms = list(direct.get(p.id, ()))
            if p.seat_of:
                ms = sorted(ms + direct.get(p.seat_of, []), key=lambda m: (m.start, m.end))
            self.mentions[p.id] = ms
        self.passages = {p.index: p for p in story.passages}

    def marker_position(self, place: Place) -> tuple[float, float]:
        """A country that has a seat of government in the story is shown there."""
        if place.feature == "country" and place.id in self.seat:
            seat = self.seat[place.id]
            return seat.lat, seat.lon
        return place.lat, place.lon

    def steps(self, position: Mapping[str, int] | None = None) -> list[tuple[int, list[int]]]:
        """Story mode: passages with places (as positions in `position`, by default in the
        story's place list), in article order."""
        position = self.position if position is None else position
        per_passage: dict[int, dict[int, None]] = defaultdict(dict)
        for m in self.story.mentions:
            if m.place_id is not None and m.place_id in position:
                per_passage[m.passage][position[m.place_id]] = None
        return [(i, list(per_passage[i])) for i in sorted(per_passage) if i in self.passages]

    def route(self) -> list[tuple[float, float]]:
        """The narrative route: marker positions in order of first mention."""
        first = sorted(
            (ms[0].start, i) for i, p in enumerate(self.places) if (ms := self.own[p.id])
        )
        points: list[tuple[float, float]] = []
        for _, i in first:
            pt = self.marker_position(self.places[i])
            if not points or points[-1] != pt:
                points.append(pt)
        return points
