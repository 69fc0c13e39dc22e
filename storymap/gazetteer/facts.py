"""What never changes about a place or a name, computed once when the index is built: the
prior, the typed `PlaceFacts` columns, and the recognizer's facts (major places, words that
are no genitive)."""

from __future__ import annotations

import array
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from .records import F_CC, F_FEATURE, F_ID, F_LABELS, F_LAT, F_LON, F_NAME, F_POP, F_REGION, KINDS
from .words import first_names

PRIOR = {
    "country": 6.0,
    "continent": 5.0,
    "state": 5.0,
    "county": 3.5,
    "area": 4.5,
    "other-region": 3.0,
    "curated": 4.5,
    "city-base": 1.0,
    "per-decade": 0.7,
    "city-max": 5.5,
}
"""How prominent a place is before any context (the ``prior`` feature): countries >
continents > states > curated seas, rivers and landmarks > counties > other regions; a town or
an ISO region of known size earns `per-decade` per tenfold of its people above `city-base`,
up to `city-max` (towns) or `state` (regions), so a parish of 8,000 ranks like a town of that
size."""
BIG_CITY = 1_000_000
"""People in a city that makes it a major place (with countries, continents and capitals):
news means it far more often than a person so named."""


class PlaceFacts(NamedTuple):
    """What never changes about the places, one typed column per fact (index = record index),
    computed when the index is built so that scoring reads, and never derives, them. Numbers
    are machine arrays (`COLUMN_TYPES`): read from the index file in one copy, at a quarter
    of the memory of lists of Python numbers."""

    prior: Sequence[float]
    feature: list[str]
    cc: list[str]
    region: list[str]
    pop: Sequence[int]
    lat: Sequence[float]
    lon: Sequence[float]
    county: list[bool]
    """A US county or a British/Irish county: small enough for neighbours to place it."""
    seat: list[bool]
    """The seat of government of its country."""
    important: list[bool]
    """Countries, continents, ISO regions and curated areas (not towns or counties)."""
    major: list[bool]
    """Countries, continents, capitals and cities of BIG_CITY people."""
    region_people: Sequence[int]
    """People in an ISO 3166-2 region (0: not one, or unknown); see `region_people`."""
    name_key: list[str]
    """The place's canonical name as a key."""
    own_keys: list[tuple[str, ...]]
    """The place's own names (canonical and labels) as keys; empty for the regions, areas
    and continents, whose every name in our tables is deliberate."""

    def own_name(self, idx: int, key: str) -> bool:
        """The key is the place's own name, not one of GeoNames' many alternates ("Mexico"
        is Mexico's own name, only an alias of Mexico City)."""
        keys = self.own_keys[idx]
        return not keys or key in keys

    @classmethod
    def from_index(cls, columns: dict[str, Any]) -> PlaceFacts:
        """The columns as stored by `place_facts`: arrays as their bytes, the rest as lists."""
        typed: dict[str, Any] = {}
        for name, value in columns.items():
            code = COLUMN_TYPES.get(name)
            typed[name] = value if code is None else array.array(code, value)
        return cls(**typed)


COLUMN_TYPES = {"prior": "d", "pop": "q", "lat": "d", "lon": "d", "region_people": "q"}
"""The array type code of each numeric `PlaceFacts` column (d: float, q: int)."""


def place_facts(
    places: list[tuple[Any, ...]], seats: dict[str, int], region_people: dict[str, int]
) -> dict[str, Any]:
    """The `PlaceFacts` columns of the records for the index file: numbers as the bytes of
    their arrays (`COLUMN_TYPES`), strings and flags as lists."""
    seat_places = set(seats.values())
    cols: dict[str, list[Any]] = {name: [] for name in PlaceFacts._fields}
    for idx, r in enumerate(places):
        feature, pid, pop = r[F_FEATURE], str(r[F_ID]), int(r[F_POP])
        people = region_people.get(r[F_REGION], 0) if pid.startswith("iso:") else 0
        seat = idx in seat_places
        name_key = _key(r[F_NAME])  # one string, shared with own_keys in the index file
        row = {
            "prior": round(_prior(feature, pid, pop, people), 3), "feature": feature,
            "cc": r[F_CC] or "", "region": r[F_REGION] or "", "pop": pop,
            "lat": r[F_LAT], "lon": r[F_LON], "county": pid.startswith(("fips:", "rg2:")),
            "seat": seat,
            "important": feature not in ("city", "region") or pid.startswith(("iso:", "area:")),
            "major": feature in ("country", "continent") or pop >= BIG_CITY or seat,
            "region_people": people,
            "name_key": name_key,
            "own_keys": _own_keys(r, name_key) if feature in ("city", "country") else (),
        }
        for name, value in row.items():
            cols[name].append(value)
    return {name: array.array(COLUMN_TYPES[name], values).tobytes() if name in COLUMN_TYPES
            else values for name, values in cols.items()}


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _own_keys(r: tuple[Any, ...], name_key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys([name_key, *(_key(label) for _, label in r[F_LABELS])]))


def _prior(feature: str, pid: str, pop: int, region_people: int) -> float:
    if feature in ("country", "continent"):
        return PRIOR[feature]
    if feature == "region":
        if pid.startswith("iso:"):
            return _by_size(region_people, PRIOR["state"]) if region_people else PRIOR["state"]
        if pid.startswith(("fips:", "rg2:")):
            return PRIOR["county"]
        return PRIOR["area"] if pid.startswith("area:") else PRIOR["other-region"]
    if feature != "city":
        return PRIOR["curated"]  # seas, rivers, mountains, landmarks: named on purpose
    return _by_size(pop, PRIOR["city-max"])


def _by_size(people: int, most: float) -> float:
    return min(most, PRIOR["city-base"] + PRIOR["per-decade"] * math.log10(people + 1))


def recognition_facts(
    names: dict[str, Any], places: list[tuple[Any, ...]], seats: dict[str, int]
) -> dict[str, frozenset[Any]]:
    """What the recognizer reads about places and names, fixed when the index is built:

    - ``major_places``: countries, continents, seats of government and cities of 1M+, the
      places a given name like "Paris", "Georgia" or "Washington" far more often means;
    - ``not_genitive``: German -s forms of one-word names that are words of their own, so
      no genitive is read into them: given names ("Jonas" is not Jona + s) and words more
      frequent than their base ("Kreis", "Mars"; wordfreq)."""
    seat_places = set(seats.values())
    major = frozenset(
        idx for idx, r in enumerate(places)
        if r[F_FEATURE] in ("country", "continent") or int(r[F_POP]) >= BIG_CITY
        or idx in seat_places
    )
    return {"major_places": major, "not_genitive": _not_genitive(names)}


def _not_genitive(names: dict[str, Any]) -> frozenset[str]:
    from wordfreq import get_frequency_dict

    frequency = get_frequency_dict("de")
    given = first_names()
    out = set()
    for key, codes in names.items():
        form = key + "s"
        if len(form) <= 4 or form in names or not key.isalpha():
            continue
        if not any(KINDS[c & 3] in ("name", "metonym")
                   for c in ((codes,) if isinstance(codes, int) else codes)):
            continue
        if form in given or frequency.get(form, 0.0) > frequency.get(key, 0.0):
            out.add(form)
    return frozenset(out)
