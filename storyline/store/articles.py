"""Saving and reading articles: the identity rules live here.

An incoming article is the same as a stored one when (1) their canonical URLs are equal,
else (2) their content fingerprints are equal (outlet, title and text, normalised). A
stored article whose title or text has changed gets a new revision; one that has not
changed is left alone, so importing anything twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from storyline.model import ArticleDraft, Block, content_fingerprint
from storyline.store.schema import (
    Article,
    ArticleBlock,
    ArticleLink,
    ArticleRevision,
    ArticleSource,
    Outlet,
    Source,
)


class SaveStatus(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    REVISED = "revised"


@dataclass(frozen=True)
class SaveResult:
    article_id: int
    status: SaveStatus


@dataclass(frozen=True)
class ListCursor:
    """Where a page of the article list ends: keyset pagination, cheap at any depth."""

    listed_at: datetime
    article_id: int

    def encode(self) -> str:
        return f"{self.listed_at.strftime('%Y%m%dT%H%M%S.%fZ')}_{self.article_id}"

    @classmethod
    def decode(cls, value: str) -> ListCursor:
        try:
            stamp, article_id = value.rsplit("_", 1)
            listed_at = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
            return cls(listed_at, int(article_id))
        except ValueError as exc:
            raise ValueError(f"not a list cursor: {value!r}") from exc


def save_article(
    session: Session,
    draft: ArticleDraft,
    *,
    source_kind: str,
    source_locator: str,
    external_id: str | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Store ``draft`` once: create it, revise it, or leave it as it is."""
    now = now or datetime.now(UTC)
    text = draft.text
    fingerprint = content_fingerprint(draft.outlet, draft.title, text)
    source_id = ensure_source(session, source_kind, source_locator)
    outlet_id = ensure_outlet(session, draft.outlet) if draft.outlet else None

    article = _find_existing(session, draft.url, fingerprint)
    if article is None:
        article = _insert_article(session, draft, text, fingerprint, outlet_id, now)
        if article is None:  # lost a race with another writer: it is there now
            article = _find_existing(session, draft.url, fingerprint)
            assert article is not None
            status = SaveStatus.UNCHANGED
        else:
            status = SaveStatus.CREATED
    elif article.fingerprint != fingerprint:
        _revise(session, article, draft, text, fingerprint, now)
        status = SaveStatus.REVISED
    else:
        status = SaveStatus.UNCHANGED
    _link_source(session, article.id, source_id, external_id, now)
    return SaveResult(article.id, status)


def add_article_source(
    session: Session,
    article_id: int,
    source_kind: str,
    source_locator: str,
    external_id: str | None,
    now: datetime,
) -> None:
    """Record that one more source carried an already stored article."""
    source_id = ensure_source(session, source_kind, source_locator)
    _link_source(session, article_id, source_id, external_id, now)


def _link_source(
    session: Session, article_id: int, source_id: int, external_id: str | None, now: datetime
) -> None:
    insert_ignore(
        session,
        ArticleSource,
        {
            "article_id": article_id,
            "source_id": source_id,
            "external_id": external_id,
            "first_seen_at": now,
        },
        ["article_id", "source_id"],
    )


def ensure_outlet(session: Session, name: str) -> int:
    slug = slugify(name)
    query = select(Outlet.id).where(Outlet.slug == slug)
    found = session.execute(query).scalar_one_or_none()
    if found is not None:  # the common case: one statement
        return found
    insert_ignore(
        session,
        Outlet,
        {"name": name.strip(), "slug": slug, "created_at": datetime.now(UTC)},
        ["slug"],
    )
    return session.execute(query).scalar_one()


def get_article(session: Session, article_id: int) -> Article | None:
    return session.get(Article, article_id)


def list_articles(
    session: Session,
    *,
    limit: int | None = 50,
    after: ListCursor | None = None,
    outlet_slug: str | None = None,
) -> list[Article]:
    """Newest first (publication time, else fetch time), ``limit`` None for all."""
    query: Select[Article] = (
        select(Article)
        .options(lazyload(Article.blocks), lazyload(Article.links))  # a list needs neither
        .order_by(Article.listed_at.desc(), Article.id.desc())
    )
    if after is not None:
        query = query.where(
            or_(
                Article.listed_at < after.listed_at,
                and_(Article.listed_at == after.listed_at, Article.id < after.article_id),
            )
        )
    if outlet_slug is not None:
        query = query.join(Outlet).where(Outlet.slug == outlet_slug)
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).unique().scalars())


