"""Still locator maps: one matplotlib figure of a story, written as SVG and as PNG.

For print, social cards and newsletters, where a map is a picture. The figure is drawn with
matplotlib's object API (no pyplot, so nothing is shared between stories) on an
equirectangular projection scaled by the cosine of the map's middle latitude: plenty for
the extent of a news story. Country outlines and land come from the same geodata as the
HTML map (`storymap.render`), simplified with shapely for the picture's scale.

Labels are real text (`svg.fonttype: none`), placed by `storymap.labels` so that no two
overlap and none covers a marker. Article text never becomes markup: matplotlib escapes
every string it writes, math parsing is off, and `check_inert` refuses an SVG with scripts,
event attributes, foreign objects or external references.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import shapely
from babel.numbers import format_decimal
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from shapely.geometry import box as shapely_box
from shapely.geometry import shape

from .errors import ExportError
from .i18n import DEFAULT_LANGUAGE, UI_LANGUAGES, translations
from .labels import Box, LabelRequest, LabelSettings, Marker, Placement, place_labels
from .model import Place, Story


def N_(message: str) -> str:
    """Marks a message for translation where it is defined (translated where it is shown)."""
    return message


ATTRIBUTION = "Places: GeoNames (CC BY 4.0) · Outlines: Natural Earth"

SIZES: dict[str, tuple[int, int]] = {
    "default": (1200, 800),
    "social": (1200, 630),
    "square": (1080, 1080),
}
"""Named picture sizes in pixels: the default, a social card and a square post."""


@dataclass(frozen=True)
class StillStyle:
    """The numbers and colours that decide how a still map looks (pixels at DPI)."""

    dpi: int = 100
    padding: float = 0.18
    """Extra space around the places, as a share of their extent on each side."""
    min_span_deg: float = 6.0
    """The smallest extent shown (degrees of latitude): a lone city still shows its region."""
    max_lat: float = 80.0
    simplify_px: float = 0.6
    """Outline simplification tolerance, in pixels of the picture."""
    marker_px: float = 5.5
    seat_marker_px: float = 3.5
    label_pt: float = 11.0
    title_pt: float = 17.0
    legend_pt: float = 9.0
    small_pt: float = 8.0
    title_chars: int = 90
    inset_below_deg: float = 25.0
    """Extents narrower than this (degrees of longitude) get an inset locator."""
    inset_share: float = 0.2
    """The inset's width as a share of the picture's."""
    margin_px: float = 10.0
    water: str = "#dde9f0"
    land: str = "#f4f1ea"
    border: str = "#b9b2a6"
    tint: str = "#f3d9b8"
    tint_edge: str = "#c98e4f"
    region_tint: str = "#e9e2c8"
    text: str = "#222222"
    halo: str = "#ffffff"
    leader: str = "#555555"


STYLE = StillStyle()

FEATURE_MARKERS: dict[str, tuple[str, str]] = {
    "country": ("*", "#b03a2e"),
    "city": ("o", "#2e6da4"),
    "region": ("D", "#1e8449"),
    "landmark": ("s", "#7d3c98"),
    "water": ("v", "#1b9fc6"),
    "mountain": ("^", "#8d6e63"),
    "island": ("h", "#16a085"),
    "continent": ("p", "#566573"),
    "other": ("o", "#707b7c"),
}
"""Marker shape and colour per feature, as in the HTML map's legend."""

LEGEND_WORDS: dict[str, str] = {
    "country": N_("Country"), "city": N_("City"), "region": N_("Region"),
    "landmark": N_("Landmark"), "water": N_("Water"), "mountain": N_("Mountain"),
    "island": N_("Island"), "continent": N_("Continent"), "other": N_("Place"),
    "seat": N_("Seat of government"), "km": N_("km"),
}
"""The legend's words, in English; translated through the `storymap` message catalog."""


FONT_FAMILIES = ["DejaVu Sans"]
"""Bundled with matplotlib: Latin, Greek and Cyrillic (no CJK glyphs; see the note)."""

_RC: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "storymap",
    "font.family": FONT_FAMILIES,
    "text.parse_math": False,
    "path.simplify": True,
}
_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "object", "embed", "image"}
_EVENT_ATTR = re.compile(r"^on", re.IGNORECASE)


