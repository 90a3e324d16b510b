"""The AI cache and the LLM's daily token count, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone

from storyline.store import Database
from storyline.store.ai_cache import (
    add_tokens,
    cache_key,
    read_cached,
    tokens_used,
    utc_day,
    write_cached,
)


def test_a_cached_value_is_read_back_and_replaced(database: Database) -> None:
    key = cache_key("summary", "llm", "tiny-model", "prompt text", "source one")
    with database.read() as session:
        assert read_cached(session, key) is None
    value = {"feature": "summary", "sentences": [{"text": "Ferries ran late.", "citations": []}]}
    with database.write() as session:
        write_cached(session, key, value)
    with database.read() as session:
        assert read_cached(session, key) == value
    with database.write() as session:
        write_cached(session, key, {"feature": "summary", "sentences": []})
    with database.read() as session:
        assert read_cached(session, key) == {"feature": "summary", "sentences": []}


def test_the_key_changes_with_every_part_of_the_input() -> None:
    base = cache_key("ask", "llm", "m", "When?", "Source.")
    assert len(base) == 64 and base == cache_key("ask", "llm", "m", "When?", "Source.")
    others = {
        cache_key("summary", "llm", "m", "When?", "Source."),
        cache_key("ask", "offline", "m", "When?", "Source."),
        cache_key("ask", "llm", "n", "When?", "Source."),
        cache_key("ask", "llm", "m", "Where?", "Source."),
        cache_key("ask", "llm", "m", "When?Source."),  # parts are kept apart
        cache_key("ask", "llm", "m", "When?", "Source.", ""),
    }
    assert base not in others and len(others) == 6


def test_tokens_add_up_per_utc_day(database: Database) -> None:
    with database.write() as session:
        assert add_tokens(session, "2025-06-09", 120) == 120
        assert add_tokens(session, date(2025, 6, 9), 30) == 150
        assert add_tokens(session, "2025-06-10", 7) == 7
    with database.read() as session:
        assert tokens_used(session, "2025-06-09") == 150
        assert tokens_used(session, date(2025, 6, 10)) == 7
        assert tokens_used(session, "2025-06-11") == 0
    late_evening = datetime(2025, 6, 9, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    assert utc_day(late_evening) == "2025-06-10"
    assert utc_day() == datetime.now(UTC).date().isoformat()


def test_concurrent_additions_are_not_lost(database: Database) -> None:
    def add() -> None:
        for _ in range(10):
            with database.write() as session:
                add_tokens(session, "2025-06-09", 3)

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with database.read() as session:
        assert tokens_used(session, "2025-06-09") == 120
