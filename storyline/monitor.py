"""The JSON shapes of the crawl's state: feeds and the status of background work.

Shared by the feeds page, ``/api/feeds``, ``/api/status`` and the CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from storyline.settings import Settings
from storyline.store import Database
from storyline.store.feeds import count_entries, failing_feeds
from storyline.store.schema import Feed, Worker
from storyline.views import iso
from storyline.worker import alive_since, make_queue


def feed_view(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "final_url": feed.final_url,
        "kind": feed.kind,
        "title": feed.title,
        "site_url": feed.site_url,
        "folder": feed.folder,
        "state": feed.state,
        "paused_reason": feed.paused_reason,
        "last_checked_at": iso(feed.last_checked_at),
        "last_success_at": iso(feed.last_success_at),
        "last_error": feed.last_error,
        "last_error_at": iso(feed.last_error_at),
        "consecutive_failures": feed.consecutive_failures,
        "next_check_at": iso(feed.next_check_at),
        "interval_seconds": feed.interval_seconds,
        "articles_per_day": feed.articles_per_day,
    }


def status_view(settings: Settings, database: Database) -> dict[str, Any]:
    """Queue depth, live workers and failing feeds: ``storyline status`` and ``/api/status``."""
    now = datetime.now(UTC)
    queue = make_queue(settings)
    try:
        jobs = queue.pending_count() + queue.scheduled_count()
    finally:
        queue.storage.close()
    with database.read() as session:
        due = session.execute(
            select(func.count(Feed.id)).where(Feed.state == "active", Feed.next_check_at <= now)
        ).scalar_one()
        workers = session.execute(
            select(Worker).where(Worker.last_seen_at >= alive_since(settings)).order_by(Worker.id)
        ).scalars()
        return {
            "queue": {
                "jobs": jobs,
                "due_feeds": due,
                "pending_entries": count_entries(session, "pending"),
                "failed_entries": count_entries(session, "failed"),
            },
            "workers": [
                {
                    "id": w.id,
                    "hostname": w.hostname,
                    "pid": w.pid,
                    "role": w.role,
                    "started_at": iso(w.started_at),
                    "last_seen_at": iso(w.last_seen_at),
                }
                for w in workers
            ],
            "failing_feeds": [feed_view(feed) for feed in failing_feeds(session)],
        }
