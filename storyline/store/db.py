"""Opening the database: engines, sessions, the single SQLite writer, migrations."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storyline.settings import Settings

_MIGRATIONS = Path(__file__).with_name("migrations")


class _WriterLock:
    """One writer at a time: among this process's threads (a re-entrant lock) and, on a
    SQLite file, among processes too (an ``flock`` on a file beside the database).

    SQLite would make a second process wait by itself, but its busy handler sleeps in
    coarse steps (1, 2, 5, 10 ms …) and polls; a kernel lock wakes the next writer the
    moment the first one commits, which matters when worker processes write often.
    """

    def __init__(self, path: Path | None) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._file = path.open("a+b") if path is not None else None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_EX)
        self._depth += 1

    def __exit__(self, *_: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._thread_lock.release()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class Database:
    """Both ends of the store: a reader for any thread, one writer at a time.

    On SQLite (WAL mode) every write goes through one connection guarded by a lock (shared
    with other processes on the same file) and opened with ``BEGIN IMMEDIATE``, so readers
    never see "database is locked" and two writers never deadlock on a lock upgrade. On
    PostgreSQL both ends share one pool.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        database_file = make_url(url).database if self.is_sqlite else None
        lock_file = None
        if database_file and database_file != ":memory:":
            lock_file = Path(database_file).with_name(Path(database_file).name + ".writer-lock")
        if self.is_sqlite:
            _ensure_sqlite_folder(url)
        self._write_lock = _WriterLock(lock_file)
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(url, immediate=False, echo=echo)
            self.write_engine = _sqlite_engine(url, immediate=True, echo=echo)
        else:
            self.read_engine = create_engine(
                url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20
            )
            self.write_engine = self.read_engine
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True) -> Database:
        database = cls(settings.resolved_database_url)
        if migrate:
            database.migrate()
        return database

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error."""
        with self._write_lock, self._writer() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration (a no-op when it is already there)."""
        with self._write_lock, self.write_engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self._write_lock.close()
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()


def is_ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's filter: tables of other software in the same database (huey's queue in
    PostgreSQL) are neither ours to create nor ours to drop."""
    return not (type_ == "table" and reflected and compare_to is None)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, *, immediate: bool, echo: bool) -> Engine:
    kwargs: dict[str, Any] = {"echo": echo, "connect_args": {"check_same_thread": False}}
    if immediate:
        # One connection, reused: the single writer. Readers get their own pool.
        kwargs["pool_size"] = 1
        kwargs["max_overflow"] = 0
    else:
        kwargs["pool_size"] = 8
        kwargs["max_overflow"] = 8
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own
        # transaction handling is off), and set the pragmas every connection needs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine
