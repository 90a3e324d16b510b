"""Finding a site's feeds from its home page."""

from __future__ import annotations

from storyline.feeds import DiscoveredFeed, discover_feeds
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"


def test_link_alternates_best_first() -> None:
    html = (FEEDS / "homepage-with-feeds.html").read_bytes()
    found = discover_feeds(html, url="https://www.harbourtown-courier.example/")
    assert found == [
        DiscoveredFeed(
            "https://www.harbourtown-courier.example/feed/", "The Harbourtown Courier", "rss"
        ),
        DiscoveredFeed(
            "https://www.harbourtown-courier.example/atom.xml", "Courier (Atom)", "atom"
        ),
        DiscoveredFeed(
            "https://www.harbourtown-courier.example/feed.json", "Courier JSON Feed", "json"
        ),
        # Comment and category feeds come last; the REST API "alternate", the translated
        # page and the duplicate are not listed; neither is another site's feed in the body.
        DiscoveredFeed(
            "https://www.harbourtown-courier.example/comments/feed/",
            "Courier » Comments Feed",
            "rss",
        ),
        DiscoveredFeed(
            "https://www.harbourtown-courier.example/category/local/feed/", "Courier » Local", "rss"
        ),
    ]


def test_relative_hrefs_resolve_against_the_page_url() -> None:
    html = (
        b'<html><head><link rel="alternate" type="application/atom+xml" href="atom"></head></html>'
    )
    found = discover_feeds(html, url="https://blog.kestrel.example/notes/index.html")
    assert [feed.url for feed in found] == ["https://blog.kestrel.example/notes/atom"]


def test_rel_feed_and_parameters_in_the_type() -> None:
    html = (
        b"<html><head>"
        b'<link rel="feed" href="/updates">'
        b'<link rel="alternate" type="application/rss+xml; charset=utf-8" href="/rss">'
        b"</head></html>"
    )
    found = discover_feeds(html, url="https://kestrel.example/")
    assert [(f.url, f.kind) for f in found] == [
        ("https://kestrel.example/updates", None),
        ("https://kestrel.example/rss", "rss"),
    ]


def test_body_links_when_the_head_announces_nothing() -> None:
    html = (FEEDS / "homepage-with-anchors.html").read_bytes()
    found = discover_feeds(html, url="https://lakeside-ledger.example/en/index.html")
    # Resolved against <base href>; a friend's blog on another site is not this site's feed.
    assert [(f.url, f.title) for f in found] == [
        ("https://lakeside-ledger.example/en/rss.xml", "RSS"),
        ("https://lakeside-ledger.example/feed", "Subscribe"),
    ]


def test_a_page_without_feeds() -> None:
    html = (FEEDS / "homepage-without-feeds.html").read_bytes()
    assert discover_feeds(html, url="https://ostrel-valley.example/") == []


def test_nothing_to_parse() -> None:
    assert discover_feeds(b"", url="https://ostrel-valley.example/") == []
    assert discover_feeds(b"\x00\x01binary", url="https://ostrel-valley.example/") == []
