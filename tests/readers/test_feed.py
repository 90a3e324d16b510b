"""The personal feed: candidates from every kind of follow within the window, the ranking
and its reasons, mutes, read state, paging, merged stories and the Atom document; on
SQLite and PostgreSQL.

The stories are built directly in the store (articles, entities, hashtags, placements,
stories, storylines) by :class:`World`, with invented outlets, people and places, so each
test says exactly which story should come in and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import numpy as np
import pytest
from sqlalchemy import select

from storyline.model import ArticleDraft, Block, BlockKind
from storyline.readers import feed, follows
from storyline.readers.accounts import create_user
from storyline.readers.feed import HALF_LIFE, atom_feed, personal_feed, score
from storyline.store import Database, save_article
from storyline.store.schema import Article, ArticleEntity, ArticleHashtag, Entity, Hashtag
from storyline.store.stories import merge_story, save_placement, save_story, save_storyline
from storyline.stories.cluster_features import StorySummary
from tests.conftest import QUICK_HASH

NOW = datetime(2026, 4, 14, 12, 0, tzinfo=UTC)


@dataclass
class World:
    """Builds invented news in the store: call :meth:`article`, then :meth:`story`."""

    database: Database
    now: datetime = NOW
    entities: dict[str, int] = field(default_factory=dict)
    hashtags: dict[str, int] = field(default_factory=dict)
    _count: int = 0

    def reader(self, name: str) -> int:
        with self.database.write() as session:
            email = name.lower().replace(" ", ".") + "@readers.test"
            user = create_user(
                session,
                email=email,
                name=name,
                password="a long passphrase",
                now=self.now,
                settings=QUICK_HASH,
            )
            return user.id

    def article(
        self,
        outlet: str,
        hours_ago: float,
        *,
        title: str | None = None,
        people: Sequence[str] = (),
        tags: Sequence[str] = (),
    ) -> int:
        """An article of ``outlet`` published ``hours_ago``, naming ``people`` and
        carrying ``tags`` (``#WithTheHash``)."""
        self._count += 1
        published = self.now - timedelta(hours=hours_ago)
        slug = outlet.lower().replace(" ", "-")
        draft = ArticleDraft(
            title=title or f"Report {self._count} from {outlet}",
            outlet=outlet,
            url=f"https://{slug}.test/report-{self._count}",
            published_at=published,
            blocks=(Block(BlockKind.PARAGRAPH, f"Paragraph of report {self._count}."),),
        )
        with self.database.write() as session:
            article_id = save_article(
                session, draft, source_kind="file", source_locator="tests", now=published
            ).article_id
            for rank, name in enumerate(people):
                if name not in self.entities:
                    entity = Entity(key=name.lower(), name=name, type="PERSON")
                    session.add(entity)
                    session.flush()
                    self.entities[name] = entity.id
                session.add(
                    ArticleEntity(
                        article_id=article_id,
                        entity_id=self.entities[name],
                        rank=rank,
                        mentions=[],
                    )
                )
            for rank, tag in enumerate(tags):
                if tag not in self.hashtags:
                    hashtag = Hashtag(key=tag.lstrip("#").lower(), tag=tag)
                    session.add(hashtag)
                    session.flush()
                    self.hashtags[tag] = hashtag.id
                session.add(
                    ArticleHashtag(article_id=article_id, hashtag_id=self.hashtags[tag], rank=rank)
                )
        return article_id

    def storyline(self, title: str) -> int:
        with self.database.write() as session:
            return save_storyline(
                session,
                None,
                title=title,
                first_at=self.now - timedelta(days=30),
                last_at=self.now,
                story_count=0,
                state=b"{}",
            )

    def story(
        self,
        title: str,
        article_ids: Sequence[int],
        *,
        storyline: int | None = None,
        placed_hours_ago: float = 48,
        last_hours_ago: float | None = None,
    ) -> int:
        """A story of the articles (times from them, unless ``last_hours_ago`` says when
        its newest dated article was), placed ``placed_hours_ago``."""
        placed = self.now - timedelta(hours=placed_hours_ago)
        with self.database.write() as session:
            times = [
                session.execute(
                    select(Article.listed_at, Article.outlet_id).where(Article.id == article_id)
                ).one()
                for article_id in article_ids
            ]
            summary = StorySummary.empty(0, dimensions=4)
            summary.titles = {article_ids[0]: title}
            story_id = save_story(
                session,
                None,
                title=title,
                first_at=min(t for t, _ in times),
                last_at=(
                    max(t for t, _ in times)
                    if last_hours_ago is None
                    else self.now - timedelta(hours=last_hours_ago)
                ),
                article_count=len(article_ids),
                outlet_count=len({o for _, o in times}),
                state=summary.to_json().encode(),
                storyline_id=storyline,
                created_at=placed,
                updated_at=placed,
            )
            for article_id in article_ids:
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
                    explanation={},
                    now=placed,
                )
        return story_id


