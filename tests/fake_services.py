"""A local HTTP server on 127.0.0.1 that speaks Nominatim and Photon JSON, serves article
pages, and simulates the network's faults. No test touches the internet.

Endpoints:
- ``/search`` — Nominatim (format=json, addressdetails, namedetails, countrycodes, limit)
- ``/api`` — Photon (GeoJSON FeatureCollection; q, limit, lang)
- ``/page/<name>`` — article pages and other answers for fetch tests (see PAGES)
- ``/redirect?to=<url>`` — 302 to `to`

Faults are scripted per endpoint: ``server.script("/search", "500", "ok")`` makes the next two
requests answer 500 and then normally; ``server.default["/search"] = "503"`` changes the
behaviour of every later request. Modes: ok, timeout:<seconds>, 429:<retry-after>, 500, 502,
503, 504, malformed, html, empty. Every request is recorded with its monotonic arrival time.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Places the fake services know, in Nominatim's format (format=json, addressdetails=1,
# namedetails=1). Coordinates are the real ones, rounded.
PLACES: list[dict[str, Any]] = [
    {
        "place_id": 98765432,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": "node",
        "osm_id": 240109189,
        "lat": "46.6905",
        "lon": "15.9700",
        "class": "place",
        "type": "village",
        "place_rank": 19,
        "importance": 0.25,
        "addresstype": "village",
        "name": "Laafeld",
        "display_name": "Laafeld, Bad Radkersburg, Bezirk Südoststeiermark, Steiermark, 8490, "
        "Österreich",
        "address": {
            "village": "Laafeld",
            "town": "Bad Radkersburg",
            "county": "Bezirk Südoststeiermark",
            "state": "Steiermark",
            "postcode": "8490",
            "country": "Österreich",
            "country_code": "at",
        },
        "namedetails": {"name": "Laafeld", "name:sl": "Potrna"},
        "boundingbox": ["46.6805", "46.7005", "15.9600", "15.9800"],
    },
    {
        "place_id": 1234567,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": "relation",
        "osm_id": 2171347,
        "lat": "46.0569",
        "lon": "14.5058",
        "class": "boundary",
        "type": "administrative",
        "place_rank": 16,
        "importance": 0.6,
        "addresstype": "city",
        "name": "Ljubljana",
        "display_name": "Ljubljana, Slovenija",
        "address": {"city": "Ljubljana", "country": "Slovenija", "country_code": "si"},
        "namedetails": {"name": "Ljubljana", "name:de": "Laibach"},
        "boundingbox": ["45.9", "46.2", "14.4", "14.7"],
    },
    {
        "place_id": 555,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": "way",
        "osm_id": 4040,
        "lat": "52.5163",
        "lon": "13.3777",
        "class": "tourism",
        "type": "attraction",
        "place_rank": 30,
        "importance": 0.7,
        "addresstype": "tourism",
        "name": "Brandenburger Tor",
        "display_name": "Brandenburger Tor, Pariser Platz, Mitte, Berlin, 10117, Deutschland",
        "address": {"tourism": "Brandenburger Tor", "city": "Berlin", "country": "Deutschland",
                    "country_code": "de"},
        "namedetails": {"name": "Brandenburger Tor"},
        "boundingbox": ["52.51", "52.52", "13.37", "13.38"],
    },
]

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Hochwasser in der Steiermark</title></head>
<body>
<nav><a href="/">Start</a> <a href="/wetter">Wetter</a></nav>
<article>
<h1>Hochwasser in der Steiermark</h1>
<p>Nach tagelangem Regen ist die Mur in der Nacht über die Ufer getreten. In Graz wurden
mehrere Straßen gesperrt, die Feuerwehr pumpte bis zum Morgen Keller aus.</p>
<p>Besonders schwer getroffen ist der Süden des Landes. Auch in Bad Radkersburg an der Grenze
zu Slowenien stand das Wasser in der Altstadt, und in Laafeld mussten vierzig Häuser geräumt
werden.</p>
<p>Der Landeshauptmann kündigte am Vormittag Soforthilfe für die betroffenen Gemeinden an.
Die Aufräumarbeiten werden nach Angaben der Behörden mehrere Wochen dauern.</p>
</article>
<footer>© Beispielzeitung</footer>
</body></html>
"""

PAGES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "article.html": (200, {"Content-Type": "text/html; charset=utf-8"},
                     ARTICLE_HTML.encode("utf-8")),
    "article.txt": (200, {"Content-Type": "text/plain; charset=utf-8"},
                    b"Hochwasser in Graz\nIn Graz und in Laafeld steht das Wasser.\n"
),
    "data.json": (200, {"Content-Type": "application/json"}, b'{"not": "a page"}'),
    "doc.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    "missing.html": (404, {"Content-Type": "text/html"}, b"<html><body>gone</body></html>"),
}
BIG_SIZE = 3_000_000


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float  # time.monotonic() at arrival


