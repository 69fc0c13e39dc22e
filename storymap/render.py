"""Story → folium.Map: markers, lazy escaped popups, country outlines and the story panel.

Design for scale: no folium ``Marker``/``Popup`` per place. The story goes into the page once,
as JSON in a ``<script type="application/json">`` block, and a small script (``templates/
storymap.js``) builds one clustered marker layer from it; tooltips and popups are built from that
JSON with ``textContent`` when they open. The same code path serves 7 places and 10,000.

Article text is hostile. It reaches the page only inside that JSON block (escaped once, here,
by :func:`script_json`) and in the page title (HTML-escaped once, here); the script never
assigns article text to ``innerHTML``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import logging
import math
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import shapely
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from shapely import affinity
from shapely.geometry import mapping, shape

from storymap.model import FEATURES, MENTION_KINDS, Mention, Place, Story
from storymap.story_text import StoryText, country_name

log = logging.getLogger(__name__)

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
# Sent with tile requests: OSM's tile policy requires a Referer and Leaflet ≥ 1.8 can set it.
TILE_REFERRER_POLICY = "strict-origin-when-cross-origin"
GEONAMES_MAP_ATTRIBUTION = (
    'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)'
)
BASEMAP_ATTRIBUTION = "Outlines: Natural Earth"

SNIPPET_MAX = 280
"""Passages longer than this (characters) are trimmed around the mention in popups."""

FEATURE_ZOOM = {
    "country": 5,
    "continent": 3,
    "region": 6,
    "water": 6,
    "island": 8,
    "mountain": 9,
    "city": 9,
    "landmark": 12,
    "other": 8,
}

WIDE_AREA_ZOOM = 5
"""A place in no single country (a sea, a range, a river, the EU: no country code) spans
several: it is shown at this zoom at most."""

FIT_MAX_ZOOM = 7
"""A country fitted to its outline is shown at this zoom at most (a small one still shows
its neighbours)."""
SPREAD_ZOOM = 13
"""The closest view a click on a mention, a marker, a step or a group ever zooms to: markers
that are still grouped there are spread around their point instead (a city and a landmark in
it, a country shown at its seat and that seat named in the text)."""
FLIGHT_SECONDS = 0.7
"""How long the map flies to a place, a step or the overview (none with reduced motion)."""
CLUSTER_RADIUS_PX = 30
"""Markers closer than this (screen pixels) are grouped: a marker is 22 px wide, a group
badge 40 px, so anything apart enough to be clicked on its own stays a marker."""
EXTENT_NEAR_DEGREES = 5.0
"""Parts of a country this close to its main land count for its fitted view."""

OUTLINE_TOLERANCE = 0.02  # degrees; countryinfo's outlines are already coarse
BASEMAP_TOLERANCE = 0.1
BASEMAP_GRID = 0.05
_FILLED_HOLE_MAX_AREA = 40.0  # square degrees
_GAP_CLOSING_RADIUS = 0.7  # degrees


# -- JSON that is safe inside <script> ----------------------------------------------------------

_SCRIPT_UNSAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


_TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")


def script_json(obj: Any) -> str:
    """JSON for a ``<script>`` element: ``</script>``, ``<!--``, ``&`` and U+2028/2029 cannot
    end or confuse the element, and ``JSON.parse`` gives back exactly ``obj``.

    ``{{``, ``{%`` and ``{#`` are escaped as well (only string contents can hold them), so the
    text stays inert even if something runs it through Jinja again, as branca does with
    every ``MacroElement`` part it adds to a page."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _TEMPLATE_OPENER.sub(r"\\u007b", text.translate(_SCRIPT_UNSAFE))


# -- static assets from the XStatic registry packages ---------------------------------------------


@functools.cache
def asset_bundle() -> dict[str, tuple[str, ...]]:
    """Leaflet, jQuery and Leaflet.markercluster read from their XStatic packages.

    Returns ``{"js": (...), "css": (...), "icons": (marker, marker-2x, shadow)}``; CSS image
    references are rewritten to data: URIs and source-map comments dropped, so nothing asks the
    network or the disk for a file.
    """
    from xstatic.pkg import jquery, leaflet, leaflet_markercluster

    def read(base: str, name: str) -> str:
        with open(f"{base}/{name}", encoding="utf-8") as fh:
            text = fh.read()
        return re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)

    def data_uri(base: str, name: str, mime: str = "image/png") -> str:
        with open(f"{base}/{name}", "rb") as fh:
            return f"data:{mime};base64," + base64.b64encode(fh.read()).decode("ascii")

    lf, mc, jq = leaflet.BASE_DIR, leaflet_markercluster.BASE_DIR, jquery.BASE_DIR
    leaflet_css = re.sub(
        r"url\((images/[\w.-]+\.png)\)",
        lambda m: f"url({data_uri(lf, m.group(1))})",
        read(lf, "leaflet.css"),
    )
    leaflet_css = leaflet_css.replace("behavior: url(#default#VML);", "")
    return {
        "js": (
            read(jq, "jquery.min.js"),
            read(lf, "leaflet.js"),
            read(mc, "leaflet.markercluster.js"),
        ),
        "css": (
            leaflet_css,
            read(mc, "MarkerCluster.css"),
            read(mc, "MarkerCluster.Default.css"),
        ),
        "icons": (
            data_uri(lf, "images/marker-icon.png"),
            data_uri(lf, "images/marker-icon-2x.png"),
            data_uri(lf, "images/marker-shadow.png"),
        ),
    }


ASSET_NAMES_JS = ("jquery", "leaflet", "leaflet_markercluster")
ASSET_NAMES_CSS = ("leaflet_css", "markercluster_css", "markercluster_default_css")


@functools.cache
def _data_uri_assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    bundle = asset_bundle()

    def uri(mime: str, text: str) -> str:
        return f"data:{mime};base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")

    js = [(n, uri("text/javascript", t)) for n, t in zip(ASSET_NAMES_JS, bundle["js"], strict=True)]
    css = [(n, uri("text/css", t)) for n, t in zip(ASSET_NAMES_CSS, bundle["css"], strict=True)]
    return js, css


def use_data_uri_assets(m: folium.Map) -> None:
    """Point this map instance (never folium's globals) at data: URIs of the bundled assets, so
    it works without a network wherever folium's HTML is shown (a notebook, Streamlit)."""
    js, css = _data_uri_assets()
    m.default_js = list(js)
    m.default_css = list(css)


# -- geometry -----------------------------------------------------------------------------------


def _round_coords(obj: Any, ndigits: int) -> Any:
    if isinstance(obj, float):
        return round(obj, ndigits)
    if isinstance(obj, list | tuple):
        return [_round_coords(x, ndigits) for x in obj]
    return obj


def _geometry_json(geom: Any, ndigits: int) -> dict[str, Any]:
    g = mapping(geom)
    return {"type": g["type"], "coordinates": _round_coords(g["coordinates"], ndigits)}


def country_outlines(codes: Iterable[str]) -> dict[str, Any]:
    """A FeatureCollection of the countries' simplified outlines (codes without one skipped)."""
    outlines = _geodata()["outlines"]
    features = []
    for code in dict.fromkeys(c.upper() for c in codes if c):
        geometry = outlines.get(code)
        if geometry is None:
            log.debug("countryinfo has no outline for %r", code)
            continue
        features.append(
            {"type": "Feature", "properties": {"country_code": code}, "geometry": geometry}
        )
    return {"type": "FeatureCollection", "features": features}


def _without_small_holes(geom: Any, max_area: float) -> Any:
    polys = [p for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Polygon"]
    return shapely.MultiPolygon(
        [
            shapely.Polygon(p.exterior, [r for r in p.interiors
                                         if shapely.Polygon(r).area > max_area])
            for p in polys
        ]
    )


def _patch_missing_countries(land: Any, missing: list[Any]) -> Any:
    """countryinfo has no outline for a few countries (Hungary, Serbia, Montenegro, Myanmar):
    fill the gaps their neighbours enclose (after closing narrow necks), and only near them,
    so real seas and lakes stay water. A gap open to the sea (Myanmar) stays."""
    r = _GAP_CLOSING_RADIUS
    closed = _without_small_holes(
        land.buffer(r, quad_segs=4).buffer(-r, quad_segs=4), _FILLED_HOLE_MAX_AREA
    )
    extra = closed.difference(land)
    pieces = [
        g for g in getattr(extra, "geoms", [extra])
        if any(g.distance(point) < 1.0 for point in missing)
    ]
    return shapely.union_all([land, *pieces]) if pieces else land


def world_basemap() -> dict[str, Any]:
    """The embedded offline basemap: land and country borders from countryinfo, simplified and
    on a 0.05° grid (about 130 KB of JSON)."""
    basemap: dict[str, Any] = _geodata()["basemap"]
    return basemap


_GEODATA_FORMAT = 1


def _cache_dir() -> Path:
    env = os.environ.get("STORYMAP_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("storymap"))


@functools.cache
def _geodata() -> dict[str, Any]:
    """Country outlines and the basemap, built once from countryinfo and cached on disk (keyed
    by countryinfo's version and the simplification settings): building takes ~0.5 s."""
    from importlib.metadata import version

    key = hashlib.sha256(
        repr((_GEODATA_FORMAT, version("countryinfo"), version("shapely"), OUTLINE_TOLERANCE,
              BASEMAP_TOLERANCE, BASEMAP_GRID, _FILLED_HOLE_MAX_AREA,
              _GAP_CLOSING_RADIUS)).encode()
    ).hexdigest()[:16]
    path = _cache_dir() / f"geodata-{key}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        pass
    data = _build_geodata()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a read-only home still renders, just slower
        log.debug("cannot cache country outlines in %s: %s", path, exc)
    return data


def _build_geodata() -> dict[str, Any]:
    from countryinfo import CountryInfo

    shapes = []
    missing = []
    outlines: dict[str, Any] = {}
    for info in CountryInfo.all().values():
        features = [f for f in (info.get("geoJSON") or {}).get("features", [])
                    if f.get("geometry")]
        country = [shapely.make_valid(shape(f["geometry"])) for f in features]
        shapes += country
        code = str((info.get("ISO") or {}).get("alpha2") or "").upper()
        if country and code and code not in outlines:
            outline = shapely.simplify(shapely.union_all(country), OUTLINE_TOLERANCE,
                                       preserve_topology=True)
            if not outline.is_empty:
                outlines[code] = _geometry_json(outline, 3)
        latlng = info.get("latlng") or []
        if not features and len(latlng) == 2 and (info.get("area") or 0) > 5_000:
            missing.append(shapely.Point(latlng[1], latlng[0]))
    land = _patch_missing_countries(shapely.union_all(shapes), missing)
    land = shapely.set_precision(
        shapely.simplify(land, BASEMAP_TOLERANCE, preserve_topology=True), BASEMAP_GRID
    )
    borders = shapely.union_all([s.boundary for s in shapes])
    borders = shapely.set_precision(
        shapely.simplify(shapely.line_merge(borders), BASEMAP_TOLERANCE), BASEMAP_GRID
    )
    basemap = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"kind": "land"},
             "geometry": _geometry_json(land, 2)},
            {"type": "Feature", "properties": {"kind": "borders"},
             "geometry": _geometry_json(borders, 2)},
        ],
    }
    return {"basemap": basemap, "outlines": outlines}


