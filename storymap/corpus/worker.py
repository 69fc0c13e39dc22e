"""One document → its `storymap annotate` line, on a worker: the gazetteer is loaded once per
process and kept for every batch it gets. Never raises for a bad document."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from .. import article as article_mod
from .. import gazetteer as gazetteer_mod
from ..errors import InputError
from ..gazetteer import Gazetteer
from ..model import Story
from ..pipeline import run
from .inputs import Document, Item, Rejected, too_big_error

log = logging.getLogger(__name__)

EXCERPT_CHARS = 240
TITLE_CHARS = 300


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


def failed_outcome(item: Document | Rejected, message: str) -> Outcome:
    return Outcome(False, item.key, _error_line(item.id, item.source, message), message)


def process_document(doc: Item, options: Options, gaz: Gazetteer | None = None) -> Outcome:
    """One document → its output line, or its errors-file line. Never raises (except for
    KeyboardInterrupt and the like): one bad document must not stop a corpus."""
    if isinstance(doc, Rejected):
        return failed_outcome(doc, doc.error)
    try:
        if doc.data is not None:
            if len(doc.data) > options.max_bytes:
                raise too_big_error(len(doc.data), options.max_bytes)
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
        return failed_outcome(doc, str(exc))
    except UnicodeEncodeError:
        return failed_outcome(doc, "the document holds characters that cannot be written as UTF-8 "
                            "(unpaired surrogates)")
    except Exception as exc:  # a bug on one document must not lose the corpus
        log.debug("document %r failed", doc.id, exc_info=True)
        return failed_outcome(
            doc, f"internal error ({type(exc).__name__}: {exc}); please report it"
        )
    return Outcome(True, doc.key, line)


def process_batch(items: list[Item], options: Options) -> BatchResult:
    """A batch of documents on a worker: the gazetteer is loaded once per process."""
    gaz = worker_gazetteer() if any(isinstance(i, Document) for i in items) else None
    outcomes = [process_document(item, options, gaz) for item in items]
    return BatchResult(outcomes, os.getpid(), _GAZETTEER_LOADS)


__all__ = [
    "BatchResult",
    "Options",
    "Outcome",
    "add_context",
    "excerpt",
    "failed_outcome",
    "file_text",
    "process_batch",
    "process_document",
    "story_record",
    "warm_worker",
    "worker_gazetteer",
    "worker_stats",
]
