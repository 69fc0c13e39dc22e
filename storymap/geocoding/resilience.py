"""Rate limit, retries and circuit breaker: wrappers around the call to a service, on the
pattern of geopy's `RateLimiter`, so that no geocoder carries them as features of its own.

- `Policy` is the one table of numbers that decide the behaviour;
- `RateLimited(func, ...)` keeps calls to one server at least ``min_delay`` seconds apart,
  within the process (geopy's RateLimiter and one lock per server) and across every process
  sharing the cache (a slot lease in `GeoCache`);
- `retrying(attempt, classify, policy)` runs an attempt until it succeeds or `classify` says
  the failure is final, within the policy's time budget;
- `failure_of(exc, ...)` reads a geopy exception: what went wrong, whether to retry, and how
  long the `Breaker` should stop asking;
- `Breaker` remembers, per service and server, the last outage until it has cooled down, so
  that a story with twenty unknown names costs one timeout, not twenty.

geopy is imported only inside the calls, so offline runs never load it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import GeocodingError
from .cache import GeoCache
from .protocol import Fault, short

__all__ = [
    "Breaker",
    "Busy",
    "Failure",
    "Policy",
    "RateLimited",
    "breaker_for",
    "failure_of",
    "reset_outages",
    "retrying",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

SLOT_MARGIN = 0.02
"""Added to the shared slot interval so that arrival jitter never makes two requests look
closer than the minimum delay at the server."""
LOCKOUT = 600.0
"""The least time not to ask a service again after it refused the key or the quota."""


@dataclass(frozen=True, slots=True)
class Policy:
    """How patient storymap is with one online service."""

    min_delay: float = 1.0
    """Seconds between requests (Nominatim's public server: never below 1, its policy)."""
    retries: int = 3
    """Retries after HTTP 5xx or 429."""
    backoff: float = 1.0
    """The first wait between retries; it doubles with every retry ..."""
    max_backoff: float = 8.0
    """... up to this."""
    max_wait: float = 30.0
    """The time budget of one lookup, waits included."""
    max_retry_after: float = 10.0
    """The longest Retry-After honoured within a call; a longer one ends the call."""
    cooldown: float = 60.0
    """Seconds not to ask again after the service looked down."""

    def __post_init__(self) -> None:
        for name in ("min_delay", "backoff", "max_backoff", "max_wait", "max_retry_after",
                     "cooldown"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise GeocodingError("{name} must be a number of seconds ≥ 0, not {value!r}",
                                     name=name, value=value)

    def wait_before(self, attempt: int) -> float:
        """The backoff before retry number `attempt` + 1."""
        first = max(0.0, self.backoff)
        return float(min(max(first, self.max_backoff), first * 2**attempt))


# -- the circuit breaker ----------------------------------------------------------------------


class Breaker:
    """The last outage of one service and server, shared by every geocoder of the process (so
    that app sessions each making their own geocoder still remember it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0
        self._fault: Fault | None = None

    def open_fault(self) -> Fault | None:
        """The fault that is still cooling down, or None when the service may be asked."""
        with self._lock:
            return self._fault if time.monotonic() < self._until else None

    def trip(self, fault: Fault, seconds: float) -> Fault:
        with self._lock:
            self._until = time.monotonic() + seconds
            self._fault = fault
        return fault

    def reset(self) -> None:
        with self._lock:
            self._until, self._fault = 0.0, None


_BREAKERS: dict[str, Breaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(key: str) -> Breaker:
    with _BREAKERS_LOCK:
        return _BREAKERS.setdefault(key, Breaker())


def reset_outages() -> None:
    """Forget remembered outages (the app's "try again" button; tests)."""
    with _BREAKERS_LOCK:
        for breaker in _BREAKERS.values():
            breaker.reset()


# -- the rate limit ---------------------------------------------------------------------------


class Busy(Exception):
    """The shared request slot is further away than this call may wait (another process
    is queued, or the service asked everyone to wait with Retry-After)."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"next request slot in {wait:.0f} s")
        self.wait = wait


class _Pace:
    """Per (server, delay) pacing of this process."""

    def __init__(self, min_delay: float) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        self.lock = threading.Lock()
        self.last_done = -math.inf
        # In-process pacing is geopy's RateLimiter (thread-safe); retries are `retrying`'s,
        # because RateLimiter's fixed wait ignores Retry-After and retries 4xx answers as well.
        self.limiter: Callable[..., Any] = RateLimiter(
            _call,
            min_delay_seconds=min_delay,
            max_retries=0,
            error_wait_seconds=min_delay,
            swallow_exceptions=False,
        )


def _call(func: Callable[..., Any], *args: Any) -> Any:
    return func(*args)


_PACES: dict[tuple[str, float], _Pace] = {}
_PACES_LOCK = threading.Lock()


def _pace_for(key: str, min_delay: float) -> _Pace:
    with _PACES_LOCK:
        pace = _PACES.get((key, min_delay))
        if pace is None:
            pace = _PACES[(key, min_delay)] = _Pace(min_delay)
        return pace


class RateLimited:
    """`func` with calls to one server at least `min_delay` seconds apart.

    Within the process, calls to one server are serialised and start at least `min_delay`
    after the previous answer; across processes the cache's slot lease does the same, so the
    requests are at least `min_delay` apart at the server whatever the scheduling jitter.
    A call raises `Busy` when the slot is further away than it may wait.
    """

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        key: str,
        min_delay: float,
        slots: GeoCache | None,
        lease: float,
        max_slot_wait: float,
    ) -> None:
        self.func = func
        self.key = key
        self.min_delay = min_delay
        self.slots = slots
        self.lease = lease
        self.max_slot_wait = max_slot_wait
        self._pace = _pace_for(key, min_delay)

    def __call__(self, *args: Any, deadline: float, **kwargs: Any) -> Any:
        return self._pace.limiter(self._send, args, kwargs, deadline)

    def hold(self, seconds: float) -> None:
        """Ask every process to wait `seconds` before the next request (Retry-After)."""
        if self.slots is not None:
            self.slots.hold(self.key, time.time() + seconds)

    def _send(self, args: tuple[Any, ...], kwargs: dict[str, Any], deadline: float) -> Any:
        pace = self._pace
        with pace.lock:
            gap = pace.last_done + self.min_delay + SLOT_MARGIN - time.monotonic()
            if self.min_delay > 0 and gap > 0:
                time.sleep(gap)
            leased = self.min_delay > 0 and self._take_slot(deadline)
            try:
                return self.func(*args, **kwargs)
            finally:
                pace.last_done = time.monotonic()
                if leased and self.slots is not None:
                    self.slots.release(self.key, self.min_delay + SLOT_MARGIN)

    def _take_slot(self, deadline: float) -> bool:
        """Wait for the shared slot; True when leased, False when there is no shared cache."""
        if self.slots is None:
            return False
        while True:
            taken = self.slots.acquire(self.key, self.lease)
            if taken is None or taken[0] <= 0:
                return taken is not None
            wait, in_flight = taken
            budget = deadline - time.monotonic()
            if not in_flight and wait > min(self.max_slot_wait, budget):
                raise Busy(wait)
            if in_flight and budget <= 0:
                raise Busy(wait)
            time.sleep(min(wait, 0.1, max(budget, 0.0)) if in_flight else wait)


# -- retries ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Failure:
    """What one failed attempt means: `kind`/`detail` as in `Fault`; retry after `retry_in`
    seconds, or not (None); and how long the breaker should stop asking (None: not at all)."""

    kind: str
    detail: str
    retry_in: float | None = None
    trip: float | None = None
    hold: float | None = None
    """Seconds every process should wait before the next request (Retry-After)."""


def retrying(
    attempt: Callable[[float], T],
    classify: Callable[[BaseException, int, float], Failure | None],
    policy: Policy,
    *,
    name: str = "service",
) -> T | Failure:
    """`attempt(deadline)` until it returns, `classify(exc, attempt_number, deadline)` says the
    failure is final, or the time budget is spent. An exception `classify` does not know
    (None) propagates."""
    deadline = time.monotonic() + policy.max_wait
    number = 0
    while True:
        try:
            return attempt(deadline)
        except Exception as exc:
            failure = classify(exc, number, deadline)
            if failure is None:
                raise
        if failure.retry_in is None:
            return failure
        if time.monotonic() + failure.retry_in > deadline:
            return Failure("timeout", f"no answer within {policy.max_wait:.0f} s",
                           trip=policy.cooldown)
        log.info("%s: retrying in %.1f s", name, failure.retry_in)
        time.sleep(failure.retry_in)
        number += 1


def failure_of(exc: BaseException, attempt: int, deadline: float, policy: Policy) -> (
    Failure | None
):
    """What a geopy (or network) exception of attempt number `attempt` means."""
    from geopy import exc as gx

    down = policy.cooldown
    if isinstance(exc, Busy):
        return Failure("rate-limited", f"next request allowed in {exc.wait:.0f} s",
                       trip=exc.wait)
    if isinstance(exc, gx.GeocoderRateLimited):
        wait = exc.retry_after if exc.retry_after is not None else policy.wait_before(attempt)
        wait = max(0.0, float(wait))
        detail = f"HTTP 429, asked to wait {wait:.0f} s"
        if wait > policy.max_retry_after or attempt >= policy.retries:
            return Failure("rate-limited", detail, trip=wait, hold=wait)
        return Failure("rate-limited", detail, retry_in=wait, hold=wait)
    if isinstance(exc, gx.GeocoderQuotaExceeded):
        return Failure("quota", _http_detail(exc, "quota exceeded"), trip=max(down, LOCKOUT))
    if isinstance(exc, (gx.GeocoderAuthenticationFailure, gx.GeocoderInsufficientPrivileges)):
        return Failure("auth", _http_detail(exc, "key not accepted"), trip=max(down, LOCKOUT))
    if isinstance(exc, gx.GeocoderParseError):
        return Failure("malformed", "malformed JSON")
    if isinstance(exc, gx.GeocoderQueryError):
        return Failure("rejected", _http_detail(exc, "bad request"))
    if isinstance(exc, (gx.GeocoderTimedOut, gx.GeocoderServiceError)):
        status = _status(exc)
        if status is None:
            return Failure(*_network_fault(exc), trip=down)
        if status < 500:
            return Failure("error", short(str(exc)), trip=down)
        delay = policy.wait_before(attempt)
        retry_after = _retry_after(exc)
        if retry_after is not None:
            delay = max(delay, retry_after)
        if attempt >= policy.retries or time.monotonic() + delay > deadline:
            tries = attempt + 1
            return Failure(
                "server-error",
                f"HTTP {status}, gave up after {tries} tr{'y' if tries == 1 else 'ies'}",
                trip=down,
            )
        return Failure("server-error", f"HTTP {status}", retry_in=delay)
    if isinstance(exc, gx.GeopyError):  # ConfigurationError, GeocoderNotFound, …
        return Failure("error", short(str(exc)))
    if isinstance(exc, (OSError, ValueError)):  # anything the adapter did not translate
        return Failure(*_network_fault(exc), trip=down)
    return None


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
    return "unreachable", short(str(e)) or type(e).__name__


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
