"""Where the map looks: the zoom table, a story's first view and the view a click on a place
gets (the numbers the page script moves by live here too)."""

from __future__ import annotations

import math

from storymap.model import FEATURES, Place, Story
from storymap.render.geodata import country_extent
from storymap.render.index import StoryIndex

FEATURE_ZOOM = {
    "country": 5,
    "continent": 3,
    "region": 6,
    "water": 6,
    "island": 8,
    "mountain": 9,
    "city": 9,
    "landmark": 12,
    "other": 8,
}

WIDE_AREA_ZOOM = 5
"""A place in no single country (a sea, a range, a river, the EU: no country code) spans
several: it is shown at this zoom at most."""

FIT_MAX_ZOOM = 7
"""A country fitted to its outline is shown at this zoom at most (a small one still shows
its neighbours)."""
SPREAD_ZOOM = 13
"""The closest view a click on a mention, a marker, a step or a group ever zooms to: markers
that are still grouped there are spread around their point instead (a city and a landmark in
it, a country shown at its seat and that seat named in the text)."""
FLIGHT_SECONDS = 0.7
"""How long the map flies to a place, a step or the overview (none with reduced motion)."""
CLUSTER_RADIUS_PX = 30
"""Markers closer than this (screen pixels) are grouped: a marker is 22 px wide, a group
badge 40 px, so anything apart enough to be clicked on its own stays a marker."""


def place_view(place: Place) -> tuple[list[list[float]] | None, int]:
    """How a click shows the place: the extent to fit (or None: its point) and the zoom
    limit (the fitted view's maximum, or the point's zoom): a country its outline, a place
    in no single country wide, anything else by its feature class."""
    feature = place.feature if place.feature in FEATURES else "other"
    extent = country_extent(place.country_code) if feature == "country" else None
    if extent is not None:
        south, west, north, east = extent
        return [[south, west], [north, east]], FIT_MAX_ZOOM
    if not place.country_code and feature not in ("country", "continent"):
        return None, min(FEATURE_ZOOM[feature], WIDE_AREA_ZOOM)
    return None, FEATURE_ZOOM[feature]


def story_view(
    idx: StoryIndex, story: Story
) -> tuple[tuple[float, float, float, float] | None, list[float], int]:
    """Bounds of the markers (countries at their seats) and the view that shows them."""
    positions = [idx.marker_position(p) for p in story.named_places()]
    bounds = (
        (min(la for la, _ in positions), min(lo for _, lo in positions),
         max(la for la, _ in positions), max(lo for _, lo in positions))
        if positions else None
    )
    center, zoom = initial_view(bounds)
    return bounds, center, zoom


def initial_view(
    bounds: tuple[float, float, float, float] | None,
) -> tuple[list[float], int]:
    """A centre and zoom close to the fitted view (the page script fits the bounds exactly)."""
    if bounds is None:
        return [20.0, 0.0], 2
    south, west, north, east = bounds
    span = max(north - south, (east - west) / 2, 0.01)
    zoom = max(1, min(FIT_MAX_ZOOM, int(math.log2(180 / span))))
    return [round((south + north) / 2, 5), round((west + east) / 2, 5)], zoom
