"""Geocoding: the embedded gazetteer (the default, offline) and online services through geopy.

The modules, in the order a lookup passes them:

- `protocol`: the Geocoder protocol, and `Lookup`/`Fault` (an online answer, or why not);
- `embedded`: the embedded gazetteer as a Geocoder;
- `factory`: `make_geocoder(name)`, the names it accepts (`GEOCODERS`) and its checks;
- `services`: the services geopy reaches, one small module per answer format;
- `remote`: `OnlineGeocoder`, a service behind the cache and the resilience wrappers;
- `resilience`: rate limit, retries and circuit breaker as wrappers around a callable;
- `cache`: the persistent answer cache shared by every process (SQLite);
- `online`: the story stages, `geocode_unresolved` (the pipeline's fallback) and `rerank`.

geopy is imported only when an online geocoder is made, so offline runs never load it.
"""

from .cache import CacheInfo, GeoCache, default_cache
from .embedded import GazetteerGeocoder
from .factory import GEOCODERS, make_geocoder
from .online import geocode_unresolved, rerank, story_countries
from .protocol import Fault, Geocoder, Lookup
from .remote import OnlineGeocoder
from .resilience import Policy, reset_outages
from .services import feature_of

__all__ = [
    "GEOCODERS",
    "CacheInfo",
    "Fault",
    "GazetteerGeocoder",
    "GeoCache",
    "Geocoder",
    "Lookup",
    "OnlineGeocoder",
    "Policy",
    "default_cache",
    "feature_of",
    "geocode_unresolved",
    "make_geocoder",
    "rerank",
    "reset_outages",
    "story_countries",
]
