"""Geocoders: the embedded gazetteer (the default, offline) and online services through geopy.

Every geocoder answers two questions with the model's `Place`s:

- ``geocode(query)`` → the best place or None,
- ``search(query, limit=5)`` → a ranked list (the app's "add a place by name").

Online services (`make_geocoder("nominatim", user_agent=...)`) are wrapped so that a network
fault never escapes as an exception: a timeout, a refused connection, HTTP 429/5xx or a
malformed answer make the call return None / [] and leave a human-readable warning
(`OnlineGeocoder.pop_warnings()`, and `lookup()` returns it with the answer). Around each
service:

- geopy's `RateLimiter` keeps requests at least ``min_delay`` seconds apart within the process
  (Nominatim: 1 s, its usage policy), and a slot table in the persistent cache extends that to
  every process sharing the cache;
- HTTP 429 waits for Retry-After (capped, and shared with other processes through the cache);
  HTTP 5xx is retried with bounded exponential backoff; every call has a total time budget;
- after a fault that says "the service is down" (timeout, refused, 5xx after retries, a long
  Retry-After) the geocoder stops asking for ``cooldown`` seconds, so a story with twenty
  unknown names costs one timeout, not twenty;
- answers are cached in `storymap.geocache` (30 days; "nothing found" 1 day).

geopy is imported only when an online geocoder is made, so offline runs never load it.
"""

from __future__ import annotations

import inspect
import logging
import math
import os
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from .errors import GeocodingError
from .geocache import DEFAULT_NEGATIVE_TTL, DEFAULT_TTL, GeoCache, default_cache, make_key
from .model import FEATURES, Candidate, Mention, Place, Story

if TYPE_CHECKING:
    from .gazetteer import Gazetteer

__all__ = [
    "GEOCODERS",
    "Fault",
    "GazetteerGeocoder",
    "Geocoder",
    "Lookup",
    "OnlineGeocoder",
    "geocode_unresolved",
    "make_geocoder",
    "rerank",
    "reset_outages",
]

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
DEFAULT_MIN_DELAY = 1.0
NOMINATIM_MIN_DELAY = 1.0
"""Nominatim's usage policy: an absolute maximum of one request per second."""
RERANK_BELOW = 0.7
_SLOT_MARGIN = 0.02
"""Added to the shared slot interval so that arrival jitter never makes two requests look
closer than the minimum delay at the server."""
GEOCODED_CONFIDENCE = 0.8
"""Confidence of a mention placed by an online geocoder: one answer, no article context."""


# -- the protocol -------------------------------------------------------------------------


@runtime_checkable
class Geocoder(Protocol):
    """Anything that turns a place name into `Place`s."""

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


# -- the embedded gazetteer -----------------------------------------------------------------


class GazetteerGeocoder:
    """The embedded gazetteer as a Geocoder: offline, instant, exact names only."""

    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self._gazetteer = gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            from .gazetteer import load

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


# -- services -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Service:
    name: str
    title: str
    cls: str  # geopy.geocoders class name
    key_param: str | None = None  # constructor argument for the credential
    key_env: str | None = None
    host_option: str = "domain"


_SERVICES: dict[str, _Service] = {
    s.name: s
    for s in (
        _Service("nominatim", "Nominatim", "Nominatim"),
        _Service("photon", "Photon", "Photon"),
        _Service("opencage", "OpenCage", "OpenCage", "api_key", "STORYMAP_OPENCAGE_KEY"),
        _Service("geonames", "GeoNames", "GeoNames", "username", "STORYMAP_GEONAMES_USERNAME"),
        _Service("mapbox", "Mapbox", "MapBox", "api_key", "STORYMAP_MAPBOX_KEY"),
        _Service("here", "HERE", "HereV7", "apikey", "STORYMAP_HERE_KEY"),
        _Service("googlev3", "Google", "GoogleV3", "api_key", "STORYMAP_GOOGLE_KEY"),
        _Service("bing", "Bing Maps", "Bing", "api_key", "STORYMAP_BING_KEY"),
        _Service("tomtom", "TomTom", "TomTom", "api_key", "STORYMAP_TOMTOM_KEY"),
        _Service("maptiler", "MapTiler", "MapTiler", "api_key", "STORYMAP_MAPTILER_KEY"),
        _Service("geocodeearth", "Geocode Earth", "GeocodeEarth", "api_key",
                 "STORYMAP_GEOCODEEARTH_KEY"),
        _Service("azure", "Azure Maps", "AzureMaps", "subscription_key", "STORYMAP_AZURE_KEY"),
    )
}
_ALIASES = {"google": "googlev3", "herev7": "here", "azuremaps": "azure", "osm": "nominatim"}

GEOCODERS: tuple[str, ...] = ("gazetteer", *_SERVICES)
"""Names `make_geocoder` accepts: the embedded gazetteer first, then the keyless online
services (Nominatim, Photon), then the keyed ones (key from STORYMAP_<NAME>_KEY)."""

