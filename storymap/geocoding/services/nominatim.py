"""Nominatim (OpenStreetMap): its JSON answer → a Place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...model import Place
from ._fields import Unreadable, coord, country_code, feature_of, labels, osm_id

__all__ = ["QUERY_OPTIONS", "parse"]

QUERY_OPTIONS: Mapping[str, Any] = {"addressdetails": True, "namedetails": True}
"""Asked with every query: the country code and the names in other languages."""


def parse(service: str, location: Any, language: str | None) -> Place:
    raw: Mapping[str, Any] = location.raw
    lat, lon = coord(raw["lat"], raw["lon"])
    address = raw.get("address") or {}
    display = str(raw.get("display_name") or "")
    name = str(raw.get("name") or (display.split(",")[0] if display else "")).strip()
    if not name:
        raise Unreadable("no name")
    cls = raw.get("class", raw.get("category"))
    feature = feature_of(cls, raw.get("type"), raw.get("addresstype"))
    if cls == "boundary" and raw.get("addresstype") is None:
        rank = raw.get("place_rank")
        if isinstance(rank, int):
            feature = "country" if rank <= 4 else "region" if rank <= 12 else "city"
    pid = osm_id(raw.get("osm_type"), raw.get("osm_id")) or f"nominatim:{raw['place_id']}"
    names = raw.get("namedetails") if isinstance(raw.get("namedetails"), dict) else None
    return Place(
        id=pid,
        name=name,
        feature=feature,
        lat=lat,
        lon=lon,
        country_code=country_code(address.get("country_code"))
        if isinstance(address, dict) else None,
        labels=labels(name, language, names),
    )
