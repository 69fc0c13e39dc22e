"""Tests for storymap.gazetteer: lookups in the real index (names in many languages, country
names from babel, German adjective endings, metonyms, regions, continents, abbreviations,
seats) and the disk cache (built once, reused, rebuilt when the fingerprint changes or a file
is corrupt), the latter with a tiny fake index in a temporary STORYMAP_CACHE_DIR so the big
index is never rebuilt by the tests.
"""

from __future__ import annotations

import marshal
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import km

from storymap import gazetteer as gazetteer_mod
from storymap.gazetteer import (
    F_CC,
    F_FEATURE,
    F_ID,
    F_LAT,
    F_LON,
    GERMAN_ADJ_ENDINGS,
    Gazetteer,
    normalize,
)
from storymap.gazetteer import build as gazetteer_build
from storymap.gazetteer import cache as gazetteer_cache
from storymap.gazetteer import files as gazetteer_files
from storymap.model import FEATURES, Place

MOSCOW = (55.7558, 37.6173)


def places_for(gaz: Gazetteer, name: str, kind: str | None = None) -> list[tuple[Any, ...]]:
    return [gaz.record(h.place) for h in gaz.lookup(name) if kind is None or h.kind == kind]


def has(gaz: Gazetteer, name: str, *, feature: str, cc: str | None = None,
        near: tuple[float, float] | None = None, radius: float = 30.0,
        kind: str = "name") -> bool:
    for r in places_for(gaz, name, kind):
        if r[F_FEATURE] != feature or (cc is not None and r[F_CC] != cc):
            continue
        if near is None or km(r[F_LAT], r[F_LON], *near) <= radius:
            return True
    return False


# -- normalize ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Moskau", "moskau"),
        ("  New\u00a0 York ", "new york"),
        ("Côte d\u2019Ivoire", "côte d'ivoire"),
        ("Cote\u0302", "cotê"),  # combining accent composed (NFC)
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
    ],
)
def test_normalize(raw: str, key: str) -> None:
    assert normalize(raw) == key


# -- lookups in the real index ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Moskau", "Moscow", "Moskva", "moskau", "MOSKAU"])
def test_moscow_in_latin_scripts(gaz: Gazetteer, name: str) -> None:
    assert has(gaz, name, feature="city", cc="RU", near=MOSCOW)


@pytest.mark.parametrize("name", ["Москва", "Μόσχα", "موسكو"])
def test_moscow_in_other_scripts(gaz: Gazetteer, name: str) -> None:
    gaz.use_other_scripts()
    assert has(gaz, name, feature="city", cc="RU", near=MOSCOW)


def test_a_name_looked_up_before_its_script_loads_is_found_after(gaz: Gazetteer) -> None:
    """Lookups are memoised, "no hits" too; loading the other scripts must forget those."""
    fp = gazetteer_mod.fingerprint()
    folder = gazetteer_mod.cache_dir()
    index = gazetteer_mod.load_marshal(folder / f"gazetteer-{fp}.marshal")
    index["other_path"] = str(folder / f"gazetteer-{fp}-other.marshal")
    fresh = Gazetteer(index)  # `gaz` may have loaded them already
    assert fresh.hits("москва") == ()
    fresh.use_other_scripts()
    assert fresh.hits("москва")


@pytest.mark.parametrize(
    ("name", "cc"),
    [
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Alemania", "DE"),
        ("Niemcy", "DE"),
        ("Duitsland", "DE"),
        ("Германия", "DE"),
        ("Nordkorea", "KP"),
        ("North Korea", "KP"),
        ("Corée du Nord", "KP"),
        ("Österreich", "AT"),
        ("Schweiz", "CH"),
        ("Vereinigte Staaten", "US"),
        ("Elfenbeinküste", "CI"),
        ("C\u00f4te d\u2019Ivoire", "CI"),
    ],
)
def test_country_names_in_many_languages(gaz: Gazetteer, name: str, cc: str) -> None:
    gaz.use_other_scripts()
    hits = [h for h in gaz.lookup(name) if h.kind == "name"]
    assert gaz.countries[cc] in {h.place for h in hits}


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "ru"])
def test_every_country_has_its_babel_name(gaz: Gazetteer, language: str) -> None:
    from babel import Locale

    gaz.use_other_scripts()
    names = Locale(language).territories
    missing = [
        cc for cc, idx in gaz.countries.items()
        if cc in names and cc != "CS"  # Serbia and Montenegro: CLDR has no name any more
        and idx not in {h.place for h in gaz.lookup(names[cc])}
    ]
    assert missing == []


