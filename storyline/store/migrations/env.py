"""Alembic environment: run migrations on the connection Storyline hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, text

from storyline.store.db import is_ours
from storyline.store.schema import Base

config = context.config
target_metadata = Base.metadata

# Many worker processes may start at once against one PostgreSQL: one migrates, the rest wait.
_ADVISORY_LOCK = 7_401_337


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=is_ours,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as new_connection:
        _run(new_connection)


if context.is_offline_mode():
    raise SystemExit("Storyline runs its migrations online only.")
run_migrations_online()
