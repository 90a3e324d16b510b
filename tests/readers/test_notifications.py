"""Notifications: developments fanned out to followers once, preferences and mutes
respected, merged stories followed, and the bell menu's reads and writes."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from huey import MemoryHuey
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storyline.crawl import Crawler
from storyline.readers.accounts import create_user
from storyline.readers.developments import record_developments
from storyline.readers.notifications import (
    NOTIFICATION_KINDS,
    NOTIFICATION_LABELS,
    WATERMARK,
    fan_out_developments,
    has_developments_to_fan_out,
    list_notifications,
    mark_read,
    notify,
    unread_count,
)
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import (
    ArticleHashtag,
    Follow,
    Hashtag,
    Meta,
    Notification,
    StoryDevelopment,
    Storyline,
)
from storyline.store.stories import merge_story
from storyline.worker.tasks import register_jobs
from tests.readers.test_developments import START, Newsroom

NOW = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)


def reader(session: Session, name: str, **preferences: object) -> int:
    user = create_user(
        session,
        email=f"{name.lower().replace(' ', '.')}@readers.test",
        name=name,
        password="correct horse battery",
        now=NOW,
    )
    user.preferences = dict(preferences)
    session.flush()
    return user.id


def follow(
    session: Session,
    user_id: int,
    kind: str,
    target: object,
    mode: str = "follow",
    since: datetime = START - timedelta(days=1),
) -> None:
    """``user_id`` follows (or mutes) ``target``, since before the newsroom's first story."""
    session.add(Follow(user_id=user_id, mode=mode, kind=kind, target=str(target), created_at=since))
    session.flush()


def told(database: Database) -> list[tuple[int, str, str, str, str]]:
    """(user id, key, kind, text, url) of every notification."""
    with database.read() as session:
        rows = session.execute(
            select(Notification).order_by(Notification.user_id, Notification.id)
        ).scalars()
        return [(row.user_id, row.key, row.kind, row.text, row.url) for row in rows]


def fan_out(database: Database, limit: int = 500) -> int:
    with database.write() as session:
        return fan_out_developments(session, NOW, limit)


def new_outlet(room: Newsroom, story: int, outlet: str, title: str) -> int:
    """An article by ``outlet`` joins ``story`` and is recorded: one new_outlet development."""
    article = room.join(story, outlet, title)
    assert record_developments(room.session, [article], room.tick()) == 1
    return article


def test_followers_of_a_story_or_its_storyline_are_told_once(database: Database) -> None:
    with database.write() as session:
        room = Newsroom(session)
        line = room.storyline()
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire", storyline_id=line)
        other, _ = room.open_story("Northpier Radio", "Ferry strike", storyline_id=line)
        ana, bo, cy, dee, eli = (
            reader(session, name) for name in ("Ana", "Bo", "Cy", "Dee", "Eli")
        )
        follow(session, ana, "story", story)
        follow(session, bo, "storyline", line)
        follow(session, cy, "story", story)
        follow(session, cy, "storyline", line)
        follow(session, dee, "story", other)
        follow(session, eli, "outlet", "the-dunmere-courier")
        new_outlet(room, story, "The Dunmere Courier", "Families wait")
        development = session.execute(select(StoryDevelopment.id)).scalar_one()
    assert has_developments_to_fan_out_now(database)
    assert fan_out(database) == 3
    text = "The Dunmere Courier now covers this story: “Families wait”"
    key, url = f"development:{development}", f"/stories/{story}"
    assert told(database) == [
        (ana, key, "development", text, url),
        (bo, key, "development", text, url),
        (cy, key, "development", text, url),
    ]
    assert not has_developments_to_fan_out_now(database)
    assert fan_out(database) == 0
    with database.read() as session:
        watermark = session.execute(select(Meta.value).where(Meta.key == WATERMARK))
        assert watermark.scalar_one() == str(development)

    with database.write() as session:
        room.session = session
        new_outlet(room, other, "Saltgate Gazette", "Strike talks")
    assert fan_out(database) == 3  # Bo and Cy by the storyline, Dee by the story
    assert len(told(database)) == 6


def has_developments_to_fan_out_now(database: Database) -> bool:
    with database.read() as session:
        return has_developments_to_fan_out(session)


def test_a_batch_at_a_time(database: Database) -> None:
    with database.write() as session:
        room = Newsroom(session)
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
        follow(session, reader(session, "Ana"), "story", story)
        for n in range(3):
            new_outlet(room, story, f"Outlet {n}", f"Report {n}")
    assert [fan_out(database, limit=2), fan_out(database, limit=2), fan_out(database)] == [2, 1, 0]
    assert len(told(database)) == 3


