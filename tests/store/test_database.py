"""Opening the database: migrations match the models, SQLite runs in WAL with one writer."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from storyline.model import ArticleDraft, Block, BlockKind
from storyline.settings import Settings
from storyline.store import Database, count_articles, save_article
from storyline.store.db import is_ours
from storyline.store.schema import Base


def test_migrations_create_exactly_the_models(database: Database) -> None:
    with database.write_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": is_ours})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrating_again_changes_nothing(database: Database) -> None:
    database.migrate()
    with database.read() as session:
        heads = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert len(heads) == 1


def test_sqlite_is_in_wal_mode_at_the_home_folder(settings: Settings) -> None:
    database = Database.from_settings(settings)
    try:
        assert (settings.home / "storyline.db").exists()
        with database.read() as session:
            mode = session.execute(text("PRAGMA journal_mode")).scalar_one()
        assert mode == "wal"
    finally:
        database.dispose()


def test_concurrent_writers_on_sqlite_never_see_a_locked_database(settings: Settings) -> None:
    database = Database.from_settings(settings)
    errors: list[BaseException] = []

    def write_many(worker: int) -> None:
        try:
            for n in range(40):
                draft = ArticleDraft(
                    title=f"Worker {worker} note {n}",
                    outlet="Lakeside Gazette",
                    blocks=(Block(BlockKind.PARAGRAPH, f"Note {n} from worker {worker}."),),
                )
                with database.write() as session:
                    save_article(session, draft, source_kind="file", source_locator="/w")
                with database.read() as session:
                    count_articles(session)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write_many, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        with database.read() as session:
            assert count_articles(session) == 160
    finally:
        database.dispose()
