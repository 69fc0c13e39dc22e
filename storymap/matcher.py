"""Multi-word names found in one pass over an article's words: an Aho-Corasick automaton
(pyahocorasick) over word symbols, built with the gazetteer index and pickled with it.

A name of several words ("New York City", "St. Louis", "U.S.", "Baden-Württemberg") is a
sequence of symbols: each word's id, and between words the joiner that may stand there (a
space, a hyphen, an apostrophe, a dot). The article is written the same way, once, and one
automaton pass finds every such name in it; the recognizer keeps the longest one at each word.

Each word id is written as two symbols (its id modulo `ID_BASE`, then the rest): the automaton
looks a symbol up among a node's children one by one, and ~60,000 different first words under
one root node would make every step slow. Two symbols keep every node below a few hundred.
"""

from __future__ import annotations

import math
import pickle
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import ahocorasick

WORD = re.compile(r"\w+")
BREAK = 0
"""Anything between two words that no name has there: a comma, a line break, two spaces."""
UNKNOWN = 1
"""A word that is in no multi-word name."""
DOT = 2
"""A dot right after a word ("U.S.", "St. Louis", "Ky."): the text may go on after it."""
JOINERS = {" ": 3, "-": 4, "'": 5, "\u2019": 5}
"""What may stand between the words of one name (after an optional dot)."""
FIRST_ID = 6


class Match(NamedTuple):
    """A multi-word name that starts at a word: its last word and end offset."""

    last: int
    """Index of the name's last word in the article's word list."""
    end: int
    """Character offset where the name ends (after its dot, if it has one)."""
    genitive: bool = False
    """Whether the last word is read without its final -s ("Baden-Württembergs")."""


class NameMatcher:
    """The automaton and the word ids it is written in; read-only once built."""

    def __init__(self, automaton: ahocorasick.Automaton, words: dict[str, int]) -> None:
        self._automaton = automaton
        self._words = words
        self._base = _id_base(len(words))

    @classmethod
    def build(cls, keys: Iterable[str]) -> NameMatcher:
        """An automaton of every normalized key (see gazetteer.normalize) that is more than
        one bare word and that the text could spell with the joiners above."""
        words: dict[str, int] = {}
        encoded = [(key, parts) for key in keys if (parts := _parts(key)) is not None]
        for _, parts in encoded:
            for word in parts[::2]:
                words.setdefault(word, len(words))
        matcher = cls(ahocorasick.Automaton(ahocorasick.STORE_INTS, ahocorasick.KEY_SEQUENCE),
                      words)
        for _, parts in encoded:
            symbols = matcher._symbols(parts)
            matcher._automaton.add_word(symbols, len(symbols))
        matcher._automaton.make_automaton()
        return matcher

    def to_bytes(self) -> bytes:
        return pickle.dumps((self._automaton, self._words), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, data: bytes) -> NameMatcher:
        automaton, words = pickle.loads(data)
        return cls(automaton, words)

    def is_prefix(self, key: str) -> bool:
        """Whether a normalized key is the start of a longer multi-word name, up to a word's
        end ("new" and "new york" of "new york city")."""
        parts = _parts(key)
        if parts is None:
            parts = [key] if WORD.fullmatch(key) else None
        if parts is None or any(w not in self._words for w in parts[::2]):
            return False
        return bool(self._automaton.match(self._symbols(parts)))

    def matches(self, text: str, words: Sequence[tuple[int, int]], keys: Sequence[str],
                *, genitive: bool = False) -> dict[int, list[Match]]:
        """Every multi-word name that starts at a word, shortest first: word index → matches.
        `words` are the article's (start, end) word offsets, `keys` their casefolded forms.
        With `genitive` (German), a word that no name has but whose form without a final -s
        one has ("Baden-Württembergs") is read as that form, and a name may end with it."""
        symbols, owner, starts, stripped = self._encode(text, words, keys, genitive)
        found: dict[int, list[Match]] = {}
        for last_symbol, length in self._automaton.iter(tuple(symbols)):
            first = starts.get(last_symbol - length + 1)
            if first is None:
                continue
            last = owner[last_symbol]
            if any(w in stripped for w in range(first, last)):
                continue  # a genitive inside a name is no name
            end = words[last][1] + (symbols[last_symbol] == DOT)
            found.setdefault(first, []).append(Match(last, end, last in stripped))
        for options in found.values():
            options.sort(key=lambda m: m.end)
        return found

    def _encode(self, text: str, words: Sequence[tuple[int, int]], keys: Sequence[str],
                genitive: bool) -> tuple[list[int], list[int], dict[int, int], set[int]]:
        """The article as symbols; the word each symbol belongs to (a gap belongs to the word
        before it); the symbol position where each word starts; the genitives read without
        their -s."""
        symbols: list[int] = []
        owner: list[int] = []
        starts: dict[int, int] = {}
        stripped: set[int] = set()
        base, ids = self._base, self._words
        for i, key in enumerate(keys):
            starts[len(symbols)] = i
            wid = ids.get(key)
            if wid is None and genitive and key[-1:] == "s":
                wid = ids.get(key[:-1])
                if wid is not None:
                    stripped.add(i)
            if wid is None:
                symbols.append(UNKNOWN)
                owner.append(i)
            else:
                symbols += (FIRST_ID + wid % base, FIRST_ID + base + wid // base)
                owner += (i, i)
            gap = _gap(text, words[i][1], words[i + 1][0] if i + 1 < len(words) else len(text))
            symbols += gap
            owner += [i] * len(gap)
        return symbols, owner, starts, stripped

    def _symbols(self, parts: Sequence[str]) -> tuple[int, ...]:
        out: list[int] = []
        base = self._base
        for n, part in enumerate(parts):
            if n % 2 == 0:
                wid = self._words[part]
                out += (FIRST_ID + wid % base, FIRST_ID + base + wid // base)
            else:
                out += _gap(part, 0, len(part))
        return tuple(out)


def _id_base(words: int) -> int:
    return max(2, math.isqrt(words) + 1)


def _gap(text: str, start: int, end: int) -> list[int]:
    """The symbols for what stands between two words (or after the last): a dot first, if
    one follows the word, then a joiner, or BREAK for anything else."""
    if start == end:
        return []
    out = []
    if text[start] == ".":
        out.append(DOT)
        start += 1
        if start == end:
            return out
    joiner = JOINERS.get(text[start]) if end - start == 1 else None
    out.append(BREAK if joiner is None else joiner)
    return out


def _parts(key: str) -> list[str] | None:
    """A key as [word, gap, word, gap, …] (a trailing "." as a last gap), or None when it is a
    single bare word or has something between its words that the text could not join."""
    parts: list[str] = []
    pos = 0
    for m in WORD.finditer(key):
        gap = key[pos : m.start()]
        if (pos == 0 and gap) or (pos > 0 and not _joinable(gap)):
            return None
        if pos > 0:
            parts.append(gap)
        parts.append(m.group())
        pos = m.end()
    tail = key[pos:]
    if not parts or tail not in ("", "."):
        return None
    if tail:
        parts.append(tail)
    return parts if len(parts) > 1 else None


def _joinable(gap: str) -> bool:
    rest = gap[1:] if gap.startswith(".") else gap
    return rest == "" or (len(rest) == 1 and rest in JOINERS)
