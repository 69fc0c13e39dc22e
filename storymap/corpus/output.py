"""The files of a corpus run: the output's recovery after a killed run, the lock that keeps two
runs from writing one file, reading the records back, and the places file (GeoJSON or
GeoParquet), written atomically."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .._io import atomic_file
from .._io import write_atomically as _write_atomically
from ..errors import InputError, StorymapError
from .inputs import id_key, open_binary
from .map import aggregate_places, places_geojson

log = logging.getLogger(__name__)

# -- resuming -----------------------------------------------------------------------------------


@dataclass
class Recovered:
    """What an existing output file already holds."""

    keys: set[str] = field(default_factory=set)
    lines: int = 0
    dropped: int = 0
    """Lines that were cut off or corrupt and were removed (their documents are redone)."""


def recover_output(path: Path) -> Recovered:
    """Read the ids of an existing output; cut off a half-written last line (a killed run)
    and drop corrupt lines, so that exactly the complete records remain."""
    found = Recovered()
    if not path.exists():
        return found
    bad: list[tuple[int, int]] = []
    offset = 0
    with open_binary(path) as fh:
        for raw in fh:
            start, offset = offset, offset + len(raw)
            key = _record_key(raw)
            if key is None:
                bad.append((start, offset))
                continue
            found.keys.add(key)
            found.lines += 1
    if not bad:
        return found
    found.dropped = len(bad)
    tail_start = bad[0][0]
    contiguous = all(b == a2 for (_, b), (a2, _) in itertools.pairwise(bad))
    if contiguous and bad[-1][1] == offset:
        with open(path, "r+b") as fh:  # only the end is bad: cut it off
            fh.truncate(tail_start)
    else:
        _rewrite_without(path, bad)
    log.info("%s: removed %d incomplete or corrupt line(s)", path, len(bad))
    return found


def _record_key(raw: bytes) -> str | None:
    if not raw.endswith(b"\n"):
        return None
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or "id" not in record or "mentions" not in record:
        return None
    return id_key(record["id"])


def _rewrite_without(path: Path, bad: list[tuple[int, int]]) -> None:
    skip = {start for start, _ in bad}
    with atomic_file(path) as out, open_binary(path) as fh:
        offset = 0
        for raw in fh:
            if offset not in skip:
                out.write(raw)
            offset += len(raw)


def default_errors_path(output: Path) -> Path:
    """``out.jsonl`` → ``out.errors.jsonl`` next to it."""
    name = output.name
    stem = name[: -len(output.suffix)] if output.suffix else name
    return output.with_name(f"{stem}.errors.jsonl")


@contextlib.contextmanager
def locked(path: Path, *, lock: bool = True, mode: str = "a") -> Iterator[TextIO]:
    """`path` opened for writing; with `lock`, no other storymap run may hold it meanwhile."""
    try:
        if mode == "w":
            fh = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        else:
            fh = open(path, "a", encoding="utf-8", newline="\n")  # noqa: SIM115
    except OSError as exc:
        raise InputError("cannot write {path}: {reason}", path=path,
                         reason=exc.strerror or exc) from exc
    with fh:
        if lock:
            try:
                import fcntl
            except ImportError:  # not POSIX: no protection against two runs
                pass
            else:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    raise StorymapError("{path} is being written by another storymap run",
                                        path=path) from exc
        yield fh


def read_records(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """The complete records of an annotate output (incomplete or corrupt lines skipped)."""
    bad = 0
    with open_binary(Path(path)) as fh:
        for raw in fh:
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (ValueError, RecursionError):
                bad += 1
                continue
            if isinstance(record, dict) and isinstance(record.get("mentions"), list):
                yield record
            else:
                bad += 1
    if bad:
        log.warning("%s: skipped %d line(s) that are not annotate records", path, bad)


def write_places(results: Path, target: Path) -> int:
    """The corpus's places with counts as GeoJSON, or GeoParquet for a .parquet target
    (needs pyarrow). Returns the number of places."""
    rows = aggregate_places(read_records(results))
    if target.suffix.lower() in (".parquet", ".geoparquet"):
        data = _geoparquet_bytes(rows)
    else:
        data = (json.dumps(places_geojson(rows), ensure_ascii=False, indent=1) + "\n").encode()
    write_atomically(target, data)
    return len(rows)


def _geoparquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise StorymapError("GeoParquet needs pyarrow (pip install pyarrow); "
                            "or write GeoJSON (--places places.geojson)") from exc
    import shapely

    points = shapely.points([[r["lon"], r["lat"]] for r in rows]) if rows else []
    wkb = list(shapely.to_wkb(points)) if rows else []
    bbox = ([min(r["lon"] for r in rows), min(r["lat"] for r in rows),
             max(r["lon"] for r in rows), max(r["lat"] for r in rows)] if rows else [])
    table = pa.table({
        "name": pa.array([r["name"] for r in rows], pa.string()),
        "feature": pa.array([r["feature"] for r in rows], pa.string()),
        "country_code": pa.array([r["country_code"] for r in rows], pa.string()),
        "geonameid": pa.array([r["geonameid"] for r in rows], pa.int64()),
        "articles": pa.array([r["articles"] for r in rows], pa.int64()),
        "mentions": pa.array([r["mentions"] for r in rows], pa.int64()),
        "geometry": pa.array(wkb, pa.binary()),
    })
    geo = {"version": "1.0.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"],
                                    **({"bbox": bbox} if bbox else {})}}}
    table = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()



def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` in one step; InputError with a sentence when it cannot be."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("cannot write {path}: folder {folder} does not exist", path=path,
                         folder=directory)
    try:
        _write_atomically(path, data)
    except OSError as exc:
        raise InputError("cannot write {path}: {reason}", path=path,
                         reason=exc.strerror or exc) from exc


__all__ = [
    "Recovered",
    "default_errors_path",
    "locked",
    "read_records",
    "recover_output",
    "write_atomically",
    "write_places",
]
