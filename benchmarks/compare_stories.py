"""Which stories changed against another checkout of storymap (e.g. of 5790c27).

    .venv/bin/python benchmarks/compare_stories.py --baseline /tmp/sm5790 \
        ../shared/eval/de_news_dev.jsonl ../shared/eval/geowebnews.jsonl [--show 5]

Each document of each JSONL file ({"id", "text", "lang"?} per line) runs through
`storymap.run` in a fresh process of this tree and one of the baseline (pure Python, its own
index cache), and the two stories' JSON (`Story.to_dict`) is compared. Prints a table of how
many stories changed per file, and for the first --show changed documents the mentions that
differ (offsets, text, place id). The documents stay where they are (never in the repository).
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


def mentions(story: dict[str, Any]) -> set[tuple[int, int, str, str | None]]:
    return {(m["start"], m["end"], m["text"], m.get("place_id")) for m in story["mentions"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--show", type=int, default=5, help="changed documents to detail")
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / f"storymap-baseline-cache-{args.baseline.resolve().name}"
    base_env = {"STORYMAP_PURE": "1", "STORYMAP_CACHE_DIR": str(cache)}
    rows = []
    shown = 0
    for corpus in args.corpora:
        ours = stories(ROOT, corpus, {})
        theirs = stories(args.baseline, corpus, base_env)
        changed = [doc for doc in ours if ours[doc] != theirs.get(doc)]
        only_mentions = [d for d in changed if mentions(ours[d]) != mentions(theirs[d])]
        rows.append((corpus.name, len(ours), len(changed), len(only_mentions)))
        for doc in changed[: max(0, args.show - shown)]:
            shown += 1
            new, old = mentions(ours[doc]), mentions(theirs[doc])
            print(f"{corpus.name} {doc}: +{sorted(new - old)} -{sorted(old - new)}")
    print(f"{'corpus':<22}{'documents':>10}{'changed':>9}{'mentions differ':>17}")
    for name, n, changed_n, mention_n in rows:
        print(f"{name:<22}{n:>10}{changed_n:>9}{mention_n:>17}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