def feed_of(database: Database, user_id: int, **options: Any) -> dict[str, Any]:
    with database.read() as session:
        return personal_feed(session, user_id, now=NOW, **options)


def titles(shown: dict[str, Any]) -> list[str]:
    return [story["title"] for story in shown["stories"]]


def reasons(shown: dict[str, Any]) -> dict[str, list[str]]:
    return {s["title"]: s["reasons"] for s in shown["stories"]}


def follow(
    database: Database, user_id: int, kind: str, target: object, mode: str = "follow"
) -> None:
    with database.write() as session:
        follows.follow(session, user_id, kind, str(target), NOW, mode=mode)


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


def test_every_kind_of_follow_brings_its_stories_with_the_reason(world: World) -> None:
    database = world.database
    ferry = world.story("Ferry strike ends", [world.article("Lantern Post", 3)])
    marrow = world.story(
        "Ilse Marrow opens the weir", [world.article("Quarry Times", 5, people=["Ilse Marrow"])]
    )
    tagged = world.story(
        "Bracken Ferry timetable", [world.article("Quarry Times", 6, tags=["#BrackenFerry"])]
    )
    chosen = world.story("Lighthouse keeper retires", [world.article("Gull Point Herald", 8)])
    line = world.storyline("The harbour dispute")
    in_line = world.story(
        "Dockers vote again", [world.article("Gull Point Herald", 9)], storyline=line
    )
    world.story("Old pier report", [world.article("Lantern Post", 24 * 10)])  # out of window
    world.story("Unrelated fair", [world.article("Gull Point Herald", 2)])
    reader = world.reader("Ada Quill")
    follow(database, reader, "outlet", "Lantern Post")
    follow(database, reader, "entity", world.entities["Ilse Marrow"])
    follow(database, reader, "hashtag", "#brackenferry")
    follow(database, reader, "story", chosen)
    follow(database, reader, "storyline", line)

    shown = feed_of(database, reader)
    assert reasons(shown) == {
        "Ferry strike ends": ["you follow Lantern Post"],
        "Ilse Marrow opens the weir": ["you follow Ilse Marrow"],
        "Bracken Ferry timetable": ["you follow #BrackenFerry"],
        "Lighthouse keeper retires": ["you follow this story"],
        "Dockers vote again": ["in a storyline you follow"],
    }
    # With equal growth and one follow each, the newest comes first.
    assert titles(shown) == [
        "Ferry strike ends",
        "Ilse Marrow opens the weir",
        "Bracken Ferry timetable",
        "Lighthouse keeper retires",
        "Dockers vote again",
    ]
    assert {s["id"] for s in shown["stories"]} == {ferry, marrow, tagged, chosen, in_line}
    assert shown["following"] == 5 and shown["next_offset"] is None
    assert feed_of(database, reader, days=30)["stories"][-1]["title"] == "Old pier report"


def test_growth_and_more_matching_follows_rank_a_story_higher(world: World) -> None:
    database = world.database
    quiet = world.story("Quiet council meeting", [world.article("Lantern Post", 2)])
    growing = world.story(
        "Flood barrier fails",
        [world.article(outlet, 3) for outlet in ("Lantern Post", "Quarry Times") * 2],
    )
    both = world.story(
        "Marrow visits the barrier",
        [world.article("Gull Point Herald", 4, people=["Ilse Marrow"], tags=["#Weir"])],
    )
    single = world.story("Barrier inspected", [world.article("Gull Point Herald", 4)])
    reader = world.reader("Ben Tarn")
    follow(database, reader, "outlet", "lantern-post")
    follow(database, reader, "outlet", "gull-point-herald")
    follow(database, reader, "entity", world.entities["Ilse Marrow"])
    follow(database, reader, "hashtag", "weir")
    shown = feed_of(database, reader)
    by_id = {s["id"]: s for s in shown["stories"]}
    assert by_id[growing]["growth"] == 4 and by_id[quiet]["growth"] == 1
    # Growth outweighs an hour of age; three matching follows outweigh one of the same age.
    assert [s["id"] for s in shown["stories"]] == [growing, both, quiet, single]
    assert by_id[both]["reasons"] == [
        "you follow Ilse Marrow",
        "you follow #Weir",
        "you follow Gull Point Herald",
    ]


