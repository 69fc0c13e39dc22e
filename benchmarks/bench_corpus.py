"""Corpus benchmark: documents per second for one and two workers on 2,000 generated documents
of about 3 KB, and peak memory per worker.

    python benchmarks/bench_corpus.py [--docs 2000] [--size 3000] [--repeat 3]

Each configuration runs in a fresh interpreter:
  cold  `annotate_corpus` from nothing: cluster start, gazetteer load per worker, the corpus;
  warm  a corpus of the same size on workers that are already up and have loaded the
        gazetteer (for Dask: a LocalCluster started and warmed first, used through its
        scheduler address): the steady rate a long run settles to. Each of the --repeat runs
        gets its own corpus (the pipeline memoises, so a corpus seen before would flatter it);
        the fastest run counts, as other load on the machine only ever slows a run down.
Peak memory is each worker process's maximum resident set (ru_maxrss); for the in-process run
the worker is the whole process (reader, writer and pipeline). "worker CPU" is the share of the
warm run's wall time the workers spent on a CPU: below 100 % they waited for work or for a core
held by another process (on 2 cores, the driver and scheduler share them with 2 workers). The
speedup compares the warm rates of two Dask workers and one. Every configuration must write
the same lines for the same corpus (exit status 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

CONFIGS = {"in-process": (1, False), "dask-1": (1, True), "dask-2": (2, True)}


def measure(config: str, work: Path, repeat: int) -> dict[str, Any]:
    """One configuration, in a fresh interpreter (see main)."""
    from storymap.corpus import annotate_corpus, open_input, warm_worker, worker_stats

    workers, use_dask = CONFIGS[config]
    t0 = time.perf_counter()
    cold = annotate_corpus(open_input(work / "corpus-0.jsonl"), work / f"{config}-0.jsonl",
                           workers=workers, use_dask=use_dask)
    cold_seconds = time.perf_counter() - t0

    def timed(cpu: Callable[[], float], **kwargs: Any) -> tuple[float, float]:
        """(seconds, workers' CPU share) of the fastest warm run."""
        best = (math.inf, 0.0)
        for rep in range(1, repeat + 1):
            before = cpu()
            t0 = time.perf_counter()
            summary = annotate_corpus(open_input(work / f"corpus-{rep}.jsonl"),
                                      work / f"{config}-{rep}.jsonl", **kwargs)
            seconds = time.perf_counter() - t0
            assert summary.failed == 0, summary
            if seconds < best[0]:
                best = (seconds, (cpu() - before) / (seconds * workers))
        return best

    if use_dask:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            client.run(warm_worker)
            warm_seconds, cpu_share = timed(
                lambda: sum(s["cpu_seconds"] for s in client.run(worker_stats).values()),
                scheduler=cluster.scheduler_address)
            peaks = [s["peak_rss_mb"] for s in client.run(worker_stats).values()]
    else:
        warm_seconds, cpu_share = timed(lambda: float(worker_stats()["cpu_seconds"]))
        peaks = [worker_stats()["peak_rss_mb"]]
    assert cold.failed == 0, cold
    return {"config": config, "workers": workers, "docs": cold.done,
            "cold_seconds": cold_seconds, "warm_seconds": warm_seconds,
            "cpu_share": cpu_share, "peak_mb": peaks}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--size", type=int, default=3000, help="characters per document")
    parser.add_argument("--repeat", type=int, default=3,
                        help="warm runs per configuration; the fastest counts (default 3)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.work, args.repeat)))
        return 0

    from corpus_docs import sized_corpus, write_jsonl

    from storymap import gazetteer

    gazetteer.load()  # build the index first if the data changed, so no worker builds it
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sizes = []
        for rep in range(args.repeat + 1):
            docs = sized_corpus(args.docs, args.size, seed=100 + rep)
            write_jsonl(work / f"corpus-{rep}.jsonl", docs)
            sizes += [len(d["text"].encode()) for d in docs]
        print(f"{args.docs} documents per run, {sum(sizes) / len(sizes) / 1000:.1f} KB each on "
              f"average; {_cpus()} CPU core(s)\n", flush=True)
        results = []
        for config in CONFIGS:
            out = subprocess.run(
                [sys.executable, __file__, "--measure", config, "--work", str(work),
                 "--repeat", str(args.repeat)],
                check=True, capture_output=True, text=True, cwd=ROOT)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        identical = all(
            len({(work / f"{c}-{rep}.jsonl").read_bytes() for c in CONFIGS}) == 1
            for rep in range(args.repeat + 1))

    base = next(r for r in results if r["config"] == "dask-1")
    header = ("run", "workers", "cold s", "cold docs/s", "warm docs/s", "speedup",
              "worker CPU", "peak MB/worker")
    rows = []
    for r in results:
        speedup = base["warm_seconds"] / r["warm_seconds"]
        rows.append((r["config"], str(r["workers"]), f"{r['cold_seconds']:.1f}",
                     f"{r['docs'] / r['cold_seconds']:.0f}",
                     f"{r['docs'] / r['warm_seconds']:.0f}",
                     f"{speedup:.2f}x" if r["config"] != "in-process" else "-",
                     f"{r['cpu_share']:.0%}", ", ".join(f"{p:.0f}" for p in r["peak_mb"])))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(c.rjust(w) if i else c.ljust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    print("\nspeedup: warm docs/s over dask-1's. worker CPU: share of the warm run's wall time "
          "the workers were on a CPU.")
    print(f"identical outputs across configurations: {identical}")
    return 0 if identical else 1


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
