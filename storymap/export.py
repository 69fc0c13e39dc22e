"""Export a Story: one self-contained HTML page, RFC 7946 GeoJSON and lossless story JSON.

The HTML page inlines Leaflet, jQuery and Leaflet.markercluster (JS, CSS, icons as data: URIs)
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
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure

from storymap.errors import ExportError
from storymap.model import GEONAMES_ATTRIBUTION, Mention, Story
from storymap.render import asset_bundle, country_name, render

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


def to_html(story: Story) -> str:
    """The story map as ONE HTML document that works from file:// without a network."""
    return standalone_html(render(story))


def standalone_html(m: folium.Map) -> str:
    """A folium map as one self-contained page: assets inlined, and an ExportError if anything
    would still be fetched from elsewhere (shared by the story map and the corpus map)."""
    inline_assets(m)
    page: str = m.get_root().render()
    external = _EXTERNAL_ASSET.search(page)
    if external:
        snippet = page[external.start() : external.start() + 120]
        raise ExportError(f"the page still loads an external asset: {snippet!r}")
    return page


# -- GeoJSON ----------------------------------------------------------------------------------


def _coord(x: float) -> float:
    if not math.isfinite(x):
        raise ExportError(f"cannot write a non-finite coordinate ({x!r}) as GeoJSON")
    value = round(x, COORD_DIGITS)
    return 0.0 if value == 0 else value  # no "-0.0"


def geojson_dict(story: Story) -> dict[str, Any]:
    """RFC 7946 FeatureCollection: ``story.__geo_interface__`` plus each place's country name,
    built with an index so 10,000 places stay fast (the model's query is linear per place)."""
    direct: dict[str, list[Mention]] = defaultdict(list)
    for mention in story.mentions:
        if mention.place_id is not None:
            direct[mention.place_id].append(mention)
    features = []
    for p in story.places:
        mentions = list(direct.get(p.id, ()))
        if p.seat_of:
            mentions = [m for m in story.mentions if m.place_id in {p.id, p.seat_of}]
        features.append(
            {
                "type": "Feature",
                "id": p.id,
                "geometry": {"type": "Point", "coordinates": [_coord(p.lon), _coord(p.lat)]},
                "properties": {
                    "name": p.name,
                    "label": p.label(story.language),
                    "feature": p.feature,
                    "country_code": p.country_code,
                    "country": country_name(p.country_code),
                    "geonameid": p.geonameid,
                    "seat_of": p.seat_of,
                    "mentions": [
                        {"passage": m.passage, "start": m.start, "end": m.end, "text": m.text,
                         "kind": m.kind}
                        for m in mentions
                    ],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features,
            "attribution": GEONAMES_ATTRIBUTION}


def to_geojson(story: Story) -> str:
    """RFC 7946 GeoJSON text (lon/lat, WGS 84), deterministic: sorted keys, coordinates
    rounded to 6 decimals, UTF-8 text with a final newline."""
    return _dumps(geojson_dict(story))


# -- story JSON -------------------------------------------------------------------------------


def _dumps(obj: Any) -> str:
    try:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False) + "\n"
    except ValueError as exc:
        raise ExportError(f"cannot write the story as JSON: {exc}") from exc


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
            raise ExportError(f"story JSON is not UTF-8 text (byte {exc.start})") from exc
    try:
        obj = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ExportError(
            f"story JSON is malformed: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise ExportError("story JSON is nested too deeply") from exc
    if not isinstance(obj, dict):
        raise ExportError(f"story JSON must be an object, not {type(obj).__name__}")
    if obj.get("format") != STORY_FORMAT:
        raise ExportError(f"not a storymap story: expected \"format\": \"{STORY_FORMAT}\"")
    try:
        story = Story.from_dict(obj)
    except KeyError as exc:
        raise ExportError(f"story JSON is missing the field {exc.args[0]!r}") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise ExportError(f"story JSON is invalid: {exc}") from exc
    _check_consistent(story)
    return story


def _check_consistent(story: Story) -> None:
    ids = {p.id for p in story.places}
    passages = {p.index: p for p in story.passages}
    for p in story.passages:
        if not 0 <= p.start <= p.end <= len(story.article):
            raise ExportError(
                f"passage {p.index} offsets {p.start}:{p.end} are outside the article"
            )
    for m in story.mentions:
        if m.place_id is not None and m.place_id not in ids:
            raise ExportError(f"mention {m.text!r} refers to an unknown place {m.place_id!r}")
        passage = passages.get(m.passage)
        if passage is None or not passage.start <= m.start < m.end <= passage.end:
            raise ExportError(f"mention {m.text!r} at {m.start}:{m.end} is not in passage "
                              f"{m.passage}")


# -- files ------------------------------------------------------------------------------------


def _write_text(path: Path, text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ExportError(f"cannot encode {path} as UTF-8: {exc.reason}") from exc
    _write_bytes(path, data)


def _write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: a reader never sees half a file, a failure leaves no partial file."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ExportError(f"cannot write {path}: folder {directory} does not exist")
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
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc


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
) -> None:
    """Write each requested output; everything is rendered before anything is written."""
    outputs: list[tuple[Path, bytes]] = []
    texts = ((html, to_html), (geojson, to_geojson), (story_json, dump_story))
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
