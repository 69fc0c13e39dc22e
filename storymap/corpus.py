"""Corpus mode: geoparse thousands of documents, in this process or on a Dask cluster.

Inputs: a JSONL file (``{"id", "text", "lang"?, "date"?}`` per line), a CSV/TSV file with a
text column, or a folder of .txt/.md/.html files. Every input item becomes a `Document` (or a
`Rejected` item when it cannot be one: invalid JSON, no id, a file over the size limit).

Running: documents are grouped into small batches; a batch is processed by `process_batch`,
either here (one worker) or on Dask workers (a `LocalCluster` of processes with one thread
each, or an existing scheduler). Each worker process loads the gazetteer once
(`worker_gazetteer`, a module-level cache) and keeps it for every batch it gets.

Output: one line per document in exactly the `storymap annotate` format, written in input
order as batches finish and flushed after each batch, so a killed run loses at most the
batches in flight. A rerun with the same output skips every id already in it; a half-written
last line (the run was killed while writing it) is cut off and its document done again.
Documents that fail (binary data, too big, bad encoding, an internal error) go to the errors
file, one JSON line each, and the run goes on. The errors file describes the latest run:
failed documents are retried by a rerun.

Only the driver touches files; workers get the documents' text or bytes, so an existing
cluster needs no access to the input folder.
"""

from __future__ import annotations

import contextlib
import csv
import email.utils
import importlib
import io
import itertools
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, TextIO

from . import article as article_mod
from . import gazetteer as gazetteer_mod
from .errors import InputError, StorymapError
from .gazetteer import Gazetteer
from .model import Story
from .pipeline import run

log = logging.getLogger(__name__)

FILE_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})

MAX_BATCH_DOCS = 64
MAX_BATCH_BYTES = 4_000_000
EXCERPT_CHARS = 240
TITLE_CHARS = 300
SHOWN_FAILURES = 20
"""Failures printed on stderr one by one; the rest are only in the errors file."""


# -- documents ----------------------------------------------------------------------------------


