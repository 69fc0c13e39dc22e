"""Regex character classes built from str predicates (str.islower, str.isalnum, …).

Python's `re` has no Unicode categories such as "uppercase letter". A pattern that begins
with an explicit class lets the engine skip to candidate characters at C speed, where a
word boundary or lookahead first would make it try every position.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable


def char_class(test: Callable[[str], bool], astral: bool, name: str) -> str:
    """A regex character class of the Basic Multilingual Plane characters that pass `test`
    (plus, with `astral`, every character beyond it).

    Building one takes ~25 ms, a tenth of a cold CLI run, so it is kept in the cache dir
    under `name` (which must change when `test` does) and the Unicode version."""
    from .gazetteer import cache_dir

    path = cache_dir() / f"charclass-{name}-{unicodedata.unidata_version}.txt"
    try:
        cached = path.read_text("utf-8")
        if cached.startswith("[") and cached.endswith("]"):
            return cached
    except (OSError, UnicodeError):
        pass
    built = _build(test, astral)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(built, "utf-8")
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass  # a read-only cache: build it each time
    return built


def _build(test: Callable[[str], bool], astral: bool) -> str:
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if test(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    parts = [re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
             for a, b in ranges]
    return "[" + "".join(parts) + ("\U00010000-\U0010ffff" if astral else "") + "]"
