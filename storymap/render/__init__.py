"""Story → map pages. One module per job, in the order a page is built:

- `page`: JSON safe inside ``<script>``, raw markup, tiles and credits;
- `assets`: Leaflet and markercluster inlined, the page templates and scripts;
- `geodata`: country outlines, the offline basemap and country extents (shapely, cached);
- `index`: per-story lookups (marker positions, mentions, steps, route);
- `view`: the zoom table, a story's first view, a place's view on a click;
- `payload`: the story as the JSON the story map's page script reads;
- `story_map`: `render`, the story map the export and the app show;
- `app_map`: `render_app`, the app's streamlit-folium map and its selection rings.

Every name is re-exported here, so ``from storymap.render import render`` keeps working.
"""

from storymap.render.app_map import (
    APP_FEATURE_NAMES,
    AppLayer,
    app_markers,
    highlight_layer,
    render_app,
)
from storymap.render.assets import (
    ASSET_NAMES_CSS,
    ASSET_NAMES_JS,
    asset_bundle,
    page_script,
    template_text,
    use_data_uri_assets,
    with_common,
)
from storymap.render.geodata import (
    BASEMAP_GRID,
    BASEMAP_TOLERANCE,
    EXTENT_NEAR_DEGREES,
    OUTLINE_TOLERANCE,
    country_extent,
    country_outlines,
    world_basemap,
)
from storymap.render.index import StoryIndex
from storymap.render.page import (
    BASEMAP_ATTRIBUTION,
    GEONAMES_MAP_ATTRIBUTION,
    OSM_ATTRIBUTION,
    OSM_TILES,
    TILE_REFERRER_POLICY,
    RawHTML,
    map_attribution,
    script_json,
)
from storymap.render.payload import SNIPPET_MAX, snippet_window, story_payload
from storymap.render.story_map import StoryLayer, render
from storymap.render.view import (
    CLUSTER_RADIUS_PX,
    FEATURE_ZOOM,
    FIT_MAX_ZOOM,
    FLIGHT_SECONDS,
    SPREAD_ZOOM,
    WIDE_AREA_ZOOM,
)
from storymap.story_text import country_name

__all__ = [
    "APP_FEATURE_NAMES",
    "ASSET_NAMES_CSS",
    "ASSET_NAMES_JS",
    "BASEMAP_ATTRIBUTION",
    "BASEMAP_GRID",
    "BASEMAP_TOLERANCE",
    "CLUSTER_RADIUS_PX",
    "EXTENT_NEAR_DEGREES",
    "FEATURE_ZOOM",
    "FIT_MAX_ZOOM",
    "FLIGHT_SECONDS",
    "GEONAMES_MAP_ATTRIBUTION",
    "OSM_ATTRIBUTION",
    "OSM_TILES",
    "OUTLINE_TOLERANCE",
    "SNIPPET_MAX",
    "SPREAD_ZOOM",
    "TILE_REFERRER_POLICY",
    "WIDE_AREA_ZOOM",
    "AppLayer",
    "RawHTML",
    "StoryIndex",
    "StoryLayer",
    "app_markers",
    "asset_bundle",
    "country_extent",
    "country_name",
    "country_outlines",
    "highlight_layer",
    "map_attribution",
    "page_script",
    "render",
    "render_app",
    "script_json",
    "snippet_window",
    "story_payload",
    "template_text",
    "use_data_uri_assets",
    "with_common",
    "world_basemap",
]
