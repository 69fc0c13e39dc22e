"""`storymap places` and `storymap build`: one article in, its places or its exported map out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from ..errors import InputError
from ..i18n import UI_LANGUAGES
from ..model import Mention, Story
from . import network


def register(sub: Any) -> None:
    """Add `places` and `build` to the command's subparsers."""
    places = sub.add_parser("places", help="print the places of an article")
    places.add_argument(
        "article", help="a .txt, .md or .html file, an http(s):// address, or - for standard input"
    )
    places.add_argument("--format", choices=("table", "json", "geojson"), default="table")
    places.add_argument("--lang", help="the article's language (ISO code); default: detected")
    places.add_argument("--max-bytes", type=int, default=None, help="input size limit")
    places.set_defaults(func=_cmd_places)
    network.add_network_options(places)
    _register_build(sub)


def _register_build(sub: Any) -> None:
    build = sub.add_parser("build", help="export an article's story map (HTML, GeoJSON, JSON)")
    build.add_argument(
        "article",
        help="an article (.txt, .md, .html, or an http(s):// address) or a saved story .json",
    )
    build.add_argument("-o", "--output", type=Path, help="standalone HTML file to write")
    build.add_argument("--geojson", type=Path, help="GeoJSON file to write")
    build.add_argument("--story", type=Path, help="story JSON file to write (re-loadable)")
    build.add_argument("--lang", help="the article's language (ISO code); default: detected")
    build.add_argument("--ui-lang", choices=UI_LANGUAGES, default=None,
                       help="the language of the map's labels and controls (HTML, SVG, PNG); "
                       "default: the article's language if it is one of these, else en")
    build.add_argument("--svg", type=Path, help="still locator map to write, as SVG")
    build.add_argument("--png", type=Path, help="still locator map to write, as PNG")
    build.add_argument("--title", help="the still map's title (default: the article's title)")
    build.add_argument("--size", default="default",
                       help="the still map's size: WIDTHxHEIGHT in pixels, or default "
                            "(1200x800), social (1200x630), square (1080x1080)")
    build.set_defaults(func=_cmd_build)
    network.add_network_options(build)



def _read_article(path: str, max_bytes: int | None) -> str | bytes:
    from .. import article

    limit = max_bytes or article.DEFAULT_MAX_BYTES
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
        return data
    return article.read_file(path, max_bytes=limit)


def _cmd_places(args: argparse.Namespace) -> int:
    from ..article import DEFAULT_MAX_BYTES

    source: str | bytes | None = network.read_url(args.article, args, args.max_bytes)
    if source is None:
        source = _read_article(args.article, args.max_bytes)
    story = network.run_with_network(
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
    from ..article import DEFAULT_MAX_BYTES, read_file
    from ..export import StillOptions, is_story_json, load_story, write_outputs
    from ..still import legend_language, parse_size

    if not (args.output or args.geojson or args.story or args.svg or args.png):
        raise InputError("Say what to write: -o story.html, --geojson FILE, --story FILE, "
                         "--svg FILE and/or --png FILE.")
    size = parse_size(args.size)  # a bad size fails before any work
    fetched = network.read_url(args.article, args)
    path = Path(args.article)
    if fetched is not None:
        story = network.run_with_network(fetched, args, max_bytes=DEFAULT_MAX_BYTES)
    elif path.suffix.lower() == ".geojson":
        raise InputError("{path} is GeoJSON, which storymap writes but cannot read back; "
                         "give the article or a story JSON (--story) instead.", path=path)
    elif path.suffix.lower() == ".json":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError("Cannot read {path}: {reason}.", path=path,
                             reason=exc.strerror or exc) from exc
        if not is_story_json(data):
            raise InputError("{path} is not a storymap story (made with --story).", path=path)
        story = load_story(data)
    else:
        story = network.run_with_network(read_file(path), args, max_bytes=DEFAULT_MAX_BYTES)
    ui_language = args.ui_lang or legend_language(story.language)
    still = StillOptions(size, args.title, ui_language)
    write_outputs(story, html=args.output, geojson=args.geojson, story_json=args.story,
                  svg=args.svg, png=args.png, still=still, ui_language=ui_language)
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
