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
from storyline.store.outlets import get_outlet, list_outlets
from storyline.store.reads import ArticleRecord, read_article, read_article_list

__all__ = [
    "ArticleRecord",
    "Database",
    "ListCursor",
    "SaveResult",
    "SaveStatus",
    "add_article_source",
    "count_articles",
    "ensure_outlet",
    "get_article",
    "get_outlet",
    "list_articles",
    "list_outlets",
    "list_revisions",
    "read_article",
    "read_article_list",
    "save_article",
    "slugify",
]