def legend_language(language: str) -> str:
    """The legend's language for an article's (German for German, else English)."""
    return language if language in UI_LANGUAGES else DEFAULT_LANGUAGE


def _legend_words(ui_language: str) -> dict[str, str]:
    gettext = translations(legend_language(ui_language), "storymap").gettext
    return {**{key: gettext(word) for key, word in LEGEND_WORDS.items()},
            "locale": legend_language(ui_language)}


def parse_size(text: str) -> tuple[int, int]:
    """"1200x800", or a preset name (default, social, square) → (width, height) in px."""
    key = text.strip().lower()
    if key in SIZES:
        return SIZES[key]
    match = re.fullmatch(r"(\d{2,5})\s*[x\u00d7]\s*(\d{2,5})", key)
    if match:
        width, height = int(match.group(1)), int(match.group(2))
        if 200 <= width <= 8000 and 200 <= height <= 8000:
            return width, height
    presets = ", ".join(SIZES)
    raise ExportError(
        "Unknown picture size {size!r}: give WIDTHxHEIGHT in pixels (200 to 8000, e.g. "
        "1200x800) or one of {presets}.", size=text, presets=presets
    )


def to_svg(story: Story, *, size: tuple[int, int] = SIZES["default"], title: str | None = None,
           ui_language: str = "en") -> str:
    """The story's still map as a standalone SVG document (no scripts, no external links)."""
    figure = _draw(story, size, title, ui_language)
    out = io.StringIO()
    with matplotlib.rc_context(_RC):
        FigureCanvasSVG(figure).print_svg(out, metadata={"Date": None})  # type: ignore[no-untyped-call, unused-ignore]
    svg = out.getvalue()
    check_inert(svg)
    return svg


def to_png(story: Story, *, size: tuple[int, int] = SIZES["default"], title: str | None = None,
           ui_language: str = "en") -> bytes:
    """The same picture as `to_svg`, as PNG at the requested pixel size."""
    figure = _draw(story, size, title, ui_language)
    out = io.BytesIO()
    with matplotlib.rc_context(_RC):
        FigureCanvasAgg(figure).print_png(out, metadata={"Software": None})  # type: ignore[no-untyped-call, unused-ignore]
    return out.getvalue()


def check_inert(svg: str) -> None:
    """Raise ExportError unless the SVG is plain drawing: no script or foreign content, no
    event attributes, no reference outside the document."""
    root = ET.fromstring(svg)
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in _FORBIDDEN_TAGS:
            raise ExportError("the still map would contain a <{tag}> element", tag=tag)
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if _EVENT_ATTR.match(local):
                raise ExportError("the still map would contain an event attribute {name}",
                                  name=local)
            if local == "href" and not value.startswith("#"):
                raise ExportError("the still map would reference an outside resource")


# --- drawing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """The map's extent and the projection from (lon, lat) to picture pixels."""

    west: float
    south: float
    east: float
    north: float
    width: int
    height: int

    @property
    def shrink(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    def px(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.west) / (self.east - self.west) * self.width
        y = (lat - self.south) / (self.north - self.south) * self.height
        return x, y

    def km_per_px(self) -> float:
        return (self.east - self.west) * 111.195 * self.shrink / self.width


def _frame(places: Sequence[Place], size: tuple[int, int], style: StillStyle) -> _Frame:
    """The places' extent, padded, widened to the picture's shape."""
    lats = [p.lat for p in places]
    lons = [p.lon for p in places]
    south, north = min(lats), max(lats)
    west, east = min(lons), max(lons)
    mid = (south + north) / 2
    shrink = max(math.cos(math.radians(mid)), 0.2)
    span_lat = max(north - south, style.min_span_deg) * (1 + 2 * style.padding)
    span_lon = max(east - west, style.min_span_deg / shrink) * (1 + 2 * style.padding)
    width, height = size
    aspect = width / height  # wanted (span_lon * shrink) / span_lat
    if span_lon * shrink / span_lat < aspect:
        span_lon = span_lat * aspect / shrink
    else:
        span_lat = span_lon * shrink / aspect
    clon = (west + east) / 2
    clat = min(max(mid, -style.max_lat + span_lat / 2), style.max_lat - span_lat / 2)
    return _Frame(clon - span_lon / 2, clat - span_lat / 2, clon + span_lon / 2,
                  clat + span_lat / 2, width, height)


def _path(geom: Any, frame: _Frame) -> MplPath | None:
    """A matplotlib path (in pixels) of a polygonal or linear shapely geometry."""
    vertices: list[tuple[float, float]] = []
    codes: list[Any] = []
    for part in getattr(geom, "geoms", [geom]):
        rings: Iterable[Any]
        if part.geom_type == "Polygon":
            rings = [part.exterior, *part.interiors]
            closed = True
        elif part.geom_type == "LineString":
            rings, closed = [part], False
        else:
            continue
        for ring in rings:
            points = [frame.px(x, y) for x, y in ring.coords]
            if len(points) < 2:
                continue
            vertices.extend(points)
            codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1))
            if closed:
                codes[-1] = MplPath.CLOSEPOLY
    return MplPath(vertices, codes) if vertices else None