def test_country_records(gaz: Gazetteer) -> None:
    assert len(gaz.countries) >= 230
    ru = gaz.place(gaz.countries["RU"])
    assert (ru.name, ru.feature, ru.country_code) == ("Russia", "country", "RU")
    assert ru.label("de") == "Russland"
    assert ru.geonameid == 2017370
    assert ru.population > 100_000_000


@pytest.mark.parametrize(
    ("stem", "cc"),
    [
        ("russisch", "RU"),
        ("nordkoreanisch", "KP"),
        ("südkoreanisch", "KR"),
        ("ukrainisch", "UA"),
        ("österreichisch", "AT"),
        ("amerikanisch", "US"),
        ("US-amerikanisch", "US"),
        ("französisch", "FR"),
        ("deutsch", "DE"),
    ],
)
def test_german_adjectives_with_every_ending(gaz: Gazetteer, stem: str, cc: str) -> None:
    assert set(GERMAN_ADJ_ENDINGS) >= {"", "e", "en", "er", "es", "em"}
    for ending in ("", "e", "en", "er", "es", "em"):
        hits = gaz.lookup(stem + ending)
        assert any(h.place == gaz.countries[cc] and h.kind == "adjective" for h in hits), (
            stem + ending
        )


@pytest.mark.parametrize(
    ("word", "cc"),
    [("westrussischen", "RU"), ("nordkoreanischen", "KP"), ("südkoreanischer", "KR")],
)
def test_compass_adjectives_prefer_real_entries(gaz: Gazetteer, word: str, cc: str) -> None:
    places = {h.place for h in gaz.lookup(word) if h.kind == "adjective"}
    assert places == {gaz.countries[cc]}


def test_a_compass_adjective_means_a_known_part_of_its_country(gaz: Gazetteer) -> None:
    """"ostukrainisch": Eastern Ukraine, which the gazetteer knows as an area of its own."""
    places = {gaz.place(h.place).name for h in gaz.lookup("ostukrainische")
              if h.kind == "adjective"}
    assert places == {"Eastern Ukraine"}


@pytest.mark.parametrize(
    ("word", "cc"),
    [("Russian", "RU"), ("North Korean", "KP"), ("French", "FR"), ("Ukrainian", "UA")],
)
def test_english_adjectives(gaz: Gazetteer, word: str, cc: str) -> None:
    hits = gaz.lookup(word)
    assert any(h.place == gaz.countries[cc] and h.kind == "adjective" for h in hits)


@pytest.mark.parametrize(
    ("word", "cc"), [("Russen", "RU"), ("Americans", "US"), ("Österreicher", "AT")]
)
def test_demonyms(gaz: Gazetteer, word: str, cc: str) -> None:
    hits = gaz.lookup(word)
    assert any(h.place == gaz.countries[cc] and h.kind == "demonym" for h in hits)


def test_city_adjective_wiener(gaz: Gazetteer) -> None:
    assert has(gaz, "Wiener", feature="city", cc="AT", near=(48.21, 16.37), kind="demonym")


def test_region_adjective_steirisch(gaz: Gazetteer) -> None:
    for form in ("steirisch", "steirische", "steirischen"):
        assert any(
            gaz.record(h.place)[F_ID] == "iso:AT-6" for h in gaz.lookup(form)
        ), form