def id_key(doc_id: Any) -> str:
    """The identity of a document id for resuming: its canonical JSON (so 1 and "1" differ)."""
    return json.dumps(doc_id, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Document:
    """One document to geoparse. Exactly one of `text` (str, or bytes from a column whose
    encoding is not UTF-8) and `data` (a file's bytes, converted according to `name`) is set."""

    id: Any
    source: str
    """Where it came from, for messages: "line 12", "row 7" or the file's path in the folder."""
    text: str | bytes | None = None
    data: bytes | None = None
    name: str | None = None
    lang: str | None = None
    date: str | None = None

    @property
    def key(self) -> str:
        return id_key(self.id)

    @property
    def size(self) -> int:
        payload = self.data if self.data is not None else self.text
        return len(payload or b"")


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input item that is not a document (its error is reported in order with the rest)."""

    id: Any
    source: str
    error: str

    @property
    def key(self) -> str | None:
        return None if self.id is None else id_key(self.id)

    @property
    def size(self) -> int:
        return 0


Item = Document | Rejected


@dataclass(frozen=True, slots=True)
class Options:
    """How every document is processed (sent to the workers with each batch)."""

    language: str | None = None
    max_bytes: int = article_mod.DEFAULT_MAX_BYTES
    with_context: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    key: str | None
    line: str
    """The output line (ok) or the errors-file line (failed), without the newline."""
    message: str = ""


@dataclass(frozen=True, slots=True)
class BatchResult:
    outcomes: list[Outcome]
    pid: int
    gazetteer_loads: int


# -- dates --------------------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})")
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")


def normalise_date(value: Any) -> str | None:
    """A document date as "YYYY-MM-DD" (ISO 8601 with or without time, "31.12.2024",
    "2024/12/31", RFC 2822 as in RSS feeds); other non-empty values are kept as given."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    text = str(value).strip()
    if not text:
        return None
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(text).date().isoformat()
    with contextlib.suppress(ValueError):
        return date.fromisoformat(text[:10]).isoformat()
    for pattern, order in ((_DMY, (3, 2, 1)), (_YMD_SLASH, (1, 2, 3))):
        found = pattern.fullmatch(text)
        if found:
            y, m, d = (int(found.group(i)) for i in order)
            with contextlib.suppress(ValueError):
                return date(y, m, d).isoformat()
    with contextlib.suppress(TypeError, ValueError, IndexError):
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    return text


def _date_value(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return normalise_date(value)


# -- inputs -------------------------------------------------------------------------------------


class CorpusInput:
    """A corpus on disk: iterate it for its items; `count()` for the progress bar."""

    kind = ""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[Item]:
        raise NotImplementedError

    def count(self) -> int:
        return sum(1 for _ in self)


class JsonlInput(CorpusInput):
    """JSON Lines: ``{"id", "text", "lang"?, "date"?}`` per line, UTF-8 (blank lines skipped)."""

    kind = "jsonl"

    def count(self) -> int:
        with _open_binary(self.path) as fh:
            return sum(1 for raw in fh if raw.strip())

    def __iter__(self) -> Iterator[Item]:
        with _open_binary(self.path) as fh:
            for no, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                yield self._item(no, raw)

    @staticmethod
    def _item(no: int, raw: bytes) -> Item:
        where = f"line {no}"
        if no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            doc_id = _id_from_broken_line(raw)
            return Rejected(doc_id, where, f"not UTF-8 text (invalid byte at position "
                                           f"{exc.start}); JSON Lines must be UTF-8")
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            return Rejected(None, where, f"not valid JSON ({exc.msg})")
        except RecursionError:
            return Rejected(None, where, "not valid JSON (nested too deeply)")
        if not isinstance(doc, dict) or "id" not in doc:
            return Rejected(None, where, 'each line needs an "id" and a "text" string')
        if not isinstance(doc.get("text"), str):
            return Rejected(doc["id"], where, 'each line needs an "id" and a "text" string')
        lang = doc.get("lang") or None
        if lang is not None and not isinstance(lang, str):
            return Rejected(doc["id"], where, '"lang" must be a language code such as "de"')
        return Document(doc["id"], where, text=doc["text"], lang=lang,
                        date=_date_value(doc.get("date")))


def _id_from_broken_line(raw: bytes) -> Any:
    with contextlib.suppress(ValueError, RecursionError, AttributeError):
        doc = json.loads(raw.decode("utf-8", errors="replace"))
        return doc.get("id")
    return None


class CsvInput(CorpusInput):
    """A CSV (or TSV) file with a header row: one document per row.

    The id column defaults to "id" and, when the file has none, the row number (1 for the
    first row after the header) is the id. Text that is not UTF-8 is passed on as bytes and
    decoded like a file (cp1252 and friends)."""

    kind = "csv"

    def __init__(self, path: Path, *, text_column: str = "text", id_column: str | None = None,
                 date_column: str | None = None, lang_column: str | None = None) -> None:
        super().__init__(path)
        self.text_column = text_column
        self.id_column = id_column
        self.date_column = date_column
        self.lang_column = lang_column

    def _rows(self) -> Generator[tuple[int, list[str]], None, None]:
        csv.field_size_limit(2**31 - 1)  # size limits are checked per document, with a message
        try:
            fh = open(self.path, encoding="utf-8-sig", errors="surrogateescape", newline="")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        with fh:
            sample = fh.read(65536)
            fh.seek(0)
            dialect: Any = csv.excel_tab if self.path.suffix.lower() == ".tsv" else csv.excel
            if self.path.suffix.lower() != ".tsv":
                with contextlib.suppress(csv.Error):
                    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            reader = csv.reader(fh, dialect)
            try:
                yield from enumerate(reader)
            except csv.Error as exc:
                raise InputError(f"{self.path} is not a readable CSV file "
                                 f"(line {reader.line_num}: {exc})") from exc

    def count(self) -> int:
        return max(sum(1 for _ in self._rows()) - 1, 0)

    def _columns(self, header: list[str]) -> tuple[int, int | None, int | None, int | None]:
        """Positions of the text, id, date and language columns; InputError if one that was
        asked for is missing."""
        columns = {name.strip(): i for i, name in reversed(list(enumerate(header)))}

        def column(name: str | None, option: str, required: bool) -> int | None:
            if name is None:
                return None
            if name in columns:
                return columns[name]
            if not required:
                return None
            shown = ", ".join(repr(c) for c in columns) or "none"
            raise InputError(f"{self.path} has no column {name!r} ({option}); its columns: "
                             f"{shown}")

        text_i = column(self.text_column, "--text-column", True)
        assert text_i is not None
        return (text_i, column(self.id_column or "id", "--id-column", self.id_column is not None),
                column(self.date_column, "--date-column", True),
                column(self.lang_column, "--lang-column", True))

    def check(self) -> None:
        """Fail early (before any output is touched) when a named column is missing."""
        rows = self._rows()
        try:
            first = next(rows, None)
            if first is not None:
                self._columns(first[1])
        finally:
            rows.close()

    def __iter__(self) -> Iterator[Item]:
        rows = self._rows()
        try:
            _, header = next(rows)
        except StopIteration:
            return
        text_i, id_i, date_i, lang_i = self._columns(header)
        for row_no, row in rows:
            where = f"row {row_no}"
            if not any(cell.strip() for cell in row):
                continue
            doc_id: Any = row_no
            if id_i is not None:
                doc_id = _clean(row[id_i]) if id_i < len(row) else ""
                if not doc_id:
                    yield Rejected(None, where, f"the id column {self.id_column or 'id'!r} "
                                                "is empty")
                    continue
            if text_i >= len(row):
                yield Rejected(doc_id, where, f"the row has no {self.text_column!r} column")
                continue
            text = row[text_i]
            payload: str | bytes = text
            if _has_escaped_bytes(text):
                payload = text.encode("utf-8", errors="surrogateescape")
            lang = _clean(row[lang_i]) or None if lang_i is not None and lang_i < len(row) else None
            raw_date = row[date_i] if date_i is not None and date_i < len(row) else None
            yield Document(doc_id, where, text=payload, lang=lang,
                           date=normalise_date(_clean(raw_date) if raw_date else None))


_ESCAPED = re.compile("[\udc80-\udcff]")


def _has_escaped_bytes(text: str) -> bool:
    return _ESCAPED.search(text) is not None


def _clean(value: str) -> str:
    """A short CSV field (id, date, language) as text: undecodable bytes as U+FFFD."""
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", "replace").strip()


class FolderInput(CorpusInput):
    """A folder of .txt/.md/.html files (recursively, hidden files and folders skipped); the
    id of a document is its path inside the folder ("2024/03/kursk.html")."""

    kind = "folder"

    def __init__(self, path: Path, *, max_bytes: int = article_mod.DEFAULT_MAX_BYTES) -> None:
        super().__init__(path)
        self.max_bytes = max_bytes

    def files(self) -> Iterator[tuple[str, Path]]:
        def walk_error(exc: OSError) -> None:
            log.warning("cannot read folder %s: %s", exc.filename, exc.strerror or exc)

        for top, dirs, names in os.walk(self.path, onerror=walk_error):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith(".") or Path(name).suffix.lower() not in FILE_SUFFIXES:
                    continue
                full = Path(top) / name
                yield full.relative_to(self.path).as_posix(), full

    def count(self) -> int:
        return sum(1 for _ in self.files())

    def __iter__(self) -> Iterator[Item]:
        for rel, full in self.files():
            yield self._item(rel, full)

    def _item(self, rel: str, full: Path) -> Item:
        try:
            size = full.stat().st_size
            if size > self.max_bytes:
                return Rejected(rel, rel, _too_big(size, self.max_bytes))
            with full.open("rb") as fh:
                data = fh.read(self.max_bytes + 1)
        except OSError as exc:
            return Rejected(rel, rel, f"cannot read the file: {exc.strerror or exc}")
        if len(data) > self.max_bytes:
            return Rejected(rel, rel, _too_big(len(data), self.max_bytes))
        return Document(rel, rel, data=data, name=full.name)


def _too_big(size: int, limit: int) -> str:
    return (f"The document is {size:,} bytes; the limit is {limit:,} bytes. "
            "Split it or raise the limit (--max-bytes).")


def _open_binary(path: Path) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def open_input(
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    id_column: str | None = None,
    date_column: str | None = None,
    lang_column: str | None = None,
    max_bytes: int = article_mod.DEFAULT_MAX_BYTES,
) -> CorpusInput:
    """The corpus at `path`: a folder, a JSONL file or a CSV/TSV file (by its extension)."""
    p = Path(path)
    if p.is_dir():
        return FolderInput(p, max_bytes=max_bytes)
    if not p.exists():
        raise InputError(f"{p} does not exist. Give a JSONL file, a CSV file or a folder.")
    suffix = p.suffix.lower()
    if suffix in CSV_SUFFIXES:
        table = CsvInput(p, text_column=text_column, id_column=id_column,
                         date_column=date_column, lang_column=lang_column)
        table.check()
        return table
    if suffix in JSONL_SUFFIXES or not suffix:
        return JsonlInput(p)
    if suffix in FILE_SUFFIXES:
        raise InputError(f"{p} is a single article; `storymap places` or `storymap build` "
                         "handle one article, `annotate` takes a folder, JSONL or CSV.")
    raise InputError(f"{p}: unknown corpus format {suffix!r}; give a .jsonl file, a .csv/.tsv "
                     "file or a folder of .txt/.md/.html files.")


# -- processing one document (runs on the workers) ---------------------------------------------

_GAZETTEER: Gazetteer | None = None
_GAZETTEER_LOADS = 0


def worker_gazetteer() -> Gazetteer:
    """The gazetteer of this (worker) process: loaded on the first batch, then kept."""
    global _GAZETTEER, _GAZETTEER_LOADS
    if _GAZETTEER is None:
        _GAZETTEER = gazetteer_mod.load()
        _GAZETTEER_LOADS += 1
    return _GAZETTEER


def worker_stats() -> dict[str, Any]:
    """This process's id, peak memory (MB), CPU time so far (s) and how often it loaded the
    gazetteer."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"pid": os.getpid(), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "gazetteer_loads": _GAZETTEER_LOADS}


def warm_worker() -> dict[str, Any]:
    """Load the gazetteer in this worker now (``client.run(warm_worker)``); its stats."""
    worker_gazetteer()
    return worker_stats()


def file_text(name: str, data: bytes) -> str:
    """A file's bytes → its article text, exactly as `article.read_file` reads that file."""
    return article_mod.text_from_bytes(data, name)


def story_record(story: Story, doc_id: Any) -> dict[str, Any]:
    """The `storymap annotate` line for a story (the format of issue 2, key for key)."""
    places = {p.id: p for p in story.places}
    mentions = []
    for m in story.mentions:
        p = places.get(m.place_id) if m.place_id else None
        mentions.append(
            {
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "kind": m.kind,
                "place": None
                if p is None
                else {
                    "name": p.name,
                    "feature": p.feature,
                    "lat": p.lat,
                    "lon": p.lon,
                    "geonameid": p.geonameid,
                    "country_code": p.country_code,
                },
            }
        )
    return {"id": doc_id, "language": story.language, "mentions": mentions}


def excerpt(text: str, start: int, end: int, limit: int = EXCERPT_CHARS) -> str:
    """About `limit` characters of `text` around [start, end), cut at spaces, with "…"."""
    if len(text) <= limit:
        return text
    room = max(limit - (end - start), 0)
    a = max(0, start - room // 2)
    b = min(len(text), end + room - (start - a))
    a = max(0, min(a, b - limit))
    if a > 0:
        space = text.find(" ", a, start)
        a = space + 1 if space != -1 else a
    if b < len(text):
        space = text.rfind(" ", end, b)
        b = space if space != -1 else b
    return ("…" if a > 0 else "") + text[a:b] + ("…" if b < len(text) else "")


def add_context(record: dict[str, Any], story: Story, doc: Document) -> None:
    """The optional fields of ``annotate --with-context``: "title" (passage 0), "date" when
    the document has one, and per mention its "passage" and an "excerpt" of that passage."""
    record["title"] = excerpt(story.title, 0, 0, TITLE_CHARS)
    if doc.date is not None:
        record["date"] = doc.date
    passages = {p.index: p for p in story.passages}
    for m, out in zip(story.mentions, record["mentions"], strict=True):
        out["passage"] = m.passage
        p = passages.get(m.passage)
        out["excerpt"] = excerpt(p.text, m.start - p.start, m.end - p.start) if p else None


def _error_line(doc_id: Any, source: str, message: str) -> str:
    line = json.dumps({"id": doc_id, "source": source, "error": message}, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps({"id": doc_id, "source": source, "error": message})
    return line


def _failed(item: Document | Rejected, message: str) -> Outcome:
    return Outcome(False, item.key, _error_line(item.id, item.source, message), message)


def process_document(doc: Item, options: Options, gaz: Gazetteer | None = None) -> Outcome:
    """One document → its output line, or its errors-file line. Never raises (except for
    KeyboardInterrupt and the like): one bad document must not stop a corpus."""
    if isinstance(doc, Rejected):
        return _failed(doc, doc.error)
    try:
        if doc.data is not None:
            if len(doc.data) > options.max_bytes:
                raise InputError(_too_big(len(doc.data), options.max_bytes))
            source: str | bytes = file_text(doc.name or str(doc.id), doc.data)
        else:
            source = doc.text if doc.text is not None else ""
        story = run(source, language=doc.lang or options.language,
                    gazetteer=gaz or worker_gazetteer(),
                    max_bytes=options.max_bytes)
        record = story_record(story, doc.id)
        if options.with_context:
            add_context(record, story, doc)
        line = json.dumps(record, ensure_ascii=False)
        line.encode("utf-8")
    except InputError as exc:
        return _failed(doc, str(exc))
    except UnicodeEncodeError:
        return _failed(doc, "the document holds characters that cannot be written as UTF-8 "
                            "(unpaired surrogates)")
    except Exception as exc:  # a bug on one document must not lose the corpus
        log.debug("document %r failed", doc.id, exc_info=True)
        return _failed(doc, f"internal error ({type(exc).__name__}: {exc}); please report it")
    return Outcome(True, doc.key, line)


def process_batch(items: list[Item], options: Options) -> BatchResult:
    """A batch of documents on a worker: the gazetteer is loaded once per process."""
    gaz = worker_gazetteer() if any(isinstance(i, Document) for i in items) else None
    outcomes = [process_document(item, options, gaz) for item in items]
    return BatchResult(outcomes, os.getpid(), _GAZETTEER_LOADS)


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
    with _open_binary(path) as fh:
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
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, _open_binary(path) as fh:
            offset = 0
            for raw in fh:
                if offset not in skip:
                    out.write(raw)
                offset += len(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- running ------------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a corpus run did."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    """Documents already in the output (resumed)."""
    dropped: int = 0
    """Incomplete lines of an interrupted run that were removed and redone."""
    seconds: float = 0.0
    workers: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per worker (address, or "local"): pid, peak_rss_mb and gazetteer_loads."""
    mode: str = "in-process"

    @property
    def rate(self) -> float:
        n = self.done + self.failed
        return n / self.seconds if self.seconds > 0 else 0.0


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    nbytes = 0
    for item in items:
        batch.append(item)
        nbytes += item.size
        if len(batch) >= size or nbytes >= MAX_BATCH_BYTES:
            yield batch
            batch, nbytes = [], 0
    if batch:
        yield batch


def _in_process(batches: Iterator[list[Item]], options: Options) -> Iterator[BatchResult]:
    for batch in batches:
        yield process_batch(batch, options)


def _dask_ordered(client: Any, batches: Iterator[list[Item]], options: Options,
                  window: int) -> Iterator[BatchResult]:
    """Batches on the cluster, at most `window` submitted or waiting to be written; results in
    input order (a batch is written once every batch before it is)."""
    as_completed = _distributed().as_completed
    pending: dict[Any, tuple[int, list[Item]]] = {}
    finished: dict[int, BatchResult] = {}
    completed = as_completed(loop=client.loop)
    seq = next_out = 0
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) + len(finished) < window:
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                    break
                future = client.submit(process_batch, batch, options, pure=False,
                                       key=f"storymap-batch-{seq}-{os.urandom(6).hex()}")
                pending[future] = (seq, batch)
                completed.add(future)
                seq += 1
            if next_out in finished:
                yield finished.pop(next_out)
                next_out += 1
                continue
            if not pending:
                return
            future = next(completed)
            number, batch = pending.pop(future)
            try:
                finished[number] = future.result()
            except Exception as exc:  # a worker died on this batch (KilledWorker) or similar
                message = f"the worker processing this document failed ({type(exc).__name__}: " \
                          f"{exc}); rerun to retry it"
                finished[number] = BatchResult([_failed(item, message) for item in batch], -1, 0)
    finally:
        for future in pending:
            future.cancel()


def _distributed() -> Any:
    """dask.distributed, imported on first use (it takes a second and a half)."""
    try:
        return importlib.import_module("distributed")
    except ImportError as exc:
        raise StorymapError("Parallel runs need Dask: pip install 'dask[distributed]'.") from exc


def prebuild_gazetteer(report: Callable[[str], None]) -> None:
    """Build the gazetteer index once, before local workers start, when its disk cache is
    missing (the data or code changed): otherwise every worker would build it at the same
    time, each with a gigabyte of memory. Built in a child process, so this one stays small."""
    try:
        cached = gazetteer_mod.cache_dir() / f"gazetteer-{gazetteer_mod.fingerprint()}.marshal"
    except OSError:
        return
    if cached.exists():
        return
    report("building the gazetteer index once before the workers start (about half a minute)")
    import subprocess

    done = subprocess.run([sys.executable, "-c", "from storymap import gazetteer; "
                           "gazetteer.load()"], check=False, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:  # the workers will try, and report, themselves
        log.warning("building the gazetteer failed: %s", done.stderr.strip()[-500:])


@contextlib.contextmanager
def dask_client(workers: int, scheduler: str | None,
                connect_timeout: float = 20.0) -> Iterator[Any]:
    """A client of the given scheduler, or of a new local cluster of `workers` processes with
    one thread each (closed on exit)."""
    distributed = _distributed()
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise StorymapError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") \
                    from exc
            stack.callback(client.close)
            try:
                client.wait_for_workers(1, timeout=60)
            except TimeoutError as exc:
                raise StorymapError(f"the Dask scheduler at {scheduler} has no workers") from exc
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # The scheduler serves /health and /metrics even without a dashboard, on
                # :8787 unless told otherwise: a free port keeps two runs from colliding.
                scheduler_kwargs={"dashboard_address": ":0"},
                silence_logs=logging.ERROR,
            )
            stack.callback(cluster.close)
            client = Client(cluster, set_as_default=False)
            stack.callback(client.close)
        yield client


class _Progress:
    """tqdm on stderr (rate and ETA), or nothing."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True,
                            smoothing=0.1, mininterval=0.2)

    def update(self, n: int, failed: int) -> None:
        if self.bar is not None:
            if failed:
                self.bar.set_postfix(failed=failed, refresh=False)
            self.bar.update(n)

    def write(self, message: str) -> None:
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def default_errors_path(output: Path) -> Path:
    """``out.jsonl`` → ``out.errors.jsonl`` next to it."""
    name = output.name
    stem = name[: -len(output.suffix)] if output.suffix else name
    return output.with_name(f"{stem}.errors.jsonl")


@contextlib.contextmanager
def _locked(path: Path, *, lock: bool = True, mode: str = "a") -> Iterator[TextIO]:
    """`path` opened for writing; with `lock`, no other storymap run may hold it meanwhile."""
    try:
        if mode == "w":
            fh = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        else:
            fh = open(path, "a", encoding="utf-8", newline="\n")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
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
                    raise StorymapError(f"{path} is being written by another storymap run") \
                        from exc
        yield fh


def annotate_corpus(
    corpus: CorpusInput,
    output: str | os.PathLike[str],
    *,
    errors: str | os.PathLike[str] | None = None,
    places: str | os.PathLike[str] | None = None,
    options: Options | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    use_dask: bool | None = None,
    batch_size: int | None = None,
    progress: bool = False,
    overwrite: bool = False,
    report: Callable[[str], None] | None = None,
) -> Summary:
    """Geoparse every document of `corpus` into `output` (JSONL), resuming a previous run.

    `workers` > 1 or a `scheduler` address run on Dask; `workers=1` runs in this process
    unless `use_dask` is true (a one-worker LocalCluster, e.g. to compare). Returns a summary;
    failed documents are in `errors` (default: next to the output)."""
    options = options or Options()
    out_path = Path(output)
    err_path = Path(errors) if errors else default_errors_path(out_path)
    if not out_path.parent.is_dir():
        raise InputError(f"cannot write {out_path}: folder {out_path.parent} does not exist")
    if workers < 1:
        raise InputError("--workers must be at least 1")
    if use_dask is None:
        dask = bool(scheduler) or workers > 1
    else:
        dask = use_dask or bool(scheduler)
    say = report or (lambda message: None)
    t0 = time.perf_counter()
    summary = Summary(mode="dask" if dask else "in-process")

    with contextlib.ExitStack() as stack:
        guard = stack.enter_context(_locked(out_path))
        if overwrite:
            guard.truncate(0)
        recovered = recover_output(out_path)
        summary.dropped = recovered.dropped
        if recovered.dropped:
            say(f"{out_path}: removed {recovered.dropped} incomplete line(s) of an interrupted "
                "run; their documents are done again")
        # Recovery may have replaced the file: write through a handle opened after it.
        out = stack.enter_context(_locked(out_path, lock=False))
        if recovered.keys:
            say(f"resuming: {len(recovered.keys)} document(s) already in {out_path} are "
                "skipped (--overwrite starts over)")
        with contextlib.suppress(FileNotFoundError):
            err_path.unlink()
        total = max(corpus.count() - len(recovered.keys), 0)
        seen: set[str] = set()

        def todo() -> Iterator[Item]:
            for item in corpus:
                key = item.key
                if key is not None:
                    if key in recovered.keys:
                        summary.skipped += 1
                        continue
                    if key in seen:
                        item = Rejected(item.id, item.source, f"duplicate id {item.id!r}: "
                                        "only its first document is annotated")
                    else:
                        seen.add(key)
                yield item

        size = batch_size or max(1, min(MAX_BATCH_DOCS, total // (workers * 16)))
        batches = _batches(todo(), size)
        first = next(batches, None)
        batches = itertools.chain([first] if first else [], batches)
        dask = dask and first is not None  # nothing to do: no cluster
        if dask:
            if not scheduler:
                prebuild_gazetteer(say)
            client = stack.enter_context(dask_client(workers, scheduler))
            nworkers = max(len(client.scheduler_info().get("workers", {})), 1)
            results = _dask_ordered(client, batches, options, window=4 * nworkers + 2)
        else:
            results = _in_process(batches, options)
        bar = stack.enter_context(contextlib.closing(_Progress(total, progress)))
        err_file: TextIO | None = None
        for result in results:
            for outcome in result.outcomes:
                if outcome.ok:
                    out.write(outcome.line + "\n")
                    summary.done += 1
                    continue
                if err_file is None:
                    err_file = stack.enter_context(_locked(err_path, lock=False, mode="w"))
                err_file.write(outcome.line + "\n")
                summary.failed += 1
                if summary.failed <= SHOWN_FAILURES:
                    bar.write(f"storymap: {_describe_failure(outcome)}; skipped")
                elif summary.failed == SHOWN_FAILURES + 1:
                    bar.write(f"storymap: further failures are listed in {err_path}")
            out.flush()
            if err_file is not None:
                err_file.flush()
            bar.update(len(result.outcomes), summary.failed)
        if dask:
            summary.workers = {str(k): v for k, v in client.run(worker_stats).items()}
        else:
            summary.workers = {"local": worker_stats()}
    summary.seconds = time.perf_counter() - t0
    if places is not None:
        write_places(out_path, Path(places))
    return summary


def _describe_failure(outcome: Outcome) -> str:
    record = json.loads(outcome.line)
    where = record.get("source") or ""
    doc_id = record.get("id")
    if doc_id is not None and str(doc_id) != where:
        where = f"{where} (id {doc_id!r})"
    return f"{where}: {outcome.message}"


# -- the places of a corpus ---------------------------------------------------------------------

PLACE_FIELDS = ("name", "feature", "lat", "lon", "geonameid", "country_code")


def place_key(place: dict[str, Any]) -> tuple[Any, ...]:
    """Places are the same when every field of the annotate record is."""
    return tuple(place.get(k) for k in PLACE_FIELDS)


def read_records(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """The complete records of an annotate output (incomplete or corrupt lines skipped)."""
    bad = 0
    with _open_binary(Path(path)) as fh:
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


def aggregate_places(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per place: its fields plus "articles" (documents mentioning it) and "mentions"; most
    mentioned first."""
    mentions: Counter[tuple[Any, ...]] = Counter()
    articles: Counter[tuple[Any, ...]] = Counter()
    fields: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in records:
        in_doc: set[tuple[Any, ...]] = set()
        for m in record["mentions"]:
            place = m.get("place") if isinstance(m, dict) else None
            if not isinstance(place, dict):
                continue
            key = place_key(place)
            fields.setdefault(key, {k: place.get(k) for k in PLACE_FIELDS})
            mentions[key] += 1
            in_doc.add(key)
        articles.update(in_doc)
    rows = [{**fields[k], "articles": articles[k], "mentions": mentions[k]} for k in fields]
    rows.sort(key=lambda r: (-r["articles"], -r["mentions"], str(r["name"]),
                             str(r["country_code"]), r["lat"], r["lon"]))
    return rows


def places_geojson(rows: list[dict[str, Any]]) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point",
                         "coordinates": [round(r["lon"], 6), round(r["lat"], 6)]},
            "properties": {k: r[k] for k in ("name", "feature", "country_code", "geonameid",
                                             "articles", "mentions")},
        }
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features}


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
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"cannot write {path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc


__all__ = [
    "BatchResult",
    "CorpusInput",
    "CsvInput",
    "Document",
    "FolderInput",
    "JsonlInput",
    "Options",
    "Rejected",
    "Summary",
    "aggregate_places",
    "annotate_corpus",
    "dask_client",
    "default_errors_path",
    "file_text",
    "id_key",
    "normalise_date",
    "open_input",
    "place_key",
    "places_geojson",
    "prebuild_gazetteer",
    "process_batch",
    "process_document",
    "read_records",
    "recover_output",
    "story_record",
    "warm_worker",
    "worker_gazetteer",
    "worker_stats",
    "write_atomically",
    "write_places",
]
