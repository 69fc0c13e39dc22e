"""The keyed services (OpenCage, GeoNames, Mapbox, HERE, Google, Bing, TomTom, MapTiler,
Geocode Earth, Azure): coordinates from geopy's Location, the rest from the raw fields each
service is known to send."""

from __future__ import annotations

from typing import Any

from ...model import FEATURES, Place
from ._fields import Unreadable, coord, country_code, feature_of_word, labels

__all__ = ["parse"]


def parse(service: str, location: Any, language: str | None) -> Place:
    raw = location.raw if isinstance(location.raw, dict) else {}
    lat, lon = coord(location.latitude, location.longitude)
    address = str(location.address or "")
    name = str(
        raw.get("name") or raw.get("text") or raw.get("toponymName") or raw.get("title")
        or address.split(",")[0]
    ).strip()
    if not name:
        raise Unreadable("no name")
    components: dict[str, Any] = (
        raw["components"] if isinstance(raw.get("components"), dict) else {}
    )
    cc = country_code(raw.get("countryCode")) or country_code(components.get("country_code"))
    for comp in raw.get("address_components") or ():  # Google
        if isinstance(comp, dict) and "country" in (comp.get("types") or ()):
            cc = country_code(comp.get("short_name"))
    hints: list[str | None] = [
        raw.get("fcode"), raw.get("fcl"), components.get("_type"), raw.get("entityType"),
        raw.get("resultType"), raw.get("localityType"), raw.get("type"),
        *(raw.get("types") or ()), *(raw.get("place_type") or ()),
    ]
    feature = next(
        (f for h in hints if isinstance(h, str) and (f := feature_of_word(h))), "other"
    )
    geonameid: int | None = None
    if service == "geonames" and str(raw.get("geonameId", "")).isdigit():
        geonameid = int(raw["geonameId"])
        pid = f"gn:{geonameid}"  # the gazetteer's ids: the same place merges
    else:
        ident = raw.get("place_id") or raw.get("id")
        pid = f"{service}:{ident}" if ident else f"{service}:{lat:.5f},{lon:.5f}"
    population = raw.get("population")
    return Place(
        id=pid,
        name=name,
        feature=feature if feature in FEATURES else "other",
        lat=lat,
        lon=lon,
        country_code=cc,
        geonameid=geonameid,
        population=int(population) if isinstance(population, int) else 0,
        labels=labels(name, language),
    )
