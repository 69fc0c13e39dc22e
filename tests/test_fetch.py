"""Articles from a web address, against the fake services on 127.0.0.1 (allowed explicitly:
`allow_private=("127.0.0.1",)` lets the tests reach the local server and nothing else
private). Refused addresses are refused before any connection is made."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fake_services import FakeServices, closed_port, running

from storymap import fetch as fetch_mod
from storymap.errors import InputError
from storymap.fetch import fetch, fetch_article, is_url
from storymap.gazetteer import Gazetteer
from storymap.pipeline import run

LOCAL = ("127.0.0.1",)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeServices]:
    with running() as services:
        yield services


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address storymap.fetch connects to."""
    seen: list[Any] = []
    real = socket.create_connection

    def spy(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        seen.append(address[0])
        return real(address, *args, **kwargs)

    monkeypatch.setattr(fetch_mod.socket, "create_connection", spy)  # type: ignore[attr-defined]
    return seen


def test_an_article_page_becomes_a_story(fake: FakeServices, gaz: Gazetteer) -> None:
    text = fetch_article(fake.url("/page/article.html"), allow_private=LOCAL)
    assert text.startswith("Hochwasser in der Steiermark")
    assert "Laafeld" in text and "Beispielzeitung" not in text and "Wetter" not in text
    assert "<" not in text
    story = run(text, gazetteer=gaz)
    assert story.language == "de"
    names = {p.name for p in story.places}
    assert {"Graz", "Bad Radkersburg"} <= names
    (request,) = fake.hits("/page/article.html")
    assert request.headers["User-Agent"].startswith("storymap/")


def test_plain_text_page(fake: FakeServices) -> None:
    text = fetch_article(fake.url("/page/article.txt"), allow_private=LOCAL)
    assert text.splitlines()[0] == "Hochwasser in Graz"


def test_redirect_within_allowed_addresses_is_followed(fake: FakeServices) -> None:
    url = fake.url("/redirect?to=/page/article.html")
    page = fetch(url, allow_private=LOCAL)
    assert page.url.endswith("/page/article.html")


@pytest.mark.parametrize(
    ("page", "what"), [("data.json", "application/json"), ("doc.pdf", "application/pdf")]
)
def test_non_html_answer_is_refused(fake: FakeServices, page: str, what: str) -> None:
    with pytest.raises(InputError, match=rf"not a web page \({what}\)"):
        fetch_article(fake.url(f"/page/{page}"), allow_private=LOCAL)


@pytest.mark.parametrize("page", ["big.html", "big-stream.html"])
def test_oversized_answer_is_refused(fake: FakeServices, page: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(InputError, match="too large"):
        fetch_article(fake.url(f"/page/{page}"), allow_private=LOCAL, max_bytes=500_000)
    assert time.monotonic() - t0 < 2.0


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://10.0.0.1/admin", "private network address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://192.168.1.1/", "private network address"),
        ("http://[::1]:8080/", "loopback"),
        ("http://[::ffff:10.0.0.1]/", "private network address"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://127.0.0.2:9/", "loopback"),
    ],
)
def test_redirect_to_a_refused_address_never_connects(
    fake: FakeServices, connections: list[Any], target: str, why: str
) -> None:
    url = fake.url(f"/redirect?to={target}")
    with pytest.raises(InputError, match=why) as err:
        fetch_article(url, allow_private=LOCAL)
    assert "storymap only fetches public web pages" in str(err.value)
    assert connections == ["127.0.0.1"]  # the first hop only


def test_private_addresses_are_refused_by_default(connections: list[Any]) -> None:
    for url in ("http://127.0.0.1/", "http://2130706433/", "http://10.1.2.3/x"):
        with pytest.raises(InputError, match="public web pages"):
            fetch_article(url)
    assert connections == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "file://"),
        ("ftp://example.org/article.txt", "ftp://"),
        ("javascript:alert(1)", "only fetches http"),
        ("http://user:secret@example.org/", "user name or password"),
        ("http:///nohost", "no host"),
        ("http://example.org:99999/", "not a valid web address"),
    ],
)
def test_addresses_that_are_not_fetched(
    url: str, message: str, connections: list[Any]
) -> None:
    with pytest.raises(InputError, match=message):
        fetch_article(url)
    assert connections == []


def test_redirect_to_a_file_url_is_refused(fake: FakeServices) -> None:
    with pytest.raises(InputError, match="file://"):
        fetch_article(fake.url("/redirect?to=file:///etc/passwd"), allow_private=LOCAL)


def test_redirect_loop_stops(fake: FakeServices) -> None:
    with pytest.raises(InputError, match="more than 5 times"):
        fetch_article(fake.url("/loop"), allow_private=LOCAL)
    assert len(fake.hits("/loop")) == 6


def test_http_errors_timeouts_and_refusals_are_clear(fake: FakeServices) -> None:
    with pytest.raises(InputError, match="HTTP 404"):
        fetch_article(fake.url("/page/missing.html"), allow_private=LOCAL)
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"did not answer within 0\.5 s"):
        fetch_article(fake.url("/page/slow.html?s=3"), allow_private=LOCAL, timeout=0.5)
    assert time.monotonic() - t0 < 2.0
    with pytest.raises(InputError, match="connection refused"):
        fetch_article(f"http://127.0.0.1:{closed_port()}/", allow_private=LOCAL)


def test_is_url() -> None:
    assert is_url("https://example.org/a") and is_url("HTTP://x") and is_url("file:///x")
    assert not is_url("article.txt") and not is_url("C:\\articles\\a.txt") and not is_url("-")


@pytest.mark.skipif(
    os.environ.get("STORYMAP_NETWORK_TESTS") != "1",
    reason="touches the internet; set STORYMAP_NETWORK_TESTS=1 to run",
)
def test_real_page() -> None:  # pragma: no cover - needs the internet
    text = fetch_article("https://en.wikipedia.org/wiki/Graz")
    assert "Graz" in text
