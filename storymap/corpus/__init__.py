"""Corpus mode: geoparse thousands of documents, in this process or on a Dask cluster.

The modules, in the order a run passes them:

- `inputs`: a JSONL file (``{"id", "text", "lang"?, "date"?}`` per line), a CSV/TSV file with
  a text column, or a folder of .txt/.md/.html files. Every input item becomes a `Document`
  (or a `Rejected` item when it cannot be one: invalid JSON, no id, a file over the size
  limit); dates are normalised.
- `run`: documents are grouped into small batches; a batch is processed either here (one
  worker) or on Dask workers (a `LocalCluster` of processes with one thread each, or an
  existing scheduler).
- `worker`: one document → its output line; each worker process loads the gazetteer once
  (`worker_gazetteer`) and keeps it for every batch it gets.
- `output`: one line per document in exactly the `storymap annotate` format, written in input
  order as batches finish and flushed after each batch, so a killed run loses at most the
  batches in flight. A rerun with the same output skips every id already in it; a
  half-written last line is cut off and its document done again. Documents that fail go to
  the errors file, one JSON line each, and the run goes on; the errors file describes the
  latest run. The places file is GeoJSON or GeoParquet.
- `map`: the places of a corpus, counted by articles and mentions.

Only the driver touches files; workers get the documents' text or bytes, so an existing
cluster needs no access to the input folder.
"""

from .inputs import (
    CorpusInput,
    CsvInput,
    Document,
    FolderInput,
    JsonlInput,
    Rejected,
    id_key,
    normalise_date,
    open_input,
)
from .map import aggregate_places, place_key, places_geojson
from .output import (
    default_errors_path,
    read_records,
    recover_output,
    write_atomically,
    write_places,
)
from .run import Summary, annotate_corpus, dask_client, prebuild_gazetteer
from .worker import (
    BatchResult,
    Options,
    file_text,
    process_batch,
    process_document,
    story_record,
    warm_worker,
    worker_gazetteer,
    worker_stats,
)

__all__ = [
    "BatchResult",
    "CorpusInput",
    "CsvInput",
    "Document",
    "FolderInput",
    "JsonlInput",
    "Options",
    "Rejected",
    "Summary",
    "aggregate_places",
    "annotate_corpus",
    "dask_client",
    "default_errors_path",
    "file_text",
    "id_key",
    "normalise_date",
    "open_input",
    "place_key",
    "places_geojson",
    "prebuild_gazetteer",
    "process_batch",
    "process_document",
    "read_records",
    "recover_output",
    "story_record",
    "warm_worker",
    "worker_gazetteer",
    "worker_stats",
    "write_atomically",
    "write_places",
]
