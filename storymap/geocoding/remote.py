"""An online service as a Geocoder: geopy's geocoder for it behind the cache, the circuit
breaker, the rate limit and retries (`resilience`).

A network fault never escapes as an exception: a timeout, a refused connection, HTTP 429/5xx
or a malformed answer make the call return None / [] and leave a human-readable warning
(`OnlineGeocoder.pop_warnings()`, and `lookup()` returns it with the answer). Answers are
cached in `cache.GeoCache` (30 days; "nothing found" 1 day).
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

from ..model import FEATURES, Place
from .cache import DEFAULT_NEGATIVE_TTL, DEFAULT_TTL, GeoCache, make_key
from .protocol import Fault, Lookup
from .resilience import Failure, Policy, RateLimited, breaker_for, failure_of, retrying
from .services import Service, Unreadable, query_options, to_places

__all__ = ["CACHE_FORMAT", "OnlineGeocoder"]

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
SLOT_LEASE_MARGIN = 5.0
"""A request's slot lease outlives its timeout by this much (then another process may go)."""


class OnlineGeocoder:
    """A geopy geocoder for `service`, with cache, breaker, rate limit and retries."""

    def __init__(
        self,
        service: Service,
        backend: Any,
        *,
        cache: GeoCache | None,
        endpoint: str,
        policy: Policy,
    ) -> None:
        self.service = service
        self.name = service.name
        self.title = service.title
        self.backend = backend
        self.cache = cache
        self.endpoint = endpoint
        self.policy = policy
        key = f"{service.name}@{endpoint}"
        # Shared by every geocoder of this process for the same service and server.
        self._breaker = breaker_for(key)
        lease = float(getattr(backend, "timeout", None) or 10.0) + SLOT_LEASE_MARGIN
        self._send = RateLimited(
            backend.geocode, key=key, min_delay=policy.min_delay, slots=cache, lease=lease,
            max_slot_wait=policy.max_retry_after,
        )
        self._state = threading.Lock()
        self._warnings: deque[str] = deque(maxlen=100)
        self._params = frozenset(inspect.signature(backend.geocode).parameters)

    @property
    def min_delay(self) -> float:
        return self.policy.min_delay

    def __repr__(self) -> str:
        return f"<OnlineGeocoder {self.name} {self.endpoint}>"

    # -- the Geocoder protocol

    def geocode(
        self, query: str, *, country_codes: Sequence[str] = (), language: str | None = None
    ) -> Place | None:
        found = self.search(query, limit=5, country_codes=country_codes, language=language)
        return found[0] if found else None

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        country_codes: Sequence[str] = (),
        language: str | None = None,
    ) -> list[Place]:
        answer = self.lookup(query, limit=limit, country_codes=country_codes, language=language)
        if answer.fault is not None:
            self._warnings.append(f"{answer.fault.sentence()} while looking up {query!r}.")
        return list(answer.places)

    def pop_warnings(self) -> list[str]:
        """Warnings of the calls so far (faults), oldest first; clears them."""
        with self._state:
            out = list(self._warnings)
            self._warnings.clear()
        return out

    # -- the work

    def lookup(
        self,
        query: str,
        *,
        limit: int = 5,
        country_codes: Sequence[str] = (),
        language: str | None = None,
    ) -> Lookup:
        """Places for `query` with the fault that stopped the lookup, if any. Never raises
        for a network or service problem."""
        query = " ".join(query.split())
        limit = max(1, min(int(limit), 50))
        codes = tuple(sorted({c.strip().upper() for c in country_codes if c.strip()}))
        if not query:
            return Lookup()
        key = make_key(
            "geocode", CACHE_FORMAT, self.name, self.endpoint, query.casefold(), limit,
            codes, language or "",
        )
        if self.cache is not None:
            found, value = self.cache.lookup(key)
            if found:
                places = _places_from_cache(value)
                if places is not None:
                    return Lookup(places, cached=True)
        down = self._breaker.open_fault()
        if down is not None:
            return Lookup(fault=down, skipped=True)  # the same outage: one warning, not many
        places_or_fault = self._ask(query, limit, codes, language)
        if isinstance(places_or_fault, Fault):
            # Reported to the caller (Lookup.fault, pop_warnings, Story.warnings): only logged
            # here for debugging, so the CLI does not print it twice.
            log.info("%s", places_or_fault.sentence())
            return Lookup(fault=places_or_fault)
        places = places_or_fault
        if self.cache is not None:
            self.cache.put(
                key,
                [_place_to_json(p) for p in places],
                service=self.name,
                ttl=DEFAULT_TTL if places else DEFAULT_NEGATIVE_TTL,
            )
        return Lookup(places)

    def _classify(self, exc: BaseException, attempt: int, deadline: float) -> Failure | None:
        failure = failure_of(exc, attempt, deadline, self.policy)
        if failure is not None and failure.hold is not None:
            self._send.hold(failure.hold)
        return failure

    def _ask(
        self, query: str, limit: int, codes: tuple[str, ...], language: str | None
    ) -> tuple[Place, ...] | Fault:
        kwargs = query_options(self.service, self._params, limit, codes, language)
        raw = retrying(
            lambda deadline: self._send(query, **kwargs, deadline=deadline),
            self._classify, self.policy, name=self.title,
        )
        if isinstance(raw, Failure):
            fault = Fault(raw.kind, raw.detail, self.title)
            if raw.trip is not None:
                self._breaker.trip(fault, raw.trip)
            return fault
        try:
            return to_places(self.service, raw, language, codes, limit)
        except (Unreadable, KeyError, TypeError, ValueError, AttributeError) as e:
            log.debug("unreadable %s answer: %r", self.name, e)
            return Fault("malformed", "unexpected content", self.title)


def _place_to_json(p: Place) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name, "feature": p.feature, "lat": p.lat, "lon": p.lon,
        "country_code": p.country_code, "geonameid": p.geonameid, "population": p.population,
        "labels": dict(p.labels),
    }


def _places_from_cache(value: Any) -> tuple[Place, ...] | None:
    if not isinstance(value, list):
        return None
    try:
        return tuple(
            Place(
                id=str(d["id"]), name=str(d["name"]),
                feature=d["feature"] if d["feature"] in FEATURES else "other",
                lat=float(d["lat"]), lon=float(d["lon"]),
                country_code=d.get("country_code"), geonameid=d.get("geonameid"),
                population=int(d.get("population") or 0),
                labels={str(k): str(v) for k, v in dict(d.get("labels") or {}).items()},
            )
            for d in value
        )
    except (KeyError, TypeError, ValueError):
        return None
