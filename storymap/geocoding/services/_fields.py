"""What every service's answer parser shares: checked coordinates, country codes, OSM ids,
labels, and the table from a service's place types to the model's features."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["Unreadable", "coord", "country_code", "feature_of", "feature_of_word", "labels",
           "osm_id"]


class Unreadable(Exception):
    """An answer arrived but its content is not what the service's format promises."""


_FEATURE_WORDS: dict[str, str] = {
    "country": "country nation PCLI PCLD PCLF PCLS PCL",
    "continent": "continent CONT",
    "region": "state region province county state_district district administrative "
              "municipality ADM1 ADM2 ADM3 ADM1H ADM2H ADMD "
              "administrative_area_level_1 administrative_area_level_2 CountryRegion "
              "AdminDivision1 AdminDivision2 countrySubdivision countrySecondarySubdivision "
              "Geography",
    "city": "city town village hamlet suburb neighbourhood quarter borough locality "
            "isolated_dwelling farm place postcode city_district PPL PPLA PPLA2 PPLA3 PPLA4 "
            "PPLC PPLX PPLL PPLF PPLS sublocality PopulatedPlace Neighborhood "
            "Municipality MunicipalitySubdivision neighborhood",
    "island": "island islet archipelago ISL ISLS ISLET ATOL",
    "water": "water sea ocean bay strait lake river stream canal reservoir waterway "
             "wetland spring coastline fjord lagoon STM LK SEA BAY OCN RSV "
             "natural_feature_water",
    "mountain": "peak volcano mountain_range ridge hill saddle mountain MT MTS PK HLL VLC",
    "landmark": "tourism historic amenity building leisure man_made aeroway railway "
                "attraction monument museum castle station airport stadium "
                "point_of_interest establishment poi premise landmark HSTS MNMT CSTL "
                "AIRP STNR",
}
"""The services' words for kinds of places (OSM classes, GeoNames feature codes, Google,
HERE, Bing and Azure types), by the model's feature they mean."""

_FEATURE_BY_TYPE: dict[str, str] = {}
for _feature, _words in _FEATURE_WORDS.items():
    for _w in _words.split():
        _FEATURE_BY_TYPE.setdefault(_w, _feature)
        _FEATURE_BY_TYPE.setdefault(_w.casefold(), _feature)

_LANDMARK_CLASSES = frozenset({"tourism", "historic", "amenity", "building", "leisure",
                               "man_made", "aeroway", "railway"})


def feature_of_word(word: str | None) -> str | None:
    """The model's feature for one type word of any service, or None when unknown."""
    if not word:
        return None
    return _FEATURE_BY_TYPE.get(word) or _FEATURE_BY_TYPE.get(word.casefold())


def feature_of(kind: str | None, value: str | None, *hints: str | None) -> str:
    """The model's feature for a service's (class, type) pair, e.g. ("place", "village") →
    "city", ("boundary", "administrative") with hint "state" → "region"."""
    cls, typ = (kind or "").strip(), (value or "").strip()
    if cls == "boundary" and typ == "administrative":
        for h in hints:
            if f := feature_of_word(h):
                return f
        return "region"
    if (cls in ("natural", "waterway", "place") or not cls) and (f := feature_of_word(typ)):
        return f
    if cls in _LANDMARK_CLASSES:
        return "landmark"
    if cls == "natural":
        return "other"
    for word in (typ, cls, *hints):
        if f := feature_of_word(word):
            return f
    return "other"


_OSM_TYPES = {"n": "node", "w": "way", "r": "relation", "node": "node", "way": "way",
              "relation": "relation"}


def coord(lat: Any, lon: Any) -> tuple[float, float]:
    """(lat, lon) as floats, or Unreadable when they are not a point on the Earth."""
    la, lo = float(lat), float(lon)
    if not (math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        raise Unreadable(f"coordinates out of range: {lat}, {lon}")
    return la, lo


def country_code(value: Any) -> str | None:
    """An ISO 3166 alpha-2 code in upper case, or None."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        return value.strip().upper()
    return None


def osm_id(osm_type: Any, ident: Any) -> str | None:
    """'osm:node/240109189' and the like: the same id whichever OSM-based service found it."""
    kind = _OSM_TYPES.get(str(osm_type or "").casefold())
    if kind and ident is not None and str(ident).isdigit():
        return f"osm:{kind}/{ident}"
    return None


def labels(
    name: str, language: str | None, extra: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Display names by language: OSM's name:xx tags, and `name` in the asked language."""
    found: dict[str, str] = {}
    for k, v in (extra or {}).items():
        if isinstance(k, str) and k.startswith("name:") and isinstance(v, str):
            code = k[5:]
            if re.fullmatch(r"[a-z]{2}", code):
                found[code] = v
    if language and language not in found and name:
        found[language] = name
    return found
