"""Notifications: what a reader is told, once, in the bell menu (and in their digest).

Three kinds arrive (:data:`NOTIFICATION_KINDS`): a ``development`` of a story or storyline
the reader follows, a ``reply`` to their comment and a ``moderation`` decision about their
comment or account. A reader switches a kind off in ``preferences["notify"]``. Every
notification has a ``key`` naming its cause, unique per reader, so however often a cause
is seen it reaches a reader once.

A reply's notification quotes the reply when it is made; once the reply is deleted, hidden
or held, :func:`list_notifications` shows it without the quote, so that the text does not
outlive the comment in the bell menu.

Developments are recorded while articles are placed
(:mod:`storyline.readers.developments`); a background job fans them out to followers in
id order, a batch at a time (:func:`fan_out_developments`). How far it has gone is a
watermark in the ``meta`` table, read under a row lock and advanced in the same
transaction as the notifications it covers, so two workers fanning out at once take turns
and neither repeats the other's work. Followers of a story that was merged into another
hear about the survivor too, and a reader's mutes silence the developments they match, as
they hide stories in the personal feed (:mod:`storyline.readers.feed`): a muted story or
storyline (merges followed either way), a muted word in the development's text (both
case-folded, so a muted "Straße", stored as "strasse", matches "STRASSE" and "Straße"),
and a muted outlet, hashtag or entity (with those merged into it) on the development's
article.

A development's notification key is its id and its ``created_at``: on SQLite a rebuild
deletes developments and their ids are given out again, and a key of the id alone would
make a new development look told to everyone told of the old one with that id.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, aliased

from storyline.store.articles import insert_ignore
from storyline.store.schema import (
    Article,
    ArticleEntity,
    ArticleHashtag,
    Comment,
    Entity,
    Follow,
    Hashtag,
    Meta,
    Notification,
    Outlet,
    Story,
    StoryDevelopment,
    Storyline,
    User,
)
from storyline.understand.hashtags import hashtag_key
from storyline.views import iso

NOTIFICATION_KINDS = ("development", "reply", "moderation")
# What the settings page says of each kind.
NOTIFICATION_LABELS = {
    "development": "Something new in a story or storyline you follow",
    "reply": "A reply to one of your comments",
    "moderation": "A moderator's decision about your comment or account",
}
# The highest development id fanned out, in ``meta``.
WATERMARK = "notifications.developments_watermark"
# Developments fanned out per job: the job is one transaction, kept short.
FAN_OUT_LIMIT = 500
# What a reply's notification says, by the reply's status, once the reply is not there to
# read: its quote would otherwise outlive it. (Comment rows are never removed, only
# emptied, so every reply has a status to look up.)
WITHDRAWN_REPLY = {
    "deleted": "A reply to your comment was deleted.",
    "hidden": "A reply to your comment was hidden by a moderator.",
    "held": "A reply to your comment is waiting for a moderator.",
}
_REPLY_KEY = re.compile(r"reply:(\d+)")


def wants(preferences: dict[str, Any] | None, kind: str) -> bool:
    """Whether a reader with these ``preferences`` has ``kind`` switched on (every kind
    is, until switched off)."""
    chosen = (preferences or {}).get("notify")
    return not isinstance(chosen, dict) or bool(chosen.get(kind, True))


def notify(
    session: Session, user_id: int, *, kind: str, key: str, text: str, url: str, now: datetime
) -> bool:
    """Tell reader ``user_id`` something, unless they switched ``kind`` off or were already
    told about ``key``; returns whether a notification was added."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: one of {NOTIFICATION_KINDS}")
    user = session.get(User, user_id)
    if user is None or not wants(user.preferences, kind):
        return False
    told = session.execute(
        select(Notification.id).where(Notification.user_id == user_id, Notification.key == key)
    ).first()
    if told is not None:
        return False
    _add(session, user_id, kind=kind, key=key, text=text, url=url, now=now)
    return True


