"""Multi-word names found in one pass over an article's words: an Aho-Corasick automaton
(pyahocorasick) over word symbols, built with the gazetteer index and pickled with it.

A name of several words ("New York City", "St. Louis", "U.S.", "Baden-Württemberg") is a
sequence of symbols: each word's id, and between words the joiner that may stand there (a
space, a hyphen, an apostrophe, a dot). The article is written the same way, once, and one
automaton pass finds every such name in it; the recognizer keeps the longest one at each word.

The article is written with WIDTH symbols per word, so a symbol's position says which word
it belongs to. A word id takes two of them (the id modulo a base near its square root, then
the rest): the automaton looks a symbol up among a node's children one by one, and ~60,000
different first words under one root would make every step slow.
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
GAPS = {" ": 2, "-": 3, "'": 4, "\u2019": 4, ".": 5, ". ": 6}
"""What may stand between the words of one name: "New York", "Baden-Württemberg", "Côte
d'Ivoire", "U.S.", "St. Louis"."""
DOT_END = 7
"""A dot after a word, then anything else ("U.S.," "Ky.)"): a name may end with the dot."""
DOT_GAPS = (GAPS["."], GAPS[". "], DOT_END)
"""A name that ends with a dot ("U.S.", "Ky.") is stored once for each of these."""
FIRST_ID = 8
WIDTH = 3
"""Symbols per word: its id in two symbols, then the gap after it."""


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
            for symbols in matcher._symbols(parts):
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
        parts = _parts(key) or ([key] if WORD.fullmatch(key) else None)
        if parts is None or any(w not in self._words for w in parts[::2]):
            return False
        return any(self._automaton.match(symbols) for symbols in self._symbols(parts))

    def matches(self, text: str, words: Sequence[tuple[int, int]], keys: Sequence[str],
                *, genitive: bool = False) -> dict[int, list[Match]]:
        """Every multi-word name that starts at a word, shortest first: word index → matches.
        `words` are the article's (start, end) word offsets, `keys` their casefolded forms.
        With `genitive` (German), a word that no name has but whose form without a final -s
        one has ("Baden-Württembergs") is read as that form, and a name may end with it."""
        symbols, stripped = self._encode(text, words, keys, genitive)
        found: dict[int, list[Match]] = {}
        for last_symbol, length in self._automaton.iter(symbols):
            first_symbol = last_symbol - length + 1
            if first_symbol % WIDTH:
                continue
            first, last = first_symbol // WIDTH, last_symbol // WIDTH
            if stripped and any(w in stripped for w in range(first, last)):
                continue  # a genitive inside a name is no name
            dot = last_symbol % WIDTH == WIDTH - 1  # the name ends with the dot after its word
            found.setdefault(first, []).append(
                Match(last, words[last][1] + dot, last in stripped))
        for options in found.values():
            options.sort(key=lambda m: m.end)
        return found

    def _encode(self, text: str, words: Sequence[tuple[int, int]], keys: Sequence[str],
                genitive: bool) -> tuple[tuple[int, ...], set[int]]:
        """The article as symbols, WIDTH per word, written by slice (no loop per word), and
        the words read as genitives without their -s."""
        if not words:
            return (), set()
        ids, base = self._words, self._base
        wids = [ids.get(k, -1) for k in keys]
        stripped: set[int] = set()
        if genitive:
            for i, k in enumerate(keys):
                if wids[i] < 0 and k[-1:] == "s" and (stem := ids.get(k[:-1])) is not None:
                    wids[i] = stem
                    stripped.add(i)
        starts = [s for s, _ in words[1:]]
        starts.append(len(text))
        gaps = [text[e:s] for (_, e), s in zip(words, starts, strict=True)]
        symbols = [0] * (WIDTH * len(words))
        symbols[0::WIDTH] = [FIRST_ID + w % base if w >= 0 else UNKNOWN for w in wids]
        symbols[1::WIDTH] = [FIRST_ID + base + w // base if w >= 0 else UNKNOWN for w in wids]
        symbols[2::WIDTH] = [GAPS.get(g) or (DOT_END if g[:1] == "." else BREAK) for g in gaps]
        return tuple(symbols), stripped

    def _symbols(self, parts: Sequence[str]) -> list[tuple[int, ...]]:
        """A key's symbols: one sequence, or one per way the text may go on after its dot."""
        out: list[int] = []
        base = self._base
        for n, part in enumerate(parts):
            if n % 2 == 0:
                wid = self._words[part]
                out += (FIRST_ID + wid % base, FIRST_ID + base + wid // base)
            elif n < len(parts) - 1:
                out.append(GAPS[part])
        if len(parts) % 2 == 0:  # a trailing dot ("u.s.")
            return [(*out, gap) for gap in DOT_GAPS]
        return [tuple(out)]


def _id_base(words: int) -> int:
    return max(2, math.isqrt(words) + 1)


def _parts(key: str) -> list[str] | None:
    """A key as [word, gap, word, gap, …] (a trailing "." as a last gap), or None when it is a
    single bare word or has something between its words that the text could not join."""
    parts: list[str] = []
    pos = 0
    for m in WORD.finditer(key):
        gap = key[pos : m.start()]
        if (pos == 0 and gap) or (pos > 0 and gap not in GAPS):
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
