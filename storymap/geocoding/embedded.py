"""The embedded gazetteer as a Geocoder: the default, offline, instant, exact names only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Place

if TYPE_CHECKING:
    from ..gazetteer import Gazetteer

__all__ = ["GazetteerGeocoder"]


class GazetteerGeocoder:
    """The embedded gazetteer as a Geocoder: offline, instant, exact names only."""

    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self._gazetteer = gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            from ..gazetteer import load

            self._gazetteer = load()
        return self._gazetteer

    def geocode(
        self, query: str, *, country_codes: Sequence[str] = (), language: str | None = None
    ) -> Place | None:
        found = self.search(query, limit=1, country_codes=country_codes, language=language)
        return found[0] if found else None

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        country_codes: Sequence[str] = (),
        language: str | None = None,
    ) -> list[Place]:
        query = " ".join(query.split())
        if not query:
            return []
        wanted = {c.upper() for c in country_codes}
        found = self.gazetteer.search(query, limit=max(limit, 50) if wanted else limit)
        if wanted:
            found = [p for p in found if p.country_code in wanted]
        return found[:limit]
