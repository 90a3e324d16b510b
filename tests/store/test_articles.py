"""The store's identity rules, revisions and listing, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from storyline.model import ArticleDraft, Block, BlockKind, Link
from storyline.store import (
    Database,
    ListCursor,
    SaveStatus,
    count_articles,
    get_article,
    list_articles,
    list_revisions,
    save_article,
)
from storyline.store.schema import ArticleSource, Outlet

NOON = datetime(2031, 4, 2, 12, 0, tzinfo=UTC)


def _draft(title: str = "Harbour bridge reopens", **changes: object) -> ArticleDraft:
    draft = ArticleDraft(
        title=title,
        outlet="Coastline Courier",
        published_at=NOON,
        blocks=(
            Block(BlockKind.PARAGRAPH, "The Velmora harbour bridge reopened on Tuesday."),
            Block(BlockKind.HEADING, "What Happens Next"),
            Block(BlockKind.CAPTION, "Cars cross the bridge at dawn. Photo: Ada Quill"),
            Block(BlockKind.PARAGRAPH, "Engineers will inspect it again in May."),
        ),
        links=(Link(text="Ferry fares fall as bridge work ends"),),
    )
    return draft.with_changes(**changes) if changes else draft


def _save(database: Database, draft: ArticleDraft, locator: str = "/imports/a.txt"):
    with database.write() as session:
        return save_article(session, draft, source_kind="file", source_locator=locator)


def test_saving_twice_stores_once(database: Database) -> None:
    first = _save(database, _draft())
    second = _save(database, _draft())
    assert first.status is SaveStatus.CREATED
    assert second.status is SaveStatus.UNCHANGED
    assert second.article_id == first.article_id
    with database.read() as session:
        assert count_articles(session) == 1


def test_article_keeps_typed_blocks_with_offsets_into_text(database: Database) -> None:
    result = _save(database, _draft())
    with database.read() as session:
        article = get_article(session, result.article_id)
        assert article is not None
        assert [b.kind for b in article.blocks] == ["paragraph", "heading", "caption", "paragraph"]
        for block in article.blocks:
            assert article.text[block.start : block.start + len(block.text)] == block.text
        assert [link.text for link in article.links] == ["Ferry fares fall as bridge work ends"]
        assert article.outlet is not None and article.outlet.name == "Coastline Courier"
        assert article.published_at == NOON


def test_same_url_with_changed_text_becomes_a_revision(database: Database) -> None:
    url = "https://courier.example/bridge"
    first = _save(database, _draft(url=url))
    changed = _draft(
        url=url,
        title="Harbour bridge reopens after two years",
        blocks=(Block(BlockKind.PARAGRAPH, "The bridge reopened on Tuesday after two years."),),
    )
    second = _save(database, changed)
    assert second.status is SaveStatus.REVISED
    assert second.article_id == first.article_id
    with database.read() as session:
        article = get_article(session, first.article_id)
        assert article is not None
        assert article.revision == 2
        assert article.title == "Harbour bridge reopens after two years"
        revisions = list_revisions(session, first.article_id)
        assert [r.number for r in revisions] == [1, 2]
        assert revisions[0].title == "Harbour bridge reopens"


def test_same_text_from_two_outlets_stays_two_articles(database: Database) -> None:
    a = _save(database, _draft())
    b = _save(database, _draft(outlet="Inland Ledger"))
    assert a.article_id != b.article_id
    with database.read() as session:
        assert session.execute(select(func.count(Outlet.id))).scalar_one() == 2


def test_one_article_from_two_sources_records_both(database: Database) -> None:
    a = _save(database, _draft(), locator="/imports/a.txt")
    b = _save(database, _draft(), locator="/imports/b.txt")
    assert a.article_id == b.article_id
    with database.read() as session:
        rows = session.execute(
            select(ArticleSource).where(ArticleSource.article_id == a.article_id)
        ).all()
        assert len(rows) == 2


def test_list_is_newest_first_and_pages_by_cursor(database: Database) -> None:
    ids = []
    for day in range(5):
        draft = _draft(title=f"Day {day} report", published_at=NOON + timedelta(days=day))
        ids.append(_save(database, draft).article_id)
    with database.read() as session:
        first_page = list_articles(session, limit=2)
        assert [a.id for a in first_page] == [ids[4], ids[3]]
        cursor = ListCursor(first_page[-1].listed_at, first_page[-1].id)
        second_page = list_articles(session, limit=2, after=ListCursor.decode(cursor.encode()))
        assert [a.id for a in second_page] == [ids[2], ids[1]]
        assert len(list_articles(session, limit=None)) == 5


def test_undated_article_lists_by_when_it_was_fetched(database: Database) -> None:
    result = _save(database, _draft(published_at=None))
    with database.read() as session:
        article = get_article(session, result.article_id)
        assert article is not None
        assert article.published_at is None
        assert article.listed_at == article.fetched_at


def test_a_revision_replaces_the_blocks_and_links_and_keeps_a_known_byline(
    database: Database,
) -> None:
    url = "https://courier.example/bridge"
    first = _save(database, _draft(url=url, byline="Ada Quill"))
    changed = _draft(
        url=url,
        blocks=(
            Block(BlockKind.PARAGRAPH, "The bridge reopened on Tuesday after two years."),
            Block(BlockKind.HEADING, "Tolls"),
            Block(BlockKind.PARAGRAPH, "Crossing stays free until June."),
        ),
        links=(),
    )
    assert _save(database, changed).status is SaveStatus.REVISED
    with database.read() as session:
        article = get_article(session, first.article_id)
        assert article is not None
        assert article.byline == "Ada Quill"
        assert [(b.position, b.kind, b.text) for b in article.blocks] == [
            (0, "paragraph", "The bridge reopened on Tuesday after two years."),
            (1, "heading", "Tolls"),
            (2, "paragraph", "Crossing stays free until June."),
        ]
        for block in article.blocks:
            assert article.text[block.start : block.start + len(block.text)] == block.text
        assert article.links == []
        revisions = list_revisions(session, first.article_id)
        assert [len(r.blocks) for r in revisions] == [4, 3]
        assert revisions[1].text == article.text


def test_an_outlet_and_source_from_a_rolled_back_save_are_not_reused(database: Database) -> None:
    with pytest.raises(RuntimeError), database.write() as session:
        save_article(
            session, _draft(outlet="Marsh Weekly"), source_kind="file", source_locator="/m.txt"
        )
        raise RuntimeError("the transaction fails after the save")
    result = _save(database, _draft(outlet="Marsh Weekly"), locator="/m.txt")
    assert result.status is SaveStatus.CREATED
    with database.read() as session:
        article = get_article(session, result.article_id)
        assert article is not None and article.outlet is not None
        assert article.outlet.name == "Marsh Weekly"
        assert session.execute(select(func.count(ArticleSource.source_id))).scalar_one() == 1


def test_known_outlets_and_sources_are_not_looked_up_again(database: Database) -> None:
    _save(database, _draft())
    _save(database, _draft(title="Ferry fares fall"))  # found, committed by the first save
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(database.write_engine, "before_cursor_execute", record)
    try:
        assert _save(database, _draft(title="Tram works begin")).status is SaveStatus.CREATED
    finally:
        event.remove(database.write_engine, "before_cursor_execute", record)
    assert statements  # the save itself ran
    assert not [s for s in statements if "FROM outlets" in s or "FROM sources" in s]
