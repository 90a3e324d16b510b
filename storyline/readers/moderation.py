"""Moderation: readers' reports, the moderators' queue, their actions, and the log.

A reader reports a comment once, for one of :data:`REPORT_REASONS`. The queue
(:func:`moderation_queue`) shows what waits for a moderator: comments held by automatic
pre-moderation, with its reasons, and comments with open reports, grouped with their
counts and reasons. A held comment that should not have been is released by one click
(``approve``, which needs no reason).

Every action (:func:`act_on_comment`, :func:`act_on_user`) is logged in
``moderation_actions`` with its moderator and reason, and its subject is told what
happened, in the same transaction. Moderators never act on an admin or on themselves
(their account or their comments); admins may act on anyone else. A moderator who is
suspended or banned may not moderate until reinstated.

Ids out of the database's range (:data:`~storyline.readers.comments.MAX_ID`) name
nothing: they are "not found", as in :mod:`storyline.readers.comments`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from storyline.readers.accounts import is_suspended
from storyline.readers.comments import (
    MAX_ID,
    AlreadyDone,
    CommentError,
    CommentNotFound,
    NotAllowed,
    announce_reply,
    close_reports,
    comment_url,
    erase_comment,
    refuse_nul,
    target_url,
    valid_id,
)
from storyline.readers.notifications import notify
from storyline.store.schema import Comment, ModerationAction, Report, User
from storyline.views import iso

REPORT_REASONS = {
    "spam": "Spam or advertising",
    "abuse": "Abusive or hateful",
    "harassment": "Harassment of a person",
    "misinformation": "False or misleading",
    "off-topic": "Off-topic",
    "other": "Something else",
}
COMMENT_ACTIONS = ("approve", "hide", "delete")
USER_ACTIONS = ("warn", "suspend", "ban", "reinstate")
MAX_NOTE = 1000
MAX_REASON = 500
MAX_SUSPENSION = timedelta(days=365)
QUEUE_LIMIT = 100
LOG_LIMIT = 50
# Open reports read for the queue at most: far more than a moderator works through.
_OPEN_REPORTS = 2000


# Reports -------------------------------------------------------------------------------


def report_comment(
    session: Session,
    *,
    comment_id: int,
    reporter_id: int,
    reason: str,
    note: str | None = None,
    now: datetime,
) -> Report:
    """A reader's report: once per reader and comment, never of their own comment."""
    if reason not in REPORT_REASONS:
        raise CommentError(f"Choose a reason: one of {', '.join(REPORT_REASONS)}.")
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise CommentError(f"Keep the note under {MAX_NOTE} characters.")
    if note is not None:
        refuse_nul(note, "note")
    comment = session.get(Comment, comment_id) if valid_id(comment_id) else None
    if comment is None or comment.status != "visible":
        raise CommentNotFound("There is no such comment to report.")
    if comment.user_id == reporter_id:
        raise NotAllowed("You cannot report your own comment; delete it instead.")
    report = Report(
        comment_id=comment_id, reporter_id=reporter_id, reason=reason, note=note, created_at=now
    )
    try:
        with session.begin_nested():
            session.add(report)
    except IntegrityError as error:
        raise AlreadyDone("You have reported this comment already; thank you.") from error
    return report


# The queue -----------------------------------------------------------------------------


def moderation_queue(session: Session, *, limit: int = QUEUE_LIMIT) -> dict[str, Any]:
    """What waits for a moderator: held comments (oldest first), then reported ones (most
    reported first), each with its author, its open reports and its reasons."""
    reports: dict[int, list[Report]] = defaultdict(list)
    for report in session.scalars(
        select(Report).where(Report.resolved_at.is_(None)).order_by(Report.id).limit(_OPEN_REPORTS)
    ):
        reports[report.comment_id].append(report)
    held_rows = session.execute(
        select(Comment, User)
        .outerjoin(User, User.id == Comment.user_id)
        .where(Comment.status == "held")
        .order_by(Comment.id)
        .limit(limit)
    ).all()
    held_ids = {comment.id for comment, _ in held_rows}
    reported_ids = sorted(
        (i for i in reports if i not in held_ids),
        key=lambda i: (-len(reports[i]), reports[i][0].id),
    )[:limit]
    found = {
        comment.id: (comment, user)
        for comment, user in session.execute(
            select(Comment, User)
            .outerjoin(User, User.id == Comment.user_id)
            .where(Comment.id.in_(reported_ids), Comment.status != "deleted")
        )
    }
    held = [_item(comment, user, reports.get(comment.id, [])) for comment, user in held_rows]
    reported = [_item(*found[i], reports[i]) for i in reported_ids if i in found]
    return {"held": held, "reported": reported, "reasons": REPORT_REASONS}


