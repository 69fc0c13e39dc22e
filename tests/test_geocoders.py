"""Online geocoders against a fake Nominatim/Photon on 127.0.0.1: the village that the
gazetteer does not know, each network fault, the rate limit, and the persistent cache (across
processes, and after a process killed mid-write). No test touches the internet; the one that
would (`network`) is skipped unless STORYMAP_NETWORK_TESTS=1."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_services import FakeServices, closed_port, running

from storymap.cli import network as cli_network
from storymap.errors import GeocodingError
from storymap.gazetteer import Gazetteer
from storymap.geocoding import (
    GEOCODERS,
    GazetteerGeocoder,
    Geocoder,
    OnlineGeocoder,
    feature_of,
    geocode_unresolved,
    make_geocoder,
    rerank,
    reset_outages,
)
from storymap.geocoding import cache as geocache
from storymap.geocoding.cache import GeoCache, make_key
from storymap.model import Candidate, Mention, Passage, Place, Story
from storymap.pipeline import run

network = pytest.mark.skipif(
    os.environ.get("STORYMAP_NETWORK_TESTS") != "1",
    reason="touches the internet; set STORYMAP_NETWORK_TESTS=1 to run",
)

ROOT = Path(__file__).resolve().parents[1]
UA = "storymap-tests"
ARTICLE = (
    "Hochwasser in der Steiermark\n"
    "Nach tagelangem Regen ist die Mur über die Ufer getreten. In Graz wurden Straßen "
    "gesperrt.\n"
    "Auch in Bad Radkersburg stand das Wasser, und in Laafeld mussten vierzig Häuser geräumt "
    "werden.\n"
)
TWO_UNKNOWN = ARTICLE + "Die Feuerwehr war auch in Zwiefelding im Einsatz.\n"
LAAFELD_ID = "osm:node/240109189"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeServices]:
    with running() as services:
        yield services


@pytest.fixture(autouse=True)
def _fresh(fake: FakeServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.reset()
    reset_outages()
    monkeypatch.setenv("STORYMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("STORYMAP_USER_AGENT", raising=False)


def nominatim(fake: FakeServices, **options: Any) -> OnlineGeocoder:
    options.setdefault("timeout", 2.0)
    g = make_geocoder("nominatim", base_url=fake.base_url, user_agent=UA, **options)
    assert isinstance(g, OnlineGeocoder)
    return g


def photon(fake: FakeServices, **options: Any) -> OnlineGeocoder:
    options.setdefault("timeout", 2.0)
    options.setdefault("min_delay", 0.0)
    g = make_geocoder("photon", base_url=fake.base_url, **options)
    assert isinstance(g, OnlineGeocoder)
    return g


def mention(story: Story, text: str) -> Mention:
    found = [m for m in story.mentions if m.text == text]
    assert found, f"no mention {text!r}: {[m.text for m in story.mentions]}"
    return found[0]


# -- the API ------------------------------------------------------------------------------


def test_names_and_protocol() -> None:
    assert GEOCODERS[0] == "gazetteer"
    assert {"nominatim", "photon", "opencage", "geonames", "mapbox", "here", "googlev3"} <= set(
        GEOCODERS
    )
    g = make_geocoder()
    assert isinstance(g, GazetteerGeocoder) and isinstance(g, Geocoder)
    graz = g.geocode("Graz", country_codes=["at"])
    assert graz is not None and graz.country_code == "AT" and graz.feature == "city"
    assert g.search("Graz", limit=3)
    assert g.search("   ") == []


def test_online_geocoder_is_a_geocoder(fake: FakeServices) -> None:
    assert isinstance(nominatim(fake), Geocoder)
    assert isinstance(photon(fake), Geocoder)


@pytest.mark.parametrize("agent", [None, "", "  ", "geopy/2.5.0", "my-application"])
def test_nominatim_needs_a_real_user_agent(agent: str | None) -> None:
    with pytest.raises(GeocodingError, match="user agent"):
        make_geocoder("nominatim", user_agent=agent)


def test_user_agent_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYMAP_USER_AGENT", "newsroom-maps/1.0 (maps@example.org)")
    g = make_geocoder("nominatim")
    assert isinstance(g, OnlineGeocoder)
    assert g.backend.headers["User-Agent"] == "newsroom-maps/1.0 (maps@example.org)"
    assert g.min_delay >= 1.0  # the public server: never faster than its policy


@pytest.mark.parametrize(
    ("name", "env"),
    [
        ("opencage", "STORYMAP_OPENCAGE_KEY"),
        ("mapbox", "STORYMAP_MAPBOX_KEY"),
        ("googlev3", "STORYMAP_GOOGLE_KEY"),
        ("geonames", "STORYMAP_GEONAMES_USERNAME"),
        ("here", "STORYMAP_HERE_KEY"),
    ],
)
def test_keyed_services_need_their_key(
    name: str, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(env, raising=False)
    monkeypatch.delenv("STORYMAP_GEONAMES_KEY", raising=False)
    with pytest.raises(GeocodingError, match=env):
        make_geocoder(name)
    monkeypatch.setenv(env, "k-123")
    g = make_geocoder(name)
    assert isinstance(g, OnlineGeocoder) and g.name == name


def test_unknown_geocoder_names_the_choices() -> None:
    with pytest.raises(GeocodingError, match="nominatim, photon"):
        make_geocoder("mapquestish")
    with pytest.raises(GeocodingError, match="http"):
        make_geocoder("photon", base_url="ftp://example.org")


@pytest.mark.parametrize(
    ("cls", "typ", "hint", "feature"),
    [
        ("place", "village", None, "city"),
        ("place", "hamlet", None, "city"),
        ("place", "country", None, "country"),
        ("boundary", "administrative", "state", "region"),
        ("boundary", "administrative", "city", "city"),
        ("boundary", "administrative", "country", "country"),
        ("natural", "peak", None, "mountain"),
        ("waterway", "river", None, "water"),
        ("natural", "water", None, "water"),
        ("place", "island", None, "island"),
        ("tourism", "attraction", None, "landmark"),
        ("highway", "residential", None, "other"),
    ],
)
def test_feature_mapping(cls: str, typ: str, hint: str | None, feature: str) -> None:
    assert feature_of(cls, typ, hint) == feature


# -- the village the gazetteer does not know ------------------------------------------------


def test_geocoded_village_is_added_to_the_story(fake: FakeServices, gaz: Gazetteer) -> None:
    offline = run(ARTICLE, gazetteer=gaz)
    assert all(m.text != "Laafeld" for m in offline.mentions)

    story = run(ARTICLE, gazetteer=gaz, geocoder=nominatim(fake))
    m = mention(story, "Laafeld")
    assert m.place_id == LAAFELD_ID and m.kind == "name"
    assert story.article[m.start : m.end] == "Laafeld"
    place = story.place(LAAFELD_ID)
    assert place is not None
    assert (place.feature, place.country_code) == ("city", "AT")
    assert abs(place.lat - 46.69) < 0.01 and abs(place.lon - 15.97) < 0.01
    assert place in [p for _, ps in story.steps() for p in ps]
    assert story.warnings == ()
    # The other places are untouched, and the search was biased to the article's country.
    assert {m.text for m in offline.mentions} < {m.text for m in story.mentions}
    (hit,) = fake.hits("/search")
    assert hit.query["countrycodes"] == ["at"]
    assert hit.query["q"] == ["Laafeld"]
    assert hit.headers["User-Agent"] == UA
    # Mentions stay in text order.
    assert [m.start for m in story.mentions] == sorted(m.start for m in story.mentions)


def test_photon_finds_the_village_too(fake: FakeServices, gaz: Gazetteer) -> None:
    story = run(ARTICLE, gazetteer=gaz, geocoder=photon(fake))
    assert mention(story, "Laafeld").place_id == LAAFELD_ID
    (place,) = photon(fake).search("Ljubljana")
    assert place.id == "osm:relation/2171347" and place.country_code == "SI"


def test_a_name_no_service_knows_stays_unresolved(fake: FakeServices, gaz: Gazetteer) -> None:
    story = run(TWO_UNKNOWN, gazetteer=gaz, geocoder=nominatim(fake))
    assert mention(story, "Laafeld").place_id == LAAFELD_ID
    m = mention(story, "Zwiefelding")
    assert m.place_id is None
    assert any("found no place" in w and "Zwiefelding" in w for w in story.warnings)


def test_gazetteer_geocoder_adds_nothing(gaz: Gazetteer) -> None:
    story = run(ARTICLE, gazetteer=gaz, geocoder=make_geocoder("gazetteer"))
    assert story == run(ARTICLE, gazetteer=gaz)


# -- faults, one by one -------------------------------------------------------------------------

FAULTS = {
    # mode at the server → (words the warning must contain, seconds the run may take at most)
    "timeout:3": ("timeout", 2.5),
    "503": ("HTTP 503", 5.0),
    "500": ("HTTP 500", 5.0),
    "malformed": ("could not read", 3.0),
    "html": ("could not read", 3.0),
    "429:60": ("HTTP 429", 2.5),
}


@pytest.mark.parametrize("mode", list(FAULTS))
def test_each_fault_ends_with_a_story_and_a_warning(
    mode: str, fake: FakeServices, gaz: Gazetteer
) -> None:
    fake.default["/search"] = mode
    geocoder = nominatim(fake, timeout=0.5, retries=2, backoff=0.2, max_wait=4.0)
    words, bound = FAULTS[mode]
    t0 = time.monotonic()
    story = run(TWO_UNKNOWN, gazetteer=gaz, geocoder=geocoder)
    elapsed = time.monotonic() - t0
    assert elapsed < bound, f"{mode}: {elapsed:.1f} s"
    assert mention(story, "Graz").place_id is not None  # the gazetteer's work is kept
    for name in ("Laafeld", "Zwiefelding"):
        assert mention(story, name).place_id is None
    assert len(story.warnings) == 1, story.warnings
    warning = story.warnings[0]
    assert words in warning and "Nominatim" in warning
    assert "Laafeld" in warning and "Zwiefelding" in warning
    # Nothing was raised to the caller, and the outage is remembered: one request per
    # try, not one per name (a timeout / malformed answer is not retried).
    tries = len(fake.hits("/search"))
    if mode.startswith(("timeout", "malformed", "html", "429")):
        assert tries <= 2
    else:
        assert tries == 3  # 1 + 2 retries, then the service is left alone


def test_connection_refused(gaz: Gazetteer) -> None:
    geocoder = make_geocoder(
        "nominatim", base_url=f"http://127.0.0.1:{closed_port()}", user_agent=UA, timeout=1.0
    )
    t0 = time.monotonic()
    story = run(TWO_UNKNOWN, gazetteer=gaz, geocoder=geocoder)
    assert time.monotonic() - t0 < 2.0
    (warning,) = story.warnings
    assert warning.startswith("Could not reach Nominatim (connection refused)")
    assert "2 places were not looked up" in warning


def test_500_then_success_is_retried(fake: FakeServices, gaz: Gazetteer) -> None:
    fake.script("/search", "500")
    t0 = time.monotonic()
    story = run(ARTICLE, gazetteer=gaz, geocoder=nominatim(fake, backoff=0.2))
    assert time.monotonic() - t0 < 3.0
    assert mention(story, "Laafeld").place_id == LAAFELD_ID
    assert story.warnings == ()
    assert len(fake.hits("/search")) == 2


def test_429_retry_after_is_honoured(fake: FakeServices, gaz: Gazetteer) -> None:
    fake.script("/search", "429:2")
    story = run(ARTICLE, gazetteer=gaz, geocoder=nominatim(fake))
    assert mention(story, "Laafeld").place_id == LAAFELD_ID
    first, second = fake.hits("/search")
    assert second.at - first.at >= 2.0


def test_long_retry_after_is_shared_with_other_geocoders(fake: FakeServices) -> None:
    fake.script("/search", "429:120")
    first = nominatim(fake)
    answer = first.lookup("Laafeld")
    assert answer.fault is not None and answer.fault.kind == "rate-limited"
    # Another geocoder on the same cache (another app session, a CLI run) does not send
    # either, and does not wait two minutes: it answers at once with a warning.
    other = nominatim(fake)
    t0 = time.monotonic()
    assert other.geocode("Laafeld") is None
    assert time.monotonic() - t0 < 0.5
    assert len(fake.hits("/search")) == 1
    (warning,) = other.pop_warnings()
    assert "slow down" in warning and "Laafeld" in warning


def test_search_never_raises_and_keeps_warnings(fake: FakeServices) -> None:
    fake.default["/api"] = "malformed"
    g = photon(fake)
    assert g.search("Laafeld") == []
    assert g.geocode("Ljubljana") is None
    warnings = g.pop_warnings()
    assert len(warnings) == 2 and all("could not read" in w for w in warnings)
    assert g.pop_warnings() == []


def test_circuit_breaker_skips_the_service_for_a_while(fake: FakeServices) -> None:
    fake.default["/api"] = "timeout:2"
    g = photon(fake, timeout=0.3, cooldown=60)
    t0 = time.monotonic()
    assert g.lookup("Laafeld").fault is not None
    second = g.lookup("Ljubljana")
    assert second.skipped and second.fault is not None and second.fault.kind == "timeout"
    assert time.monotonic() - t0 < 1.0
    assert len(fake.hits("/api")) == 1


def test_a_foreign_geocoder_that_raises_does_not_end_the_story(gaz: Gazetteer) -> None:
    class Broken:
        name = "broken"

        def geocode(self, query: str, **kw: Any) -> Place | None:
            raise ConnectionError("socket closed")

        def search(self, query: str, **kw: Any) -> list[Place]:
            raise ConnectionError("socket closed")

    story = run(ARTICLE, gazetteer=gaz, geocoder=Broken())  # type: ignore[arg-type]
    assert mention(story, "Laafeld").place_id is None
    assert any("socket closed" in w for w in story.warnings)


# -- the rate limit -------------------------------------------------------------------------------


def gaps(fake: FakeServices, path: str) -> list[float]:
    times = sorted(r.at for r in fake.hits(path))
    return [b - a for a, b in itertools.pairwise(times)]


def test_rate_limit_one_request_per_second(fake: FakeServices) -> None:
    g = nominatim(fake)
    for name in ("Laafeld", "Ljubljana", "Brandenburger Tor"):
        g.geocode(name)
    assert len(fake.hits("/search")) == 3
    assert min(gaps(fake, "/search")) >= 1.0


def test_rate_limit_holds_across_threads_and_instances(fake: FakeServices) -> None:
    names = ["Laafeld", "Ljubljana", "Brandenburger Tor", "Potrna"]
    geocoders = [nominatim(fake), nominatim(fake)]  # two app sessions, one cache
    threads = [
        threading.Thread(target=geocoders[i % 2].geocode, args=(name,))
        for i, name in enumerate(names)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert len(fake.hits("/search")) == 4
    assert min(gaps(fake, "/search")) >= 1.0


CHILD = textwrap.dedent(
    """
    import sys
    from storymap.geocoding import make_geocoder
    base, *names = sys.argv[1:]
    g = make_geocoder("nominatim", base_url=base, user_agent="storymap-tests", timeout=5)
    for name in names:
        place = g.geocode(name)
        print(place.id if place else "-", flush=True)
    """
)


def child(fake: FakeServices, *names: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, fake.base_url, *names],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def test_rate_limit_holds_across_processes(fake: FakeServices) -> None:
    procs = [child(fake, "Laafeld", "Ljubljana"), child(fake, "Potrna", "Laibach")]
    outputs = [p.communicate(timeout=60)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outputs[0] == [LAAFELD_ID, "osm:relation/2171347"]
    assert len(fake.hits("/search")) == 4
    assert min(gaps(fake, "/search")) >= 1.0


# -- the persistent cache ------------------------------------------------------------------


def test_cache_answers_a_repeat_without_a_request(fake: FakeServices) -> None:
    first = nominatim(fake).lookup("Laafeld", country_codes=["at"])
    assert not first.cached and first.places
    again = nominatim(fake).lookup("laafeld ", country_codes=["AT"])  # a new session
    assert again.cached and again.places == first.places
    assert len(fake.hits("/search")) == 1


def test_cache_is_shared_across_processes(fake: FakeServices) -> None:
    p = child(fake, "Laafeld")
    assert p.communicate(timeout=30)[0].split() == [LAAFELD_ID]
    assert len(fake.hits("/search")) == 1
    t0 = time.monotonic()
    place = nominatim(fake).geocode("Laafeld")
    assert place is not None and place.id == LAAFELD_ID
    assert time.monotonic() - t0 < 0.5  # no rate-limit wait either: no request at all
    assert len(fake.hits("/search")) == 1


def test_negative_answers_are_cached_for_a_shorter_time(fake: FakeServices) -> None:
    g = nominatim(fake, min_delay=0)
    assert g.geocode("Zwiefelding") is None
    assert g.geocode("Laafeld") is not None
    assert g.geocode("Zwiefelding") is None
    assert len(fake.hits("/search")) == 2
    assert g.cache is not None
    with sqlite3.connect(g.cache.path) as db:
        rows = dict(db.execute("SELECT value, expires - created FROM entries").fetchall())
    assert rows["[]"] <= 2 * 86400
    (positive,) = [ttl for value, ttl in rows.items() if value != "[]"]
    assert positive >= 7 * 86400


def test_faults_are_not_cached(fake: FakeServices) -> None:
    fake.script("/api", "503")
    g = photon(fake, retries=0, cooldown=0)
    assert g.lookup("Laafeld").fault is not None
    g2 = photon(fake)
    assert g2.lookup("Laafeld").places  # asked again, answered
    assert len(fake.hits("/api")) == 2


def test_cache_clear_and_info(fake: FakeServices) -> None:
    g = nominatim(fake, min_delay=0)
    g.geocode("Laafeld")
    g.geocode("Zwiefelding")
    assert g.cache is not None
    info = g.cache.info()
    assert (info.entries, info.negative) == (2, 1)
    assert info.services == {"nominatim": 2}
    assert "entries: 2" in info.describe()
    assert g.cache.clear() == 2
    assert g.cache.info().entries == 0
    assert not g.lookup("Laafeld").cached


def test_damaged_entry_is_never_served(tmp_path: Path) -> None:
    cache = GeoCache(tmp_path / "c.sqlite3")
    key = make_key("q", 1)
    assert cache.put(key, [{"id": "x"}])
    assert cache.lookup(key) == (True, [{"id": "x"}])
    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE entries SET value = ? WHERE key = ?", ('[{"id": "y"}]', key))
    assert cache.lookup(key) == (False, None)
    with sqlite3.connect(cache.path) as db:
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 0


def test_a_file_that_is_no_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    cache = GeoCache(path)
    key = make_key("q")
    assert cache.put(key, [1, 2])
    assert cache.get(key) == [1, 2]
    assert list(tmp_path.glob("c.sqlite3.corrupt-*"))


def test_an_unusable_cache_degrades_to_no_cache(fake: FakeServices, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = GeoCache(blocker / "sub" / "c.sqlite3")  # a folder under a file: cannot exist
    g = photon(fake, cache=cache)
    assert g.geocode("Laafeld") is not None
    assert cache.info().entries == 0


def open_together(path: Path, sessions: int) -> list[tuple[float, bool] | None]:
    """`sessions` caches open the same file at the same moment and each asks for a slot."""
    caches = [GeoCache(path) for _ in range(sessions)]
    start = threading.Barrier(sessions)
    answers: list[tuple[float, bool] | None] = [None] * sessions

    def take(i: int) -> None:
        start.wait()
        answers[i] = caches[i].acquire("svc", 5.0)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for cache in caches:
        cache.close()
    return answers


def test_caches_opened_together_on_a_new_file_all_work(tmp_path: Path) -> None:
    # Sessions that open a new cache file at the same moment must neither fail ("database is
    # locked" while switching to WAL) nor drop the tables another has just made.
    for trial in range(60):
        answers = open_together(tmp_path / f"c{trial}.sqlite3", 6)
        assert None not in answers, f"trial {trial}: a cache gave up"
        assert answers.count((0.0, False)) == 1


def test_switching_to_wal_waits_out_a_busy_file() -> None:
    class BusyTwice:
        calls = 0

        def execute(self, sql: str) -> None:
            self.calls += 1
            if self.calls <= 2:
                exc = sqlite3.OperationalError("database is locked")
                exc.sqlite_errorcode = sqlite3.SQLITE_BUSY
                raise exc

    conn = BusyTwice()
    geocache._switch_to_wal(conn)  # type: ignore[arg-type]
    assert conn.calls == 3


WRITER = textwrap.dedent(
    """
    import sys
    from storymap.geocoding.cache import GeoCache, make_key
    cache = GeoCache(sys.argv[1])
    blob = "x" * 200_000
    i = 0
    while True:
        value = {"i": i, "blob": blob, "tail": i}
        cache.put(make_key("k", i % 50), value)
        if i == 0:
            print("ready", flush=True)
        i += 1
    """
)


def test_cache_survives_a_process_killed_mid_write(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    for round_ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(0.2 + 0.1 * round_)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
        cache = GeoCache(path)
        found = 0
        for k in range(50):
            ok, value = cache.lookup(make_key("k", k))
            if ok:
                found += 1
                assert value["i"] == value["tail"] and len(value["blob"]) == 200_000
        assert found >= 1
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        cache.close()


# -- re-ranking (opt-in) ---------------------------------------------------------------------------

FRANKFURT_MAIN = Place(
    "gn:2925533", "Frankfurt am Main", "city", 50.1155, 8.6842, "DE", 2925533, 650_000
)
FRANKFURT_ODER = Place(
    "gn:2925535", "Frankfurt (Oder)", "city", 52.3471, 14.5506, "DE", 2925535, 60_000
)
SLUBICE = Place("gn:3085450", "Słubice", "city", 52.3503, 14.5606, "PL", 3085450, 17_000)


def frankfurt_story(confidence: float) -> Story:
    text = "Grenzverkehr\nZwischen Frankfurt und Słubice staut sich der Verkehr."
    f0 = text.index("Frankfurt")
    s0 = text.index("Słubice")
    return Story(
        article=text,
        language="de",
        passages=(Passage(0, 0, 12, text[:12]), Passage(1, 13, len(text), text[13:])),
        places=(FRANKFURT_MAIN, SLUBICE),
        mentions=(
            Mention(
                f0,
                f0 + 9,
                "Frankfurt",
                1,
                FRANKFURT_MAIN.id,
                "name",
                confidence,
                (Candidate(FRANKFURT_MAIN, 2.0), Candidate(FRANKFURT_ODER, 1.8)),
            ),
            Mention(s0, s0 + 7, "Słubice", 1, SLUBICE.id, "name", 1.0, (Candidate(SLUBICE, 3.0),)),
        ),
    )


class Fixed:
    """A stand-in online service that answers every query with the same places."""

    name = "fixed"

    def __init__(self, places: list[Place], error: Exception | None = None) -> None:
        self.places, self.error = places, error
        self.calls: list[tuple[str, Any]] = []

    def geocode(self, query: str, **kw: Any) -> Place | None:
        found = self.search(query, **kw)
        return found[0] if found else None

    def search(self, query: str, **kw: Any) -> list[Place]:
        self.calls.append((query, kw))
        if self.error:
            raise self.error
        return list(self.places)


def test_rerank_picks_the_candidate_the_service_confirms() -> None:
    online = Place("osm:relation/1", "Frankfurt (Oder)", "city", 52.34, 14.55, "DE")
    service = Fixed([online])
    story = rerank(frankfurt_story(0.55), service)
    m = story.mentions[0]
    assert m.place_id == FRANKFURT_ODER.id
    assert m.candidates[0].place == FRANKFURT_ODER and "geocoder" in m.candidates[0].evidence
    assert {p.id for p in story.places} == {FRANKFURT_ODER.id, SLUBICE.id}
    # biased to the article's countries
    ((query, kw),) = service.calls
    assert query == "Frankfurt" and set(kw["country_codes"]) == {"DE", "PL"}


def test_rerank_leaves_confident_mentions_and_survives_faults() -> None:
    online = Place("osm:relation/1", "Frankfurt (Oder)", "city", 52.34, 14.55, "DE")
    confident = frankfurt_story(0.9)
    assert rerank(confident, Fixed([online])) == confident
    story = rerank(frankfurt_story(0.55), Fixed([], error=TimeoutError("timed out")))
    assert story.mentions[0].place_id == FRANKFURT_MAIN.id
    assert any("timed out" in w for w in story.warnings)


def test_rerank_with_the_fake_nominatim(fake: FakeServices) -> None:
    story = frankfurt_story(0.55)
    assert rerank(story, nominatim(fake)).mentions == story.mentions  # no match: unchanged


def test_geocode_unresolved_with_plain_spans(fake: FakeServices) -> None:
    """The helper takes any span-like objects (start, end, text, passage)."""

    class S:
        def __init__(self, text: str, start: int) -> None:
            self.start, self.end, self.text, self.passage = start, start + len(text), text, 1

    story = frankfurt_story(1.0)
    story = Story(
        story.article + " In Laafeld nicht.",
        story.language,
        story.passages,
        story.places,
        story.mentions,
    )
    start = story.article.index("Laafeld")
    out = geocode_unresolved(story, [S("Laafeld", start)], photon(fake))
    assert [m.text for m in out.mentions] == ["Frankfurt", "Słubice", "Laafeld"]
    assert out.place(LAAFELD_ID) is not None


# -- the real services (skipped by default) ------------------------------------------------


@network
def test_real_nominatim(tmp_path: Path) -> None:  # pragma: no cover - needs the internet
    agent = os.environ.get("STORYMAP_USER_AGENT", "storymap-tests/0.1 (ci)")
    g = make_geocoder("nominatim", user_agent=agent)
    place = g.geocode("Laafeld", country_codes=["AT"], language="de")
    assert place is not None and place.country_code == "AT"
    print(json.dumps({"id": place.id, "lat": place.lat, "lon": place.lon}))


# -- the CLI's network parts (storymap.cli.network; cli.main wires them in) -----------------


def network_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storymap")
    sub = parser.add_subparsers(dest="command", required=True)
    places = sub.add_parser("places")
    places.add_argument("article")
    places.add_argument("--lang")
    cli_network.add_network_options(places)
    cli_network.register(sub)
    return parser


def test_cli_cache_info_and_clear(fake: FakeServices, capsys: pytest.CaptureFixture[str]) -> None:
    nominatim(fake, min_delay=0).geocode("Laafeld")
    parser = network_parser()
    args = parser.parse_args(["cache", "info"])
    assert args.func(args) == 0
    assert "entries: 1 (0 'not found'" in capsys.readouterr().out
    args = parser.parse_args(["cache", "clear"])
    assert args.func(args) == 0
    assert "removed 1 cached answer from" in capsys.readouterr().out
    assert nominatim(fake).lookup("Laafeld").cached is False


def test_cli_geocoder_options_and_url(
    fake: FakeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = network_parser()
    args = parser.parse_args(
        [
            "places",
            fake.url("/page/article.html"),
            "--allow-private",
            "--geocoder",
            "nominatim",
            "--geocoder-url",
            fake.base_url,
            "--user-agent",
            UA,
            "--geocoder-timeout",
            "2",
        ]
    )
    text = cli_network.read_url(args.article, args)
    assert text is not None and "Laafeld" in text
    story = cli_network.run_with_network(text, args, max_bytes=2_000_000)
    assert mention(story, "Laafeld").place_id == LAAFELD_ID
    assert capsys.readouterr().err == ""
    # A fault is a warning on standard error, not an error.
    fake.default["/search"] = "503"
    reset_outages()
    args.geocoder_url = f"http://127.0.0.1:{closed_port()}"
    story = cli_network.run_with_network(TWO_UNKNOWN, args, max_bytes=2_000_000)
    err = capsys.readouterr().err
    assert err.startswith("storymap: warning: Could not reach Nominatim (connection refused)")
    assert cli_network.read_url("article.txt", args) is None


def test_cli_refuses_nominatim_without_user_agent() -> None:
    args = network_parser().parse_args(["places", "a.txt", "--geocoder", "nominatim"])
    with pytest.raises(GeocodingError, match="user agent"):
        cli_network.geocoder_from_args(args)
    assert cli_network.geocoder_from_args(network_parser().parse_args(["places", "a.txt"])) is None
