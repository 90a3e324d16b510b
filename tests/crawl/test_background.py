"""Background work in-process (as ``storyline serve`` runs it): huey's consumer, the
ticker, heartbeats and status, on a real queue."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.crawl.subscribe import export_opml, import_opml, subscribe_defaults
from storyline.monitor import status_view
from storyline.settings import load_settings
from storyline.store import Database, list_articles
from storyline.store.feeds import add_feed, list_feeds
from storyline.worker import Background, make_queue
from tests.crawl.conftest import CRAWL_ENV
from tests.crawl.site import NewsSite


def test_background_work_checks_due_feeds_and_stores_articles(
    tmp_path: Path, site: NewsSite
) -> None:
    settings = load_settings(
        environ={"STORYLINE_HOME": str(tmp_path), "STORYLINE_TICK_SECONDS": "0.2", **CRAWL_ENV}
    )
    database = Database.from_settings(settings)
    for n in range(3):
        site.add_story(f"item-{n}", f"Library extends hours, part {n}")
    with database.write() as session:
        add_feed(session, site.feed_url, now=datetime.now(UTC), interval=600)
    background = Background(settings, database, role="serve")
    background.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with database.read() as session:
                if len(list_articles(session, limit=None)) == 3:
                    break
            time.sleep(0.1)
        status = status_view(settings, database)
        assert [w["role"] for w in status["workers"]] == ["serve"]
    finally:
        background.stop()
    with database.read() as session:
        assert len(list_articles(session, limit=None)) == 3
    assert status_view(settings, database)["workers"] == []
    database.dispose()


def test_the_queue_is_sqlite_by_default_and_redis_or_postgresql_when_told(tmp_path: Path) -> None:
    embedded = make_queue(load_settings(environ={"STORYLINE_HOME": str(tmp_path)}))
    assert type(embedded.storage).__name__ == "SqliteStorage"
    redis = make_queue(load_settings(environ={"STORYLINE_QUEUE_URL": "redis://127.0.0.1:6379/15"}))
    assert type(redis.storage).__name__ == "RedisStorage"
    redis.flush()
    assert redis.pending_count() == 0  # a real round trip to the Redis on 127.0.0.1


@pytest.mark.postgres
def test_the_queue_lives_in_postgresql_with_the_data(postgres_url: str) -> None:
    queue = make_queue(load_settings(environ={"STORYLINE_DATABASE_URL": postgres_url}))
    assert type(queue.storage).__name__ == "SqlStorage"
    assert queue.pending_count() == 0
    queue.storage.close()


def test_default_outlets_are_subscribed_once(tmp_path: Path) -> None:
    settings = load_settings(environ={"STORYLINE_HOME": str(tmp_path)})
    database = Database.from_settings(settings)
    added = subscribe_defaults(database, settings)
    assert added is not None and 25 <= added <= 40
    assert subscribe_defaults(database, settings) is None
    with database.read() as session:
        feeds = list_feeds(session)
    assert len(feeds) == added
    assert all(feed.folder for feed in feeds)
    database.dispose()


def test_opml_round_trips_with_folders(tmp_path: Path) -> None:
    settings = load_settings(environ={"STORYLINE_HOME": str(tmp_path)})
    database = Database.from_settings(settings)
    opml = b"""<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
    <outline text="Coast"><outline text="Harbor Gazette" type="rss"
      xmlUrl="https://harbor.example/feed.xml"/></outline>
    <outline text="Valley Post" type="rss" xmlUrl="https://valley.example/rss"/>
    </body></opml>"""
    assert import_opml(database, settings, opml) == (2, 0)
    assert import_opml(database, settings, opml) == (0, 2)
    exported = export_opml(database)
    other = Database.from_settings(load_settings(environ={"STORYLINE_HOME": str(tmp_path / "b")}))
    assert import_opml(other, settings, exported) == (2, 0)
    with other.read() as session:
        assert {(f.url, f.folder) for f in list_feeds(session)} == {
            ("https://harbor.example/feed.xml", "Coast"),
            ("https://valley.example/rss", None),
        }
    database.dispose()
    other.dispose()
