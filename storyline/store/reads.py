"""The fast reads behind the web pages, in SQLAlchemy Core on the store's tables.

Why not :func:`storyline.store.get_article` and :func:`storyline.store.list_articles`?
Speed: building ORM objects for an article and its ~30 blocks costs about 1 ms, a third
of the article page's whole budget, and ``list_articles`` eagerly loads every block of
every listed article unless told not to. These reads return plain records with the
same attribute names as the ORM rows, so :mod:`storyline.views` builds the same dicts from
either, and the tests check the API against the CLI (which uses the ORM path).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from storyline.store.articles import ListCursor
from storyline.store.schema import Article, ArticleBlock, ArticleLink, Outlet

_ARTICLES = Article.__table__
_OUTLETS = Outlet.__table__
_BLOCKS = ArticleBlock.__table__
_LINKS = ArticleLink.__table__


@dataclass(frozen=True, slots=True)
class OutletRecord:
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class BlockRecord:
    position: int
    kind: str
    start: int
    text: str


@dataclass(frozen=True, slots=True)
class LinkRecord:
    kind: str
    text: str
    url: str | None


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """An article as the pages read it. Lists leave ``blocks`` and ``links`` empty."""

    id: int
    title: str
    outlet: OutletRecord | None
    published_at: datetime | None
    canonical_url: str | None
    byline: str | None
    language: str | None
    fetched_at: datetime
    updated_at: datetime
    listed_at: datetime
    revision: int
    text: str
    site_name: str | None
    image_url: str | None
    notes: list[str] | None
    blocks: tuple[BlockRecord, ...] = ()
    links: tuple[LinkRecord, ...] = ()


_COLUMNS = (
    _ARTICLES.c.id,
    _ARTICLES.c.title,
    _OUTLETS.c.name.label("outlet_name"),
    _OUTLETS.c.slug.label("outlet_slug"),
    _ARTICLES.c.published_at,
    _ARTICLES.c.canonical_url,
    _ARTICLES.c.byline,
    _ARTICLES.c.language,
    _ARTICLES.c.fetched_at,
    _ARTICLES.c.updated_at,
    _ARTICLES.c.listed_at,
    _ARTICLES.c.revision,
    _ARTICLES.c.text,
    _ARTICLES.c.site_name,
    _ARTICLES.c.image_url,
    _ARTICLES.c.notes,
)
_FROM = _ARTICLES.outerjoin(_OUTLETS, _ARTICLES.c.outlet_id == _OUTLETS.c.id)

# Built once: SQLAlchemy caches their compiled form, so a request only binds the id.
_ONE_ARTICLE = select(*_COLUMNS).select_from(_FROM).where(_ARTICLES.c.id == bindparam("id"))
_ITS_BLOCKS = (
    select(_BLOCKS.c.position, _BLOCKS.c.kind, _BLOCKS.c.start, _BLOCKS.c.text)
    .where(_BLOCKS.c.article_id == bindparam("id"))
    .order_by(_BLOCKS.c.position)
)
_ITS_LINKS = (
    select(_LINKS.c.kind, _LINKS.c.text, _LINKS.c.url)
    .where(_LINKS.c.article_id == bindparam("id"))
    .order_by(_LINKS.c.position)
)


def read_article(session: Session, article_id: int) -> ArticleRecord | None:
    """One article with its blocks and links: three primary-key lookups."""
    row = session.execute(_ONE_ARTICLE, {"id": article_id}).first()
    if row is None:
        return None
    blocks = tuple(BlockRecord(*r) for r in session.execute(_ITS_BLOCKS, {"id": article_id}))
    links = tuple(LinkRecord(*r) for r in session.execute(_ITS_LINKS, {"id": article_id}))
    return _record(row, blocks, links)


def read_article_list(
    session: Session,
    *,
    limit: int,
    after: ListCursor | None = None,
    outlet_slug: str | None = None,
) -> list[ArticleRecord]:
    """Newest first, as :func:`storyline.store.list_articles` orders and pages them."""
    query: Select[tuple[object, ...]] = (
        select(*_COLUMNS)
        .select_from(_FROM)
        .order_by(_ARTICLES.c.listed_at.desc(), _ARTICLES.c.id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(
            or_(
                _ARTICLES.c.listed_at < after.listed_at,
                and_(
                    _ARTICLES.c.listed_at == after.listed_at,
                    _ARTICLES.c.id < after.article_id,
                ),
            )
        )
    if outlet_slug is not None:
        query = query.where(_OUTLETS.c.slug == outlet_slug)
    return [_record(row, (), ()) for row in session.execute(query)]


def read_articles_by_ids(session: Session, article_ids: Sequence[int]) -> list[ArticleRecord]:
    """The listed articles (without blocks), in the order of ``article_ids``."""
    if not article_ids:
        return []
    query = select(*_COLUMNS).select_from(_FROM).where(_ARTICLES.c.id.in_(list(article_ids)))
    found = {row.id: _record(row, (), ()) for row in session.execute(query)}
    return [found[i] for i in article_ids if i in found]


def _record(
    row: Any, blocks: tuple[BlockRecord, ...], links: tuple[LinkRecord, ...]
) -> ArticleRecord:
    outlet = None if row.outlet_name is None else OutletRecord(row.outlet_name, row.outlet_slug)
    return ArticleRecord(
        id=row.id,
        title=row.title,
        outlet=outlet,
        published_at=row.published_at,
        canonical_url=row.canonical_url,
        byline=row.byline,
        language=row.language,
        fetched_at=row.fetched_at,
        updated_at=row.updated_at,
        listed_at=row.listed_at,
        revision=row.revision,
        text=row.text,
        site_name=row.site_name,
        image_url=row.image_url,
        notes=row.notes,
        blocks=blocks,
        links=links,
    )
