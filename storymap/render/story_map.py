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

import html
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from storymap.model import Story
from storymap.render.assets import asset_bundle, page_script, template_text, use_data_uri_assets
from storymap.render.geodata import country_outlines, world_basemap
from storymap.render.index import StoryIndex
from storymap.render.page import OSM_TILES, TILE_REFERRER_POLICY, RawHTML, script_json
from storymap.render.payload import story_payload
from storymap.render.view import story_view
from storymap.story_text import StoryText


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
    _, center, zoom = story_view(idx, story)
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
