"""Label placement for still maps: greedy candidate positions, then leader lines.

Pure geometry in pixel coordinates (y grows upwards, as in matplotlib), so it is easy to test
and knows nothing about fonts or maps. Labels are placed one at a time in the order given
(most important first). Each label tries, in order:

1. the eight positions around its marker (right, upper right, lower right, left, …; the
   cartographic order of preference after Imhof), just clear of the marker;
2. for an area label (a country's name, no marker of its own), its given centre points;
3. positions on rings further out, joined to the marker by a leader line, nearest first.

A position is taken only when its box lies inside the frame and touches no placed label, no
marker, no obstacle (legend, inset) and no leader line already drawn, and when its own leader
line crosses no marker and no placed label. A label that finds no such position is left out:
the guarantees (no two labels overlap, no label covers a marker) never bend.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle, x0 ≤ x1 and y0 ≤ y1."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def around(cls, cx: float, cy: float, width: float, height: float) -> Box:
        return cls(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)

    @property
    def center(self) -> Point:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def grown(self, margin: float) -> Box:
        return Box(self.x0 - margin, self.y0 - margin, self.x1 + margin, self.y1 + margin)

    def overlaps(self, other: Box) -> bool:
        """Whether the interiors meet (boxes that only touch do not overlap)."""
        return (self.x0 < other.x1 and other.x0 < self.x1
                and self.y0 < other.y1 and other.y0 < self.y1)

    def inside(self, frame: Box) -> bool:
        return (frame.x0 <= self.x0 and self.x1 <= frame.x1
                and frame.y0 <= self.y0 and self.y1 <= frame.y1)

    def nearest(self, p: Point) -> Point:
        """The point of the box nearest to `p`."""
        return min(max(p[0], self.x0), self.x1), min(max(p[1], self.y0), self.y1)

    def crosses(self, a: Point, b: Point) -> bool:
        """Whether the segment a-b passes through the box's interior (Liang-Barsky)."""
        t0, t1 = 0.0, 1.0
        dx, dy = b[0] - a[0], b[1] - a[1]
        for p, q in ((-dx, a[0] - self.x0), (dx, self.x1 - a[0]),
                     (-dy, a[1] - self.y0), (dy, self.y1 - a[1])):
            if p == 0:
                if q <= 0:
                    return False
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 >= t1:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Marker:
    """A drawn marker: centre and radius in pixels."""

    x: float
    y: float
    radius: float

    @property
    def box(self) -> Box:
        return Box.around(self.x, self.y, 2 * self.radius, 2 * self.radius)


@dataclass(frozen=True, slots=True)
class LabelRequest:
    """One label to place. `marker` is the index of the label's own marker in the marker list
    (None for an area label); `centres` are the centre points an area label may sit on."""

    key: str
    width: float
    height: float
    anchor: Point
    marker: int | None = None
    centres: tuple[Point, ...] = ()


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a label went: its box, and a leader line (marker edge → box) when it is away
    from its marker."""

    key: str
    box: Box
    leader: tuple[Point, Point] | None = None


@dataclass(frozen=True, slots=True)
class LabelSettings:
    """The numbers that decide placement (pixels)."""

    gap: float = 3.0
    """Clear space kept between a label and anything else."""
    offset: float = 3.0
    """Distance from a marker's edge to the label beside it."""
    rings: tuple[float, ...] = (18.0, 30.0, 46.0, 66.0, 90.0, 120.0)
    """Distances from the marker's edge tried for labels with a leader line."""
    directions: int = 16
    """Angles tried on each ring."""
    cell: float = 48.0
    """Size of the spatial index's grid cells."""


# Around a marker: (dx, dy) as multiples of the half-extents, in order of preference.
_AROUND = ((1, 0), (1, 1), (1, -1), (-1, 0), (-1, 1), (-1, -1), (0, 1), (0, -1))