# -- the page data ------------------------------------------------------------------------------


def snippet_window(length: int, spans: Sequence[tuple[int, int]],
                   text: str, max_len: int = SNIPPET_MAX) -> tuple[int, int]:
    """The part of a passage (``[a, b)``, relative offsets) a popup shows: the whole passage when
    it is short, else about `max_len` characters around the first span, cut at spaces."""
    if length <= max_len or not spans:
        return 0, length
    s, e = spans[0]
    room = max(max_len - (e - s), 0)
    a = max(0, s - room // 2)
    b = min(length, e + room - (s - a))
    a = max(0, min(a, b - max_len))
    if a > 0:
        space = text.find(" ", a, s)
        a = space + 1 if space != -1 else a
    if b < length:
        space = text.rfind(" ", e, b)
        b = space if space != -1 else b
    return a, b


class StoryIndex:
    """Per-story lookups computed once (the model's queries are linear per call)."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.places = story.places
        self.position = {p.id: i for i, p in enumerate(self.places)}
        self.by_id = {p.id: p for p in self.places}
        self.seat = {p.seat_of: p for p in self.places if p.seat_of}
        direct: dict[str, list[Mention]] = defaultdict(list)
        for m in story.mentions:
            if m.place_id is not None:
                direct[m.place_id].append(m)
        self.own: dict[str, list[Mention]] = {p.id: direct.get(p.id, []) for p in self.places}
        """The mentions that name each place (a seat has none of its country's)."""
        self.mentions: dict[str, list[Mention]] = {}
        for p in self.places:
            ms = list(direct.get(p.id, ()))
            if p.seat_of:
                ms = sorted(ms + direct.get(p.seat_of, []), key=lambda m: (m.start, m.end))
            self.mentions[p.id] = ms
        self.passages = {p.index: p for p in story.passages}

    def marker_position(self, place: Place) -> tuple[float, float]:
        """A country that has a seat of government in the story is shown there."""
        if place.feature == "country" and place.id in self.seat:
            seat = self.seat[place.id]
            return seat.lat, seat.lon
        return place.lat, place.lon

    def steps(self, position: Mapping[str, int] | None = None) -> list[tuple[int, list[int]]]:
        """Story mode: passages with places (as positions in `position`, by default in the
        story's place list), in article order."""
        position = self.position if position is None else position
        per_passage: dict[int, dict[int, None]] = defaultdict(dict)
        for m in self.story.mentions:
            if m.place_id is not None and m.place_id in position:
                per_passage[m.passage][position[m.place_id]] = None
        return [(i, list(per_passage[i])) for i in sorted(per_passage) if i in self.passages]

    def route(self) -> list[tuple[float, float]]:
        """The narrative route: marker positions in order of first mention."""
        first = sorted(
            (ms[0].start, i) for i, p in enumerate(self.places) if (ms := self.own[p.id])
        )
        points: list[tuple[float, float]] = []
        for _, i in first:
            pt = self.marker_position(self.places[i])
            if not points or points[-1] != pt:
                points.append(pt)
        return points


def country_extent(code: str | None) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) of a country's main land and the parts near it, for a view
    fitted to the country: far overseas parts (French Guiana, Alaska) would zoom the map out
    to half the world. Longitudes may pass 180 where a country crosses the antimeridian."""
    if not code:
        return None
    return _country_extent(code.upper())


@functools.cache
def _country_extent(code: str) -> tuple[float, float, float, float] | None:
    geometry = _geodata()["outlines"].get(code)
    if geometry is None:
        return None
    parts = [p for p in getattr(shape(geometry), "geoms", [shape(geometry)]) if not p.is_empty]
    if not parts:
        return None
    if max(p.bounds[2] for p in parts) - min(p.bounds[0] for p in parts) > 180:
        parts = [affinity.translate(p, 360.0) if p.centroid.x < 0 else p
                 for p in parts]
    main = max(parts, key=lambda p: p.area)
    near = [p for p in parts if p.distance(main) <= EXTENT_NEAR_DEGREES]
    west, south, east, north = shapely.union_all(near).bounds
    return (round(south, 3), round(west, 3), round(north, 3), round(east, 3))


def _place_view(place: Place) -> tuple[list[list[float]] | None, int]:
    """How a click shows the place: the extent to fit (or None: its point) and the zoom
    limit (the fitted view's maximum, or the point's zoom): a country its outline, a place
    in no single country wide, anything else by its feature class."""
    feature = place.feature if place.feature in FEATURES else "other"
    extent = country_extent(place.country_code) if feature == "country" else None
    if extent is not None:
        south, west, north, east = extent
        return [[south, west], [north, east]], FIT_MAX_ZOOM
    if not place.country_code and feature not in ("country", "continent"):
        return None, min(FEATURE_ZOOM[feature], WIDE_AREA_ZOOM)
    return None, FEATURE_ZOOM[feature]


def story_payload(story: Story, ui_language: str = "en") -> dict[str, Any]:
    """Everything the page script needs, compact; offsets are relative to each passage.

    One entry per place the text names (`Story.named_places`): a seat of government shown
    only for its country is part of that country's entry (its marker stands at the seat),
    never a place of its own. Every word comes in `ui_language`."""
    idx = StoryIndex(story)
    words = StoryText(story, ui_language)
    named = story.named_places()
    position = {p.id: i for i, p in enumerate(named)}
    passages = [[p.index, p.text] for p in story.passages]
    mentions: list[list[Any]] = []
    mention_index: dict[tuple[int, int], int] = {}
    for m in sorted(story.mentions, key=lambda m: (m.passage, m.start, m.end)):
        passage = idx.passages.get(m.passage)
        if passage is None or not passage.start <= m.start < m.end <= passage.end:
            log.warning("mention %r at %d:%d lies outside its passage", m.text, m.start, m.end)
            continue
        place = position.get(m.place_id, -1) if m.place_id else -1
        kind = m.kind if m.kind in MENTION_KINDS else "name"
        mention_index[(m.start, m.end)] = len(mentions)
        mentions.append([m.passage, m.start - passage.start, m.end - passage.start, place, kind])
    places = []
    for p in named:
        lat, lon = idx.marker_position(p)
        own = idx.own[p.id]
        snips = []
        by_passage: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for m in own:
            passage = idx.passages.get(m.passage)
            if passage is not None and passage.start <= m.start < m.end <= passage.end:
                by_passage[m.passage].append((m.start - passage.start, m.end - passage.start))
        for pi, spans in by_passage.items():
            text = idx.passages[pi].text
            a, b = snippet_window(len(text), spans, text)
            inside = [[s, e] for s, e in spans if s < b and e > a]
            snips.append([pi, a, b, inside])
        feature = p.feature if p.feature in FEATURES else "other"
        extent, zoom = _place_view(p)
        places.append(
            {
                "id": p.id,
                "label": words.name(p),
                "title": words.title(p),
                "sub": words.subtitle(p),
                "seatNote": words.seat_note(p),
                "counted": words.mentioned(len(own)),
                "aria": words.aria(p, len(own)),
                "show": words.show_on_map(p),
                "feature": feature,
                "atSeat": words.seat(p) is not None,
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "extent": extent,
                "zoom": zoom,
                "snips": snips,
                "count": len(own),
                "mi": [mention_index[(m.start, m.end)] for m in own
                       if (m.start, m.end) in mention_index],
            }
        )
    steps = idx.steps(position)
    bounds = None
    if named:
        points = [idx.marker_position(p) for p in named]
        lats = [round(la, 6) for la, _ in points]
        lons = [round(lo, 6) for _, lo in points]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    return {
        "v": 2,
        "lang": words.language,
        "t": words.messages(),
        "overview": words.overview(len(places), len(steps)),
        "stepText": [words.step(k + 1, len(steps)) for k in range(len(steps))],
        "passages": passages,
        "mentions": mentions,
        "places": places,
        "steps": steps,
        "bounds": bounds,
        "spreadZoom": SPREAD_ZOOM,
        "fitZoom": FIT_MAX_ZOOM,
        "clusterRadius": CLUSTER_RADIUS_PX,
        "flightSeconds": FLIGHT_SECONDS,
    }


# -- the folium element -------------------------------------------------------------------------


@functools.cache
def template_text(name: str) -> str:
    """A file from templates/, read once per process (package data does not change)."""
    return (resources.files("storymap") / "templates" / name).read_text(encoding="utf-8")


def page_script(name: str) -> str:
    """A page script from templates/, after the helpers all of them share (common.js)."""
    return with_common(template_text(name))


def with_common(script: str) -> str:
    """`script` after common.js, the helpers every storymap page script uses."""
    return template_text("common.js") + "\n" + script


def map_attribution(basemap: bool) -> str:
    """The attribution line's data credits (GeoNames; Natural Earth with the basemap)."""
    return GEONAMES_MAP_ATTRIBUTION + (" | " + html.escape(BASEMAP_ATTRIBUTION) if basemap
                                       else "")


class RawHTML(Element):
    """Finished markup that is emitted as is (branca's ``Element(text)`` would run `text`
    through Jinja a second time, evaluating any ``{{ ... }}`` the article contains)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class StoryLayer(MacroElement):
    """The markers, popups, story panel and story mode: one element, one Jinja template."""

    def __init__(
        self,
        story: Story,
        *,
        ui_language: str = "en",
        embedded: bool = False,
        panel: bool = True,
        basemap: bool = True,
        cluster: bool = True,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "StoryLayer"
        self._template = Template(template_text("story.html.j2"))
        words = StoryText(story, ui_language)
        self.panel = panel
        self.embedded = embedded
        self.language = story.language
        self.ui_language = words.language
        self.title = story.title
        self.words = words.chrome()
        self.data_json = script_json(story_payload(story, words.language))
        self.basemap_json = script_json(world_basemap()) if basemap else "null"
        self.options_json = script_json(
            {
                "cluster": cluster,
                "panel": panel,
                "embedded": embedded,
                "icons": list(asset_bundle()["icons"]),
                "attribution": words.attribution(basemap),
            }
        )
        self.css = template_text("storymap.css")
        self.js = page_script("storymap.js")

    def render(self, **kwargs: Any) -> str:
        """Like ``MacroElement.render``, but the rendered parts are added as `RawHTML`."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("StoryLayer must be rendered inside a folium Figure")
        module = self._template.module
        for part, target in (("header", figure.header), ("html", figure.html),
                             ("script", figure.script)):
            macro = getattr(module, part, None)
            if macro is not None:
                target.add_child(RawHTML(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


def _story_view(
    idx: StoryIndex, story: Story
) -> tuple[tuple[float, float, float, float] | None, list[float], int]:
    """Bounds of the markers (countries at their seats) and the view that shows them."""
    positions = [idx.marker_position(p) for p in story.named_places()]
    bounds = (
        (min(la for la, _ in positions), min(lo for _, lo in positions),
         max(la for la, _ in positions), max(lo for _, lo in positions))
        if positions else None
    )
    center, zoom = _initial_view(bounds)
    return bounds, center, zoom


def _initial_view(
    bounds: tuple[float, float, float, float] | None,
) -> tuple[list[float], int]:
    """A centre and zoom close to the fitted view (the page script fits the bounds exactly)."""
    if bounds is None:
        return [20.0, 0.0], 2
    south, west, north, east = bounds
    span = max(north - south, (east - west) / 2, 0.01)
    zoom = max(1, min(FIT_MAX_ZOOM, int(math.log2(180 / span))))
    return [round((south + north) / 2, 5), round((west + east) / 2, 5)], zoom


def render(
    story: Story,
    *,
    ui_language: str = "en",
    embedded: bool = False,
    panel: bool = True,
    tiles: bool = True,
    basemap: bool = True,
    cluster: bool = True,
) -> folium.Map:
    """The story map, the one page the export and the app show: clustered markers styled by
    feature, lazy popups with every passage that mentions a place, country outlines, the
    narrative route, a layer control and (with `panel`) the article beside the map with
    story mode. Every word is in `ui_language`; `embedded` lays the page out to fill a
    frame (the app's), without the page's own credits and help line."""
    idx = StoryIndex(story)
    words = StoryText(story, ui_language)
    chrome = words.chrome()
    _, center, zoom = _story_view(idx, story)
    m = folium.Map(
        location=center,
        tiles=None,
        zoom_start=zoom,
        zoom_control=False,  # the page script adds it, with titles in the UI language
        control_scale=False,  # the page script adds it: miles only for English readers
        max_zoom=18,
        world_copy_jump=True,
    )
    use_data_uri_assets(m)
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.title = html.escape(story.title or "storymap")
    figure.header.add_child(
        Element('<meta name="generator" content="storymap">'), name="storymap_generator"
    )
    if tiles:
        folium.TileLayer(
            OSM_TILES,
            attr=words.tile_attribution(),
            name="OpenStreetMap",
            max_zoom=19,
            control=False,
            referrer_policy=TILE_REFERRER_POLICY,
        ).add_to(m)

    codes = [p.country_code for p in story.named_places()
             if p.feature == "country" and p.country_code]
    outlines = country_outlines(codes)
    outline_group = folium.FeatureGroup(name=chrome["outlines"], show=True)
    if outlines["features"]:
        folium.GeoJson(
            outlines,
            name=chrome["outlines"],
            style_function=lambda _f: {
                "color": "#b03a2e",
                "weight": 1.5,
                "fillColor": "#e6b0aa",
                "fillOpacity": 0.18,
            },
            interactive=False,
            control=False,
        ).add_to(outline_group)
    outline_group.add_to(m)

    route_group = folium.FeatureGroup(name=chrome["route"], show=True)
    route = idx.route()
    if len(route) > 1:
        folium.PolyLine(  # type: ignore[no-untyped-call]
            [[round(lat, 5), round(lon, 5)] for lat, lon in route],
            color="#1f4e79",
            weight=2.5,
            opacity=0.8,
            dash_array="6 6",
            interactive=False,
        ).add_to(route_group)
    route_group.add_to(m)

    StoryLayer(story, ui_language=words.language, embedded=embedded, panel=panel,
               basemap=basemap, cluster=cluster).add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


# -- the app's map (Streamlit) -------------------------------------------------------------------

APP_FEATURE_NAMES = {
    "country": "country", "region": "region", "city": "city", "landmark": "landmark",
    "water": "water", "mountain": "mountain", "island": "island", "continent": "continent",
    "other": "place",
}

_APP_SCRIPT = """
(function (map, d, basemap) {
  storymapCommon.addAttributionAndBasemap(map, d.attribution, basemap, "smBasemap",
                                          L.canvas);
  var group = L.featureGroup();
  d.markers.forEach(function (mk) {
    var icon = L.divIcon({
      className: "sm-marker sm-f-" + mk.feature + (mk.seat ? " sm-seat" : ""),
      html: "", iconSize: [22, 22], iconAnchor: [11, 11], tooltipAnchor: [12, 0]
    });
    var m = L.marker([mk.lat, mk.lon], {
      icon: icon, title: mk.title, keyboard: true, riseOnHover: true
    });
    m.on("add", function () {
      var node = m.getElement();
      if (node) {
        node.setAttribute("aria-label", mk.aria);
        node.setAttribute("data-places", mk.ids.join(" "));
      }
    });
    m.bindTooltip(mk.tip, { direction: "auto" });
    group.addLayer(m);
  });
  group.addTo(map);
  window.storymapApp = { markers: group, count: d.markers.length };
  document.documentElement.setAttribute("data-storymap-app-ready", String(d.markers.length));
})(%(map)s, %(data)s, %(basemap)s);
"""


def app_markers(story: Story) -> list[dict[str, Any]]:
    """The app map's markers: one per position, so a country shown at its seat of government
    and the seat itself are one marker (a click at a position means every place there).

    Each marker: ``lat``, ``lon`` (rounded to 6 decimals, as Leaflet reports them back on a
    click), ``ids`` (place ids, most-mentioned first), ``feature``, ``seat``, ``title`` (plain
    text), ``aria`` (plain text) and ``tip`` (HTML: every piece of text escaped here, once)."""
    idx = StoryIndex(story)
    lang = story.language
    groups: dict[tuple[float, float], list[Place]] = {}
    for p in story.places:
        lat, lon = idx.marker_position(p)
        groups.setdefault((round(lat, 6), round(lon, 6)), []).append(p)
    out = []
    for (lat, lon), places in groups.items():
        mentions = {(m.start, m.end) for p in places for m in idx.mentions[p.id]}
        direct = {p.id: len([m for m in idx.mentions[p.id] if m.place_id == p.id])
                  for p in places}
        places = sorted(places, key=lambda p: (p.feature != "country", -direct[p.id]))
        labels = list(dict.fromkeys(p.label(lang) for p in places))
        main = places[0]
        feature = main.feature if main.feature in FEATURES else "other"
        title = " · ".join(labels)
        lines = []
        for p in places:
            sub = [APP_FEATURE_NAMES.get(p.feature, "place")]
            country = country_name(p.country_code, lang)
            if country and p.feature != "country":
                sub.append(country)
            if p.seat_of and p.seat_of in idx.by_id:
                sub.append("seat of government of " + idx.by_id[p.seat_of].label(lang))
            lines.append(
                f"<strong>{html.escape(p.label(lang))}</strong>"
                f' <span class="sm-tip-en">{html.escape(" · ".join(sub))}</span>'
            )
        n = len(mentions)
        lines.append(f'<span class="sm-tip-en">{n} mention{"" if n == 1 else "s"}'
                     "; click for the passages</span>")
        out.append(
            {
                "lat": lat,
                "lon": lon,
                "ids": [p.id for p in places],
                "feature": feature,
                "seat": any(p.seat_of for p in places),
                "title": title,
                "aria": f"{title}, {APP_FEATURE_NAMES.get(feature, 'place')}, {n} mentions",
                "tip": "<br>".join(lines),
            }
        )
    return out


class AppLayer(MacroElement):
    """The app's markers as one element: a Leaflet feature group built from embedded JSON
    (escaped by :func:`script_json`, so no article text is ever read as markup or as a Jinja
    template), plus the offline basemap. The group is on the map when streamlit-folium wires
    its click handlers, so a marker click reports ``last_object_clicked`` (the marker's
    position) and ``last_object_clicked_tooltip`` (its tooltip's text)."""

    def __init__(self, story: Story, *, basemap: bool = True) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "StoryAppLayer"
        self.story = story
        self.basemap = basemap
        self._script: str | None = None
        self._template = Template(
            "{% macro header(this, kwargs) %}{{ this.header_html() }}{% endmacro %}"
            "{% macro script(this, kwargs) %}{{ this.script_js() }}{% endmacro %}"
        )

    def header_html(self) -> str:
        return "<style>\n" + template_text("storymap.css") + "\n</style>"

    def script_js(self) -> str:
        if self._script is None:
            self._script = self._build_script()
        return self._script

    def _build_script(self) -> str:
        data = {"markers": app_markers(self.story), "attribution": map_attribution(self.basemap)}
        return with_common(_APP_SCRIPT % {
            "map": self._parent.get_name() if self._parent is not None else "map",
            "data": script_json(data),
            "basemap": _basemap_json() if self.basemap else "null",
        })

    def render(self, **kwargs: Any) -> str:
        """Like ``MacroElement.render``, but the rendered parts are added as `RawHTML`."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("AppLayer must be rendered inside a folium Figure")
        figure.header.add_child(RawHTML(self.header_html()), name=self.get_name())
        figure.script.add_child(RawHTML(self.script_js()), name=self.get_name())
        return ""


@functools.cache
def _basemap_json() -> str:
    return script_json(world_basemap())


def render_app(story: Story, *, tiles: bool = True, basemap: bool = True) -> folium.Map:
    """The story as a map for the Streamlit app (streamlit-folium): plain Leaflet markers with
    escaped tooltips that report clicks, country outlines, the narrative route and the offline
    basemap; the article and story mode are Streamlit widgets beside it. Assets are data: URIs
    (Leaflet only), so the map works without a network."""
    idx = StoryIndex(story)
    bounds, center, zoom = _story_view(idx, story)
    m = folium.Map(location=center, tiles=None, zoom_start=zoom, control_scale=True,
                   max_zoom=18, world_copy_jump=True)
    js, css = _data_uri_assets()
    m.default_js = [a for a in js if a[0] == "leaflet"]
    m.default_css = [a for a in css if a[0] == "leaflet_css"]
    if tiles:
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19,
                         control=False, referrer_policy=TILE_REFERRER_POLICY).add_to(m)
    codes = [p.country_code for p in story.places if p.feature == "country" and p.country_code]
    outlines = country_outlines(codes)
    if outlines["features"]:
        folium.GeoJson(
            outlines,
            style_function=lambda _f: {"color": "#b03a2e", "weight": 1.5,
                                       "fillColor": "#e6b0aa", "fillOpacity": 0.18},
            interactive=False,
            control=False,
        ).add_to(m)
    route = idx.route()
    if len(route) > 1:
        folium.PolyLine(  # type: ignore[no-untyped-call]
            [[round(lat, 5), round(lon, 5)] for lat, lon in route],
            color="#1f4e79", weight=2.5, opacity=0.8, dash_array="6 6", interactive=False,
        ).add_to(m)
    AppLayer(story, basemap=basemap).add_to(m)
    if bounds is not None and len(story.places) > 1:
        south, west, north, east = bounds
        m.fit_bounds([[south, west], [north, east]], padding=(30, 30), max_zoom=7)
    return m


def highlight_layer(points: Iterable[tuple[float, float]]) -> folium.FeatureGroup:
    """Rings around the selected markers, for ``st_folium(feature_group_to_add=...)``: it
    changes without rebuilding the map. Coordinates only, no text."""
    group = folium.FeatureGroup(name="Selected")
    for lat, lon in points:
        folium.CircleMarker(
            [round(lat, 6), round(lon, 6)], radius=20, color="#f0b400", weight=4, fill=True,
            fill_color="#f0b400", fill_opacity=0.15, interactive=False,
        ).add_to(group)
    return group


__all__ = [
    "OSM_ATTRIBUTION",
    "AppLayer",
    "StoryIndex",
    "StoryLayer",
    "app_markers",
    "asset_bundle",
    "country_name",
    "country_outlines",
    "highlight_layer",
    "render",
    "render_app",
    "script_json",
    "snippet_window",
    "story_payload",
    "use_data_uri_assets",
    "world_basemap",
]

