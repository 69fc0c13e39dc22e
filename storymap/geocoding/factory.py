"""`make_geocoder(name)`: a Geocoder by name, checked before the first request (the service
exists, its key is set, the user agent identifies the user)."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import GeocodingError, Message
from .cache import GeoCache, default_cache
from .embedded import GazetteerGeocoder
from .protocol import Geocoder
from .remote import OnlineGeocoder
from .resilience import Policy
from .services import SERVICES, service_named

if TYPE_CHECKING:
    from ..gazetteer import Gazetteer

__all__ = ["GEOCODERS", "NOMINATIM_MIN_DELAY", "make_geocoder"]

GEOCODERS: tuple[str, ...] = ("gazetteer", *SERVICES)
"""Names `make_geocoder` accepts: the embedded gazetteer first, then the keyless online
services (Nominatim, Photon), then the keyed ones (key from STORYMAP_<NAME>_KEY)."""

NOMINATIM_MIN_DELAY = 1.0
"""Nominatim's usage policy: an absolute maximum of one request per second."""
MAX_TIMEOUT = 300.0

_REJECTED_AGENTS = frozenset(
    {"my-application", "my_app/1", "my_user_agent/1.0", "specify_your_app_name_here",
     "storymap", "python-urllib", "mozilla/5.0"}
)
_USER_AGENT_HELP = Message(
    "Nominatim's usage policy requires a user agent that identifies your application, e.g. "
    "--user-agent 'my-newsroom-maps/1.0 (maps@example.org)' (or set STORYMAP_USER_AGENT)."
)


def make_geocoder(
    name: str = "gazetteer",
    *,
    user_agent: str | None = None,
    timeout: float = 10.0,
    base_url: str | None = None,
    api_key: str | None = None,
    proxies: dict[str, str] | None = None,
    cache: GeoCache | bool | None = None,
    gazetteer: Gazetteer | None = None,
    policy: Policy | None = None,
    **tuning: Any,
) -> Geocoder:
    """A geocoder by name (one of GEOCODERS).

    `base_url` points Nominatim/Photon (or any service with a domain) at another server, e.g.
    a self-hosted Nominatim or the tests' fake on 127.0.0.1. Keyed services read their key
    from STORYMAP_<NAME>_KEY (GeoNames: STORYMAP_GEONAMES_USERNAME) or `api_key`.
    `cache`: a GeoCache, or False for none (default: the shared cache file). `policy` (or
    any of its fields by name, e.g. ``min_delay=0``, ``retries=1``) says how patient to be;
    Nominatim's public server is never asked faster than once a second. `gazetteer` is for
    "gazetteer". Raises GeocodingError for an unknown name, a missing key, an unusable user
    agent or setting; TypeError for an unknown keyword.
    """
    if name.strip().casefold() == "gazetteer":
        return GazetteerGeocoder(gazetteer)
    service = service_named(name)
    if service is None:
        raise GeocodingError("Unknown geocoder {name!r}. Choose one of: {choices}.",
                             name=name, choices=", ".join(GEOCODERS))
    if not (isinstance(timeout, (int, float)) and 0 < timeout <= MAX_TIMEOUT):
        raise GeocodingError("The geocoder timeout must be between 0 and 300 s, not "
                             "{timeout!r}.", timeout=timeout)

    env_agent = os.environ.get("STORYMAP_USER_AGENT")
    if service.name == "nominatim":
        agent = _check_user_agent(user_agent if user_agent is not None else env_agent)
    else:
        agent = (user_agent or env_agent or f"storymap/{_version()}").strip()

    kwargs: dict[str, Any] = {"user_agent": agent, "timeout": timeout}
    scheme = domain = None
    if base_url is not None:
        scheme, domain = _parse_base_url(base_url)
        kwargs[service.host_option] = domain
        kwargs["scheme"] = scheme
    if proxies is not None:
        kwargs["proxies"] = proxies
    elif domain is not None and _is_loopback(domain):
        kwargs["proxies"] = {}  # a local server is never reached through a proxy

    if service.key_param is not None:
        secret = api_key or (os.environ.get(service.key_env) if service.key_env else None)
        if service.name == "geonames" and not secret:
            secret = os.environ.get("STORYMAP_GEONAMES_KEY")
        if not secret:
            raise GeocodingError(
                "{service} needs an API key: set the environment variable {variable} (get a "
                "key from {service}'s website), or choose the keyless 'nominatim' or 'photon', "
                "or the offline 'gazetteer'.", service=service.title, variable=service.key_env
            )
        kwargs[service.key_param] = secret

    policy = replace(policy or Policy(), **tuning)  # TypeError for an unknown field
    if service.name == "nominatim" and domain is None:
        policy = replace(policy, min_delay=max(policy.min_delay, NOMINATIM_MIN_DELAY))

    import geopy.geocoders
    from geopy.adapters import URLLibAdapter

    cls = getattr(geopy.geocoders, service.cls)
    # urllib, not requests: no hidden connection retries, and one dependency less.
    kwargs["adapter_factory"] = URLLibAdapter
    try:
        backend = cls(**kwargs)
    except Exception as exc:  # geopy's ConfigurationError, TypeError from a bad option
        raise GeocodingError("Cannot set up {service}: {reason}", service=service.title,
                             reason=exc) from exc

    store: GeoCache | None
    if cache is False:
        store = None
    elif cache is None or cache is True:
        store = default_cache()
    else:
        store = cache
    endpoint = f"{scheme or 'https'}://{domain or 'default'}"
    return OnlineGeocoder(service, backend, cache=store, endpoint=endpoint, policy=policy)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("storymap")
    except Exception:  # pragma: no cover - not installed
        return "0"


def _check_user_agent(agent: str | None) -> str:
    if agent is None or not agent.strip():
        raise GeocodingError("No user agent given. {help}", help=_USER_AGENT_HELP)
    agent = agent.strip()
    low = agent.casefold()
    if low.startswith("geopy/") or low in _REJECTED_AGENTS or low.startswith("storymap/"):
        raise GeocodingError("The user agent {agent!r} does not identify you. {help}",
                             agent=agent, help=_USER_AGENT_HELP)
    if len(agent) < 4 or any(ord(c) < 32 for c in agent):
        raise GeocodingError("The user agent {agent!r} is not usable. {help}", agent=agent,
                             help=_USER_AGENT_HELP)
    return agent


def _parse_base_url(base_url: str) -> tuple[str, str]:
    """'http://127.0.0.1:8080/nominatim/' → ('http', '127.0.0.1:8080/nominatim')."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GeocodingError(
            "The geocoder address {address!r} is not an http(s) URL such as "
            "'https://nominatim.example.org'.", address=base_url
        )
    return parts.scheme, parts.netloc + parts.path.rstrip("/")


def _is_loopback(domain: str) -> bool:
    host = urlsplit("//" + domain).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")
