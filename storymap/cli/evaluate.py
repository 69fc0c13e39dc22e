"""`storymap eval`: score storymap against a gold JSONL file, and list its errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import InputError


def register(sub: Any) -> None:
    """Add `eval` to the command's subparsers."""
    evaluate = sub.add_parser("eval", help="score storymap against a gold JSONL file")
    evaluate.add_argument("gold", help="gold JSONL (see shared/eval/README.md)")
    evaluate.add_argument("--errors", help="write recognition errors per document to this file")
    evaluate.set_defaults(func=_cmd_eval)


def annotate_document(doc: dict[str, Any]) -> dict[str, Any]:
    """One gold-format document → the `storymap annotate` record for it."""
    from ..corpus import story_record
    from ..pipeline import run

    story = run(str(doc["text"]), language=doc.get("lang") or None)
    return story_record(story, doc["id"])


def _iter_jsonl(path: str) -> list[tuple[int, dict[str, Any] | str]]:
    """(line number, document or error message) for each non-empty line."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError("cannot read {path}: {reason}", path=path,
                         reason=exc.strerror or exc) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("{path} is not UTF-8 JSONL", path=path) from exc
    out: list[tuple[int, dict[str, Any] | str]] = []
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append((no, f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(doc, dict) or "id" not in doc or not isinstance(doc.get("text"), str):
            out.append((no, 'each line needs an "id" and a "text" string'))
            continue
        out.append((no, doc))
    return out


def _cmd_eval(args: argparse.Namespace) -> int:
    from ..evaluation import score

    gold = []
    for no, doc in _iter_jsonl(args.gold):
        if isinstance(doc, str) or not isinstance(doc.get("toponyms"), list):
            raise InputError("{path}, line {line}: not a gold document with toponyms",
                             path=args.gold, line=no)
        gold.append(doc)
    predictions = {d["id"]: annotate_document(d) for d in gold}
    print(score(gold, predictions).table())
    if args.errors:
        _write_errors(args.errors, gold, predictions)
    return 0


def _write_errors(path: str, gold: list[dict[str, Any]], pred: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for doc in gold:
            text = doc["text"]
            ms = pred[doc["id"]]["mentions"]
            for g in doc["toponyms"]:
                hit = [m for m in ms if m["start"] < g["end"] and g["start"] < m["end"]]
                if not hit:
                    f.write(f"FN\t{doc['id']}\t{g['surface']}\t{_ctx(text, g)}\n")
                elif g.get("lat") is not None and hit[0]["place"]:
                    from ..evaluation import haversine_km

                    p = hit[0]["place"]
                    km = haversine_km(g["lat"], g["lon"], p["lat"], p["lon"])
                    if km > 161 and g.get("geonameid") != p.get("geonameid"):
                        f.write(f"WRONG\t{doc['id']}\t{g['surface']}\t{p['name']} "
                                f"({p['feature']}, {p['country_code']}) {km:.0f} km\t"
                                f"{_ctx(text, g)}\n")
            for m in ms:
                if not any(m["start"] < g["end"] and g["start"] < m["end"]
                           for g in doc["toponyms"]):
                    place = m["place"] or {}
                    f.write(f"FP\t{doc['id']}\t{m['text']}\t{place.get('name')} "
                            f"({place.get('feature')}, {place.get('country_code')})\t"
                            f"{_ctx(text, m)}\n")


def _ctx(text: str, span: dict[str, Any]) -> str:
    s, e = span["start"], span["end"]
    return (text[max(0, s - 40) : s] + "[[" + text[s:e] + "]]" + text[e : e + 40]).replace(
        "\n", " "
    )