def open_notification(
    session: Session, user_id: int, notification_id: int, now: datetime
) -> str | None:
    """Mark one of the reader's notifications read and give where it leads (None: not
    theirs, or no such notification)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        return None
    if row.read_at is None:
        row.read_at = now
    return row.url


def unread_count(session: Session, user_id: int) -> int:
    query = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(session.execute(query).scalar_one())


def list_notifications(
    session: Session, user_id: int, *, limit: int = 50, before_id: int | None = None
) -> list[dict[str, Any]]:
    """The reader's notifications, newest first; ``before_id`` pages back past an id. A
    reply that is no longer visible is told without its quote (:data:`WITHDRAWN_REPLY`)."""
    query = select(Notification).where(Notification.user_id == user_id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    rows = list(session.execute(query.order_by(Notification.id.desc()).limit(limit)).scalars())
    withdrawn = _withdrawn_replies(session, rows)
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "text": withdrawn.get(row.id, row.text),
            "url": row.url,
            "created_at": iso(row.created_at),
            "read": row.read_at is not None,
        }
        for row in rows
    ]


def shown_texts(session: Session, rows: Sequence[Notification]) -> list[str]:
    """What each of ``rows`` says to its reader now: a reply since withdrawn is told
    without its quote, in the list and in the reader's data export alike."""
    withdrawn = _withdrawn_replies(session, rows)
    return [withdrawn.get(row.id, row.text) for row in rows]


def _withdrawn_replies(session: Session, rows: Sequence[Notification]) -> dict[int, str]:
    """Notification id -> what it says instead, for the replies among ``rows`` that were
    deleted, hidden or held since (one query for the page)."""
    replies: dict[int, int] = {}
    for row in rows:
        found = _REPLY_KEY.fullmatch(row.key) if row.kind == "reply" else None
        if found is not None:
            replies[row.id] = int(found.group(1))
    if not replies:
        return {}
    statuses = dict(
        session.execute(
            select(Comment.id, Comment.status).where(Comment.id.in_(set(replies.values())))
        ).all()
    )
    return {
        notification_id: WITHDRAWN_REPLY[statuses[comment_id]]
        for notification_id, comment_id in replies.items()
        if statuses.get(comment_id) in WITHDRAWN_REPLY
    }


def mark_read(session: Session, user_id: int, ids: Sequence[int] | None, now: datetime) -> int:
    """Mark the reader's notifications ``ids`` read (``None``: all of them); returns how
    many were unread."""
    statement = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    marked: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        statement.execution_options(synchronize_session=False)
    )
    return marked.rowcount


# --- Fanning out developments -------------------------------------------------------------


def has_developments_to_fan_out(session: Session) -> bool:
    """Whether developments wait past the watermark: a cheap read before any write."""
    mark = session.execute(select(Meta.value).where(Meta.key == WATERMARK)).scalar_one_or_none()
    waiting = session.execute(
        select(StoryDevelopment.id).where(StoryDevelopment.id > int(mark or 0)).limit(1)
    ).first()
    return waiting is not None


def fan_out_developments(session: Session, now: datetime, limit: int = FAN_OUT_LIMIT) -> int:
    """Notify the followers of the next ``limit`` developments past the watermark, and
    move the watermark past them; returns how many notifications were added.

    Development ids commit in order (:func:`storyline.readers.developments.lock_developments`),
    so none appears below the watermark after it has moved on.
    """
    watermark = _hold_watermark(session)
    developments = list(
        session.execute(
            select(StoryDevelopment)
            .where(StoryDevelopment.id > watermark)
            .order_by(StoryDevelopment.id)
            .limit(limit)
        ).scalars()
    )
    if not developments:
        return 0
    context = _context(session, developments)
    audience, readers = _audience(session, developments, context)
    # Nobody has been told of a development past the watermark yet, so every row is new;
    # the insert still ignores one that is not.
    added = 0
    for development in developments:
        for user_id in sorted(audience[development.id]):
            reader = readers[user_id]
            if not reader.wants_developments or reader.mutes(development, context):
                continue
            _add(
                session,
                user_id,
                kind="development",
                key=development_key(development),
                text=development.text,
                url=f"/stories/{development.story_id}",
                now=now,
            )
            added += 1
    session.execute(
        update(Meta).where(Meta.key == WATERMARK).values(value=str(developments[-1].id))
    )
    return added


