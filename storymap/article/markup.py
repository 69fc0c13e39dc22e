"""HTML and Markdown → the plain text a reader sees: trafilatura (loaded lazily) or a small
fallback parser for pages, rewrite rules for Markdown; the title always comes first."""

from __future__ import annotations

import functools
import logging
import re
from html.parser import HTMLParser
from typing import Any

from storymap.article.decoding import _normalise

log = logging.getLogger(__name__)



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
