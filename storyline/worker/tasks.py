"""The background jobs, registered on a huey queue.

Each job is a thin wrapper: the work itself is in :mod:`storyline.crawl` and
:mod:`storyline.analysis`, and every job can run twice without harm (leases and
idempotent saves), which is what lets a killed worker's jobs simply be reissued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from huey import Huey

from storyline.crawl import Crawler
from storyline.readers.digest import has_due_digests, send_due_digests
from storyline.readers.mail import Mailer
from storyline.readers.notifications import fan_out_developments, has_developments_to_fan_out
from storyline.store.analysis import has_analysis_work, reserve_for_analysis
from storyline.store.feeds import has_work, reserve_due_feeds, reserve_pending_entries
from storyline.store.stories import has_placement_work, reserve_for_placement
from storyline.understand.analyze import ANALYZER_VERSION

# Articles reserved for analysis per tick and process: a few jobs, so one tick's
# reservation is done well within a lease and the other processes get the rest.
ANALYSIS_JOBS_PER_TICK = 4
# Articles per analysis job, at most: a job takes a few seconds at most, so a worker
# that is asked to stop finishes the job in hand quickly and loses nothing.
ANALYSIS_JOB_ARTICLES = 8
# Articles per placing job: embedding them takes well under a second each.
PLACEMENT_JOB_ARTICLES = 16

log = logging.getLogger(__name__)


@dataclass
class Jobs:
    """The queue and its registered jobs, for one process."""

    queue: Huey
    check_feed: Any
    process_entry: Any
    analyze_articles: Any
    place_articles: Any
    fan_out_notifications: Any
    send_digests: Any
    crawler: Callable[[], Crawler]

    def enqueue_due(self) -> tuple[int, int]:
        """Queue every due feed check and every pending entry; returns the two counts."""
        crawler = self.crawler()
        lease = crawler.lease
        now = datetime.now(UTC)
        with crawler.database.read() as session:  # a cheap look first: writes lock SQLite
            if not has_work(session, now):
                return 0, 0
        with crawler.database.write() as session:
            feeds = reserve_due_feeds(session, now, lease)
            entries = reserve_pending_entries(session, now, lease)
        for feed_id, token in feeds:
            self.check_feed(feed_id, token)
        for entry_id, token in entries:
            self.process_entry(entry_id, token)
        return len(feeds), len(entries)

    def enqueue_analysis(self) -> int:
        """Reserve articles that need analysis (new, revised, or analysed by an older
        version) and queue them in spaCy-sized batches; returns how many were queued."""
        crawler = self.crawler()
        batch = max(1, crawler.settings.nlp_batch_size)
        now = datetime.now(UTC)
        with crawler.database.read() as session:
            if not has_analysis_work(session, ANALYZER_VERSION, now):
                return 0
        with crawler.database.write() as session:
            ids = reserve_for_analysis(
                session, ANALYZER_VERSION, now, crawler.lease, batch * ANALYSIS_JOBS_PER_TICK
            )
        for start in range(0, len(ids), batch):
            self.analyze_articles(ids[start : start + batch])
        return len(ids)

    def enqueue_placement(self) -> int:
        """Reserve analysed articles not placed in stories as they read now and queue them
        in small jobs; returns how many were queued."""
        from storyline.placement import PLACEMENT_VERSION

        crawler = self.crawler()
        now = datetime.now(UTC)
        with crawler.database.read() as session:
            if not has_placement_work(session, PLACEMENT_VERSION, now):
                return 0
        with crawler.database.write() as session:
            ids = reserve_for_placement(
                session,
                PLACEMENT_VERSION,
                now,
                crawler.lease,
                PLACEMENT_JOB_ARTICLES * ANALYSIS_JOBS_PER_TICK,
            )
        for start in range(0, len(ids), PLACEMENT_JOB_ARTICLES):
            self.place_articles(ids[start : start + PLACEMENT_JOB_ARTICLES])
        return len(ids)

    def enqueue_notifications(self) -> bool:
        """Queue the fan-out of story developments to their followers when some wait past
        the watermark; returns whether it was queued."""
        with self.crawler().database.read() as session:
            if not has_developments_to_fan_out(session):
                return False
        self.fan_out_notifications()
        return True

    def enqueue_digests(self) -> bool:
        """Queue the digest mailer when some reader's digest is not done for the period;
        returns whether it was queued."""
        with self.crawler().database.read() as session:
            if not has_due_digests(session, datetime.now(UTC)):
                return False
        self.send_digests()
        return True


def register_jobs(queue: Huey, crawler: Callable[[], Crawler]) -> Jobs:
    @queue.task(name="check_feed")
    def check_feed(feed_id: int, token: str | None = None) -> str:
        outcome = crawler().check_feed(feed_id, token)
        for entry_id, entry_token in outcome.entries:
            process_entry(entry_id, entry_token)
        return outcome.status

    @queue.task(name="process_entry")
    def process_entry(entry_id: int, token: str | None = None) -> str:
        return crawler().process_entry(entry_id, token).status

    @queue.task(name="analyze_articles")
    def analyze_articles(article_ids: list[int]) -> int:
        from storyline.analysis import analyze_stored  # spaCy loads only where work runs

        worker = crawler()
        return analyze_stored(worker.database, worker.settings, article_ids)

    placers: dict[int, Any] = {}

    @queue.task(name="place_articles")
    def place_articles(article_ids: list[int]) -> int:
        from storyline.placement import Placer  # the model loads only where work runs

        worker = crawler()
        placer = placers.get(id(worker.database))
        if placer is None:
            placer = placers[id(worker.database)] = Placer(worker.database, worker.settings)
        return placer.place(article_ids)

    @queue.task(name="fan_out_notifications")
    def fan_out_notifications() -> int:
        with crawler().database.write() as session:
            return fan_out_developments(session, datetime.now(UTC))

    mail_off_told = False

    @queue.task(name="send_digests")
    def send_digests() -> int:
        nonlocal mail_off_told
        worker = crawler()
        mailer = Mailer(worker.settings)
        if not mailer.configured:
            if not mail_off_told:
                log.info("digests are not sent: no mail server (STORYLINE_SMTP_URL)")
                mail_off_told = True
            return 0
        return send_due_digests(worker.database, worker.settings, datetime.now(UTC), mailer)

    return Jobs(
        queue=queue,
        check_feed=check_feed,
        process_entry=process_entry,
        analyze_articles=analyze_articles,
        place_articles=place_articles,
        fan_out_notifications=fan_out_notifications,
        send_digests=send_digests,
        crawler=crawler,
    )
