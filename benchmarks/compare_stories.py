"""Which stories changed against another checkout of storymap (e.g. of 5790c27).

    .venv/bin/python benchmarks/compare_stories.py --baseline /tmp/sm5790 \
        ../shared/eval/de_news_dev.jsonl ../shared/eval/geowebnews.jsonl [--show 5]

Each document of each JSONL file ({"id", "text", "lang"?} per line) runs through
`storymap.run` in a fresh process of this tree and one of the baseline (pure Python, its own
index cache), and the two stories' JSON (`Story.to_dict`) is compared. Prints a table of how
many stories changed per file, and for the first --show changed documents the mentions that
differ (offsets, text, place id). The documents stay where they are (never in the repository).

Where a file carries gold toponyms (the evaluation sets do), every gold toponym and every
mention outside the gold gets an outcome in both trees (right: within 161 km of the gold
point; wrong; missed; a false place), and each change of outcome is counted as fixed or
broken: the classification issue 12 asks for, printed as a second table with the broken ones
listed (--show of them per file).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DUMP = """
import json, sys
from storymap.pipeline import run
for line in open(sys.argv[1], encoding="utf-8"):
    doc = json.loads(line)
    story = run(doc["text"], language=doc.get("lang"))
    print(json.dumps({"id": doc.get("id"), "story": story.to_dict()}, sort_keys=True))
"""


def stories(tree: Path, corpus: Path, env: dict[str, str]) -> dict[str, Any]:
    """Story JSON by document id, from a process whose storymap is `tree`'s."""
    proc = subprocess.run([sys.executable, "-c", DUMP, str(corpus.resolve())], cwd=tree,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, **env})
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: {proc.stderr.strip().splitlines()[-1:]}")
    out = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        out[str(row["id"])] = row["story"]
    return out


RIGHT_KM = 161.0
"""score.py's acc161: a resolved toponym is right within 161 km (100 miles) of the gold point,
or when its GeoNames id is the gold one."""


def outcomes(story: dict[str, Any], gold: list[dict[str, Any]]) -> dict[Any, str]:
    """Each gold toponym's outcome (by its offsets) and each mention outside the gold
    ("fp", by the mention's offsets) in one story."""
    from storymap.evaluation import haversine_km

    places = {p["id"]: p for p in story["places"]}
    found = story["mentions"]
    out: dict[Any, str] = {}
    for g in gold:
        hits = [m for m in found if m["start"] < g["end"] and g["start"] < m["end"]]
        if not hits:
            out[(g["start"], g["end"], g["surface"])] = "missed"
            continue
        place = places.get(hits[0].get("place_id"))
        if g.get("lat") is None or place is None:
            out[(g["start"], g["end"], g["surface"])] = "found"
        else:
            km = haversine_km(g["lat"], g["lon"], place["lat"], place["lon"])
            same = g.get("geonameid") is not None and g.get("geonameid") == place["geonameid"]
            right = same or km <= RIGHT_KM
            out[(g["start"], g["end"], g["surface"])] = "right" if right else "wrong"
    for m in found:
        if not any(m["start"] < g["end"] and g["start"] < m["end"] for g in gold):
            out[("fp", m["start"], m["end"])] = "fp"
    return out


BETTER = {"right": 2, "found": 1, "wrong": 0, "missed": 0, "fp": -1, None: 0}
"""How good an outcome is: a change up is fixed, down is broken (no false place beats one)."""


def classify(new: dict[Any, str], old: dict[Any, str]) -> tuple[list[str], list[str], int]:
    """(fixed, broken, other changes) between two stories' outcomes."""
    fixed, broken, other = [], [], 0
    for key in sorted(set(new) | set(old), key=str):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        line = f"{key}: {a or 'absent'} -> {b or 'absent'}"
        if BETTER[b] > BETTER[a]:
            fixed.append(line)
        elif BETTER[b] < BETTER[a]:
            broken.append(line)
        else:
            other += 1
    return fixed, broken, other


def gold_of(corpus: Path) -> dict[str, list[dict[str, Any]]]:
    docs = (json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line)
    return {str(d.get("id")): d["toponyms"] for d in docs if isinstance(d.get("toponyms"), list)}


def mentions(story: dict[str, Any]) -> set[tuple[int, int, str | None]]:
    return {(m["start"], m["end"], m.get("place_id")) for m in story["mentions"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--show", type=int, default=5, help="changed documents to detail")
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / f"storymap-baseline-cache-{args.baseline.resolve().name}"
    base_env = {"STORYMAP_PURE": "1", "STORYMAP_CACHE_DIR": str(cache)}
    rows = []
    verdicts = []
    shown = 0
    for corpus in args.corpora:
        ours = stories(ROOT, corpus, {})
        theirs = stories(args.baseline, corpus, base_env)
        changed = [doc for doc in ours if ours[doc] != theirs.get(doc)]
        only_mentions = [d for d in changed if mentions(ours[d]) != mentions(theirs[d])]
        rows.append((corpus.name, len(ours), len(changed), len(only_mentions)))
        gold = gold_of(corpus)
        if gold:
            verdicts.append((corpus.name, *judge(ours, theirs, gold, args.show)))
        for doc in only_mentions[: max(0, args.show - shown)]:
            shown += 1
            new, old = mentions(ours[doc]), mentions(theirs[doc])
            print(f"{corpus.name} {doc}: +{sorted(new - old)} -{sorted(old - new)}")
    print(f"{'corpus':<22}{'documents':>10}{'changed':>9}{'mentions differ':>17}")
    for name, n, changed_n, mention_n in rows:
        print(f"{name:<22}{n:>10}{changed_n:>9}{mention_n:>17}")
    if verdicts:
        print(f"\n{'corpus':<22}{'fixed':>7}{'broken':>8}{'other':>7}")
        for name, fixed, broken, other in verdicts:
            print(f"{name:<22}{fixed:>7}{broken:>8}{other:>7}")
    return 0


def judge(ours: dict[str, Any], theirs: dict[str, Any], gold: dict[str, list[dict[str, Any]]],
          show: int) -> tuple[int, int, int]:
    """Count fixed/broken/other outcome changes over a corpus; print the first broken ones."""
    totals = [0, 0, 0]
    listed = 0
    for doc, toponyms in gold.items():
        if doc not in ours or doc not in theirs:
            continue
        fixed, broken, other = classify(outcomes(ours[doc], toponyms),
                                        outcomes(theirs[doc], toponyms))
        totals[0] += len(fixed)
        totals[1] += len(broken)
        totals[2] += other
        for line in broken[: max(0, show - listed)]:
            listed += 1
            print(f"broken {doc}: {line}")
    return totals[0], totals[1], totals[2]


if __name__ == "__main__":
    sys.exit(main())
