"""Comments on articles and stories: posting, replies, edits, deletion, votes, and the
thread as one reader sees it.

Posting (:func:`post_comment`) runs these steps, in one transaction:

1. the body is checked: not empty, at most :data:`MAX_COMMENT_CHARS`, no NUL character;
2. the author's row is locked, so that two posts at once by one account are counted one
   after the other, and a suspended or banned account is refused;
3. the target (an article, or a story not merged away) and the parent (a comment on the
   same target that the author can see) must exist;
4. the rate limits (``STORYLINE_COMMENT_RATE``) are counted; moderators are exempt;
5. the verdict of automatic pre-moderation (:mod:`storyline.readers.automod`), if any,
   may hold the comment: it is stored ``held`` with its reasons, which its author sees,
   and logged as a ``hold``;
6. the Markdown is rendered once, here, so that no page ever renders a comment again;
7. the parent's author is told of the reply, unless the reply is their own or is held
   (they hear of it when a moderator approves it).

Pre-moderation runs before that transaction, in a read session (:func:`screen_post`,
:func:`screen_edit`): its classifier and, when configured, the LLM's HTTP request take
up to seconds, which a write transaction must not be held open for (on SQLite it is the
one writer of every process). The screen runs the same checks first, so that a refused
comment costs no LLM call; the write transaction then checks again, since the account,
the thread or the rate may have changed in between.

Ids from outside are 64-bit in the database: one out of that range (:data:`MAX_ID`)
names nothing, and is "not found" here rather than an error of the database driver.

The thread (:func:`comment_thread`) is arranged from one indexed query for the outline of
every comment on the target (ids, parents, status, votes: no text, no dates); then the
comments on the page shown, and the reader's votes, are read in full. Arranging takes one
pass, newest ids last: a comment its reader may not see but that has replies they may see
keeps its place as a placeholder ("[deleted]"), one without such replies leaves the
thread.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from storyline.readers.accounts import is_suspended
from storyline.readers.automod import Author, Automod, Verdict
from storyline.readers.markdown import (
    MAX_COMMENT_CHARS,
    comment_links,
    comment_text,
    render_comment,
)
from storyline.readers.notifications import notify
from storyline.settings import Settings, SettingsError
from storyline.store.schema import (
    MAX_ID,
    Article,
    Comment,
    CommentVote,
    ModerationAction,
    Report,
    Story,
    User,
)
from storyline.views import iso

TARGET_KINDS = ("article", "story")
SORTS = ("oldest", "newest", "best")
# Replies nest this many levels deep on a page (top-level comments are level 1); deeper
# replies are shown at the last level, in time order, saying whom they answer.
MAX_DEPTH = 5
# Top-level comments per page of a thread (each with all its replies): a page of a long
# thread stays quick to build, render and read, however long the thread grows.
THREAD_PAGE = 50
# What automatic pre-moderation reads of an author's history.
RECENT_BODIES = 20
PLACEHOLDERS = {
    "deleted": "[deleted]",
    "hidden": "[hidden by a moderator]",
    "held": "[waiting for a moderator]",
}
_EXCERPT_CHARS = 120
_Row = Any  # a row of _THREAD_COLUMNS: id, parent_id, user_id, author, html, status, …
_WILSON_Z = 1.96  # 95% confidence


class CommentError(ValueError):
    """A comment request that cannot be done; the message says why, to the reader, and
    ``status`` is the HTTP status that fits it."""

    status = 400


class CommentNotFound(CommentError):
    status = 404


class NotAllowed(CommentError):
    status = 403


class AlreadyDone(CommentError):
    status = 409


class RateLimited(CommentError):
    """Too many comments too fast; ``retry_after`` seconds until the next is accepted."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"You have posted many comments in a short time. You can post again in "
            f"{_duration(retry_after)}."
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Reader:
    """Who a thread is shown to: their account id and whether they moderate."""

    id: int
    moderator: bool = False


