"""The AI cache and the LLM's daily token count.

A feature's result is kept under :func:`cache_key` of everything it was made from, so an
unchanged input is answered from the store and a changed one is made anew. The LLM's
token use is counted per UTC day (``YYYY-MM-DD``) with one atomic upsert, so concurrent
workers on PostgreSQL or SQLite never lose an addition.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storyline.store.db import Database
from storyline.store.schema import AiCache, LlmUsage, utcnow


def cache_key(feature: str, engine: str, model: str, *parts: str) -> str:
    """The sha256 (hex) of a feature's input: its name, the engine and model that answer,
    and every text it reads (prompt, sources, question), each kept apart from the next."""
    encoded = json.dumps([feature, engine, model, *parts], ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def read_cached(session: Session, key: str) -> dict[str, Any] | None:
    """The value kept under ``key``, or ``None``."""
    row = session.get(AiCache, key)
    return dict(row.value) if row is not None else None


def write_cached(session: Session, key: str, value: dict[str, Any]) -> None:
    """Keep ``value`` under ``key``, replacing what was there."""
    module = postgresql if _dialect(session) == "postgresql" else sqlite
    statement = module.insert(AiCache).values(key=key, value=value, created_at=utcnow())
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"value": statement.excluded.value, "created_at": statement.excluded.created_at},
        )
    )


def utc_day(moment: datetime | None = None) -> str:
    """The UTC day of ``moment`` (now by default) as the usage table keys it."""
    return (moment or datetime.now(UTC)).astimezone(UTC).date().isoformat()


def tokens_used(session: Session, day: str | date) -> int:
    """Tokens counted on ``day`` (0 when none were)."""
    found = session.execute(select(LlmUsage.tokens).where(LlmUsage.day == _day(day)))
    return int(found.scalar_one_or_none() or 0)


def add_tokens(session: Session, day: str | date, n: int) -> int:
    """Add ``n`` tokens to ``day``'s count in one statement; the new count."""
    module = postgresql if _dialect(session) == "postgresql" else sqlite
    statement = module.insert(LlmUsage).values(day=_day(day), tokens=n)
    upsert = statement.on_conflict_do_update(
        index_elements=["day"], set_={"tokens": LlmUsage.tokens + statement.excluded.tokens}
    ).returning(LlmUsage.tokens)
    return int(session.execute(upsert).scalar_one())


def _day(day: str | date) -> str:
    if isinstance(day, datetime):
        return utc_day(day)
    return day.isoformat() if isinstance(day, date) else day


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


class AnswerCache:
    """The cache and the token count of one database, for an engine to hold."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def get(self, key: str) -> dict[str, Any] | None:
        with self.database.read() as session:
            return read_cached(session, key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self.database.write() as session:
            write_cached(session, key, value)

    def tokens_today(self) -> int:
        with self.database.read() as session:
            return tokens_used(session, utc_day())

    def add_tokens(self, n: int) -> int:
        """Count ``n`` more tokens today; today's new total."""
        with self.database.write() as session:
            return add_tokens(session, utc_day(), n)
