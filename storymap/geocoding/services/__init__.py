"""The online services storymap knows, one small module per answer format, on geopy's pattern.

Adding a service: a `Service` row below (geopy's class name, how its credential is passed and
which environment variable holds it) and, if geopy's `Location.raw` has a format of its own,
a module with a ``parse(service, location, language) -> Place``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...model import Place
from . import keyed, nominatim, photon
from ._fields import Unreadable, feature_of

__all__ = ["ALIASES", "SERVICES", "Service", "Unreadable", "feature_of", "query_options",
           "service_named", "to_places"]

log = logging.getLogger(__name__)

Parser = Callable[[str, Any, "str | None"], Place]


@dataclass(frozen=True, slots=True)
class Service:
    """One online geocoding service behind geopy."""

    name: str
    title: str
    cls: str
    """The geopy.geocoders class."""
    key_param: str | None = None
    """The geopy constructor argument for the credential (None: keyless)."""
    key_env: str | None = None
    host_option: str = "domain"
    parse: Parser = keyed.parse
    country_filter: str | None = None
    """How the service takes a country filter when geopy has no ``country_codes`` for it:
    "list" (a list of codes) or "joined" (one comma-separated string)."""
    query_options: Mapping[str, Any] = field(default_factory=dict)
    """Sent with every query."""


SERVICES: dict[str, Service] = {
    s.name: s
    for s in (
        Service("nominatim", "Nominatim", "Nominatim", parse=nominatim.parse,
                query_options=nominatim.QUERY_OPTIONS),
        Service("photon", "Photon", "Photon", parse=photon.parse),
        Service("opencage", "OpenCage", "OpenCage", "api_key", "STORYMAP_OPENCAGE_KEY",
                country_filter="joined"),
        Service("geonames", "GeoNames", "GeoNames", "username", "STORYMAP_GEONAMES_USERNAME",
                country_filter="list"),
        Service("mapbox", "Mapbox", "MapBox", "api_key", "STORYMAP_MAPBOX_KEY",
                country_filter="list"),
        Service("here", "HERE", "HereV7", "apikey", "STORYMAP_HERE_KEY"),
        Service("googlev3", "Google", "GoogleV3", "api_key", "STORYMAP_GOOGLE_KEY"),
        Service("bing", "Bing Maps", "Bing", "api_key", "STORYMAP_BING_KEY"),
        Service("tomtom", "TomTom", "TomTom", "api_key", "STORYMAP_TOMTOM_KEY"),
        Service("maptiler", "MapTiler", "MapTiler", "api_key", "STORYMAP_MAPTILER_KEY"),
        Service("geocodeearth", "Geocode Earth", "GeocodeEarth", "api_key",
                "STORYMAP_GEOCODEEARTH_KEY"),
        Service("azure", "Azure Maps", "AzureMaps", "subscription_key", "STORYMAP_AZURE_KEY"),
    )
}
ALIASES = {"google": "googlev3", "herev7": "here", "azuremaps": "azure", "osm": "nominatim"}


def service_named(name: str) -> Service | None:
    """The service for a name or alias (any case), or None."""
    key = name.strip().casefold()
    return SERVICES.get(ALIASES.get(key, key))


def query_options(
    service: Service,
    params: Collection[str],
    limit: int,
    codes: tuple[str, ...],
    language: str | None,
) -> dict[str, Any]:
    """The keyword arguments of one geopy ``geocode`` call, from the parameters the geopy
    class takes (`params`)."""
    kw: dict[str, Any] = {}
    if "exactly_one" in params:
        kw["exactly_one"] = False
    if "limit" in params:
        # Photon cannot filter by country: ask for more and filter here.
        kw["limit"] = limit if "country_codes" in params or not codes else min(50, limit * 4)
    if language:
        for name in ("language", "culture"):
            if name in params:
                kw[name] = language
                break
    if codes:
        if "country_codes" in params:
            kw["country_codes"] = [c.lower() for c in codes]  # as Nominatim documents
        elif "country" in params and service.country_filter is not None:
            kw["country"] = list(codes) if service.country_filter == "list" else ",".join(codes)
    kw.update(service.query_options)
    return kw


def to_places(
    service: Service, raw: Any, language: str | None, codes: tuple[str, ...], limit: int
) -> tuple[Place, ...]:
    """geopy's answer (None, a Location or a list) → places in the asked countries, without
    repeats. Raises Unreadable when a single answer cannot be read; of several, the unreadable
    ones are skipped."""
    if raw is None:
        return ()
    locations = raw if isinstance(raw, list) else [raw]
    places: list[Place] = []
    for loc in locations:
        if not isinstance(getattr(loc, "raw", None), dict):
            raise Unreadable("result without raw data")
        try:
            place = service.parse(service.name, loc, language)
        except (Unreadable, KeyError, TypeError, ValueError, IndexError) as exc:
            if len(locations) == 1:
                raise Unreadable(str(exc)) from exc
            log.debug("skipping an unreadable %s result: %r", service.name, exc)
            continue
        places.append(place)
    if codes:
        places = [p for p in places if p.country_code in codes or p.country_code is None]
    seen: dict[str, Place] = {}
    for p in places:
        seen.setdefault(p.id, p)
    return tuple(seen.values())[:limit]
