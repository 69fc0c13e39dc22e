"""Input → checked article: size, binary and encoding checks, HTML/Markdown to text, passages,
language.

Everything downstream works on `Article.text`, so this module decides once what that text is:
decoded to `str`, newlines as "\\n", Unicode NFC, no BOM, no stray control characters or soft
hyphens. Offsets of passages and mentions refer to that text.

Heavy things load lazily: trafilatura only when HTML arrives, the language model on the first
detection (then it is kept for the process).
"""

from __future__ import annotations

import codecs
import functools
import logging
import os
import re
import stat
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

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

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2_000_000

LANGUAGES: tuple[str, ...] = (
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "he", "hi",
    "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "nl", "no", "pl", "pt", "ro", "ru", "sk",
    "sl", "sr", "sv", "tr", "uk", "vi", "zh",
)  # fmt: skip
"""Languages `detect_language` chooses from: major news languages. Restricting the set keeps
short texts from landing on look-alikes (Luxembourgish, Frisian, Afrikaans, …)."""

_PRIOR = {"de": 5.0, "en": 5.0}
"""Log-prior bonus (nats) for the languages the tool is mostly fed. It only decides near-ties
in very short texts ("Putin trifft Kim in Pjöngjang." scores Swedish 1.6 nats above German);
for a paragraph the score gaps are in the hundreds, so other languages are unaffected."""

_SAMPLE_CHARS = 1000
"""Detection reads only this many characters: the classifier walks the text byte by byte in
Python (~0.5 µs per byte), and the first paragraph or two decide the language reliably."""
_QUICK_SAMPLE_CHARS = 500
"""Enough words for the function-word count (`_quick_language`) to leave no doubt in all but
a few of 900 test articles, which then go to py3langid and its 1,000 characters."""

_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})

_WHAT_INPUT = "The input"
_ADVICE_TEXT = "Give the article as plain text, Markdown or HTML."


@dataclass(frozen=True, slots=True)
class Article:
    """A checked article: the exact text analysed, its language and its passages."""

    text: str
    language: str
    passages: tuple[Passage, ...]

    @property
    def title(self) -> str:
        return self.passages[0].text if self.passages else ""


# -- sizes --------------------------------------------------------------------------------


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} bytes"
    if n < 1_000_000:
        return f"{n / 1000:.1f} KB"
    return f"{n / 1_000_000:.1f} MB"


def _too_big(what: str, size: int, limit: int) -> InputError:
    shown, allowed = _size(size), _size(limit)
    if shown == allowed:  # 2.0 MB vs 2.0 MB reads like a contradiction
        shown, allowed = f"{size:,} bytes", f"{limit:,} bytes"
    return InputError(
        f"{what} is {shown}; the limit is {allowed}. "
        "Use a shorter article or split it into several parts."
    )


# -- binary detection ---------------------------------------------------------------------

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"PK\x07\x08", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "a database"),
    (b"OggS", "an audio file"),
    (b"fLaC", "an audio file"),
    (b"ID3\x02", "an MP3 audio file"),
    (b"ID3\x03", "an MP3 audio file"),
    (b"ID3\x04", "an MP3 audio file"),
    (b"\x00asm", "a WebAssembly program"),
)

_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c\x1a\x1b")
"""Bytes that are control characters in UTF-8 and every 8-bit encoding; allowed are tab,
newlines, form feeds, DOS's end-of-file mark and ESC (ISO-2022 encodings use it)."""
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x84\x86-\x9f]")


