"""Being a polite client: one host at a time, with a delay, and robots.txt obeyed.

The delay between two requests to a host is shared by every worker process through the
``hosts`` table: a worker reserves the host's next free slot in one short transaction and
sleeps until it. Within a process, a semaphore per host bounds requests in flight.
robots.txt is fetched once a day per host and kept in the same table.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from sqlalchemy import select

from storyline.fetch import Fetcher, FetchError
from storyline.store import Database
from storyline.store.articles import insert_ignore
from storyline.store.schema import Host

ROBOTS_TTL = timedelta(hours=24)
# Stored in place of a robots.txt that could not be read (disallow, for now). A comment
# line, so no real robots.txt means it; PostgreSQL text cannot hold a NUL marker.
_UNREACHABLE = "# storyline: robots.txt unreachable"


class RobotsDisallowed(Exception):
    """robots.txt asks Storyline not to fetch this URL."""


class HostGate:
    """Waits for a host's turn, for every process sharing the database."""

    def __init__(self, database: Database, *, delay: float, concurrency: int) -> None:
        self._database = database
        self._delay = timedelta(seconds=delay)
        self._concurrency = concurrency
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    @contextmanager
    def turn(self, url: str) -> Iterator[None]:
        host = host_of(url)
        with self._lock:
            semaphore = self._semaphores.setdefault(
                host, threading.BoundedSemaphore(self._concurrency)
            )
        with semaphore:
            if self._delay > timedelta(0):  # no delay, nothing to coordinate
                start = self._reserve(host)
                wait = (start - datetime.now(UTC)).total_seconds()
                if wait > 0:
                    time.sleep(wait)
            yield

    def _reserve(self, host: str) -> datetime:
        now = datetime.now(UTC)
        with self._database.write() as session:
            insert_ignore(session, Host, {"name": host, "next_request_at": now}, ["name"])
            row = session.execute(
                select(Host).where(Host.name == host).with_for_update()
            ).scalar_one()
            start = max(now, row.next_request_at)
            row.next_request_at = start + self._delay
        return start


class RobotsRules:
    """robots.txt per host, cached in the database for a day."""

    def __init__(self, database: Database, fetcher: Fetcher, user_agent: str) -> None:
        self._database = database
        self._fetcher = fetcher
        self._agent = user_agent.split("/", 1)[0]
        self._parsed: dict[str, tuple[datetime, RobotFileParser | None]] = {}
        self._failures: dict[str, str] = {}  # host -> why its robots.txt could not be read

    def check(self, url: str) -> None:
        """Raise :class:`RobotsDisallowed` when robots.txt forbids ``url``."""
        rules = self._rules_for(host_of(url), url)
        if rules is None:
            why = self._failures.get(host_of(url), "no answer")
            raise RobotsDisallowed(
                f"robots.txt of {host_of(url)} could not be read ({why}); trying later"
            )
        if not rules.can_fetch(self._agent, url):
            raise RobotsDisallowed(f"robots.txt of {host_of(url)} disallows {url}")

    def _rules_for(self, host: str, url: str) -> RobotFileParser | None:
        now = datetime.now(UTC)
        cached = self._parsed.get(host)
        if cached and now - cached[0] < ROBOTS_TTL:
            return cached[1]
        body = self._stored(host, now)
        if body is None:
            body = self._download(host, url)
            self._store(host, body, now)
        parser: RobotFileParser | None = None
        if body != _UNREACHABLE:
            parser = RobotFileParser()
            parser.parse(body.splitlines())
        self._parsed[host] = (now, parser)
        return parser

    def _stored(self, host: str, now: datetime) -> str | None:
        with self._database.read() as session:
            row = session.get(Host, host)
            if row is None or row.robots_fetched_at is None or row.robots_txt is None:
                return None
            if now - row.robots_fetched_at > ROBOTS_TTL:
                return None
            return row.robots_txt

    def _download(self, host: str, url: str) -> str:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            response = self._fetcher.get(robots_url)
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                return ""  # RFC 9309: no robots.txt (4xx) means everything is allowed
            self._failures[host] = error.reason
            return _UNREACHABLE  # 5xx or no answer: assume a full disallow, for now
        return response.content.decode("utf-8", errors="replace").replace("\x00", "")

    def _store(self, host: str, body: str, now: datetime) -> None:
        with self._database.write() as session:
            insert_ignore(session, Host, {"name": host, "next_request_at": now}, ["name"])
            row = session.get(Host, host)
            assert row is not None
            # An unreachable robots.txt is retried after an hour, not a day.
            row.robots_txt = body
            row.robots_fetched_at = (
                now if body != _UNREACHABLE else now - ROBOTS_TTL + timedelta(hours=1)
            )


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
