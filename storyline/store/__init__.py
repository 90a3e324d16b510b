"""The store: the only way the rest of Storyline reaches the database."""

from storyline.store.articles import (
    ListCursor,
    SaveResult,
    SaveStatus,
    add_article_source,
    count_articles,
    ensure_outlet,
    get_article,
    list_articles,
    list_revisions,
    save_article,
    slugify,
)
from storyline.store.db import Database

__all__ = [
    "Database",
    "ListCursor",
    "SaveResult",
    "SaveStatus",
    "add_article_source",
    "count_articles",
    "ensure_outlet",
    "get_article",
    "list_articles",
    "list_revisions",
    "save_article",
    "slugify",
]