def parse_rate(value: str) -> tuple[tuple[int, int], ...]:
    """``STORYLINE_COMMENT_RATE`` (``"5/60,60/86400"``) as (count, seconds) windows."""
    windows = []
    for part in value.split(","):
        if not part.strip():
            continue
        count, _, seconds = part.partition("/")
        try:
            window = int(count), int(seconds)
        except ValueError:
            window = (0, 0)
        if min(window) < 1:
            raise SettingsError(
                f"STORYLINE_COMMENT_RATE={value!r}: write COUNT/SECONDS limits, e.g. 5/60,60/86400"
            )
        windows.append(window)
    return tuple(windows)


def target_url(kind: str, target_id: int) -> str:
    return f"/articles/{target_id}" if kind == "article" else f"/stories/{target_id}"


def comment_url(comment: Comment) -> str:
    """The comment's permalink, which leads to its page of its thread (:func:`thread_page_of`)."""
    return f"/comments/{comment.id}"


def thread_page_of(
    session: Session, comment: Comment, reader: Reader | None, per_page: int = THREAD_PAGE
) -> int | None:
    """The page of the oldest-first thread, as ``reader`` sees it, that shows ``comment``:
    its top-level comment's place among the top-level comments shown. None when the
    thread does not show it to them at all (held or hidden, and not theirs to read,
    without replies they may read), so that its permalink says nothing of where it is.

    The thread is arranged exactly as :func:`comment_thread` arranges it, so a "[deleted]"
    placeholder kept for its replies counts, and a comment the reader may not see does
    not."""
    rows = session.connection().execute(
        select(*_OUTLINE_COLUMNS)
        .where(Comment.target_kind == comment.target_kind, Comment.target_id == comment.target_id)
        .order_by(Comment.id)
    )
    # Arranging reads neither the time nor the edit window.
    builder = _ThreadBuilder(rows.all(), reader, {}, comment.created_at, timedelta(0))
    builder.arrange("oldest", 1, per_page)
    tops = builder.children[None]
    if comment.id not in set(builder.subtree_ids(tops)):
        return None
    top = comment.id
    while (parent := builder.rows[top].parent_id) in builder.rows:
        top = parent
    return tops.index(top) // per_page + 1


def valid_id(value: int | None) -> bool:
    """Whether ``value`` can be an id in the database (a 64-bit integer, from 1)."""
    return value is not None and 1 <= value <= MAX_ID


def target_exists(session: Session, kind: str, target_id: int) -> bool:
    if not valid_id(target_id):
        return False
    if kind == "article":
        return session.scalar(select(Article.id).where(Article.id == target_id)) is not None
    if kind == "story":
        return session.scalar(select(Story.id).where(Story.id == target_id)) is not None
    return False


# Writing --------------------------------------------------------------------------------


def screen_post(
    session: Session,
    settings: Settings,
    automod: Automod | None,
    *,
    user_id: int,
    target_kind: str,
    target_id: int,
    body: str,
    parent_id: int | None = None,
    now: datetime,
) -> Verdict | None:
    """Pre-moderation's verdict on a new comment, to give :func:`post_comment`; None when
    no rule runs or the author is a moderator. Run it in a read session, before the write
    transaction (see the module). A comment that would be refused is refused here, with
    the same error, before any rule (and the LLM) is asked."""
    if automod is None or not automod.enabled_rules:
        return None
    text, author, _ = _post_checks(
        session,
        settings,
        user_id=user_id,
        target_kind=target_kind,
        target_id=target_id,
        body=body,
        parent_id=parent_id,
        now=now,
        lock=False,
    )
    if _moderates(author):
        return None
    return automod.check(text, _automod_author(session, settings, author, now), now)


