"""Two real worker processes share one database; one is killed with SIGKILL mid-batch.

Every article must arrive exactly once: what the dead worker had in flight is redone by
the other when its lease expires, and nothing is stored twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storyline.settings import load_settings
from storyline.store import Database
from storyline.store.feeds import add_feed
from storyline.store.schema import Article, FeedEntry
from tests.crawl.conftest import CRAWL_ENV
from tests.crawl.site import NewsSite
from tests.support.fixture_server import FixtureServer, Reply

STORIES = 30
pytestmark = pytest.mark.slow


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "storyline", "worker"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {"STORYLINE_HOME": str(tmp_path / "home")}
    if request.param == "postgres":
        database: Database = request.getfixturevalue("postgres_database")
        env["STORYLINE_DATABASE_URL"] = database.url
    yield env


def test_killing_a_worker_mid_batch_loses_and_duplicates_nothing(
    backend: dict[str, str], fixture_server: FixtureServer, tmp_path: Path
) -> None:
    site = NewsSite(fixture_server)
    for n in range(STORIES):
        story = site.add_story(f"story-{n}", f"Council report number {n}")
        html = story.page(fixture_server.base, site.outlet).encode()
        # Slow pages keep work in flight when the kill comes.
        fixture_server.route(
            f"/news/{story.slug}",
            lambda _r, html=html: Reply(200, html, {"Content-Type": "text/html"}, [(0.15, html)]),
        )
    env = {
        **os.environ,
        **CRAWL_ENV,
        **backend,
        "STORYLINE_LEASE_SECONDS": "4",
        "STORYLINE_TICK_SECONDS": "0.5",
        "STORYLINE_WORKERS": "2",
        "STORYLINE_LOG_LEVEL": "warning",
    }
    settings = load_settings(environ=env)
    database = Database.from_settings(settings)
    with database.write() as session:
        add_feed(session, site.feed_url, now=datetime.now(UTC), interval=3600)
    logs = tmp_path / "workers.log"
    victim = _start_worker(env, logs)
    survivor = _start_worker(env, logs)
    try:
        deadline = time.monotonic() + 60
        while _count(database, Article) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _count(database, Article) >= 5, logs.read_text()
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(5)
        deadline = time.monotonic() + 90
        while _done(database) < STORIES and time.monotonic() < deadline:
            time.sleep(0.25)
        assert _done(database) == STORIES, logs.read_text()[-3000:]
        with database.read() as session:
            urls = session.execute(select(Article.canonical_url)).scalars().all()
        assert len(urls) == STORIES
        assert len(set(urls)) == STORIES
    finally:
        for process in (victim, survivor):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        survivor.wait(20)
        database.dispose()
    assert survivor.returncode == 0, logs.read_text()[-3000:]


def _count(database: Database, model: type) -> int:
    with database.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _done(database: Database) -> int:
    with database.read() as session:
        return session.execute(
            select(func.count()).select_from(FeedEntry).where(FeedEntry.status == "done")
        ).scalar_one()
