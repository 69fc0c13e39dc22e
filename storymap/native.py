"""The hot modules (article, recognize, resolve, pipeline) compiled with mypyc: the same
code, about 1.6x faster, since an article runs through them hundreds of times per kilobyte.

Optional by design: `python -m storymap.native_build` builds them (the README's setup commands
do) into `_native/` beside this file, stamped with a hash of their sources and of the
interpreter. `activate()`, called by the package's __init__ before anything else imports,
uses the build only while that stamp matches, so a source edited after the build simply
runs as Python again (a stale extension module would otherwise shadow the edit), and a
machine without a C compiler runs pure Python at the lower speed. STORYMAP_PURE=1 forces
pure Python (to compare the two, or to debug).
"""

from __future__ import annotations

import hashlib
import os
import sys
import sysconfig
from pathlib import Path

COMPILED = ("article", "recognize", "resolve", "pipeline")
"""The modules compiled together (they call each other natively: all or none is used)."""
PACKAGE_DIR = Path(__file__).resolve().parent
NATIVE_DIR = PACKAGE_DIR / "_native"
"""The compiled modules, searched before the package's own directory when active."""
RUNTIME_DIR = NATIVE_DIR / "runtime"
"""mypyc's shared library for the group: a top-level module, so it goes on sys.path."""
STAMP = NATIVE_DIR / "STAMP"
GROUP = "storymap_native"


def stamp() -> str:
    """What the build must match: the compiled sources, the interpreter and its ABI."""
    h = hashlib.sha256(f"{sys.version};{sysconfig.get_config_var('EXT_SUFFIX')}".encode())
    for name in COMPILED:
        h.update((PACKAGE_DIR / f"{name}.py").read_bytes())
    return h.hexdigest()


def is_fresh() -> bool:
    try:
        return STAMP.read_text("ascii") == stamp()
    except OSError:
        return False


def activate(package_path: list[str]) -> bool:
    """Put a fresh build in front of the package's path (`package_path` is the package's
    __path__); False, and nothing changed, when there is none or STORYMAP_PURE is set."""
    if os.environ.get("STORYMAP_PURE") or not is_fresh():
        return False
    if str(RUNTIME_DIR) not in sys.path:
        sys.path.append(str(RUNTIME_DIR))
    package_path.insert(0, str(NATIVE_DIR))
    return True


def active() -> bool:
    """Whether this process runs the compiled modules."""
    from . import recognize

    return not str(recognize.__file__).endswith(".py")
