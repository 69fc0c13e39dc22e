"""The map of a corpus: one standalone, offline HTML page from a ``storymap annotate`` output.

Places are circles sized by the number of articles that mention them; a popup lists those
articles (title, date, an excerpt of the passage with the mention); a time slider limits the
map to a date range when documents carry dates. Titles, excerpts and dates come from
``annotate --with-context``; without them the popups list document ids.

Built like the story map (`storymap.render`, `storymap.export`): Leaflet inlined from
its XStatic package, the embedded country-outline basemap under the OpenStreetMap
tiles, and all document text inside one JSON block made safe by `render.script_json`; the
page script puts text into the DOM with textContent only. Circles are drawn on a canvas, so
tens of thousands of places stay fast.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement

from storymap.corpus import place_key, read_records, write_atomically
from storymap.export import standalone_html
from storymap.model import FEATURES
from storymap.render import (
    OSM_ATTRIBUTION,
    OSM_TILES,
    TILE_REFERRER_POLICY,
    RawHTML,
    country_name,
    map_attribution,
    page_script,
    script_json,
    template_text,
    world_basemap,
)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DEFAULT_TITLE = "Corpus map"


@dataclass(frozen=True)
class CorpusStats:
    documents: int
    places: int
    with_context: bool
    first_date: str | None
    last_date: str | None


def corpus_payload(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """What the page script needs, compact.

    ``docs``: ``[id, title, date]`` per document (id as text; date "YYYY-MM-DD" or null).
    ``places``: per place its name, feature, country and point, and per article that mentions
    it (``d``: document index, ``m``: mentions there, ``x``: excerpt or null, ``s``: the text
    of the first mention, to highlight in the excerpt). Places are sorted by article count,
    most first; documents keep the order of the results file."""
    docs: list[list[Any]] = []
    places: dict[tuple[Any, ...], dict[str, Any]] = {}
    context = False
    for record in records:
        index = len(docs)
        doc_id = record.get("id")
        shown_id = doc_id if isinstance(doc_id, str) else _json_text(doc_id)
        title = record.get("title")
        context = context or isinstance(title, str)
        date = record.get("date")
        docs.append([
            shown_id,
            title if isinstance(title, str) and title.strip() else shown_id,
            date if isinstance(date, str) and _ISO_DAY.fullmatch(date) else None,
        ])
        in_doc: dict[tuple[Any, ...], list[Any]] = {}
        for m in record.get("mentions") or []:
            place = m.get("place") if isinstance(m, dict) else None
            if not isinstance(place, dict) or not _valid_point(place):
                continue
            key = place_key(place)
            entry = in_doc.get(key)
            if entry is None:
                text = m.get("text")
                snippet = m.get("excerpt")
                in_doc[key] = [1, snippet if isinstance(snippet, str) else None,
                               text if isinstance(text, str) else None, place]
            else:
                entry[0] += 1
        for key, (count, snippet, text, place) in in_doc.items():
            row = places.get(key)
            if row is None:
                feature = place.get("feature")
                cc = place.get("country_code")
                row = places[key] = {
                    "name": str(place.get("name") or "?"),
                    "feature": feature if feature in FEATURES else "other",
                    "country": country_name(cc) if isinstance(cc, str) else None,
                    "lat": round(float(place["lat"]), 5),
                    "lon": round(float(place["lon"]), 5),
                    "d": [], "m": [], "x": [], "s": [],
                }
            row["d"].append(index)
            row["m"].append(count)
            row["x"].append(snippet)
            row["s"].append(text)
    ordered = sorted(places.values(), key=lambda p: (-len(p["d"]), -sum(p["m"]), p["name"]))
    dates = sorted({d[2] for d in docs if d[2]})
    bounds = None
    if ordered:
        lats = [p["lat"] for p in ordered]
        lons = [p["lon"] for p in ordered]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    return {"v": 1, "docs": docs, "places": ordered, "dates": dates, "bounds": bounds,
            "context": context}


def _json_text(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _valid_point(place: dict[str, Any]) -> bool:
    try:
        lat, lon = float(place["lat"]), float(place["lon"])
    except (KeyError, TypeError, ValueError):
        return False
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90


class CorpusLayer(MacroElement):
    """Circles, popups, the time slider and the legend: data, stylesheet and script."""

    def __init__(self, payload: dict[str, Any], *, basemap: bool = True) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "CorpusLayer"
        self.data_json = script_json(payload)
        self.basemap_json = script_json(world_basemap()) if basemap else "null"
        self.options_json = script_json({
            "attribution": map_attribution(basemap),
        })

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("CorpusLayer must be rendered inside a folium Figure")
        name = self.get_name()
        if self._parent is None:
            raise TypeError("CorpusLayer must be added to a map")
        map_name = self._parent.get_name()
        figure.header.add_child(
            RawHTML(f"<style>\n{template_text('corpus_map.css')}\n</style>"), name=name)
        figure.html.add_child(RawHTML(
            f'<script type="application/json" id="corpusmap-data">{self.data_json}</script>\n'
            f'<script type="application/json" id="corpusmap-basemap">{self.basemap_json}'
            "</script>"), name=name)
        figure.script.add_child(RawHTML(
            f"{page_script('corpus_map.js')}\ncorpusmapInit({map_name}, "
            f"{self.options_json});"), name=name)
        return ""


def render_corpus(payload: dict[str, Any], *, title: str | None = None,
                  tiles: bool = True, basemap: bool = True) -> folium.Map:
    """The corpus as a folium map (assets still linked; `to_html` inlines them)."""
    m = folium.Map(location=[20.0, 0.0], tiles=None, zoom_start=2, control_scale=True,
                   max_zoom=18, world_copy_jump=True)
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.title = html.escape(title or DEFAULT_TITLE)
    figure.header.add_child(
        Element('<meta name="generator" content="storymap corpus-map">'),
        name="storymap_generator")
    if tiles:
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19,
                         control=False, referrer_policy=TILE_REFERRER_POLICY).add_to(m)
    CorpusLayer(payload, basemap=basemap).add_to(m)
    return m


def to_html(records: Iterable[dict[str, Any]], *, title: str | None = None,
            tiles: bool = True) -> str:
    """The corpus map as ONE HTML document that works from file:// without a network."""
    return _page(corpus_payload(records), title=title, tiles=tiles)


def _page(payload: dict[str, Any], *, title: str | None, tiles: bool) -> str:
    return standalone_html(render_corpus(payload, title=title, tiles=tiles))


def write_corpus_map(results: str | os.PathLike[str], output: str | os.PathLike[str], *,
                     title: str | None = None, tiles: bool = True) -> CorpusStats:
    """Read an annotate output, write the corpus map page; returns what it holds."""
    payload = corpus_payload(read_records(results))
    page = _page(payload, title=title, tiles=tiles)
    write_atomically(Path(output), page.encode("utf-8"))
    dates = payload["dates"]
    return CorpusStats(
        documents=len(payload["docs"]),
        places=len(payload["places"]),
        with_context=bool(payload["context"]),
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
    )


__all__ = ["CorpusLayer", "CorpusStats", "corpus_payload", "render_corpus", "to_html",
           "write_corpus_map"]
