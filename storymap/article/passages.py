"""Text → passages: every non-empty line is a paragraph, with offsets into the text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from storymap.model import Passage

_LINE = re.compile("[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""Line breaks other than "\n" (which `_normalise` turns into "\n" or drops)."""


def split_passages(text: str, *, normalised: bool = False) -> tuple[Passage, ...]:
    """Paragraphs: every non-empty line is a passage (news files often use one newline per
    paragraph, so blank lines cannot be required). Surrounding whitespace is trimmed with
    the offsets moved to match; lines without a letter or digit ("***", "—") are skipped.
    Passage 0 is the title. With `normalised` (text from `_normalise`), "\n" is the only
    line break, and a plain split finds the lines faster than the regex.
    """
    lines: Iterable[tuple[int, str]]
    if normalised or not _OTHER_BREAKS.search(text):
        lines = _split_lines(text)
    else:
        lines = ((m.start(), m.group()) for m in _LINE.finditer(text))
    passages: list[Passage] = []
    for offset, line in lines:
        stripped = line.strip()
        if not any(ch.isalnum() for ch in stripped):
            continue
        start = offset + len(line) - len(line.lstrip())
        end = start + len(stripped)
        passages.append(Passage(len(passages), start, end, stripped))
    return tuple(passages)


def _split_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) for each line between "\n"s."""
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1