def test_score_halves_every_half_life_and_grows_with_articles_and_follows() -> None:
    fresh = score(NOW, 0, 1, NOW)
    assert fresh == pytest.approx(1.0)
    assert score(NOW - HALF_LIFE, 0, 1, NOW) == pytest.approx(0.5)
    assert score(NOW, 4, 1, NOW) == pytest.approx(1 + np.log1p(4))
    assert score(NOW, 0, 3, NOW) == pytest.approx(1.5)
    assert score(NOW, 0, 40, NOW) == score(NOW, 0, 1 + feed.MAX_BOOSTED, NOW) == 2.0
    assert score(NOW + timedelta(hours=2), 0, 1, NOW) == pytest.approx(1.0)  # a clock ahead


def test_mutes_drop_outlets_articles_and_stories_by_word_hashtag_entity_and_story(
    world: World,
) -> None:
    database = world.database
    shared = world.story(
        "Bridge reopens",
        [world.article("Lantern Post", 2), world.article("Quarry Times", 3)],
    )
    only_muted = world.story(
        "Quarry blast", [world.article("Quarry Times", 2, people=["Ilse Marrow"])]
    )
    worded = world.story("Celebrity gossip at the fair", [world.article("Lantern Post", 4)])
    tagged = world.story("Regatta results", [world.article("Lantern Post", 5, tags=["#Regatta"])])
    named = world.story(
        "Councillor Vell speaks", [world.article("Lantern Post", 6, people=["Oren Vell"])]
    )
    story_muted = world.story("Tide tables", [world.article("Lantern Post", 7)])
    reader = world.reader("Cai Morrow")
    follow(database, reader, "outlet", "Lantern Post")
    follow(database, reader, "entity", world.entities["Ilse Marrow"])
    before = titles(feed_of(database, reader))
    assert set(before) == {
        "Bridge reopens",
        "Quarry blast",
        "Celebrity gossip at the fair",
        "Regatta results",
        "Councillor Vell speaks",
        "Tide tables",
    }
    follow(database, reader, "outlet", "Quarry Times", "mute")
    follow(database, reader, "word", "  GOSSIP ", "mute")
    follow(database, reader, "hashtag", "#Regatta", "mute")
    follow(database, reader, "entity", world.entities["Oren Vell"], "mute")
    follow(database, reader, "story", story_muted, "mute")
    shown = feed_of(database, reader)
    assert titles(shown) == ["Bridge reopens"]
    [story] = shown["stories"]
    assert story["id"] == shared and story["outlets"] == ["Lantern Post"]
    assert [a["outlet"] for a in story["articles"]] == ["Lantern Post"]
    assert len(story["article_ids"]) == 1
    assert shown["following"] == 2
    assert {only_muted, worded, tagged, named}.isdisjoint(s["id"] for s in shown["stories"])


def test_a_muted_word_matches_titles_whatever_their_case(world: World) -> None:
    """Word mutes are stored case-folded ("Straße" as "strasse"): a search that only
    ignores case never finds "strasse" in "Straße"; folding the title does."""
    database = world.database
    sharp_s = world.story(
        "Straße zum Hafen gesperrt", [world.article("Lantern Post", 2, title="Straße gesperrt")]
    )
    capitals = world.story("STRASSE FREI", [world.article("Lantern Post", 3)])
    kept = world.story("Hafen offen", [world.article("Lantern Post", 4)])
    reader = world.reader("Anke Brandt")
    follow(database, reader, "outlet", "Lantern Post")
    assert len(feed_of(database, reader)["stories"]) == 3
    follow(database, reader, "word", "Straße", "mute")
    shown = feed_of(database, reader)
    assert [s["id"] for s in shown["stories"]] == [kept]
    assert {sharp_s, capitals}.isdisjoint(s["id"] for s in shown["stories"])


def test_read_articles_are_marked_and_all_read_stories_can_be_left_out(world: World) -> None:
    database = world.database
    first, second = world.article("Lantern Post", 2), world.article("Lantern Post", 3)
    done = world.story("Harbour dredging", [first, second])
    world.story("Bakery fire", [world.article("Lantern Post", 4)])
    reader = world.reader("Dee Holm")
    follow(database, reader, "outlet", "lantern-post")
    with database.write() as session:
        follows.mark_read(session, reader, [first], NOW)
    story = feed_of(database, reader)["stories"][0]
    assert (story["id"], story["read_count"], story["unread_count"]) == (done, 1, 1)
    assert [(a["id"], a["read"]) for a in story["articles"]] == [(first, True), (second, False)]
    assert titles(feed_of(database, reader, unread_only=True)) == [
        "Harbour dredging",
        "Bakery fire",
    ]
    with database.write() as session:
        follows.mark_read(session, reader, [second], NOW)
    assert feed_of(database, reader)["stories"][0]["all_read"] is True
    assert titles(feed_of(database, reader, unread_only=True)) == ["Bakery fire"]


