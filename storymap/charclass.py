"""Regex character classes built from str predicates (str.islower, str.isalnum, …).

Python's `re` has no Unicode categories such as "uppercase letter". A pattern that begins
with an explicit class lets the engine skip to candidate characters at C speed, where a
word boundary or lookahead first would make it try every position.
"""

from __future__ import annotations

import re
from collections.abc import Callable


def char_class(test: Callable[[str], bool], astral: bool) -> str:
    """A regex character class of the Basic Multilingual Plane characters that pass `test`
    (plus, with `astral`, every character beyond it)."""
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