def _magic_kind(data: bytes) -> str | None:
    """What a file format signature at the start says the data is, if anything."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "a WebP image", b"WAVE": "an audio file", b"AVI ": "a video"}[data[8:12]]
    if data[4:8] == b"ftyp":
        return "a video or audio file"
    if data[:3] == b"BZh" and data[4:10] == b"1AY&SY":
        return "a bzip2 archive"
    return None


def _binary(what: str, why: str) -> InputError:
    return InputError(f"{what} looks like a binary file ({why}), not text. {_ADVICE_TEXT}")


def _too_many_controls(count: int, total: int) -> bool:
    # A stray escape or two is dropped later; a real text never has 1 % control characters.
    return count >= 2 and count > total / 100


def _check_bytes(data: bytes, what: str) -> None:
    """Reject binary data before any encoding guess (bytes < 0x20 are controls in every
    8-bit encoding and in UTF-8)."""
    kind = _magic_kind(data)
    if kind is not None:
        raise _binary(what, kind)
    if b"\x00" in data:
        raise _binary(what, "it contains zero bytes, which text never has")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if _too_many_controls(controls, len(data)):
        raise _binary(what, "it is full of control characters")


def _check_text(text: str, what: str) -> bool:
    """The same check on decoded text (UTF-16 input, pasted strings). Returns whether the
    text has any of the characters `_normalise` acts on (`_ODD`)."""
    if "\x00" in text:
        raise _binary(what, "it contains zero bytes, which text never has")
    if text.replace("\n", "").replace("\t", "").isprintable() or not _ODD.search(text):
        return False  # every `_ODD` character is unprintable: the cheap test settles most texts
    controls = len(_CONTROL_CHARS.findall(text))
    if _too_many_controls(controls, len(text)):
        raise _binary(what, "it is full of control characters")
    return True


# -- decoding -----------------------------------------------------------------------------

_NEWLINES = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_DROP = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\ufeff]")
"""Control characters (tab and newline stay) and soft hyphens: invisible, and a soft hyphen
inside "Bundes\u00adregierung" would hide the word from place recognition."""


_ODD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u2028\u2029\ufeff]")
"""Every character `_normalise` or `_check_text` acts on: most articles have none, and one
search for them is cheaper than the substitutions."""


def _normalise(text: str, odd: bool | None = None) -> str:
    """Canonical article text: "\\n" newlines, NFC, no BOM/controls/soft hyphens. `odd`:
    whether the text has `_ODD` characters, when the caller knows already."""
    if odd is None:
        odd = _ODD.search(text) is not None
    if odd:
        text = _NEWLINES.sub("\n", text)
        text = _DROP.sub("", text)
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _utf16_without_bom(data: bytes) -> str | None:
    """Codec of BOM-less UTF-16 Latin text (every other byte zero), else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    pairs = len(data) // 2
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd > 0.4 * pairs and even < 0.05 * pairs:
        return "utf-16-le"
    if even > 0.4 * pairs and odd < 0.05 * pairs:
        return "utf-16-be"
    return None


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read a byte that is not UTF-8 as cp1252 (latin-1 when undefined)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    byte = err.object[err.start : err.start + 1]
    try:
        return byte.decode("cp1252"), err.start + 1
    except UnicodeDecodeError:
        return byte.decode("latin-1"), err.start + 1


codecs.register_error("storymap.cp1252", _cp1252_fallback)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_WHATWG_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                   "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252"}  # fmt: skip

_WORD_INTERNAL_OK = frozenset("\u2019\u2018\u00b7\u2013\u2014")  # quotes, middle dot, dashes


def _plausible_cp1252(text: str) -> bool:
    """Does this cp1252 reading look like European text rather than another code page?

    Western text has few non-ASCII letters, inside mostly-ASCII words. Cyrillic or Greek
    code pages read as cp1252 turn whole words into accented letters ("Ìîñêâà"); Central
    European ones put symbols inside words ("Bia³ystok", "ma¿e"); UTF-8 mojibake does both.
    """
    letters = high_letters = 0
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch.isalpha():
            letters += 1
            if ord(ch) > 127:
                high_letters += 1
        elif (
            ord(ch) > 127
            and ch not in _WORD_INTERNAL_OK
            and 0 < i < last
            and text[i - 1].isalpha()
            and text[i + 1].isalpha()
        ):
            return False
    return high_letters <= 0.3 * letters


def _decode_8bit(data: bytes, what: str) -> str:
    """Legacy encodings: declared HTML charset, then cp1252 when plausible, then a guess."""
    declared = _META_CHARSET.search(data[:4096])
    if declared is not None:
        name = declared.group(1).decode("ascii").lower()
        name = _WHATWG_ALIASES.get(name, name)
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_cp1252(text):
        return text
    from charset_normalizer import from_bytes  # lazy: only legacy files need it

    best = from_bytes(data).best()
    if best is not None:
        log.debug("charset-normalizer chose %s", best.encoding)
        return str(best)
    if text is not None:
        return text
    raise _binary(what, "no text encoding fits it")


