"""The process-wide gazetteer: loaded from the user cache, built first when its inputs changed
(the fingerprint hashes package versions, the curated tables and this package's code)."""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from importlib import metadata
from pathlib import Path

from .._io import cache_dir
from . import build, files
from .index import Gazetteer
from .index_file import load_marshal, remove_stale, write_index

log = logging.getLogger(__name__)


def fingerprint() -> str:
    """Hash of everything the index is built from: package versions, data tables, the code of
    this package."""
    h = hashlib.sha256(f"format={build.INDEX_FORMAT};cities={files.CITIES_FILE}".encode())
    for pkg in files.SOURCE_PACKAGES:
        try:
            h.update(f"{pkg}={metadata.version(pkg.replace('_', '-'))}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{pkg}=missing".encode())
    for path in sorted(files.DATA_DIR.glob("*.tsv")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@cache
def load() -> Gazetteer:
    """The process-wide gazetteer: loaded from the disk cache, built first if needed."""
    fp = fingerprint()
    base = cache_dir() / f"gazetteer-{fp}.marshal"
    other = cache_dir() / f"gazetteer-{fp}-other.marshal"
    if base.exists() and other.exists():
        try:
            index = load_marshal(base)
            if isinstance(index, dict) and index.get("fingerprint") == fp:
                index["other_path"] = str(other)
                return Gazetteer(index)
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("gazetteer cache %s unreadable (%s); rebuilding", base, exc)
    index, other_index = build.split_by_script(build.build_index())
    index["fingerprint"] = fp
    write_index(other, other_index)
    write_index(base, index)
    remove_stale(base.parent, {base, other})
    index["other_path"] = str(other)
    gaz = Gazetteer(index)
    gaz.add_other_scripts(other_index["names"], other_index["matcher"])
    return gaz
