"""Corpus mode on Dask: a local cluster of 2 worker processes gives the same lines as one
worker in this process, each worker loads the gazetteer once, a run killed half-way on the
cluster resumes, and `annotate --scheduler` runs on a real scheduler and worker started as
separate processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus_docs import make_corpus, read_jsonl, sorted_lines, write_jsonl

from storymap.cli import main as corpus_main
from storymap.corpus import annotate_corpus, open_input, read_records
from storymap.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory: pytest.TempPathFactory, gaz: Gazetteer) -> Path:
    """300 generated documents plus a broken one. `gaz` makes sure the gazetteer index is
    built before any worker starts, so workers only load it."""
    docs = make_corpus(300, seed=21)
    docs.insert(150, {"id": "broken", "text": "\x00\x01\x02\x03"})
    return write_jsonl(tmp_path_factory.mktemp("dask") / "in.jsonl", docs)


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory, corpus_file: Path) -> Path:
    out = tmp_path_factory.mktemp("one") / "out.jsonl"
    summary = annotate_corpus(open_input(corpus_file), out, workers=1)
    assert summary.mode == "in-process"
    assert (summary.done, summary.failed) == (300, 1)
    return out


def test_two_workers_give_the_same_lines_as_one(tmp_path: Path, corpus_file: Path,
                                                one_worker: Path) -> None:
    out = tmp_path / "out.jsonl"
    summary = annotate_corpus(open_input(corpus_file), out, workers=2, batch_size=8)
    assert summary.mode == "dask"
    assert (summary.done, summary.failed) == (300, 1)
    assert sorted_lines(out) == sorted_lines(one_worker)
    assert out.read_bytes() == one_worker.read_bytes()  # written in input order, too
    assert [e["id"] for e in read_jsonl(tmp_path / "out.errors.jsonl")] == ["broken"]
    # two worker processes, neither of them this one, each loaded the gazetteer exactly once
    stats = list(summary.workers.values())
    assert len(stats) == 2
    assert len({s["pid"] for s in stats} | {os.getpid()}) == 3
    assert [s["gazetteer_loads"] for s in stats] == [1, 1]


def test_a_busy_dashboard_port_does_not_stop_the_cluster(tmp_path: Path, gaz: Gazetteer) -> None:
    """Another cluster or program on :8787 (Dask's default HTTP port) must not matter."""
    with socket.socket() as busy:
        try:
            busy.bind(("0.0.0.0", 8787))
            busy.listen()
        except OSError:
            pass  # already taken by something else: busy either way
        docs = write_jsonl(tmp_path / "in.jsonl", make_corpus(4, seed=5))
        summary = annotate_corpus(open_input(docs), tmp_path / "out.jsonl", workers=2)
    assert summary.mode == "dask"
    assert (summary.done, summary.failed) == (4, 0)


def _line_count(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM,
                timeout: float = 15.0) -> None:
    """Stop a process and everything it started (its own session): `sig`, then SIGKILL."""
    if _alive(proc.pid):
        os.killpg(proc.pid, sig)
        deadline = time.monotonic() + timeout
        while _alive(proc.pid) and time.monotonic() < deadline:
            proc.poll()
            time.sleep(0.1)
        if _alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=timeout)


def test_run_killed_on_the_cluster_resumes(tmp_path: Path, corpus_file: Path,
                                           one_worker: Path) -> None:
    """SIGKILL the whole run (driver, scheduler and workers) after a third of the lines; the
    rerun (in this process) finishes with every document exactly once."""
    out = tmp_path / "out.jsonl"
    log = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "storymap.cli", "annotate", str(corpus_file), "-o",
         str(out), "--workers", "2", "--batch-size", "2", "--no-progress"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while _line_count(out) < 100:
            assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()
            assert time.monotonic() < deadline, "no output within 90 s"
            time.sleep(0.002)
    finally:
        _stop_group(proc, signal.SIGKILL)
        log.close()
    assert not _alive(proc.pid)
    written = _line_count(out)
    assert 100 <= written < 300
    summary = annotate_corpus(open_input(corpus_file), out)
    assert summary.skipped + summary.dropped >= written
    ids = [r["id"] for r in read_records(out)]
    assert len(ids) == len(set(ids)) == 300
    assert sorted_lines(out) == sorted_lines(one_worker)


# -- an existing cluster ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory, gaz: Gazetteer) -> Iterator[str]:
    """`dask scheduler` and `dask worker` as separate processes on 127.0.0.1; stopped (with
    everything they started) afterwards."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("cluster")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with (logs / "scheduler.txt").open("wb") as log:
            procs.append(subprocess.Popen(
                [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                 "--no-dashboard"], stdout=log, stderr=log, start_new_session=True))
        with (logs / "worker.txt").open("wb") as log:
            procs.append(subprocess.Popen(
                [str(DASK), "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--host", "127.0.0.1", "--death-timeout", "60"],
                stdout=log, stderr=log, start_new_session=True, cwd=ROOT))
        deadline = time.monotonic() + 60
        while True:
            for p in procs:
                assert p.poll() is None, (logs / "scheduler.txt").read_text() + \
                    (logs / "worker.txt").read_text()
            if "Registered to" in (logs / "worker.txt").read_text(errors="replace"):
                break
            assert time.monotonic() < deadline, "the Dask worker did not start within 60 s"
            time.sleep(0.2)
        yield address
    finally:
        for p in reversed(procs):
            _stop_group(p)
        assert not any(_alive(p.pid) for p in procs)


def test_annotate_on_an_existing_scheduler(tmp_path: Path, corpus_file: Path,
                                           one_worker: Path, scheduler: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    places = tmp_path / "places.geojson"
    code = corpus_main(["annotate", str(corpus_file), "-o", str(out), "--scheduler", scheduler,
                        "--places", str(places), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1, err  # the broken document
    assert "annotated 300 document(s), 1 skipped" in err
    assert out.read_bytes() == one_worker.read_bytes()
    assert json.loads(places.read_text(encoding="utf-8"))["features"]
    # resumed against the cluster: nothing left to do
    assert corpus_main(["annotate", str(corpus_file), "-o", str(out), "--scheduler", scheduler,
                        "--no-progress"]) == 1
    assert "300 already done" in capsys.readouterr().err
    assert out.read_bytes() == one_worker.read_bytes()


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path, corpus_file: Path) -> None:
    from storymap.corpus import dask_client
    from storymap.errors import StorymapError

    with pytest.raises(StorymapError, match="cannot reach the Dask scheduler"), \
            dask_client(1, f"tcp://127.0.0.1:{_free_port()}", connect_timeout=1):
        pass