_REJECTED_AGENTS = frozenset(
    {"my-application", "my_app/1", "my_user_agent/1.0", "specify_your_app_name_here",
     "storymap", "python-urllib", "mozilla/5.0"}
)
_USER_AGENT_HELP = (
    "Nominatim's usage policy requires a user agent that identifies your application, e.g. "
    "--user-agent 'my-newsroom-maps/1.0 (maps@example.org)' (or set STORYMAP_USER_AGENT)."
)
_OPTIONS = frozenset(
    {"cache", "min_delay", "retries", "backoff", "max_backoff", "max_wait", "max_retry_after",
     "cooldown", "api_key", "domain", "scheme", "proxies", "gazetteer"}
)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("storymap")
    except Exception:  # pragma: no cover - not installed
        return "0"


def _check_user_agent(agent: str | None) -> str:
    if agent is None or not agent.strip():
        raise GeocodingError(f"No user agent given. {_USER_AGENT_HELP}")
    agent = agent.strip()
    low = agent.casefold()
    if low.startswith("geopy/") or low in _REJECTED_AGENTS or low.startswith("storymap/"):
        raise GeocodingError(f"The user agent {agent!r} does not identify you. {_USER_AGENT_HELP}")
    if len(agent) < 4 or any(ord(c) < 32 for c in agent):
        raise GeocodingError(f"The user agent {agent!r} is not usable. {_USER_AGENT_HELP}")
    return agent