def test_pages_follow_each_other_without_gaps(world: World) -> None:
    database = world.database
    for n in range(7):
        world.story(f"Storm update {n}", [world.article("Lantern Post", n + 1)])
    reader = world.reader("Eli Frost")
    follow(database, reader, "outlet", "lantern-post")
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = feed_of(database, reader, limit=3, offset=offset)
        seen += titles(page)
        offset = page["next_offset"]
    assert seen == [f"Storm update {n}" for n in range(7)]


def test_a_followed_story_merged_away_brings_in_the_survivor(world: World) -> None:
    database = world.database
    kept = world.story("Ferry strike, day two", [world.article("Quarry Times", 2)])
    merged = world.story("Ferry strike", [world.article("Quarry Times", 30)])
    reader = world.reader("Fen Hale")
    follow(database, reader, "story", merged)
    with database.write() as session:
        merge_story(session, merged, kept, NOW)
    shown = feed_of(database, reader)
    assert [(s["id"], s["reason"]) for s in shown["stories"]] == [(kept, "you follow this story")]
    assert len(shown["stories"][0]["article_ids"]) == 2


def test_the_last_days_stories_settle_a_page_as_the_whole_week_would(world: World) -> None:
    """The first pages are ranked from the last day's stories (and older ones that grew
    since) when nothing older can outrank them: the same candidates with the same
    follows as the whole week's, and so the same page."""
    database = world.database
    for n in range(6):
        world.story(f"Tide report {n}", [world.article("Lantern Post", n + 1)])
    older = world.article("Quarry Times", 60, people=["Ilse Marrow"])  # three days before
    through_old = world.story("Weir repairs", [older, world.article("Quarry Times", 2)])
    undated = world.article("Gull Point Herald", 3, tags=["#Regatta"])
    regrown = world.story("Regatta, a week on", [undated], last_hours_ago=70)
    for n in range(5):
        world.story(f"Old storm {n}", [world.article("Lantern Post", 30 + 10 * n)])
    reader = world.reader("Jo Birch")
    follow(database, reader, "outlet", "lantern-post")
    follow(database, reader, "entity", world.entities["Ilse Marrow"])
    follow(database, reader, "hashtag", "regatta")

    with database.read() as session:
        since, fresh_since = NOW - timedelta(days=7), NOW - feed.GROWTH_WINDOW
        followed = feed._read_follows(session, reader)
        growth, stale = feed._growth(session, fresh_since, fresh_since)
        assert (stale, growth[regrown]) == ({regrown}, 1)
        fresh = feed._fresh_candidates(session, followed, since, fresh_since, stale)
        week = feed._candidates(session, followed, since)
    expected = {c.id: c.follows for c in week if c.last_at >= fresh_since or c.id in stale}
    assert {c.id: c.follows for c in fresh} == expected
    marrow = str(world.entities["Ilse Marrow"])
    assert expected[through_old] == {("entity", marrow)}  # through its older article
    assert len(week) == len(expected) + 5

    whole = feed_of(database, reader, limit=50)  # more than the last day can fill
    for limit in (2, 4):
        page = feed_of(database, reader, limit=limit)
        assert [s["id"] for s in page["stories"]] == [s["id"] for s in whole["stories"][:limit]]
        assert page["stories"] == whole["stories"][:limit]


def test_a_reader_who_follows_nothing_gets_an_empty_feed(world: World) -> None:
    world.story("Ferry strike ends", [world.article("Lantern Post", 3)])
    shown = feed_of(world.database, world.reader("Gil Moss"))
    assert shown["stories"] == [] and shown["following"] == 0


def test_the_atom_document_parses_and_carries_the_stories(world: World) -> None:
    database = world.database
    world.story(
        'Ferry <strike> & the "harbour" board',
        [world.article("Lantern Post", 3, tags=["#BrackenFerry"])],
    )
    reader = world.reader("Hal Reed")
    follow(database, reader, "outlet", "Lantern Post")
    shown = feed_of(database, reader)
    body = atom_feed(
        shown,
        title="For you · Storyline",
        feed_url="https://news.test/feeds/for-you/s3cret.atom",
        site_url="https://news.test",
        now=NOW,
    )
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "For you · Storyline"
    [entry] = parsed.entries
    story_id = shown["stories"][0]["id"]
    assert entry.title == 'Ferry <strike> & the "harbour" board'
    assert entry.link == entry.id == f"https://news.test/stories/{story_id}"
    assert entry.summary.startswith("You follow Lantern Post. 1 article from 1 outlet")
    assert entry.updated_parsed[:4] == (2026, 4, 14, 9)
    hashtags = shown["stories"][0]["hashtags"]
    assert hashtags and [t.term for t in entry.tags] == [h.lstrip("#") for h in hashtags]
