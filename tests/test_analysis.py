"""The understanding stage over stored articles: what it finds, and that runs resume.

The articles are invented (``tests/fixtures/understand/articles.json``); the real spaCy
pipeline analyses them, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from storyline.analysis import analyze_backlog
from storyline.model import ArticleDraft, Block, BlockKind
from storyline.settings import Settings
from storyline.store import Database, get_article, save_article
from storyline.store.analysis import read_analysis
from storyline.views import article_detail
from tests.conftest import FIXTURES

ARTICLES = json.loads((FIXTURES / "understand" / "articles.json").read_text("utf-8"))["articles"]


def store_fixture_articles(database: Database) -> dict[str, int]:
    """Store the invented articles; returns their ids by fixture key."""
    ids: dict[str, int] = {}
    with database.write() as session:
        for record in ARTICLES:
            draft = ArticleDraft(
                title=record["title"],
                outlet=record["outlet"],
                url=record["url"],
                published_at=datetime.fromisoformat(record["published_at"]),
                blocks=tuple(Block(BlockKind.PARAGRAPH, p) for p in record["paragraphs"]),
            )
            result = save_article(session, draft, source_kind="file", source_locator="fixtures")
            ids[record["key"]] = result.article_id
    return ids


def _detail(database: Database, article_id: int) -> dict[str, Any]:
    with database.read() as session:
        article = get_article(session, article_id)
        assert article is not None
        return article_detail(article, read_analysis(session, article_id))


@pytest.fixture
def analysed(database: Database, settings: Settings) -> dict[str, int]:
    ids = store_fixture_articles(database)
    report = analyze_backlog(database, settings)
    assert (report.analyzed, report.remaining) == (3, 0)
    return ids


def test_an_english_article_gets_entities_quotes_dates_and_hashtags(
    database: Database, analysed: dict[str, int]
) -> None:
    detail = _detail(database, analysed["courier"])
    text = detail["text"]
    assert detail["analyzed"] is True and detail["language"] == "en"

    people = {e["name"] for e in detail["entities"] if e["type"] == "PERSON"}
    assert "Ilse Varga" in people
    for entity in detail["entities"]:
        for mention in entity["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"]

    direct = [q for q in detail["quotes"] if q["kind"] == "direct"]
    assert direct, detail["quotes"]
    for quote in detail["quotes"]:
        assert text[quote["start"] : quote["end"]] == quote["text"]
    # The "she said" quote in the fifth paragraph is Ilse Varga's too.
    winter = next(q for q in direct if "hard winter" in q["text"])
    assert winter["speaker"] == "Ilse Varga"
    assert winter["speaker_id"] is not None

    values = {t["text"].lower(): t["value"] for t in detail["timexes"]}
    assert any(v.startswith("2031-03") for k, v in values.items() if "last month" in k)
    assert any(t["type"] == "DURATION" for t in detail["timexes"])
    assert detail["timeline"], "dated events expected"
    for event in detail["timeline"]:
        assert text[event["start"] : event["end"]] == event["text"]

    assert 3 <= len(detail["hashtags"]) <= 8
    assert all(tag.startswith("#") and " " not in tag for tag in detail["hashtags"])
    assert detail["key_phrases"]


def test_the_same_person_in_two_articles_is_one_entity(
    database: Database, analysed: dict[str, int]
) -> None:
    courier = _detail(database, analysed["courier"])
    gazette = _detail(database, analysed["gazette"])

    def varga(detail: dict[str, Any]) -> int:
        return next(e["id"] for e in detail["entities"] if e["name"] == "Ilse Varga")

    assert varga(courier) == varga(gazette)


def test_an_article_in_another_language_is_kept_with_its_language(
    database: Database, analysed: dict[str, int]
) -> None:
    detail = _detail(database, analysed["courrier"])
    assert detail["analyzed"] is True
    assert detail["language"] == "fr"
    assert detail["quotes"] == [] and detail["entities"] == []


def test_analysis_resumes_where_it_stopped_and_redoes_revised_articles(
    database: Database, settings: Settings
) -> None:
    ids = store_fixture_articles(database)
    first = analyze_backlog(database, settings, limit=1)
    assert (first.analyzed, first.remaining) == (1, 2)
    second = analyze_backlog(database, settings)
    assert (second.analyzed, second.remaining) == (2, 0)
    assert analyze_backlog(database, settings).analyzed == 0

    record = ARTICLES[0]
    revised = ArticleDraft(
        title=record["title"],
        outlet=record["outlet"],
        url=record["url"],
        published_at=datetime.fromisoformat(record["published_at"]),
        blocks=tuple(Block(BlockKind.PARAGRAPH, p) for p in record["paragraphs"][:3]),
    )
    with database.write() as session:
        save_article(session, revised, source_kind="file", source_locator="fixtures")
    assert _detail(database, ids["courier"])["analyzed"] is False  # old offsets not shown
    again = analyze_backlog(database, settings)
    assert (again.analyzed, again.remaining) == (1, 0)
    assert _detail(database, ids["courier"])["analyzed"] is True