def _parse_base_url(base_url: str) -> tuple[str, str]:
    """'http://127.0.0.1:8080/nominatim/' → ('http', '127.0.0.1:8080/nominatim')."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GeocodingError(
            f"The geocoder address {base_url!r} is not an http(s) URL such as "
            "'https://nominatim.example.org'."
        )
    return parts.scheme, parts.netloc + parts.path.rstrip("/")


def _is_loopback(domain: str) -> bool:
    host = urlsplit("//" + domain).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


def make_geocoder(
    name: str = "gazetteer",
    *,
    user_agent: str | None = None,
    timeout: float = 10.0,
    base_url: str | None = None,
    **options: Any,
) -> Geocoder:
    """A geocoder by name (one of GEOCODERS).

    `base_url` points Nominatim/Photon (or any service with a domain) at another server, e.g.
    a self-hosted Nominatim or the tests' fake on 127.0.0.1. Keyed services read their key
    from STORYMAP_<NAME>_KEY (GeoNames: STORYMAP_GEONAMES_USERNAME) or ``api_key=``.

    Options: ``cache`` (a GeoCache, or False for none; default: the shared cache file),
    ``min_delay`` (seconds between requests; Nominatim's public server never below 1),
    ``retries`` (5xx retries, default 3), ``backoff``/``max_backoff`` (first and largest wait
    between retries, default 1 s / 8 s), ``max_wait`` (total time budget of one lookup,
    default 30 s), ``max_retry_after`` (longest Retry-After honoured in-call, default 10 s),
    ``cooldown`` (seconds not to ask again after the service looked down, default 60),
    ``domain``/``scheme``/``proxies`` (passed to geopy), ``gazetteer`` (for "gazetteer").
    Raises GeocodingError for an unknown name, a missing key or an unusable user agent.
    """
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(f"make_geocoder() got unknown option(s): {', '.join(sorted(unknown))}")
    key = _ALIASES.get(name.strip().casefold(), name.strip().casefold())
    if key == "gazetteer":
        return GazetteerGeocoder(options.get("gazetteer"))
    service = _SERVICES.get(key)
    if service is None:
        raise GeocodingError(
            f"Unknown geocoder {name!r}. Choose one of: {', '.join(GEOCODERS)}."
        )
    if not (isinstance(timeout, (int, float)) and 0 < timeout <= 300):
        raise GeocodingError(f"The geocoder timeout must be between 0 and 300 s, not {timeout!r}.")

    env_agent = os.environ.get("STORYMAP_USER_AGENT")
    if service.name == "nominatim":
        agent = _check_user_agent(user_agent if user_agent is not None else env_agent)
    else:
        agent = (user_agent or env_agent or f"storymap/{_version()}").strip()

    kwargs: dict[str, Any] = {"user_agent": agent, "timeout": timeout}
    scheme, domain = options.get("scheme"), options.get("domain")
    if base_url is not None:
        scheme, domain = _parse_base_url(base_url)
    if domain is not None:
        kwargs[service.host_option] = domain
    if scheme is not None:
        kwargs["scheme"] = scheme
    if "proxies" in options:
        kwargs["proxies"] = options["proxies"]
    elif domain is not None and _is_loopback(domain):
        kwargs["proxies"] = {}  # a local server is never reached through a proxy

    if service.key_param is not None:
        secret = options.get("api_key") or (
            os.environ.get(service.key_env) if service.key_env else None
        )
        if service.name == "geonames" and not secret:
            secret = os.environ.get("STORYMAP_GEONAMES_KEY")
        if not secret:
            raise GeocodingError(
                f"{service.title} needs an API key: set the environment variable "
                f"{service.key_env} (get a key from {service.title}'s website), or choose "
                "the keyless 'nominatim' or 'photon', or the offline 'gazetteer'."
            )
        kwargs[service.key_param] = secret

    min_delay = float(options.get("min_delay", DEFAULT_MIN_DELAY))
    if service.name == "nominatim" and domain is None:
        min_delay = max(min_delay, NOMINATIM_MIN_DELAY)
    if not (math.isfinite(min_delay) and min_delay >= 0):
        raise GeocodingError(f"min_delay must be a number of seconds ≥ 0, not {min_delay!r}")

    import geopy.geocoders
    from geopy.adapters import URLLibAdapter

    cls = getattr(geopy.geocoders, service.cls)
    # urllib, not requests: no hidden connection retries, and one dependency less.
    kwargs["adapter_factory"] = URLLibAdapter
    try:
        backend = cls(**kwargs)
    except Exception as exc:  # geopy's ConfigurationError, TypeError from a bad option
        raise GeocodingError(f"Cannot set up {service.title}: {exc}") from exc

    cache_opt = options.get("cache")
    cache: GeoCache | None = (
        None if cache_opt is False else (cache_opt if cache_opt is not None else default_cache())
    )
    endpoint = f"{scheme or 'https'}://{domain or 'default'}"
    return OnlineGeocoder(
        service.name,
        service.title,
        backend,
        cache=cache,
        endpoint=endpoint,
        min_delay=min_delay,
        retries=int(options.get("retries", 3)),
        backoff=float(options.get("backoff", 1.0)),
        max_backoff=float(options.get("max_backoff", 8.0)),
        max_wait=float(options.get("max_wait", 30.0)),
        max_retry_after=float(options.get("max_retry_after", 10.0)),
        cooldown=float(options.get("cooldown", 60.0)),
    )


# -- the online wrapper ---------------------------------------------------------------------


class _Unreadable(Exception):
    """An answer arrived but its content is not what the service's format promises."""


class _Busy(Exception):
    """The shared request slot is further away than this call may wait (another process
    is queued, or the service asked everyone to wait with Retry-After)."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"next request slot in {wait:.0f} s")
        self.wait = wait


class _Shared:
    """Per (service, server) state of this process: pacing and the last outage."""

    def __init__(self, min_delay: float) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        self.last_done = -math.inf
        self.down_until = 0.0
        self.down_fault: Fault | None = None
        # In-process pacing is geopy's RateLimiter (thread-safe); retries are ours, because
        # RateLimiter's fixed wait ignores Retry-After and retries 4xx answers as well.
        self.limiter: Callable[..., Any] = RateLimiter(
            _call,
            min_delay_seconds=min_delay,
            max_retries=0,
            error_wait_seconds=min_delay,
            swallow_exceptions=False,
        )


def _call(func: Callable[..., Any], *args: Any) -> Any:
    return func(*args)


_SHARED: dict[tuple[str, float], _Shared] = {}
_SHARED_LOCK = threading.Lock()


def _shared_state(slot_key: str, min_delay: float) -> _Shared:
    with _SHARED_LOCK:
        state = _SHARED.get((slot_key, min_delay))
        if state is None:
            state = _SHARED[(slot_key, min_delay)] = _Shared(min_delay)
        return state


def reset_outages() -> None:
    """Forget remembered outages (the app's "try again" button; tests)."""
    with _SHARED_LOCK:
        for state in _SHARED.values():
            with state.lock:
                state.down_until, state.down_fault = 0.0, None


class OnlineGeocoder:
    """A geopy geocoder with rate limit, retries, time budget, circuit breaker and cache."""

    def __init__(
        self,
        name: str,
        title: str,
        backend: Any,
        *,
        cache: GeoCache | None,
        endpoint: str,
        min_delay: float = DEFAULT_MIN_DELAY,
        retries: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 8.0,
        max_wait: float = 30.0,
        max_retry_after: float = 10.0,
        cooldown: float = 60.0,
    ) -> None:
        self.name = name
        self.title = title
        self.backend = backend
        self.cache = cache
        self.endpoint = endpoint
        self.min_delay = min_delay
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.max_backoff = max(self.backoff, max_backoff)
        self.max_wait = max_wait
        self.max_retry_after = max_retry_after
        self.cooldown = cooldown
        self._slot_key = f"{name}@{endpoint}"
        # Shared by every geocoder of this process for the same service and server, so
        # that app sessions each making their own geocoder still keep the pace and the
        # memory of an outage.
        self._shared = _shared_state(self._slot_key, min_delay)
        self._state = threading.Lock()
        self._warnings: deque[str] = deque(maxlen=100)
        params = inspect.signature(backend.geocode).parameters
        self._params = frozenset(params)

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
        shared = self._shared
        with shared.lock:
            down = shared.down_fault if time.monotonic() < shared.down_until else None
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

    def _trip(self, fault: Fault, seconds: float | None = None) -> Fault:
        shared = self._shared
        with shared.lock:
            shared.down_until = time.monotonic() + (self.cooldown if seconds is None else seconds)
            shared.down_fault = fault
        return fault

    def _fault(self, kind: str, detail: str) -> Fault:
        return Fault(kind, detail, self.title)

    def _send(self, query: str, kwargs: Mapping[str, Any], deadline: float) -> Any:
        """One HTTP request. Within the process, requests to one server are serialised and
        start at least `min_delay` after the previous answer; across processes the cache's
        slot lease does the same. Raises _Busy when the slot is further away than this call
        may wait."""
        shared = self._shared
        with shared.send_lock:
            gap = shared.last_done + self.min_delay + _SLOT_MARGIN - time.monotonic()
            if self.min_delay > 0 and gap > 0:
                time.sleep(gap)
            leased = False
            if self.cache is not None and self.min_delay > 0:
                lease = float(getattr(self.backend, "timeout", None) or 10.0) + 5.0
                while True:
                    taken = self.cache.acquire(self._slot_key, lease)
                    if taken is None or taken[0] <= 0:
                        leased = taken is not None
                        break
                    wait, in_flight = taken
                    budget = deadline - time.monotonic()
                    if not in_flight and wait > min(self.max_retry_after, budget):
                        raise _Busy(wait)
                    if in_flight and budget <= 0:
                        raise _Busy(wait)
                    time.sleep(min(wait, 0.1, max(budget, 0.0)) if in_flight else wait)
            try:
                return self.backend.geocode(query, **kwargs)
            finally:
                shared.last_done = time.monotonic()
                if leased and self.cache is not None:
                    self.cache.release(self._slot_key, self.min_delay + _SLOT_MARGIN)

    def _kwargs(self, limit: int, codes: tuple[str, ...], language: str | None) -> dict[str, Any]:
        p = self._params
        kw: dict[str, Any] = {}
        if "exactly_one" in p:
            kw["exactly_one"] = False
        if "limit" in p:
            # Photon cannot filter by country: ask for more and filter here.
            kw["limit"] = limit if "country_codes" in p or not codes else min(50, limit * 4)
        if language:
            for name in ("language", "culture"):
                if name in p:
                    kw[name] = language
                    break
        if codes:
            if "country_codes" in p:
                kw["country_codes"] = [c.lower() for c in codes]  # as Nominatim documents
            elif "country" in p and self.name in ("opencage", "geonames", "mapbox"):
                kw["country"] = list(codes) if self.name != "opencage" else ",".join(codes)
        if self.name == "nominatim":
            kw["addressdetails"] = True
            kw["namedetails"] = True
        return kw

    def _ask(
        self, query: str, limit: int, codes: tuple[str, ...], language: str | None
    ) -> tuple[Place, ...] | Fault:
        from geopy import exc as gx

        kwargs = self._kwargs(limit, codes, language)
        deadline = time.monotonic() + self.max_wait
        attempt = 0
        while True:
            delay: float | None = None
            try:
                raw = self._shared.limiter(self._send, query, kwargs, deadline)
            except _Busy as e:
                return self._trip(
                    self._fault("rate-limited", f"next request allowed in {e.wait:.0f} s"),
                    seconds=e.wait,
                )
            except gx.GeocoderRateLimited as e:
                wait = e.retry_after if e.retry_after is not None else self._backoff(attempt)
                wait = max(0.0, float(wait))
                if self.cache is not None:
                    self.cache.hold(self._slot_key, time.time() + wait)
                detail = f"HTTP 429, asked to wait {wait:.0f} s"
                if wait > self.max_retry_after or attempt >= self.retries:
                    return self._trip(self._fault("rate-limited", detail), seconds=wait)
                delay = wait
            except gx.GeocoderQuotaExceeded as e:
                return self._trip(self._fault("quota", _http_detail(e, "quota exceeded")),
                                  seconds=max(self.cooldown, 600))
            except (gx.GeocoderAuthenticationFailure, gx.GeocoderInsufficientPrivileges) as e:
                return self._trip(self._fault("auth", _http_detail(e, "key not accepted")),
                                  seconds=max(self.cooldown, 600))
            except gx.GeocoderParseError:
                return self._fault("malformed", "malformed JSON")
            except gx.GeocoderQueryError as e:
                return self._fault("rejected", _http_detail(e, "bad request"))
            except (gx.GeocoderTimedOut, gx.GeocoderServiceError) as e:
                status = _status(e)
                if status is None:
                    return self._trip(self._fault(*_network_fault(e)))
                if status < 500:
                    return self._trip(self._fault("error", _short(str(e))))
                delay = self._backoff(attempt)
                retry_after = _retry_after(e)
                if retry_after is not None:
                    delay = max(delay, retry_after)
                if attempt >= self.retries or time.monotonic() + delay > deadline:
                    tries = attempt + 1
                    return self._trip(self._fault(
                        "server-error",
                        f"HTTP {status}, gave up after {tries} tr{'y' if tries == 1 else 'ies'}",
                    ))
            except gx.GeopyError as e:  # ConfigurationError, GeocoderNotFound, …
                return self._fault("error", _short(str(e)))
            except (OSError, ValueError) as e:  # anything the adapter did not translate
                return self._trip(self._fault(*_network_fault(e)))
            else:
                try:
                    return _to_places(self.name, raw, language, codes, limit)
                except (_Unreadable, KeyError, TypeError, ValueError, AttributeError) as e:
                    log.debug("unreadable %s answer: %r", self.name, e)
                    return self._fault("malformed", "unexpected content")
            if time.monotonic() + delay > deadline:
                return self._trip(self._fault("timeout", f"no answer within {self.max_wait:.0f} s"))
            log.info("%s: retrying in %.1f s", self.title, delay)
            time.sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * 2**attempt))


