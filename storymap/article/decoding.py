"""Bytes → checked, normalised text: the size limit, binary detection, the encoding (UTF-8/16/32,
legacy 8-bit code pages) and the canonical form every offset refers to ("\\n" newlines, NFC,
no BOM, controls or soft hyphens)."""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata

from storymap.errors import InputError, Message

log = logging.getLogger(__name__)


DEFAULT_MAX_BYTES = 2_000_000


_WHAT_INPUT = Message("The input")
_WHAT_ARTICLE = Message("The article")


# -- sizes --------------------------------------------------------------------------------


def _bytes(n: int) -> Message:
    return Message("{n:,} bytes", n=n)


def _size(n: int) -> str | Message:
    if n < 1000:
        return _bytes(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f} KB"
    return f"{n / 1_000_000:.1f} MB"


def _too_big(what: Message, size: int, limit: int) -> InputError:
    shown, allowed = _size(size), _size(limit)
    if str(shown) == str(allowed):  # 2.0 MB vs 2.0 MB reads like a contradiction
        shown, allowed = _bytes(size), _bytes(limit)
    return InputError(
        "{what} is {size}; the limit is {limit}. "
        "Use a shorter article or split it into several parts.",
        what=what, size=shown, limit=allowed,
    )


# -- binary detection ---------------------------------------------------------------------

_MAGIC: tuple[tuple[bytes, Message], ...] = (
    (b"\x89PNG\r\n\x1a\n", Message("a PNG image")),
    (b"\xff\xd8\xff", Message("a JPEG image")),
    (b"GIF87a", Message("a GIF image")),
    (b"GIF89a", Message("a GIF image")),
    (b"II*\x00", Message("a TIFF image")),
    (b"MM\x00*", Message("a TIFF image")),
    (b"%PDF-", Message("a PDF document")),
    (b"PK\x03\x04", Message("a ZIP archive or an Office document")),
    (b"PK\x05\x06", Message("a ZIP archive")),
    (b"PK\x07\x08", Message("a ZIP archive")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Message("an old Microsoft Office document")),
    (b"\x1f\x8b", Message("a gzip archive")),
    (b"\xfd7zXZ\x00", Message("an xz archive")),
    (b"7z\xbc\xaf\x27\x1c", Message("a 7-Zip archive")),
    (b"Rar!\x1a\x07", Message("a RAR archive")),
    (b"\x28\xb5\x2f\xfd", Message("a zstd archive")),
    (b"\x7fELF", Message("a program")),
    (b"SQLite format 3\x00", Message("a database")),
    (b"OggS", Message("an audio file")),
    (b"fLaC", Message("an audio file")),
    (b"ID3\x02", Message("an MP3 audio file")),
    (b"ID3\x03", Message("an MP3 audio file")),
    (b"ID3\x04", Message("an MP3 audio file")),
    (b"\x00asm", Message("a WebAssembly program")),
)

_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c\x1a\x1b")
"""Bytes that are control characters in UTF-8 and every 8-bit encoding; allowed are tab,
newlines, form feeds, DOS's end-of-file mark and ESC (ISO-2022 encodings use it)."""
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x84\x86-\x9f]")


def _magic_kind(data: bytes) -> Message | None:
    """What a file format signature at the start says the data is, if anything."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": Message("a WebP image"), b"WAVE": Message("an audio file"),
                b"AVI ": Message("a video")}[data[8:12]]
    if data[4:8] == b"ftyp":
        return Message("a video or audio file")
    if data[:3] == b"BZh" and data[4:10] == b"1AY&SY":
        return Message("a bzip2 archive")
    return None


def _binary(what: Message, why: Message) -> InputError:
    return InputError("{what} looks like a binary file ({why}), not text. Give the article as "
                      "plain text, Markdown or HTML.", what=what, why=why)


def _too_many_controls(count: int, total: int) -> bool:
    # A stray escape or two is dropped later; a real text never has 1 % control characters.
    return count >= 2 and count > total / 100


def _check_bytes(data: bytes, what: Message) -> None:
    """Reject binary data before any encoding guess (bytes < 0x20 are controls in every
    8-bit encoding and in UTF-8)."""
    kind = _magic_kind(data)
    if kind is not None:
        raise _binary(what, kind)
    if b"\x00" in data:
        raise _binary(what, Message("it contains zero bytes, which text never has"))
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if _too_many_controls(controls, len(data)):
        raise _binary(what, Message("it is full of control characters"))


def _check_text(text: str, what: Message) -> bool:
    """The same check on decoded text (UTF-16 input, pasted strings). Returns whether the
    text has any of the characters `_normalise` acts on (`_ODD`)."""
    if "\x00" in text:
        raise _binary(what, Message("it contains zero bytes, which text never has"))
    if text.replace("\n", "").replace("\t", "").isprintable() or not _ODD.search(text):
        return False  # every `_ODD` character is unprintable: the cheap test settles most texts
    controls = len(_CONTROL_CHARS.findall(text))
    if _too_many_controls(controls, len(text)):
        raise _binary(what, Message("it is full of control characters"))
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


def _decode_8bit(data: bytes, what: Message) -> str:
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
    raise _binary(what, Message("no text encoding fits it"))


def _decode(data: bytes, what: Message) -> str:
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


def _decode_checked(data: bytes, what: Message) -> str:
    text = _decode(data, what)
    _check_text(text, what)
    return _normalise(text)