def development_key(development: StoryDevelopment) -> str:
    """The key of a development's notifications: ``development:<id>:<created_at>``. The
    id alone is not enough, for SQLite gives the ids of deleted developments out again
    (``storyline stories --rebuild``); the moment it was recorded tells the new one from
    the old, and is the same however often one development is fanned out."""
    made = development.created_at.astimezone(UTC)
    return f"development:{development.id}:{made:%Y%m%dT%H%M%S.%fZ}"


def skip_fan_out(session: Session) -> None:
    """Count every development recorded so far as told. ``storyline stories --rebuild``
    calls it after placing the whole corpus again: what the rebuild records is history,
    not news, and on SQLite the new ids may start below the old watermark."""
    _hold_watermark(session)
    latest = session.scalar(select(func.max(StoryDevelopment.id))) or 0
    session.execute(update(Meta).where(Meta.key == WATERMARK).values(value=str(latest)))


def _hold_watermark(session: Session) -> int:
    """The watermark, its row locked until the transaction ends (made at 0 if new)."""
    insert_ignore(session, Meta, {"key": WATERMARK, "value": "0"}, ["key"])
    value = session.execute(
        select(Meta.value).where(Meta.key == WATERMARK).with_for_update()
    ).scalar_one()
    return int(value)


@dataclass
class _Context:
    """What mutes are matched against, besides a development's text: the stories and
    storylines that read as its own (merges), and its article's outlet, hashtags and
    entities."""

    stories: dict[int, set[int]] = field(default_factory=dict)  # see _families
    storylines: dict[int, set[int]] = field(default_factory=dict)
    outlets: dict[int, str] = field(default_factory=dict)  # article id -> outlet slug
    hashtags: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    entities: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))


@dataclass
class _Reader:
    """A follower, as far as fanning out needs them."""

    wants_developments: bool
    muted: list[tuple[str, str]] = field(default_factory=list)  # (kind, target)
    # The muted entities with every entity merged into them (an article keeps the ids
    # its analysis gave), as the feed resolves them.
    muted_entities: set[int] = field(default_factory=set)

    def mutes(self, development: StoryDevelopment, context: _Context) -> bool:
        article = development.article_id
        # Word mutes are stored case-folded ("Straße" as "strasse"): the text is folded
        # too, for lower() leaves "Straße" as it is and the mute would never match.
        wording = development.text.casefold()
        stories = context.stories.get(development.story_id, set())
        lines = context.storylines.get(development.storyline_id or 0, set())
        for kind, target in self.muted:
            if kind == "word" and _word_in(target, wording):
                return True
            if kind == "story" and _as_id(target) in stories:
                return True
            if kind == "storyline" and _as_id(target) in lines:
                return True
            if article is None:
                continue
            if kind == "outlet" and context.outlets.get(article) == target:
                return True
            if kind == "hashtag" and hashtag_key(target) in context.hashtags[article]:
                return True
        return article is not None and not self.muted_entities.isdisjoint(context.entities[article])


def _word_in(word: str, wording: str) -> bool:
    """Whether the muted ``word`` stands as a whole word in ``wording`` (case-folded)."""
    return re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", wording) is not None


def _as_id(target: str) -> int | None:
    """A story, storyline or entity target as its id (None: not a number)."""
    return int(target) if target.isascii() and target.isdigit() else None