@pytest.mark.parametrize(
    ("word", "near"),
    [
        ("Kreml", MOSCOW),
        ("Kremls", MOSCOW),
        ("Kremlin", MOSCOW),
        ("Weißes Haus", (38.8951, -77.0364)),
        ("Weißen Haus", (38.8951, -77.0364)),
        ("White House", (38.8951, -77.0364)),
        ("Downing Street", (51.5074, -0.1278)),
        ("Élysée", (48.8566, 2.3522)),
        ("Kanzleramt", (52.52, 13.405)),
        ("Zhongnanhai", (39.9042, 116.4074)),
    ],
)
def test_metonyms(gaz: Gazetteer, word: str, near: tuple[float, float]) -> None:
    assert has(gaz, word, feature="city", near=near, kind="metonym")


@pytest.mark.parametrize(
    ("name", "iso", "near", "radius"),
    [
        ("Steiermark", "AT-6", (47.25, 15.0), 80),
        ("Styria", "AT-6", (47.25, 15.0), 80),
        ("Tirol", "AT-7", (47.2, 11.3), 80),
        ("Bayern", "DE-BY", (48.9, 11.4), 120),
        ("Bavaria", "DE-BY", (48.9, 11.4), 120),
        ("Texas", "US-TX", (31.0, -99.0), 300),
        ("Ohio", "US-OH", (40.3, -82.8), 150),
        ("Alberta", "CA-AB", (54.0, -115.0), 400),
        ("Gebiet Kursk", "RU-KRS", (51.7, 36.2), 100),
        ("Kursk Oblast", "RU-KRS", (51.7, 36.2), 100),
    ],
)
def test_region_table(
    gaz: Gazetteer, name: str, iso: str, near: tuple[float, float], radius: float
) -> None:
    idx = gaz.regions[iso]
    r = gaz.record(idx)
    assert r[F_FEATURE] == "region"
    assert r[F_CC] == iso.split("-")[0]
    assert idx in {h.place for h in gaz.lookup(name)}
    assert km(r[F_LAT], r[F_LON], *near) <= radius
    assert gaz.region_of(idx) == iso


@pytest.mark.parametrize(
    ("name", "continent"),
    [("Europa", "Europe"), ("Europe", "Europe"), ("Afrika", "Africa"), ("Asien", "Asia"),
     ("Südamerika", "South America")],
)
def test_continents(gaz: Gazetteer, name: str, continent: str) -> None:
    recs = [r for r in places_for(gaz, name) if r[F_FEATURE] == "continent"]
    assert [r[1] for r in recs] == [continent]


@pytest.mark.parametrize(
    ("abbr", "feature", "cc"),
    [
        ("U.S.", "country", "US"),
        ("USA", "country", "US"),
        ("UK", "country", "GB"),
        ("B.C.", "region", "CA"),
        ("Ky.", "region", "US"),
        ("EU", "other", ""),
    ],
)
def test_abbreviations(gaz: Gazetteer, abbr: str, feature: str, cc: str) -> None:
    recs = places_for(gaz, abbr)
    assert any(r[F_FEATURE] == feature and r[F_CC] == cc for r in recs), recs[:3]


@pytest.mark.parametrize(
    ("cc", "near"),
    [
        ("RU", MOSCOW),
        ("KP", (39.0339, 125.7543)),
        ("US", (38.8951, -77.0364)),
        ("DE", (52.52, 13.405)),
        ("NL", (52.0799, 4.3113)),  # The Hague, not Amsterdam
        ("BO", (-16.5, -68.15)),  # La Paz, not Sucre
        ("CH", (46.948, 7.447)),  # Bern
        ("UA", (50.45, 30.52)),
    ],
)
def test_seats_of_government(gaz: Gazetteer, cc: str, near: tuple[float, float]) -> None:
    seat = gaz.place(gaz.seats[cc])
    assert seat.feature == "city"
    assert km(seat.lat, seat.lon, *near) <= 20


def test_every_seat_is_a_city_of_its_country(gaz: Gazetteer) -> None:
    assert len(gaz.seats) >= 230
    for cc, idx in gaz.seats.items():
        r = gaz.record(idx)
        assert r[F_FEATURE] == "city", cc
        assert r[F_CC] == cc, cc
        assert idx in gaz.seat_places


