"""An index file in the cache: marshal, read with the collector paused, written atomically."""

from __future__ import annotations

import gc
import logging
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def load_marshal(path: Path) -> dict[str, Any]:
    """marshal is the fastest loader for plain containers. The collector is paused during the
    load and the result frozen (gc.freeze) because it would otherwise rescan the millions of
    index objects, which never form cycles, again and again."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as f:
            data: dict[str, Any] = marshal.loads(f.read())
        gc.freeze()
        return data
    finally:
        if gc_was_enabled:
            gc.enable()



def remove_stale(folder: Path, keep: set[Path]) -> None:
    for old in folder.glob("gazetteer-*.marshal"):
        if old not in keep:
            old.unlink(missing_ok=True)


def write_index(path: Path, index: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            marshal.dump(index, f)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only cache dir costs speed, not correctness
        log.warning("could not cache the gazetteer in %s: %s", path.parent, exc)

