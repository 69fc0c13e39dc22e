"""The `storymap` command. Every StorymapError becomes a one-line message and exit code 2."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from . import cli_corpus, cli_network
from .errors import InputError, StorymapError
from .model import Mention, Story

EXIT_ERROR = 2


def run_console() -> None:
    """Console-script entry point. Exits without tearing down the interpreter: freeing the
    gazetteer's millions of objects one by one would add a quarter second to every run."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except StorymapError as exc:
        print(f"storymap: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("storymap: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `storymap places … | head`: the reader has all it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get("STORYMAP_DEBUG"):
            raise
        print(f"storymap: internal error ({type(exc).__name__}: {exc}). This is a bug; please "
              "report it. Set STORYMAP_DEBUG=1 to see the details.", file=sys.stderr)
        return 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storymap", description="Find the places in a news article and map them."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    places = sub.add_parser("places", help="print the places of an article")
    places.add_argument(
        "article", help="a .txt, .md or .html file, an http(s):// address, or - for standard input"
    )
    places.add_argument("--format", choices=("table", "json", "geojson"), default="table")
    places.add_argument("--lang", help="the article's language (ISO code); default: detected")
    places.add_argument("--max-bytes", type=int, default=None, help="input size limit")
    places.set_defaults(func=_cmd_places)
    cli_network.add_network_options(places)

    annotate = sub.add_parser("annotate", help=cli_corpus.ANNOTATE_HELP)
    cli_corpus.add_annotate_arguments(annotate)
    annotate.set_defaults(func=cli_corpus.run_annotate)
    cli_corpus.register(sub)  # corpus-map

    build = sub.add_parser("build", help="export an article's story map (HTML, GeoJSON, JSON)")
    build.add_argument(
        "article",
        help="an article (.txt, .md, .html, or an http(s):// address) or a saved story .json",
    )
    build.add_argument("-o", "--output", type=Path, help="standalone HTML file to write")
    build.add_argument("--geojson", type=Path, help="GeoJSON file to write")
    build.add_argument("--story", type=Path, help="story JSON file to write (re-loadable)")
    build.add_argument("--lang", help="the article's language (ISO code); default: detected")
    build.add_argument("--svg", type=Path, help="still locator map to write, as SVG")
    build.add_argument("--png", type=Path, help="still locator map to write, as PNG")
    build.add_argument("--title", help="the still map's title (default: the article's title)")
    build.add_argument("--size", default="default",
                       help="the still map's size: WIDTHxHEIGHT in pixels, or default "
                            "(1200x800), social (1200x630), square (1080x1080)")
    build.set_defaults(func=_cmd_build)
    cli_network.add_network_options(build)

    evaluate = sub.add_parser("eval", help="score storymap against a gold JSONL file")
    evaluate.add_argument("gold", help="gold JSONL (see shared/eval/README.md)")
    evaluate.add_argument("--errors", help="write recognition errors per document to this file")
    evaluate.set_defaults(func=_cmd_eval)
    cli_network.register(sub)
    return parser


def _read_article(path: str, max_bytes: int | None) -> str | bytes:
    from . import article

    limit = max_bytes or article.DEFAULT_MAX_BYTES
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
        return data
    return article.read_file(path, max_bytes=limit)


def _cmd_places(args: argparse.Namespace) -> int:
    from .article import DEFAULT_MAX_BYTES

    source: str | bytes | None = cli_network.read_url(args.article, args, args.max_bytes)
    if source is None:
        source = _read_article(args.article, args.max_bytes)
    story = cli_network.run_with_network(
        source, args, max_bytes=args.max_bytes or DEFAULT_MAX_BYTES
    )
    out = sys.stdout
    if args.format == "geojson":
        json.dump(story.__geo_interface__, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "json":
        json.dump(_places_json(story), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        _print_table(story, out)
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from .article import DEFAULT_MAX_BYTES, read_file
    from .export import StillOptions, is_story_json, load_story, write_outputs
    from .still import legend_language, parse_size

    if not (args.output or args.geojson or args.story or args.svg or args.png):
        raise InputError("Say what to write: -o story.html, --geojson FILE, --story FILE, "
                         "--svg FILE and/or --png FILE.")
    size = parse_size(args.size)  # a bad size fails before any work
    fetched = cli_network.read_url(args.article, args)
    path = Path(args.article)
    if fetched is not None:
        story = cli_network.run_with_network(fetched, args, max_bytes=DEFAULT_MAX_BYTES)
    elif path.suffix.lower() == ".geojson":
        raise InputError(f"{path} is GeoJSON, which storymap writes but cannot read back; "
                         "give the article or a story JSON (--story) instead.")
    elif path.suffix.lower() == ".json":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        if not is_story_json(data):
            raise InputError(f"{path} is not a storymap story (made with --story).")
        story = load_story(data)
    else:
        story = cli_network.run_with_network(read_file(path), args, max_bytes=DEFAULT_MAX_BYTES)
    still = StillOptions(size, args.title, legend_language(story.language))
    write_outputs(story, html=args.output, geojson=args.geojson, story_json=args.story,
                  svg=args.svg, png=args.png, still=still)
    for target in (args.output, args.geojson, args.story, args.svg, args.png):
        if target:
            print(f"wrote {target}", file=sys.stderr)
    return 0


def _places_json(story: Story) -> dict[str, Any]:
    return {
        "language": story.language,
        "places": [
            {
                "id": p.id,
                "name": p.name,
                "label": p.label(story.language),
                "feature": p.feature,
                "lat": p.lat,
                "lon": p.lon,
                "country_code": p.country_code,
                "geonameid": p.geonameid,
                "seat_of": p.seat_of,
                "mentions": [
                    {"text": m.text, "start": m.start, "end": m.end, "passage": m.passage,
                     "kind": m.kind}
                    for m in story.mentions_of(p.id)
                    if m.place_id == p.id
                ],
            }
            for p in story.places
        ],
    }


def _print_table(story: Story, out: TextIO) -> None:
    if not story.places:
        out.write("No places found.\n")
        return
    rows = []
    for p in story.places:
        own = [m for m in story.mentions if m.place_id == p.id]
        if p.seat_of:
            country = story.place(p.seat_of)
            seat = f"seat of government of {country.name if country else p.seat_of}"
            mentions = ", ".join(_mention_cell(m) for m in own) or seat
            if own:
                mentions += f"; {seat}"
        else:
            mentions = ", ".join(_mention_cell(m) for m in own)
        rows.append((p.label(story.language), p.feature, p.country_code or "",
                     f"{p.lat:.4f}, {p.lon:.4f}", mentions))
    header = ("place", "feature", "cc", "lat, lon", "mentions (passage)")
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(4)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)) + "  " + header[4]
    out.write(line + "\n" + "-" * len(line) + "\n")
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[4]
                  + "\n")


def _mention_cell(m: Mention) -> str:
    return f"{m.text} ({m.passage})"


def annotate_document(doc: dict[str, Any]) -> dict[str, Any]:
    """One gold-format document → the `storymap annotate` record for it."""
    from .corpus import story_record
    from .pipeline import run

    story = run(str(doc["text"]), language=doc.get("lang") or None)
    return story_record(story, doc["id"])


def _iter_jsonl(path: str) -> list[tuple[int, dict[str, Any] | str]]:
    """(line number, document or error message) for each non-empty line."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 JSONL") from exc
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
    from .evaluation import score

    gold = []
    for no, doc in _iter_jsonl(args.gold):
        if isinstance(doc, str) or not isinstance(doc.get("toponyms"), list):
            raise InputError(f"{args.gold}, line {no}: not a gold document with toponyms")
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
                    from .evaluation import haversine_km

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


if __name__ == "__main__":
    run_console()