def test_records_are_well_formed(gaz: Gazetteer) -> None:
    ids = set()
    for r in gaz.records:
        assert r[F_FEATURE] in FEATURES
        assert -90 <= r[F_LAT] <= 90 and -180 <= r[F_LON] <= 180
        ids.add(r[F_ID])
    assert len(ids) == len(gaz.records), "place ids must be unique"


def test_place_and_search(gaz: Gazetteer) -> None:
    first = gaz.search("Moskau", limit=3)[0]
    assert first.feature == "city" and first.country_code == "RU"
    assert km(first.lat, first.lon, *MOSCOW) <= 30
    assert gaz.place(gaz.seats["RU"]) == gaz.place(gaz.seats["RU"])
    assert gaz.search("Xyzzyplatz") == []
    assert not gaz.lookup("Xyzzyplatz")
    assert len(gaz.search("Springfield", limit=4)) == 4


def test_multiword_prefixes(gaz: Gazetteer) -> None:
    assert gaz.is_prefix("new")  # "New York"
    assert gaz.is_prefix("downing")
    assert not gaz.is_prefix("xyzzy")


def test_common_words_and_first_names(gaz: Gazetteer) -> None:
    de, _ = gaz.common["sommer"]
    assert de >= 4.0
    assert "kim" in gaz.first_names and "mary" in gaz.first_names


@pytest.mark.parametrize(
    ("cc", "label"),
    [("RU", "Moskau"), ("KP", "Pjöngjang"), ("AT", "Wien"), ("EG", "Kairo"), ("CN", "Peking")],
)
def test_city_labels_in_german(gaz: Gazetteer, cc: str, label: str) -> None:
    assert gaz.place(gaz.seats[cc]).label("de") == label


def _city(gaz: Gazetteer, name: str) -> Place:
    return next(p for p in gaz.search(name, limit=20) if p.name == name and p.feature == "city")


@pytest.mark.parametrize(
    ("name", "not_label"),
    [("Casablanca", "White House"), ("Lagos", "Logos"), ("Hong Kong", "Victoria"),
     ("Chattogram", "Islamabad"), ("Damascus", "Sam"), ("Jakarta", "New York Van Java"),
     ("Dubai", "Dabei")],
)
def test_german_labels_are_no_wordfreq_accidents(gaz: Gazetteer, name: str, not_label: str
                                                 ) -> None:
    """wordfreq counts words: an alternate name that is more frequent is not yet German."""
    assert _city(gaz, name).label("de") != not_label


@pytest.mark.parametrize(
    ("name", "label"), [("Halle (Saale)", "Halle"), ("Newcastle upon Tyne", "Newcastle")]
)
def test_german_labels_keep_short_forms(gaz: Gazetteer, name: str, label: str) -> None:
    assert _city(gaz, name).label("de") == label


def test_region_sizes(gaz: Gazetteer) -> None:
    """Jamaica's parishes are ISO regions like US states, but hold thousands, not millions."""
    assert gaz.region_people["JM-04"] < 100_000 < 1_000_000 < gaz.region_people["US-ME"]
    assert all(people > 0 for people in gaz.region_people.values())


def test_process_wide_load_is_shared(gaz: Gazetteer) -> None:
    assert gazetteer_mod.load() is gaz


# -- the disk cache, with a tiny fake index ------------------------------------------------------


TINY_PLACES = [
    ("gn:524901", "Moscow", "city", 55.75, 37.62, "RU", 524901, 10_000_000, "RU-MOW",
     (("en", "Moscow"),)),
    ("gn:2761369", "Vienna", "city", 48.21, 16.37, "AT", 2761369, 1_700_000, "AT-9",
     (("en", "Vienna"),)),
]
TINY_NAMES = {"moskau": 0, "москва": 0, "kreml": 0 * 4 + 3, "wien": 4, "new moskau": 0}
_TEMPLATE: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def index_template(gaz: Gazetteer) -> None:
    """The key set of the real index (read from its cache file), so the fake index below
    follows whatever fields the real one has; values are emptied."""
    path = gazetteer_mod.cache_dir() / f"gazetteer-{gaz.fingerprint}.marshal"
    real: dict[str, Any] = marshal.loads(path.read_bytes()) if path.exists() else {}
    _TEMPLATE.clear()
    for key, value in real.items():
        _TEMPLATE[key] = value if isinstance(value, (int, str)) else type(value)()