def _clipped(geometry: dict[str, Any], frame: _Frame, tolerance: float) -> Any:
    view = shapely_box(frame.west - 1, frame.south - 1, frame.east + 1, frame.north + 1)
    geom = shape(geometry)
    if not geom.intersects(view):
        return None
    return shapely.simplify(geom.intersection(view), tolerance, preserve_topology=True)


def _draw_geography(figure: Figure, story: Story, frame: _Frame, style: StillStyle) -> None:
    from .render import country_outlines, world_basemap

    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, frame.width)
    axes.set_ylim(0, frame.height)
    axes.set_axis_off()
    axes.set_gid("geography")
    figure.patch.set_facecolor(style.water)
    tolerance = style.simplify_px * frame.km_per_px() / 111.195
    layers = {f["properties"]["kind"]: f["geometry"] for f in world_basemap()["features"]}
    land = _clipped(layers["land"], frame, tolerance)
    if land is not None and (path := _path(land, frame)) is not None:
        axes.add_patch(PathPatch(path, facecolor=style.land, edgecolor="none", gid="land"))
    countries = [p.country_code for p in story.places if p.feature == "country"]
    regions = [p.country_code for p in story.places if p.feature == "region"]
    for codes, colour, gid in ((regions, style.region_tint, "tint-region"),
                               (countries, style.tint, "tint-country")):
        for feature in country_outlines([c for c in codes if c])["features"]:
            geom = _clipped(feature["geometry"], frame, tolerance)
            if geom is not None and (path := _path(geom, frame)) is not None:
                axes.add_patch(PathPatch(path, facecolor=colour, edgecolor=style.tint_edge,
                                         linewidth=0.8, gid=gid))
    borders = _clipped(layers["borders"], frame, tolerance)
    if borders is not None and (path := _path(borders, frame)) is not None:
        axes.add_patch(PathPatch(path, facecolor="none", edgecolor=style.border,
                                 linewidth=0.6, gid="borders"))


def _label_of(place: Place, language: str) -> str:
    return place.labels.get(language) or place.name


def _importance(story: Story, place: Place) -> tuple[int, int, str]:
    mentions = len(story.mentions_of(place.id))
    rank = {"country": 0, "region": 1, "continent": 1, "city": 2}.get(place.feature, 3)
    return (rank if mentions else 9, -mentions, place.name)


def _draw(story: Story, size: tuple[int, int], title: str | None, ui_language: str,
          style: StillStyle = STYLE) -> Figure:
    places = list(story.places)
    if not places:
        raise ExportError("The story has no places, so there is no map to draw.")
    with matplotlib.rc_context(_RC):
        width, height = size
        figure = Figure(figsize=(width / style.dpi, height / style.dpi), dpi=style.dpi)
        renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call, unused-ignore]
        frame = _frame(places, size, style)
        _draw_geography(figure, story, frame, style)
        overlay = figure.add_axes((0, 0, 1, 1), facecolor="none")
        overlay.set_xlim(0, width)
        overlay.set_ylim(0, height)
        overlay.set_axis_off()
        words = _legend_words(ui_language)
        obstacles = _draw_furniture(figure, overlay, renderer, story, frame, title, words,
                                    style)
        ordered = sorted(places, key=lambda p: _importance(story, p))
        markers = _draw_markers(overlay, ordered, frame, style)
        requests = _label_requests(figure, renderer, ordered, frame, story.language, style)
        frame_box = Box(style.margin_px, style.margin_px, width - style.margin_px,
                        height - style.margin_px)
        placed = place_labels(requests, markers, frame_box, obstacles, LabelSettings())
        _draw_labels(overlay, placed, {r.key: t for r, t in _texts(ordered, story)}, style)
    return figure