def test_readers_who_switched_developments_off_or_muted_them_hear_nothing(
    database: Database,
) -> None:
    with database.write() as session:
        room = Newsroom(session)
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
        quiet = reader(session, "Quiet", notify={"development": False})
        others_off = reader(session, "Replies Off", notify={"reply": False})
        outlet_muted = reader(session, "Outlet Muter")
        word_muted = reader(session, "Word Muter")
        part_of_word = reader(session, "Part Muter")
        tag_muted = reader(session, "Tag Muter")
        for user_id in (quiet, others_off, outlet_muted, word_muted, part_of_word, tag_muted):
            follow(session, user_id, "story", story)
        follow(session, outlet_muted, "outlet", "the-dunmere-courier", mode="mute")
        follow(session, word_muted, "word", "sports hall", mode="mute")
        follow(session, part_of_word, "word", "sport", mode="mute")
        follow(session, tag_muted, "hashtag", "grainfires", mode="mute")
        new_outlet(room, story, "The Dunmere Courier", "Families wait in sports hall")
        radio = new_outlet(room, story, "Northpier Radio", "Ferries moved")
        hashtag = Hashtag(key="grainfire", tag="#GrainFires")
        session.add(hashtag)
        session.flush()
        session.add(ArticleHashtag(article_id=radio, hashtag_id=hashtag.id, rank=0))
    assert fan_out(database) == 7
    heard: dict[int, list[str]] = {}
    for user_id, _, _, text, _ in told(database):
        heard.setdefault(user_id, []).append(text.split(" now covers")[0])
    assert heard == {
        others_off: ["The Dunmere Courier", "Northpier Radio"],
        outlet_muted: ["Northpier Radio"],
        word_muted: ["Northpier Radio"],
        part_of_word: ["The Dunmere Courier", "Northpier Radio"],
        tag_muted: ["The Dunmere Courier"],
    }


def test_followers_of_a_merged_story_hear_about_the_survivor(database: Database) -> None:
    with database.write() as session:
        room = Newsroom(session)
        line = room.storyline()
        kept, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire", storyline_id=line)
        gone, _ = room.open_story("The Dunmere Courier", "Dunmere blaze")
        old_line = room.storyline()
        of_gone, of_kept, of_old_line = (reader(session, n) for n in ("Ana", "Bo", "Cy"))
        follow(session, of_gone, "story", gone)
        follow(session, of_kept, "story", kept)
        follow(session, of_old_line, "storyline", old_line)
        new_outlet(room, gone, "Northpier Radio", "Ferries moved")
        merge_story(session, gone, kept, room.tick())
        session.execute(
            update(Storyline).where(Storyline.id == old_line).values(merged_into_id=line)
        )
        new_outlet(room, kept, "Saltgate Gazette", "Strike talks")
    assert fan_out(database) == 5
    by_user: dict[int, list[str]] = {}
    for user_id, _, _, text, _ in told(database):
        by_user.setdefault(user_id, []).append(text.split(" now covers")[0])
    assert by_user == {
        of_gone: ["Northpier Radio", "Saltgate Gazette"],
        of_kept: ["Northpier Radio", "Saltgate Gazette"],
        of_old_line: ["Saltgate Gazette"],
    }


def test_two_fan_outs_at_once_notify_once(database: Database) -> None:
    """Two workers (each with its own connections, as two processes would have): the
    second one's fan-out waits for the first one's transaction, then finds the watermark
    moved past everything, so nothing is told, or counted, twice."""
    assert fan_out(database) == 0  # the watermark is there from now on
    with database.write() as session:
        room = Newsroom(session)
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
        for n in range(5):
            follow(session, reader(session, f"Reader {n}"), "story", story)
        for n in range(4):
            new_outlet(room, story, f"Outlet {n}", f"Report {n}")
    other = Database(database.url)
    second: list[int] = []
    thread = threading.Thread(target=lambda: second.append(fan_out(other)))
    try:
        with database.write() as session:
            first = fan_out_developments(session, NOW)
            thread.start()
            time.sleep(0.5)
            assert thread.is_alive()  # waiting for the watermark
        thread.join(timeout=30)
    finally:
        other.dispose()
    assert (first, second) == (20, [0])
    assert len(told(database)) == 20

    with database.write() as session:
        room.session = session
        for n in range(4, 8):
            new_outlet(room, story, f"Outlet {n}", f"Report {n}")
    workers = [Database(database.url) for _ in range(2)]
    counts: list[int] = []
    start = threading.Barrier(2)

    def race(worker: Database) -> None:
        start.wait()
        counts.append(fan_out(worker))

    threads = [threading.Thread(target=race, args=(worker,)) for worker in workers]
    for racer in threads:
        racer.start()
    for racer in threads:
        racer.join(timeout=30)
    for worker in workers:
        worker.dispose()
    assert sorted(counts) == [0, 20]
    with database.read() as session:
        duplicates = session.execute(
            select(Notification.user_id, Notification.key)
            .group_by(Notification.user_id, Notification.key)
            .having(func.count() > 1)
        ).all()
    assert duplicates == [] and len(told(database)) == 40