def _decode(data: bytes, what: str) -> str:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        try:
            return data.decode("utf-32")
        except UnicodeDecodeError:
            pass  # FF FE 00 00 may be a UTF-16 BOM followed by a NUL: try UTF-16
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data and _magic_kind(data) is None:
        codec = _utf16_without_bom(data)
        if codec is not None:
            return data.decode(codec, errors="replace")
    _check_bytes(data, what)
    try:
        return data.decode("utf-8")  # a UTF-8 BOM survives as U+FEFF; _normalise drops it
    except UnicodeDecodeError:
        pass
    valid = len(_UTF8_MULTIBYTE.findall(data))
    if valid:
        mixed = data.decode("utf-8", errors="storymap.cp1252")
        invalid = sum(1 for ch in mixed if ord(ch) > 127) - valid  # approx. stray bytes
        if valid >= invalid:  # UTF-8 with a few stray legacy bytes (pasted-together text)
            return mixed
    return _decode_8bit(data, what)


def decode(data: bytes) -> str:
    """Bytes → normalised text. UTF-8 (with or without BOM), UTF-16/32 with BOM, then legacy
    8-bit encodings (cp1252 preferred, because charset guessers misread short German text).

    Raises InputError for binary data (images, archives, PDFs, zero bytes, control noise).
    """
    return _decode_checked(bytes(data), _WHAT_INPUT)


def _decode_checked(data: bytes, what: str) -> str:
    text = _decode(data, what)
    _check_text(text, what)
    return _normalise(text)


# -- HTML ---------------------------------------------------------------------------------


def _looks_like_html(text: str) -> bool:
    head = text[:200].lstrip("\ufeff \t\r\n").lower()
    return head.startswith(("<!doctype html", "<html"))


def _key(line: str) -> str:
    return " ".join(line.split()).casefold()


_TITLE_SEARCH_LINES = 5


def _with_title(title: str | None, body: str) -> str:
    """Put the title first (passage 0 is the title) without repeating it.

    When the body has the title among its first few lines, what comes before it is page
    furniture (menu entries, a kicker like "Politik") and is dropped.
    """
    title = " ".join((title or "").split())
    if not title:
        return body
    lines = body.split("\n")
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _key(line) == _key(title):
            return "\n".join(lines[i:])
        seen += 1
        if seen >= _TITLE_SEARCH_LINES:
            break
    return f"{title}\n{body}" if body.strip() else title


class _TextParser(HTMLParser):
    """Fallback extractor: visible text with one line per block, title kept apart."""

    _SKIP = frozenset({
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object",
        "canvas", "nav", "footer", "aside", "form", "button", "select", "textarea", "head",
    })  # fmt: skip
    _BLOCK = frozenset({
        "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
        "p", "pre", "section", "table", "tr", "ul", "td", "th", "caption",
    })  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self._skip: list[str] = []
        self._in_title = False
        self._h1 = 0  # 1 while inside the first <h1>, 2 after it

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "body" and "head" in self._skip:  # </head> is optional in HTML
            self._skip.clear()
        elif tag in self._SKIP:
            self._skip.append(tag)
        elif tag in self._BLOCK:
            self.parts.append("\n")
            if tag == "h1" and self._h1 == 0 and not self._skip:
                self._h1 = 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._skip:
            while self._skip and self._skip.pop() != tag:
                pass
        elif tag in self._BLOCK:
            self.parts.append("\n")
            if tag == "h1" and self._h1 == 1:
                self._h1 = 2

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip:
            self.parts.append(data)
            if self._h1 == 1:
                self.h1_parts.append(data)


def _fallback_html_text(html: str) -> tuple[str | None, str]:
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # a hopeless document: keep what was read so far
        log.debug("HTML parser gave up", exc_info=True)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    body = "\n".join(line for line in lines if line)
    # The headline beats <title>, which usually carries the site name ("… | Zeitung").
    title = " ".join("".join(parser.h1_parts or parser.title_parts).split())
    return title or None, body


def _quiet_extractor_logs() -> None:
    """trafilatura logs WARNINGs about its own heuristics ("discarding data: None"), which
    Python prints to stderr when the app configured no logging. They tell a reader nothing
    they can act on, so they are raised to ERROR, unless someone set a level already."""
    for name in ("trafilatura", "htmldate", "courlan"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.ERROR)


def _trafilatura_text(html: str) -> tuple[str | None, str | None]:
    import trafilatura  # lazy: ~0.3 s to import, only needed for HTML

    _quiet_extractor_logs()
    try:
        doc: Any = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_images=False
        )
    except Exception:  # trafilatura is a best-effort extractor; fall back to plain parsing
        log.debug("trafilatura failed", exc_info=True)
        return None, None
    if doc is None:
        return None, None
    if isinstance(doc, dict):  # trafilatura < 2 returned a dict
        title, text = doc.get("title"), doc.get("text")
    else:
        title, text = getattr(doc, "title", None), getattr(doc, "text", None)
    return (str(title) if title else None), (str(text) if text else None)