def _texts(ordered: Sequence[Place], story: Story) -> list[tuple[LabelRequest, str]]:
    """Pairs used only to map a request key back to its text (keys are place ids)."""
    return [(LabelRequest(p.id, 0, 0, (0, 0)), _label_of(p, story.language)) for p in ordered]


def _draw_markers(axes: Any, ordered: Sequence[Place], frame: _Frame,
                  style: StillStyle) -> list[Marker]:
    markers = []
    for k, place in enumerate(ordered):
        shape_code, colour = FEATURE_MARKERS.get(place.feature, FEATURE_MARKERS["other"])
        radius = style.seat_marker_px if place.seat_of else style.marker_px
        x, y = frame.px(place.lon, place.lat)
        size_pt = 2 * radius * 72 / style.dpi
        axes.add_line(Line2D([x], [y], marker=shape_code, markersize=size_pt * 1.4,
                             markerfacecolor=colour, markeredgecolor="white",
                             markeredgewidth=0.8, linestyle="none", gid=f"marker-{k}"))
        markers.append(Marker(x, y, radius + 1.0))
    return markers


def _text_size(figure: Figure, renderer: Any, text: str, points: float,
               weight: str = "normal") -> tuple[float, float]:
    probe = figure.text(0, 0, text, fontsize=points, fontweight=weight, parse_math=False)
    extent = probe.get_window_extent(renderer)
    probe.remove()
    return extent.width, extent.height


def _label_requests(figure: Figure, renderer: Any, ordered: Sequence[Place], frame: _Frame,
                    language: str, style: StillStyle) -> list[LabelRequest]:
    requests = []
    for k, place in enumerate(ordered):
        weight = "bold" if place.feature == "country" else "normal"
        w, h = _text_size(figure, renderer, _label_of(place, language), style.label_pt, weight)
        requests.append(LabelRequest(place.id, w + 2, h + 1, frame.px(place.lon, place.lat),
                                     marker=k))
    return requests


def _draw_labels(axes: Any, placed: Sequence[Placement], texts: dict[str, str],
                 style: StillStyle) -> None:
    for k, placement in enumerate(placed):
        if placement.leader is not None:
            (x0, y0), (x1, y1) = placement.leader
            axes.add_line(Line2D([x0, x1], [y0, y1], color=style.leader, linewidth=0.7,
                                 gid=f"leader-{k}"))
        cx, cy = placement.box.center
        axes.text(cx, cy, texts[placement.key], ha="center", va="center",
                  fontsize=style.label_pt, color=style.text, parse_math=False,
                  gid=f"label-{k}",
                  bbox={"facecolor": style.halo, "alpha": 0.75, "edgecolor": "none",
                        "pad": 0.5})


def _scale_length(km: float) -> float:
    """A round distance (1, 2 or 5 times a power of ten, in km) no longer than `km`."""
    exponent = 10 ** math.floor(math.log10(max(km, 1e-6)))
    return float(max(step * exponent for step in (1, 2, 5) if step * exponent <= km))


def _draw_furniture(figure: Figure, axes: Any, renderer: Any, story: Story, frame: _Frame,
                    title: str | None, words: dict[str, str], style: StillStyle) -> list[Box]:
    """Title, legend, scale bar, attribution and inset; returns the boxes labels avoid."""
    boxes: list[Box] = []
    width, height = frame.width, frame.height
    m = style.margin_px
    heading = (story.title if title is None else title).strip()
    if len(heading) > style.title_chars:
        heading = heading[: style.title_chars - 1].rstrip() + "…"
    if heading:
        text = axes.text(m, height - m, heading, ha="left", va="top", fontsize=style.title_pt,
                         fontweight="bold", color=style.text, parse_math=False, gid="title",
                         bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none",
                               "pad": 4})
        boxes.append(_window_box(text, renderer))
    attribution = axes.text(width - m, m, ATTRIBUTION, ha="right", va="bottom",
                            fontsize=style.small_pt, color=style.text, parse_math=False,
                            gid="attribution",
                            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none",
                                  "pad": 2})
    attribution_box = _window_box(attribution, renderer)
    boxes.append(attribution_box)
    boxes.append(_draw_scale(axes, renderer, frame, attribution_box, words, style))
    boxes.append(_draw_legend(axes, renderer, story, words, style))
    if frame.east - frame.west < style.inset_below_deg:
        boxes.append(_draw_inset(figure, frame, style))
    return boxes


