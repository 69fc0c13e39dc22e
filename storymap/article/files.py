"""Files → article text: the size checked before reading, clear sentences for missing,
unreadable or odd paths, and HTML or Markdown reduced by the file name's extension."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from storymap.article.decoding import DEFAULT_MAX_BYTES, _decode_checked, _normalise, _too_big
from storymap.article.markup import _looks_like_html, _markdown_to_text, html_to_text
from storymap.errors import InputError, Message

_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})


# -- files --------------------------------------------------------------------------------


def read_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A text, Markdown or HTML file → its article text (HTML and Markdown become plain text).

    The size is checked before reading, so a huge file costs nothing. Unknown extensions are
    read as text when they decode as text; content starting like an HTML page is treated as
    HTML whatever the extension (a saved page named .txt), except for Markdown files.
    """
    p = Path(path)
    shown = str(p)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise InputError(
            "The file '{name}' does not exist. Check the file name and the folder.", name=shown
        ) from None
    except OSError as exc:
        raise _unreadable(shown, exc, Message("Check the path.")) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("'{name}' is a folder, not a file. Choose the article file inside it.",
                         name=shown)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("'{name}' is not an ordinary file. Choose a text, Markdown or HTML "
                         "file.", name=shown)
    if info.st_size > max_bytes:
        raise _too_big(Message("The file '{name}'", name=shown), info.st_size, max_bytes)
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # bounded even if the file grew meanwhile
    except OSError as exc:
        raise _unreadable(shown, exc, Message("Check the file.")) from None
    if len(data) > max_bytes:
        raise _too_big(Message("The file '{name}'", name=shown), len(data), max_bytes)

    return text_from_bytes(data, str(p))


def _unreadable(shown: str, exc: OSError, advice: Message) -> InputError:
    """The sentence for a file the system refuses (at its size check or while reading)."""
    if isinstance(exc, PermissionError):
        return InputError("The file '{name}' cannot be opened: permission denied. "
                          "Copy it somewhere you may read it, or ask its owner.", name=shown)
    return InputError("The file '{name}' cannot be read ({reason}). {advice}", name=shown,
                      reason=exc.strerror or exc, advice=advice)


def text_from_bytes(data: bytes, name: str) -> str:
    """A file's bytes → its article text, by the file name's extension: decoded with the
    binary and encoding checks, HTML reduced to its main text, Markdown to what a reader sees
    (content that starts like an HTML page counts as HTML unless the file is Markdown)."""
    text = _decode_checked(data, Message("The file '{name}'", name=name))
    suffix = Path(name).suffix.lower()
    if suffix in _HTML_SUFFIXES or (suffix not in _MARKDOWN_SUFFIXES and _looks_like_html(text)):
        return html_to_text(text)
    if suffix in _MARKDOWN_SUFFIXES:
        return _normalise(_markdown_to_text(text))
    return text