def post_comment(
    session: Session,
    settings: Settings,
    *,
    user_id: int,
    target_kind: str,
    target_id: int,
    body: str,
    parent_id: int | None = None,
    verdict: Verdict | None = None,
    now: datetime,
) -> Comment:
    """A new comment, or reply when ``parent_id`` is given (see the module for the steps).
    ``verdict`` is :func:`screen_post`'s on the same ``body``; a moderator's comment is
    never held, whatever it says."""
    text, author, parent = _post_checks(
        session,
        settings,
        user_id=user_id,
        target_kind=target_kind,
        target_id=target_id,
        body=body,
        parent_id=parent_id,
        now=now,
        lock=True,
    )
    comment = Comment(
        target_kind=target_kind,
        target_id=target_id,
        parent_id=parent.id if parent else None,
        user_id=user_id,
        body=text,
        html=render_comment(text),
        status="visible",
        held_reasons=[],
        score=0,
        upvotes=0,
        downvotes=0,
        created_at=now,
    )
    session.add(comment)
    session.flush()
    if verdict is not None and verdict.hold and not _moderates(author):
        _hold(session, comment, verdict.reasons, now)
    else:
        announce_reply(session, comment, now)
    return comment


def screen_edit(
    session: Session,
    settings: Settings,
    automod: Automod | None,
    *,
    comment_id: int,
    user_id: int,
    body: str,
    now: datetime,
) -> Verdict | None:
    """Pre-moderation's verdict on an edit, to give :func:`edit_comment`, as
    :func:`screen_post` for a new comment; None too when the text is unchanged. The
    comment is not compared with its own earlier text."""
    if automod is None or not automod.enabled_rules:
        return None
    text, comment, author = _edit_checks(
        session, settings, comment_id=comment_id, user_id=user_id, body=body, now=now, lock=False
    )
    if text == comment.body or _moderates(author):
        return None
    history = _automod_author(session, settings, author, now, leaving_out=comment.id)
    return automod.check(text, history, now)


def edit_comment(
    session: Session,
    settings: Settings,
    *,
    comment_id: int,
    user_id: int,
    body: str,
    verdict: Verdict | None = None,
    now: datetime,
) -> Comment:
    """The author's new text, within ``STORYLINE_COMMENT_EDIT_MINUTES`` of posting; it is
    marked edited, and held when ``verdict`` (:func:`screen_edit`'s on the same ``body``)
    says so. An edit that passes the checks leaves a held comment held: a moderator still
    looks at it."""
    text, comment, author = _edit_checks(
        session, settings, comment_id=comment_id, user_id=user_id, body=body, now=now, lock=True
    )
    if text == comment.body:
        return comment
    comment.body, comment.html, comment.edited_at = text, render_comment(text), now
    if verdict is not None and verdict.hold and not _moderates(author):
        _hold(session, comment, verdict.reasons, now)
    return comment


def delete_comment(session: Session, *, comment_id: int, user_id: int, now: datetime) -> Comment:
    """The author takes their comment down: its text goes, its place stays for replies."""
    comment = _own_comment(session, comment_id, user_id)
    erase_comment(comment, now)
    close_reports(session, comment.id, by=None, resolution="deleted", now=now)
    return comment


def erase_comment(comment: Comment, now: datetime) -> None:
    comment.status, comment.body, comment.html = "deleted", "", ""
    comment.held_reasons, comment.deleted_at = [], now


def close_reports(
    session: Session, comment_id: int, *, by: int | None, resolution: str, now: datetime
) -> int:
    """Resolve the comment's open reports; returns how many there were."""
    closed = session.execute(
        update(Report)
        .where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=by, resolution=resolution)
    )
    return int(closed.rowcount)  # type: ignore[attr-defined]


