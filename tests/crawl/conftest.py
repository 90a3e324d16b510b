from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.crawl import Crawler
from storyline.settings import Settings, load_settings
from storyline.store import Database
from tests.crawl.site import NewsSite
from tests.support.fixture_server import FixtureServer

CRAWL_ENV = {
    "STORYLINE_ALLOW_PRIVATE_URLS": "1",
    "STORYLINE_HOST_DELAY": "0",
    "STORYLINE_FETCH_ATTEMPTS": "1",
    "STORYLINE_FETCH_TIMEOUT": "3",
    "STORYLINE_FETCH_TOTAL_TIMEOUT": "5",
    "STORYLINE_FEED_MAX_FAILURES": "3",
    "STORYLINE_DEFAULT_OPML": "none",
}


@pytest.fixture
def crawl_settings(tmp_path: Path) -> Settings:
    return load_settings(environ={"STORYLINE_HOME": str(tmp_path / "home"), **CRAWL_ENV})


@pytest.fixture
def crawler(crawl_settings: Settings, database: Database) -> Iterator[Crawler]:
    crawler = Crawler(crawl_settings, database)
    yield crawler
    crawler.close()


@pytest.fixture
def site(fixture_server: FixtureServer) -> NewsSite:
    return NewsSite(fixture_server)