def tiny_index() -> dict[str, Any]:
    """A two-place index shaped like the real one."""
    index = dict(_TEMPLATE)
    index.update(
        format=gazetteer_mod.INDEX_FORMAT,
        places=list(TINY_PLACES),
        names=dict(TINY_NAMES),
        common={},
        first_names=frozenset({"kim"}),
        acronyms={},
        countries={},
        regions={},
        seats={},
        facts=gazetteer_mod.place_facts(list(TINY_PLACES), {}, {}),
    )
    index.pop("fingerprint", None)
    index.pop("other_path", None)
    return index


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """A temporary cache dir, a fake builder that counts its calls, a settable fingerprint."""
    state = SimpleNamespace(dir=tmp_path / "cache", builds=0, fp="aaaa111122223333")

    def build() -> dict[str, Any]:
        state.builds += 1
        return tiny_index()

    monkeypatch.setenv("STORYMAP_CACHE_DIR", str(state.dir))
    monkeypatch.setattr(gazetteer_build, "build_index", build)
    monkeypatch.setattr(gazetteer_cache, "fingerprint", lambda: state.fp)
    return state


def fresh_load() -> Gazetteer:
    """load() without its process-wide memo (the real index stays memoised)."""
    loader: Callable[[], Gazetteer] = gazetteer_mod.load.__wrapped__  # type: ignore[attr-defined]
    return loader()


def cache_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_cache_dir_from_environment(cache: SimpleNamespace) -> None:
    assert gazetteer_mod.cache_dir() == cache.dir


def test_first_load_builds_and_writes_the_cache(cache: SimpleNamespace) -> None:
    gaz = fresh_load()
    assert cache.builds == 1
    assert cache_files(cache.dir) == [
        f"gazetteer-{cache.fp}-other.marshal",
        f"gazetteer-{cache.fp}.marshal",
    ]
    assert gaz.fingerprint == cache.fp
    assert [h.place for h in gaz.lookup("Moskau")] == [0]
    assert [h.kind for h in gaz.lookup("Kreml")] == ["metonym"]
    assert [h.place for h in gaz.lookup("Москва")] == [0]
    assert gaz.is_prefix("new")


def test_second_load_reads_the_cache(cache: SimpleNamespace) -> None:
    fresh_load()
    gaz = fresh_load()
    assert cache.builds == 1
    assert gaz.place(1).name == "Vienna"
    assert not gaz.lookup("Москва")  # other scripts load on first need
    gaz.use_other_scripts()
    assert [h.place for h in gaz.lookup("Москва")] == [0]


def test_fingerprint_change_rebuilds_and_removes_stale_files(cache: SimpleNamespace) -> None:
    fresh_load()
    cache.fp = "bbbb111122223333"
    gaz = fresh_load()
    assert cache.builds == 2
    assert gaz.fingerprint == cache.fp
    assert cache_files(cache.dir) == [
        f"gazetteer-{cache.fp}-other.marshal",
        f"gazetteer-{cache.fp}.marshal",
    ]
    fresh_load()
    assert cache.builds == 2


def test_missing_other_file_rebuilds(cache: SimpleNamespace) -> None:
    fresh_load()
    (cache.dir / f"gazetteer-{cache.fp}-other.marshal").unlink()
    fresh_load()
    assert cache.builds == 2