def count_articles(session: Session) -> int:
    return session.execute(select(func.count(Article.id))).scalar_one()


def list_revisions(session: Session, article_id: int) -> list[ArticleRevision]:
    query = (
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article_id)
        .order_by(ArticleRevision.number)
    )
    return list(session.execute(query).scalars())


def slugify(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or "outlet"


def _find_existing(session: Session, url: str | None, fingerprint: str) -> Article | None:
    if url:
        found = session.execute(
            select(Article).where(Article.canonical_url == url)
        ).scalar_one_or_none()
        if found is not None:
            return found
    return session.execute(
        select(Article).where(Article.fingerprint == fingerprint).order_by(Article.id).limit(1)
    ).scalar_one_or_none()


def _insert_article(
    session: Session,
    draft: ArticleDraft,
    text: str,
    fingerprint: str,
    outlet_id: int | None,
    now: datetime,
) -> Article | None:
    article = Article(
        canonical_url=draft.url,
        fingerprint=fingerprint,
        title=draft.title,
        byline=draft.byline,
        outlet_id=outlet_id,
        published_at=draft.published_at,
        fetched_at=now,
        listed_at=draft.published_at or now,
        language=draft.language,
        site_name=draft.site_name,
        image_url=draft.image_url,
        text=text,
        notes=list(draft.notes),
        revision=1,
        created_at=now,
        updated_at=now,
    )
    article.blocks = _block_rows(draft.blocks)
    article.links = [
        ArticleLink(position=i, kind=link.kind, text=link.text, url=link.url)
        for i, link in enumerate(draft.links)
    ]
    # Another writer may insert the same article between the lookup and this insert only
    # on PostgreSQL: a SQLite write transaction (BEGIN IMMEDIATE) excludes every other
    # writer, so there the savepoint (two more statements per article) is not needed.
    concurrent = session.get_bind().dialect.name != "sqlite"
    try:
        with session.begin_nested() if concurrent else nullcontext():
            session.add(article)
            session.flush()
    except IntegrityError:
        if not concurrent:
            raise
        return None
    session.add(_revision_row(article.id, 1, draft, text, fingerprint, now))
    return article


def _revise(
    session: Session,
    article: Article,
    draft: ArticleDraft,
    text: str,
    fingerprint: str,
    now: datetime,
) -> None:
    article.revision += 1
    article.title = draft.title
    article.text = text
    article.fingerprint = fingerprint
    article.updated_at = now
    article.byline = draft.byline or article.byline
    article.blocks = _block_rows(draft.blocks)
    article.links = [
        ArticleLink(position=i, kind=link.kind, text=link.text, url=link.url)
        for i, link in enumerate(draft.links)
    ]
    session.add(_revision_row(article.id, article.revision, draft, text, fingerprint, now))
    session.flush()


def _block_rows(blocks: tuple[Block, ...]) -> list[ArticleBlock]:
    rows = []
    start = 0
    for position, block in enumerate(blocks):
        rows.append(
            ArticleBlock(position=position, kind=str(block.kind), start=start, text=block.text)
        )
        start += len(block.text) + 2  # blocks are joined by a blank line
    return rows


def _revision_row(
    article_id: int,
    number: int,
    draft: ArticleDraft,
    text: str,
    fingerprint: str,
    now: datetime,
) -> ArticleRevision:
    return ArticleRevision(
        article_id=article_id,
        number=number,
        title=draft.title,
        text=text,
        blocks=[{"kind": str(b.kind), "text": b.text} for b in draft.blocks],
        fingerprint=fingerprint,
        created_at=now,
    )


def ensure_source(session: Session, kind: str, locator: str) -> int:
    query = select(Source.id).where(Source.kind == kind, Source.locator == locator)
    found = session.execute(query).scalar_one_or_none()
    if found is not None:  # the common case: one statement
        return found
    insert_ignore(
        session,
        Source,
        {"kind": kind, "locator": locator, "created_at": datetime.now(UTC)},
        ["kind", "locator"],
    )
    return session.execute(query).scalar_one()


def insert_ignore(
    session: Session, model: type[Any], values: dict[str, Any], conflict: list[str]
) -> None:
    """INSERT … ON CONFLICT DO NOTHING on either database."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
    )
    session.execute(statement)