_TAG = re.compile(r"<!--.*?-->|<[A-Za-z/!?][^<>]*>", re.S)


def html_to_text(html: str) -> str:
    """The readable article in a web page: title on the first line, then the main text.

    trafilatura finds the main text (dropping menus, footers, scripts and styles); pages too
    small for it fall back to the visible text of the page. Never returns markup.
    """
    title, text = _trafilatura_text(html)
    if not text or not text.strip():
        fb_title, text = _fallback_html_text(html)
        title = title or fb_title
    out = _with_title(title, text)
    # Text that merely looks like markup ("&lt;b&gt;" in the page, a broken comment) comes
    # through as "<b>"; the promise is no tags, so anything tag-shaped goes, until none is
    # left (removing "<b>" from "<!--<b>>" makes a new one).
    while (stripped := _TAG.sub("", out)) != out:
        out = stripped
    return _normalise(out).strip()


# -- Markdown -----------------------------------------------------------------------------

_MD_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


@functools.cache
def _md_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Markdown rewrite rules, compiled on first use (16 patterns cost ~8 ms at import)."""
    return (
        (re.compile(r"<!--.*?-->", re.S), ""),
        (re.compile(r"^ {0,3}(?:```|~~~).*$", re.M), ""),  # code fences (content stays)
        (re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.M), ""),  # horizontal rules
        (re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.M), ""),  # setext heading underlines
        (re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$", re.M), r"\1"),
        (re.compile(r"^(?: {0,3}>[ \t]?)+", re.M), ""),  # block quotes
        (re.compile(r"^([ \t]*)[-*+][ \t]+", re.M), r"\1"),  # bullets (numbered lists stay)
        (re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]+\S.*$", re.M), ""),  # link reference definitions
        (re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)"), r"\1"),  # images → alt text
        (re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)"), r"\1"),  # links → link text
        (re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]"), r"\1"),  # reference links
        (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
        (re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),  # emphasis
        (re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"), r"\1"),
        (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strike-through
        (re.compile(r"`([^`\n]+)`"), r"\1"),  # inline code
    )


def _markdown_to_text(md: str) -> str:
    """Markdown → the plain text a reader sees: markers go, words stay.

    The story panel shows `Article.text`, and every offset refers to it, so the conversion
    happens here, before analysis: "# Title" becomes "Title", "**Kiew**" becomes "Kiew",
    "[Wonsan](https://…)" becomes "Wonsan". Numbered lists and tables stay as written.
    """
    title = None
    front = _MD_FRONT_MATTER.match(md)
    if front is not None:
        found = re.search(r"^title:[ \t]*(.+?)[ \t]*$", front.group(1), re.M)
        if found:
            title = found.group(1).strip("\"'")
        md = md[front.end() :]
    for pattern, repl in _md_rules():
        md = pattern.sub(repl, md)
    return _with_title(title, md)


# -- files --------------------------------------------------------------------------------


def read_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A text, Markdown or HTML file → its article text (HTML and Markdown become plain text).

    The size is checked before reading, so a huge file costs nothing. Unknown extensions are
    read as text when they decode as text; content starting like an HTML page is treated as
    HTML whatever the extension (a saved page named .txt), except for Markdown files.
    """
    p = Path(path)
    shown = f"'{p}'"
    try:
        info = p.stat()
    except FileNotFoundError:
        raise InputError(
            f"The file {shown} does not exist. Check the file name and the folder."
        ) from None
    except PermissionError:
        raise InputError(
            f"The file {shown} cannot be opened: permission denied. "
            "Copy it somewhere you may read it, or ask its owner."
        ) from None
    except OSError as exc:
        raise InputError(
            f"The file {shown} cannot be read ({exc.strerror or exc}). Check the path."
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{shown} is a folder, not a file. Choose the article file inside it.")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{shown} is not an ordinary file. Choose a text, Markdown or HTML file.")
    if info.st_size > max_bytes:
        raise _too_big(f"The file {shown}", info.st_size, max_bytes)
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # bounded even if the file grew meanwhile
    except PermissionError:
        raise InputError(
            f"The file {shown} cannot be opened: permission denied. "
            "Copy it somewhere you may read it, or ask its owner."
        ) from None
    except OSError as exc:
        raise InputError(
            f"The file {shown} cannot be read ({exc.strerror or exc}). Check the file."
        ) from None
    if len(data) > max_bytes:
        raise _too_big(f"The file {shown}", len(data), max_bytes)

    return text_from_bytes(data, str(p))


