"""Checking feeds against a real HTTP server: full text, identity, revisions, errors."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storyline.crawl import Crawler
from storyline.crawl.parsing import PARSING
from storyline.settings import Settings
from storyline.store import Database, get_article, list_articles, list_revisions
from storyline.store.feeds import add_feed, get_feed, set_feed_state
from storyline.store.schema import ArticleSource, FeedEntry
from tests.crawl.site import NewsSite
from tests.support.fixture_server import FixtureServer


def _subscribe(crawler: Crawler, url: str) -> int:
    with crawler.database.write() as session:
        feed, _ = add_feed(session, url, now=datetime.now(UTC), interval=600)
        return feed.id


def _check(crawler: Crawler, feed_id: int) -> tuple[str, list[str]]:
    outcome = crawler.check_feed(feed_id)
    results = [crawler.process_entry(entry_id, token).status for entry_id, token in outcome.entries]
    return outcome.status, results


def test_a_summary_only_feed_gets_each_article_s_full_text(
    crawler: Crawler, site: NewsSite, database: Database
) -> None:
    site.add_story("bridge-vote", "Tessaly council delays the bridge vote")
    site.add_story("ferry-fares", "Ferry fares to fall in June")
    feed_id = _subscribe(crawler, site.feed_url)
    status, stored = _check(crawler, feed_id)
    assert status == "checked"
    assert stored == ["stored", "stored"]
    with database.read() as session:
        articles = list_articles(session, limit=None)
        assert len(articles) == 2
        article = next(a for a in articles if "bridge" in a.title)
        assert article.canonical_url == site.server.url("/news/bridge-vote")
        assert article.text.count("council met") == 6  # the page's six paragraphs, not the summary
        assert article.outlet is not None and article.outlet.name == "Harbor Gazette"
        assert "Copyright" not in article.text and "Home" not in article.text
        feed = get_feed(session, feed_id)
        assert feed is not None
        assert feed.last_success_at is not None and feed.last_error is None
        assert feed.title == "Harbor Gazette" and feed.kind == "rss"
        assert feed.next_check_at > datetime.now(UTC)


def test_an_unchanged_feed_is_not_modified_and_stores_nothing(
    crawler: Crawler, site: NewsSite, database: Database
) -> None:
    site.add_story("harbour-fog", "Fog closes the harbour")
    feed_id = _subscribe(crawler, site.feed_url)
    _check(crawler, feed_id)
    _make_due(database, feed_id)
    status, stored = _check(crawler, feed_id)
    assert (status, stored) == ("not-modified", [])
    assert site.server.hits["/news/harbour-fog"] == 1


def test_a_changed_item_becomes_a_revision(
    crawler: Crawler, site: NewsSite, database: Database
) -> None:
    story = site.add_story("tram-line", "Tram line opens")
    feed_id = _subscribe(crawler, site.feed_url)
    _check(crawler, feed_id)
    site.change_story(story, "Tram line opens a week late", "The opening moved to May 12.")
    _make_due(database, feed_id)
    status, stored = _check(crawler, feed_id)
    assert (status, stored) == ("checked", ["stored"])
    with database.read() as session:
        [article] = list_articles(session, limit=None)
        assert article.revision == 2
        assert article.title == "Tram line opens a week late"
        assert [r.title for r in list_revisions(session, article.id)] == [
            "Tram line opens",
            "Tram line opens a week late",
        ]


def test_the_same_article_in_two_feeds_is_stored_and_fetched_once(
    crawler: Crawler, fixture_server: FixtureServer, database: Database
) -> None:
    first = NewsSite(fixture_server, prefix="/a")
    second = NewsSite(fixture_server, prefix="/b")
    story = first.add_story("dam-repair", "Dam repair finished early")
    second.stories.append(story)
    for url in (first.feed_url, second.feed_url):
        _check(crawler, _subscribe(crawler, url))
    with database.read() as session:
        [article] = list_articles(session, limit=None)
        sources = session.execute(
            select(func.count()).where(ArticleSource.article_id == article.id)
        ).scalar_one()
    assert sources == 2
    assert fixture_server.hits["/news/dam-repair"] == 1


def test_a_missing_feed_records_its_error_and_pauses_after_repeated_failures(
    crawler: Crawler, fixture_server: FixtureServer, database: Database
) -> None:
    fixture_server.add("/robots.txt", "")
    feed_id = _subscribe(crawler, fixture_server.url("/gone.xml"))
    for attempt in range(3):
        _make_due(database, feed_id)
        assert crawler.check_feed(feed_id).status == "failed"
        with database.read() as session:
            feed = get_feed(session, feed_id)
            assert feed is not None
            assert feed.last_error == "HTTP 404: not found"
            assert feed.consecutive_failures == attempt + 1
            assert feed.next_check_at > datetime.now(UTC) + timedelta(minutes=5)
    with database.read() as session:
        feed = get_feed(session, feed_id)
        assert feed is not None and feed.state == "paused"
        assert "3 failures in a row" in (feed.paused_reason or "")
    assert crawler.check_feed(feed_id).status == "skipped"
    with database.write() as session:
        set_feed_state(session, feed_id, paused=False, now=datetime.now(UTC))
    with database.read() as session:
        feed = get_feed(session, feed_id)
        assert feed is not None and feed.state == "active" and feed.consecutive_failures == 0


def test_retry_after_sets_the_next_check(
    crawler: Crawler, fixture_server: FixtureServer, database: Database
) -> None:
    fixture_server.add("/robots.txt", "")
    fixture_server.add("/busy.xml", status=429, Retry_After="7200")
    feed_id = _subscribe(crawler, fixture_server.url("/busy.xml"))
    outcome = crawler.check_feed(feed_id)
    assert outcome.status == "failed" and "429" in (outcome.reason or "")
    with database.read() as session:
        feed = get_feed(session, feed_id)
        assert feed is not None
        assert feed.next_check_at >= datetime.now(UTC) + timedelta(seconds=7100)


def test_a_page_that_cannot_be_fetched_keeps_the_feed_text_and_says_so(
    crawler: Crawler, site: NewsSite, database: Database
) -> None:
    story = site.add_story("lost-page", "Lighthouse keeper retires")
    site.server.add("/news/lost-page", status=410)
    _check(crawler, _subscribe(crawler, site.feed_url))
    with database.read() as session:
        [article] = list_articles(session, limit=None)
        assert article.text == story.summary.strip()
        assert any("could not be extracted" in note for note in article.notes)


def test_robots_txt_is_obeyed(
    crawler: Crawler, fixture_server: FixtureServer, database: Database
) -> None:
    NewsSite(fixture_server, prefix="/private")
    feed_id = _subscribe(crawler, fixture_server.url("/private/feed.xml"))
    outcome = crawler.check_feed(feed_id)
    assert outcome.status == "failed"
    assert "disallows" in (outcome.reason or "")
    assert "/private/feed.xml" not in fixture_server.hits


def test_a_feed_that_is_not_a_feed_gets_a_clear_error(
    crawler: Crawler, fixture_server: FixtureServer, database: Database
) -> None:
    fixture_server.add("/robots.txt", "")
    fixture_server.add(
        "/broken.xml", b"\x89PNG\r\n\x1a\n\0\0binary", Content_Type="application/xml"
    )
    outcome = crawler.check_feed(_subscribe(crawler, fixture_server.url("/broken.xml")))
    assert outcome.status == "failed"
    assert outcome.reason and outcome.reason.startswith("not a usable feed")


def test_a_crash_mid_entry_is_redone_when_the_lease_expires(
    crawler: Crawler, site: NewsSite, database: Database
) -> None:
    site.add_story("night-bus", "Night bus returns")
    feed_id = _subscribe(crawler, site.feed_url)
    outcome = crawler.check_feed(feed_id)
    [(entry_id, _token)] = outcome.entries
    # A worker took the entry and died: its lease is in force, so no one else may take it ...
    assert crawler.process_entry(entry_id, "someone-else").status == "skipped"
    # ... until the lease expires; then the work is redone, once.
    with database.write() as session:
        entry = session.get(FeedEntry, entry_id)
        assert entry is not None
        entry.lease_until = datetime.now(UTC) - timedelta(seconds=1)
    assert crawler.process_entry(entry_id).status == "stored"
    assert crawler.process_entry(entry_id).status == "skipped"
    with database.read() as session:
        assert len(list_articles(session, limit=None)) == 1
        assert get_article(session, 1) is not None


def _make_due(database: Database, feed_id: int) -> None:
    with database.write() as session:
        feed = get_feed(session, feed_id)
        assert feed is not None
        feed.next_check_at = datetime.now(UTC) - timedelta(seconds=1)


def test_an_unreadable_robots_txt_defers_the_fetch_and_says_why(
    crawler: Crawler, fixture_server: FixtureServer, database: Database
) -> None:
    fixture_server.add("/robots.txt", status=503)
    fixture_server.add("/feed.xml", "<rss/>")
    outcome = crawler.check_feed(_subscribe(crawler, fixture_server.url("/feed.xml")))
    assert outcome.status == "failed"
    assert "could not be read (HTTP 503" in (outcome.reason or "")
    assert "/feed.xml" not in fixture_server.hits


@pytest.mark.postgres
def test_an_entry_that_fails_to_store_is_retried_soon_not_held_by_its_lease(
    crawl_settings: Settings, postgres_database: Database, fixture_server: FixtureServer
) -> None:
    # PostgreSQL keeps outlet names of up to 200 characters: this page's cannot be stored.
    site = NewsSite(fixture_server, outlet="The Tessaly Ward Harbor Gazette " * 8)
    site.add_story("quay-works", "Quay works begin")
    crawler = Crawler(crawl_settings, postgres_database)
    try:
        [(entry_id, token)] = crawler.check_feed(_subscribe(crawler, site.feed_url)).entries
        started = datetime.now(UTC)
        outcome = crawler.process_entry(entry_id, token)
    finally:
        crawler.close()
    assert outcome.status == "retry"
    assert outcome.reason is not None and "too long" in outcome.reason
    assert "\n" not in outcome.reason
    with postgres_database.read() as session:
        entry = session.get(FeedEntry, entry_id)
        assert entry is not None
        assert (entry.status, entry.attempts, entry.last_error) == ("pending", 1, outcome.reason)
        # Retried within a minute, not when the five-minute lease of the job runs out.
        assert entry.lease_until is not None
        assert timedelta(seconds=20) < entry.lease_until - started < timedelta(seconds=60)


def test_two_threads_never_parse_pages_at_once(
    crawler: Crawler, site: NewsSite, fixture_server: FixtureServer, database: Database
) -> None:
    # lxml trees parsed in two threads at once can corrupt each other (see crawl.parsing):
    # a thread that has fetched its page waits while another one parses.
    site.add_story("ferry-fares", "Ferry fares to fall in June")
    [(entry_id, token)] = crawler.check_feed(_subscribe(crawler, site.feed_url)).entries
    outcomes: list[str] = []
    worker = threading.Thread(
        target=lambda: outcomes.append(crawler.process_entry(entry_id, token).status)
    )
    with PARSING:  # another thread is parsing
        worker.start()
        deadline = time.monotonic() + 10
        while "/news/ferry-fares" not in fixture_server.hits and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.join(0.5)
        assert worker.is_alive() and outcomes == []  # fetched, and waiting to parse
    worker.join(10)
    assert outcomes == ["stored"]
