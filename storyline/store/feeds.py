"""Feeds, their entries and their schedule state.

Work is handed out by leases: a row is claimed by setting ``lease_until`` in the future in
one short transaction, and only rows whose lease has expired can be claimed. A process that
dies mid-work leaves its lease to expire, and the work is claimed again: nothing is lost,
and since saving an article is idempotent, nothing is stored twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, and_, bindparam, false, func, or_, select, update
from sqlalchemy.orm import Session

from storyline.store.articles import ensure_source
from storyline.store.schema import Feed, FeedEntry


@dataclass(frozen=True)
class EntryRecord:
    """What the store keeps of a feed item until it becomes an article."""

    key: str
    url: str | None
    fingerprint: str
    payload: dict[str, Any]


def add_feed(
    session: Session,
    url: str,
    *,
    now: datetime,
    interval: int,
    title: str | None = None,
    folder: str | None = None,
    site_url: str | None = None,
    kind: str | None = None,
) -> tuple[Feed, bool]:
    """Subscribe to ``url`` (once: a second add returns the existing feed)."""
    existing = session.execute(select(Feed).where(Feed.url == url)).scalar_one_or_none()
    if existing is not None:
        if folder and not existing.folder:
            existing.folder = folder
        return existing, False
    feed = Feed(
        source_id=ensure_source(session, "feed", url),
        url=url,
        title=title,
        folder=folder,
        site_url=site_url,
        kind=kind,
        state="active",
        interval_seconds=interval,
        next_check_at=now,
        consecutive_failures=0,
        articles_total=0,
        articles_per_day=0.0,
        created_at=now,
    )
    session.add(feed)
    session.flush()
    return feed, True


def list_feeds(session: Session) -> list[Feed]:
    return list(session.execute(select(Feed).order_by(Feed.folder, Feed.title, Feed.id)).scalars())


def get_feed(session: Session, feed_id: int) -> Feed | None:
    return session.get(Feed, feed_id)


def reserve_due_feeds(
    session: Session, now: datetime, lease: timedelta, limit: int = 100
) -> list[tuple[int, str]]:
    """Reserve active feeds whose check is due and not in flight; returns (id, token)."""
    query = (
        select(Feed)
        .where(
            Feed.state == "active",
            Feed.next_check_at <= now,
            or_(Feed.lease_until.is_(None), Feed.lease_until < now),
        )
        .order_by(Feed.next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    reserved = []
    for feed in session.execute(query).scalars():
        feed.lease_until = now + lease
        feed.lease_token = new_token()
        reserved.append((feed.id, feed.lease_token))
    return reserved


def has_work(session: Session, now: datetime) -> bool:
    """Whether any feed is due or any entry waits unleased (read only, two index probes)."""
    due = select(Feed.id).where(
        Feed.state == "active",
        Feed.next_check_at <= now,
        or_(Feed.lease_until.is_(None), Feed.lease_until < now),
    )
    waiting = select(FeedEntry.id).where(
        FeedEntry.status == "pending",
        or_(FeedEntry.lease_until.is_(None), FeedEntry.lease_until < now),
    )
    return any(session.execute(query.limit(1)).first() for query in (due, waiting))


def claim_feed(
    session: Session, feed_id: int, now: datetime, lease: timedelta, token: str | None = None
) -> Feed | None:
    """Take the lease on a feed: with the token it was reserved under, or when no lease is in
    force. None when another worker holds it, or the feed is paused or gone."""
    held_by_us = Feed.lease_token == token if token else false()
    claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Feed)
        .where(
            Feed.id == feed_id,
            Feed.state == "active",
            or_(held_by_us, Feed.lease_until.is_(None), Feed.lease_until < now),
        )
        .values(lease_until=now + lease, lease_token=token or new_token())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    return session.get(Feed, feed_id, populate_existing=True)


def store_entries(
    session: Session, feed_id: int, entries: Iterable[EntryRecord], now: datetime
) -> int:
    """Keep new items, and reopen items that changed; returns how many need work."""
    touched = 0
    for entry in entries:
        row = session.execute(
            select(FeedEntry).where(FeedEntry.feed_id == feed_id, FeedEntry.entry_key == entry.key)
        ).scalar_one_or_none()
        if row is None:
            session.add(
                FeedEntry(
                    feed_id=feed_id,
                    entry_key=entry.key,
                    url=entry.url,
                    fingerprint=entry.fingerprint,
                    payload=entry.payload,
                    status="pending",
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            touched += 1
        elif row.fingerprint != entry.fingerprint:
            row.fingerprint = entry.fingerprint
            row.payload = entry.payload
            row.url = entry.url
            row.status = "pending"
            row.attempts = 0
            row.lease_until = None
            row.updated_at = now
            touched += 1
    session.flush()
    return touched


def record_check_success(
    feed: Feed,
    *,
    now: datetime,
    articles_per_day: float,
    next_interval: int,
    etag: str | None,
    last_modified: str | None,
    final_url: str | None,
    details: dict[str, Any],
) -> None:
    feed.etag = etag
    feed.last_modified = last_modified
    feed.final_url = final_url
    for key, value in details.items():
        if value and not getattr(feed, key):
            setattr(feed, key, value)
    feed.last_checked_at = now
    feed.last_success_at = now
    feed.consecutive_failures = 0
    feed.interval_seconds = next_interval
    feed.next_check_at = now + timedelta(seconds=next_interval)
    feed.lease_until = None
    feed.articles_per_day = articles_per_day


def record_check_failure(
    feed: Feed, *, now: datetime, reason: str, delay: int, max_failures: int
) -> None:
    feed.last_checked_at = now
    feed.last_error = reason
    feed.last_error_at = now
    feed.consecutive_failures += 1
    feed.next_check_at = now + timedelta(seconds=delay)
    feed.lease_until = None
    if feed.consecutive_failures >= max_failures:
        feed.state = "paused"
        feed.paused_reason = f"paused after {feed.consecutive_failures} failures in a row: {reason}"


def set_feed_state(session: Session, feed_id: int, *, paused: bool, now: datetime) -> Feed | None:
    feed = session.get(Feed, feed_id)
    if feed is None:
        return None
    if paused:
        feed.state = "paused"
        feed.paused_reason = "paused by the operator"
    else:
        feed.state = "active"
        feed.paused_reason = None
        feed.consecutive_failures = 0
        feed.next_check_at = now
        feed.lease_until = None
    return feed


def delete_feed(session: Session, feed_id: int) -> bool:
    feed = session.get(Feed, feed_id)
    if feed is None:
        return False
    session.delete(feed)
    return True


def entries_per_day(session: Session, feed_id: int, now: datetime) -> float:
    week_ago = now - timedelta(days=7)
    count = session.execute(
        select(func.count(FeedEntry.id)).where(
            FeedEntry.feed_id == feed_id, FeedEntry.created_at >= week_ago
        )
    ).scalar_one()
    return round(count / 7, 2)


def reserve_pending_entries(
    session: Session,
    now: datetime,
    lease: timedelta,
    *,
    feed_id: int | None = None,
    limit: int = 500,
) -> list[tuple[int, str]]:
    """Reserve entries waiting for work whose lease (if any) expired; returns (id, token)."""
    query = select(FeedEntry).where(
        FeedEntry.status == "pending",
        or_(FeedEntry.lease_until.is_(None), FeedEntry.lease_until < now),
    )
    if feed_id is not None:
        query = query.where(FeedEntry.feed_id == feed_id)
    query = query.order_by(FeedEntry.id).limit(limit).with_for_update(skip_locked=True)
    reserved = []
    for entry in session.execute(query).scalars():
        entry.lease_until = now + lease
        entry.lease_token = new_token()
        reserved.append((entry.id, entry.lease_token))
    return reserved


@dataclass(frozen=True)
class ClaimedEntry:
    """An entry this worker may work on, with what processing it needs of its feed."""

    id: int
    entry_key: str
    url: str | None
    payload: dict[str, Any]
    attempts: int
    article_id: int | None
    feed_url: str
    feed_title: str | None


# The statements of processing an entry, built once and run with parameters: one entry
# and its feed's address and title; the same, only while held under a lease token; done.
_ENTRY = (
    select(
        FeedEntry.id,
        FeedEntry.entry_key,
        FeedEntry.url,
        FeedEntry.payload,
        FeedEntry.attempts,
        FeedEntry.article_id,
        Feed.url,
        Feed.title,
    )
    .join(Feed, Feed.id == FeedEntry.feed_id)
    .where(FeedEntry.id == bindparam("entry_id"))
)
_HELD_ENTRY = _ENTRY.where(
    FeedEntry.status == "pending",
    FeedEntry.lease_token == bindparam("token"),
    FeedEntry.lease_until >= bindparam("now"),
)
_FINISH_ENTRY = (
    update(FeedEntry)
    .where(FeedEntry.id == bindparam("entry_id"))
    .values(
        status="done",
        article_id=bindparam("article_id"),
        lease_until=None,
        updated_at=bindparam("updated_at"),
        last_error=None,
    )
    .execution_options(synchronize_session=False)
)


def claim_entry(
    session: Session, entry_id: int, now: datetime, lease: timedelta, token: str | None = None
) -> ClaimedEntry | None:
    """The entry, when this worker may work on it: reserved under ``token`` and still
    leased (a read: the reservation already wrote the lease), or, without a token, pending
    with no lease in force (then the lease is taken here). None otherwise.

    One query reads the entry and its feed's address and title, as plain columns.
    """
    if token:
        query, parameters = _HELD_ENTRY, {"entry_id": entry_id, "token": token, "now": now}
    else:
        claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(FeedEntry)
            .where(
                FeedEntry.id == entry_id,
                FeedEntry.status == "pending",
                or_(FeedEntry.lease_until.is_(None), FeedEntry.lease_until < now),
            )
            .values(lease_until=now + lease, lease_token=new_token())
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return None
        query, parameters = _ENTRY, {"entry_id": entry_id}
    row = session.execute(query, parameters).first()
    return ClaimedEntry(*row) if row is not None else None


def finish_entry(session: Session, entry_id: int, article_id: int, now: datetime) -> None:
    session.execute(
        _FINISH_ENTRY, {"entry_id": entry_id, "article_id": article_id, "updated_at": now}
    )


def fail_entry(
    session: Session, entry_id: int, reason: str, now: datetime, *, retry_in: timedelta | None
) -> None:
    """Record a failure; the entry is retried after ``retry_in``, or given up when None."""
    values: dict[str, Any] = {
        "last_error": reason,
        "updated_at": now,
        "attempts": FeedEntry.attempts + 1,  # failures so far
    }
    if retry_in is None:
        values.update(status="failed", lease_until=None)
    else:
        values.update(lease_until=now + retry_in)
    session.execute(
        update(FeedEntry)
        .where(FeedEntry.id == entry_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def count_entries(session: Session, status: str) -> int:
    return session.execute(
        select(func.count(FeedEntry.id)).where(FeedEntry.status == status)
    ).scalar_one()


def failing_feeds(session: Session) -> Sequence[Feed]:
    return list(
        session.execute(
            select(Feed)
            .where(
                or_(
                    Feed.consecutive_failures > 0,
                    and_(Feed.state == "paused", Feed.paused_reason.is_not(None)),
                )
            )
            .order_by(Feed.consecutive_failures.desc())
        ).scalars()
    )


def new_token() -> str:
    return secrets.token_hex(16)
