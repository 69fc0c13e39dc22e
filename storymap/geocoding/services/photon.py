"""Photon (komoot, OpenStreetMap data): its GeoJSON feature → a Place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...model import Place
from ._fields import Unreadable, coord, country_code, feature_of, labels, osm_id

__all__ = ["parse"]


def parse(service: str, location: Any, language: str | None) -> Place:
    raw: Mapping[str, Any] = location.raw
    props = raw["properties"]
    lon, lat = raw["geometry"]["coordinates"][:2]
    lat, lon = coord(lat, lon)
    name = str(props.get("name") or props.get("city") or props.get("street") or "").strip()
    if not name:
        raise Unreadable("no name")
    pid = osm_id(props.get("osm_type"), props.get("osm_id"))
    if pid is None:
        pid = f"photon:{lat:.5f},{lon:.5f}"
    return Place(
        id=pid,
        name=name,
        feature=feature_of(props.get("osm_key"), props.get("osm_value"), props.get("type")),
        lat=lat,
        lon=lon,
        country_code=country_code(props.get("countrycode")),
        labels=labels(name, language),
    )
