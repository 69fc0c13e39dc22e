"""Where the geocoders were before `storymap.geocoding`: the same public names, re-exported.

New code imports from `storymap.geocoding`.
"""

from .geocoding import (
    GEOCODERS,
    Fault,
    GazetteerGeocoder,
    Geocoder,
    Lookup,
    OnlineGeocoder,
    Policy,
    feature_of,
    geocode_unresolved,
    make_geocoder,
    rerank,
    reset_outages,
    story_countries,
)

__all__ = [
    "GEOCODERS",
    "Fault",
    "GazetteerGeocoder",
    "Geocoder",
    "Lookup",
    "OnlineGeocoder",
    "Policy",
    "feature_of",
    "geocode_unresolved",
    "make_geocoder",
    "rerank",
    "reset_outages",
    "story_countries",
]