def _item(comment: Comment, user: User | None, reports: list[Report]) -> dict[str, Any]:
    counts = Counter(report.reason for report in reports)
    return {
        "comment": {
            "id": comment.id,
            "url": comment_url(comment),
            "target_kind": comment.target_kind,
            "target_id": comment.target_id,
            "parent_id": comment.parent_id,
            "status": comment.status,
            "html": comment.html,
            "created_at": iso(comment.created_at),
            "edited_at": iso(comment.edited_at),
            "held_reasons": list(comment.held_reasons or []),
        },
        "author": _person(user),
        "reports": {
            "count": len(reports),
            "reasons": [
                {"reason": reason, "label": REPORT_REASONS.get(reason, reason), "count": n}
                for reason, n in counts.most_common()
            ],
            "notes": [report.note for report in reports if report.note],
            "first_at": iso(reports[0].created_at) if reports else None,
        },
    }


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "status": user.status,
        "suspended_until": iso(user.suspended_until),
        "created_at": iso(user.created_at),
    }


# Actions -------------------------------------------------------------------------------


def act_on_comment(
    session: Session,
    *,
    comment_id: int,
    moderator_id: int,
    action: str,
    reason: str = "",
    now: datetime,
) -> ModerationAction:
    """``approve`` (show a held or hidden comment; dismiss its reports), ``hide`` or
    ``delete`` a comment; its author is told, with the reason."""
    if action not in COMMENT_ACTIONS:
        raise CommentNotFound(f"Unknown action {action!r}: one of {', '.join(COMMENT_ACTIONS)}.")
    reason = _reason(reason, required=action != "approve")
    moderator = _moderator(session, moderator_id, now)
    comment = (
        session.get(Comment, comment_id, with_for_update=True) if valid_id(comment_id) else None
    )
    if comment is None or comment.status == "deleted":
        raise CommentNotFound("There is no such comment, or it was deleted.")
    if comment.user_id == moderator.id:
        raise NotAllowed(
            "You cannot moderate your own comment: another moderator decides on it. You "
            "may delete it yourself."
        )
    author = session.get(User, comment.user_id) if comment.user_id is not None else None
    _may_act(moderator, author)
    was = comment.status
    if action == "approve":
        comment.status, comment.held_reasons = "visible", []
    elif action == "hide":
        comment.status = "hidden"
    else:
        erase_comment(comment, now)
    close_reports(
        session,
        comment.id,
        by=moderator.id,
        resolution="dismissed" if action == "approve" else action,
        now=now,
    )
    entry = _log(session, action, moderator, author, reason, now, comment_id=comment.id)
    if author is not None and (action != "approve" or was != "visible"):
        _tell(session, author.id, entry, _comment_news(action, was, reason), comment_url(comment))
    if action == "approve" and was == "held":
        announce_reply(session, comment, now)
    return entry


def act_on_user(
    session: Session,
    *,
    user_id: int,
    moderator_id: int,
    action: str,
    reason: str,
    duration: timedelta | None = None,
    comment_id: int | None = None,
    now: datetime,
) -> ModerationAction:
    """``warn`` a reader, ``suspend`` them from posting for ``duration``, ``ban`` them,
    or ``reinstate`` them; ``comment_id`` names the comment that prompted it, if any."""
    if action not in USER_ACTIONS:
        raise CommentNotFound(f"Unknown action {action!r}: one of {', '.join(USER_ACTIONS)}.")
    reason = _reason(reason, required=True)
    moderator = _moderator(session, moderator_id, now)
    user = session.get(User, user_id, with_for_update=True) if valid_id(user_id) else None
    if user is None:
        raise CommentNotFound("There is no such account.")
    if user.id == moderator.id:
        raise NotAllowed("You cannot moderate your own account.")
    _may_act(moderator, user)
    if comment_id is not None and (
        not valid_id(comment_id) or session.get(Comment, comment_id) is None
    ):
        raise CommentNotFound("There is no such comment.")
    until = None
    if action == "suspend":
        if duration is None or not timedelta(hours=1) <= duration <= MAX_SUSPENSION:
            raise CommentError("Suspend for at least an hour and at most a year.")
        until = now + duration
        user.status, user.suspended_until = "suspended", until
    elif action == "ban":
        user.status, user.suspended_until = "banned", None
    elif action == "reinstate":
        user.status, user.suspended_until = "active", None
    entry = _log(session, action, moderator, user, reason, now, comment_id=comment_id, until=until)
    _tell(session, user.id, entry, _account_news(action, reason, until), "/account")
    return entry


