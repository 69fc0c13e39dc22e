"""The Geocoder protocol and the two values an online lookup answers with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..model import Place

__all__ = ["Fault", "Geocoder", "Lookup", "short"]


@runtime_checkable
class Geocoder(Protocol):
    """Anything that turns a place name into `Place`s.

    - ``geocode(query)`` → the best place or None,
    - ``search(query, limit=5)`` → a ranked list (the app's "add a place by name").
    """

    name: str

    def geocode(
        self, query: str, *, country_codes: Sequence[str] = (), language: str | None = None
    ) -> Place | None: ...

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        country_codes: Sequence[str] = (),
        language: str | None = None,
    ) -> list[Place]: ...


@dataclass(frozen=True, slots=True)
class Fault:
    """Why an online lookup gave no answer. `kind` is one of: timeout, refused, unreachable,
    rate-limited, server-error, malformed, auth, quota, rejected, error."""

    kind: str
    detail: str
    service: str

    def sentence(self) -> str:
        """'Could not reach Nominatim (timeout)' and the like, without a full stop."""
        s, d = self.service, self.detail
        if self.kind in ("timeout", "refused", "unreachable"):
            return f"Could not reach {s} ({d})"
        if self.kind == "server-error":
            return f"{s} is not working right now ({d})"
        if self.kind == "rate-limited":
            return f"{s} asked storymap to slow down ({d})"
        if self.kind == "malformed":
            return f"{s} sent an answer storymap could not read ({d})"
        if self.kind in ("auth", "quota"):
            return f"{s} refused the request ({d})"
        if self.kind == "rejected":
            return f"{s} rejected the query ({d})"
        return f"{s} failed ({d})"


@dataclass(frozen=True, slots=True)
class Lookup:
    """An online answer: the places found, or the fault that prevented an answer."""

    places: tuple[Place, ...] = ()
    fault: Fault | None = None
    cached: bool = False
    skipped: bool = False
    """True when the service was not asked because an earlier fault is still cooling down."""


def short(text: str, limit: int = 120) -> str:
    """`text` on one line, cut to `limit` characters: a fault's detail."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
