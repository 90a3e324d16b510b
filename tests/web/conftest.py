"""Fixtures for the web tests: invented articles stored through the real store, and an app.

The articles come from ``tests/fixtures/web/articles.json`` (written for these tests:
invented outlets, people and places). Their publication times count back from the
moment the test runs, because the pages compute relative times when they render.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storyline.model import ArticleDraft, Block, BlockKind, Link
from storyline.settings import Settings
from storyline.store import Database, save_article
from tests.conftest import FIXTURES

with warnings.catch_warnings():  # starlette's notice about httpx vs httpx2 is not ours
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from storyline.web import create_app

ARTICLES_FILE = FIXTURES / "web" / "articles.json"
FETCHED_BEFORE = timedelta(hours=1)  # undated articles list by this fetch time
REVISED_BEFORE = timedelta(minutes=10)


@dataclass(frozen=True)
class Seeded:
    """What the seeded database holds: article ids by fixture key, and when it was seeded."""

    ids: dict[str, int]
    now: datetime
    records: dict[str, dict[str, Any]]


def fixture_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(ARTICLES_FILE.read_text("utf-8"))["articles"]
    return records


def draft_of(record: dict[str, Any], now: datetime, *, revised: bool = False) -> ArticleDraft:
    blocks = record["revised_blocks"] if revised else record["blocks"]
    hours = record["hours_ago"]
    return ArticleDraft(
        title=record["title"],
        blocks=tuple(Block(BlockKind(kind), text) for kind, text in blocks),
        outlet=record["outlet"],
        url=record["url"],
        byline=record["byline"],
        language=record["language"],
        published_at=None if hours is None else now - timedelta(hours=hours),
        links=tuple(Link(text, url) for text, url in record["links"]),
    )


def seed_articles(database: Database, now: datetime | None = None) -> Seeded:
    """Store every fixture article; those with ``revised_blocks`` are then revised once."""
    now = now or datetime.now(UTC)
    records = fixture_records()
    ids: dict[str, int] = {}
    with database.write() as session:
        for record in records:
            result = save_article(
                session,
                draft_of(record, now),
                source_kind="file",
                source_locator="web-tests",
                now=now - FETCHED_BEFORE,
            )
            ids[record["key"]] = result.article_id
        for record in records:
            if "revised_blocks" in record:
                save_article(
                    session,
                    draft_of(record, now, revised=True),
                    source_kind="file",
                    source_locator="web-tests",
                    now=now - REVISED_BEFORE,
                )
    return Seeded(ids, now, {record["key"]: record for record in records})


@pytest.fixture
def seeded(database: Database) -> Seeded:
    return seed_articles(database)


@pytest.fixture
def client(settings: Settings, database: Database, seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


@pytest.fixture
def empty_client(settings: Settings, database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client