def _status(e: BaseException) -> int | None:
    """The HTTP status behind a geopy exception, if any (geopy keeps it in the cause)."""
    seen: BaseException | None = e
    while seen is not None:
        code = getattr(seen, "status_code", None)
        if isinstance(code, int):
            return code
        seen = seen.__cause__
    return None


def _network_fault(e: BaseException) -> tuple[str, str]:
    """(kind, detail) for a failure without an HTTP answer, from the exception chain
    (geopy keeps urllib's error as the context: URLError(reason=ConnectionRefusedError))."""
    import socket

    seen: BaseException | None = e
    chain: list[BaseException] = []
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        reason = getattr(seen, "reason", None)
        if isinstance(reason, BaseException):
            chain.append(reason)
        seen = seen.__cause__ or seen.__context__
    for err in chain:
        if isinstance(err, ConnectionRefusedError):
            return "refused", "connection refused"
        if isinstance(err, TimeoutError):
            return "timeout", "timeout"
        if isinstance(err, socket.gaierror):
            return "unreachable", "host not found"
    text = " ".join(str(err) for err in chain).casefold()
    if "timed out" in text or type(e).__name__ == "GeocoderTimedOut":
        return "timeout", "timeout"
    if "refused" in text:
        return "refused", "connection refused"
    if "name or service not known" in text or "name resolution" in text:
        return "unreachable", "host not found"
    if "unreachable" in text or "no route" in text:
        return "unreachable", "network unreachable"
    return "unreachable", _short(str(e)) or type(e).__name__


