"""The index build: every source into one `Builder`, then the names coded, the facts computed
and the names split by script (Latin always loaded, the rest on demand)."""

from __future__ import annotations

import logging
from typing import Any

from ..matcher import NameMatcher
from .facts import place_facts, recognition_facts
from .records import KINDS, NON_LATIN_LETTER_RE
from .sources import (
    Builder,
    add_areas,
    add_british_irish_counties,
    add_cities,
    add_continents,
    add_countries,
    add_curated,
    add_european_union,
    add_regions,
    add_seats,
    add_us_counties,
    people_in_regions,
)
from .words import (
    FUNCTION_WORD_LANGUAGES,
    common_vocabulary,
    common_words,
    first_names,
    function_words,
    stop_keys,
)

log = logging.getLogger(__name__)

INDEX_FORMAT = 12


def build_index() -> dict[str, Any]:
    """Compile the name index from the registry packages and the curated tables."""
    log.info("building the gazetteer index (first run only)")
    b = Builder()
    add_countries(b)
    add_continents(b)
    add_regions(b)
    add_cities(b)
    add_us_counties(b)
    add_british_irish_counties(b)
    add_seats(b)
    add_areas(b)
    add_european_union(b)
    add_curated(b)
    names: dict[str, int | tuple[int, ...]] = {}
    for key, entries in b.names.items():
        codes = tuple(entries[i] * 4 + KINDS.index(entries[i + 1])
                      for i in range(0, len(entries), 2))
        names[key] = codes[0] if len(codes) == 1 else codes
    common = common_words(names)
    region_people = people_in_regions(b)
    return {
        "format": INDEX_FORMAT,
        "places": b.places,
        "facts": place_facts(b.places, b.seats, region_people),
        "common": common,
        "first_names": first_names(),
        "common_words": common_vocabulary(),
        "function_words": function_words(FUNCTION_WORD_LANGUAGES),
        "stop_keys": stop_keys(names, b.places, common),
        "adjective_keys": frozenset(
            key for key, codes in names.items()
            if any(KINDS[c & 3] in ("adjective", "demonym")
                   for c in ((codes,) if isinstance(codes, int) else codes))
        ),
        "acronyms": {
            key: frozenset(places - b.spelled.get(key, set()))
            for key, places in b.acronym.items()
            if places - b.spelled.get(key, set())
        },
        "names": names,
        **recognition_facts(names, b.places, b.seats),
        "countries": b.countries,
        "regions": b.regions,
        "region_people": region_people,
        "seats": b.seats,
    }



def split_by_script(index: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep Latin-script names in the always-loaded index; the rest load on demand."""
    names, other = {}, {}
    for key, value in index["names"].items():
        if NON_LATIN_LETTER_RE.search(key):
            other[key] = value
        else:
            names[key] = value
    base = dict(index, names=names, matcher=NameMatcher.build(names).to_bytes())
    return base, {"names": other, "matcher": NameMatcher.build(other).to_bytes()}

