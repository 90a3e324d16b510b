"""The stories tables: merging a story redirects its id and moves its articles; leases
hand an article to one placer at a time. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storyline.model import ArticleDraft, Block, BlockKind
from storyline.store import Database, save_article
from storyline.store.analysis import save_analysis
from storyline.store.stories import (
    has_placement_work,
    load_stories,
    merge_story,
    reserve_for_placement,
    save_placement,
    save_story,
    stories_of_articles,
    story_article_ids,
)
from storyline.story_views import story_view
from storyline.understand.analyze import Analysis

NOW = datetime(2025, 5, 14, 12, tzinfo=UTC)


def _article(database: Database, n: int) -> int:
    draft = ArticleDraft(
        title=f"Harbour crane number {n} is replaced",
        outlet="Saltmarsh Gazette",
        url=f"https://saltmarsh.example/cranes/{n}",
        published_at=NOW,
        blocks=(Block(BlockKind.PARAGRAPH, f"Crane {n} was lifted onto the quay on Tuesday."),),
    )
    with database.write() as session:
        return save_article(session, draft, source_kind="file", source_locator="t").article_id


def _story(database: Database, title: str) -> int:
    with database.write() as session:
        return save_story(
            session,
            None,
            title=title,
            first_at=NOW,
            last_at=NOW,
            article_count=1,
            outlet_count=1,
            state=b'{"story_id": 0, "vector_sum": "", "count": 0, "terms": {}, "people": {}, '
            b'"places": {}, "first_at": null, "last_at": null, "article_ids": [], '
            b'"outlets": {}, "titles": {}}',
            created_at=NOW,
            updated_at=NOW,
        )


def _place(database: Database, article_id: int, story_id: int) -> None:
    with database.write() as session:
        save_placement(
            session,
            article_id,
            version=1,
            revision=1,
            story_id=story_id,
            signature=None,
            copy_group_id=article_id,
            copy_of_id=None,
            copy_relation=None,
            explanation={"sentence": "a new story"},
            now=NOW,
        )


def test_a_merged_story_redirects_and_its_articles_move(database: Database) -> None:
    first, second = _article(database, 1), _article(database, 2)
    kept, merged = _story(database, "Cranes"), _story(database, "More cranes")
    _place(database, first, kept)
    _place(database, second, merged)
    with database.write() as session:
        merge_story(session, merged, kept, NOW)
    with database.read() as session:
        assert stories_of_articles(session, [first, second]) == {first: kept, second: kept}
        assert story_article_ids(session, kept) == [first, second]
        assert load_stories(session, [merged])[merged].id == kept
        assert story_view(session, merged) == {"merged_into": kept}
        view = story_view(session, kept)
        assert view is not None and [a["id"] for a in view["articles"]] == [first, second]


def test_only_analysed_articles_are_reserved_and_one_placer_holds_each(
    database: Database,
) -> None:
    first = _article(database, 1)
    _article(database, 2)  # not analysed: not placeable yet
    with database.write() as session:
        save_analysis(session, first, 1, 1, Analysis(language="en"))
    lease = timedelta(minutes=5)
    with database.write() as session:
        assert has_placement_work(session, 1, NOW)
        assert reserve_for_placement(session, 1, NOW, lease, 10) == [first]
    with database.write() as session:
        assert not has_placement_work(session, 1, NOW)
        assert reserve_for_placement(session, 1, NOW, lease, 10) == []
    later = NOW + lease + timedelta(seconds=1)
    with database.write() as session:  # the holder died: its lease ran out
        assert reserve_for_placement(session, 1, later, lease, 10) == [first]
