"""Fetching against a real HTTP server on 127.0.0.1: every way a response can go wrong."""

from __future__ import annotations

import gzip

import pytest

from storyline.fetch import Fetcher, FetchError, FetchPolicy, is_public_address, parse_retry_after
from tests.support.fixture_server import FixtureServer, Reply, Request

FAST = FetchPolicy(
    allow_private=True,
    connect_timeout=2,
    read_timeout=2,
    total_timeout=3,
    max_bytes=100_000,
    attempts=3,
    backoff_base=0.01,
    backoff_max=0.5,
)


@pytest.fixture
def fetcher() -> Fetcher:
    with Fetcher(FAST) as fetcher:
        yield fetcher


def test_plain_fetch_reports_type_and_charset(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    fixture_server.add("/a", "<p>hello</p>", Content_Type="text/html; charset=ISO-8859-1")
    response = fetcher.get(fixture_server.url("/a"))
    assert response.status == 200
    assert response.content == b"<p>hello</p>"
    assert response.content_type == "text/html"
    assert response.charset == "ISO-8859-1"


def test_redirects_are_followed_and_the_final_url_recorded(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    fixture_server.add("/old", status=301, Location="/middle")
    fixture_server.add("/middle", status=302, Location=fixture_server.url("/new"))
    fixture_server.add("/new", "arrived")
    response = fetcher.get(fixture_server.url("/old"))
    assert response.final_url == fixture_server.url("/new")
    assert response.redirects == (fixture_server.url("/old"), fixture_server.url("/middle"))


def test_a_redirect_loop_is_refused(fixture_server: FixtureServer, fetcher: Fetcher) -> None:
    fixture_server.add("/ping", status=302, Location="/pong")
    fixture_server.add("/pong", status=302, Location="/ping")
    with pytest.raises(FetchError, match="redirect loop") as caught:
        fetcher.get(fixture_server.url("/ping"))
    assert not caught.value.retryable


def test_endless_redirects_stop_at_the_limit(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    for n in range(10):
        fixture_server.add(f"/hop{n}", status=307, Location=f"/hop{n + 1}")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.get(fixture_server.url("/hop0"))


def test_conditional_get_returns_not_modified(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    def feed(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(
            200, b"<rss/>", {"ETag": '"v1"', "Last-Modified": "Tue, 01 Apr 2031 10:00:00 GMT"}
        )

    fixture_server.route("/feed", feed)
    first = fetcher.get(fixture_server.url("/feed"))
    assert first.etag == '"v1"' and first.last_modified
    second = fetcher.get(fixture_server.url("/feed"), etag=first.etag)
    assert second.not_modified and second.content == b""


def test_gzip_bodies_are_decoded(fixture_server: FixtureServer, fetcher: Fetcher) -> None:
    fixture_server.add("/z", gzip.compress(b"compressed words " * 100), Content_Encoding="gzip")
    assert fetcher.get(fixture_server.url("/z")).content == b"compressed words " * 100


def test_a_decompression_bomb_stops_at_the_size_limit(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # ~50 KB on the wire, 50 MB decoded
    fixture_server.add("/bomb", bomb, Content_Encoding="gzip")
    with pytest.raises(FetchError, match="after decompression"):
        fetcher.get(fixture_server.url("/bomb"))


def test_a_declared_huge_body_is_refused_before_reading(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    fixture_server.add("/huge", b"x" * 200_000)
    with pytest.raises(FetchError, match="over the 100,000-byte limit"):
        fetcher.get(fixture_server.url("/huge"))


def test_an_undeclared_huge_body_is_cut_off(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    fixture_server.route("/stream", lambda _r: Reply(chunks=[(0, b"y" * 10_000)] * 30))
    with pytest.raises(FetchError, match="limit"):
        fetcher.get(fixture_server.url("/stream"))


def test_a_slow_drip_is_cut_off_by_the_total_timeout(fixture_server: FixtureServer) -> None:
    policy = FetchPolicy(allow_private=True, total_timeout=1, read_timeout=5, attempts=1)
    fixture_server.route("/drip", lambda _r: Reply(chunks=[(0.2, b"a")] * 40))
    with Fetcher(policy) as fetcher, pytest.raises(FetchError, match="longer than 1 s"):
        fetcher.get(fixture_server.url("/drip"))


@pytest.mark.parametrize(("status", "words"), [(404, "not found"), (410, "gone")])
def test_missing_pages_are_not_retried(
    fixture_server: FixtureServer, fetcher: Fetcher, status: int, words: str
) -> None:
    fixture_server.add("/x", status=status)
    with pytest.raises(FetchError, match=words) as caught:
        fetcher.get(fixture_server.url("/x"))
    assert not caught.value.retryable
    assert caught.value.gone is (status == 410)
    assert fixture_server.hits["/x"] == 1


def test_server_errors_are_retried_then_reported(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    fixture_server.add("/flaky", status=500)
    with pytest.raises(FetchError, match="HTTP 500") as caught:
        fetcher.get(fixture_server.url("/flaky"))
    assert caught.value.retryable
    assert fixture_server.hits["/flaky"] == 3


def test_a_server_error_that_recovers_succeeds(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    calls = []

    def flaky(_request: Request) -> Reply:
        calls.append(1)
        return Reply(500) if len(calls) < 2 else Reply(200, b"ok")

    fixture_server.route("/recovers", flaky)
    assert fetcher.get(fixture_server.url("/recovers")).content == b"ok"


def test_429_with_a_long_retry_after_is_handed_to_the_scheduler(
    fixture_server: FixtureServer, fetcher: Fetcher
) -> None:
    fixture_server.add("/busy", status=429, Retry_After="3600")
    with pytest.raises(FetchError, match="429") as caught:
        fetcher.get(fixture_server.url("/busy"))
    assert caught.value.retry_after == 3600
    assert fixture_server.hits["/busy"] == 1


def test_private_addresses_are_refused_unless_allowed(fixture_server: FixtureServer) -> None:
    fixture_server.add("/inside", "secret")
    with Fetcher(FetchPolicy(allow_private=False, attempts=1)) as strict:
        with pytest.raises(FetchError, match="private, loopback or link-local") as caught:
            strict.get(fixture_server.url("/inside"))
        assert not caught.value.retryable
        with pytest.raises(FetchError, match="private"):
            strict.get(f"http://localhost:{fixture_server.port}/inside")
    assert "/inside" not in fixture_server.hits


def test_only_http_urls_are_fetched(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.get("file:///etc/passwd")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_retry_after_accepts_seconds_and_dates() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after("nonsense") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
