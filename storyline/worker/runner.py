"""Running background work: in ``storyline serve`` beside the web app, or alone in
``storyline worker`` processes, any number of them, on any number of machines.

A process runs huey's consumer (worker threads taking jobs from the queue) and a ticker
thread that, every ``STORYLINE_TICK_SECONDS``, queues what is due (feed checks, pending
entries, work whose lease expired with a dead worker) and refreshes this process's row in
``workers``, which is how ``storyline status`` knows who is alive.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from huey.consumer import Consumer, ConsumerStopped
from sqlalchemy import delete

from storyline.crawl import Crawler
from storyline.readers.accounts import forget_expired_sessions, forget_old_failures
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.articles import insert_ignore
from storyline.store.schema import Worker
from storyline.worker.queue import make_queue
from storyline.worker.tasks import Jobs, register_jobs

# Seconds between two looks for due digests from one process: a digest is due once a
# day at most, so every tick would be wasted reads.
DIGEST_EVERY = 300.0

log = logging.getLogger(__name__)


class _QuietConsumer(Consumer):
    """huey's consumer without its signal handlers: the host process owns the signals."""

    def _set_signal_handlers(self) -> None:
        return


class Background:
    """Background work for one process."""

    def __init__(self, settings: Settings, database: Database, *, role: str) -> None:
        self.settings = settings
        self.database = database
        self.role = role
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._crawler: Crawler | None = None
        self._crawler_lock = threading.Lock()
        self.jobs: Jobs = register_jobs(make_queue(settings), self.crawler)
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick_forever, name="ticker", daemon=True)
        self._consumer: Consumer | None = None
        self._digests_looked_at: float | None = None

    def crawler(self) -> Crawler:
        with self._crawler_lock:
            if self._crawler is None:
                self._crawler = Crawler(self.settings, self.database)
            return self._crawler

    def start(self, *, handle_signals: bool = False) -> Consumer:
        consumer_class = Consumer if handle_signals else _QuietConsumer
        self._consumer = consumer_class(
            self.jobs.queue,
            workers=self.settings.workers,
            worker_type="thread",
            periodic=False,
            max_delay=2.0,
            shutdown_timeout=10,
            graceful_signal="TERM",
        )
        self._beat()
        self._consumer.start()
        self._ticker.start()
        log.info("background work started: %s workers (%s)", self.settings.workers, self.worker_id)
        return self._consumer

    def run_forever(self) -> None:
        """Run until SIGTERM or Ctrl-C (``storyline worker``)."""
        consumer = self.start(handle_signals=True)
        try:
            health = None
            while True:
                health = consumer.loop(health)
        except ConsumerStopped:  # huey's way of ending its loop after a signal
            pass
        finally:
            self.stop(consumer_already_stopped=True)

    def stop(self, *, consumer_already_stopped: bool = False) -> None:
        self._stop.set()
        if self._consumer is not None and not consumer_already_stopped:
            self._consumer.stop(graceful=True)
        if self._ticker.is_alive():
            self._ticker.join(timeout=5)
        with self.database.write() as session:
            session.execute(delete(Worker).where(Worker.id == self.worker_id))
        if self._crawler is not None:
            self._crawler.close()
        log.info("background work stopped (%s)", self.worker_id)

    def tick(self) -> tuple[int, int]:
        """Queue due feed checks and pending entries (their counts are returned); once the
        queue has drained, articles waiting for analysis or for placing in stories, and the
        fan-out of new story developments to their followers.

        Fetching and storing come first: analysis is reserved only when no job is waiting,
        so that its leases do not run out behind a backlog of entries and a crawl is not
        slowed by analysis that can run a moment later.
        """
        self._beat()
        queued = self.jobs.enqueue_due()
        if self.jobs.queue.pending_count() == 0:
            analyses = self.jobs.enqueue_analysis()
            if analyses:
                log.info("queued %s articles for analysis", analyses)
            placements = self.jobs.enqueue_placement()
            if placements:
                log.info("queued %s articles for placing in stories", placements)
            self.jobs.enqueue_notifications()
        self._every_few_minutes()
        return queued

    def _every_few_minutes(self) -> None:
        """At most once every :data:`DIGEST_EVERY` s: queue the digest mailer, and the
        fan-out of story developments (on an install whose queue never drains, the tick
        would otherwise never get to it), and forget expired sessions and sign-in failures
        older than the throttling window."""
        moment = time.monotonic()
        if self._digests_looked_at is not None and moment - self._digests_looked_at < DIGEST_EVERY:
            return
        self._digests_looked_at = moment
        self.jobs.enqueue_digests()
        self.jobs.enqueue_notifications()
        now = datetime.now(UTC)
        with self.database.write() as session:
            forget_expired_sessions(session, now)
            forget_old_failures(session, now)

    def _tick_forever(self) -> None:
        while not self._stop.is_set():
            try:
                feeds, entries = self.tick()
                if feeds or entries:
                    log.info("queued %s feed checks and %s entries", feeds, entries)
            except Exception:  # a tick that fails is retried at the next one
                log.exception("tick failed")
            self._stop.wait(self.settings.tick_seconds)

    def _beat(self) -> None:
        now = datetime.now(UTC)
        with self.database.write() as session:
            insert_ignore(
                session,
                Worker,
                {
                    "id": self.worker_id,
                    "hostname": socket.gethostname(),
                    "pid": os.getpid(),
                    "role": self.role,
                    "started_at": now,
                    "last_seen_at": now,
                },
                ["id"],
            )
            worker = session.get(Worker, self.worker_id)
            if worker is not None:
                worker.last_seen_at = now


def alive_since(settings: Settings) -> datetime:
    """Workers seen after this moment count as alive."""
    return datetime.now(UTC) - timedelta(seconds=3 * settings.tick_seconds)
