"""The job queue: huey, on whatever store fits the deployment.

- embedded (the default): SQLite at ``$STORYLINE_HOME/queue.db``, no server;
- ``STORYLINE_QUEUE_URL=redis://…``: Redis;
- a PostgreSQL ``STORYLINE_DATABASE_URL`` (or a ``postgresql://`` queue URL): a table in
  PostgreSQL, so workers on many machines need nothing but the database.

The queue only carries "do this now" messages (no results are kept: outcomes are in the
database). What must not be lost lives in the database
(feeds' schedule, pending entries, leases), so a message lost with a killed worker is
simply reissued by the next tick.
"""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy.engine import make_url

from storyline.settings import Settings

QUEUE_NAME = "storyline"


def make_queue(settings: Settings) -> Huey:
    url = settings.queue_url or ("" if settings.is_sqlite else settings.resolved_database_url)
    if not url:
        settings.home.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(
            QUEUE_NAME, filename=str(settings.home / "queue.db"), timeout=30, results=False
        )
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        from huey.contrib.sql_huey import SqlHuey  # imports peewee: only for this queue

        peewee_url = parsed.set(drivername="psycopg3").render_as_string(hide_password=False)
        return SqlHuey(QUEUE_NAME, database=peewee_url, results=False)
    if parsed.get_backend_name() == "sqlite":
        return SqliteHuey(
            QUEUE_NAME, filename=parsed.database or "queue.db", timeout=30, results=False
        )
    raise ValueError(f"STORYLINE_QUEUE_URL: unsupported queue {url!r} (redis://, postgresql://)")
