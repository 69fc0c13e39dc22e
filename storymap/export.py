"""Export a Story: one self-contained HTML page, RFC 7946 GeoJSON and lossless story JSON.

The HTML page inlines Leaflet and Leaflet.markercluster (JS, CSS, icons as data: URIs)
from their XStatic registry packages at export time, so it opens from disk with no network.
GeoJSON and story JSON are deterministic: sorted keys, fixed float formatting, a final newline.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure

from storymap.errors import ExportError
from storymap.i18n import UI_LANGUAGES
from storymap.model import Story
from storymap.render import asset_bundle, render
from storymap.story_text import country_name, page_language

log = logging.getLogger(__name__)

STORY_FORMAT = "storymap.story/1"
COORD_DIGITS = 6  # ~0.1 m: plenty for a story map, and stable text
_EXTERNAL_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=", re.IGNORECASE)


# -- HTML -------------------------------------------------------------------------------------


class InlineAssets(Element):
    """``<style>``/``<script>`` blocks with the bundled assets, first in the page head."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "InlineAssets"

    def render(self, **kwargs: Any) -> str:
        bundle = asset_bundle()
        parts = [f"<style>\n{css}\n</style>" for css in bundle["css"]]
        parts += [f"<script>\n{js}\n</script>" for js in bundle["js"]]
        return "\n".join(parts)


def inline_assets(m: folium.Map) -> None:
    """Replace this map instance's asset links with inline copies (never folium's globals)."""
    m.default_js = []
    m.default_css = []
    figure = m.get_root()
    if not isinstance(figure, Figure):
        raise ExportError("the map is not part of a page (folium Figure)")
    figure.header.add_child(InlineAssets(), name="storymap_inline_assets")


def to_html(story: Story, *, ui_language: str | None = None, embedded: bool = False) -> str:
    """The story map as ONE HTML document that works from file:// without a network.

    ``to_html(story, *, ui_language=None, embedded=False) -> str``

    - `ui_language`: the language of every word the page says ("de" or "en"; "de-AT" counts
      as "de", others fall back to English). None: the article's language when the interface
      speaks it, else English (a German article gets a German page).
    - `embedded`: the same map, story panel, payload and script, laid out to fill the frame
      the app shows it in (``st.components.v1.html(page, height=...)``): no help line or
      credits paragraph of its own (the map's attribution stays), and nothing that needs
      top-level navigation, storage or scrolling the host page."""
    language = page_language(story.language if ui_language is None else ui_language)
    return standalone_html(render(story, ui_language=language, embedded=embedded),
                           language=language)


def standalone_html(m: folium.Map, *, language: str | None = None) -> str:
    """A folium map as one self-contained page: assets inlined, and an ExportError if anything
    would still be fetched from elsewhere (shared by the story map and the corpus map).
    `language` (a UI language code) goes on the ``<html>`` element."""
    inline_assets(m)
    page: str = m.get_root().render()
    if language is not None and language in UI_LANGUAGES:
        page = page.replace("<html>", f'<html lang="{language}">', 1)
    external = _EXTERNAL_ASSET.search(page)
    if external:
        snippet = page[external.start() : external.start() + 120]
        raise ExportError("the page still loads an external asset: {snippet!r}",
                          snippet=snippet)
    return page


# -- GeoJSON ----------------------------------------------------------------------------------


def _coord(x: float) -> float:
    if not math.isfinite(x):
        raise ExportError("cannot write a non-finite coordinate ({x!r}) as GeoJSON", x=x)
    value = round(x, COORD_DIGITS)
    return 0.0 if value == 0 else value  # no "-0.0"


def geojson_dict(story: Story) -> dict[str, Any]:
    """RFC 7946 FeatureCollection: ``story.__geo_interface__`` (each mention once, at the
    place it names; a seat shown only for its country has ``seat_of`` and no mentions) with
    each place's country name and coordinates checked finite and rounded."""
    collection = story.__geo_interface__
    for feature in collection["features"]:
        geometry, props = feature["geometry"], feature["properties"]
        geometry["coordinates"] = [_coord(x) for x in geometry["coordinates"]]
        props["country"] = country_name(props["country_code"])
    return collection


def to_geojson(story: Story) -> str:
    """RFC 7946 GeoJSON text (lon/lat, WGS 84), deterministic: sorted keys, coordinates
    rounded to 6 decimals, UTF-8 text with a final newline."""
    return _dumps(geojson_dict(story))


# -- story JSON -------------------------------------------------------------------------------


def _dumps(obj: Any) -> str:
    try:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False) + "\n"
    except ValueError as exc:
        raise ExportError("cannot write the story as JSON: {reason}", reason=exc) from exc


def dump_story(story: Story) -> str:
    """The story as JSON that :func:`load_story` reads back into an equal story (lossless:
    floats are written with Python's shortest round-tripping repr)."""
    return _dumps(story.to_dict())