def _retry_after(e: BaseException) -> float | None:
    from geopy.adapters import get_retry_after

    seen: BaseException | None = e
    while seen is not None:
        headers = getattr(seen, "headers", None)
        if headers is not None:
            value = get_retry_after(headers)
            return None if value is None else float(value)
        seen = seen.__cause__
    return None


def _http_detail(e: BaseException, what: str) -> str:
    status = _status(e)
    return f"HTTP {status}, {what}" if status else what


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- answers → Places --------------------------------------------------------------------------

_FEATURE_BY_TYPE: dict[str, str] = {}
for _feature, _words in {
    "country": "country nation PCLI PCLD PCLF PCLS PCL",
    "continent": "continent CONT",
    "region": "state region province county state_district district administrative "
              "municipality ADM1 ADM2 ADM3 ADM1H ADM2H ADMD "
              "administrative_area_level_1 administrative_area_level_2 CountryRegion "
              "AdminDivision1 AdminDivision2 countrySubdivision countrySecondarySubdivision "
              "Geography",
    "city": "city town village hamlet suburb neighbourhood quarter borough locality "
            "isolated_dwelling farm place postcode city_district PPL PPLA PPLA2 PPLA3 PPLA4 "
            "PPLC PPLX PPLL PPLF PPLS sublocality PopulatedPlace Neighborhood "
            "Municipality MunicipalitySubdivision neighborhood",
    "island": "island islet archipelago ISL ISLS ISLET ATOL",
    "water": "water sea ocean bay strait lake river stream canal reservoir waterway "
             "wetland spring coastline fjord lagoon STM LK SEA BAY OCN RSV "
             "natural_feature_water",
    "mountain": "peak volcano mountain_range ridge hill saddle mountain MT MTS PK HLL VLC",
    "landmark": "tourism historic amenity building leisure man_made aeroway railway "
                "attraction monument museum castle station airport stadium "
                "point_of_interest establishment poi premise landmark HSTS MNMT CSTL "
                "AIRP STNR",
}.items():
    for _w in _words.split():
        _FEATURE_BY_TYPE.setdefault(_w, _feature)
        _FEATURE_BY_TYPE.setdefault(_w.casefold(), _feature)


