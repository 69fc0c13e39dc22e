"""The `storymap` command. Every StorymapError becomes a one-line message and exit code 2."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..errors import StorymapError
from . import corpus, evaluate, network, story

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
    story.register(sub)  # places, build
    annotate = sub.add_parser("annotate", help=corpus.ANNOTATE_HELP)
    corpus.add_annotate_arguments(annotate)
    annotate.set_defaults(func=corpus.run_annotate)
    corpus.register(sub)  # corpus-map
    evaluate.register(sub)
    network.register(sub)  # cache info|clear
    return parser

