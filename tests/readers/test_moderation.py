"""Moderation in the store: reports, the queue, actions on comments and accounts (logged,
and told to their subject), who may act on whom, and the log, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from storyline.readers import moderation
from storyline.readers.automod import Automod
from storyline.readers.comments import (
    AlreadyDone,
    CommentError,
    CommentNotFound,
    NotAllowed,
    Reader,
)
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import Comment, Notification, Report, User
from tests.readers.test_comments import (
    NOW,
    SHORTENED,
    make_article,
    make_user,
    post,
    thread,
)


@pytest.fixture
def quick(settings: Settings) -> Settings:
    return dataclasses.replace(settings, comment_rate="1000/60", automod="links")


def _report(database: Database, comment_id: int, reporter: int, reason: str, note: str = "") -> int:
    with database.write() as session:
        return moderation.report_comment(
            session, comment_id=comment_id, reporter_id=reporter, reason=reason, note=note, now=NOW
        ).id


def _notes(database: Database, user_id: int) -> list[tuple[str, str, str]]:
    with database.read() as session:
        rows = session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        ).all()
        return [(n.kind, n.key, n.text) for n in rows]


def test_a_reader_reports_a_comment_once_and_never_their_own(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    comment_id = post(database, quick, ada, "Buy cheap tickets.", target=article)
    _report(database, comment_id, bo, "spam", "  Third time today.  ")
    with pytest.raises(AlreadyDone, match="already"):
        _report(database, comment_id, bo, "abuse")
    with pytest.raises(NotAllowed, match="your own"):
        _report(database, comment_id, ada, "spam")
    with pytest.raises(CommentError, match="Choose a reason"):
        _report(database, comment_id, bo, "boring")
    with pytest.raises(CommentError, match="under 1000"):
        _report(database, comment_id, make_user(database, "Cy Penrose"), "other", "x" * 1001)
    with pytest.raises(CommentNotFound):
        _report(database, 424_242, bo, "spam")
    with database.read() as session:
        [report] = session.scalars(select(Report)).all()
    assert (report.reason, report.note, report.resolved_at) == ("spam", "Third time today.", None)


def test_the_queue_groups_open_reports_and_lists_held_comments(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    names = ("Ada Quill", "Bo Tarrant", "Cy Penrose", "Dee Marsh")
    ada, bo, cy, dee = (make_user(database, n) for n in names)
    once = post(database, quick, ada, "Mildly off-topic.", target=article)
    thrice = post(database, quick, bo, "Shouting at people.", target=article)
    held = post(database, quick, cy, SHORTENED, target=article, automod=Automod(quick))
    _report(database, once, bo, "off-topic")
    for reporter, reason in ((ada, "abuse"), (cy, "harassment"), (dee, "abuse")):
        _report(database, thrice, reporter, reason, "Not the first time." if reporter == cy else "")
    with database.read() as session:
        queue = moderation.moderation_queue(session)
    [waiting] = queue["held"]
    assert waiting["comment"]["id"] == held
    assert waiting["author"]["name"] == "Cy Penrose"
    assert any("shortener" in reason for reason in waiting["comment"]["held_reasons"])
    assert waiting["comment"]["url"] == f"/comments/{held}"
    assert [item["comment"]["id"] for item in queue["reported"]] == [thrice, once]
    top = queue["reported"][0]["reports"]
    assert top["count"] == 3
    assert top["reasons"] == [
        {"reason": "abuse", "label": "Abusive or hateful", "count": 2},
        {"reason": "harassment", "label": "Harassment of a person", "count": 1},
    ]
    assert top["notes"] == ["Not the first time."]


def test_approving_a_held_comment_is_one_step_shows_it_and_tells_people(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    mod = make_user(database, "Mira Holt", role="moderator")
    parent = post(database, quick, ada, "Where can I buy passes?", target=article)
    held = post(
        database, quick, bo, SHORTENED, target=article, parent=parent, automod=Automod(quick)
    )
    assert _notes(database, ada) == []
    with database.write() as session:
        entry = moderation.act_on_comment(
            session, comment_id=held, moderator_id=mod, action="approve", now=NOW
        )
        entry_id = entry.id
    [top] = thread(database, article)["comments"]
    [reply] = top["replies"]
    assert (reply["id"], reply["status"], reply["held_reasons"]) == (held, "visible", [])
    assert _notes(database, bo) == [
        (
            "moderation",
            f"moderation:{entry_id}",
            "A moderator approved your comment: everyone can see it now.",
        )
    ]
    assert [kind for kind, _, _ in _notes(database, ada)] == ["reply"]
    with database.read() as session:
        queue = moderation.moderation_queue(session)
    assert queue["held"] == [] and queue["reported"] == []


def test_hiding_closes_reports_and_the_author_sees_why(database: Database, quick: Settings) -> None:
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    mod = make_user(database, "Mira Holt", role="moderator")
    comment_id = post(database, quick, ada, "About the football instead.", target=article)
    _report(database, comment_id, bo, "off-topic")
    with database.write() as session, pytest.raises(CommentError, match="Give a reason"):
        moderation.act_on_comment(
            session, comment_id=comment_id, moderator_id=mod, action="hide", reason=" ", now=NOW
        )
    with database.write() as session:
        entry = moderation.act_on_comment(
            session,
            comment_id=comment_id,
            moderator_id=mod,
            action="hide",
            reason="off-topic",
            now=NOW,
        )
        entry_id = entry.id
    [own] = thread(database, article, Reader(ada))["comments"]
    assert (own["status"], own["moderation_note"]) == ("hidden", "off-topic")
    assert thread(database, article, Reader(bo))["comments"] == []
    assert _notes(database, ada) == [
        ("moderation", f"moderation:{entry_id}", "A moderator hid your comment: off-topic")
    ]
    with database.read() as session:
        [report] = session.scalars(select(Report)).all()
        assert (report.resolution, report.resolved_by_id) == ("hide", mod)


def test_a_moderator_deletes_a_comment_and_its_text_is_gone(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada = make_user(database, "Ada Quill")
    mod = make_user(database, "Mira Holt", role="moderator")
    comment_id = post(database, quick, ada, "A phone number to call.", target=article)
    with database.write() as session:
        moderation.act_on_comment(
            session,
            comment_id=comment_id,
            moderator_id=mod,
            action="delete",
            reason="personal details",
            now=NOW,
        )
    with database.read() as session:
        stored = session.get(Comment, comment_id)
        assert stored is not None
        assert (stored.status, stored.body, stored.html) == ("deleted", "", "")
    assert thread(database, article, Reader(mod, moderator=True))["comments"] == []
    with database.write() as session, pytest.raises(CommentNotFound):
        moderation.act_on_comment(
            session, comment_id=comment_id, moderator_id=mod, action="approve", now=NOW
        )


def test_warn_suspend_ban_and_reinstate_change_the_account_and_tell_its_owner(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada = make_user(database, "Ada Quill")
    mod = make_user(database, "Mira Holt", role="moderator")

    def act(action: str, duration: timedelta | None = None, reason: str = "insults") -> None:
        with database.write() as session:
            moderation.act_on_user(
                session,
                user_id=ada,
                moderator_id=mod,
                action=action,
                reason=reason,
                duration=duration,
                now=NOW,
            )

    def status() -> tuple[str, object]:
        with database.read() as session:
            user = session.get(User, ada)
            assert user is not None
            return user.status, user.suspended_until

    act("warn")
    assert status() == ("active", None)
    for wrong in (None, timedelta(minutes=30), timedelta(days=400)):
        with pytest.raises(CommentError, match="at least an hour"):
            act("suspend", wrong)
    act("suspend", timedelta(days=2))
    assert status() == ("suspended", NOW + timedelta(days=2))
    with pytest.raises(NotAllowed, match="suspended from posting until 28 November 2026"):
        post(database, quick, ada, "Let me back in.", target=article)
    act("ban")
    assert status() == ("banned", None)
    act("reinstate", reason="appeal accepted")
    assert status() == ("active", None)
    post(database, quick, ada, "Thank you.", target=article)
    texts = [text for _, _, text in _notes(database, ada)]
    assert texts == [
        "A moderator warned you: insults",
        "A moderator suspended you from posting until 28 November 2026, 12:00 UTC: insults",
        "A moderator banned you from posting: insults",
        "A moderator lifted the restrictions on your account: appeal accepted",
    ]


def test_moderators_cannot_act_on_admins_or_themselves_and_readers_not_at_all(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    admin = make_user(database, "Ada Quill", role="admin")
    mod = make_user(database, "Mira Holt", role="moderator")
    reader = make_user(database, "Bo Tarrant")
    by_admin = post(database, quick, admin, "House rules.", target=article)
    by_reader = post(database, quick, reader, "Hello.", target=article)
    refusals = [
        (mod, "comment", by_admin, "admin"),
        (mod, "user", admin, "admin"),
        (mod, "user", mod, "your own account"),
        (reader, "comment", by_reader, "Only moderators"),
        (reader, "user", mod, "Only moderators"),
    ]
    for actor, kind, subject, message in refusals:
        with database.write() as session, pytest.raises(NotAllowed, match=message):
            if kind == "comment":
                moderation.act_on_comment(
                    session,
                    comment_id=subject,
                    moderator_id=actor,
                    action="hide",
                    reason="x",
                    now=NOW,
                )
            else:
                moderation.act_on_user(
                    session, user_id=subject, moderator_id=actor, action="warn", reason="x", now=NOW
                )
    with database.write() as session:  # an admin may act on a moderator
        moderation.act_on_user(
            session, user_id=mod, moderator_id=admin, action="warn", reason="be kind", now=NOW
        )
    with database.write() as session, pytest.raises(CommentNotFound, match="Unknown action"):
        moderation.act_on_user(
            session, user_id=reader, moderator_id=admin, action="exile", reason="x", now=NOW
        )


def test_the_log_lists_every_action_newest_first_a_page_at_a_time(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada = make_user(database, "Ada Quill")
    mod = make_user(database, "Mira Holt", role="moderator")
    held = post(database, quick, ada, SHORTENED, target=article, automod=Automod(quick))
    with database.write() as session:
        moderation.act_on_comment(
            session, comment_id=held, moderator_id=mod, action="approve", now=NOW
        )
        moderation.act_on_user(
            session,
            user_id=ada,
            moderator_id=mod,
            action="suspend",
            reason="spam links",
            duration=timedelta(hours=6),
            comment_id=held,
            now=NOW + timedelta(minutes=1),
        )
    with database.read() as session:
        page = moderation.moderation_log(session, limit=2)
        rest = moderation.moderation_log(session, limit=2, before_id=page["older_than"])
    assert [(e["action"], e["moderator"], e["user"]) for e in page["entries"]] == [
        ("suspend", "Mira Holt", "Ada Quill"),
        ("approve", "Mira Holt", "Ada Quill"),
    ]
    assert page["entries"][0]["until"] == "2026-11-26T18:01:00Z"
    assert page["entries"][0]["comment_url"] == f"/comments/{held}"
    [hold] = rest["entries"]
    assert (hold["action"], hold["moderator"], hold["automatic"]) == ("hold", None, True)
    assert "shortener" in hold["reason"]
    assert rest["older_than"] is None


def _hide(database: Database, comment_id: int, moderator: int, reason: str = "x") -> None:
    with database.write() as session:
        moderation.act_on_comment(
            session,
            comment_id=comment_id,
            moderator_id=moderator,
            action="hide",
            reason=reason,
            now=NOW,
        )


def test_moderators_never_act_on_their_own_comments(database: Database, quick: Settings) -> None:
    article = ("article", make_article(database))
    mod = make_user(database, "Mira Holt", role="moderator")
    admin = make_user(database, "Ada Quill", role="admin")
    own = post(database, quick, mod, "A moderator's own opinion.", target=article)
    for action in ("hide", "delete", "approve"):
        with database.write() as session, pytest.raises(NotAllowed, match="your own comment"):
            moderation.act_on_comment(
                session, comment_id=own, moderator_id=mod, action=action, reason="x", now=NOW
            )
    admins = post(database, quick, admin, "An admin's note.", target=article)
    with pytest.raises(NotAllowed, match="your own comment"):
        _hide(database, admins, admin)
    _hide(database, own, admin)  # another moderator (an admin) may
    assert thread(database, article)["comments"][0]["id"] == admins


def test_a_suspended_or_banned_moderator_cannot_moderate(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada, mod = make_user(database, "Ada Quill"), make_user(database, "Mira Holt", "moderator")
    comment_id = post(database, quick, ada, "Off-topic, perhaps.", target=article)
    for status, until in (("suspended", NOW + timedelta(days=1)), ("banned", None)):
        with database.write() as session:
            user = session.get(User, mod)
            assert user is not None
            user.status, user.suspended_until = status, until
        with pytest.raises(NotAllowed, match="suspended or banned moderator"):
            _hide(database, comment_id, mod)
        with database.write() as session, pytest.raises(NotAllowed, match="suspended or banned"):
            moderation.act_on_user(
                session, user_id=ada, moderator_id=mod, action="warn", reason="x", now=NOW
            )
    with database.write() as session:
        user = session.get(User, mod)
        assert user is not None
        user.status, user.suspended_until = "suspended", NOW - timedelta(hours=1)  # over
    _hide(database, comment_id, mod)
    assert thread(database, article)["comments"] == []


def test_ids_out_of_the_databases_range_name_nothing(database: Database, quick: Settings) -> None:
    article = ("article", make_article(database))
    ada, mod = make_user(database, "Ada Quill"), make_user(database, "Mira Holt", "moderator")
    comment_id = post(database, quick, ada, "In range.", target=article)
    for huge in (2**63, -(2**63) - 1):
        with pytest.raises(CommentNotFound):
            _report(database, huge, mod, "spam")
        with pytest.raises(CommentNotFound):
            _hide(database, huge, mod)
        with pytest.raises(NotAllowed, match="Only moderators"):
            _hide(database, comment_id, huge)
        for user_id, comment in ((huge, None), (ada, huge)):
            with database.write() as session, pytest.raises(CommentNotFound):
                moderation.act_on_user(
                    session,
                    user_id=user_id,
                    moderator_id=mod,
                    action="warn",
                    reason="x",
                    comment_id=comment,
                    now=NOW,
                )
        with database.read() as session:
            assert moderation.moderation_log(session, before_id=huge)["entries"] == []
    _hide(database, comment_id, mod)
    with database.read() as session:
        assert len(moderation.moderation_log(session, before_id=2**64)["entries"]) == 1


def test_a_nul_character_in_a_note_or_reason_is_refused(
    database: Database, quick: Settings
) -> None:
    article = ("article", make_article(database))
    ada, bo = make_user(database, "Ada Quill"), make_user(database, "Bo Tarrant")
    mod = make_user(database, "Mira Holt", role="moderator")
    comment_id = post(database, quick, ada, "Reported soon.", target=article)
    with pytest.raises(CommentError, match="note contains a NUL"):
        _report(database, comment_id, bo, "spam", "Selling\x00 tickets.")
    with pytest.raises(CommentError, match="reason contains a NUL"):
        _hide(database, comment_id, mod, "spam\x00")
    with database.write() as session, pytest.raises(CommentError, match="reason contains a NUL"):
        moderation.act_on_user(
            session, user_id=ada, moderator_id=mod, action="warn", reason="\x00", now=NOW
        )
    _report(database, comment_id, bo, "spam", "Selling tickets.")


def test_the_log_links_a_deleted_comment_to_its_thread(database: Database, quick: Settings) -> None:
    article = ("article", make_article(database))
    ada, mod = make_user(database, "Ada Quill"), make_user(database, "Mira Holt", "moderator")
    comment_id = post(database, quick, ada, "A phone number.", target=article)
    with database.write() as session:
        moderation.act_on_comment(
            session, comment_id=comment_id, moderator_id=mod, action="delete", reason="x", now=NOW
        )
    with database.read() as session:
        [entry] = moderation.moderation_log(session)["entries"]
    assert entry["comment_url"] == f"/articles/{article[1]}#comments"
