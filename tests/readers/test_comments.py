"""Comments in the store: posting, replies, rate limits, sanctions, pre-moderation holds,
edits in their window, deletion, votes and the thread as each reader sees it, on SQLite
and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from storyline.model import ArticleDraft, Block, BlockKind
from storyline.readers import accounts, comments
from storyline.readers.automod import Automod, llm_moderation
from storyline.readers.comments import (
    CommentError,
    CommentNotFound,
    NotAllowed,
    RateLimited,
    Reader,
    wilson_lower_bound,
)
from storyline.settings import Settings, SettingsError
from storyline.store import Database, save_article
from storyline.store.ai_cache import AnswerCache
from storyline.store.schema import Comment, CommentVote, ModerationAction, Notification, Story, User
from storyline.stories.cluster_features import StorySummary
from tests.conftest import QUICK_HASH
from tests.support.llm_server import ChatStub, served_chat_stub

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PASSWORD = "tidewater lantern 42"
SHORTENED = "Cheap ferry passes at https://bit.ly/orrin-pass"  # held by the links rule


def make_article(database: Database, title: str = "Tide gauge rebuilt at Orrin Point") -> int:
    draft = ArticleDraft(
        title=title,
        blocks=(Block(BlockKind.PARAGRAPH, "The harbour board reopened the gauge on Monday."),),
        outlet="Orrin Point Herald",
        url=f"https://herald.example/{abs(hash(title))}",
        published_at=NOW - timedelta(days=1),
        language="en",
    )
    with database.write() as session:
        result = save_article(
            session, draft, source_kind="file", source_locator="comment-tests", now=NOW
        )
        return result.article_id


def make_story(database: Database, merged_into: int | None = None) -> int:
    with database.write() as session:
        story = Story(
            title="Orrin Point harbour works",
            first_at=NOW - timedelta(days=2),
            last_at=NOW,
            article_count=1,
            outlet_count=1,
            state=StorySummary.empty(0).to_json().encode(),
            merged_into_id=merged_into,
        )
        session.add(story)
        session.flush()
        return story.id


def make_user(
    database: Database,
    name: str,
    role: str = "reader",
    created: datetime = NOW - timedelta(days=30),
) -> int:
    email = f"{name.lower().replace(' ', '.')}@example.org"
    with database.write() as session:
        user = accounts.create_user(
            session,
            email=email,
            name=name,
            password=PASSWORD,
            role=role,
            now=created,
            settings=QUICK_HASH,
        )
        return user.id


def post(
    database: Database,
    settings: Settings,
    user_id: int,
    body: str,
    *,
    target: tuple[str, int],
    parent: int | None = None,
    now: datetime = NOW,
    automod: Automod | None = None,
) -> int:
    """Post as the web app does: pre-moderation's verdict in a read session first, then
    the comment in a write transaction."""
    given = {
        "user_id": user_id,
        "target_kind": target[0],
        "target_id": target[1],
        "body": body,
        "parent_id": parent,
        "now": now,
    }
    with database.read() as session:
        verdict = comments.screen_post(session, settings, automod, **given)
    with database.write() as session:
        return comments.post_comment(session, settings, verdict=verdict, **given).id


def edit(
    database: Database,
    settings: Settings,
    comment_id: int,
    user_id: int,
    body: str,
    *,
    automod: Automod | None = None,
    now: datetime = NOW,
) -> Comment:
    """Edit as the web app does: screened in a read session, then changed."""
    given = {"comment_id": comment_id, "user_id": user_id, "body": body, "now": now}
    with database.read() as session:
        verdict = comments.screen_edit(session, settings, automod, **given)
    with database.write() as session:
        return comments.edit_comment(session, settings, verdict=verdict, **given)


def thread(
    database: Database,
    target: tuple[str, int],
    reader: Reader | None = None,
    sort: str = "oldest",
    now: datetime = NOW,
    page: int = 1,
    per_page: int = comments.THREAD_PAGE,
) -> dict[str, Any]:
    with database.read() as session:
        return comments.comment_thread(
            session,
            *target,
            reader=reader,
            sort=sort,
            now=now,
            edit_minutes=15,
            page=page,
            per_page=per_page,
        )


def flat(comments_: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every comment of a thread, in page order."""
    out = []
    for comment in comments_:
        out.append(comment)
        out += flat(comment["replies"])
    return out


