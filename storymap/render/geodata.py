"""Shapely geodata from countryinfo: simplified country outlines, the offline world basemap
and a country's fitted extent, built once and cached on disk."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import shapely
from shapely import affinity
from shapely.geometry import mapping, shape

from .._io import cache_dir, write_atomically

log = logging.getLogger(__name__)



EXTENT_NEAR_DEGREES = 5.0
"""Parts of a country this close to its main land count for its fitted view."""

OUTLINE_TOLERANCE = 0.02  # degrees; countryinfo's outlines are already coarse
BASEMAP_TOLERANCE = 0.1
BASEMAP_GRID = 0.05
_FILLED_HOLE_MAX_AREA = 40.0  # square degrees
_GAP_CLOSING_RADIUS = 0.7  # degrees



def _round_coords(obj: Any, ndigits: int) -> Any:
    if isinstance(obj, float):
        return round(obj, ndigits)
    if isinstance(obj, list | tuple):
        return [_round_coords(x, ndigits) for x in obj]
    return obj


def _geometry_json(geom: Any, ndigits: int) -> dict[str, Any]:
    g = mapping(geom)
    return {"type": g["type"], "coordinates": _round_coords(g["coordinates"], ndigits)}


def country_outlines(codes: Iterable[str]) -> dict[str, Any]:
    """A FeatureCollection of the countries' simplified outlines (codes without one skipped)."""
    outlines = _geodata()["outlines"]
    features = []
    for code in dict.fromkeys(c.upper() for c in codes if c):
        geometry = outlines.get(code)
        if geometry is None:
            log.debug("countryinfo has no outline for %r", code)
            continue
        features.append(
            {"type": "Feature", "properties": {"country_code": code}, "geometry": geometry}
        )
    return {"type": "FeatureCollection", "features": features}


def _without_small_holes(geom: Any, max_area: float) -> Any:
    polys = [p for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Polygon"]
    return shapely.MultiPolygon(
        [
            shapely.Polygon(p.exterior, [r for r in p.interiors
                                         if shapely.Polygon(r).area > max_area])
            for p in polys
        ]
    )


def _patch_missing_countries(land: Any, missing: list[Any]) -> Any:
    """countryinfo has no outline for a few countries (Hungary, Serbia, Montenegro, Myanmar):
    fill the gaps their neighbours enclose (after closing narrow necks), and only near them,
    so real seas and lakes stay water. A gap open to the sea (Myanmar) stays."""
    r = _GAP_CLOSING_RADIUS
    closed = _without_small_holes(
        land.buffer(r, quad_segs=4).buffer(-r, quad_segs=4), _FILLED_HOLE_MAX_AREA
    )
    extra = closed.difference(land)
    pieces = [
        g for g in getattr(extra, "geoms", [extra])
        if any(g.distance(point) < 1.0 for point in missing)
    ]
    return shapely.union_all([land, *pieces]) if pieces else land


def world_basemap() -> dict[str, Any]:
    """The embedded offline basemap: land and country borders from countryinfo, simplified and
    on a 0.05° grid (about 130 KB of JSON)."""
    basemap: dict[str, Any] = _geodata()["basemap"]
    return basemap


_GEODATA_FORMAT = 1


@functools.cache
def _geodata() -> dict[str, Any]:
    """Country outlines and the basemap, once per process (read-only data)."""
    return cached_geodata(cache_dir())


def cached_geodata(directory: Path) -> dict[str, Any]:
    """Country outlines and the basemap from the cache file in `directory`, built from
    countryinfo (~0.5 s) when the file is missing or damaged. The file is keyed by
    countryinfo's version and the simplification settings."""
    from importlib.metadata import version

    key = hashlib.sha256(
        repr((_GEODATA_FORMAT, version("countryinfo"), version("shapely"), OUTLINE_TOLERANCE,
              BASEMAP_TOLERANCE, BASEMAP_GRID, _FILLED_HOLE_MAX_AREA,
              _GAP_CLOSING_RADIUS)).encode()
    ).hexdigest()[:16]
    path = directory / f"geodata-{key}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        pass
    data = _build_geodata()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
    except OSError as exc:  # a read-only home still renders, just slower
        log.debug("cannot cache country outlines in %s: %s", path, exc)
    return data


def _build_geodata() -> dict[str, Any]:
    from countryinfo import CountryInfo

    shapes = []
    missing = []
    outlines: dict[str, Any] = {}
    for info in CountryInfo.all().values():
        features = [f for f in (info.get("geoJSON") or {}).get("features", [])
                    if f.get("geometry")]
        country = [shapely.make_valid(shape(f["geometry"])) for f in features]
        shapes += country
        code = str((info.get("ISO") or {}).get("alpha2") or "").upper()
        if country and code and code not in outlines:
            outline = shapely.simplify(shapely.union_all(country), OUTLINE_TOLERANCE,
                                       preserve_topology=True)
            if not outline.is_empty:
                outlines[code] = _geometry_json(outline, 3)
        latlng = info.get("latlng") or []
        if not features and len(latlng) == 2 and (info.get("area") or 0) > 5_000:
            missing.append(shapely.Point(latlng[1], latlng[0]))
    land = _patch_missing_countries(shapely.union_all(shapes), missing)
    land = shapely.set_precision(
        shapely.simplify(land, BASEMAP_TOLERANCE, preserve_topology=True), BASEMAP_GRID
    )
    borders = shapely.union_all([s.boundary for s in shapes])
    borders = shapely.set_precision(
        shapely.simplify(shapely.line_merge(borders), BASEMAP_TOLERANCE), BASEMAP_GRID
    )
    basemap = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"kind": "land"},
             "geometry": _geometry_json(land, 2)},
            {"type": "Feature", "properties": {"kind": "borders"},
             "geometry": _geometry_json(borders, 2)},
        ],
    }
    return {"basemap": basemap, "outlines": outlines}


def country_extent(code: str | None) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) of a country's main land and the parts near it, for a view
    fitted to the country: far overseas parts (French Guiana, Alaska) would zoom the map out
    to half the world. Longitudes may pass 180 where a country crosses the antimeridian."""
    if not code:
        return None
    return _country_extent(code.upper())


@functools.cache
def _country_extent(code: str) -> tuple[float, float, float, float] | None:
    geometry = _geodata()["outlines"].get(code)
    if geometry is None:
        return None
    parts = [p for p in getattr(shape(geometry), "geoms", [shape(geometry)]) if not p.is_empty]
    if not parts:
        return None
    if max(p.bounds[2] for p in parts) - min(p.bounds[0] for p in parts) > 180:
        parts = [affinity.translate(p, 360.0) if p.centroid.x < 0 else p
                 for p in parts]
    main = max(parts, key=lambda p: p.area)
    near = [p for p in parts if p.distance(main) <= EXTENT_NEAR_DEGREES]
    west, south, east, north = shapely.union_all(near).bounds
    return (round(south, 3), round(west, 3), round(north, 3), round(east, 3))
