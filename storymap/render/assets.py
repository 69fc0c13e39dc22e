"""Leaflet and Leaflet.markercluster from their XStatic packages, inlined (so a page needs no
network), and the page templates and scripts shipped in ``storymap/templates``. No jQuery:
folium lists it by default, but nothing on a storymap page uses it, and it was a fifth of
the page a browser parses."""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources

import folium

# -- static assets from the XStatic registry packages ---------------------------------------------


@functools.cache
def asset_bundle() -> dict[str, tuple[str, ...]]:
    """Leaflet and Leaflet.markercluster read from their XStatic packages.

    Returns ``{"js": (...), "css": (...), "icons": (marker, marker-2x, shadow)}``; CSS image
    references are rewritten to data: URIs and source-map comments dropped, so nothing asks the
    network or the disk for a file.
    """
    from xstatic.pkg import leaflet, leaflet_markercluster

    def read(base: str, name: str) -> str:
        with open(f"{base}/{name}", encoding="utf-8") as fh:
            text = fh.read()
        return re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)

    def data_uri(base: str, name: str, mime: str = "image/png") -> str:
        with open(f"{base}/{name}", "rb") as fh:
            return f"data:{mime};base64," + base64.b64encode(fh.read()).decode("ascii")

    lf, mc = leaflet.BASE_DIR, leaflet_markercluster.BASE_DIR
    leaflet_css = re.sub(
        r"url\((images/[\w.-]+\.png)\)",
        lambda m: f"url({data_uri(lf, m.group(1))})",
        read(lf, "leaflet.css"),
    )
    leaflet_css = leaflet_css.replace("behavior: url(#default#VML);", "")
    return {
        "js": (
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


ASSET_NAMES_JS = ("leaflet", "leaflet_markercluster")
ASSET_NAMES_CSS = ("leaflet_css", "markercluster_css", "markercluster_default_css")


@functools.cache
def data_uri_assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    bundle = asset_bundle()

    def uri(mime: str, text: str) -> str:
        return f"data:{mime};base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")

    js = [(n, uri("text/javascript", t)) for n, t in zip(ASSET_NAMES_JS, bundle["js"], strict=True)]
    css = [(n, uri("text/css", t)) for n, t in zip(ASSET_NAMES_CSS, bundle["css"], strict=True)]
    return js, css


def use_data_uri_assets(m: folium.Map) -> None:
    """Point this map instance (never folium's globals) at data: URIs of the bundled assets, so
    it works without a network wherever folium's HTML is shown (a notebook, Streamlit)."""
    js, css = data_uri_assets()
    m.default_js = list(js)
    m.default_css = list(css)


# -- templates and page scripts ----------------------------------------------------------------


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
