"""Running a corpus: documents in small batches, processed here (one worker) or on Dask workers
(a `LocalCluster` of processes with one thread each, or an existing scheduler); output written
in input order as batches finish, flushed after each batch."""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .. import gazetteer as gazetteer_mod
from ..errors import InputError, StorymapError
from .inputs import CorpusInput, Item, Rejected
from .output import default_errors_path, locked, recover_output, write_places
from .worker import BatchResult, Options, Outcome, failed_outcome, process_batch, worker_stats

log = logging.getLogger(__name__)

MAX_BATCH_DOCS = 64
MAX_BATCH_BYTES = 4_000_000
SHOWN_FAILURES = 20
"""Failures printed on stderr one by one; the rest are only in the errors file."""


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
                failures = [failed_outcome(item, message) for item in batch]
                finished[number] = BatchResult(failures, -1, 0)
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
                raise StorymapError("cannot reach the Dask scheduler at {address}: {reason}",
                                    address=scheduler, reason=exc) from exc
            stack.callback(client.close)
            try:
                client.wait_for_workers(1, timeout=60)
            except TimeoutError as exc:
                raise StorymapError("the Dask scheduler at {address} has no workers",
                                    address=scheduler) from exc
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
        raise InputError("cannot write {path}: folder {folder} does not exist", path=out_path,
                         folder=out_path.parent)
    if workers < 1:
        raise InputError("A corpus run needs at least one worker, not {workers}.",
                         workers=workers)
    if use_dask is None:
        dask = bool(scheduler) or workers > 1
    else:
        dask = use_dask or bool(scheduler)
    say = report or (lambda message: None)
    t0 = time.perf_counter()
    summary = Summary(mode="dask" if dask else "in-process")

    with contextlib.ExitStack() as stack:
        guard = stack.enter_context(locked(out_path))
        if overwrite:
            guard.truncate(0)
        recovered = recover_output(out_path)
        summary.dropped = recovered.dropped
        if recovered.dropped:
            say(f"{out_path}: removed {recovered.dropped} incomplete line(s) of an interrupted "
                "run; their documents are done again")
        # Recovery may have replaced the file: write through a handle opened after it.
        out = stack.enter_context(locked(out_path, lock=False))
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
                    err_file = stack.enter_context(locked(err_path, lock=False, mode="w"))
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


__all__ = [
    "Summary",
    "annotate_corpus",
    "dask_client",
    "prebuild_gazetteer",
]
