#!/usr/bin/env python3
"""The personal feed ("For you") at 100,000 articles: what one page costs a reader who
follows 200 things.

Synthetic news shaped like the real thing, stored through SQLAlchemy Core in bulk:
``--articles`` articles from ``--outlets`` outlets in ``--stories`` stories over 60 days
(a story's articles come over hours or a few days; a third of the stories belong to
storylines of about five). Each
story has three people or places of its own and two hashtags, drawn with Zipf-like
popularity from 5,000 entities and 2,000 hashtags; each article names two of its story's
entities and one at random, and carries its story's hashtags. Article ids follow
publication time, except one article in twenty, imported late with an old date. The
reader follows 200 things: 40 outlets, 60 entities, 40 hashtags, 40 stories (mostly
recent) and 20 storylines; mutes 3 outlets, 2 hashtags and 5 words; and has read 2,000
articles.

Timed (milliseconds, ``--runs`` calls each, a new session per call, after two warm-up
calls): :func:`storyline.readers.feed.personal_feed`'s first page, its second page, its
first page with ``unread_only``, and a page deep enough (offset 900) that the last day's
stories cannot fill it, so every candidate of the week is looked up. **Baseline**, in
the same run on the same database: the front page's ranked stories,
:func:`storyline.story_views.stories_list` (30). Each figure is printed with its ratio to
the baseline. ``--queries`` also prints each SQL statement of one feed call with its
time and its plan.

``--index`` adds a candidate index (see ``INDEXES``) before timing, to compare.

Usage: .venv/bin/python bench/personal_feed.py [--runs 50] [--home DIR] [--postgres URL]
CI smoke: .venv/bin/python bench/personal_feed.py --articles 5000 --stories 1000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select, text  # noqa: E402

from storyline.readers.feed import personal_feed  # noqa: E402
from storyline.store import Database  # noqa: E402
from storyline.store.schema import (  # noqa: E402
    Article,
    ArticleEntity,
    ArticleHashtag,
    Entity,
    Follow,
    Hashtag,
    Meta,
    Outlet,
    Placement,
    ReadingMark,
    Story,
    Storyline,
    User,
)
from storyline.story_views import stories_list  # noqa: E402

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
DAYS = 60
ENTITIES = 5_000
HASHTAGS = 2_000
BATCH = 10_000
MARKER = "bench.personal_feed"
# Candidate indexes to compare with --index NAME.
INDEXES = {
    "stories_storyline_last": ("stories", "storyline_id, last_at"),
}
_STATE = json.dumps(
    {
        "story_id": 0,
        "vector_sum": "",
        "count": 0,
        "terms": {},
        "people": {},
        "places": {},
        "first_at": None,
        "last_at": None,
        "article_ids": [],
        "outlets": {},
        "titles": {},
    }
).encode()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def zipf_choice(rng: random.Random, count: int, s: float = 1.1) -> int:
    """An index in ``range(count)``, small ones far more often (popularity)."""
    while True:
        value = int(rng.paretovariate(s)) - 1
        if value < count:
            return value


def _insert(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start : start + BATCH])


def synthesise(database: Database, args: argparse.Namespace) -> int:
    """Fill the database (see the module); returns the reader's user id."""
    rng = random.Random(7)
    started = time.perf_counter()
    outlets = [
        {
            "id": i + 1,
            "name": f"Outlet {i + 1:03d}",
            "slug": f"outlet-{i + 1:03d}",
            "created_at": NOW,
        }
        for i in range(args.outlets)
    ]
    entities = [
        {
            "id": i + 1,
            "key": f"entity {i + 1}",
            "name": f"Person {i + 1}",
            "type": "PERSON",
            "created_at": NOW,
        }
        for i in range(ENTITIES)
    ]
    hashtags = [{"id": i + 1, "key": f"tag{i + 1}", "tag": f"#Tag{i + 1}"} for i in range(HASHTAGS)]
    storyline_count = args.stories // 15
    storylines = [
        {
            "id": i + 1,
            "title": f"Storyline {i + 1}",
            "first_at": NOW - timedelta(days=DAYS),
            "last_at": NOW,
            "story_count": 0,
            "state": _STATE,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i in range(storyline_count)
    ]
    # Stories: a start in the window, a length of up to two days, an article count with a
    # long tail, their own entities and hashtags.
    stories: list[dict[str, Any]] = []
    story_people: list[list[int]] = []
    story_tags: list[list[int]] = []
    for i in range(args.stories):
        start = NOW - timedelta(seconds=rng.uniform(0, DAYS * 86400))
        stories.append(
            {
                "id": i + 1,
                "storyline_id": rng.randint(1, storyline_count) if rng.random() < 0.33 else None,
                "title": f"Story {i + 1} about the harbour",
                "first_at": start,
                "last_at": start,
                "article_count": 0,
                "outlet_count": 0,
                "state": _STATE,
                "created_at": start,
                "updated_at": start,
            }
        )
        story_people.append([zipf_choice(rng, ENTITIES) + 1 for _ in range(3)])
        story_tags.append([zipf_choice(rng, HASHTAGS) + 1 for _ in range(2)])
    # Articles: each joins a story, some time into it.
    drafts = []
    for _ in range(args.articles):
        story = rng.randrange(args.stories)
        listed = stories[story]["first_at"] + timedelta(hours=rng.expovariate(1 / 8))
        listed = min(listed, NOW)
        drafts.append((listed, story, zipf_choice(rng, args.outlets, 1.05) + 1))
    drafts.sort(key=lambda d: d[0])
    late = {n for n in range(len(drafts)) if rng.random() < 0.05}  # a high id, an old date
    drafts = [d for n, d in enumerate(drafts) if n not in late] + [drafts[n] for n in sorted(late)]
    articles, placements, named, tagged = [], [], [], []
    outlets_of: dict[int, set[int]] = {}
    for number, (listed, story, outlet) in enumerate(drafts, start=1):
        articles.append(
            {
                "id": number,
                "canonical_url": f"https://news.test/{number}",
                "fingerprint": f"{number:064x}",
                "title": f"Article {number}",
                "outlet_id": outlet,
                "published_at": listed,
                "fetched_at": listed,
                "listed_at": listed,
                "language": "en",
                "text": "A paragraph of synthetic news.",
                "notes": [],
                "revision": 1,
                "created_at": listed,
                "updated_at": listed,
            }
        )
        placements.append(
            {
                "article_id": number,
                "version": 1,
                "revision": 1,
                "story_id": story + 1,
                "copy_group_id": number,
                "explanation": {},
                "placed_at": listed + timedelta(minutes=5),
            }
        )
        people = {*rng.sample(story_people[story], 2), zipf_choice(rng, ENTITIES) + 1}
        named += [
            {"article_id": number, "entity_id": e, "rank": r, "mentions": []}
            for r, e in enumerate(sorted(people))
        ]
        tagged += [
            {"article_id": number, "hashtag_id": h, "rank": r}
            for r, h in enumerate(sorted(set(story_tags[story])))
        ]
        row = stories[story]
        row["last_at"] = max(row["last_at"], listed)
        row["article_count"] += 1
        outlets_of.setdefault(story, set()).add(outlet)
    for story, row in enumerate(stories):
        row["outlet_count"] = len(outlets_of.get(story, ()))
    with database.write() as session:
        for model, rows in (
            (Outlet, outlets),
            (Entity, entities),
            (Hashtag, hashtags),
            (Storyline, storylines),
            (Story, stories),
            (Article, articles),
            (Placement, placements),
            (ArticleEntity, named),
            (ArticleHashtag, tagged),
        ):
            _insert(session, model, rows)
        user_id = _reader(session, rng, args, stories)
        session.add(Meta(key=MARKER, value=_fingerprint(args)))
    print(
        f"synthesised {len(articles):,} articles, {len(stories):,} stories, "
        f"{len(named):,} entity links and {len(tagged):,} hashtag links "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return user_id


def _reader(session: Any, rng: random.Random, args: argparse.Namespace, stories: list[Any]) -> int:
    """The reader, their 200 follows, their mutes and what they read."""
    user = User(
        email="reader@bench.test",
        name="Bench Reader",
        name_key="bench reader",
        password_hash="-",
        role="reader",
        status="active",
        preferences={},
        feed_secret="bench-secret",
        created_at=NOW,
        password_changed_at=NOW,
    )
    session.add(user)
    session.flush()
    recent = [s["id"] for s in stories if s["last_at"] > NOW - timedelta(days=14)]
    follows: set[tuple[str, str, str]] = set()
    for kind, count, pick in (
        ("outlet", 40, lambda: f"outlet-{zipf_choice(rng, args.outlets, 1.05) + 1:03d}"),
        ("entity", 60, lambda: str(rng.randint(1, 600))),
        ("hashtag", 40, lambda: f"tag{rng.randint(1, 300)}"),
        (
            "story",
            40,
            lambda: str(rng.choice(recent) if rng.random() < 0.8 else rng.randint(1, args.stories)),
        ),
        ("storyline", 20, lambda: str(rng.randint(1, args.stories // 15))),
    ):
        chosen: set[tuple[str, str, str]] = set()
        while len(chosen) < count:
            chosen.add(("follow", kind, pick()))
        follows |= chosen
    follows |= {("mute", "outlet", f"outlet-{n:03d}") for n in (250, 260, 270)}
    follows |= {("mute", "hashtag", f"tag{n}") for n in (900, 950)}
    follows |= {("mute", "word", w) for w in ("gossip", "celebrity", "horoscope", "quiz", "recipe")}
    session.execute(
        insert(Follow),
        [
            {"user_id": user.id, "mode": m, "kind": k, "target": t, "created_at": NOW}
            for m, k, t in sorted(follows)
        ],
    )
    read = rng.sample(range(1, args.articles + 1), min(2000, args.articles))
    session.execute(
        insert(ReadingMark),
        [{"user_id": user.id, "article_id": a, "read_at": NOW, "updated_at": NOW} for a in read],
    )
    following = sum(1 for m, _, _ in follows if m == "follow")
    print(f"the reader follows {following} things and mutes {len(follows) - following}")
    return int(user.id)


def _fingerprint(args: argparse.Namespace) -> str:
    return json.dumps([args.articles, args.outlets, args.stories])


def prepare(database: Database, args: argparse.Namespace) -> int:
    """The reader's id in a database holding the synthetic news (made when missing)."""
    with database.read() as session:
        marker = session.get(Meta, MARKER)
        has_articles = session.execute(select(Article.id).limit(1)).first() is not None
        if marker is not None and marker.value == _fingerprint(args):
            user = session.execute(select(User.id).where(User.email == "reader@bench.test"))
            return int(user.scalar_one())
    if has_articles:
        raise SystemExit("that database holds other articles: give the benchmark an empty one")
    return synthesise(database, args)


def time_calls(database: Database, runs: int, call: Callable[[Any], Any]) -> list[float]:
    """Milliseconds of ``runs`` calls, each in a new read session, after two warm-ups."""
    out = []
    for n in range(runs + 2):
        with database.read() as session:
            started = time.perf_counter()
            call(session)
            elapsed = (time.perf_counter() - started) * 1000
        if n >= 2:
            out.append(elapsed)
    return out


@contextmanager
def statements(database: Database) -> Iterator[list[tuple[float, str, Any]]]:
    """Every SQL statement run meanwhile, with its milliseconds and parameters."""
    found: list[tuple[float, str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        elapsed = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
        found.append((elapsed, statement, parameters))

    engine = database.read_engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def show_queries(database: Database, user_id: int) -> None:
    with statements(database) as found, database.read() as session:
        personal_feed(session, user_id, now=NOW)
    for elapsed, statement, parameters in found:
        print(f"\n{elapsed:8.2f} ms  {' '.join(statement.split())[:300]}")
        if statement.lstrip().upper().startswith("SELECT"):
            explain = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
            with database.read_engine.connect() as connection:
                raw = connection.connection.cursor()
                raw.execute(explain + statement, parameters)
                for row in raw.fetchall():
                    print("          plan:", " ".join(str(c) for c in row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--outlets", type=int, default=300)
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=50, help="calls timed per workload")
    parser.add_argument("--home", type=Path, help="folder of the SQLite file (kept between runs)")
    parser.add_argument("--postgres", help="an empty PostgreSQL database's SQLAlchemy URL")
    parser.add_argument("--index", choices=sorted(INDEXES), help="add this index first")
    parser.add_argument("--queries", action="store_true", help="print each statement and plan")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        home = args.home or Path(scratch)
        home.mkdir(parents=True, exist_ok=True)
        url = args.postgres or f"sqlite:///{(home / 'storyline.db').resolve()}"
        database = Database(url)
        try:
            database.migrate()
            user_id = prepare(database, args)
            if args.index:
                table, columns = INDEXES[args.index]
                with database.write() as session:
                    session.execute(text(f"CREATE INDEX bench_{args.index} ON {table} ({columns})"))
            # Statistics for the planners, and on PostgreSQL the visibility map that
            # index-only scans need: what autovacuum gives a database that has been up.
            engine = database.write_engine.execution_options(isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(text("ANALYZE" if database.is_sqlite else "VACUUM ANALYZE"))
            run(database, user_id, args)
        finally:
            if args.index:  # the kept database goes back to the schema's indexes
                with database.write() as session:
                    session.execute(text(f"DROP INDEX IF EXISTS bench_{args.index}"))
            database.dispose()


def run(database: Database, user_id: int, args: argparse.Namespace) -> None:
    with database.read() as session:
        first = personal_feed(session, user_id, now=NOW)
    reasons = {r.split(" ")[-1] for s in first["stories"] for r in s["reasons"]}
    print(
        f"first page: {len(first['stories'])} stories, next offset {first['next_offset']}, "
        f"{len(reasons)} distinct reasons"
    )
    if args.queries:
        show_queries(database, user_id)
    baseline = time_calls(database, args.runs, lambda s: stories_list(s, limit=30, now=NOW))
    rows = [
        ("feed, first page", lambda s: personal_feed(s, user_id, now=NOW)),
        ("feed, second page", lambda s: personal_feed(s, user_id, now=NOW, offset=30)),
        ("feed, unread only", lambda s: personal_feed(s, user_id, now=NOW, unread_only=True)),
        ("feed, deep page (offset 900)", lambda s: personal_feed(s, user_id, now=NOW, offset=900)),
    ]
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{engine}, {args.articles:,} articles, {args.runs} calls per workload")
    header = ("workload", "p50 ms", "p99 ms", "ratio p50", "ratio p99")
    print(f"{header[0]:30}" + "".join(f"{h:>11}" for h in header[1:]))
    b50, b99 = statistics.median(baseline), percentile(baseline, 0.99)
    print(f"{'baseline: stories_list(30)':30}{b50:11.2f}{b99:11.2f}{1:11.2f}{1:11.2f}")
    for name, call in rows:
        values = time_calls(database, args.runs, call)
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        print(f"{name:30}{p50:11.2f}{p99:11.2f}{p50 / b50:11.2f}{p99 / b99:11.2f}")


if __name__ == "__main__":
    main()
