"""The story map's words in the reader's language: every label, message, tooltip and help text
the exported page shows, read from the ``storymap`` gettext catalog (see `storymap.i18n`).

The page script holds no text of its own: `page_messages` and the per-place strings built
here travel in the page's JSON payload. Place names come from the gazetteer's labels in the
UI language (country names from CLDR when the gazetteer has none); a seat of government is
named as part of its country, "Nordkorea (Regierungssitz Pjöngjang)".
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping

from storymap.i18n import DEFAULT_LANGUAGE, UI_LANGUAGES, translations
from storymap.model import Place, Story


def N_(message: str) -> str:
    """Marks a message for the catalog; it is translated where it is shown."""
    return message


FEATURE_NAMES: Mapping[str, str] = {
    "country": N_("country"),
    "region": N_("region"),
    "city": N_("city"),
    "landmark": N_("landmark"),
    "water": N_("body of water"),
    "mountain": N_("mountain"),
    "island": N_("island"),
    "continent": N_("continent"),
    "other": N_("place"),
}
"""A place's feature class as the page names it."""


def page_language(language: str | None) -> str:
    """`language` if the interface speaks it ("de-AT" → "de"), else the default (English)."""
    base = (language or "").replace("_", "-").split("-")[0].lower()
    return base if base in UI_LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def territories(language: str) -> Mapping[str, str]:
    """CLDR's region code → name in `language` (empty for a language CLDR does not know)."""
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(language.replace("-", "_")).territories)
    except (UnknownLocaleError, ValueError, TypeError):
        return {}


def country_name(code: str | None, language: str = "en") -> str | None:
    """A country's name in `language` (English when unknown), from CLDR via babel."""
    if not code:
        return None
    code = code.upper()
    return territories(language).get(code) or territories("en").get(code) or code


class StoryText:
    """The page's words for one story in one interface language."""

    def __init__(self, story: Story, language: str) -> None:
        self.story = story
        self.language = page_language(language)
        catalog = translations(self.language, "storymap")
        self.gettext = catalog.gettext
        self.ngettext = catalog.ngettext
        self._by_id = {p.id: p for p in story.places}
        self._seat = {p.seat_of: p for p in story.places if p.seat_of}

    def name(self, place: Place) -> str:
        """The place's name in the UI language where the gazetteer (or CLDR) knows it."""
        if place.labels.get(self.language):
            return place.labels[self.language]
        if place.feature == "country":
            cldr = territories(self.language).get((place.country_code or "").upper())
            if cldr:
                return cldr
        return place.name

    def seat(self, place: Place) -> Place | None:
        """The seat of government a country is shown at, when the story has one."""
        return self._seat.get(place.id) if place.feature == "country" else None

    def title(self, place: Place) -> str:
        """The place's name as the page shows it: a country with its seat of government,
        "North Korea (seat of government Pyongyang)"."""
        _ = self.gettext
        seat = self.seat(place)
        if seat is None:
            return self.name(place)
        return _("{country} (seat of government {seat})").format(
            country=self.name(place), seat=self.name(seat))

    def feature(self, place: Place) -> str:
        _ = self.gettext
        return _(FEATURE_NAMES.get(place.feature, FEATURE_NAMES["other"]))

    def subtitle(self, place: Place) -> str:
        """Feature class and country, "city · North Korea"."""
        parts = [self.feature(place)]
        country = country_name(place.country_code, self.language)
        if country and place.feature != "country":
            parts.append(country)
        return " · ".join(parts)

    def seat_note(self, place: Place) -> str | None:
        """For a seat the text names itself (Moscow, from "Kreml"): whose seat it is."""
        _ = self.gettext
        country = self._by_id.get(place.seat_of) if place.seat_of else None
        if country is None:
            return None
        return _("Seat of government of {country}").format(country=self.name(country))

    def mentioned(self, count: int) -> str:
        ngettext = self.ngettext
        return ngettext("Mentioned once", "Mentioned {n} times", count).format(n=count)

    def aria(self, place: Place, count: int) -> str:
        """A marker's accessible name: title, feature class, how often mentioned."""
        return f"{self.title(place)}, {self.feature(place)}, {self.mentioned(count)}"

    def show_on_map(self, place: Place) -> str:
        _ = self.gettext
        return _("Show {place} on the map").format(place=self.title(place))

    def overview(self, places: int, steps: int) -> str:
        """The story controls' status line before the first step."""
        ngettext = self.ngettext
        return " · ".join((
            ngettext("{n} place", "{n} places", places).format(n=places),
            ngettext("{n} step", "{n} steps", steps).format(n=steps),
        ))

    def step(self, k: int, total: int) -> str:
        _ = self.gettext
        return _("Step {step} of {total}").format(step=k, total=total)

    def messages(self) -> dict[str, str]:
        """The fixed words the page script shows (it has none of its own)."""
        _ = self.gettext
        return {
            "title": _("Title"),
            "cluster": _("{n} places in this group"),
            "unresolved": _("Place not resolved"),
            "close": _("Close"),
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "sheet": _("Passages about this place"),
            "layers": _("Map layers"),
        }

    def chrome(self) -> dict[str, str]:
        """The page's fixed labels and help texts (story controls, panel, credits)."""
        _ = self.gettext
        return {
            "panel": _("Story text"),
            "controls": _("Story mode"),
            "prev": _("◂ Previous"),
            "prev_label": _("Previous passage with places"),
            "overview": _("Overview"),
            "overview_label": _("Show all places"),
            "next": _("Next ▸"),
            "next_label": _("Next passage with places"),
            "hint": _("Click a highlighted place to show it on the map; use ← and → to walk "
                      "through the story."),
            "credit": _("Place data © GeoNames (geonames.org), CC BY 4.0; country outlines "
                        "from countryinfo; map tiles © OpenStreetMap contributors."),
            "outlines": _("Country outlines"),
            "route": _("Narrative route"),
        }

    def attribution(self, basemap: bool) -> str:
        """The map's credit line (HTML: fixed links, translated words escaped)."""
        _ = self.gettext
        places = html.escape(_("Places"))
        line = (f'{places}: <a href="https://www.geonames.org/" target="_blank" '
                'rel="noopener">GeoNames</a> (CC BY 4.0)')
        if basemap:
            line += " | " + html.escape(_("Outlines: Natural Earth"))
        return line

    def tile_attribution(self) -> str:
        """The tiles' credit line (HTML: a fixed link, the translated words escaped)."""
        _ = self.gettext
        link = ('<a href="https://www.openstreetmap.org/copyright" target="_blank" '
                'rel="noopener">OpenStreetMap</a>')
        words = html.escape(_("{osm} contributors"))
        return "&copy; " + words.replace("{osm}", link)


__all__ = ["FEATURE_NAMES", "N_", "StoryText", "country_name", "page_language"]
