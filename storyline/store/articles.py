"""Saving and reading articles: the identity rules live here.

An incoming article is the same as a stored one when (1) their canonical URLs are equal,
else (2) their content fingerprints are equal (outlet, title and text, normalised). A
stored article whose title or text has changed gets a new revision; one that has not
changed is left alone, so importing anything twice changes nothing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from storyline.model import ArticleDraft, content_fingerprint
from storyline.store.schema import (
    MAX_ID,
    Article,
    ArticleBlock,
    ArticleLink,
    ArticleRevision,
    ArticleSource,
    Base,
    Outlet,
    Source,
)

# The tables themselves, for the Core statements of the save path.
_ARTICLES = Base.metadata.tables[Article.__tablename__]
_BLOCKS = Base.metadata.tables[ArticleBlock.__tablename__]
_LINKS = Base.metadata.tables[ArticleLink.__tablename__]
_REVISIONS = Base.metadata.tables[ArticleRevision.__tablename__]
# Looking up a source or an outlet by its unique columns; built once, run with parameters.
_OUTLET_ID = select(Outlet.id).where(Outlet.slug == bindparam("slug"))
_SOURCE_ID = select(Source.id).where(
    Source.kind == bindparam("kind"), Source.locator == bindparam("locator")
)
# What saving needs of a stored article, found by its address or by its fingerprint.
_STORED_COLUMNS = (
    _ARTICLES.c.id,
    _ARTICLES.c.fingerprint,
    _ARTICLES.c.revision,
    _ARTICLES.c.byline,
)
_STORED_BY_URL = select(*_STORED_COLUMNS).where(_ARTICLES.c.canonical_url == bindparam("url"))
_STORED_BY_FINGERPRINT = (
    select(*_STORED_COLUMNS)
    .where(_ARTICLES.c.fingerprint == bindparam("fingerprint"))
    .order_by(_ARTICLES.c.id)
    .limit(1)
)
# Where ids of sources and outlets are kept: the connection's and the session's info.
_KNOWN_IDS = "storyline.known_ids"
_INSERTED_HERE = "storyline.inserted_ids"


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
            number = int(article_id)
            if not 0 <= number <= MAX_ID:  # beyond what the database's ids can hold
                raise ValueError(article_id)
            return cls(listed_at, number)
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
    """Store ``draft`` once: create it, revise it, or leave it as it is.

    In Core statements on the tables: the ORM would load the stored article with its
    outlet, every block and every link just to compare one fingerprint, and build an
    object per block to insert them (about half the cost of ingesting a page's article).
    """
    now = now or datetime.now(UTC)
    text = draft.text
    fingerprint = content_fingerprint(draft.outlet, draft.title, text)
    source_id = ensure_source(session, source_kind, source_locator)
    outlet_id = ensure_outlet(session, draft.outlet) if draft.outlet else None

    stored = _find_existing(session, draft.url, fingerprint)
    if stored is None:
        article_id = _insert_article(session, draft, text, fingerprint, outlet_id, now)
        if article_id is None:  # lost a race with another writer: it is there now
            stored = _find_existing(session, draft.url, fingerprint)
            assert stored is not None
            article_id, status = stored.id, SaveStatus.UNCHANGED
        else:
            status = SaveStatus.CREATED
    elif stored.fingerprint != fingerprint:
        article_id, status = stored.id, SaveStatus.REVISED
        _revise(session, stored, draft, text, fingerprint, now)
    else:
        article_id, status = stored.id, SaveStatus.UNCHANGED
    _link_source(session, article_id, source_id, external_id, now)
    return SaveResult(article_id, status)


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
    return _ensure_row(
        session,
        ("outlet", slug),
        _OUTLET_ID,
        {"slug": slug},
        Outlet,
        {"name": name.strip(), "created_at": datetime.now(UTC)},
    )


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


@dataclass(frozen=True)
class _Stored:
    """What saving needs of an article already stored: who it is and what it says."""

    id: int
    fingerprint: str
    revision: int
    byline: str | None


def _find_existing(session: Session, url: str | None, fingerprint: str) -> _Stored | None:
    row = session.execute(_STORED_BY_URL, {"url": url}).first() if url else None
    if row is None:
        row = session.execute(_STORED_BY_FINGERPRINT, {"fingerprint": fingerprint}).first()
    return _Stored(*row) if row is not None else None


def _insert_article(
    session: Session,
    draft: ArticleDraft,
    text: str,
    fingerprint: str,
    outlet_id: int | None,
    now: datetime,
) -> int | None:
    """The new article's id, or None when another writer stored it first (PostgreSQL)."""
    statement = (
        insert(_ARTICLES)
        .values(
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
        .returning(_ARTICLES.c.id)
    )
    # Another writer may insert the same article between the lookup and this insert only
    # on PostgreSQL: a SQLite write transaction (BEGIN IMMEDIATE) excludes every other
    # writer, so there the savepoint (two more statements per article) is not needed.
    concurrent = session.get_bind().dialect.name != "sqlite"
    try:
        with session.begin_nested() if concurrent else nullcontext():
            article_id: int = session.execute(statement).scalar_one()
    except IntegrityError:
        if not concurrent:
            raise
        return None
    _insert_body(session, article_id, draft)
    _insert_revision(session, article_id, 1, draft, text, fingerprint, now)
    return article_id


def _revise(
    session: Session,
    stored: _Stored,
    draft: ArticleDraft,
    text: str,
    fingerprint: str,
    now: datetime,
) -> None:
    revision = stored.revision + 1
    session.execute(
        update(_ARTICLES)
        .where(_ARTICLES.c.id == stored.id)
        .values(
            revision=revision,
            title=draft.title,
            text=text,
            fingerprint=fingerprint,
            updated_at=now,
            byline=draft.byline or stored.byline,
        )
    )
    session.execute(delete(_BLOCKS).where(_BLOCKS.c.article_id == stored.id))
    session.execute(delete(_LINKS).where(_LINKS.c.article_id == stored.id))
    _insert_body(session, stored.id, draft)
    _insert_revision(session, stored.id, revision, draft, text, fingerprint, now)


def _insert_body(session: Session, article_id: int, draft: ArticleDraft) -> None:
    """The article's blocks, with their offsets into its text, and its links."""
    blocks = []
    start = 0
    for position, block in enumerate(draft.blocks):
        blocks.append(
            {
                "article_id": article_id,
                "position": position,
                "kind": str(block.kind),
                "start": start,
                "text": block.text,
            }
        )
        start += len(block.text) + 2  # blocks are joined by a blank line
    if blocks:
        session.execute(insert(_BLOCKS), blocks)
    links = [
        {
            "article_id": article_id,
            "position": i,
            "kind": link.kind,
            "text": link.text,
            "url": link.url,
        }
        for i, link in enumerate(draft.links)
    ]
    if links:
        session.execute(insert(_LINKS), links)


def _insert_revision(
    session: Session,
    article_id: int,
    number: int,
    draft: ArticleDraft,
    text: str,
    fingerprint: str,
    now: datetime,
) -> None:
    session.execute(
        insert(_REVISIONS).values(
            article_id=article_id,
            number=number,
            title=draft.title,
            text=text,
            blocks=[{"kind": str(b.kind), "text": b.text} for b in draft.blocks],
            fingerprint=fingerprint,
            created_at=now,
        )
    )


def ensure_source(session: Session, kind: str, locator: str) -> int:
    return _ensure_row(
        session,
        ("source", kind, locator),
        _SOURCE_ID,
        {"kind": kind, "locator": locator},
        Source,
        {"created_at": datetime.now(UTC)},
    )


def _ensure_row(
    session: Session,
    key: tuple[str, ...],
    query: Select[Any],
    unique: dict[str, Any],
    model: type[Any],
    values: dict[str, Any],
) -> int:
    """The id of the row ``query`` finds by its ``unique`` columns, inserted with them and
    ``values`` when there is none.

    Ids are kept per database connection, since every article asks for its source and
    outlet again. Storyline never deletes a source or an outlet, so an id that another
    transaction committed stays right for good; one inserted by this session is only kept
    from a later transaction on, as a rollback would take the row away again.
    """
    known: dict[tuple[str, ...], int] = session.connection().info.setdefault(_KNOWN_IDS, {})
    if key in known:
        return known[key]
    found: int | None = session.execute(query, unique).scalar_one_or_none()
    if found is None:
        insert_ignore(session, model, unique | values, list(unique))
        session.info.setdefault(_INSERTED_HERE, set()).add(key)
        inserted: int = session.execute(query, unique).scalar_one()
        return inserted
    if key not in session.info.get(_INSERTED_HERE, ()):
        known[key] = found
    return found


def hold_articles(
    session: Session,
    query: Any,
    model: type[Any],
    placeholder: dict[str, Any],
    until: datetime,
) -> list[int]:
    """Lease the articles ``query`` selects (rows of article id and the id of ``model``'s
    row, ``None`` when there is none) until ``until``, and return their ids.

    A held article's row gets ``lease_until``; an article without a row gets a placeholder
    row (``placeholder`` plus the lease). On PostgreSQL the selected articles are locked
    with ``SKIP LOCKED``, so that concurrent workers take different ones.
    """
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Article)
    rows = session.execute(query).all()
    for article_id, existing in rows:
        if existing is None:
            values = {**placeholder, "article_id": article_id, "lease_until": until}
            insert_ignore(session, model, values, ["article_id"])
    held = [article_id for article_id, existing in rows if existing is not None]
    if held:
        session.execute(update(model).where(model.article_id.in_(held)).values(lease_until=until))
    return [article_id for article_id, _ in rows]


def insert_ignore(
    session: Session, model: type[Any], values: dict[str, Any], conflict: list[str]
) -> None:
    """INSERT … ON CONFLICT DO NOTHING on either database."""
    dialect = session.get_bind().dialect.name
    session.execute(_insert_ignoring(dialect, model.__tablename__, tuple(conflict)), values)


@functools.lru_cache(maxsize=64)
def _insert_ignoring(dialect: str, table: str, conflict: tuple[str, ...]) -> Any:
    """The statement for :func:`insert_ignore`, built once per table; its values are
    parameters of each execution."""
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(Base.metadata.tables[table])
    return statement.on_conflict_do_nothing(index_elements=list(conflict))