def vote(
    session: Session, *, comment_id: int, user_id: int, value: int, now: datetime
) -> dict[str, int]:
    """Set the reader's vote: +1, -1, or 0 to take it back. The counters on the comment
    change in the same transaction, under a lock on its row."""
    if value not in (-1, 0, 1):
        raise CommentError("A vote is 1 (up), -1 (down) or 0 (none).")
    comment = _get(session, Comment, comment_id, lock=True)
    if comment is None or comment.status != "visible":
        raise CommentNotFound("There is no such comment to vote on.")
    if comment.user_id == user_id:
        raise NotAllowed("You cannot vote on your own comment.")
    _poster(session, user_id, now)
    existing = session.get(CommentVote, (comment_id, user_id))
    old = existing.value if existing is not None else 0
    if existing is not None and value == 0:
        session.delete(existing)
    elif existing is not None:
        existing.value, existing.created_at = value, now
    elif value:
        session.add(
            CommentVote(comment_id=comment_id, user_id=user_id, value=value, created_at=now)
        )
    comment.upvotes += (value == 1) - (old == 1)
    comment.downvotes += (value == -1) - (old == -1)
    comment.score = comment.upvotes - comment.downvotes
    return {
        "id": comment.id,
        "score": comment.score,
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "my_vote": value,
    }


def announce_reply(session: Session, comment: Comment, now: datetime) -> bool:
    """Tell the parent's author of this reply (not when they replied to themselves)."""
    parent = session.get(Comment, comment.parent_id) if comment.parent_id else None
    if parent is None or parent.user_id is None or parent.user_id == comment.user_id:
        return False
    if parent.status == "deleted" or comment.user_id is None:
        return False
    author = session.get(User, comment.user_id)
    name = author.name if author is not None else "Someone"
    return notify(
        session,
        parent.user_id,
        kind="reply",
        key=f"reply:{comment.id}",
        text=f"{name} replied to your comment: “{_excerpt(comment.body)}”",
        url=comment_url(comment),
        now=now,
    )


def editable_until(comment: Comment, settings: Settings) -> datetime:
    return comment.created_at + timedelta(minutes=settings.comment_edit_minutes)


def posting_refusal(user: User, now: datetime) -> str | None:
    """Why this account may not post now, or None."""
    if not is_suspended(user, now):
        return None
    if user.status == "banned":
        return "Your account is banned from posting."
    until = user.suspended_until
    when = f" until {until:%d %B %Y, %H:%M} UTC" if until else ""
    return f"Your account is suspended from posting{when}."


def _checked_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise CommentError("Write something first: the comment is empty.")
    if len(text) > MAX_COMMENT_CHARS:
        raise CommentError(
            f"A comment may be at most {MAX_COMMENT_CHARS:,} characters; this one has "
            f"{len(text):,}."
        )
    refuse_nul(text, "comment")
    return text


def refuse_nul(text: str, what: str) -> None:
    """Refuse a NUL character (U+0000), which no reader types and PostgreSQL cannot store
    in text: a clear refusal rather than the database's error."""
    if "\x00" in text:
        raise CommentError(f"The {what} contains a NUL character (U+0000), which cannot be saved.")


def _moderates(user: User) -> bool:
    return user.role in {"moderator", "admin"}


def _get(session: Session, model: Any, item_id: int | None, *, lock: bool = False) -> Any:
    """``session.get``, with an id out of the database's range found nowhere."""
    if not valid_id(item_id):
        return None
    return session.get(model, item_id, with_for_update=lock)


def _post_checks(
    session: Session,
    settings: Settings,
    *,
    user_id: int,
    target_kind: str,
    target_id: int,
    body: str,
    parent_id: int | None,
    now: datetime,
    lock: bool,
) -> tuple[str, User, Comment | None]:
    """Steps 1 to 4 of posting (see the module): the text, its author and the parent."""
    text = _checked_body(body)
    author = _poster(session, user_id, now, lock=lock)
    _check_target(session, target_kind, target_id)
    parent = _parent(session, parent_id, target_kind, target_id, user_id)
    if not _moderates(author):
        _check_rate(session, settings, user_id, now)
    return text, author, parent


