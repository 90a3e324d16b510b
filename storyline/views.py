"""The JSON shapes Storyline shows: one function per view, shared by the web pages,
their ``/api/`` twins and the CLI's ``--json`` output, so the three always agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storyline.store.schema import Article

EXCERPT_CHARS = 280


def iso(value: datetime | None) -> str | None:
    """ISO-8601 in UTC with a ``Z``: ``2025-06-08T13:00:00Z``."""
    if value is None:
        return None
    text = value.isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    first = text.split("\n\n", 1)[0]
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:—- ") + "…"


def article_summary(article: Article) -> dict[str, Any]:
    """One article in a list: ``GET /api/articles`` and ``storyline articles --json``."""
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet.name if article.outlet else None,
        "published_at": iso(article.published_at),
        "url": article.canonical_url,
        "byline": article.byline,
        "language": article.language,
        "fetched_at": iso(article.fetched_at),
        "updated_at": iso(article.updated_at),
        "revision": article.revision,
        "excerpt": excerpt(article.text),
    }


def article_detail(article: Article) -> dict[str, Any]:
    """One whole article: ``GET /api/articles/{id}`` and ``storyline articles ID --json``.

    ``text`` is the body as plain text, blocks separated by blank lines; each block's
    ``start`` and ``end`` are character offsets into it.
    """
    data = article_summary(article)
    data.update(
        {
            "site_name": article.site_name,
            "image_url": article.image_url,
            "notes": list(article.notes or []),
            "text": article.text,
            "blocks": [
                {
                    "kind": block.kind,
                    "text": block.text,
                    "start": block.start,
                    "end": block.start + len(block.text),
                }
                for block in article.blocks
            ],
            "links": [
                {"kind": link.kind, "text": link.text, "url": link.url} for link in article.links
            ],
        }
    )
    return data
