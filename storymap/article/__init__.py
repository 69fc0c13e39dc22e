"""Input → checked article: size, binary and encoding checks, HTML/Markdown to text, passages,
language. `load` is the whole step; its parts, in order:

- `decoding`: bytes → normalised text (size limit, binary detection, encodings);
- `markup`: HTML and Markdown → the plain text a reader sees;
- `files`: a file → its article text (size checked before reading, clear messages);
- `passages`: text → passages (one per non-empty line, the title first);
- `language`: the article's language.

Everything downstream works on `Article.text`, so this package decides once what that text is:
decoded to `str`, newlines as "\\n", Unicode NFC, no BOM, no stray control characters or soft
hyphens. Offsets of passages and mentions refer to that text.

Heavy things load lazily: trafilatura only when HTML arrives, the language model on the first
detection (then it is kept for the process).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storymap.article.decoding import (
    _ODD as _ODD,
)
from storymap.article.decoding import (
    _WHAT_ARTICLE,
    _WHAT_INPUT,
    DEFAULT_MAX_BYTES,
    _check_text,
    _decode_checked,
    _normalise,
    _too_big,
    decode,
)
from storymap.article.files import read_file, text_from_bytes
from storymap.article.language import LANGUAGES, detect_language
from storymap.article.markup import _looks_like_html, html_to_text
from storymap.article.passages import split_passages
from storymap.errors import InputError
from storymap.model import Passage

__all__ = [
    "DEFAULT_MAX_BYTES",
    "LANGUAGES",
    "Article",
    "Passage",
    "decode",
    "detect_language",
    "html_to_text",
    "load",
    "read_file",
    "split_passages",
    "text_from_bytes",
]


@dataclass(frozen=True, slots=True)
class Article:
    """A checked article: the exact text analysed, its language and its passages."""

    text: str
    language: str
    passages: tuple[Passage, ...]

    @property
    def title(self) -> str:
        return self.passages[0].text if self.passages else ""


# -- the whole step -----------------------------------------------------------------------

_LANGUAGE_CODE = re.compile(r"[a-z]{2}")


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", errors="surrogatepass"))


def load(
    source: str | bytes,
    *,
    language: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Article:
    """Text or bytes → a checked Article (size, binary, encoding, emptiness, language).

    HTML (text starting with "<!doctype html" or "<html") is reduced to its article text
    first. `language` overrides detection and must be a two-letter code such as "de".
    """
    if language is not None and not _LANGUAGE_CODE.fullmatch(language):
        raise InputError(
            "The language must be a two-letter lowercase code such as 'de' or 'en', not "
            "{language!r}. Leave it empty to have it detected.", language=language,
        )
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _too_big(_WHAT_ARTICLE, len(data), max_bytes)
        text = _decode_checked(data, _WHAT_INPUT)
    elif isinstance(source, str):
        # len(str) ≤ UTF-8 size ≤ 4·len(str): encode only when the bounds cannot decide.
        if len(source) > max_bytes:
            raise _too_big(_WHAT_ARTICLE, _utf8_size(source), max_bytes)
        if 4 * len(source) > max_bytes and (size := _utf8_size(source)) > max_bytes:
            raise _too_big(_WHAT_ARTICLE, size, max_bytes)
        text = _normalise(source, _check_text(source, _WHAT_INPUT))
    else:
        raise TypeError(f"load() takes str or bytes, not {type(source).__name__}")

    if _looks_like_html(text):
        text = html_to_text(text)
    if not text.strip():
        raise InputError(
            "The article is empty: there is no text in it. "
            "Paste the article text or choose a file that contains it."
        )
    if not any(ch.isalpha() for ch in text):
        raise InputError(
            "The article has no words, only numbers or punctuation. Paste the article text itself."
        )
    passages = split_passages(text, normalised=True)
    return Article(
        text=text,
        language=language if language is not None else detect_language(text),
        passages=passages,
    )
