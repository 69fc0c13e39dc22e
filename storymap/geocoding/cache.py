"""A persistent cache of geocoding answers, shared by every storymap process on the machine.

One SQLite file in the cache directory (`storymap._io.cache_dir`: ``STORYMAP_CACHE_DIR``
overrides it), in WAL mode so app sessions and CLI runs read and write it at the same time.

Crash safety: every write is one transaction, and every entry carries a SHA-256 of its value
that is checked on read. A process killed mid-write leaves either the old entry or the new
one (SQLite's journal), and a damaged value is never served: it is dropped and counts as a
miss. A file that is not a database at all is moved aside and the cache starts empty — it only
ever holds answers that can be asked again.

The same file holds the request slots of rate-limited services (``acquire``/``release``), so
that Nominatim's "one request per second" holds across all processes sharing the cache, not
only within one: a process takes a lease on the slot while its request is in flight, and the
next request may start only ``min_delay`` after the previous answer arrived — so requests are
at least ``min_delay`` apart at the server whatever the scheduling jitter.

Nothing here raises for a cache problem: a cache that cannot be opened or written degrades to
"no cache" with a logged warning, because geocoding must still work without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io import cache_dir

__all__ = [
    "DEFAULT_NEGATIVE_TTL",
    "DEFAULT_TTL",
    "CacheInfo",
    "GeoCache",
    "cache_path",
    "default_cache",
    "make_key",
]

log = logging.getLogger(__name__)

DEFAULT_TTL = 30 * 24 * 3600.0
"""Answers with results are kept 30 days (also the longest caching keyed services allow)."""
DEFAULT_NEGATIVE_TTL = 24 * 3600.0
""""Nothing found" is kept one day: a new village may be mapped tomorrow."""
FILE_NAME = "geocache.sqlite3"
SCHEMA_VERSION = 2
_BUSY_TIMEOUT = 10.0
_MAX_SLOT_AHEAD = 3600.0
"""A stored slot further ahead than this is a clock jump, not a real queue: it is reset."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key      TEXT PRIMARY KEY,
    service  TEXT NOT NULL,
    value    TEXT NOT NULL,
    checksum TEXT NOT NULL,
    created  REAL NOT NULL,
    expires  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires);
CREATE TABLE IF NOT EXISTS slots (
    service     TEXT PRIMARY KEY,
    next        REAL NOT NULL,
    lease_until REAL NOT NULL DEFAULT 0
);
"""


def cache_path() -> Path:
    """Where the cache lives: $STORYMAP_CACHE_DIR/geocache.sqlite3, else the user cache dir."""
    return cache_dir() / FILE_NAME


def make_key(*parts: Any) -> str:
    """A stable key for a request: SHA-256 of its canonical JSON form."""
    canonical = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _checksum(key: str, value: str) -> str:
    # The key is part of the checksum, so a value can never be served for another key.
    return hashlib.sha256(f"{key}\x00{value}".encode()).hexdigest()


@contextmanager
def _begun(conn: sqlite3.Connection, *, write: bool) -> Iterator[sqlite3.Connection]:
    """One transaction: committed when the block ends, rolled back when it raises. A write
    transaction takes the write lock at once (waiting out other writers)."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _create_schema(conn: sqlite3.Connection) -> None:
    """Create or upgrade the tables in one write transaction, so that a process opening the
    file at the same moment never sees them half made (or drops the slots another just made)."""
    with _begun(conn, write=True):
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            # Slots are momentary state; entries keep their format (checked on read).
            conn.execute("DROP TABLE IF EXISTS slots")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode, waiting while another process does the same.

    SQLite answers "database is locked" at once, without its busy handler, when two processes
    switch a new file's journal mode together; so the wait is ours, up to the busy timeout."""
    deadline = time.monotonic() + _BUSY_TIMEOUT
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (
                sqlite3.SQLITE_BUSY,
                sqlite3.SQLITE_LOCKED,
            )
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


