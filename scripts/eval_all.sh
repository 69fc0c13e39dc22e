#!/usr/bin/env bash
# Annotate and score the development sets in ../shared/eval/ (never committed): OUT/<set>.jsonl
# and one line of lenient F1 / acc161 per set. Usage: bash scripts/eval_all.sh OUT_DIR
set -euo pipefail
out=${1:?usage: eval_all.sh OUT_DIR}
eval_dir=${STORYMAP_EVAL_DIR:-/work/shared/eval}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
for set in de_news_dev geowebnews trnews; do
  rm -f "$out/$set.jsonl"
  STORYMAP_PURE=1 "$here/.venv/bin/storymap" annotate "$eval_dir/$set.jsonl" -o "$out/$set.jsonl" >/dev/null 2>&1
  "$here/.venv/bin/python" "$eval_dir/score.py" "$eval_dir/$set.jsonl" "$out/$set.jsonl" --json |
    "$here/.venv/bin/python" -c "import json,sys; r=json.load(sys.stdin); print(f\"$set: lenient F1 {r['lenient_f1']:.3f}  acc161 {r['acc161']:.3f}\")"
done
