"""Fixtures shared by the whole suite: settings in a temp home, and real databases.

``database`` runs a test on SQLite and again on PostgreSQL. The PostgreSQL server is
``STORYLINE_TEST_POSTGRES_URL`` (default: the local server on 127.0.0.1); the suite makes
its own database there and drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storyline.settings import Settings, load_settings
from storyline.shared_data import shared_dir as find_shared_dir
from storyline.store import Database
from storyline.store.schema import Base
from tests.support.fixture_server import FixtureServer, serve_fixtures
from tests.support.llm_server import served_llm
from tests.support.smtp_server import smtp_server  # noqa: F401  (a fixture)

REPO = Path(__file__).resolve().parents[1]
SHARED = find_shared_dir()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Passwords are hashed at argon2's lowest cost in tests: at the default cost (64 MiB, 3
# passes) every account made or signed in takes a tenth of a second or more, and the suite
# makes hundreds. tests/readers/test_accounts.py checks the default cost and the rehash from
# one cost to another. Every settings a test builds for accounts (or a server) takes these.
QUICK_HASHING = {
    "STORYLINE_PASSWORD_HASH_MEMORY_KIB": "32",
    "STORYLINE_PASSWORD_HASH_TIME_COST": "1",
}
# For helpers that make an account without a test's settings at hand.
QUICK_HASH = load_settings(environ=QUICK_HASHING)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repo: read in place, never copied."""
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the suite reads the shared data there")
    return SHARED


@pytest.fixture(scope="session")
def seed_page(shared_dir: Path) -> Path:
    return shared_dir / "seed" / "daily8-article-page.txt"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Pages are built afresh for every request: tests change the data under them and look
    # again at once (tests/web/test_page_cache.py tests the cache itself).
    return load_settings(
        environ={
            "STORYLINE_HOME": str(tmp_path / "home"),
            "STORYLINE_PAGE_CACHE_SECONDS": "0",
            **QUICK_HASHING,
        }
    )


@pytest.fixture
def sqlite_database(settings: Settings) -> Iterator[Database]:
    database = Database.from_settings(settings)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    server = os.environ.get("STORYLINE_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    name = f"storyline_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the tests must not silently pass without PostgreSQL
        pytest.fail(f"PostgreSQL at {server} is not reachable: {exc}")
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url)
    database.migrate()
    empty_postgres(database)
    yield database
    database.dispose()


# Sequences of the tables ``empty_postgres`` empties (serial and identity columns) that
# have handed out a number (the CASE: the planner may test rows that are not sequences).
_USED_SEQUENCES = """
SELECT DISTINCT s.oid::regclass::text
FROM pg_class s
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
WHERE s.relkind = 'S' AND t.relname = ANY(:tables)
  AND CASE WHEN s.relkind = 'S' THEN pg_sequence_last_value(s.oid) END IS NOT NULL
"""


def empty_postgres(database: Database) -> None:
    """Leave every table of ours empty and every id starting at 1 again, as ``TRUNCATE …
    RESTART IDENTITY`` of all of them would. A TRUNCATE gives each of the 40-odd tables and
    their indexes new files, about 0.2 s a test; deleting the rows of the few tables a test
    filled (children first) and restarting the sequences it used takes milliseconds."""
    tables = Base.metadata.sorted_tables
    filled = " UNION ALL ".join(
        f'SELECT {i} WHERE EXISTS (SELECT 1 FROM "{t.name}")' for i, t in enumerate(tables)
    )
    with database.write() as session:
        nonempty = {row[0] for row in session.execute(text(filled))}
        for i, table in reversed(list(enumerate(tables))):
            if i in nonempty:
                session.execute(text(f'DELETE FROM "{table.name}"'))
        names = [t.name for t in tables]
        for (sequence,) in session.execute(text(_USED_SEQUENCES), {"tables": names}).all():
            session.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """The same test on SQLite and on PostgreSQL."""
    fixture = "sqlite_database" if request.param == "sqlite" else "postgres_database"
    result: Database = request.getfixturevalue(fixture)
    return result


@pytest.fixture
def fixture_server() -> Iterator[FixtureServer]:
    """A real HTTP server on 127.0.0.1 serving what the test adds to it."""
    yield from serve_fixtures()


@pytest.fixture(scope="session")
def smollm2() -> Iterator[str]:
    """The real small LLM (llama.cpp's server), started once for every test that asks it
    something: it keeps no state between requests, and each start loads the model anew."""
    with served_llm() as url:
        yield url