@dataclass(frozen=True, slots=True)
class CacheInfo:
    path: Path
    entries: int
    negative: int
    expired: int
    size_bytes: int
    services: dict[str, int]

    def describe(self) -> str:
        services = ", ".join(f"{k}: {v}" for k, v in sorted(self.services.items())) or "none"
        return (
            f"cache file: {self.path}\n"
            f"entries: {self.entries} ({self.negative} 'not found', {self.expired} expired)\n"
            f"by service: {services}\n"
            f"size: {self.size_bytes / 1024:.1f} KiB"
        )


class GeoCache:
    """The cache file. Thread-safe; safe to share between processes; reopens after fork."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else cache_path()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._broken = False

    # -- connection ---------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            _switch_to_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            _create_schema(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _connection(self) -> sqlite3.Connection | None:
        """The open connection (reopened in a forked child), or None when the cache is off."""
        if self._broken:
            return None
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        try:
            try:
                conn = self._open()
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError):
                    raise  # locked, unwritable, …: not the file's fault
                self._move_aside(exc)
                conn = self._open()
        except (OSError, sqlite3.Error) as exc:
            log.warning("geocoding cache %s unusable (%s); continuing without it", self.path, exc)
            self._broken = True
            return None
        self._conn, self._pid = conn, os.getpid()
        return conn

    def _move_aside(self, exc: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        log.warning("geocoding cache %s is damaged (%s); moved to %s", self.path, exc, aside)
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.unlink()

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[sqlite3.Connection | None]:
        with self._lock:
            conn = self._connection()
            if conn is None:
                yield None
                return
            with _begun(conn, write=write):
                yield conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    # -- entries ------------------------------------------------------------------------

    def get(self, key: str) -> Any | None:
        """The cached value for `key`, or None (missing, expired, damaged or cache off).
        Use `lookup` to tell a cached None apart from a miss."""
        found, value = self.lookup(key)
        return value if found else None

    def lookup(self, key: str) -> tuple[bool, Any]:
        """(True, value) for a valid cached entry, else (False, None)."""
        try:
            with self._transaction(write=False) as conn:
                if conn is None:
                    return False, None
                row = conn.execute(
                    "SELECT value, checksum, expires FROM entries WHERE key = ?", (key,)
                ).fetchone()
        except sqlite3.Error as exc:
            log.warning("geocoding cache read failed (%s); asking the service", exc)
            return False, None
        if row is None:
            return False, None
        value, checksum, expires = row
        if not isinstance(value, str) or checksum != _checksum(key, value):
            log.warning("geocoding cache entry %s is damaged; dropping it", key[:12])
            self._delete(key)
            return False, None
        if expires < time.time():
            return False, None
        try:
            return True, json.loads(value)
        except ValueError:
            self._delete(key)
            return False, None

    def put(self, key: str, value: Any, *, service: str = "", ttl: float = DEFAULT_TTL) -> bool:
        """Store `value` (JSON-able) for `ttl` seconds in one transaction. False if not stored."""
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        now = time.time()
        try:
            with self._transaction(write=True) as conn:
                if conn is None:
                    return False
                conn.execute(
                    "INSERT OR REPLACE INTO entries (key, service, value, checksum, created, "
                    "expires) VALUES (?, ?, ?, ?, ?, ?)",
                    (key, service, text, _checksum(key, text), now, now + ttl),
                )
        except sqlite3.Error as exc:
            log.warning("geocoding cache write failed (%s); answer not cached", exc)
            return False
        return True

    def _delete(self, key: str) -> None:
        try:
            with self._transaction(write=True) as conn:
                if conn is not None:
                    conn.execute("DELETE FROM entries WHERE key = ?", (key,))
        except sqlite3.Error as exc:
            log.warning("geocoding cache delete failed (%s)", exc)

    def clear(self) -> int:
        """Delete every entry (and the rate-limit slots); returns how many entries went."""
        with self._transaction(write=True) as conn:
            if conn is None:
                return 0
            n = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
            conn.execute("DELETE FROM entries")
            conn.execute("DELETE FROM slots")
        return int(n)

    def prune(self) -> int:
        """Delete expired entries; returns how many."""
        with self._transaction(write=True) as conn:
            if conn is None:
                return 0
            cur = conn.execute("DELETE FROM entries WHERE expires < ?", (time.time(),))
            return int(cur.rowcount)

    def info(self) -> CacheInfo:
        now = time.time()
        with self._transaction(write=False) as conn:
            if conn is None:
                return CacheInfo(self.path, 0, 0, 0, 0, {})
            total = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
            negative = conn.execute(
                "SELECT COUNT(*) FROM entries WHERE value = '[]' OR value = 'null'"
            ).fetchone()[0]
            expired = conn.execute(
                "SELECT COUNT(*) FROM entries WHERE expires < ?", (now,)
            ).fetchone()[0]
            services = dict(
                conn.execute("SELECT service, COUNT(*) FROM entries GROUP BY service").fetchall()
            )
        size = sum(
            p.stat().st_size
            for p in (self.path, self.path.with_name(self.path.name + "-wal"))
            if p.exists()
        )
        return CacheInfo(self.path, int(total), int(negative), int(expired), size, services)

    # -- shared request slots (cross-process rate limit) ----------------------------------

    def acquire(self, service: str, lease: float) -> tuple[float, bool] | None:
        """Try to take `service`'s request slot for one request, shared by every process.

        Returns (0.0, False) when taken: the caller holds a lease of `lease` seconds and must
        `release` it when the answer is in. Otherwise (seconds to wait, in_flight): another
        process's request is in flight (poll again soon) or the next slot is later (Retry-After,
        or the minimum delay after the last answer). None when the cache is off."""
        try:
            with self._transaction(write=True) as conn:
                if conn is None:
                    return None
                now = time.time()
                row = conn.execute(
                    "SELECT next, lease_until FROM slots WHERE service = ?", (service,)
                ).fetchone()
                if row is not None:
                    nxt, lease_until = float(row[0]), float(row[1])
                    if now < lease_until <= now + _MAX_SLOT_AHEAD:
                        return lease_until - now, True
                    if now < nxt <= now + _MAX_SLOT_AHEAD:
                        return nxt - now, False
                conn.execute(
                    "INSERT INTO slots (service, next, lease_until) VALUES (?, 0, ?) "
                    "ON CONFLICT(service) DO UPDATE SET lease_until = excluded.lease_until",
                    (service, now + lease),
                )
                return 0.0, False
        except sqlite3.Error as exc:
            log.warning("geocoding cache slot failed (%s)", exc)
            return None

    def release(self, service: str, interval: float) -> None:
        """The request is answered: the next one may start `interval` seconds from now."""
        self._push_next(service, time.time() + interval, end_lease=True)

    def hold(self, service: str, until: float) -> None:
        """No process may send to `service` before the wall-clock time `until` (Retry-After)."""
        self._push_next(service, until, end_lease=False)

    def _push_next(self, service: str, next_time: float, *, end_lease: bool) -> None:
        """Move the service's next allowed start to `next_time` (never earlier than it is)."""
        update = "next = MAX(next, excluded.next)" + (", lease_until = 0" if end_lease else "")
        try:
            with self._transaction(write=True) as conn:
                if conn is None:
                    return
                conn.execute(
                    "INSERT INTO slots (service, next, lease_until) VALUES (?, ?, 0) "
                    f"ON CONFLICT(service) DO UPDATE SET {update}",
                    (service, next_time),
                )
        except sqlite3.Error as exc:
            log.warning("geocoding cache slot failed (%s)", exc)


_default: GeoCache | None = None
_default_lock = threading.Lock()


def default_cache() -> GeoCache:
    """The process-wide cache at `cache_path()` (re-created when STORYMAP_CACHE_DIR changes)."""
    global _default
    with _default_lock:
        path = cache_path()
        if _default is None or _default.path != path:
            _default = GeoCache(path)
        return _default