def _index_bytes() -> bytes:
    return marshal.dumps(tiny_index())


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda: b"", id="empty"),
        pytest.param(lambda: b"not a marshal file\n", id="text"),
        pytest.param(lambda: bytes(range(256)) * 4, id="binary-noise"),
        pytest.param(lambda: _index_bytes()[: len(_index_bytes()) // 2], id="truncated"),
        pytest.param(
            lambda: marshal.dumps(dict(tiny_index(), fingerprint="0000000000000000")),
            id="other-fingerprint-inside",
        ),
        pytest.param(
            lambda: marshal.dumps([1, 2, 3]), id="valid-marshal-not-a-dict",
        ),
    ],
)
def test_corrupt_cache_is_rebuilt(cache: SimpleNamespace, content: Callable[[], bytes]) -> None:
    fresh_load()
    (cache.dir / f"gazetteer-{cache.fp}.marshal").write_bytes(content())
    gaz = fresh_load()
    assert cache.builds == 2
    assert [h.place for h in gaz.lookup("Wien")] == [1]
    fresh_load()  # and the rebuilt file is good again
    assert cache.builds == 2


def test_corrupt_other_scripts_file_is_not_a_crash(cache: SimpleNamespace) -> None:
    fresh_load()
    (cache.dir / f"gazetteer-{cache.fp}-other.marshal").write_bytes(b"garbage")
    gaz = fresh_load()
    gaz.use_other_scripts()
    assert [h.place for h in gaz.lookup("Москва")] == [0]


def test_unwritable_cache_dir_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: SimpleNamespace
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("STORYMAP_CACHE_DIR", str(blocker / "cache"))
    gaz = fresh_load()
    assert [h.place for h in gaz.lookup("Moskau")] == [0]
    assert [h.place for h in gaz.lookup("Москва")] == [0]


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for path in gazetteer_mod.DATA_DIR.glob("*.tsv"):
        shutil.copy(path, folder / path.name)
    monkeypatch.setattr(gazetteer_files, "DATA_DIR", folder)
    return folder


def test_fingerprint_follows_the_data_tables(data_copy: Path) -> None:
    fp = gazetteer_mod.fingerprint()
    assert len(fp) == 16 and int(fp, 16) >= 0
    assert gazetteer_mod.fingerprint() == fp  # deterministic
    table = data_copy / "metonyms.tsv"
    table.write_text(table.read_text("utf-8") + "de\tBallhausplatz\tcc:AT\tAustrian chancellery\n",
                     encoding="utf-8")
    changed = gazetteer_mod.fingerprint()
    assert changed != fp
    (data_copy / "new.tsv").write_text("x\n", encoding="utf-8")
    assert gazetteer_mod.fingerprint() not in (fp, changed)


def test_fingerprint_follows_the_index_format(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fp = gazetteer_mod.fingerprint()
    monkeypatch.setattr(gazetteer_build, "INDEX_FORMAT", gazetteer_mod.INDEX_FORMAT + 1)
    assert gazetteer_mod.fingerprint() != fp


def test_read_table_skips_comments(data_copy: Path) -> None:
    (data_copy / "t.tsv").write_text("# a comment\n\nlang\tword\nde\tEssen\n# tail\n",
                                     encoding="utf-8")
    assert list(gazetteer_mod.read_table("t.tsv")) == [{"lang": "de", "word": "Essen"}]


def test_a_missing_table_is_an_error_with_a_sentence(data_copy: Path) -> None:
    from storymap.errors import GazetteerError

    with pytest.raises(GazetteerError, match=r"missing\.tsv cannot be read"):
        list(gazetteer_mod.read_table("missing.tsv"))


@pytest.mark.parametrize(("text", "language", "geonameid"), [
    ("Wildfires spread across Alberta on Monday.", "en", 5883102),
    ("Queensland braces for the cyclone.", "en", 2152274),
    ("In Bayern wird gewählt.", "de", 2951839),
    ("Die Lage in Kalifornien bleibt angespannt.", "de", 5332921),
])
def test_a_region_carries_its_geonames_id(
    gaz: Gazetteer, text: str, language: str, geonameid: int
) -> None:
    """First-level regions are the GeoNames features of the same name: a tool or gold set
    that names GeoNames ids agrees with storymap even where the points differ."""
    from storymap.pipeline import run

    story = run(text, language=language, gazetteer=gaz)
    assert [p.geonameid for p in story.places if p.feature == "region"] == [geonameid]
