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
from storyline.placement import reset_placements
from storyline.readers import accounts, comments, follows
from storyline.readers.accounts import create_user
from storyline.readers.developments import record_developments
from storyline.readers.moderation import act_on_comment
from storyline.readers.notifications import (
    NOTIFICATION_KINDS,
    NOTIFICATION_LABELS,
    WATERMARK,
    WITHDRAWN_REPLY,
    development_key,
    fan_out_developments,
    has_developments_to_fan_out,
    list_notifications,
    mark_read,
    notify,
    skip_fan_out,
    unread_count,
)
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import (
    ArticleEntity,
    ArticleHashtag,
    Entity,
    Follow,
    Hashtag,
    Meta,
    Notification,
    StoryDevelopment,
    Storyline,
    User,
)
from storyline.store.stories import merge_story
from storyline.worker import Background
from storyline.worker.tasks import register_jobs
from tests.conftest import QUICK_HASH
from tests.readers.test_developments import START, Newsroom

NOW = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)


def reader(session: Session, name: str, **preferences: object) -> int:
    user = create_user(
        session,
        email=f"{name.lower().replace(' ', '.')}@readers.test",
        name=name,
        password="correct horse battery",
        now=NOW,
        settings=QUICK_HASH,
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
        row = session.execute(select(StoryDevelopment)).scalar_one()
        development, made = row.id, row.created_at
    assert has_developments_to_fan_out_now(database)
    assert fan_out(database) == 3
    text = "The Dunmere Courier now covers this story: “Families wait”"
    key, url = f"development:{development}:{made:%Y%m%dT%H%M%S.%fZ}", f"/stories/{story}"
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


def test_a_development_that_reuses_an_old_id_after_a_rebuild_is_still_told(
    database: Database,
) -> None:
    """On SQLite a rebuild deletes the developments and gives their ids out again: a
    notification keyed by the id alone made the first new development look told to a
    reader told of the old one with that id."""
    with database.write() as session:
        room = Newsroom(session)
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
        ana = reader(session, "Ana")
        follow(session, ana, "story", story)
        for n in range(3):
            new_outlet(room, story, f"Outlet {n}", f"Report {n}")
        old_ids = set(session.execute(select(StoryDevelopment.id)).scalars())
    assert fan_out(database) == 3
    with database.write() as session:  # what `storyline stories --rebuild` does
        reset_placements(session)
        room.session = session
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
        # Story ids are given out again on SQLite too, so Ana may follow the new one already.
        following = select(Follow.id).where(Follow.user_id == ana, Follow.target == str(story))
        if session.execute(following).first() is None:
            follow(session, ana, "story", story)
        new_outlet(room, story, "Outlet 0", "Report 0")
        skip_fan_out(session)
    with database.write() as session:
        room.session = session
        new_outlet(room, story, "Saltgate Gazette", "Strike talks")
        fresh = session.execute(
            select(StoryDevelopment).order_by(StoryDevelopment.id.desc()).limit(1)
        ).scalar_one()
        fresh_id, fresh_key = fresh.id, development_key(fresh)
    if database.url.startswith("sqlite"):
        assert fresh_id in old_ids  # the case this test is about
    assert fan_out(database) == 1
    latest = told(database)[-1]
    assert latest[:2] == (ana, fresh_key)
    assert latest[3].startswith("Saltgate Gazette now covers")
    # Fanning the same development out again tells nobody twice.
    with database.write() as session:
        session.execute(update(Meta).where(Meta.key == WATERMARK).values(value=str(fresh_id - 1)))
    fan_out(database)
    assert len(told(database)) == 4


def test_muted_stories_storylines_and_entities_silence_developments(database: Database) -> None:
    """The feed hides a muted story, a story of a muted storyline and a story naming a
    muted entity; the bell must not then announce them (docs/readers.md: "A reader's
    mutes apply")."""
    with database.write() as session:
        room = Newsroom(session)
        line = room.storyline()
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire", storyline_id=line)
        other, _ = room.open_story("Northpier Radio", "Ferry strike", storyline_id=line)
        merged_away, _ = room.open_story("Quay Radio", "Blaze at the silos")
        merge_story(session, merged_away, story, room.tick())
        vell = Entity(key="oren vell", name="Oren Vell", type="PERSON")
        alias = Entity(key="o. vell", name="O. Vell", type="PERSON")
        session.add_all([vell, alias])
        session.flush()
        alias.merged_into_id = vell.id
        plain, story_muter, merged_muter, line_muter, entity_muter, alias_muter = (
            reader(session, name)
            for name in ("Plain", "Story Muter", "Merged Muter", "Line Muter", "Vell", "Alias")
        )
        for user_id in (plain, story_muter, merged_muter, entity_muter, alias_muter):
            follow(session, user_id, "storyline", line)
        follow(session, line_muter, "story", story)
        follow(session, line_muter, "story", other)
        follow(session, story_muter, "story", story, mode="mute")
        # A mute taken before the merge keeps the id of the story merged away.
        follow(session, merged_muter, "story", merged_away, mode="mute")
        follow(session, line_muter, "storyline", line, mode="mute")
        follow(session, entity_muter, "entity", vell.id, mode="mute")
        follow(session, alias_muter, "entity", alias.id, mode="mute")
        courier = new_outlet(room, story, "The Dunmere Courier", "Families wait")
        radio = new_outlet(room, other, "Saltgate Gazette", "Strike talks")
        # The Courier's article names Vell under the id the analysis gave before the merge.
        session.add(ArticleEntity(article_id=courier, entity_id=alias.id, rank=0, mentions=[]))
        assert radio
    fan_out(database)
    heard: dict[int, list[str]] = {}
    for user_id, _, _, text, _ in told(database):
        heard.setdefault(user_id, []).append(text.split(" now covers")[0])
    assert heard == {
        plain: ["The Dunmere Courier", "Saltgate Gazette"],
        story_muter: ["Saltgate Gazette"],
        merged_muter: ["Saltgate Gazette"],
        entity_muter: ["Saltgate Gazette"],
        alias_muter: ["Saltgate Gazette"],
    }


def test_a_muted_word_matches_whatever_its_case(database: Database) -> None:
    """Word mutes are stored case-folded ("Straße" as "strasse"); lower() on the text
    left "Straße" as it was, so the mute never matched it."""
    with database.write() as session:
        room = Newsroom(session)
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
        muter, upper_muter, plain = (reader(session, n) for n in ("Anke", "Bernd", "Carla"))
        for user_id in (muter, upper_muter, plain):
            follow(session, user_id, "story", story)
        follows.mute(session, muter, "word", "Straße", NOW)
        follows.mute(session, upper_muter, "word", "STRASSE", NOW)
        new_outlet(room, story, "Dunmere Bote", "Straße zum Hafen gesperrt")
        new_outlet(room, story, "Northpier Radio", "Ferries moved")
    fan_out(database)
    heard: dict[int, list[str]] = {}
    for user_id, _, _, text, _ in told(database):
        heard.setdefault(user_id, []).append(text.split(" now covers")[0])
    assert heard == {
        muter: ["Northpier Radio"],
        upper_muter: ["Northpier Radio"],
        plain: ["Dunmere Bote", "Northpier Radio"],
    }


def test_a_reply_deleted_or_hidden_is_no_longer_quoted(
    database: Database, settings: Settings
) -> None:
    """The reply's notification quotes it; once the reply is deleted or hidden, the bell
    shows no quote (nor the name of who wrote it)."""
    with database.write() as session:
        room = Newsroom(session)
        story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
        ana, bo, mod = (reader(session, n) for n in ("Ana", "Bo Quill", "Mona"))
        moderator = session.get(User, mod)
        assert moderator is not None
        moderator.role = "moderator"

    def post(user_id: int, body: str, parent: int | None = None) -> int:
        with database.write() as session:
            return comments.post_comment(
                session,
                settings,
                user_id=user_id,
                target_kind="story",
                target_id=story,
                body=body,
                parent_id=parent,
                now=NOW,
            ).id

    def shown() -> list[str]:
        with database.read() as session:
            return [n["text"] for n in list_notifications(session, ana)]

    question = post(ana, "When does the ferry run again?")
    kept = post(bo, "Tuesday, says the harbour office.", question)
    deleted = post(bo, "My neighbour's number is 555 0199, call him.", question)
    hidden = post(bo, "Only a fool would ask that.", question)
    assert shown() == [
        "Bo Quill replied to your comment: “Only a fool would ask that.”",
        "Bo Quill replied to your comment: “My neighbour's number is 555 0199, call him.”",
        "Bo Quill replied to your comment: “Tuesday, says the harbour office.”",
    ]
    with database.write() as session:
        comments.delete_comment(session, comment_id=deleted, user_id=bo, now=NOW)
        act_on_comment(
            session, comment_id=hidden, moderator_id=mod, action="hide", reason="abuse", now=NOW
        )
    assert shown() == [
        WITHDRAWN_REPLY["hidden"],
        WITHDRAWN_REPLY["deleted"],
        "Bo Quill replied to your comment: “Tuesday, says the harbour office.”",
    ]
    assert "555" not in " ".join(shown()) and kept
    with database.read() as session:  # nor does Ana's copy of her data
        user = session.get(User, ana)
        assert user is not None
        exported = [n["text"] for n in accounts.export_user(session, user)["notifications"]]
    assert sorted(exported) == sorted(shown())
    # A moderator's approval brings the quote back.
    with database.write() as session:
        act_on_comment(session, comment_id=hidden, moderator_id=mod, action="approve", now=NOW)
    assert shown()[0] == "Bo Quill replied to your comment: “Only a fool would ask that.”"


def test_a_queue_that_never_drains_still_gets_the_fan_out_every_few_minutes(
    database: Database, settings: Settings
) -> None:
    background = Background(settings, database, role="worker")
    try:
        background.jobs.send_digests()  # work waiting: the queue has not drained
        with database.write() as session:
            room = Newsroom(session)
            story, _ = room.open_story("Alvesk Harbour Wire", "Terminal fire")
            follow(session, reader(session, "Ana"), "story", story)
            new_outlet(room, story, "The Dunmere Courier", "Families wait")
        background.tick()
        background.tick()  # within the few minutes: not queued again
        queued = [task.name for task in background.jobs.queue.pending()]
        assert queued.count("fan_out_notifications") == 1
    finally:
        background.jobs.queue.flush()
        background.stop()
