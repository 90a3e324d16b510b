"""Checking feeds and turning their items into stored articles.

Two units of work, each safe to redo:

``check_feed(feed_id)``
    1. claim the feed's lease (another worker holding it means there is nothing to do);
    2. obey robots.txt and wait for the host's turn;
    3. fetch it with a conditional GET;
    4. parse it (RSS, Atom, JSON Feed, news sitemap; or extract a single page);
    5. in one transaction, keep its items as pending entries and record the feed's new
       state: validators, final URL, next check (adaptive), or the error and a back-off.

``process_entry(entry_id)``
    1. claim the entry's lease;
    2. when the article is already stored from another feed, only record this source
       (every URL is fetched once, however many feeds carry it);
    3. when the item carries only a summary, fetch the page and extract the full text,
       keeping the feed's text, with a note saying so, when that fails;
    4. clean the draft;
    5. in one transaction, save the article (new, revised or unchanged) and mark the entry done.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select

from storyline.clean import clean_article
from storyline.crawl.drafts import draft_from_entry, entry_record, page_entry
from storyline.crawl.parsing import PARSING
from storyline.crawl.politeness import HostGate, RobotsDisallowed, RobotsRules
from storyline.crawl.schedule import failure_delay, next_interval
from storyline.extract import extract_article
from storyline.feeds import FeedParseError, parse_feed
from storyline.fetch import Fetcher, FetchError, FetchPolicy, Response
from storyline.settings import Settings
from storyline.store import Database, add_article_source, save_article
from storyline.store.feeds import (
    ClaimedEntry,
    EntryRecord,
    claim_entry,
    claim_feed,
    entries_per_day,
    fail_entry,
    finish_entry,
    get_feed,
    record_check_failure,
    record_check_success,
    reserve_pending_entries,
    store_entries,
)
from storyline.store.schema import Article

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
ENTRY_ATTEMPTS = 5
# The article stored under an address, if any: built once, run with the address.
_ARTICLE_AT = select(Article.id).where(Article.canonical_url == bindparam("url"))


@dataclass(frozen=True)
class CheckOutcome:
    feed_id: int
    status: str  # checked, not-modified, failed, skipped
    changed: int = 0  # items new or changed in this check
    reason: str | None = None
    # Entries reserved for processing, as (entry id, lease token): the caller queues them.
    entries: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class EntryOutcome:
    entry_id: int
    status: str  # stored, skipped, retry, failed
    article_id: int | None = None
    reason: str | None = None


class Crawler:
    """What a worker process needs to check feeds; one per process, shared by its threads."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        policy = FetchPolicy.from_settings(settings)
        self.fetcher = Fetcher(policy)
        self.gate = HostGate(
            database, delay=settings.host_delay, concurrency=settings.host_concurrency
        )
        self.robots = RobotsRules(database, self.fetcher, policy.user_agent)
        self.lease = timedelta(seconds=settings.lease_seconds)

    def close(self) -> None:
        self.fetcher.close()

    def check_feed(self, feed_id: int, token: str | None = None) -> CheckOutcome:
        now = datetime.now(UTC)
        with self.database.write() as session:
            feed = claim_feed(session, feed_id, now, self.lease, token)
            if feed is None:
                return CheckOutcome(feed_id, "skipped", reason="in flight elsewhere or paused")
            url, kind = feed.final_url or feed.url, feed.kind
            etag, last_modified = feed.etag, feed.last_modified
        try:
            self.robots.check(url)
            with self.gate.turn(url):
                response = self.fetcher.get(
                    url,
                    etag=etag,
                    last_modified=last_modified,
                    accept=PAGE_ACCEPT if kind == "page" else FEED_ACCEPT,
                )
            if response.not_modified:
                return self._succeeded(feed_id, [], None, {})
            with PARSING:
                records, details = _read_items(response, kind)
            return self._succeeded(feed_id, records, response, details)
        except (FetchError, FeedParseError, RobotsDisallowed, ValueError) as error:
            return self._failed(feed_id, error)

    def _succeeded(
        self,
        feed_id: int,
        records: list[EntryRecord],
        response: Response | None,
        details: dict[str, Any],
    ) -> CheckOutcome:
        """Keep the items and the feed's new state; ``response`` is None when not modified."""
        now = datetime.now(UTC)
        with self.database.write() as session:
            feed = get_feed(session, feed_id)
            if feed is None:
                return CheckOutcome(feed_id, "skipped", reason="feed was deleted")
            changed = store_entries(session, feed_id, records, now)
            per_day = entries_per_day(session, feed_id, now)
            record_check_success(
                feed,
                now=now,
                articles_per_day=per_day,
                next_interval=next_interval(
                    per_day,
                    minimum=self.settings.feed_min_interval,
                    maximum=self.settings.feed_max_interval,
                ),
                etag=response.etag if response else feed.etag,
                last_modified=response.last_modified if response else feed.last_modified,
                final_url=response.final_url if response else feed.final_url,
                details=details,
            )
            entries = reserve_pending_entries(session, now, self.lease, feed_id=feed_id)
        status = "checked" if response else "not-modified"
        return CheckOutcome(feed_id, status, changed=changed, entries=tuple(entries))

    def _failed(self, feed_id: int, error: Exception) -> CheckOutcome:
        now = datetime.now(UTC)
        reason = _describe(error)
        retry_after = error.retry_after if isinstance(error, FetchError) else None
        with self.database.write() as session:
            feed = get_feed(session, feed_id)
            if feed is None:
                return CheckOutcome(feed_id, "skipped", reason="feed was deleted")
            delay = failure_delay(
                feed.consecutive_failures + 1,
                minimum=self.settings.feed_min_interval,
                maximum=self.settings.feed_max_interval,
                retry_after=retry_after,
            )
            record_check_failure(
                feed,
                now=now,
                reason=reason,
                delay=delay,
                max_failures=self.settings.feed_max_failures,
            )
        log.info("feed %s failed: %s", feed_id, reason)
        return CheckOutcome(feed_id, "failed", reason=reason)

    def process_entry(self, entry_id: int, token: str | None = None) -> EntryOutcome:
        now = datetime.now(UTC)
        # An entry reserved under ``token`` is checked with a read; only an unreserved one
        # needs a write to take its lease (fewer write transactions, less lock contention).
        opened = self.database.read() if token else self.database.write()
        with opened as session:
            entry = claim_entry(session, entry_id, now, self.lease, token)
            if entry is None:
                return EntryOutcome(entry_id, "skipped", reason="done or in flight elsewhere")
            # A new entry's article may be stored already; a revised entry's is known.
            stored_id = (
                _stored_article_id(session, entry.url)
                if entry.url and entry.article_id is None
                else None
            )
        try:
            if stored_id is not None:
                # Already fetched through another feed: record this one as a source too.
                with self.database.write() as session:
                    add_article_source(
                        session, stored_id, "feed", entry.feed_url, entry.entry_key, now
                    )
                    finish_entry(session, entry_id, stored_id, now)
                return EntryOutcome(entry_id, "stored", stored_id, "already stored")
            return self._store_article(entry)
        except Exception as error:  # any failure is recorded, never left to the lease
            # Left to itself, the entry would wait out its lease (five minutes) and then be
            # retried without end; recorded, it is retried soon and given up after a few.
            log.exception("entry %s failed", entry_id)
            return self._entry_failed(entry_id, entry.attempts + 1, error, retryable=True)

    def _store_article(self, entry: ClaimedEntry) -> EntryOutcome:
        """Fetch the entry's page when it needs one, clean the draft, and store it."""
        try:
            draft = draft_from_entry(
                dict(entry.payload),
                entry.url,
                entry.feed_title,
                self._fetch_page,
                last_attempt=entry.attempts + 1 >= ENTRY_ATTEMPTS,
            )
        except (FetchError, ValueError) as error:
            return self._entry_failed(entry.id, entry.attempts + 1, error)
        draft = clean_article(draft)
        with self.database.write() as session:
            result = save_article(
                session,
                draft,
                source_kind="feed",
                source_locator=entry.feed_url,
                external_id=entry.entry_key,
                now=datetime.now(UTC),
            )
            finish_entry(session, entry.id, result.article_id, datetime.now(UTC))
        return EntryOutcome(entry.id, "stored", result.article_id, str(result.status))

    def _fetch_page(self, url: str) -> Any:
        self.robots.check(url)
        with self.gate.turn(url):
            response = self.fetcher.get(url, accept=PAGE_ACCEPT)
        with PARSING:
            return response, extract_article(response.content, url=response.final_url)

    def _entry_failed(
        self, entry_id: int, attempts: int, error: Exception, *, retryable: bool = False
    ) -> EntryOutcome:
        """Record a failure: retried later when it may pass (a fetch that can succeed next
        time, or an unexpected error), given up otherwise or after ``ENTRY_ATTEMPTS``."""
        reason = _describe(error)
        retryable = retryable or (isinstance(error, FetchError) and error.retryable)
        retry_in = None
        if retryable and attempts < ENTRY_ATTEMPTS:
            retry_in = timedelta(seconds=failure_delay(attempts, minimum=30, maximum=3600))
        with self.database.write() as session:
            fail_entry(session, entry_id, reason, datetime.now(UTC), retry_in=retry_in)
        return EntryOutcome(entry_id, "retry" if retry_in else "failed", reason=reason)


def _read_items(response: Response, kind: str | None) -> tuple[list[EntryRecord], dict[str, Any]]:
    """The items of a fetched feed (or of a single page) and what it says about itself."""
    if kind == "page":
        return page_entry(response)
    parsed = parse_feed(
        response.content,
        url=response.final_url,
        content_type=response.content_type,
        charset=response.charset,
    )
    details = {
        "kind": parsed.kind,
        "title": parsed.title,
        "site_url": parsed.site_url,
        "language": parsed.language,
    }
    return [entry_record(entry) for entry in parsed.entries], details


def _stored_article_id(session: Any, url: str) -> int | None:
    found: int | None = session.execute(_ARTICLE_AT, {"url": url}).scalar_one_or_none()
    return found


def _describe(error: Exception) -> str:
    if isinstance(error, FetchError):
        return error.reason
    if isinstance(error, FeedParseError):
        return f"not a usable feed: {error}"
    # A database error's text goes on with the statement and its parameters: its first
    # line says what went wrong.
    first_line = str(error).strip().split("\n", 1)[0]
    return first_line or type(error).__name__
