"""The app's folium map for streamlit-folium: plain Leaflet markers whose clicks report back,
tooltips escaped here once, country outlines, the route and the offline basemap; and the
ring layer that marks the selection without rebuilding the map."""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from typing import Any

import folium
from branca.element import Figure, MacroElement
from folium.template import Template

from storymap.model import FEATURES, Place, Story
from storymap.render.assets import data_uri_assets, template_text, with_common
from storymap.render.geodata import country_outlines, world_basemap
from storymap.render.index import StoryIndex
from storymap.render.page import (
    OSM_ATTRIBUTION,
    OSM_TILES,
    TILE_REFERRER_POLICY,
    RawHTML,
    map_attribution,
    script_json,
)
from storymap.render.view import story_view
from storymap.story_text import country_name

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
    bounds, center, zoom = story_view(idx, story)
    m = folium.Map(location=center, tiles=None, zoom_start=zoom, control_scale=True,
                   max_zoom=18, world_copy_jump=True)
    js, css = data_uri_assets()
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
