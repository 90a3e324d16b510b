"""Follows and mutes (lifecycle, validation, merged targets, the limit) and reading marks
(read, unread, saved, paging); on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from storyline.readers import follows
from storyline.readers.follows import FollowError, TargetNotFound
from storyline.store import Database
from storyline.store.analysis import merge_entities
from storyline.store.schema import Follow, ReadingMark
from storyline.store.stories import merge_story
from tests.readers.test_feed import NOW, World


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


def test_follow_mute_unfollow_lifecycle(world: World) -> None:
    database = world.database
    world.article("Lantern Post", 2)
    reader = world.reader("Ada Quill")
    with database.write() as session:
        first = follows.follow(session, reader, "outlet", "Lantern Post", NOW)
        again = follows.follow(session, reader, "outlet", "lantern-post", NOW)
        assert (first.id, first.target, first.name, first.url) == (
            again.id,
            "lantern-post",
            "Lantern Post",
            "/outlets/lantern-post",
        )
        assert follows.is_following(session, reader, "outlet", "lantern-post")
        muted = follows.mute(session, reader, "outlet", "LANTERN POST", NOW)
        assert not follows.is_following(session, reader, "outlet", "lantern-post")
        assert follows.is_following(session, reader, "outlet", "lantern-post", mode="mute")
        assert [(i.id, i.mode) for i in follows.list_follows(session, reader)] == [
            (muted.id, "mute")
        ]
        assert follows.unmute(session, reader, "outlet", "lantern-post")
        assert not follows.unmute(session, reader, "outlet", "lantern-post")
        assert not follows.unfollow(session, reader, "outlet", "lantern-post")
        assert follows.list_follows(session, reader) == []


def test_targets_are_checked_and_normalised(world: World) -> None:
    database = world.database
    world.article("Quarry Times", 2, people=["Ilse Marrow"], tags=["#BrackenFerry"])
    reader = world.reader("Ben Tarn")
    with database.write() as session:
        tag = follows.follow(session, reader, "hashtag", " #BRACKENFERRY ", NOW)
        assert (tag.target, tag.name, tag.url) == (
            "brackenferry",
            "#BrackenFerry",
            "/tags/brackenferry",
        )
        word = follows.mute(session, reader, "word", "  Drone   STRIKES ", NOW)
        assert (word.target, word.url) == ("drone strikes", None)
        person = follows.follow(session, reader, "entity", str(world.entities["Ilse Marrow"]), NOW)
        assert (person.name, person.url) == ("Ilse Marrow", f"/entities/{person.target}")
        for kind, target, error in (
            ("story", "12345", TargetNotFound),
            ("story", "the ferry", FollowError),
            ("storyline", "-3", FollowError),
            ("entity", "99999999999999999999999", FollowError),
            ("outlet", "Nowhere Gazette", TargetNotFound),
            ("hashtag", "#NeverSeen", TargetNotFound),
            ("hashtag", "#", TargetNotFound),
            ("word", "x" * 101, FollowError),
            ("word", "   ", FollowError),
            ("planet", "mars", FollowError),
        ):
            mode = "mute" if kind == "word" else "follow"
            with pytest.raises(error):
                follows.follow(session, reader, kind, target, NOW, mode=mode)
        with pytest.raises(FollowError, match="muted, not followed"):
            follows.follow(session, reader, "word", "ferry", NOW)
        with pytest.raises(FollowError):
            follows.follow(session, reader, "outlet", "Quarry Times", NOW, mode="love")
        assert len(follows.list_follows(session, reader)) == 3


def test_merged_stories_and_entities_are_followed_as_the_survivor(world: World) -> None:
    database = world.database
    kept = world.story("Ferry strike, day two", [world.article("Quarry Times", 2)])
    merged = world.story("Ferry strike", [world.article("Quarry Times", 30)])
    early = world.story("Ferry talks", [world.article("Quarry Times", 40)])
    world.article("Lantern Post", 3, people=["Ilse Marrow", "I. Marrow"])
    reader = world.reader("Cai Morrow")
    with database.write() as session:
        follows.follow(session, reader, "story", str(early), NOW)  # followed, then merged
        merge_story(session, merged, kept, NOW)
        merge_story(session, early, kept, NOW)
        item = follows.follow(session, reader, "story", str(merged), NOW)
        assert (item.target, item.name) == (str(kept), "Ferry strike, day two")
        merge_entities(session, world.entities["I. Marrow"], world.entities["Ilse Marrow"])
        person = follows.follow(session, reader, "entity", str(world.entities["I. Marrow"]), NOW)
        assert person.target == str(world.entities["Ilse Marrow"])
    with database.read() as session:
        targets = sorted(f.target for f in follows.list_follows(session, reader, "follow"))
        assert targets == sorted([str(early), str(kept), person.target])
        assert follows.is_following(session, reader, "story", str(kept))
        modes = follows.follow_modes(
            session, reader, [("story", str(kept)), ("story", str(early)), ("outlet", "nowhere")]
        )
        assert modes == {("story", str(kept)): "follow", ("story", str(early)): "follow"}
    with database.write() as session:
        assert follows.unfollow(session, reader, "story", str(kept))  # and the one merged in
        assert [f.kind for f in follows.list_follows(session, reader)] == ["entity"]


def test_one_account_follows_at_most_the_limit(world: World) -> None:
    database = world.database
    world.article("Lantern Post", 2)
    reader, other = world.reader("Dee Holm"), world.reader("Eli Frost")
    with database.write() as session:
        session.execute(
            insert(Follow),
            [
                {
                    "user_id": reader,
                    "mode": "mute",
                    "kind": "word",
                    "target": f"w{n}",
                    "created_at": NOW,
                }
                for n in range(follows.MAX_FOLLOWS - 1)
            ],
        )
        follows.follow(session, reader, "outlet", "lantern-post", NOW)
        follows.follow(session, reader, "outlet", "lantern-post", NOW)  # already: no error
        with pytest.raises(FollowError, match="1000"):
            follows.mute(session, reader, "word", "one too many", NOW)
        follows.follow(session, other, "outlet", "lantern-post", NOW)  # others are not counted
        count = select(func.count()).select_from(Follow).where(Follow.user_id == reader)
        assert session.execute(count).scalar_one() == follows.MAX_FOLLOWS


def test_a_reader_cannot_remove_another_readers_follow(world: World) -> None:
    database = world.database
    world.article("Lantern Post", 2)
    owner, other = world.reader("Fen Hale"), world.reader("Gil Moss")
    with database.write() as session:
        item = follows.follow(session, owner, "outlet", "lantern-post", NOW)
        assert not follows.remove_follow(session, other, item.id)
        assert follows.remove_follow(session, owner, item.id)
        assert not follows.remove_follow(session, owner, item.id)


def test_reading_marks_read_unread_save_and_page(world: World) -> None:
    database = world.database
    ids = [world.article("Lantern Post", n + 1) for n in range(5)]
    reader, other = world.reader("Hal Reed"), world.reader("Ivy Lund")
    with database.write() as session:
        assert follows.mark_read(session, reader, [ids[0], ids[1], 10**9], NOW) == ids[:2]
        follows.mark_read(session, reader, [ids[0]], NOW + timedelta(hours=1))
        first = session.get(ReadingMark, (reader, ids[0]))
        assert first is not None and first.read_at == NOW  # the first reading is kept
        follows.mark_unread(session, reader, [ids[1]], NOW)
        assert session.get(ReadingMark, (reader, ids[1])) is None  # nothing left to keep
        for n, article_id in enumerate(ids):
            assert follows.save(session, reader, article_id, NOW + timedelta(minutes=n))
        assert follows.save(session, reader, ids[0], NOW + timedelta(days=1))  # keeps its place
        assert not follows.save(session, reader, 10**9, NOW)
        assert follows.unsave(session, reader, ids[2], NOW)
    with database.read() as session:
        assert follows.read_ids(session, reader, ids) == {ids[0]}
        assert follows.read_ids(session, other, ids) == set()
        assert follows.reading_state(session, reader, ids[0]) == {
            "article_id": ids[0],
            "read": True,
            "saved": True,
        }
        page, cursor = follows.saved_articles(session, reader, limit=2)
        assert [a["id"] for a in page] == [ids[4], ids[3]] and cursor is not None
        rest, end = follows.saved_articles(session, reader, limit=2, before=cursor)
        assert [(a["id"], a["read"]) for a in rest] == [(ids[1], False), (ids[0], True)]
        assert end is None
        assert rest[1]["saved_at"] == "2026-04-14T12:00:00Z"
        assert follows.saved_articles(session, other)[0] == []
