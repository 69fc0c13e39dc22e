"""What every storymap page is built from: JSON that is safe inside ``<script>``, finished
markup that branca must not run through Jinja again, the tile layer and the data credits.

Article text is hostile: it reaches a page only through :func:`script_json` (or HTML-escaped
once by the renderer that puts it in a title or tooltip)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from branca.element import Element

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
