"""Every feed format, and every kind of broken feed, served by a real HTTP server on
127.0.0.1 and checked by the crawler as it runs in production."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.crawl import Crawler
from storyline.store import Database
from storyline.store.feeds import add_feed, get_feed
from tests.conftest import FIXTURES
from tests.support.fixture_server import FixtureServer

FEEDS = FIXTURES / "feeds"
TYPES = {".xml": "application/xml", ".rdf": "application/rdf+xml", ".json": "application/feed+json"}


def _check(
    crawler: Crawler, fixture_server: FixtureServer, name: str, content_type: str | None = None
):
    body = (FEEDS / name).read_bytes()
    suffix = "." + name.rsplit(".", 1)[1]
    fixture_server.add("/robots.txt", "")
    fixture_server.add(f"/{name}", body, Content_Type=content_type or TYPES[suffix])
    with crawler.database.write() as session:
        feed, _ = add_feed(
            session, fixture_server.url(f"/{name}"), now=datetime.now(UTC), interval=600
        )
        feed_id = feed.id
    return feed_id, crawler.check_feed(feed_id)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rss091.xml", "rss"),
        ("rss20.xml", "rss"),
        ("rss10.rdf", "rdf"),
        ("atom10.xml", "atom"),
        ("atom03.xml", "atom"),
        ("jsonfeed11.json", "json"),
        ("news-sitemap.xml", "sitemap"),
    ],
)
def test_each_format_is_checked_and_its_items_kept(
    crawler: Crawler, fixture_server: FixtureServer, database: Database, name: str, kind: str
) -> None:
    feed_id, outcome = _check(crawler, fixture_server, name)
    assert outcome.status == "checked", outcome.reason
    assert outcome.changed > 0 and len(outcome.entries) == outcome.changed
    with database.read() as session:
        feed = get_feed(session, feed_id)
        assert feed is not None and feed.kind == kind and feed.last_error is None


@pytest.mark.parametrize(
    "name", ["cp1252-declared-utf8.xml", "latin1-undeclared.xml", "utf16-bom.xml", "truncated.xml"]
)
def test_mislabelled_and_truncated_feeds_still_give_their_items(
    crawler: Crawler, fixture_server: FixtureServer, database: Database, name: str
) -> None:
    _, outcome = _check(crawler, fixture_server, name, "application/rss+xml; charset=utf-8")
    assert outcome.status == "checked", outcome.reason
    assert outcome.changed > 0


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_hostile_feeds_are_refused_with_a_reason(
    crawler: Crawler, fixture_server: FixtureServer, database: Database, name: str
) -> None:
    feed_id, outcome = _check(crawler, fixture_server, name)
    assert outcome.status == "failed"
    with database.read() as session:
        feed = get_feed(session, feed_id)
        assert feed is not None and feed.last_error and "entit" in feed.last_error.lower()