def _audience(
    session: Session, developments: Sequence[StoryDevelopment], context: _Context
) -> tuple[dict[int, set[int]], dict[int, _Reader]]:
    """Development id -> the ids of the readers who follow its story or storyline (or
    one merged into it), and those readers' preferences and mutes."""
    stories, lines = context.stories, context.storylines
    follow = aliased(Follow)
    following = select(follow.user_id, follow.kind, follow.target, follow.created_at).where(
        follow.mode == "follow",
        or_(
            and_(follow.kind == "story", follow.target.in_(_targets(stories))),
            and_(follow.kind == "storyline", follow.target.in_(_targets(lines))),
        ),
    )
    # Who follows what, since when: a development recorded before a reader followed is
    # not news to them (the story page showed it when they chose to follow).
    followers: dict[tuple[str, str], dict[int, datetime]] = defaultdict(dict)
    readers: dict[int, _Reader] = {}
    for user_id, kind, target, since, preferences in session.execute(
        following.add_columns(User.preferences).join(User, User.id == follow.user_id)
    ):
        followers[(kind, target)][user_id] = since
        readers[user_id] = _Reader(wants(preferences, "development"))
    mutes = select(Follow.user_id, Follow.kind, Follow.target).where(
        Follow.mode == "mute",
        Follow.user_id.in_(following.with_only_columns(follow.user_id)),
    )
    muted_entities: dict[int, set[int]] = defaultdict(set)
    for user_id, kind, target in session.execute(mutes):
        readers[user_id].muted.append((kind, target))
        if kind == "entity" and (entity_id := _as_id(target)) is not None:
            muted_entities[entity_id].add(user_id)
    for entity_id, members in _families(session, Entity, muted_entities).items():
        for user_id in muted_entities[entity_id]:
            readers[user_id].muted_entities |= members
    audience: dict[int, set[int]] = {}
    for development in developments:
        keys = [("story", str(story_id)) for story_id in stories[development.story_id]]
        if development.storyline_id is not None:
            keys += [("storyline", str(line)) for line in lines[development.storyline_id]]
        audience[development.id] = {
            user_id
            for key in keys
            for user_id, since in followers.get(key, {}).items()
            if since <= development.created_at
        }
    return audience, readers


def _families(session: Session, model: Any, ids: Iterable[int]) -> dict[int, set[int]]:
    """For each story (or storyline) id: the ids that now read as the same one, that is
    the one it was merged into, if any, and every one merged into that. Merges keep
    ``merged_into_id`` one level deep, so one step each way finds them all."""
    wanted = set(ids)
    if not wanted:
        return {}
    live = {
        row_id: merged_into or row_id
        for row_id, merged_into in session.execute(
            select(model.id, model.merged_into_id).where(model.id.in_(wanted))
        )
    }
    merged: dict[int, set[int]] = defaultdict(set)
    for row_id, merged_into in session.execute(
        select(model.id, model.merged_into_id).where(model.merged_into_id.in_(set(live.values())))
    ):
        merged[merged_into].add(row_id)
    return {
        row_id: {live.get(row_id, row_id), row_id} | merged[live.get(row_id, row_id)]
        for row_id in wanted
    }


def _targets(families: dict[int, set[int]]) -> list[str]:
    return sorted({str(member) for family in families.values() for member in family})


def _context(session: Session, developments: Sequence[StoryDevelopment]) -> _Context:
    context = _Context(
        stories=_families(session, Story, {d.story_id for d in developments}),
        storylines=_families(
            session, Storyline, {d.storyline_id for d in developments if d.storyline_id}
        ),
    )
    articles = {d.article_id for d in developments if d.article_id is not None}
    if not articles:
        return context
    context.outlets = dict(
        session.execute(
            select(Article.id, Outlet.slug)
            .join(Outlet, Outlet.id == Article.outlet_id)
            .where(Article.id.in_(articles))
        ).all()
    )
    for article_id, key in session.execute(
        select(ArticleHashtag.article_id, Hashtag.key)
        .join(Hashtag, Hashtag.id == ArticleHashtag.hashtag_id)
        .where(ArticleHashtag.article_id.in_(articles))
    ):
        context.hashtags[article_id].add(key)
    for article_id, entity_id in session.execute(
        select(ArticleEntity.article_id, ArticleEntity.entity_id).where(
            ArticleEntity.article_id.in_(articles)
        )
    ):
        context.entities[article_id].add(entity_id)
    return context


def _add(
    session: Session, user_id: int, *, kind: str, key: str, text: str, url: str, now: datetime
) -> None:
    insert_ignore(
        session,
        Notification,
        {"user_id": user_id, "key": key, "kind": kind, "text": text, "url": url, "created_at": now},
        ["user_id", "key"],
    )
