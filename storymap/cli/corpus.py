"""The corpus commands: the extended ``storymap annotate`` and ``storymap corpus-map``.

`storymap.cli.main` wires them in: `add_annotate_arguments` and `run_annotate` for
``annotate``, `register` for ``corpus-map``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError

EXIT_ERROR = 2

ANNOTATE_HELP = "geoparse many documents (JSONL, CSV or a folder in; JSONL out), in parallel"


def add_annotate_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``storymap annotate``."""
    parser.description = (
        "Geoparse a corpus: a JSONL file ({\"id\", \"text\", \"lang\"?, \"date\"?} per line), a "
        "CSV/TSV file with a text column, or a folder of .txt/.md/.html files. Writes one line "
        "per document to OUTPUT as results arrive; rerunning with the same OUTPUT skips the "
        "documents already in it. Failed documents go to the errors file and do not stop the "
        "run (exit status 1 when any failed)."
    )
    parser.add_argument("input", help="JSONL file, CSV/TSV file, or folder of articles")
    parser.add_argument("-o", "--output", required=True, help="JSONL to write (or resume)")
    parser.add_argument("--errors", metavar="FILE",
                        help="JSONL of failed documents (default: OUTPUT's name + .errors.jsonl)")
    parser.add_argument("--places", metavar="FILE",
                        help="also write the corpus's places with article and mention counts "
                             "(.geojson, or .parquet for GeoParquet)")
    run = parser.add_argument_group("running")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, metavar="N",
                       help="worker processes: 1 (default) runs here, more start a local Dask "
                            "cluster (one thread per worker)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="run on an existing Dask scheduler and its workers")
    run.add_argument("--batch-size", type=int, metavar="N",
                     help="documents per task (default: chosen from the corpus size)")
    run.add_argument("--overwrite", action="store_true",
                     help="start over instead of resuming an existing OUTPUT")
    run.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="progress bar with rate and ETA on stderr (default: when stderr is "
                          "a terminal)")
    docs = parser.add_argument_group("documents")
    docs.add_argument("--lang", help="language of documents that do not give one (ISO code); "
                                     "default: detected per document")
    docs.add_argument("--max-bytes", type=int, default=None,
                      help="size limit per document (default 2 MB)")
    docs.add_argument("--text-column", default="text", help="CSV: the text column (default text)")
    docs.add_argument("--id-column", help="CSV: the id column (default: id, else the row number)")
    docs.add_argument("--date-column", help="CSV: a date column (for corpus-map's time slider)")
    docs.add_argument("--lang-column", help="CSV: a language column")
    docs.add_argument("--with-context", action="store_true",
                      help="add \"title\", \"date\" and per mention \"passage\" and \"excerpt\" "
                           "to each line (for corpus-map); without it the lines are exactly the "
                           "annotate format")


def run_annotate(args: argparse.Namespace) -> int:
    """``storymap annotate``: 0 when every document was annotated, 1 when some failed."""
    from ..article import DEFAULT_MAX_BYTES
    from ..corpus import Options, annotate_corpus, default_errors_path, open_input

    max_bytes = args.max_bytes or DEFAULT_MAX_BYTES
    if max_bytes < 1:
        raise InputError("--max-bytes must be positive")
    if args.batch_size is not None and args.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    if args.workers < 1:
        raise InputError("--workers must be at least 1")
    corpus = open_input(
        args.input,
        text_column=args.text_column,
        id_column=args.id_column,
        date_column=args.date_column,
        lang_column=args.lang_column,
        max_bytes=max_bytes,
    )
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    summary = annotate_corpus(
        corpus,
        args.output,
        errors=args.errors,
        places=args.places,
        options=Options(language=args.lang, max_bytes=max_bytes,
                        with_context=args.with_context),
        workers=args.workers,
        scheduler=args.scheduler,
        batch_size=args.batch_size,
        progress=progress,
        overwrite=args.overwrite,
        report=lambda message: print(f"storymap: {message}", file=sys.stderr),
    )
    line = f"annotated {summary.done} document(s), {summary.failed} skipped"
    if summary.skipped:
        line += f", {summary.skipped} already done"
    if summary.done + summary.failed:
        line += f" ({summary.rate:.0f} documents/s)"
    print(line, file=sys.stderr)
    if summary.failed:
        print(f"failed documents: {args.errors or default_errors_path(Path(args.output))}",
              file=sys.stderr)
    if args.places:
        print(f"wrote {args.places}", file=sys.stderr)
    return 1 if summary.failed else 0


def register(subparsers: Any) -> None:
    """Add ``corpus-map`` to the ``storymap`` subcommands."""
    cmap = subparsers.add_parser(
        "corpus-map", help="one offline map of an annotated corpus",
        description="One standalone HTML map of an `annotate` output: places sized by the "
                    "number of articles, popups listing the articles, a time slider when "
                    "documents carry dates. Titles, excerpts and dates come from "
                    "`annotate --with-context`.")
    cmap.add_argument("results", help="JSONL written by `storymap annotate`")
    cmap.add_argument("-o", "--output", required=True, type=Path, help="HTML file to write")
    cmap.add_argument("--title", help="page title (default: Corpus map)")
    cmap.add_argument("--no-tiles", action="store_true",
                      help="only the embedded basemap (no OpenStreetMap tiles when online)")
    cmap.set_defaults(func=run_corpus_map)


def run_corpus_map(args: argparse.Namespace) -> int:
    from ..corpus_map import write_corpus_map

    stats = write_corpus_map(args.results, args.output, title=args.title,
                             tiles=not args.no_tiles)
    if stats.documents and not stats.with_context:
        print("storymap: note: the results have no titles or excerpts; annotate with "
              "--with-context to show them", file=sys.stderr)
    print(f"wrote {args.output}: {stats.places} place(s) from {stats.documents} document(s)"
          + (f", dated {stats.first_date} to {stats.last_date}" if stats.first_date else ""),
          file=sys.stderr)
    return 0
