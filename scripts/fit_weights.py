"""Fit the evidence weights (data/weights.tsv) on the development sets, with held-apart folds.

    .venv/bin/python scripts/fit_weights.py [--eval-dir DIR] [--write]

For every name the pipeline scores, the gold annotation says which candidates are right
(within 161 km of the gold point, the same GeoNames id, or the country the gold point lies
in). The weights are fitted by a pairwise ranking loss, smoothed: each right candidate
should lead each wrong one by a margin, with an L2 pull towards the current table so that a
weight the data barely sees stays near its start. (A conditional logit over each name's
candidates, tried first, did worse on the held-out sets.)

Three folds train on two sets and score the third end to end with `score.py`; a final fit on
all three is what `--write` stores. A feature that tells candidates apart on fewer than
`FIT.min_names` names stays hand-set, and so does `prior`, the scale the others are measured
in. The fit is deterministic: fixed order, no randomness, one L-BFGS run from the table.
The runtime never sees numpy or scipy: it reads the table and takes a dot product.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple
from unittest import mock

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
SETS = ("de_news_dev", "geowebnews", "trnews")
EVAL_DIR = Path(os.environ.get("STORYMAP_EVAL_DIR", "/work/shared/eval"))


@dataclass(frozen=True)
class FitSettings:
    """The numbers that decide the fit."""

    l2: float = 4.0
    """Pull towards the starting weights, per weight (in units of the summed ranking loss)."""
    margin: float = 1.0
    """How far (in score) a right candidate should lead each wrong one."""
    sharpness: float = 4.0
    """How closely the smooth ranking loss follows the hinge max(0, margin - lead)."""
    min_names: int = 25
    """A feature must tell candidates apart on at least this many names to be fitted."""
    right_km: float = 161.0
    """A candidate this close to the gold point is right (score.py's acc161)."""
    max_iterations: int = 500


FIT = FitSettings()


class Group(NamedTuple):
    """One name's candidates: their feature values (rows) and which of them are right."""

    values: np.ndarray
    right: np.ndarray


def pair_differences(groups: Sequence[Group], start: np.ndarray) -> np.ndarray:
    """One row per (name, wrong candidate): the right candidate's values less the wrong
    one's. Where several are right, the one the starting weights rank first stands for them."""
    rows: list[np.ndarray] = []
    for g in groups:
        right = np.flatnonzero(g.right)
        best = right[int(np.argmax(g.values[right] @ start))]
        rows.extend(g.values[best] - g.values[j] for j in np.flatnonzero(~g.right))
    return np.array(rows, dtype=np.float64).reshape(-1, start.size)


def ranking_loss(w: np.ndarray, pairs: np.ndarray) -> tuple[float, np.ndarray]:
    """Σ softplus(margin - w·d) over the pair rows (smoothed by `FIT.sharpness`): zero once
    every right candidate leads its rivals by the margin. Returns the loss and its gradient."""
    z = FIT.sharpness * (FIT.margin - pairs @ w)
    push = 1.0 / (1.0 + np.exp(-z))
    return float(np.logaddexp(0.0, z).sum() / FIT.sharpness), -(push @ pairs)


def fit(groups: Sequence[Group], start: np.ndarray, free: np.ndarray,
        l2: float = FIT.l2) -> np.ndarray:
    """The weights that minimise the ranking loss plus l2·|w - start|², moving only the
    `free` ones (a boolean mask); rounded to two decimals, as the table stores them."""
    pairs = pair_differences(groups, start)
    if not len(pairs) or not free.any():
        return start.copy()

    def loss(x: np.ndarray) -> tuple[float, np.ndarray]:
        w = start.copy()
        w[free] = x
        value, grad = ranking_loss(w, pairs)
        d = x - start[free]
        return value + l2 * float(d @ d), grad[free] + 2 * l2 * d

    res = minimize(loss, start[free], jac=True, method="L-BFGS-B",
                   options={"maxiter": FIT.max_iterations})
    w = start.copy()
    w[free] = res.x
    return np.round(w, 2)


def deciding(groups: Sequence[Group]) -> np.ndarray:
    """Per feature, on how many names it takes more than one value among the candidates."""
    if not groups:
        return np.zeros(0, dtype=int)
    counts: np.ndarray = np.sum([np.ptp(g.values, axis=0) > 0 for g in groups], axis=0)
    return counts


def accuracy(w: np.ndarray, groups: Sequence[Group]) -> float:
    """Share of names whose best-scored candidate is a right one."""
    if not groups:
        return 0.0
    return sum(bool(g.right[int(np.argmax(g.values @ w))]) for g in groups) / len(groups)


# --- reading the development sets through the pipeline ------------------------------------

def _load_score(eval_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", eval_dir / "score.py")
    assert spec and spec.loader, f"no score.py in {eval_dir}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_set(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _country_of_points(points: list[tuple[float, float]]) -> list[str]:
    import reverse_geocoder

    if not points:
        return []
    return [r["cc"] for r in reverse_geocoder.search(points, mode=1, verbose=False)]


def groups_of(docs: Sequence[dict[str, Any]], score: ModuleType) -> list[Group]:
    """Every name with right and wrong candidates among those the pipeline scores."""
    from storymap import article
    from storymap.gazetteer import load
    from storymap.recognize import find_spans
    from storymap.resolve import ranked_candidates

    gaz = load()
    pending: list[tuple[Any, list[Any], dict[str, Any]]] = []
    for doc in docs:
        art = article.load(doc["text"], language=doc.get("lang") or None)
        spans = find_spans(art.text, art.passages, art.language, gaz)
        _, early, ranked = ranked_candidates(spans, art.text, art.language, gaz)
        golds = [t for t in doc["toponyms"] if t.get("lat") is not None]
        for span, reason, cands in zip(spans, early, ranked, strict=True):
            if reason or len(cands) < 2:
                continue
            gold = next((t for t in golds if span.start < t["end"] and t["start"] < span.end),
                        None)
            if gold is not None:
                pending.append((gaz, cands, gold))
    countries = _country_of_points([(g["lat"], g["lon"]) for _, _, g in pending])
    out = []
    for (gaz, cands, gold), gold_cc in zip(pending, countries, strict=True):
        right = np.array([_is_right(gaz.place(c.place), gold, gold_cc, score) for c in cands])
        if right.any() and not right.all():
            out.append(Group(np.array([c.values for c in cands], dtype=float), right))
    return out


def _is_right(place: Any, gold: dict[str, Any], gold_cc: str, score: ModuleType) -> bool:
    if gold.get("geonameid") and place.geonameid == gold["geonameid"]:
        return True
    if score.haversine_km(gold["lat"], gold["lon"], place.lat, place.lon) <= FIT.right_km:
        return True
    return bool(place.feature == "country" and place.country_code == gold_cc)


def end_to_end(docs: Sequence[dict[str, Any]], w: np.ndarray, score: ModuleType
               ) -> tuple[float, float]:
    """score.py's lenient F1 and acc161 with these weights in place of the table's."""
    from storymap import resolve
    from storymap.cli import annotate_document

    weights = tuple(float(x) for x in w)
    with mock.patch.object(resolve, "weights", lambda: weights):
        pred = {d["id"]: annotate_document(d) for d in docs}
    r = score.score({d["id"]: d for d in docs}, pred)
    return r["lenient_f1"], r["acc161"]


# --- the table ----------------------------------------------------------------------------

def write_table(w: np.ndarray, free: np.ndarray) -> None:
    from storymap.resolve import weight_table

    path = ROOT / "data" / "weights.tsv"
    head = [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")]
    rows = ["feature\tweight\tsource\tmeaning"]
    for k, row in enumerate(weight_table()):
        source = "fitted" if free[k] else "hand-set"
        rows.append(f"{row.feature}\t{w[k]:g}\t{source}\t{row.meaning}")
    path.write_text("\n".join(head + rows) + "\n", encoding="utf-8")


def folds() -> Iterator[tuple[tuple[str, ...], str]]:
    for held in SETS:
        yield tuple(s for s in SETS if s != held), held


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--write", action="store_true", help="store the final fit in the table")
    args = parser.parse_args(argv)

    from storymap.resolve import FEATURES, weight_table, weights

    names = tuple(FEATURES)
    if tuple(r.feature for r in weight_table()) != names:
        sys.exit("data/weights.tsv must list the features in FEATURES order")
    start = np.array(weights(), dtype=float)
    score = _load_score(args.eval_dir)
    docs = {s: read_set(args.eval_dir / f"{s}.jsonl") for s in SETS}
    groups = {s: groups_of(docs[s], score) for s in SETS}
    print("names with right and wrong candidates: "
          + ", ".join(f"{s} {len(groups[s])}" for s in SETS))

    def free_for(train: Sequence[Group]) -> np.ndarray:
        free = deciding(train) >= FIT.min_names
        free[names.index("prior")] = False
        return free

    print("\n| held out | weights | names right | lenient F1 | acc161 |")
    print("|---|---|---|---|---|")
    for train_sets, held in folds():
        train = [g for s in train_sets for g in groups[s]]
        w = fit(train, start, free_for(train))
        for label, ws in (("hand-set", start), ("fitted", w)):
            f1, acc = end_to_end(docs[held], ws, score)
            print(f"| {held} | {label} (on {'+'.join(train_sets)}) "
                  f"| {accuracy(ws, groups[held]):.3f} | {f1:.3f} | {acc:.3f} |")

    everything = [g for s in SETS for g in groups[s]]
    free = free_for(everything)
    final = fit(everything, start, free)
    counts = deciding(everything)
    print("\n| feature | start | fitted | names it decides | source |")
    print("|---|---|---|---|---|")
    for k, name in enumerate(names):
        print(f"| {name} | {start[k]:g} | {final[k]:g} | {counts[k]} "
              f"| {'fitted' if free[k] else 'hand-set'} |")
    print("\n| set | weights | lenient F1 | acc161 |")
    print("|---|---|---|---|")
    for s in SETS:
        for label, ws in (("hand-set", start), ("final fit", final)):
            f1, acc = end_to_end(docs[s], ws, score)
            print(f"| {s} | {label} | {f1:.3f} | {acc:.3f} |")
    if args.write:
        write_table(final, free)
        print("\nwrote data/weights.tsv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