class _Grid:
    """A uniform grid over boxes, so a candidate is tested only against its neighbours."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.boxes: list[Box] = []

    def _keys(self, box: Box) -> Iterator[tuple[int, int]]:
        c = self.cell
        for i in range(math.floor(box.x0 / c), math.floor(box.x1 / c) + 1):
            for j in range(math.floor(box.y0 / c), math.floor(box.y1 / c) + 1):
                yield i, j

    def add(self, box: Box) -> None:
        index = len(self.boxes)
        self.boxes.append(box)
        for key in self._keys(box):
            self.cells[key].append(index)

    def near(self, box: Box) -> set[int]:
        return {i for key in self._keys(box) for i in self.cells.get(key, ())}

    def hits(self, box: Box) -> bool:
        return any(self.boxes[i].overlaps(box) for i in self.near(box))


def _beside(marker: Marker, width: float, height: float, offset: float) -> Iterator[Box]:
    reach_x = marker.radius + offset + width / 2
    reach_y = marker.radius + offset + height / 2
    for dx, dy in _AROUND:
        # diagonal positions sit a little closer, so the box corner hugs the marker
        k = 0.8 if dx and dy else 1.0
        yield Box.around(marker.x + dx * reach_x * k, marker.y + dy * reach_y * k,
                         width, height)


def _ringed(origin: Point, start: float, width: float, height: float,
            settings: LabelSettings) -> Iterator[Box]:
    for ring in settings.rings:
        for step in range(settings.directions):
            angle = 2 * math.pi * step / settings.directions
            ux, uy = math.cos(angle), math.sin(angle)
            # push the box out until its nearest edge is `ring` beyond the marker's edge
            cx = origin[0] + ux * (start + ring + width / 2 * abs(ux))
            cy = origin[1] + uy * (start + ring + height / 2 * abs(uy))
            yield Box.around(cx, cy, width, height)


def place_labels(
    requests: Sequence[LabelRequest],
    markers: Sequence[Marker],
    frame: Box,
    obstacles: Sequence[Box] = (),
    settings: LabelSettings | None = None,
) -> list[Placement]:
    """Place `requests` in order; returns the placements of the labels that fit (a label
    that fits nowhere is left out rather than drawn over something)."""
    s = settings or LabelSettings()
    fixed = _Grid(s.cell)  # markers and obstacles: never covered
    for m in markers:
        fixed.add(m.box)
    for o in obstacles:
        fixed.add(o)
    taken = _Grid(s.cell)  # placed labels, and the boxes of leader lines already drawn
    leaders: list[tuple[Point, Point]] = []
    placed: list[Placement] = []

    def free(box: Box) -> bool:
        grown = box.grown(s.gap)
        if not box.inside(frame) or fixed.hits(grown) or taken.hits(grown):
            return False
        return not any(grown.crosses(a, b) for a, b in leaders)

    def clear_leader(a: Point, b: Point, own: int | None) -> bool:
        line = Box(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
        for i in fixed.near(line.grown(1.0)):
            if i != own and fixed.boxes[i].crosses(a, b):
                return False
        return not any(taken.boxes[i].crosses(a, b) for i in taken.near(line.grown(1.0)))

    for req in requests:
        marker = markers[req.marker] if req.marker is not None else None
        found: Placement | None = None
        if marker is not None:
            for box in _beside(marker, req.width, req.height, s.offset):
                if free(box):
                    found = Placement(req.key, box)
                    break
        if found is None:
            for cx, cy in req.centres or ((req.anchor,) if marker is None else ()):
                box = Box.around(cx, cy, req.width, req.height)
                if free(box):
                    found = Placement(req.key, box)
                    break
        if found is None:
            start = marker.radius if marker is not None else 0.0
            for box in _ringed(req.anchor, start, req.width, req.height, s):
                if not free(box):
                    continue
                end = box.nearest(req.anchor)
                dx, dy = end[0] - req.anchor[0], end[1] - req.anchor[1]
                length = math.hypot(dx, dy) or 1.0
                begin = (req.anchor[0] + dx / length * start, req.anchor[1] + dy / length * start)
                if clear_leader(begin, end, req.marker):
                    found = Placement(req.key, box, (begin, end))
                    break
        if found is None:
            continue
        placed.append(found)
        taken.add(found.box)
        if found.leader is not None:
            leaders.append(found.leader)
    return placed


def overlapping(placements: Sequence[Placement]) -> list[tuple[str, str]]:
    """Pairs of placed labels whose boxes overlap (empty when placement kept its promise)."""
    out = []
    for i, a in enumerate(placements):
        for b in placements[i + 1 :]:
            if a.box.overlaps(b.box):
                out.append((a.key, b.key))
    return out


__all__ = [
    "Box",
    "LabelRequest",
    "LabelSettings",
    "Marker",
    "Placement",
    "overlapping",
    "place_labels",
]
