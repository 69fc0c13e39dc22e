"""The places of a corpus: the same place across documents (by every field of the annotate
record), counted by the articles and mentions that name it, as rows and as GeoJSON."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

# -- the places of a corpus ---------------------------------------------------------------------

PLACE_FIELDS = ("name", "feature", "lat", "lon", "geonameid", "country_code")


def place_key(place: dict[str, Any]) -> tuple[Any, ...]:
    """Places are the same when every field of the annotate record is."""
    return tuple(place.get(k) for k in PLACE_FIELDS)

def aggregate_places(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per place: its fields plus "articles" (documents mentioning it) and "mentions"; most
    mentioned first."""
    mentions: Counter[tuple[Any, ...]] = Counter()
    articles: Counter[tuple[Any, ...]] = Counter()
    fields: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in records:
        in_doc: set[tuple[Any, ...]] = set()
        for m in record["mentions"]:
            place = m.get("place") if isinstance(m, dict) else None
            if not isinstance(place, dict):
                continue
            key = place_key(place)
            fields.setdefault(key, {k: place.get(k) for k in PLACE_FIELDS})
            mentions[key] += 1
            in_doc.add(key)
        articles.update(in_doc)
    rows = [{**fields[k], "articles": articles[k], "mentions": mentions[k]} for k in fields]
    rows.sort(key=lambda r: (-r["articles"], -r["mentions"], str(r["name"]),
                             str(r["country_code"]), r["lat"], r["lon"]))
    return rows


def places_geojson(rows: list[dict[str, Any]]) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point",
                         "coordinates": [round(r["lon"], 6), round(r["lat"], 6)]},
            "properties": {k: r[k] for k in ("name", "feature", "country_code", "geonameid",
                                             "articles", "mentions")},
        }
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features}


__all__ = [
    "PLACE_FIELDS",
    "aggregate_places",
    "place_key",
    "places_geojson",
]
