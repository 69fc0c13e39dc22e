"""What a corpus is made of: `Document`s (or `Rejected` items), read from a JSONL file, a
CSV/TSV file or a folder of .txt/.md/.html files, with their dates normalised."""

from __future__ import annotations

import contextlib
import csv
import email.utils
import json
import logging
import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from .. import article as article_mod
from ..errors import InputError

log = logging.getLogger(__name__)

FILE_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})


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
        with open_binary(self.path) as fh:
            return sum(1 for raw in fh if raw.strip())

    def __iter__(self) -> Iterator[Item]:
        with open_binary(self.path) as fh:
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
            raise InputError("cannot read {path}: {reason}", path=self.path,
                             reason=exc.strerror or exc) from exc
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
                raise InputError("{path} is not a readable CSV file (line {line}: {reason})",
                                 path=self.path, line=reader.line_num, reason=exc) from exc

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
            raise InputError("{path} has no column {name!r} ({option}); its columns: {shown}",
                             path=self.path, name=name, option=option, shown=shown)

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
                return Rejected(rel, rel, too_big(size, self.max_bytes))
            with full.open("rb") as fh:
                data = fh.read(self.max_bytes + 1)
        except OSError as exc:
            return Rejected(rel, rel, f"cannot read the file: {exc.strerror or exc}")
        if len(data) > self.max_bytes:
            return Rejected(rel, rel, too_big(len(data), self.max_bytes))
        return Document(rel, rel, data=data, name=full.name)


def too_big_error(size: int, limit: int) -> InputError:
    return InputError("The document is {size:,} bytes; the limit is {limit:,} bytes. "
                      "Split it or raise the limit (--max-bytes).", size=size, limit=limit)


def too_big(size: int, limit: int) -> str:
    return str(too_big_error(size, limit))


def open_binary(path: Path) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError("cannot read {path}: {reason}", path=path,
                         reason=exc.strerror or exc) from exc


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
        raise InputError("{path} does not exist. Give a JSONL file, a CSV file or a folder.",
                         path=p)
    suffix = p.suffix.lower()
    if suffix in CSV_SUFFIXES:
        table = CsvInput(p, text_column=text_column, id_column=id_column,
                         date_column=date_column, lang_column=lang_column)
        table.check()
        return table
    if suffix in JSONL_SUFFIXES or not suffix:
        return JsonlInput(p)
    if suffix in FILE_SUFFIXES:
        raise InputError("{path} is a single article; `storymap places` or `storymap build` "
                         "handle one article, `annotate` takes a folder, JSONL or CSV.", path=p)
    raise InputError("{path}: unknown corpus format {suffix!r}; give a .jsonl file, a .csv/.tsv "
                     "file or a folder of .txt/.md/.html files.", path=p, suffix=suffix)


__all__ = [
    "CorpusInput",
    "CsvInput",
    "Document",
    "FolderInput",
    "Item",
    "JsonlInput",
    "Rejected",
    "id_key",
    "normalise_date",
    "open_binary",
    "open_input",
    "too_big",
    "too_big_error",
]