def _window_box(artist: Any, renderer: Any, pad: float = 4.0) -> Box:
    """An artist's extent in pixels, with room for its background box."""
    extent = artist.get_window_extent(renderer)
    return Box(extent.x0 - pad, extent.y0 - pad, extent.x1 + pad, extent.y1 + pad)


def _draw_scale(axes: Any, renderer: Any, frame: _Frame, below: Box, words: dict[str, str],
                style: StillStyle) -> Box:
    km = _scale_length(frame.km_per_px() * frame.width / 6)
    length = km / frame.km_per_px()
    x1 = frame.width - style.margin_px
    x0, y = x1 - length, below.y1 + 8
    axes.add_line(Line2D([x0, x0, x1, x1], [y + 4, y, y, y + 4], color=style.text,
                         linewidth=1.2, gid="scale-bar"))
    distance = format_decimal(km, locale=words["locale"])
    text = axes.text((x0 + x1) / 2, y + 3, f"{distance} {words['km']}", ha="center",
                     va="bottom", fontsize=style.small_pt, color=style.text, parse_math=False,
                     gid="scale-text")
    t = _window_box(text, renderer)
    return Box(min(x0, t.x0) - 2, y - 2, max(x1, t.x1) + 2, t.y1 + 2)


def _draw_legend(axes: Any, renderer: Any, story: Story, words: dict[str, str],
                 style: StillStyle) -> Box:
    features = list(dict.fromkeys(p.feature for p in story.places))
    handles = [Line2D([], [], marker=FEATURE_MARKERS.get(f, FEATURE_MARKERS["other"])[0],
                      markerfacecolor=FEATURE_MARKERS.get(f, FEATURE_MARKERS["other"])[1],
                      markeredgecolor="white", linestyle="none", markersize=8)
               for f in features]
    legend = axes.legend(handles, [words.get(f, words["other"]) for f in features],
                         loc="lower left", fontsize=style.legend_pt, framealpha=0.9,
                         borderaxespad=0.8)
    legend.set_gid("legend")
    for text in legend.get_texts():
        text.set_parse_math(False)
    extent = legend.get_window_extent(renderer)
    return Box(extent.x0, extent.y0, extent.x1, extent.y1)


def _draw_inset(figure: Figure, frame: _Frame, style: StillStyle) -> Box:
    """A small world map with the main map's extent marked, top right."""
    from .render import world_basemap

    share = style.inset_share
    ratio = frame.width / frame.height
    w, h = share, share * ratio / 2  # the world is twice as wide as it is high
    x0 = 1 - w - style.margin_px / frame.width
    y0 = 1 - h - style.margin_px / frame.height
    inset = figure.add_axes((x0, y0, w, h))
    inset.set_gid("inset")
    world = _Frame(-180, -90, 180, 90, 360, 180)
    inset.set_xlim(0, 360)
    inset.set_ylim(0, 180)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor(style.water)
    land = next(f["geometry"] for f in world_basemap()["features"]
                if f["properties"]["kind"] == "land")
    coarse = shapely.simplify(shape(land), 1.0, preserve_topology=True)
    if (path := _path(coarse, world)) is not None:
        inset.add_patch(PathPatch(path, facecolor=style.land, edgecolor="none"))
    (ax0, ay0), (ax1, ay1) = world.px(frame.west, frame.south), world.px(frame.east, frame.north)
    inset.add_patch(Rectangle((ax0, ay0), max(ax1 - ax0, 3), max(ay1 - ay0, 3),
                              facecolor="none", edgecolor="#b03a2e", linewidth=1.2))
    return Box(x0 * frame.width, y0 * frame.height, (x0 + w) * frame.width,
               (y0 + h) * frame.height)


__all__ = [
    "ATTRIBUTION", "SIZES", "check_inert", "legend_language", "parse_size", "to_png", "to_svg",
]