def is_story_json(data: str | bytes) -> bool:
    """Whether `data` looks like a saved story (for ``storymap build story.json``)."""
    head = data[:4096]
    if isinstance(head, bytes):
        head = head.decode("utf-8", errors="replace")
    return head.lstrip("\ufeff \t\r\n").startswith("{") and STORY_FORMAT in head


def load_story(data: str | bytes) -> Story:
    """Read a story saved by :func:`dump_story`; malformed input raises ExportError."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExportError("story JSON is not UTF-8 text (byte {byte})", byte=exc.start) from exc
    try:
        obj = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ExportError("story JSON is malformed: {detail} at line {line}, column {column}",
                          detail=exc.msg, line=exc.lineno, column=exc.colno) from exc
    except RecursionError as exc:
        raise ExportError("story JSON is nested too deeply") from exc
    if not isinstance(obj, dict):
        raise ExportError("story JSON must be an object, not {kind}", kind=type(obj).__name__)
    if obj.get("format") != STORY_FORMAT:
        raise ExportError('not a storymap story: expected "format": "{format}"',
                          format=STORY_FORMAT)
    try:
        story = Story.from_dict(obj)
    except KeyError as exc:
        raise ExportError("story JSON is missing the field {field!r}", field=exc.args[0]) \
            from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise ExportError("story JSON is invalid: {reason}", reason=exc) from exc
    _check_consistent(story)
    return story


def _check_consistent(story: Story) -> None:
    ids = {p.id for p in story.places}
    passages = {p.index: p for p in story.passages}
    for p in story.passages:
        if not 0 <= p.start <= p.end <= len(story.article):
            raise ExportError("passage {index} offsets {start}:{end} are outside the article",
                              index=p.index, start=p.start, end=p.end)
    for m in story.mentions:
        if m.place_id is not None and m.place_id not in ids:
            raise ExportError("mention {text!r} refers to an unknown place {place!r}",
                              text=m.text, place=m.place_id)
        passage = passages.get(m.passage)
        if passage is None or not passage.start <= m.start < m.end <= passage.end:
            raise ExportError("mention {text!r} at {start}:{end} is not in passage {passage}",
                              text=m.text, start=m.start, end=m.end, passage=m.passage)


# -- files ------------------------------------------------------------------------------------


def _write_text(path: Path, text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ExportError("cannot encode {path} as UTF-8: {reason}", path=path,
                          reason=exc.reason) from exc
    _write_bytes(path, data)


def _write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: a reader never sees half a file, a failure leaves no partial file."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ExportError("cannot write {path}: folder {folder} does not exist", path=path,
                          folder=directory)
    tmp_name = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=directory, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as fh:
            tmp_name = fh.name
            fh.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except OSError as exc:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
        raise ExportError("cannot write {path}: {reason}", path=path,
                          reason=exc.strerror or exc) from exc


@dataclass(frozen=True)
class StillOptions:
    """What a still map (SVG, PNG) looks like: pixel size, title (None: the article's) and
    the language of its legend."""

    size: tuple[int, int] = (1200, 800)
    title: str | None = None
    ui_language: str = "en"


def write_outputs(
    story: Story,
    *,
    html: Path | None,
    geojson: Path | None,
    story_json: Path | None,
    svg: Path | None = None,
    png: Path | None = None,
    still: StillOptions = StillOptions(),
    ui_language: str | None = None,
) -> None:
    """Write each requested output; everything is rendered before anything is written.
    `ui_language` is the HTML page's (None: the article's, see `to_html`)."""
    outputs: list[tuple[Path, bytes]] = []
    texts: tuple[tuple[Path | None, Callable[[Story], str]], ...] = (
        (html, lambda s: to_html(s, ui_language=ui_language)),
        (geojson, to_geojson),
        (story_json, dump_story),
    )
    for path, writer in texts:
        if path is not None:
            outputs.append((Path(path), writer(story).encode("utf-8")))
    if svg is not None or png is not None:
        from . import still as still_map

        size, title, lang = still.size, still.title, still.ui_language
        if svg is not None:
            picture = still_map.to_svg(story, size=size, title=title, ui_language=lang)
            outputs.append((Path(svg), picture.encode("utf-8")))
        if png is not None:
            outputs.append((Path(png), still_map.to_png(story, size=size, title=title,
                                                        ui_language=lang)))
    for path, data in outputs:
        _write_bytes(path, data)
        log.info("wrote %s (%d bytes)", path, len(data))


__all__ = [
    "STORY_FORMAT",
    "StillOptions",
    "dump_story",
    "geojson_dict",
    "inline_assets",
    "is_story_json",
    "load_story",
    "to_geojson",
    "to_html",
    "write_outputs",
]
