"""The two file-system facts every module shares: where storymap keeps its caches, and how a
file is written so that no reader ever sees half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_file", "cache_dir", "write_atomically"]

FILE_MODE = 0o644
"""Written files are readable by everyone, as an ordinary `open(..., "w")` would leave them
(a temporary file starts private)."""


def cache_dir() -> Path:
    """$STORYMAP_CACHE_DIR, else the user cache directory (``platformdirs``). Not created."""
    env = os.environ.get("STORYMAP_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("storymap"))


@contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file that becomes `path` when the block ends: a temporary file in the same
    folder, renamed over `path` in one step. When the block raises, `path` keeps its old
    content and the temporary file is removed. OSError (e.g. a missing folder) propagates: the
    caller says what it means."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` through `atomic_file`."""
    with atomic_file(path) as fh:
        fh.write(data)
