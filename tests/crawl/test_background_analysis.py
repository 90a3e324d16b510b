"""Background work analyses what it stores: an article from a feed gets its entities, quotes
and dates without anyone running ``storyline analyze``."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from storyline.settings import load_settings
from storyline.store import Database, list_articles
from storyline.store.analysis import count_unanalyzed, read_analysis
from storyline.store.feeds import add_feed
from storyline.understand.analyze import ANALYZER_VERSION
from storyline.worker import Background
from tests.crawl.conftest import CRAWL_ENV
from tests.crawl.site import NewsSite


def test_articles_fetched_in_the_background_are_analysed(tmp_path: Path, site: NewsSite) -> None:
    settings = load_settings(
        environ={"STORYLINE_HOME": str(tmp_path), "STORYLINE_TICK_SECONDS": "0.2", **CRAWL_ENV}
    )
    database = Database.from_settings(settings)
    for n in range(2):
        site.add_story(f"item-{n}", f"Councillor Mirela Osk opens library wing {n}")
    with database.write() as session:
        add_feed(session, site.feed_url, now=datetime.now(UTC), interval=600)
    background = Background(settings, database, role="serve")
    background.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with database.read() as session:
                stored = len(list_articles(session, limit=None))
                if stored == 2 and count_unanalyzed(session, ANALYZER_VERSION) == 0:
                    break
            time.sleep(0.2)
    finally:
        background.stop()
    with database.read() as session:
        articles = list_articles(session, limit=None)
        assert len(articles) == 2
        for article in articles:
            analysis = read_analysis(session, article.id)
            assert analysis is not None and analysis.revision == article.revision
            assert analysis.language == "en"
    database.dispose()
