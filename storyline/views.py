"""The JSON shapes Storyline shows: one function per view, shared by the web pages,
their ``/api/`` twins and the CLI's ``--json`` output, so the three always agree."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from storyline.revisions import compare_revisions
from storyline.store.schema import Article, ArticleRevision, Outlet

if TYPE_CHECKING:
    from storyline.store.analysis import AnalysisRecord, EntityPage

EXCERPT_CHARS = 280


class _NamedOutlet(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def slug(self) -> str: ...


class _BlockRow(Protocol):
    @property
    def position(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def text(self) -> str: ...


class _LinkRow(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def url(self) -> str | None: ...


class ArticleRow(Protocol):
    """What the views read of an article: the store's ORM row, or the web app's lean
    record (:mod:`storyline.store.reads`), which carry the same attributes."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def outlet(self) -> _NamedOutlet | None: ...
    @property
    def published_at(self) -> datetime | None: ...
    @property
    def canonical_url(self) -> str | None: ...
    @property
    def byline(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def fetched_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def revision(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def site_name(self) -> str | None: ...
    @property
    def image_url(self) -> str | None: ...
    @property
    def notes(self) -> Sequence[str] | None: ...
    @property
    def blocks(self) -> Sequence[_BlockRow]: ...
    @property
    def links(self) -> Sequence[_LinkRow]: ...


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


def article_summary(article: ArticleRow) -> dict[str, Any]:
    """One article in a list: ``GET /api/articles`` and ``storyline articles --json``."""
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet.name if article.outlet else None,
        "outlet_slug": article.outlet.slug if article.outlet else None,
        "published_at": iso(article.published_at),
        "url": article.canonical_url,
        "byline": article.byline,
        "language": article.language,
        "fetched_at": iso(article.fetched_at),
        "updated_at": iso(article.updated_at),
        "revision": article.revision,
        "excerpt": excerpt(article.text),
    }


def article_detail(article: ArticleRow, analysis: AnalysisRecord | None = None) -> dict[str, Any]:
    """One whole article: ``GET /api/articles/{id}`` and ``storyline articles ID --json``.

    ``text`` is the body as plain text, blocks separated by blank lines; each block's
    ``start`` and ``end`` are character offsets into it, and its ``id`` (``b0``, ``b1``…)
    is the anchor the article page gives it, so a later feature can point at a block.
    The understanding stage's findings (:func:`analysis_fields`) follow, with offsets into
    the same ``text``.
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
                    "id": f"b{block.position}",
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
    data.update(analysis_fields(article, analysis))
    return data


def analysis_fields(article: ArticleRow, analysis: AnalysisRecord | None) -> dict[str, Any]:
    """What the understanding stage found in an article, for its JSON and its page.

    ``analyzed`` says whether the current revision has been analysed: an article waiting
    for its analysis, or revised since (the old offsets no longer fit its text), has empty
    lists, not missing keys. The language is the detected one once the text is analysed.
    """
    if analysis is None or analysis.revision != article.revision:
        return {
            "analyzed": False,
            "entities": [],
            "quotes": [],
            "timexes": [],
            "timeline": [],
            "hashtags": [],
            "key_phrases": [],
        }
    text = article.text
    fields: dict[str, Any] = {
        "analyzed": True,
        "entities": [
            {
                "id": entity.id,
                "name": entity.name,
                "type": entity.type,
                "mentions": [
                    {"start": start, "end": end, "text": text[start:end]} for start, end in spans
                ],
            }
            for entity, spans in analysis.entities
        ],
        "quotes": analysis.quotes,
        "timexes": analysis.data.get("timexes", []),
        "timeline": analysis.data.get("timeline", []),
        "hashtags": [tag for tag, _ in analysis.hashtags],
        "key_phrases": [phrase["text"] for phrase in analysis.data.get("key_phrases", [])],
    }
    if analysis.language and analysis.language != "und":
        fields["language"] = analysis.language
    return fields


def entity_page_view(page: EntityPage) -> dict[str, Any]:
    """An entity, the articles that mention it and its quotes: ``/entities/{id}`` and twin."""
    entity = page.entity
    return {
        "entity": {
            "id": entity.id,
            "name": entity.name,
            "type": entity.type,
            "merged": [{"id": merged_id, "name": name} for merged_id, name in page.absorbed],
        },
        "articles": [article_summary(article) for article in page.articles],
        "quotes": [
            {**quote, "article_id": article_id, "article_title": title}
            for article_id, title, quote in page.quotes
        ],
    }


def hashtag_view(tag: str, key: str, articles: Sequence[ArticleRow]) -> dict[str, Any]:
    """A hashtag and its newest articles: ``/tags/{name}`` and its twin."""
    return {
        "hashtag": {"tag": tag, "key": key},
        "articles": [article_summary(article) for article in articles],
    }


def outlet_view(outlet: Outlet) -> dict[str, Any]:
    """An outlet, as ``GET /api/outlets/{slug}`` shows it above its articles."""
    return {"name": outlet.name, "slug": outlet.slug, "homepage_url": outlet.homepage_url}


def outlet_articles(outlet: Outlet, articles: Sequence[ArticleRow]) -> dict[str, Any]:
    """``GET /api/outlets/{slug}``: the outlet and one page of its articles, newest first."""
    return {"outlet": outlet_view(outlet), "articles": [article_summary(a) for a in articles]}


def revisions_view(article: Article, revisions: Sequence[ArticleRevision]) -> dict[str, Any]:
    """Every revision of an article, newest first, each with what changed since the one
    before: ``/articles/{id}/revisions`` and its JSON twin."""
    items: list[dict[str, Any]] = []
    previous: ArticleRevision | None = None
    for revision in revisions:
        changes = None
        if previous is not None:
            changes = compare_revisions(
                previous.title, previous.text, revision.title, revision.text
            ).as_dict()
        items.append(
            {
                "number": revision.number,
                "title": revision.title,
                "seen_at": iso(revision.created_at),
                "changes": changes,
            }
        )
        previous = revision
    return {
        "article": {"id": article.id, "title": article.title, "revision": article.revision},
        "revisions": list(reversed(items)),
    }
