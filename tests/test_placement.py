"""The stories stage over stored articles: vectors, copies, stories and storylines.

The articles are the invented copies fixtures (``tests/fixtures/stories/copies``): six
events, each reported by several invented outlets, with wire copies, rewrites, updates
and independent reports. They go through the real pipeline (spaCy analysis, the
all-MiniLM-L6-v2 embedding model, MinHash signatures, the online clustering), on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storyline.analysis import analyze_backlog
from storyline.model import ArticleDraft, Block, BlockKind
from storyline.placement import place_backlog
from storyline.settings import Settings
from storyline.store import Database, save_article
from storyline.store.schema import ArticleVector, CopyKey, Placement, Story
from tests.conftest import FIXTURES

COPIES = FIXTURES / "stories" / "copies"
META: dict[str, dict[str, str | None]] = json.loads((COPIES / "articles.json").read_text())
EVENTS = ("breach", "strike", "flood")


def store_copies_fixtures(database: Database, events: tuple[str, ...] = EVENTS) -> dict[str, int]:
    """Store the fixture articles of ``events``; returns their ids by fixture name."""
    ids: dict[str, int] = {}
    with database.write() as session:
        for name in sorted(META):
            meta = META[name]
            if meta["event"] not in events:
                continue
            paragraphs = _paragraphs(COPIES / "articles" / f"{name}.txt")
            published = meta["published"]
            assert published is not None
            draft = ArticleDraft(
                title=paragraphs[0],
                outlet=str(meta["outlet"]),
                url=f"https://{str(meta['outlet']).lower().replace(' ', '-')}.test/{name}",
                published_at=datetime.fromisoformat(published.replace("Z", "+00:00")),
                blocks=tuple(Block(BlockKind.PARAGRAPH, p) for p in paragraphs[1:]),
            )
            ids[name] = save_article(
                session, draft, source_kind="file", source_locator="fixtures"
            ).article_id
    return ids


def _paragraphs(path: Path) -> list[str]:
    return [p.strip() for p in path.read_text("utf-8").split("\n\n") if p.strip()]


@pytest.fixture
def placed(database: Database, settings: Settings) -> dict[str, int]:
    ids = store_copies_fixtures(database)
    analyze_backlog(database, settings)
    report = place_backlog(database, settings)
    assert (report.placed, report.remaining) == (len(ids), 0)
    return ids


def _placements(database: Database) -> dict[int, Placement]:
    with database.read() as session:
        rows = session.execute(select(Placement)).scalars().all()
        session.expunge_all()
    return {row.article_id: row for row in rows}


def test_events_become_stories_copies_are_grouped_and_groupings_explained(
    database: Database, placed: dict[str, int]
) -> None:
    placements = _placements(database)
    story_events: dict[int, Counter[str]] = defaultdict(Counter)
    event_stories: dict[str, Counter[int]] = defaultdict(Counter)
    for name, article_id in placed.items():
        story = placements[article_id].story_id
        assert story is not None
        event = str(META[name]["event"])
        story_events[story][event] += 1
        event_stories[event][story] += 1
    for story, events in story_events.items():
        assert len(events) == 1, f"story {story} mixes events {dict(events)}"
    for event, stories in event_stories.items():
        biggest = stories.most_common(1)[0][1]
        assert biggest >= 0.8 * sum(stories.values()), f"{event} scattered: {dict(stories)}"
    with database.read() as session:
        live = session.execute(select(Story).where(Story.merged_into_id.is_(None))).scalars()
        for row in live:
            assert row.title
            assert row.article_count == sum(1 for p in placements.values() if p.story_id == row.id)
            assert row.storyline_id is not None

    _check_copies(placements, placed)
    _check_explanations(placements)


def _check_copies(placements: dict[int, Placement], placed: dict[str, int]) -> None:
    """Wire copies share a group and independent reports do not."""
    groups: dict[str, set[int | None]] = defaultdict(set)
    for name, article_id in placed.items():
        family = META[name]["family"]
        placement = placements[article_id]
        if family is None:
            assert placement.copy_of_id is None, name
        else:
            groups[str(family)].add(placement.copy_group_id)
        if META[name]["kind"] == "update":
            assert placement.copy_relation == "update", name
    for family, members in groups.items():
        assert len(members) == 1, f"{family} split into groups {members}"
    assert len({next(iter(m)) for m in groups.values()}) == len(groups)


def _check_explanations(placements: dict[int, Placement]) -> None:
    """Each grouping names what was shared."""
    sentences = [p.explanation["sentence"] for p in placements.values()]
    grouped = [s for s in sentences if s.startswith("grouped because: ") and "similarity" in s]
    assert grouped, sentences
    assert any("hours apart" in s or "minutes apart" in s or "day" in s for s in grouped)


def test_placing_again_does_nothing_and_a_lost_index_is_rebuilt(
    database: Database, settings: Settings, placed: dict[str, int]
) -> None:
    before = _placements(database)
    assert place_backlog(database, settings).placed == 0
    index = settings.home / "index"
    for path in index.iterdir():
        if path.suffix == ".faiss":
            path.write_bytes(b"damaged")
    from storyline.placement import Placer

    placer = Placer(database, settings)
    with database.read() as session:
        count = session.execute(select(func.count()).select_from(ArticleVector)).scalar_one()
        keys = session.execute(select(func.count()).select_from(CopyKey)).scalar_one()
    assert count == len(placed) and keys > 0
    some = next(iter(placed.values()))
    with database.read() as session:
        stored = session.get(ArticleVector, some)
        assert stored is None or stored.article_id  # rows are keyed by their own id
    from storyline.stories.embeddings import vector_from_bytes

    with database.read() as session:
        vector = session.execute(
            select(ArticleVector.vector).where(ArticleVector.article_id == some)
        ).scalar_one()
    nearest = placer.related_index(384).search(vector_from_bytes(vector), 3, exclude=some)
    assert len(nearest) == 3 and some not in [a for a, _ in nearest]
    assert _placements(database).keys() == before.keys()


@pytest.mark.postgres
def test_two_workers_placing_at_once_open_one_story_per_event(
    postgres_database: Database, settings: Settings
) -> None:
    """Two processes' placers on one PostgreSQL, each with half of every event's articles:
    the stories lock makes their decisions one at a time, so no event gets two stories."""
    import threading

    from storyline.placement import Placer

    ids = store_copies_fixtures(postgres_database, ("breach", "flood"))
    analyze_backlog(postgres_database, settings)
    ordered = sorted(ids.values())
    halves = (ordered[0::2], ordered[1::2])
    errors: list[BaseException] = []

    def place(part: list[int]) -> None:
        try:
            Placer(postgres_database, settings).place(part, batch=4)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=place, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    placements = _placements(postgres_database)
    assert set(placements) == set(ordered)
    stories: dict[str, Counter[int]] = defaultdict(Counter)
    for name, article_id in ids.items():
        story = placements[article_id].story_id
        assert story is not None
        stories[str(META[name]["event"])][story] += 1
    for event, counts in stories.items():
        biggest = counts.most_common(1)[0][1]
        assert biggest >= 0.8 * sum(counts.values()), f"{event} scattered: {dict(counts)}"