def _reason(reason: str, *, required: bool) -> str:
    text = " ".join(reason.split())
    if required and not text:
        raise CommentError("Give a reason: the reader is told it, and it goes in the log.")
    if len(text) > MAX_REASON:
        raise CommentError(f"Keep the reason under {MAX_REASON} characters.")
    refuse_nul(text, "reason")
    return text


def _moderator(session: Session, moderator_id: int, now: datetime) -> User:
    """The acting moderator, in good standing: one who is suspended or banned has no more
    say over others' comments than over their own."""
    moderator = session.get(User, moderator_id) if valid_id(moderator_id) else None
    if moderator is None or moderator.role not in {"moderator", "admin"}:
        raise NotAllowed("Only moderators may do that.")
    if is_suspended(moderator, now):
        raise NotAllowed("A suspended or banned moderator cannot moderate.")
    return moderator


def _may_act(moderator: User, subject: User | None) -> None:
    if subject is not None and subject.role == "admin" and moderator.role != "admin":
        raise NotAllowed("Moderators cannot act on an admin's account or comments.")


def _log(
    session: Session,
    action: str,
    moderator: User,
    subject: User | None,
    reason: str,
    now: datetime,
    *,
    comment_id: int | None,
    until: datetime | None = None,
) -> ModerationAction:
    entry = ModerationAction(
        action=action,
        moderator_id=moderator.id,
        comment_id=comment_id,
        user_id=subject.id if subject is not None else None,
        reason=reason,
        until=until,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def _tell(session: Session, user_id: int, entry: ModerationAction, text: str, url: str) -> None:
    notify(
        session,
        user_id,
        kind="moderation",
        key=f"moderation:{entry.id}",
        text=text,
        url=url,
        now=entry.created_at,
    )


def _comment_news(action: str, was: str, reason: str) -> str:
    if action == "approve":
        if was == "held":
            return "A moderator approved your comment: everyone can see it now."
        return "A moderator restored your comment: everyone can see it again."
    verb = "hid" if action == "hide" else "deleted"
    return f"A moderator {verb} your comment: {reason}"


def _account_news(action: str, reason: str, until: datetime | None) -> str:
    if action == "warn":
        return f"A moderator warned you: {reason}"
    if action == "suspend" and until is not None:
        return f"A moderator suspended you from posting until {until:%d %B %Y, %H:%M} UTC: {reason}"
    if action == "ban":
        return f"A moderator banned you from posting: {reason}"
    return f"A moderator lifted the restrictions on your account: {reason}"


# The log -------------------------------------------------------------------------------


def moderation_log(
    session: Session, *, limit: int = LOG_LIMIT, before_id: int | None = None
) -> dict[str, Any]:
    """Every action, newest first, a page at a time (``before_id``: older than that).
    An entry links to its comment's permalink, or, once the comment is deleted (and its
    permalink leads nowhere), to its thread."""
    moderator, subject = aliased(User), aliased(User)
    query = (
        select(
            ModerationAction,
            moderator.name,
            subject.name,
            Comment.target_kind,
            Comment.target_id,
            Comment.status,
        )
        .outerjoin(moderator, moderator.id == ModerationAction.moderator_id)
        .outerjoin(subject, subject.id == ModerationAction.user_id)
        .outerjoin(Comment, Comment.id == ModerationAction.comment_id)
        .order_by(ModerationAction.id.desc())
        .limit(limit + 1)
    )
    if before_id is not None:  # clamped: an id out of the database's range is no error
        query = query.where(ModerationAction.id < min(max(before_id, 0), MAX_ID))
    rows = session.execute(query).all()
    entries = [
        {
            "id": entry.id,
            "action": entry.action,
            "moderator": moderator_name,
            "automatic": entry.moderator_id is None and entry.action == "hold",
            "user_id": entry.user_id,
            "user": user_name,
            "comment_id": entry.comment_id,
            "comment_url": _comment_link(entry.comment_id, kind, target, status),
            "reason": entry.reason,
            "until": iso(entry.until),
            "created_at": iso(entry.created_at),
        }
        for entry, moderator_name, user_name, kind, target, status in rows[:limit]
    ]
    older = entries[-1]["id"] if len(rows) > limit else None
    return {"entries": entries, "older_than": older}


def _comment_link(
    comment_id: int | None, kind: str | None, target: int | None, status: str | None
) -> str | None:
    if comment_id is None or kind is None or target is None:
        return None
    if status == "deleted":
        return f"{target_url(kind, target)}#comments"
    return f"/comments/{comment_id}"
