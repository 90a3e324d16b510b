"""The web app's lean reads give the views exactly what the store's ORM reads give them.

Run on SQLite and on PostgreSQL: the API's promise that it equals ``storyline articles
--json`` rests on this.
"""

from __future__ import annotations

from storyline.store import Database, ListCursor, get_article, list_articles
from storyline.store.reads import read_article, read_article_list
from storyline.views import article_detail, article_summary
from tests.web.conftest import seed_articles


def test_read_article_matches_the_orm_view(database: Database) -> None:
    seeded = seed_articles(database)
    with database.read() as session:
        for article_id in seeded.ids.values():
            orm = get_article(session, article_id)
            lean = read_article(session, article_id)
            assert orm is not None and lean is not None
            assert article_detail(lean) == article_detail(orm)
        assert read_article(session, max(seeded.ids.values()) + 1) is None


def test_read_article_list_matches_list_articles(database: Database) -> None:
    seed_articles(database)
    with database.read() as session:
        everything = [article_summary(a) for a in list_articles(session, limit=None)]
        assert [article_summary(a) for a in read_article_list(session, limit=100)] == everything
        first = read_article_list(session, limit=2)
        cursor = ListCursor(first[-1].listed_at, first[-1].id)
        rest = read_article_list(session, limit=100, after=cursor)
        assert [a.id for a in first + rest] == [item["id"] for item in everything]
        by_outlet = read_article_list(session, limit=100, outlet_slug="kestrel-valley-courier")
        store = list_articles(session, limit=None, outlet_slug="kestrel-valley-courier")
        assert [a.id for a in by_outlet] == [a.id for a in store]
        assert len(by_outlet) == 2