def feature_of(kind: str | None, value: str | None, *hints: str | None) -> str:
    """The model's feature for a service's (class, type) pair, e.g. ("place", "village") →
    "city", ("boundary", "administrative") with hint "state" → "region"."""
    cls, typ = (kind or "").strip(), (value or "").strip()
    if cls == "boundary" and typ == "administrative":
        for h in hints:
            if h and (f := _FEATURE_BY_TYPE.get(h) or _FEATURE_BY_TYPE.get(h.casefold())):
                return f
        return "region"
    if cls in ("natural", "waterway", "place") or not cls:
        f = _FEATURE_BY_TYPE.get(typ) or _FEATURE_BY_TYPE.get(typ.casefold())
        if f:
            return f
    if cls in ("tourism", "historic", "amenity", "building", "leisure", "man_made",
               "aeroway", "railway"):
        return "landmark"
    if cls == "natural":
        return "other"
    for word in (typ, cls, *hints):
        if word and (f := _FEATURE_BY_TYPE.get(word) or _FEATURE_BY_TYPE.get(word.casefold())):
            return f
    return "other"


_OSM_TYPES = {"n": "node", "w": "way", "r": "relation", "node": "node", "way": "way",
              "relation": "relation"}


def _coord(lat: Any, lon: Any) -> tuple[float, float]:
    la, lo = float(lat), float(lon)
    if not (math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        raise _Unreadable(f"coordinates out of range: {lat}, {lon}")
    return la, lo


def _cc(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        return value.strip().upper()
    return None


def _osm_id(osm_type: Any, osm_id: Any) -> str | None:
    kind = _OSM_TYPES.get(str(osm_type or "").casefold())
    if kind and osm_id is not None and str(osm_id).isdigit():
        return f"osm:{kind}/{osm_id}"
    return None


def _labels(
    name: str, language: str | None, extra: Mapping[str, Any] | None = None
) -> dict[str, str]:
    labels: dict[str, str] = {}
    for k, v in (extra or {}).items():
        if isinstance(k, str) and k.startswith("name:") and isinstance(v, str):
            code = k[5:]
            if re.fullmatch(r"[a-z]{2}", code):
                labels[code] = v
    if language and language not in labels and name:
        labels[language] = name
    return labels


def _from_nominatim(raw: Mapping[str, Any], language: str | None) -> Place:
    lat, lon = _coord(raw["lat"], raw["lon"])
    address = raw.get("address") or {}
    display = str(raw.get("display_name") or "")
    name = str(raw.get("name") or (display.split(",")[0] if display else "")).strip()
    if not name:
        raise _Unreadable("no name")
    cls = raw.get("class", raw.get("category"))
    feature = feature_of(cls, raw.get("type"), raw.get("addresstype"))
    if cls == "boundary" and raw.get("addresstype") is None:
        rank = raw.get("place_rank")
        if isinstance(rank, int):
            feature = "country" if rank <= 4 else "region" if rank <= 12 else "city"
    pid = _osm_id(raw.get("osm_type"), raw.get("osm_id")) or f"nominatim:{raw['place_id']}"
    names = raw.get("namedetails") if isinstance(raw.get("namedetails"), dict) else None
    return Place(
        id=pid,
        name=name,
        feature=feature,
        lat=lat,
        lon=lon,
        country_code=_cc(address.get("country_code")) if isinstance(address, dict) else None,
        labels=_labels(name, language, names),
    )


def _from_photon(raw: Mapping[str, Any], language: str | None) -> Place:
    props = raw["properties"]
    lon, lat = raw["geometry"]["coordinates"][:2]
    lat, lon = _coord(lat, lon)
    name = str(props.get("name") or props.get("city") or props.get("street") or "").strip()
    if not name:
        raise _Unreadable("no name")
    pid = _osm_id(props.get("osm_type"), props.get("osm_id"))
    if pid is None:
        pid = f"photon:{lat:.5f},{lon:.5f}"
    return Place(
        id=pid,
        name=name,
        feature=feature_of(props.get("osm_key"), props.get("osm_value"), props.get("type")),
        lat=lat,
        lon=lon,
        country_code=_cc(props.get("countrycode")),
        labels=_labels(name, language),
    )


def _from_generic(service: str, location: Any, language: str | None) -> Place:
    """Keyed services: coordinates from geopy's Location, the rest from known raw fields."""
    raw = location.raw if isinstance(location.raw, dict) else {}
    lat, lon = _coord(location.latitude, location.longitude)
    address = str(location.address or "")
    name = str(
        raw.get("name") or raw.get("text") or raw.get("toponymName") or raw.get("title")
        or address.split(",")[0]
    ).strip()
    if not name:
        raise _Unreadable("no name")
    components: dict[str, Any] = (
        raw["components"] if isinstance(raw.get("components"), dict) else {}
    )
    cc = _cc(raw.get("countryCode")) or _cc(components.get("country_code"))
    for comp in raw.get("address_components") or ():  # Google
        if isinstance(comp, dict) and "country" in (comp.get("types") or ()):
            cc = _cc(comp.get("short_name"))
    hints: list[str | None] = [
        raw.get("fcode"), raw.get("fcl"), components.get("_type"), raw.get("entityType"),
        raw.get("resultType"), raw.get("localityType"), raw.get("type"),
        *(raw.get("types") or ()), *(raw.get("place_type") or ()),
    ]
    feature = next(
        (f for h in hints if isinstance(h, str)
         and (f := _FEATURE_BY_TYPE.get(h) or _FEATURE_BY_TYPE.get(h.casefold()))),
        "other",
    )
    geonameid: int | None = None
    if service == "geonames" and str(raw.get("geonameId", "")).isdigit():
        geonameid = int(raw["geonameId"])
        pid = f"gn:{geonameid}"  # the gazetteer's ids: the same place merges
    else:
        ident = raw.get("place_id") or raw.get("id")
        pid = f"{service}:{ident}" if ident else f"{service}:{lat:.5f},{lon:.5f}"
    population = raw.get("population")
    return Place(
        id=pid,
        name=name,
        feature=feature if feature in FEATURES else "other",
        lat=lat,
        lon=lon,
        country_code=cc,
        geonameid=geonameid,
        population=int(population) if isinstance(population, int) else 0,
        labels=_labels(name, language),
    )


def _to_places(
    service: str, raw: Any, language: str | None, codes: tuple[str, ...], limit: int
) -> tuple[Place, ...]:
    if raw is None:
        return ()
    locations = raw if isinstance(raw, list) else [raw]
    places: list[Place] = []
    for loc in locations:
        data = getattr(loc, "raw", None)
        if not isinstance(data, dict):
            raise _Unreadable("result without raw data")
        try:
            if service == "nominatim":
                place = _from_nominatim(data, language)
            elif service == "photon":
                place = _from_photon(data, language)
            else:
                place = _from_generic(service, loc, language)
        except (_Unreadable, KeyError, TypeError, ValueError, IndexError) as exc:
            if len(locations) == 1:
                raise _Unreadable(str(exc)) from exc
            log.debug("skipping an unreadable %s result: %r", service, exc)
            continue
        places.append(place)
    if codes:
        places = [p for p in places if p.country_code in codes or p.country_code is None]
    seen: dict[str, Place] = {}
    for p in places:
        seen.setdefault(p.id, p)
    return tuple(seen.values())[:limit]


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


# -- the pipeline's fallback and the optional re-ranking ------------------------------------------


class SpanLike(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def passage(self) -> int: ...


def story_countries(story: Story, limit: int = 5) -> list[str]:
    """The article's countries, most mentioned first (mentions of places in them)."""
    counts: Counter[str] = Counter()
    for m in story.mentions:
        p = story.place(m.place_id) if m.place_id else None
        if p is not None and p.country_code:
            counts[p.country_code] += 1
    return [cc for cc, _ in counts.most_common(limit)]


def _ask_one(
    geocoder: Geocoder, query: str, codes: Sequence[str], language: str | None
) -> tuple[Place | None, Fault | None]:
    lookup = getattr(geocoder, "lookup", None)
    if callable(lookup):
        answer = lookup(query, limit=5, country_codes=codes, language=language)
        if isinstance(answer, Lookup):
            return (answer.places[0] if answer.places else None), answer.fault
    name = getattr(geocoder, "name", type(geocoder).__name__)
    try:
        return geocoder.geocode(query, country_codes=codes, language=language), None
    except Exception as exc:  # a foreign geocoder: its faults must not end the story either
        log.warning("geocoder %s failed for %r", name, query, exc_info=True)
        return None, Fault("error", _short(str(exc)) or type(exc).__name__, str(name))


def _names(items: Iterable[str]) -> str:
    shown = list(dict.fromkeys(items))
    more = len(shown) - 5
    text = ", ".join(shown[:5])
    return text + (f" and {more} more" if more > 0 else "")


def geocode_unresolved(
    story: Story,
    spans: Sequence[SpanLike],
    geocoder: Geocoder,
    *,
    language: str | None = None,
) -> Story:
    """Look up names the gazetteer does not know (the recognizer's "unknown" spans) with an
    online geocoder. A hit becomes a mention of the place found; a miss or a fault leaves an
    unresolved mention (place_id None) and a line in `Story.warnings`."""
    if not spans or isinstance(geocoder, GazetteerGeocoder):
        return story
    language = language or story.language
    codes = story_countries(story)
    taken = {(m.start, m.end) for m in story.mentions}
    mentions = list(story.mentions)
    places = {p.id: p for p in story.places}
    answers: dict[str, tuple[Place | None, Fault | None]] = {}
    faults: dict[Fault, list[str]] = {}
    missing: list[str] = []
    for span in spans:
        if (span.start, span.end) in taken or any(
            m.start < span.end and span.start < m.end for m in story.mentions
        ):
            continue
        key = " ".join(span.text.split()).casefold()
        if key not in answers:
            answers[key] = _ask_one(geocoder, span.text, codes, language)
            if codes and answers[key] == (None, None):
                # Not in the article's countries: a village across the border still counts.
                answers[key] = _ask_one(geocoder, span.text, (), language)
            place, fault = answers[key]
            if fault is not None:
                faults.setdefault(fault, []).append(span.text)
            elif place is None:
                missing.append(span.text)
        place, fault = answers[key]
        if place is not None:
            if place.id not in places:
                places[place.id] = place
            existing = places[place.id]
            mentions.append(Mention(span.start, span.end, span.text, span.passage, existing.id,
                                    "name", GEOCODED_CONFIDENCE,
                                    (Candidate(existing, 1.0, {"geocoder": 1.0}),)))
        else:
            mentions.append(Mention(span.start, span.end, span.text, span.passage, None,
                                    "name", 0.0, ()))
        taken.add((span.start, span.end))
    warnings = list(story.warnings)
    title = getattr(geocoder, "title", None) or str(getattr(geocoder, "name", "the geocoder"))
    for fault, names in faults.items():
        n = len(names)
        warnings.append(
            f"{fault.sentence()}; {n} place{'s were' if n != 1 else ' was'} not looked up: "
            f"{_names(names)}."
        )
    if missing:
        n = len(missing)
        warnings.append(
            f"{title} found no place for {n} name{'s' if n != 1 else ''} the gazetteer does "
            f"not know either: {_names(missing)}."
        )
    mentions.sort(key=lambda m: (m.start, m.end))
    return replace(story, mentions=tuple(mentions), places=_in_article_order(places, mentions),
                   warnings=tuple(warnings))


def _in_article_order(
    places: Mapping[str, Place], mentions: Sequence[Mention]
) -> tuple[Place, ...]:
    """Places by first mention (a seat of government right after its country)."""
    first: dict[str, float] = {}
    for m in mentions:
        if m.place_id is not None:
            first.setdefault(m.place_id, m.start)

    def position(item: tuple[int, Place]) -> tuple[float, int]:
        i, p = item
        pos = first.get(p.id)
        if pos is None and p.seat_of is not None and p.seat_of in first:
            pos = first[p.seat_of] + 0.5
        return (math.inf if pos is None else pos, i)

    return tuple(p for _, p in sorted(enumerate(places.values()), key=position))


def _km(a: Place, b: Place) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _same_place(candidate: Place, online: Place) -> bool:
    if candidate.geonameid is not None and candidate.geonameid == online.geonameid:
        return True
    if candidate.country_code and online.country_code and (
        candidate.country_code != online.country_code
    ):
        return False
    reach = {"country": 1500.0, "continent": 3000.0, "region": 300.0}.get(candidate.feature, 40.0)
    return _km(candidate, online) <= reach


def rerank(story: Story, geocoder: Geocoder, *, below: float = RERANK_BELOW) -> Story:
    """Opt-in: let an online geocoder break close calls. For each mention with confidence
    below `below` and several candidates, the service is asked for the name (biased to the
    article's countries); the first of its results that matches a candidate (same GeoNames
    id, or nearby in the same country) picks that candidate. Faults change nothing but add a
    warning."""
    if isinstance(geocoder, GazetteerGeocoder):
        return story
    codes = story_countries(story)
    language = story.language
    mentions = list(story.mentions)
    places = {p.id: p for p in story.places}
    asked: dict[str, tuple[list[Place], Fault | None]] = {}
    faults: list[Fault] = []
    changed = False
    for i, m in enumerate(mentions):
        if m.confidence >= below or len(m.candidates) < 2 or m.kind != "name":
            continue
        key = m.text.casefold()
        if key not in asked:
            asked[key] = _search(geocoder, m.text, codes, language)
            if asked[key][1] is not None:
                faults.append(asked[key][1])  # type: ignore[arg-type]
        results, _ = asked[key]
        pick = next(
            (c for r in results for c in m.candidates if _same_place(c.place, r)), None
        )
        if pick is None or pick.place.id == m.place_id:
            continue
        rest = tuple(c for c in m.candidates if c is not pick)
        chosen = Candidate(pick.place, pick.score, {**pick.evidence, "geocoder": 1.0})
        mentions[i] = replace(m, place_id=pick.place.id, confidence=max(m.confidence, below),
                              candidates=(chosen, *rest))
        places.setdefault(pick.place.id, pick.place)
        changed = True
    warnings = list(story.warnings)
    if faults:
        warnings.append(f"{faults[0].sentence()}; the gazetteer's choices were kept.")
    if not changed:
        return replace(story, warnings=tuple(warnings)) if faults else story
    used = {m.place_id for m in mentions if m.place_id}
    kept = tuple(p for p in places.values()
                 if p.id in used or (p.seat_of is not None and p.seat_of in used))
    return replace(story, mentions=tuple(mentions), places=kept, warnings=tuple(warnings))


def _search(
    geocoder: Geocoder, query: str, codes: Sequence[str], language: str | None
) -> tuple[list[Place], Fault | None]:
    lookup = getattr(geocoder, "lookup", None)
    if callable(lookup):
        answer = lookup(query, limit=5, country_codes=codes, language=language)
        if isinstance(answer, Lookup):
            return list(answer.places), answer.fault
    try:
        return geocoder.search(query, limit=5, country_codes=codes, language=language), None
    except Exception as exc:
        log.warning("geocoder failed for %r", query, exc_info=True)
        return [], Fault("error", _short(str(exc)) or type(exc).__name__,
                         str(getattr(geocoder, "name", "geocoder")))