@dataclass
class FakeServices:
    server: ThreadingHTTPServer
    thread: threading.Thread
    requests: list[Request] = field(default_factory=list)
    default: dict[str, str] = field(default_factory=lambda: defaultdict(lambda: "ok"))
    scripts: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def script(self, path: str, *modes: str) -> None:
        with self.lock:
            self.scripts[path].extend(modes)

    def next_mode(self, path: str) -> str:
        with self.lock:
            queue = self.scripts[path]
            return queue.popleft() if queue else self.default[path]

    def hits(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.scripts.clear()
            self.default.clear()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def _nominatim(query: dict[str, list[str]]) -> list[dict[str, Any]]:
    q = query.get("q", [""])[0].strip().casefold()
    codes = {c.strip().casefold() for c in ",".join(query.get("countrycodes", [])).split(",")
             if c.strip()}
    limit = int(query.get("limit", ["10"])[0])
    out = []
    for p in PLACES:
        names = {p["name"].casefold(), *(n.casefold() for n in p["namedetails"].values())}
        if q in names and (not codes or p["address"]["country_code"] in codes):
            item = dict(p)
            if query.get("addressdetails", ["0"])[0] != "1":
                item.pop("address")
            if query.get("namedetails", ["0"])[0] != "1":
                item.pop("namedetails")
            out.append(item)
    return out[:limit]


def _photon(query: dict[str, list[str]]) -> dict[str, Any]:
    q = query.get("q", [""])[0].strip().casefold()
    limit = int(query.get("limit", ["10"])[0])
    features = []
    for p in PLACES:
        names = {p["name"].casefold(), *(n.casefold() for n in p["namedetails"].values())}
        if q not in names:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(p["lon"]), float(p["lat"])]},
                "properties": {
                    "osm_type": p["osm_type"][0].upper(),
                    "osm_id": p["osm_id"],
                    "osm_key": p["class"],
                    "osm_value": p["type"],
                    "type": "city" if p["class"] != "tourism" else "house",
                    "name": p["name"],
                    "country": p["address"]["country"],
                    "countrycode": p["address"]["country_code"].upper(),
                    "state": p["address"].get("state"),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features[:limit]}


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeServices/1.0"
    protocol_version = "HTTP/1.1"
    fake: FakeServices

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_GET(self) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        with fake.lock:
            fake.requests.append(
                Request(parts.path, query, dict(self.headers.items()), time.monotonic())
            )
        if parts.path in ("/search", "/api"):
            self._service(parts.path, query)
        elif parts.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
        elif parts.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query.get("to", ["/"])[0])
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
        elif parts.path == "/page/slow.html":
            self.fake.stop.wait(float(query.get("s", ["3"])[0]))
            with suppress(OSError):
                self._send(200, b"<html><body>late</body></html>", {"Content-Type": "text/html"})
        elif parts.path == "/page/big.html":
            self._big(with_length=True)
        elif parts.path == "/page/big-stream.html":
            self._big(with_length=False)
        elif parts.path.startswith("/page/") and parts.path[6:] in PAGES:
            status, headers, body = PAGES[parts.path[6:]]
            self._send(status, body, headers)
        else:
            self._send(404, b"{}")

    def _big(self, *, with_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if with_length:
            self.send_header("Content-Length", str(BIG_SIZE))
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<p>" + b"Graz " * 2000 + b"</p>\n"
        sent = 0
        try:
            self.wfile.write(b"<!DOCTYPE html><html><body>")
            while sent < BIG_SIZE and not self.fake.stop.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: that is the point
        self.close_connection = True

    def _service(self, path: str, query: dict[str, list[str]]) -> None:
        mode = self.fake.next_mode(path)
        kind, _, arg = mode.partition(":")
        if kind == "timeout":
            self.fake.stop.wait(float(arg or 5))
            with suppress(OSError):
                self._send(200, b"[]")
            return
        if kind == "429":
            self._send(429, b'{"error": "Too Many Requests"}', {"Retry-After": arg or "1"})
            return
        if kind.isdigit():
            self._send(int(kind), b'{"error": "Server error"}')
            return
        if kind == "malformed":
            self._send(200, b'[{"place_id": 1, "lat": "46.6", "lon": ')
            return
        if kind == "html":
            self._send(200, b"<html><body>Service maintenance</body></html>",
                       {"Content-Type": "text/html"})
            return
        if kind == "empty":
            self._send(200, b"[]" if path == "/search" else b'{"features": []}')
            return
        payload: Any = _nominatim(query) if path == "/search" else _photon(query)
        self._send(200, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


@contextmanager
def running() -> Iterator[FakeServices]:
    """Start the fake services on 127.0.0.1 (a free port) for the duration of a block."""
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    fake = FakeServices(server, thread)
    handler.fake = fake  # type: ignore[attr-defined]
    thread.start()
    try:
        yield fake
    finally:
        fake.close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port
