"""Which documents' answers changed between two `storymap annotate` runs, and for better or worse.

    python scripts/compare_stories.py GOLD.jsonl OLD.jsonl NEW.jsonl [--show 20]

A document changed when its set of (start, end, kind, place) answers differs. Each changed
document is classified against the gold annotations with the evaluation's own scorer
(/work/shared/eval/score.py, or --scorer): *fixed* when it gains correct answers (matched
spans, or resolutions within 161 km) and loses none, with no new false alarms; *broken* the
other way round; *mixed* when both happen; *neutral* when the scores do not move (a different
wrong answer, say). The eval data itself is never copied anywhere.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

DEFAULT_SCORER = Path("/work/shared/eval/score.py")


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answers(doc: dict[str, Any] | None) -> frozenset[tuple[Any, ...]]:
    if doc is None:
        return frozenset()
    out = set()
    for m in doc.get("mentions", []):
        place = m.get("place") or {}
        out.add((m["start"], m["end"], m.get("kind"), place.get("id") or place.get("geonameid")))
    return frozenset(out)


def doc_counts(scorer: ModuleType, gold: dict[str, Any], pred: dict[str, Any] | None
               ) -> tuple[int, int, int]:
    """(matched gold spans, resolutions within 161 km, false alarms) of one document."""
    res = scorer.score({gold["id"]: gold}, {gold["id"]: pred} if pred else {})
    tp = round(res["lenient_r"] * res["gold"])
    correct = round((res["acc161"] or 0.0) * res["resolved_pairs"])
    return tp, correct, res["pred"] - tp


def classify(old: tuple[int, int, int], new: tuple[int, int, int]) -> str:
    gains = new[0] > old[0] or new[1] > old[1] or new[2] < old[2]
    losses = new[0] < old[0] or new[1] < old[1] or new[2] > old[2]
    if gains and losses:
        return "mixed"
    return "fixed" if gains else "broken" if losses else "neutral"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold")
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--show", type=int, default=0, help="list this many changed documents")
    a = ap.parse_args(argv)
    scorer = load_scorer(a.scorer)
    gold, old, new = scorer.load(a.gold), scorer.load(a.old), scorer.load(a.new)
    tally = {"unchanged": 0, "fixed": 0, "broken": 0, "mixed": 0, "neutral": 0}
    shown = []
    for doc_id, g in gold.items():
        if answers(old.get(doc_id)) == answers(new.get(doc_id)):
            tally["unchanged"] += 1
            continue
        before = doc_counts(scorer, g, old.get(doc_id))
        after = doc_counts(scorer, g, new.get(doc_id))
        verdict = classify(before, after)
        tally[verdict] += 1
        shown.append((doc_id, verdict, before, after))
    print(f"{Path(a.gold).stem}: {len(gold)} documents")
    print("| unchanged | fixed | broken | mixed | neutral |")
    print("|---|---|---|---|---|")
    print("| " + " | ".join(str(tally[k]) for k in tally) + " |")
    for doc_id, verdict, before, after in shown[: a.show]:
        print(f"  {doc_id}: {verdict} (matched, within 161 km, false alarms) {before} -> {after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