def text_from_bytes(data: bytes, name: str) -> str:
    """A file's bytes → its article text, by the file name's extension: decoded with the
    binary and encoding checks, HTML reduced to its main text, Markdown to what a reader sees
    (content that starts like an HTML page counts as HTML unless the file is Markdown)."""
    text = _decode_checked(data, f"The file '{name}'")
    suffix = Path(name).suffix.lower()
    if suffix in _HTML_SUFFIXES or (suffix not in _MARKDOWN_SUFFIXES and _looks_like_html(text)):
        return html_to_text(text)
    if suffix in _MARKDOWN_SUFFIXES:
        return _normalise(_markdown_to_text(text))
    return text


# -- passages -----------------------------------------------------------------------------

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


# -- language -----------------------------------------------------------------------------

_identifier: Any = None
_identifier_lock = threading.Lock()


def _language_identifier() -> Any:
    """py3langid's model, loaded once (~1 s, it is compressed) and limited to LANGUAGES."""
    global _identifier
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
                identifier.set_languages(list(LANGUAGES))
                _identifier = identifier
    return _identifier


def _sample(text: str, size: int = _SAMPLE_CHARS) -> str:
    """The text's first `size` characters or so, cut at a space."""
    if len(text) <= size:
        return text
    cut = text.rfind(" ", size // 2, size)
    return text[: cut if cut > 0 else size]


def detect_language(text: str) -> str:
    """The article's language as an ISO 639-1 code (one of LANGUAGES).

    py3langid (offline naive Bayes over byte n-grams) on the first ~1000 characters, with a
    small prior for German and English so that one-line headlines full of foreign names
    ("Putin trifft Kim in Pjöngjang.") still come out right.
    """
    sample = _sample(text)
    if not any(ch.isalpha() for ch in sample):
        sample = text
        if not any(ch.isalpha() for ch in sample):
            raise InputError(
                "The text has no words to tell its language from. "
                "Give the article text, or choose the language yourself."
            )
    quick = _quick_language(_sample(sample, _QUICK_SAMPLE_CHARS))
    if quick is not None:
        return quick
    ranked: list[tuple[str, float]] = _language_identifier().rank(sample)
    best = max(ranked, key=lambda pair: pair[1] + _PRIOR.get(pair[0], 0.0))
    return str(best[0])


_FUNCTION_WORDS = {
    "de": frozenset(
        "der die das und ist nicht mit von zu den dem des ein eine einen auf für im sich auch "
        "es als bei nach wie aus wird wurde sind hat haben noch über vor zum zur oder aber".split()
    ),
    "en": frozenset(
        "the and of to is that for on with as was by at from it are be this have has an were "
        "which will would said their they not but or after".split()
    ),
}
_FUNCTION_WORD_LANGUAGE = {w: lang for lang, words in _FUNCTION_WORDS.items() for w in words}
"""The two lists share no word."""


def _quick_language(sample: str) -> str | None:
    """German or English from function-word counts, when they leave no doubt: it needs no
    model, so a single article is analysed without loading py3langid (about a second).
    Words are what whitespace separates: a function word with punctuation attached ("der,")
    is not counted, which only makes the test a little stricter, and it is several times
    cheaper than a regex (this runs on every article)."""
    words = sample.lower().split()
    counts = dict.fromkeys(_FUNCTION_WORDS, 0)
    for word in words:
        language = _FUNCTION_WORD_LANGUAGE.get(word)
        if language is not None:
            counts[language] += 1
    (best, n1), (_, n2) = sorted(counts.items(), key=lambda kv: -kv[1])[:2]
    if len(words) >= 20 and n1 >= 0.12 * len(words) and n1 >= 4 * max(n2, 1):
        return best
    return None


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
            f"The language must be a two-letter lowercase code such as 'de' or 'en', not "
            f"{language!r}. Leave it empty to have it detected."
        )
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _too_big("The article", len(data), max_bytes)
        text = _decode_checked(data, _WHAT_INPUT)
    elif isinstance(source, str):
        # len(str) ≤ UTF-8 size ≤ 4·len(str): encode only when the bounds cannot decide.
        if len(source) > max_bytes:
            raise _too_big("The article", _utf8_size(source), max_bytes)
        if 4 * len(source) > max_bytes and (size := _utf8_size(source)) > max_bytes:
            raise _too_big("The article", size, max_bytes)
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
