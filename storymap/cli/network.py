"""The CLI's network parts: `storymap cache info|clear`, the `--geocoder`/`--user-agent`
options of `places` and `build`, and articles from a web address (`storymap build https://…`).

`storymap.cli.main` wires these in (see the functions' docstrings); nothing here prints
except the `cache` command and `report_warnings`, which write to the streams they are given.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from ..model import Story

__all__ = [
    "add_network_options",
    "geocoder_from_args",
    "read_url",
    "register",
    "report_warnings",
    "run_with_network",
    "with_network",
]


def register(subparsers: Any) -> None:
    """Add `storymap cache info` and `storymap cache clear` to the CLI's subparsers."""
    cache = subparsers.add_parser("cache", help="show or clear the geocoding cache")
    actions = cache.add_subparsers(dest="cache_command", required=True)
    info = actions.add_parser("info", help="where the cache is and what it holds")
    info.set_defaults(func=_cmd_cache_info)
    clear = actions.add_parser("clear", help="delete every cached geocoding answer")
    clear.set_defaults(func=_cmd_cache_clear)


def _cmd_cache_info(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from ..geocoding import default_cache

    print(default_cache().info().describe(), file=out or sys.stdout)
    return 0


def _cmd_cache_clear(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from ..geocoding import default_cache

    cache = default_cache()
    n = cache.clear()
    print(f"removed {n} cached answer{'s' if n != 1 else ''} from {cache.path}",
          file=out or sys.stdout)
    return 0


def add_network_options(parser: argparse.ArgumentParser) -> None:
    """--geocoder, --user-agent, --geocoder-url, --geocoder-timeout, --rerank, --allow-private
    (for `places` and `build`)."""
    from ..geocoding import GEOCODERS

    group = parser.add_argument_group("online geocoding and web pages")
    group.add_argument(
        "--geocoder", choices=GEOCODERS, default="gazetteer", metavar="NAME",
        help="look up names the embedded gazetteer does not know with an online service: "
        f"{', '.join(GEOCODERS)} (default: gazetteer, offline). Keyed services read "
        "STORYMAP_<NAME>_KEY.",
    )
    group.add_argument(
        "--user-agent",
        help="identify yourself to the service (required for nominatim), e.g. "
        "'my-maps/1.0 (me@example.org)'; default: $STORYMAP_USER_AGENT",
    )
    group.add_argument("--geocoder-url", metavar="URL",
                       help="the service's address, e.g. a self-hosted Nominatim")
    group.add_argument("--geocoder-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="seconds to wait for each answer (default 10)")
    group.add_argument("--rerank", action="store_true",
                       help="let the online geocoder decide close calls between candidates")
    group.add_argument("--allow-private", action="store_true",
                       help="allow fetching an article from a private network address")


def geocoder_from_args(args: argparse.Namespace) -> Any:
    """The Geocoder the options ask for, or None for the embedded gazetteer.
    Raises GeocodingError (a StorymapError) for a missing key or user agent."""
    name = getattr(args, "geocoder", "gazetteer") or "gazetteer"
    if name == "gazetteer":
        return None
    from ..geocoding import make_geocoder

    return make_geocoder(
        name,
        user_agent=getattr(args, "user_agent", None),
        timeout=getattr(args, "geocoder_timeout", 10.0),
        base_url=getattr(args, "geocoder_url", None),
    )


def read_url(source: str, args: argparse.Namespace, max_bytes: int | None = None) -> str | None:
    """The article text at `source` when it is a web address, else None (a file path)."""
    from ..article import DEFAULT_MAX_BYTES
    from ..fetch import fetch_article, is_url

    if not is_url(source):
        return None
    return fetch_article(
        source,
        allow_private=bool(getattr(args, "allow_private", False)),
        max_bytes=max_bytes or DEFAULT_MAX_BYTES,
    )


def with_network(story: Story, geocoder: Any, args: argparse.Namespace) -> Story:
    """The optional re-ranking step (--rerank) after `run`."""
    if geocoder is None or not getattr(args, "rerank", False):
        return story
    from ..geocoding import rerank

    return rerank(story, geocoder)


def report_warnings(story: Story, err: TextIO | None = None) -> None:
    """Print the story's warnings (network faults, names not found) to standard error."""
    for warning in story.warnings:
        print(f"storymap: warning: {warning}", file=err or sys.stderr)




def run_with_network(source: str | bytes, args: argparse.Namespace, *, max_bytes: int) -> Story:
    """`pipeline.run` with the geocoder the options ask for, the optional re-ranking, and the
    story's warnings printed to standard error."""
    from ..pipeline import run

    geocoder = geocoder_from_args(args)
    story = run(source, language=getattr(args, "lang", None), max_bytes=max_bytes,
                geocoder=geocoder)
    story = with_network(story, geocoder, args)
    report_warnings(story)
    return story