@pytest.fixture
def quick(settings: Settings) -> Settings:
    """No rate limit in the way: the tests that count set their own."""
    return dataclasses.replace(settings, comment_rate="1000/60")


def test_a_comment_and_its_reply_make_a_thread(database: Database, quick: Settings) -> None:
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    first = post(database, quick, ada, "The gauge was **overdue**.", target=article)
    reply = post(database, quick, bo, "It was, by ten years.", target=article, parent=first)
    view = thread(database, article)
    assert view["count"] == 2
    [top] = view["comments"]
    assert (top["id"], top["author"], top["html"]) == (
        first,
        "Ada Quill",
        "<p>The gauge was <strong>overdue</strong>.</p>",
    )
    assert top["url"] == f"/articles/{article[1]}#comment-{first}"
    [answer] = top["replies"]
    assert (answer["id"], answer["parent_id"], answer["depth"]) == (reply, first, 1)
    assert answer["replies"] == []


def test_an_empty_thread_says_so_by_its_count(database: Database) -> None:
    article = ("article", make_article(database))
    assert thread(database, article) == {
        "target_kind": "article",
        "target_id": article[1],
        "sort": "oldest",
        "count": 0,
        "page": 1,
        "pages": 1,
        "comments": [],
    }


def test_comments_need_a_target_text_and_a_parent_in_the_same_thread(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    other = ("article", make_article(database, "Ferry timetable changes for winter"))
    ada = make_user(database, "Ada Quill")
    elsewhere = post(database, quick, ada, "On the ferry.", target=other)
    cases: list[tuple[dict[str, Any], type[CommentError], str]] = [
        ({"body": "   "}, CommentError, "empty"),
        ({"body": "x" * 10_001}, CommentError, "at most 10,000"),
        ({"body": "Hello", "target": ("article", 999_999)}, CommentNotFound, "no article"),
        ({"body": "Hello", "target": ("poll", article[1])}, CommentNotFound, "no poll"),
        ({"body": "Hello", "parent": elsewhere}, CommentNotFound, "not in this thread"),
        ({"body": "Hello", "parent": 424_242}, CommentNotFound, "not in this thread"),
    ]
    for given, error, message in cases:
        arguments = {"target": article, **given}
        with pytest.raises(error, match=message):
            post(database, quick, ada, **arguments)
    assert thread(database, article)["count"] == 0


def test_a_merged_story_sends_comments_to_the_survivor(database: Database, quick: Settings) -> None:
    survivor = make_story(database)
    merged = make_story(database, merged_into=survivor)
    ada = make_user(database, "Ada Quill")
    with pytest.raises(CommentNotFound, match=f"merged into story {survivor}"):
        post(database, quick, ada, "Hello", target=("story", merged))
    post(database, quick, ada, "Hello", target=("story", survivor))
    assert thread(database, ("story", survivor))["count"] == 1


def test_rate_limits_count_each_window_and_say_when_to_retry(
    database: Database, settings: Settings
) -> None:
    limited = dataclasses.replace(settings, comment_rate="2/60,3/3600")
    article = ("article", make_article(database))
    ada = make_user(database, "Ada Quill")
    post(database, limited, ada, "One.", target=article, now=NOW)
    post(database, limited, ada, "Two.", target=article, now=NOW + timedelta(seconds=20))
    with pytest.raises(RateLimited) as caught:
        post(database, limited, ada, "Three.", target=article, now=NOW + timedelta(seconds=30))
    assert caught.value.retry_after == 30  # when the first one leaves the minute
    assert caught.value.status == 429 and "30 seconds" in str(caught.value)
    post(database, limited, ada, "Three.", target=article, now=NOW + timedelta(seconds=61))
    with pytest.raises(RateLimited) as hourly:
        post(database, limited, ada, "Four.", target=article, now=NOW + timedelta(seconds=200))
    assert hourly.value.retry_after == 3600 - 200
    assert "57 minutes" in str(hourly.value)
    assert thread(database, article)["count"] == 3


def test_moderators_are_not_rate_limited(database: Database, settings: Settings) -> None:
    limited = dataclasses.replace(settings, comment_rate="1/60")
    article = ("article", make_article(database))
    mod = make_user(database, "Mira Holt", role="moderator")
    for n in range(3):
        post(database, limited, mod, f"Notice {n}.", target=article)
    assert thread(database, article)["count"] == 3


def test_a_bad_rate_setting_is_an_error() -> None:
    assert comments.parse_rate("5/60, 60/86400") == ((5, 60), (60, 86400))
    assert comments.parse_rate("") == ()
    for bad in ("5", "five/60", "0/60", "5/-1"):
        with pytest.raises(SettingsError):
            comments.parse_rate(bad)


def test_suspended_and_banned_readers_cannot_post_until_lifted(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada = make_user(database, "Ada Quill")
    with database.write() as session:
        user = session.get(User, ada)
        assert user is not None
        user.status, user.suspended_until = "suspended", NOW + timedelta(hours=2)
    with pytest.raises(NotAllowed, match="suspended from posting until 26 November 2026, 14:00"):
        post(database, quick, ada, "Let me in.", target=article)
    post(database, quick, ada, "Back.", target=article, now=NOW + timedelta(hours=3))
    with database.write() as session:
        user = session.get(User, ada)
        assert user is not None
        user.status, user.suspended_until = "banned", None
    with pytest.raises(NotAllowed, match="banned"):
        post(database, quick, ada, "And again.", target=article, now=NOW + timedelta(days=400))


def test_a_held_comment_is_seen_by_its_author_and_moderators_only(
    database: Database, quick: Settings
) -> None:
    held_settings = dataclasses.replace(quick, automod="links")
    automod = Automod(held_settings)
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    mod = make_user(database, "Mira Holt", role="moderator")
    held = post(database, held_settings, ada, SHORTENED, target=article, automod=automod)
    shown = post(database, held_settings, bo, "Fine by me.", target=article, automod=automod)
    own = thread(database, article, Reader(ada))
    [mine] = [c for c in own["comments"] if c["id"] == held]
    assert mine["status"] == "held" and mine["mine"]
    assert any("shortener" in reason for reason in mine["held_reasons"])
    assert own["count"] == 2
    others = thread(database, article, Reader(bo))
    assert [c["id"] for c in others["comments"]] == [shown]
    assert others["count"] == 1
    assert [c["id"] for c in thread(database, article)["comments"]] == [shown]
    moderator = thread(database, article, Reader(mod, moderator=True))
    assert [c["status"] for c in moderator["comments"]] == ["held", "visible"]
    with database.read() as session:
        [action] = session.scalars(select(ModerationAction)).all()
    assert (action.action, action.moderator_id, action.comment_id, action.user_id) == (
        "hold",
        None,
        held,
        ada,
    )
    assert "shortener" in action.reason


def test_moderators_skip_pre_moderation(database: Database, quick: Settings) -> None:
    held_settings = dataclasses.replace(quick, automod="links")
    article = ("article", make_article(database))
    mod = make_user(database, "Mira Holt", role="moderator")
    post(database, held_settings, mod, SHORTENED, target=article, automod=Automod(held_settings))
    assert thread(database, article)["comments"][0]["status"] == "visible"


def test_edits_are_marked_rendered_again_and_only_in_their_window(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    comment_id = post(database, quick, ada, "The gauge was late.", target=article)
    later = NOW + timedelta(minutes=10)
    with database.write() as session:
        comments.edit_comment(
            session, quick, comment_id=comment_id, user_id=ada, body="It was *late*.", now=later
        )
    [view] = thread(database, article, Reader(ada), now=later)["comments"]
    assert view["html"] == "<p>It was <em>late</em>.</p>"
    assert view["edited_at"] == "2026-11-26T12:10:00Z"
    assert view["can_edit"]
    with database.write() as session, pytest.raises(NotAllowed, match="Only its author"):
        comments.edit_comment(
            session, quick, comment_id=comment_id, user_id=bo, body="Vandalised.", now=later
        )
    too_late = NOW + timedelta(minutes=15, seconds=1)
    with database.write() as session, pytest.raises(NotAllowed, match="15 minutes"):
        comments.edit_comment(
            session, quick, comment_id=comment_id, user_id=ada, body="Again.", now=too_late
        )
    assert not thread(database, article, Reader(ada), now=too_late)["comments"][0]["can_edit"]


def test_an_edit_is_checked_again_but_not_against_its_own_text(
    database: Database, quick: Settings
) -> None:
    held_settings = dataclasses.replace(quick, automod="links,repetition")
    automod = Automod(held_settings)
    article = ("article", make_article(database))
    ada = make_user(database, "Ada Quill")
    comment_id = post(
        database,
        held_settings,
        ada,
        "The harbour board should publish the gauge readings every week.",
        target=article,
        automod=automod,
    )
    edited = edit(
        database,
        held_settings,
        comment_id,
        ada,
        "The harbour board should publish the gauge readings every single week.",
        automod=automod,
        now=NOW + timedelta(minutes=1),
    )
    assert edited.status == "visible"  # not held as a near-copy of itself
    edited = edit(
        database,
        held_settings,
        comment_id,
        ada,
        SHORTENED,
        automod=automod,
        now=NOW + timedelta(minutes=2),
    )
    assert edited.status == "held" and edited.held_reasons


def test_a_deleted_comment_keeps_its_place_only_for_its_replies(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    parent = post(database, quick, ada, "Parent.", target=article)
    post(database, quick, bo, "Reply.", target=article, parent=parent)
    lonely = post(database, quick, ada, "Alone.", target=article)
    with database.write() as session, pytest.raises(NotAllowed):
        comments.delete_comment(session, comment_id=parent, user_id=bo, now=NOW)
    for comment_id in (parent, lonely):
        with database.write() as session:
            comments.delete_comment(session, comment_id=comment_id, user_id=ada, now=NOW)
    view = thread(database, article, Reader(ada))
    assert view["count"] == 1
    [placeholder] = view["comments"]
    assert placeholder["placeholder"] == "[deleted]"
    assert (placeholder["author"], placeholder["html"], placeholder["mine"]) == (None, "", False)
    assert placeholder["replies"][0]["html"] == "<p>Reply.</p>"
    with database.read() as session:
        stored = session.get(Comment, parent)
        assert stored is not None and (stored.body, stored.html) == ("", "")
    with database.write() as session, pytest.raises(CommentNotFound):
        comments.delete_comment(session, comment_id=parent, user_id=ada, now=NOW)
    with pytest.raises(CommentError, match="was deleted"):
        post(database, quick, bo, "Too late.", target=article, parent=parent)


def test_votes_are_one_per_reader_kept_in_the_counters_and_never_on_your_own(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada, bo, cy = (make_user(database, n) for n in ("Ada Quill", "Bo Tarrant", "Cy Penrose"))
    comment_id = post(database, quick, ada, "Vote on me.", target=article)

    def cast(user_id: int, value: int) -> dict[str, int]:
        with database.write() as session:
            return comments.vote(
                session, comment_id=comment_id, user_id=user_id, value=value, now=NOW
            )

    assert cast(bo, 1) == {"id": comment_id, "score": 1, "upvotes": 1, "downvotes": 0, "my_vote": 1}
    assert cast(bo, 1)["score"] == 1  # the same vote again changes nothing
    assert cast(cy, -1)["score"] == 0
    assert cast(bo, -1) == {
        "id": comment_id,
        "score": -2,
        "upvotes": 0,
        "downvotes": 2,
        "my_vote": -1,
    }
    assert cast(cy, 0)["downvotes"] == 1
    with pytest.raises(NotAllowed, match="your own"):
        cast(ada, 1)
    with pytest.raises(CommentError, match="1 \\(up\\)"):
        cast(bo, 2)
    with database.read() as session:
        votes = session.scalars(select(CommentVote)).all()
    assert [(v.user_id, v.value) for v in votes] == [(bo, -1)]
    [view] = thread(database, article, Reader(bo))["comments"]
    assert (view["score"], view["my_vote"]) == (-1, -1)
    assert thread(database, article, Reader(cy))["comments"][0]["my_vote"] == 0


def test_sorting_top_level_comments_keeps_replies_oldest_first(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    names = ("Ada Quill", "Bo Tarrant", "Cy Penrose", "Dee Marsh", "Eli Strand", "Fen Oakes")
    ada, bo, cy, dee, eli, fen = (make_user(database, n) for n in names)
    first = post(database, quick, ada, "First.", target=article)
    second = post(database, quick, bo, "Second.", target=article)
    third = post(database, quick, cy, "Third.", target=article)
    late = post(database, quick, dee, "Late reply.", target=article, parent=first)
    early = post(database, quick, eli, "Early reply.", target=article, parent=first)
    # second: 2 up of 2; third: 3 up, 1 down; first: 1 up.
    for voter, comment_id, value in [
        (cy, second, 1),
        (dee, second, 1),
        (ada, third, 1),
        (bo, third, 1),
        (dee, third, 1),
        (eli, third, -1),
        (fen, first, 1),
    ]:
        with database.write() as session:
            comments.vote(session, comment_id=comment_id, user_id=voter, value=value, now=NOW)

    def order(sort: str) -> list[int]:
        return [c["id"] for c in thread(database, article, sort=sort)["comments"]]

    assert order("oldest") == [first, second, third]
    assert order("newest") == [third, second, first]
    assert order("best") == [second, third, first]  # 2 of 2 beats 3 of 4 beats 1 of 1
    for sort in ("oldest", "newest", "best"):
        view = thread(database, article, sort=sort)
        [with_replies] = [c for c in view["comments"] if c["id"] == first]
        assert [r["id"] for r in with_replies["replies"]] == [late, early]
    with pytest.raises(CommentError, match="Sort comments"):
        thread(database, article, sort="loudest")


def test_best_is_the_wilson_lower_bound_with_ties_newest_first(
    database: Database, quick: Settings
) -> None:
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(1, 0) < wilson_lower_bound(90, 10)
    assert wilson_lower_bound(9, 1) < wilson_lower_bound(90, 10)
    assert wilson_lower_bound(5, 5) < wilson_lower_bound(6, 4)
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    older = post(database, quick, ada, "Older, unvoted.", target=article)
    newer = post(database, quick, ada, "Newer, unvoted.", target=article)
    liked = post(database, quick, ada, "Liked.", target=article)
    with database.write() as session:
        comments.vote(session, comment_id=liked, user_id=bo, value=1, now=NOW)
    best = [c["id"] for c in thread(database, article, sort="best")["comments"]]
    assert best == [liked, newer, older]


def test_deep_replies_are_flattened_at_the_fifth_level_saying_whom_they_answer(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    chain = [post(database, quick, ada, "Level 1.", target=article)]
    for level in range(2, 9):
        author = bo if level % 2 == 0 else ada
        chain.append(
            post(database, quick, author, f"Level {level}.", target=article, parent=chain[-1])
        )
    node = thread(database, article)["comments"][0]
    depths = []
    while node["replies"] and len(node["replies"]) == 1:
        depths.append(node["depth"])
        node = node["replies"][0]
    assert depths == [0, 1, 2]  # levels 1 to 4 nest, one under the other
    assert node["depth"] == 3
    fifth = node["replies"]
    assert [c["id"] for c in fifth] == chain[4:]
    assert {c["depth"] for c in fifth} == {4}
    assert [c["reply_to"] for c in fifth] == [None, "Ada Quill", "Bo Tarrant", "Ada Quill"]
    assert all(c["replies"] == [] for c in fifth)


def test_a_reply_notifies_the_parent_author_once_and_never_for_self_replies(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    story = ("story", make_story(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    parent = post(database, quick, ada, "What about the old pier?", target=article)
    post(database, quick, ada, "Replying to myself.", target=article, parent=parent)
    reply = post(database, quick, bo, "Closed since **May**.", target=article, parent=parent)
    on_story = post(database, quick, ada, "On the story.", target=story)
    story_reply = post(database, quick, bo, "Agreed.", target=story, parent=on_story)
    with database.read() as session:
        notes = session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.user_id, n.kind, n.key, n.url) for n in notes] == [
        (ada, "reply", f"reply:{reply}", f"/comments/{reply}"),
        (ada, "reply", f"reply:{story_reply}", f"/comments/{story_reply}"),
    ]
    assert notes[0].text == "Bo Tarrant replied to your comment: “Closed since May.”"


def test_a_held_reply_notifies_nobody_yet(database: Database, quick: Settings) -> None:
    held_settings = dataclasses.replace(quick, automod="links")
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    parent = post(database, held_settings, ada, "Where can I buy passes?", target=article)
    post(
        database,
        held_settings,
        bo,
        SHORTENED,
        target=article,
        parent=parent,
        automod=Automod(held_settings),
    )
    with database.read() as session:
        assert session.scalars(select(Notification)).all() == []


def test_replies_to_a_hidden_comment_keep_it_as_a_placeholder(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    parent = post(database, quick, ada, "Hidden soon.", target=article)
    post(database, quick, bo, "Still here.", target=article, parent=parent)
    with database.write() as session:
        hidden = session.get(Comment, parent)
        assert hidden is not None
        hidden.status = "hidden"
    [seen] = thread(database, article, Reader(bo))["comments"]
    assert (seen["placeholder"], seen["html"]) == ("[hidden by a moderator]", "")
    [own] = thread(database, article, Reader(ada))["comments"]
    assert own["placeholder"] is None and own["html"] == "<p>Hidden soon.</p>"


@contextmanager
def counted_queries(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            statements.append(args[2])

    event.listen(database.read_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.read_engine, "before_cursor_execute", count)


def test_a_thread_of_500_comments_is_three_queries_and_reads_one_page_of_text(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    users = [make_user(database, f"Reader {n:02d}") for n in range(10)]
    with database.write() as session:
        ids: list[int] = []
        for n in range(500):
            parent = ids[n // 3] if n % 3 and ids else None
            comment = Comment(
                target_kind="article",
                target_id=article[1],
                parent_id=parent,
                user_id=users[n % 10],
                body=f"Comment {n}",
                html=f"<p>Comment {n}</p>",
                status="visible",
                held_reasons=[],
                score=0,
                upvotes=0,
                downvotes=0,
                created_at=NOW,
            )
            session.add(comment)
            session.flush()
            ids.append(comment.id)
    with counted_queries(database) as statements:
        view = thread(database, article, Reader(users[0]))
    # The outline of all 500, the page's comments in full, the reader's votes.
    assert len(statements) == 3, statements
    assert [".html" in statement for statement in statements] == [False, True, False]
    # 167 top-level comments (every third), 50 a page, each with all its replies.
    assert (view["count"], view["pages"]) == (500, 4)
    assert [c["id"] for c in view["comments"]] == [i for i in ids if i % 3 == 1][:50]
    shown = flat(view["comments"])
    for page in range(2, 5):
        shown += flat(thread(database, article, Reader(users[0]), page=page)["comments"])
    assert sorted(c["id"] for c in shown) == ids
    assert thread(database, article, Reader(users[0]), page=5)["comments"] == []


def test_a_comments_page_counts_the_top_level_comments_its_reader_is_shown(
    database: Database, quick: Settings
) -> None:
    ada, bo, cy = (make_user(database, n) for n in ("Ada Quill", "Bo Tarrant", "Cy Penrose"))
    mod = Reader(make_user(database, "Mira Holt", role="moderator"), moderator=True)

    def page_of(comment_id: int, reader: Reader | None) -> int | None:
        with database.read() as session:
            comment = session.get(Comment, comment_id)
            assert comment is not None
            return comments.thread_page_of(session, comment, reader, per_page=2)

    # A deleted top-level comment kept as "[deleted]" for its reply takes a place.
    article = ("article", make_article(database))
    first = post(database, quick, ada, "First.", target=article)
    gone = post(database, quick, ada, "Soon deleted.", target=article)
    answer = post(database, quick, bo, "An answer.", target=article, parent=gone)
    third = post(database, quick, cy, "Third.", target=article)
    alone = post(database, quick, cy, "Deleted, alone.", target=article)
    for comment_id, author in ((gone, ada), (alone, cy)):
        with database.write() as session:
            comments.delete_comment(session, comment_id=comment_id, user_id=author, now=NOW)
    on_two = thread(database, article, Reader(bo), page=2, per_page=2)["comments"]
    assert [c["id"] for c in on_two] == [third]
    assert [page_of(i, Reader(bo)) for i in (first, gone, answer, third)] == [1, 1, 1, 2]
    assert page_of(alone, Reader(bo)) is None  # shown nowhere

    # A held top-level comment takes a place only for those who are shown it.
    other = ("article", make_article(database, "Ferry timetable changes for winter"))
    links = dataclasses.replace(quick, automod="links")
    held = post(database, links, cy, SHORTENED, target=other, automod=Automod(links))
    assert thread(database, other, Reader(cy))["comments"][0]["status"] == "held"
    second = post(database, quick, ada, "Second.", target=other)
    last = post(database, quick, ada, "Last.", target=other)
    assert [c["id"] for c in thread(database, other, Reader(bo))["comments"]] == [second, last]
    assert [page_of(i, Reader(bo)) for i in (second, last)] == [1, 1]
    assert [page_of(i, None) for i in (second, last)] == [1, 1]
    assert [page_of(i, Reader(cy)) for i in (held, second, last)] == [1, 1, 2]
    assert [page_of(i, mod) for i in (held, second, last)] == [1, 1, 2]
    assert page_of(held, Reader(bo)) is None and page_of(held, None) is None


@pytest.fixture
def chat() -> Iterator[ChatStub]:
    """A real OpenAI-compatible HTTP server that answers what a test sets."""
    with served_chat_stub() as served:
        yield served


def _llm_rule(settings: Settings, url: str) -> Settings:
    return dataclasses.replace(settings, automod="llm", llm_url=url, llm_model="tiny")


def test_the_llm_is_asked_before_the_write_and_its_hold_and_tokens_kept(
    database: Database, quick: Settings, chat: ChatStub
) -> None:
    chat.content, chat.tokens = "HOLD: it threatens the harbour master", 90
    configured = _llm_rule(quick, chat.url)
    cache = AnswerCache(database)
    automod = Automod(configured, llm=llm_moderation(configured, cache))
    article = ("article", make_article(database))
    ada = make_user(database, "Ada Quill")
    comment_id = post(
        database, configured, ada, "Watch your back.", target=article, automod=automod
    )
    with database.read() as session:
        stored = session.get(Comment, comment_id)
        assert stored is not None and stored.status == "held"
        assert "it threatens the harbour master" in stored.held_reasons[0]
    assert cache.tokens_today() == 90  # counted in a transaction of its own
    chat.content = "ALLOW"
    edited = edit(database, configured, comment_id, ada, "Mind the tide.", automod=automod)
    assert edited.status == "held"  # an edit that passes leaves it for a moderator
    assert len(chat.requests) == 2


def test_a_comment_that_would_be_refused_costs_no_llm_call(
    database: Database, settings: Settings, chat: ChatStub
) -> None:
    chat.content = "HOLD: anything"
    configured = _llm_rule(dataclasses.replace(settings, comment_rate="1/3600"), chat.url)
    automod = Automod(configured, llm=llm_moderation(configured))
    article = ("article", make_article(database))
    ada, mod = make_user(database, "Ada Quill"), make_user(database, "Mira Holt", "moderator")
    post(database, configured, ada, "One.", target=article)
    refused: list[tuple[dict[str, Any], type[CommentError]]] = [
        ({"user_id": ada, "body": "Two."}, RateLimited),
        ({"user_id": ada, "body": "\x00"}, CommentError),
        ({"user_id": ada, "body": "Hi.", "target_id": 424_242}, CommentNotFound),
        ({"user_id": ada, "body": "Hi.", "parent_id": 424_242}, CommentNotFound),
    ]
    for given, error in refused:
        arguments = {"target_kind": "article", "target_id": article[1], "now": NOW, **given}
        with database.read() as session, pytest.raises(error):
            comments.screen_post(session, configured, automod, **arguments)
    with database.read() as session:  # moderators are not pre-moderated
        verdict = comments.screen_post(
            session,
            configured,
            automod,
            user_id=mod,
            target_kind="article",
            target_id=article[1],
            body="House rules.",
            now=NOW,
        )
    assert verdict is None and chat.requests == []


def test_ids_out_of_the_databases_range_are_not_found(database: Database, quick: Settings) -> None:
    article = ("article", make_article(database))
    ada = make_user(database, "Ada Quill")
    comment_id = post(database, quick, ada, "In range.", target=article)
    for huge in (2**63, -(2**63) - 1, 10**30):
        with pytest.raises(CommentNotFound):
            post(database, quick, ada, "Reply.", target=article, parent=huge)
        with pytest.raises(CommentNotFound):
            post(database, quick, ada, "Hello.", target=("story", huge))
        with pytest.raises(NotAllowed, match="Sign in"):
            post(database, quick, huge, "Hello.", target=article)
        with pytest.raises(CommentNotFound):
            edit(database, quick, huge, ada, "Changed.")
        with database.write() as session, pytest.raises(CommentNotFound):
            comments.delete_comment(session, comment_id=huge, user_id=ada, now=NOW)
        with database.write() as session, pytest.raises(CommentNotFound):
            comments.vote(session, comment_id=huge, user_id=ada, value=1, now=NOW)
        with database.read() as session:
            assert not comments.target_exists(session, "article", huge)
            assert (
                comments.comment_view(session, huge, reader=Reader(ada), now=NOW, edit_minutes=15)
                is None
            )
        assert thread(database, ("article", huge))["count"] == 0
    assert thread(database, article)["count"] == 1 and comment_id


def test_a_nul_character_is_refused_with_a_reason(database: Database, quick: Settings) -> None:
    article = ("article", make_article(database))
    ada = make_user(database, "Ada Quill")
    with pytest.raises(CommentError, match="NUL character"):
        post(database, quick, ada, "Tide\x00 tables.", target=article)
    comment_id = post(database, quick, ada, "Tide tables.", target=article)
    with pytest.raises(CommentError, match="NUL character"):
        edit(database, quick, comment_id, ada, "Tide\x00 tables.")
    assert thread(database, article)["comments"][0]["html"] == "<p>Tide tables.</p>"
