"""The run-time gazetteer: a read-only view of the loaded index and its lookups."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..matcher import NameMatcher
from ..model import Place
from . import build
from .facts import BIG_CITY, PlaceFacts
from .index_file import load_marshal, write_index
from .records import (
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
    KINDS,
    Hit,
    normalize,
)

log = logging.getLogger(__name__)


class Gazetteer:
    """Read-only view of the compiled index; cheap to share between threads and stories."""

    def __init__(self, index: dict[str, Any]) -> None:
        self.records: list[tuple[Any, ...]] = index["places"]
        self._names: dict[str, Any] = index["names"]
        self.names = self._names
        self.adjective_keys: frozenset[str] = index["adjective_keys"]
        self.matchers: tuple[NameMatcher, ...] = (NameMatcher.from_bytes(index["matcher"]),)
        """The multi-word names, in one automaton per script group (see matcher.py)."""
        self.major_places: frozenset[int] = index["major_places"]
        """Countries, continents, seats of government and cities of 1M+ (see
        `recognition_facts`)."""
        self.not_genitive: frozenset[str] = index["not_genitive"]
        """German -s forms of names that are words of their own (see `recognition_facts`)."""
        self._other_path = Path(index.get("other_path", ""))
        self._other: dict[str, Any] | None = None
        self.countries: dict[str, int] = index["countries"]
        self.regions: dict[str, int] = index["regions"]
        self.region_people: dict[str, int] = index["region_people"]
        """Rough size of each ISO 3166-2 region (see `region_people`), for its prior."""
        self.seats: dict[str, int] = index["seats"]
        self.seat_places: frozenset[int] = frozenset(self.seats.values())
        self.facts = PlaceFacts.from_index(index["facts"])
        self.fingerprint: str = index["fingerprint"]
        self.common: dict[str, tuple[float, float]] = index["common"]
        self.first_names: frozenset[str] = index["first_names"]
        self.acronyms: dict[str, frozenset[int]] = index["acronyms"]
        self.common_words: dict[str, frozenset[str]] = index["common_words"]
        self.function_words: frozenset[str] = index["function_words"]
        self.stop_keys: dict[str, frozenset[str]] = index["stop_keys"]
        # The record of a place index. The list's own __getitem__, bound once: scoring
        # reads records hundreds of times per article, and a Python method would double that.
        self.record: Callable[[int], tuple[Any, ...]] = self.records.__getitem__

    def __contains__(self, key: str) -> bool:
        return key in self._names or (self._other is not None and key in self._other)

    def hits(self, key: str) -> tuple[Hit, ...]:
        """Index entries for an already normalized key (see `normalize`)."""
        raw = self._names.get(key)
        if raw is None and self._other is not None:
            raw = self._other.get(key)
        if raw is None:
            return ()
        if isinstance(raw, int):
            return (Hit(raw >> 2, KINDS[raw & 3]),)
        return tuple(Hit(v >> 2, KINDS[v & 3]) for v in raw)

    def use_other_scripts(self) -> None:
        """Load names in non-Latin scripts (Cyrillic, Arabic, Greek, …) on first need."""
        if self._other is None:
            try:
                other = load_marshal(self._other_path)
                names, matcher = other["names"], other["matcher"]
            except (OSError, EOFError, ValueError, TypeError, KeyError) as exc:
                log.warning("gazetteer cache %s unreadable (%s); rebuilding",
                            self._other_path, exc)
                _, other = build.split_by_script(build.build_index())
                write_index(self._other_path, other)
                names, matcher = other["names"], other["matcher"]
            self.add_other_scripts(names, matcher)

    def add_other_scripts(self, names: dict[str, Any], matcher: bytes) -> None:
        """Take the non-Latin names (see `build.split_by_script`) into the lookups."""
        self._other = names
        self.matchers = (*self.matchers, NameMatcher.from_bytes(matcher))

    def is_prefix(self, key: str) -> bool:
        """Whether a normalized key starts a longer name ("new" of "new york")."""
        return any(m.is_prefix(key) for m in self.matchers)

    def zipf(self, key: str, language: str) -> float:
        """How common a key is as a word in the language (wordfreq's zipf, read at index
        build; the higher of German and English for other languages; 0: not a word)."""
        z = self.common.get(key)
        if z is None:
            return 0.0
        return z[0] if language == "de" else z[1] if language == "en" else max(z)

    def lookup(self, name: str) -> tuple[Hit, ...]:
        return self.hits(normalize(name))

    def place(self, idx: int) -> Place:
        r = self.records[idx]
        return Place(
            id=r[F_ID],
            name=r[F_NAME],
            feature=r[F_FEATURE],
            lat=r[F_LAT],
            lon=r[F_LON],
            country_code=r[F_CC] or None,
            geonameid=r[F_GNID] or None,
            population=r[F_POP],
            labels=dict(r[F_LABELS]),
        )

    def country_of(self, idx: int) -> str:
        return str(self.records[idx][F_CC] or "")

    def region_of(self, idx: int) -> str:
        return str(self.records[idx][F_REGION] or "")

    def search(self, query: str, limit: int = 10) -> list[Place]:
        """Places whose name is `query` (exact, any language), largest first."""
        key = normalize(query)
        idxs = {h.place for h in self.hits(key) if h.kind in ("name", "metonym")}

        def rank(i: int) -> tuple[bool, bool, int]:
            r = self.records[i]
            own = normalize(r[F_NAME]) == key or any(normalize(v) == key for _, v in r[F_LABELS])
            city = r[F_FEATURE] == "city"
            big = int(r[F_POP]) >= BIG_CITY or i in self.seat_places
            return (not own and city, city and not big, -int(r[F_POP]))

        ranked = sorted(idxs, key=rank)
        return [self.place(i) for i in ranked[:limit]]