def _edit_checks(
    session: Session,
    settings: Settings,
    *,
    comment_id: int,
    user_id: int,
    body: str,
    now: datetime,
    lock: bool,
) -> tuple[str, Comment, User]:
    """What an edit must pass: the text, its own comment, not hidden, in its window."""
    text = _checked_body(body)
    comment = _own_comment(session, comment_id, user_id, lock=lock)
    author = _poster(session, user_id, now, lock=lock)
    if comment.status == "hidden":
        raise NotAllowed("A moderator hid this comment; it can no longer be edited.")
    if now > editable_until(comment, settings):
        raise NotAllowed(
            f"Comments can be edited for {settings.comment_edit_minutes} minutes after "
            "posting; this one no longer can."
        )
    return text, comment, author


def _poster(session: Session, user_id: int, now: datetime, *, lock: bool = True) -> User:
    """The author's row, locked until the transaction ends; refused when sanctioned."""
    user: User | None = _get(session, User, user_id, lock=lock)
    if user is None:
        raise NotAllowed("Sign in to comment.")
    refusal = posting_refusal(user, now)
    if refusal:
        raise NotAllowed(refusal)
    return user


def _check_target(session: Session, kind: str, target_id: int) -> None:
    if kind == "story" and valid_id(target_id):
        found = session.execute(
            select(Story.merged_into_id).where(Story.id == target_id)
        ).one_or_none()
        if found is not None and found.merged_into_id is not None:
            raise CommentNotFound(
                f"This story was merged into story {found.merged_into_id}; comment there."
            )
        exists = found is not None
    else:
        exists = target_exists(session, kind, target_id)
    if not exists:
        raise CommentNotFound(f"There is no {kind} {target_id} to comment on.")


def _parent(
    session: Session, parent_id: int | None, kind: str, target_id: int, user_id: int
) -> Comment | None:
    if parent_id is None:
        return None
    parent: Comment | None = _get(session, Comment, parent_id)
    if parent is None or (parent.target_kind, parent.target_id) != (kind, target_id):
        raise CommentNotFound("The comment you replied to is not in this thread.")
    if parent.status == "deleted":
        raise CommentError("The comment you replied to was deleted; reply to the thread instead.")
    if parent.status != "visible" and parent.user_id != user_id:
        raise CommentNotFound("The comment you replied to is not shown.")
    return parent


def _own_comment(session: Session, comment_id: int, user_id: int, *, lock: bool = True) -> Comment:
    comment: Comment | None = _get(session, Comment, comment_id, lock=lock)
    if comment is None or comment.status == "deleted":
        raise CommentNotFound("There is no such comment.")
    if comment.user_id != user_id:
        raise NotAllowed("Only its author can change a comment.")
    return comment


def _check_rate(session: Session, settings: Settings, user_id: int, now: datetime) -> None:
    """Refuse a comment past any ``COUNT/SECONDS`` window, saying when the next one may
    be posted: when the comment that filled the window ages out of it."""
    windows = parse_rate(settings.comment_rate)
    if not windows:
        return
    longest = max(seconds for _, seconds in windows)
    recent = session.scalars(
        select(Comment.created_at)
        .where(Comment.user_id == user_id, Comment.created_at > now - timedelta(seconds=longest))
        .order_by(Comment.created_at.desc())
        .limit(max(count for count, _ in windows))
    ).all()
    waits = [
        recent[count - 1] + timedelta(seconds=seconds) - now
        for count, seconds in windows
        if len(recent) >= count and recent[count - 1] > now - timedelta(seconds=seconds)
    ]
    if waits:
        raise RateLimited(max(1, math.ceil(max(waits).total_seconds())))


def _automod_author(
    session: Session,
    settings: Settings,
    user: User,
    now: datetime,
    leaving_out: int | None = None,
) -> Author:
    """What pre-moderation reads of ``user``'s latest comments (without the one edited)."""
    rows = session.execute(
        select(Comment.id, Comment.body, Comment.created_at)
        .where(Comment.user_id == user.id)
        .order_by(Comment.id.desc())
        .limit(RECENT_BODIES + 1)
    ).all()
    rows = [row for row in rows if row.id != leaving_out][:RECENT_BODIES]
    window = now - timedelta(hours=settings.automod_new_account_hours)
    hour = now - timedelta(hours=1)
    return Author(
        user_id=user.id,
        created_at=user.created_at,
        links_posted_recently=sum(
            1 for row in rows if row.created_at > window and comment_links(row.body)
        ),
        comments_last_hour=sum(1 for row in rows if row.created_at > hour),
        recent_bodies=tuple(row.body for row in rows if row.body),
    )


