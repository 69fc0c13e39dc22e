"""Articles from a web address: fetch the page safely, keep its main text.

`fetch_article(url)` is the one entry point (the CLI's `storymap build https://…` and the app's
URL field call it). What it guarantees:

- only ``http`` and ``https``; no user names or passwords in the address;
- the host is resolved first and every address is checked: private, loopback, link-local,
  multicast, reserved and other non-public addresses are refused unless ``allow_private``
  (so the app cannot be used to reach internal hosts or a cloud metadata service). The
  connection then goes to exactly the checked address (no second DNS lookup that could
  answer differently), and no proxy is used;
- redirects are followed here, at most five, and every hop is checked the same way before
  anything connects to it;
- the answer must be ``text/html`` (or XHTML) or ``text/plain``; its size is capped while it
  streams in; the whole fetch has a time budget;
- every failure is an `InputError` with a sentence a person can act on.

Only the standard library is used (http.client, ssl, socket, ipaddress).
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import re
import socket
import ssl
import time
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from email.message import Message as EmailMessage
from urllib.parse import quote, urljoin, urlsplit

from .article import DEFAULT_MAX_BYTES, decode, html_to_text
from .errors import InputError, Message

__all__ = ["MAX_REDIRECTS", "Page", "fetch", "fetch_article", "is_url"]

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
USER_AGENT = "storymap/0.1 (article fetch; +https://pypi.org/project/storymap/)"
_CHUNK = 64 * 1024
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def is_url(text: str) -> bool:
    """Whether `text` looks like a web address (the CLI's "file or URL?" question)."""
    return bool(re.match(r"(?i)^[a-z][a-z0-9+.-]*://", text.strip()))


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    """The final address, after redirects."""
    content_type: str
    text: str
    """The decoded body (HTML or plain text)."""


AllowPrivate = bool | Collection[str]
"""False: public addresses only. True: any address. A collection of addresses or networks
("127.0.0.1", "10.1.0.0/16"): those besides the public ones (tests allow 127.0.0.1 only)."""


def fetch_article(
    url: str,
    *,
    allow_private: AllowPrivate = False,
    timeout: float = 10.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """The main text of the web page at `url` (HTML reduced with trafilatura), ready for
    `storymap.run`. Raises InputError with a clear message for every failure."""
    page = fetch(url, allow_private=allow_private, timeout=timeout, max_bytes=max_bytes)
    text = html_to_text(page.text) if page.content_type in _HTML_TYPES else page.text
    if not text.strip():
        raise InputError(
            "The page at '{url}' has no article text storymap could find. "
            "Copy the article text and paste it instead.", url=_shown(page.url)
        )
    return text


def fetch(
    url: str,
    *,
    allow_private: AllowPrivate = False,
    timeout: float = 10.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Page:
    """GET `url` with the checks described in the module docstring; the decoded page."""
    if not (timeout > 0):
        raise ValueError("timeout must be positive")
    deadline = time.monotonic() + 3 * timeout
    current = url.strip()
    for _hop in range(MAX_REDIRECTS + 1):
        target = _check_url(current)
        addresses = _resolve(target, allow_private)
        response, conn = _connect_and_get(target, addresses, timeout)
        try:
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise InputError(
                        "The page at '{url}' redirects (HTTP {status}) without saying where to.",
                        url=_shown(current), status=response.status,
                    )
                current = urljoin(current, location.strip())
                continue
            return _read_page(current, response, max_bytes, deadline)
        finally:
            response.close()
            conn.close()
    raise InputError(
        "The address '{url}' redirects more than {n} times; storymap stopped following it. "
        "Open it in a browser and give the final address.", url=_shown(url), n=MAX_REDIRECTS,
    )


# -- checks -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal, without brackets
    port: int
    path: str  # path and query, ready for the request line


def _shown(url: str, limit: int = 120) -> str:
    """The address as a message shows it (between quotes in the template), cut if long."""
    url = url.strip()
    return url if len(url) <= limit else f"{url[: limit - 1]}…"


def _check_url(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InputError("'{url}' is not a valid web address ({reason}).", url=_shown(url),
                         reason=exc) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        if scheme == "file":
            raise InputError(
                "'{url}' is a file:// address; storymap only fetches http:// and https:// web "
                "pages. To use a file on this computer, give its path instead.", url=_shown(url)
            )
        kind = (Message("a {scheme}:// address", scheme=scheme) if scheme
                else Message("not a web address"))
        raise InputError(
            "'{url}' is {kind}; storymap only fetches http:// and https:// web pages.",
            url=_shown(url), kind=kind,
        )
    if parts.username is not None or parts.password is not None:
        raise InputError(
            "The address '{url}' contains a user name or password; storymap does not send "
            "credentials. Give the address of a public page.", url=_shown(url)
        )
    host = parts.hostname
    if not host:
        raise InputError("The address '{url}' has no host name.", url=_shown(url))
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise InputError("The host name in '{url}' is not valid.", url=_shown(url)) from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return _Target(url, scheme, ascii_host, port or (443 if scheme == "https" else 80), path)


def _refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Message | None:
    """Why an address is not public (None when it is)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return Message("a loopback address (this computer itself)")
    if ip.is_link_local:
        return Message("a link-local address (such as a cloud metadata service)")
    if ip.is_multicast:
        return Message("a multicast address")
    if ip.is_unspecified:
        return Message("an unspecified address")
    if ip.is_private:
        return Message("a private network address")
    if ip.is_reserved or not ip.is_global:
        return Message("a reserved, non-public address")
    return None


def _allowed(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: AllowPrivate
) -> bool:
    if isinstance(allow_private, bool):
        return allow_private
    for item in allow_private:
        try:
            if ip in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            raise ValueError(f"allow_private: {item!r} is not an address or network") from None
    return False


def _resolve(target: _Target, allow_private: AllowPrivate) -> list[str]:
    """The host's addresses, each checked; refuses the whole host if any one is not public
    (a name answering with both a public and an internal address is not trusted)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError(
            "The host '{host}' could not be found. Check the address and your internet "
            "connection.", host=target.host
        ) from None
    except (UnicodeError, OSError) as exc:
        raise InputError("The host '{host}' cannot be looked up ({reason}).", host=target.host,
                         reason=exc) from None
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]
        ip = ipaddress.ip_address(address)
        why = _refusal(ip)
        if why is not None and not _allowed(ip, allow_private):
            raise InputError(
                "The address '{url}' points to {why} ({ip}); storymap only fetches public web "
                "pages.", url=_shown(target.url), why=why, ip=ip
            )
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise InputError("The host '{host}' has no address.", host=target.host)
    return addresses


# -- the request ----------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a checked address while the Host header keeps the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _connect_and_get(
    target: _Target, addresses: list[str], timeout: float
) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    last: Exception | None = None
    for address in addresses:
        conn: http.client.HTTPConnection
        if target.scheme == "https":
            conn = _PinnedHTTPSConnection(
                target.host, target.port, address, timeout, ssl.create_default_context()
            )
        else:
            conn = _PinnedHTTPConnection(target.host, target.port, address, timeout)
        try:
            conn.request(
                "GET",
                target.path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
                    "Accept-Encoding": "gzip, identity",
                },
            )
            return conn.getresponse(), conn
        except ssl.SSLError as exc:
            conn.close()
            raise InputError(
                "A secure connection to '{host}' failed ({reason}). The site's certificate may "
                "be invalid.", host=target.host, reason=exc.reason or exc
            ) from None
        except TimeoutError:
            conn.close()
            raise InputError(
                "The page at '{url}' did not answer within {seconds:g} s. Try again later.",
                url=_shown(target.url), seconds=timeout,
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            last = exc
            continue
    reason = (Message("connection refused") if isinstance(last, ConnectionRefusedError)
              else str(last))
    raise InputError(
        "Could not connect to '{host}' ({reason}). Check the address and your internet "
        "connection.", host=target.host, reason=reason
    )


def _content_type(response: http.client.HTTPResponse) -> tuple[str, str | None]:
    msg = EmailMessage()
    msg["content-type"] = response.getheader("Content-Type") or ""
    charset = msg.get_param("charset")
    return msg.get_content_type().lower(), (charset if isinstance(charset, str) else None)


def _read_page(
    url: str, response: http.client.HTTPResponse, max_bytes: int, deadline: float
) -> Page:
    if response.status >= 400:
        raise InputError(
            "The page at '{url}' answered HTTP {status} ({reason}); there is no article to "
            "read.", url=_shown(url), status=response.status,
            reason=response.reason or Message("error"),
        )
    if response.status != 200:
        raise InputError("The page at '{url}' answered HTTP {status}, not a page.",
                         url=_shown(url), status=response.status)
    raw_type = response.getheader("Content-Type")
    ctype, charset = _content_type(response)
    if not raw_type or ctype not in _HTML_TYPES | _TEXT_TYPES:
        what = ctype if raw_type else Message("no content type")
        raise InputError(
            "The address '{url}' is not a web page ({what}); storymap reads HTML pages and "
            "plain text.", url=_shown(url), what=what
        )
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise _too_big(url, int(length), max_bytes)
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise InputError("The page at '{url}' uses an unsupported encoding ({encoding}).",
                         url=_shown(url), encoding=encoding)
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if "gzip" in encoding else None
    body = bytearray()
    try:
        while True:
            if time.monotonic() > deadline:
                raise InputError(
                    "The page at '{url}' is arriving too slowly; storymap gave up. Try again "
                    "later.", url=_shown(url)
                )
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            if inflate is not None:
                chunk = inflate.decompress(chunk, max_bytes + 1 - len(body))
            body += chunk
            if len(body) > max_bytes:
                raise _too_big(url, len(body), max_bytes, streamed=True)
    except TimeoutError:
        raise InputError(
            "The page at '{url}' stopped sending before it was complete. Try again.",
            url=_shown(url)
        ) from None
    except (OSError, http.client.HTTPException, zlib.error) as exc:
        raise InputError("Reading the page at '{url}' failed ({reason}).", url=_shown(url),
                         reason=exc) from None
    return Page(url, ctype, _decode_body(bytes(body), charset, ctype))


def _too_big(url: str, size: int, limit: int, *, streamed: bool = False) -> InputError:
    amount = (Message("more than {n:,} bytes", n=limit) if streamed
              else Message("{n:,} bytes", n=size))
    return InputError(
        "The page at '{url}' is too large ({amount}; the limit is {limit:,} bytes). Copy the "
        "article text and paste it instead.", url=_shown(url), amount=amount, limit=limit
    )


def _decode_body(body: bytes, charset: str | None, ctype: str) -> str:
    if charset is None and ctype in _HTML_TYPES:
        found = _META_CHARSET.search(body[:4096])
        if found:
            charset = found.group(1).decode("ascii", "replace")
    if charset:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            log.info("page declared charset %r but does not decode with it", charset)
    return decode(body)