def test_notify_tells_once_and_respects_preferences(database: Database) -> None:
    with database.write() as session:
        ana = reader(session, "Ana")
        no_replies = reader(session, "Bo", notify={"reply": False})
        reply = {"kind": "reply", "key": "reply:7", "text": "Bo replied", "url": "/c/7"}
        assert notify(session, ana, now=NOW, **reply)
        assert not notify(session, ana, now=NOW, **reply)
        assert not notify(session, no_replies, now=NOW, **reply)
        assert notify(
            session, no_replies, kind="moderation", key="m:1", text="Held", url="/m", now=NOW
        )
        assert not notify(session, 999_999, now=NOW, **reply)
        with pytest.raises(ValueError, match="unknown notification kind"):
            notify(session, ana, kind="digest", key="d", text="", url="/", now=NOW)
    assert told(database) == [
        (ana, "reply:7", "reply", "Bo replied", "/c/7"),
        (no_replies, "m:1", "moderation", "Held", "/m"),
    ]
    assert set(NOTIFICATION_LABELS) == set(NOTIFICATION_KINDS)


def test_reading_and_marking_notifications(database: Database) -> None:
    with database.write() as session:
        ana, bo = reader(session, "Ana"), reader(session, "Bo")
        for n in range(5):
            notify(
                session,
                ana,
                kind="reply",
                key=f"reply:{n}",
                text=f"Reply {n}",
                url=f"/c/{n}",
                now=NOW + timedelta(minutes=n),
            )
        notify(session, bo, kind="reply", key="reply:0", text="Reply", url="/c/0", now=NOW)
    with database.read() as session:
        assert unread_count(session, ana) == 5
        page = list_notifications(session, ana, limit=2)
        assert [n["text"] for n in page] == ["Reply 4", "Reply 3"]
        assert page[0] == {
            "id": page[0]["id"],
            "kind": "reply",
            "text": "Reply 4",
            "url": "/c/4",
            "created_at": "2026-03-06T08:04:00Z",
            "read": False,
        }
        rest = list_notifications(session, ana, before_id=page[-1]["id"])
        assert [n["text"] for n in rest] == ["Reply 2", "Reply 1", "Reply 0"]
        bos = list_notifications(session, bo)[0]["id"]
    with database.write() as session:
        assert mark_read(session, ana, [page[0]["id"], bos], NOW) == 1
    with database.read() as session:
        assert unread_count(session, ana) == 4 and unread_count(session, bo) == 1
        assert [n["read"] for n in list_notifications(session, ana)] == [True] + [False] * 4
    with database.write() as session:
        assert mark_read(session, ana, None, NOW) == 4
    with database.read() as session:
        assert unread_count(session, ana) == 0 and unread_count(session, bo) == 1


def test_the_worker_queues_the_fan_out_only_when_there_is_work(
    database: Database, settings: Settings
) -> None:
    crawler = Crawler(settings, database)
    jobs = register_jobs(MemoryHuey("notifications", immediate=True), lambda: crawler)
    try:
        assert not jobs.enqueue_notifications()
        with database.write() as session:
            room = Newsroom(session)
            story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
            follow(session, reader(session, "Ana"), "story", story)
            new_outlet(room, story, "The Dunmere Courier", "Families wait")
        assert jobs.enqueue_notifications()  # run at once: an immediate queue
        assert len(told(database)) == 1
        assert not jobs.enqueue_notifications()
    finally:
        crawler.close()


def test_after_a_rebuild_nothing_already_recorded_is_told(database: Database) -> None:
    """``storyline stories --rebuild`` records the corpus again: history, not news."""
    from storyline.readers.notifications import skip_fan_out

    with database.write() as session:
        room = Newsroom(session)
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
        follow(session, reader(session, "Ana"), "story", story)
        new_outlet(room, story, "The Dunmere Courier", "Families wait")
        skip_fan_out(session)
    assert not has_developments_to_fan_out_now(database)
    assert fan_out(database) == 0
    with database.write() as session:
        room.session = session
        new_outlet(room, story, "Saltgate Gazette", "Strike talks")
    assert fan_out(database) == 1


def test_a_development_recorded_before_the_follow_is_not_news(database: Database) -> None:
    with database.write() as session:
        room = Newsroom(session)
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
        new_outlet(room, story, "The Dunmere Courier", "Families wait")
        late = reader(session, "Ana")
        follow(session, late, "story", story, since=room.tick())
    assert fan_out(database) == 0
    with database.write() as session:
        room.session = session
        new_outlet(room, story, "Saltgate Gazette", "Strike talks")
    assert fan_out(database) == 1
    assert [row[0] for row in told(database)] == [late]