def _hold(session: Session, comment: Comment, reasons: Sequence[str], now: datetime) -> None:
    comment.status, comment.held_reasons = "held", list(reasons)
    session.add(
        ModerationAction(
            action="hold",
            moderator_id=None,
            comment_id=comment.id,
            user_id=comment.user_id,
            reason=" ".join(reasons),
            created_at=now,
        )
    )


def _excerpt(body: str) -> str:
    text = " ".join(comment_text(body).split())
    if len(text) <= _EXCERPT_CHARS:
        return text
    return text[: _EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _duration(seconds: int) -> str:
    if seconds < 90:
        return _plural(seconds, "second")
    if seconds < 90 * 60:
        return _plural(math.ceil(seconds / 60), "minute")
    return _plural(math.ceil(seconds / 3600), "hour")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


# Reading --------------------------------------------------------------------------------

# What arranging a thread needs of every comment on its target; the text and the rest
# (_THREAD_COLUMNS) are read only for the comments on the page shown.
_OUTLINE_COLUMNS = (
    Comment.id,
    Comment.parent_id,
    Comment.user_id,
    Comment.status,
    Comment.upvotes,
    Comment.downvotes,
)
_THREAD_COLUMNS = (
    Comment.id,
    Comment.parent_id,
    Comment.user_id,
    User.name.label("author"),
    Comment.html,
    Comment.status,
    # Only a held comment's reasons are shown; reading no others saves a JSON parse each.
    case((Comment.status == "held", Comment.held_reasons)).label("held_reasons"),
    Comment.score,
    Comment.upvotes,
    Comment.downvotes,
    Comment.created_at,
    Comment.edited_at,
)


def comment_thread(
    session: Session,
    target_kind: str,
    target_id: int,
    *,
    reader: Reader | None,
    sort: str = "oldest",
    now: datetime,
    edit_minutes: int,
    page: int = 1,
    per_page: int = THREAD_PAGE,
) -> dict[str, Any]:
    """The comments on a target as ``reader`` sees them: page ``page`` of the top-level
    comments in ``sort`` order (``best``: the Wilson lower bound of the votes, ties newest
    first), each with its replies under it, oldest first. ``count`` counts every comment
    the reader can read, on every page."""
    if sort not in SORTS:
        raise CommentError(f"Sort comments by one of: {', '.join(SORTS)}.")
    # Plain rows through the connection: the ORM's per-row bookkeeping is most of the cost
    # of reading hundreds of them, and none of it is needed here.
    connection = session.connection()
    rows: Sequence[_Row] = []
    if valid_id(target_id):  # else nothing is there to read
        rows = connection.execute(
            select(*_OUTLINE_COLUMNS)
            .where(Comment.target_kind == target_kind, Comment.target_id == target_id)
            .order_by(Comment.id)
        ).all()
    builder = _ThreadBuilder(rows, reader, {}, now, timedelta(minutes=edit_minutes))
    shown = builder.arrange(sort, page, per_page)
    if shown:
        builder.full = {
            row.id: row
            for row in connection.execute(
                select(*_THREAD_COLUMNS)
                .outerjoin(User, User.id == Comment.user_id)
                .where(Comment.id.in_(builder.subtree_ids(shown)))
            )
        }
        builder.votes = _votes(session, target_kind, target_id, reader)
        builder.notes = _notes(session, builder.hidden_ids())
    base = target_url(target_kind, target_id)
    comments = [builder.tree(top, 0, base) for top in shown]
    return {
        "target_kind": target_kind,
        "target_id": target_id,
        "sort": sort,
        "count": builder.count,
        "page": page,
        "pages": builder.pages,
        "comments": comments,
    }


def comment_view(
    session: Session, comment_id: int, *, reader: Reader | None, now: datetime, edit_minutes: int
) -> dict[str, Any] | None:
    """One comment as ``reader`` sees it, with its Markdown ``body`` when it is theirs
    (None when they may not see it)."""
    if not valid_id(comment_id):
        return None
    row = session.execute(
        select(*_THREAD_COLUMNS, Comment.target_kind, Comment.target_id, Comment.body)
        .outerjoin(User, User.id == Comment.user_id)
        .where(Comment.id == comment_id)
    ).one_or_none()
    if row is None:
        return None
    votes = _votes(session, row.target_kind, row.target_id, reader, only=comment_id)
    builder = _ThreadBuilder([row], reader, votes, now, timedelta(minutes=edit_minutes))
    builder.full = builder.rows
    if not builder.readable(row):
        return None
    builder.notes = _notes(session, builder.hidden_ids())
    view = builder.view(row, 0, target_url(row.target_kind, row.target_id))
    view.update(target_kind=row.target_kind, target_id=row.target_id)
    if view["mine"]:
        view["body"] = row.body
        view["editable_until"] = iso(row.created_at + timedelta(minutes=edit_minutes))
    return view


def wilson_lower_bound(up: int, down: int) -> float:
    """How good a comment surely is, given its votes: the lower end of the 95% interval
    of its share of upvotes, so that 1 up of 1 ranks below 90 up of 100."""
    total = up + down
    if total == 0:
        return 0.0
    share, z2 = up / total, _WILSON_Z * _WILSON_Z
    spread = _WILSON_Z * math.sqrt((share * (1 - share) + z2 / (4 * total)) / total)
    return (share + z2 / (2 * total) - spread) / (1 + z2 / total)


def _votes(
    session: Session, kind: str, target_id: int, reader: Reader | None, only: int | None = None
) -> dict[int, int]:
    if reader is None:
        return {}
    query = select(CommentVote.comment_id, CommentVote.value).where(
        CommentVote.user_id == reader.id
    )
    if only is not None:
        query = query.where(CommentVote.comment_id == only)
    else:
        query = query.join(Comment, Comment.id == CommentVote.comment_id).where(
            Comment.target_kind == kind, Comment.target_id == target_id
        )
    return {comment_id: value for comment_id, value in session.execute(query)}


def _notes(session: Session, hidden: list[int]) -> dict[int, str]:
    """What a moderator said when hiding each of these comments (the latest, if several)."""
    if not hidden:
        return {}
    rows = session.execute(
        select(ModerationAction.comment_id, ModerationAction.reason)
        .where(ModerationAction.comment_id.in_(hidden), ModerationAction.action == "hide")
        .order_by(ModerationAction.id)
    )
    return {comment_id: reason for comment_id, reason in rows if comment_id is not None}


class _ThreadBuilder:
    """Arranges a target's comment outlines (in id order) into the thread one reader sees,
    and makes the views of the comments on the page shown from their full rows."""

    def __init__(
        self,
        rows: Sequence[_Row],
        reader: Reader | None,
        votes: dict[int, int],
        now: datetime,
        edit_window: timedelta,
    ) -> None:
        self.rows = {row.id: row for row in rows}
        self.full: dict[int, _Row] = {}  # _THREAD_COLUMNS rows of the comments shown
        self.reader = reader
        self.votes = votes
        self.now = now
        self.edit_window = edit_window
        self.notes: dict[int, str] = {}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        self.count = 0
        self.pages = 1

    def readable(self, row: _Row) -> bool:
        """Whether the reader sees this comment's text: everyone a visible one; its
        author and moderators a held or hidden one; nobody a deleted one."""
        if row.status == "visible":
            return True
        if row.status == "deleted" or self.reader is None:
            return False
        return self.reader.moderator or row.user_id == self.reader.id

    def hidden_ids(self) -> list[int]:
        return [i for i, row in self.full.items() if row.status == "hidden" and self.readable(row)]

    def arrange(self, sort: str, page: int, per_page: int) -> list[int]:
        """Count what the reader can read, link replies to parents, and return the ids of
        the top-level comments on page ``page`` in ``sort`` order."""
        children = self.children
        for comment_id in reversed(self.rows):  # replies come after their parents
            row = self.rows[comment_id]
            readable = self.readable(row)
            self.count += readable
            if readable or children.get(comment_id):
                parent = row.parent_id if row.parent_id in self.rows else None
                children[parent].append(comment_id)
        for replies in children.values():
            replies.reverse()
        top = [self.rows[i] for i in children[None]]
        if sort == "newest":
            top.reverse()
        elif sort == "best":
            top.sort(key=lambda r: (wilson_lower_bound(r.upvotes, r.downvotes), r.id), reverse=True)
        self.pages = max(1, -(-len(top) // per_page))
        return [row.id for row in top[(page - 1) * per_page : page * per_page]]

    def subtree_ids(self, tops: Sequence[int]) -> list[int]:
        """These comments and every reply below them that the thread shows."""
        found, stack = [], list(tops)
        while stack:
            comment_id = stack.pop()
            found.append(comment_id)
            stack.extend(self.children.get(comment_id, ()))
        return found

    def tree(self, comment_id: int, depth: int, base: str) -> dict[str, Any]:
        view = self.view(self.full[comment_id], depth, base)
        if depth < MAX_DEPTH - 2:
            view["replies"] = [
                self.tree(reply, depth + 1, base) for reply in self.children.get(comment_id, ())
            ]
        else:
            view["replies"] = self._flattened(comment_id, depth + 1, base)
        return view

    def _flattened(self, top: int, depth: int, base: str) -> list[dict[str, Any]]:
        """Every reply below ``top``, in time order, at one level, each saying whom it
        answers when that is not ``top``."""
        flat = []
        for comment_id in sorted(self.subtree_ids(self.children.get(top, ()))):
            reply = self.full[comment_id]
            view = self.view(reply, depth, base)
            if reply.parent_id != top:
                parent = self.full[reply.parent_id]
                readable = self.readable(parent)
                view["reply_to"] = parent.author if readable else PLACEHOLDERS[parent.status]
            view["replies"] = []
            flat.append(view)
        return flat

    def view(self, row: _Row, depth: int, base: str) -> dict[str, Any]:
        comment_id, status = row.id, row.status
        view: dict[str, Any] = {
            "id": comment_id,
            "parent_id": row.parent_id,
            "depth": depth,
            "url": f"{base}#comment-{comment_id}",
            "status": status,
            "placeholder": None,
            "author": None,
            "mine": False,
            "html": "",
            "created_at": iso(row.created_at),
            "edited_at": None,
            "score": 0,
            "upvotes": 0,
            "downvotes": 0,
            "my_vote": 0,
            "can_edit": False,
            "held_reasons": [],
            "moderation_note": None,
            "reply_to": None,
        }
        if not self.readable(row):
            view["placeholder"] = PLACEHOLDERS[status]
            return view
        mine = self.reader is not None and row.user_id == self.reader.id
        view["author"], view["mine"], view["html"] = row.author, mine, row.html
        view["edited_at"] = iso(row.edited_at)
        view["score"], view["upvotes"], view["downvotes"] = row.score, row.upvotes, row.downvotes
        view["my_vote"] = self.votes.get(comment_id, 0)
        if status != "visible":  # held or hidden: read by its author and moderators only
            view["held_reasons"] = list(row.held_reasons or [])
            view["moderation_note"] = self.notes.get(comment_id)
        if mine and status != "hidden":
            view["can_edit"] = self.now <= row.created_at + self.edit_window
        return view
