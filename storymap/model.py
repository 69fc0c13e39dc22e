"""The story data model: frozen, typed dataclasses shared by every stage.

Imports nothing heavy (no folium, geopy or streamlit) so the CLI, the app and batch jobs can
all load it cheaply. Offsets are character offsets into `Story.article`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

FEATURES = (
    "country",
    "region",
    "city",
    "landmark",
    "water",
    "mountain",
    "island",
    "continent",
    "other",
)
MentionKind = Literal["name", "adjective", "metonym"]
MENTION_KINDS: tuple[MentionKind, ...] = ("name", "adjective", "metonym")
GEONAMES_ATTRIBUTION = (
    "Place data © GeoNames (geonames.org), CC BY 4.0; country facts from countryinfo"
)


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph of the article; passage 0 is the title."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Place:
    """A real place. `labels` maps language codes to display names (e.g. {"de": "Moskau"})."""

    id: str
    name: str
    feature: str
    lat: float
    lon: float
    country_code: str | None = None
    geonameid: int | None = None
    population: int = 0
    labels: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    seat_of: str | None = None
    """Set when this place is shown as the seat of government of a mentioned country
    (the country's place id), e.g. Pyongyang for "Nordkorea" acting in politics."""

    def label(self, language: str) -> str:
        """The name in `language` when known, else the canonical (English) name."""
        return self.labels.get(language) or self.name

    def to_dict(self) -> dict[str, Any]:
        """The place as JSON-ready data (the story JSON's and the corrections log's form)."""
        return {
            "id": self.id,
            "name": self.name,
            "feature": self.feature,
            "lat": self.lat,
            "lon": self.lon,
            "country_code": self.country_code,
            "geonameid": self.geonameid,
            "population": self.population,
            "labels": dict(sorted(self.labels.items())),
            "seat_of": self.seat_of,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Place:
        """Inverse of `to_dict`; raises KeyError/TypeError/ValueError on malformed data."""
        lat, lon = float(d["lat"]), float(d["lon"])
        on_earth = -90 <= lat <= 90 and -180 <= lon <= 180
        if not (math.isfinite(lat) and math.isfinite(lon) and on_earth):
            raise ValueError(f"place {d.get('name')!r} has invalid coordinates")
        feature = str(d.get("feature", "other"))
        return cls(
            id=str(d["id"]),
            name=str(d["name"]),
            feature=feature if feature in FEATURES else "other",
            lat=lat,
            lon=lon,
            country_code=None if d.get("country_code") is None else str(d["country_code"]),
            geonameid=None if d.get("geonameid") is None else int(d["geonameid"]),
            population=int(d.get("population", 0)),
            labels={str(k): str(v) for k, v in dict(d.get("labels", {})).items()},
            seat_of=None if d.get("seat_of") is None else str(d["seat_of"]),
        )


class Evidence(Mapping[str, float]):
    """The named terms of a candidate's score: an immutable mapping (a story's evidence can
    never change another's), hashable, and picklable like the rest of the model."""

    __slots__ = ("_terms",)
    _terms: tuple[tuple[str, float], ...]

    def __init__(self, terms: Mapping[str, float] | Iterable[tuple[str, float]] = ()) -> None:
        items = terms.items() if isinstance(terms, Mapping) else terms
        object.__setattr__(self, "_terms", tuple((str(k), float(v)) for k, v in items))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Evidence is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Evidence is immutable")

    def __getstate__(self) -> tuple[tuple[str, float], ...]:
        return self._terms

    def __setstate__(self, terms: tuple[tuple[str, float], ...]) -> None:
        object.__setattr__(self, "_terms", terms)

    def __getitem__(self, key: str) -> float:
        for k, v in self._terms:
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __hash__(self) -> int:
        return hash(frozenset(self._terms))

    def __repr__(self) -> str:
        return f"Evidence({dict(self._terms)!r})"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a mention could refer to, with its score and the evidence behind it."""

    place: Place
    score: float
    evidence: Mapping[str, float] = field(default_factory=Evidence, hash=False, compare=False)
    """Frozen on construction (a plain mapping is copied into an `Evidence`)."""

    def __post_init__(self) -> None:
        if not isinstance(self.evidence, Evidence):  # a plain mapping is copied, frozen
            object.__setattr__(self, "evidence", Evidence(self.evidence))


@dataclass(frozen=True, slots=True)
class Mention:
    """One place reference in the text; `text == article[start:end]` always holds."""

    start: int
    end: int
    text: str
    passage: int
    place_id: str | None
    kind: MentionKind = "name"
    confidence: float = 0.0
    candidates: tuple[Candidate, ...] = ()


@dataclass(frozen=True, slots=True)
class Story:
    """An article with its passages, the places it talks about and every mention of them."""

    article: str
    language: str
    passages: tuple[Passage, ...]
    places: tuple[Place, ...]
    mentions: tuple[Mention, ...]
    warnings: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.passages[0].text if self.passages else ""

    def place(self, place_id: str) -> Place | None:
        return next((p for p in self.places if p.id == place_id), None)

    def mentions_of(self, place_id: str) -> list[Mention]:
        """Mentions that name the place; a seat of government also gets its country's."""
        ids = {place_id}
        place = self.place(place_id)
        if place is not None and place.seat_of:
            ids.add(place.seat_of)
        return [m for m in self.mentions if m.place_id in ids]

    def named_places(self) -> tuple[Place, ...]:
        """The places the text itself names, in story order: a seat of government shown
        only for its country ("Nordkorea" → Pjöngjang) is part of that country, not one of
        them; a seat the text also names ("der Kreml" → Moskau) is."""
        named = {m.place_id for m in self.mentions if m.place_id}
        return tuple(p for p in self.places if p.id in named)

    def seat_of_government(self, country_id: str) -> Place | None:
        return next((p for p in self.places if p.seat_of == country_id), None)

    def places_in(self, passage: int) -> list[Place]:
        """Places mentioned in a passage, in order of first mention there."""
        seen: dict[str, Place] = {}
        for m in self.mentions:
            if m.passage == passage and m.place_id and m.place_id not in seen:
                p = self.place(m.place_id)
                if p is not None:
                    seen[p.id] = p
        return list(seen.values())

    def steps(self) -> list[tuple[Passage, list[Place]]]:
        """The story-mode walk: passages that mention places, in article order."""
        out = []
        for passage in self.passages:
            places = self.places_in(passage.index)
            if places:
                out.append((passage, places))
        return out

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(south, west, north, east) of all places, or None for a story without places."""
        if not self.places:
            return None
        lats = [p.lat for p in self.places]
        lons = [p.lon for p in self.places]
        return min(lats), min(lons), max(lats), max(lons)

    def with_mention_place(
        self, start: int, end: int, place: Place | None, *, all_identical: bool = False
    ) -> Story:
        """A person's correction: the mention at (start, end) now means `place` (None: not a
        place). With `all_identical`, every mention with the same text changes too."""
        target = next((m for m in self.mentions if (m.start, m.end) == (start, end)), None)
        if target is None:
            raise KeyError(f"no mention at {start}:{end}")
        changed = []
        for m in self.mentions:
            hit = m is target or (all_identical and m.text == target.text)
            if hit:
                m = replace(m, place_id=place.id if place else None, confidence=1.0)
            changed.append(m)
        places = {p.id: p for p in self.places}
        if place is not None:
            places.setdefault(place.id, place)
        used = {m.place_id for m in changed if m.place_id}
        kept = [
            p
            for p in places.values()
            if p.id in used or (p.seat_of is not None and p.seat_of in used)
        ]
        return replace(self, mentions=tuple(changed), places=tuple(kept))

    def without_place(self, place_id: str) -> Story:
        """A person's correction: `place_id` is not a place of this story. Its mentions stay,
        marked "not a place" (no place, confidence 1.0); a seat of government shown for it
        loses that role, and disappears when nothing else names it."""
        if self.place(place_id) is None:
            raise KeyError(f"no place {place_id!r} in the story")
        mentions = tuple(
            replace(m, place_id=None, confidence=1.0) if m.place_id == place_id else m
            for m in self.mentions
        )
        used = {m.place_id for m in mentions if m.place_id}
        places = []
        for p in self.places:
            if p.id == place_id:
                continue
            if p.seat_of == place_id:
                if p.id not in used:
                    continue
                p = replace(p, seat_of=None)
            places.append(p)
        return replace(self, mentions=mentions, places=tuple(places))

    def with_added_mentions(self, place: Place, spans: Iterable[tuple[int, int]]) -> Story:
        """A person's correction: the article names `place` at each (start, end) span (a place
        the recogniser missed). Existing mentions overlapping a span give way to it; a span
        must lie inside one passage."""
        new: list[Mention] = []
        for start, end in sorted(set(spans)):
            if not 0 <= start < end <= len(self.article):
                raise ValueError(f"span {start}:{end} is outside the article")
            passage = next(
                (p for p in self.passages if p.start <= start and end <= p.end), None
            )
            if passage is None:
                raise ValueError(f"span {start}:{end} crosses a passage boundary")
            if any(m.start < end and start < m.end for m in new):
                continue
            new.append(
                Mention(start, end, self.article[start:end], passage.index, place.id,
                        "name", 1.0, ())
            )
        if not new:
            raise ValueError("no span to add")
        kept = [
            m for m in self.mentions
            if not any(m.start < n.end and n.start < m.end for n in new)
        ]
        mentions = tuple(sorted([*kept, *new], key=lambda m: (m.start, m.end)))
        used = {m.place_id for m in mentions if m.place_id}
        places = {p.id: p for p in self.places}
        places.setdefault(place.id, place)
        kept_places = tuple(
            p for p in places.values()
            if p.id in used or (p.seat_of is not None and p.seat_of in used)
        )
        return replace(self, mentions=mentions, places=kept_places)

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """RFC 7946 FeatureCollection (lon/lat) with the mentions that name each place: a
        seat of government shown for its country has ``seat_of`` and none of the country's,
        so every mention is counted once."""
        named: dict[str, list[dict[str, Any]]] = {p.id: [] for p in self.places}
        for m in self.mentions:  # one pass: a seat's country keeps its own mentions
            if m.place_id in named:
                named[m.place_id].append({"passage": m.passage, "start": m.start,
                                          "end": m.end, "text": m.text, "kind": m.kind})
        features = []
        for p in self.places:
            mentions = named[p.id]
            features.append(
                {
                    "type": "Feature",
                    "id": p.id,
                    "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                    "properties": {
                        "name": p.name,
                        "label": p.label(self.language),
                        "feature": p.feature,
                        "country_code": p.country_code,
                        "geonameid": p.geonameid,
                        "seat_of": p.seat_of,
                        "mentions": mentions,
                    },
                }
            )
        return {
            "type": "FeatureCollection",
            "features": features,
            "attribution": GEONAMES_ATTRIBUTION,
        }

    # -- lossless JSON form ------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "storymap.story/1",
            "article": self.article,
            "language": self.language,
            "passages": [[p.index, p.start, p.end] for p in self.passages],
            "places": [p.to_dict() for p in self.places],
            "mentions": [
                {
                    "start": m.start,
                    "end": m.end,
                    "passage": m.passage,
                    "place_id": m.place_id,
                    "kind": m.kind,
                    "confidence": m.confidence,
                    "candidates": [
                        {"place": c.place.to_dict(), "score": c.score,
                         "evidence": dict(c.evidence)}
                        for c in m.candidates
                    ],
                }
                for m in self.mentions
            ],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Story:
        """Inverse of `to_dict`; raises KeyError/TypeError/ValueError on malformed data."""
        if not isinstance(data, Mapping) or data.get("format") != "storymap.story/1":
            raise ValueError("not a storymap story (missing format 'storymap.story/1')")
        article, language = data["article"], data["language"]
        if not isinstance(article, str) or not isinstance(language, str):
            raise TypeError("a story's article and language must be text")
        passages = []
        for i, s, e in data["passages"]:
            if not 0 <= int(s) <= int(e) <= len(article):
                raise ValueError(f"passage {i} offsets {s}:{e} outside the article")
            passages.append(Passage(int(i), int(s), int(e), article[int(s) : int(e)]))
        mentions = []
        for m in data["mentions"]:
            start, end = int(m["start"]), int(m["end"])
            if not 0 <= start < end <= len(article):
                raise ValueError(f"mention offsets {start}:{end} outside the article")
            kind = m.get("kind", "name")
            if kind not in MENTION_KINDS:
                raise ValueError(f"unknown mention kind {kind!r}")
            mentions.append(
                Mention(
                    start=start,
                    end=end,
                    text=article[start:end],
                    passage=int(m["passage"]),
                    place_id=None if m.get("place_id") is None else str(m["place_id"]),
                    kind=kind,
                    confidence=float(m.get("confidence", 0.0)),
                    candidates=tuple(
                        Candidate(Place.from_dict(c["place"]), float(c["score"]),
                                  _evidence(c.get("evidence", {})))
                        for c in m.get("candidates", [])
                    ),
                )
            )
        return cls(
            article=article,
            language=language,
            passages=tuple(passages),
            places=tuple(Place.from_dict(p) for p in data["places"]),
            mentions=tuple(mentions),
            warnings=tuple(str(w) for w in data.get("warnings", [])),
        )


def _evidence(raw: Any) -> Evidence:
    if not isinstance(raw, Mapping):
        raise TypeError("a candidate's evidence must be a mapping of names to numbers")
    return Evidence(raw)


def unique_places(places: Iterable[Place]) -> tuple[Place, ...]:
    """Places without duplicates, first occurrence wins (keeps article order)."""
    seen: dict[str, Place] = {}
    for p in places:
        seen.setdefault(p.id, p)
    return tuple(seen.values())
