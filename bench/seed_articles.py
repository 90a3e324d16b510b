#!/usr/bin/env python3
"""Fill a Storyline home with synthetic articles for the web benchmark.

Articles go in through the real store (``Database.from_settings`` and ``save_article``), so
the database has the same rows, indexes and revisions a real import would leave, and the
seeding rate printed at the end is also a rough figure for the store's write path.

Usage: .venv/bin/python bench/seed_articles.py --home DIR --count 100000
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from synthetic_news import OUTLETS, make_article

from storyline.settings import load_settings
from storyline.store import Database, SaveStatus, count_articles, save_article

SOURCE_KIND = "file"
SOURCE_LOCATOR = "synthetic:bench/seed_articles.py"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/seed_articles.py",
        description=(
            "Store COUNT invented articles (10-30 paragraphs, headings, a caption, a read-also "
            f"link, {len(OUTLETS)} outlets, 90 days of publication times) in DIR/storyline.db "
            "through the real store. Does nothing when DIR already holds COUNT articles."
        ),
    )
    parser.add_argument("--home", type=Path, required=True, metavar="DIR", help="STORYLINE_HOME")
    parser.add_argument("--count", type=int, default=100_000, help="articles wanted (100000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed: same seed, same text")
    parser.add_argument(
        "--batch", type=int, default=1_000, help="articles per write transaction (1000)"
    )
    return parser


def seed(home: Path, count: int, *, seed_value: int = 1, batch: int = 1_000) -> dict[str, int]:
    """Store articles 0..count-1 of corpus ``seed_value``; return how many were created.

    Each batch is one write transaction, as a large import would do it. Articles already
    there (same URL) are left alone by the store's identity rules, which is what makes a
    re-run after an interruption safe.
    """
    settings = load_settings(environ={"STORYLINE_HOME": str(home)})
    database = Database.from_settings(settings)
    counts = {status.value: 0 for status in SaveStatus}
    try:
        with database.read() as session:
            existing = count_articles(session)
        if existing >= count:
            print(f"{home}: already holds {existing} articles (wanted {count}); nothing to do")
            return counts
        started = time.perf_counter()
        for first in range(0, count, batch):
            with database.write() as session:
                for index in range(first, min(first + batch, count)):
                    draft = make_article(seed_value, index)
                    assert draft.published_at is not None
                    fetched = draft.published_at + timedelta(minutes=7 + index % 50)
                    result = save_article(
                        session,
                        draft,
                        source_kind=SOURCE_KIND,
                        source_locator=f"{SOURCE_LOCATOR}?seed={seed_value}",
                        now=fetched,
                    )
                    counts[result.status.value] += 1
            done = min(first + batch, count)
            if done % (batch * 10) == 0 or done == count:
                _report(done, started)
        elapsed = time.perf_counter() - started
        print(
            f"{home}: {counts['created']} articles created, {counts['unchanged']} already there, "
            f"in {elapsed:.1f} s ({count / elapsed:.0f} articles/s)"
        )
    finally:
        database.dispose()
    return counts


def _report(done: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    print(f"  {done} articles, {elapsed:.0f} s, {done / elapsed:.0f} articles/s", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.count < 1 or args.batch < 1:
        print("seed_articles: --count and --batch must be positive", file=sys.stderr)
        return 2
    seed(args.home, args.count, seed_value=args.seed, batch=args.batch)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
