"""Tables, as SQLAlchemy 2 declarative models.

The migrations in ``store/migrations/versions`` create exactly these tables; a test
compares the two so that they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# 64-bit keys on PostgreSQL (a 5M-article corpus and beyond), SQLite's rowid alias there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always handed back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; attach a timezone first")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Outlet(Base):
    """A publisher: "Los Angeles Times", "UPI"."""

    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    homepage_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Source(Base):
    """Where articles come from: a file given to ``storyline import``, later a feed."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("kind", "locator", name="uq_sources_kind_locator"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "file", "feed", "page"
    locator: Mapped[str] = mapped_column(Text)  # absolute path or URL
    title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Article(Base):
    """An article as it reads now; earlier versions are in :class:`ArticleRevision`."""

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_listed_at", "listed_at", "id"),
        # An outlet's page: its newest articles, at any depth of a large corpus.
        Index("ix_articles_outlet_listed", "outlet_id", "listed_at", "id"),
        Index(
            "uq_articles_fingerprint_without_url",
            "fingerprint",
            unique=True,
            sqlite_where=text("canonical_url IS NULL"),
            postgresql_where=text("canonical_url IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    canonical_url: Mapped[str | None] = mapped_column(Text, unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    byline: Mapped[str | None] = mapped_column(Text)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the article sorts in lists: its publication time, else when it was fetched.
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(16))
    site_name: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outlet: Mapped[Outlet | None] = relationship(lazy="joined")
    blocks: Mapped[list[ArticleBlock]] = relationship(
        order_by="ArticleBlock.position", cascade="all, delete-orphan", lazy="selectin"
    )
    links: Mapped[list[ArticleLink]] = relationship(
        order_by="ArticleLink.position", cascade="all, delete-orphan", lazy="selectin"
    )


class ArticleBlock(Base):
    """One typed block of the body; ``start`` is its offset into ``articles.text``."""

    __tablename__ = "article_blocks"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    start: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class ArticleLink(Base):
    """An outbound link ("Read also: …") kept apart from the body."""

    __tablename__ = "article_links"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)


class ArticleRevision(Base):
    """A stored version of an article's title and body. Number 1 is the first seen."""

    __tablename__ = "article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_article_revisions_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ArticleSource(Base):
    """Which sources carried an article: the same article from two feeds is stored once."""

    __tablename__ = "article_sources"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    external_id: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feed(Base):
    """A subscribed feed (RSS, Atom, JSON Feed, news sitemap) or a single page, and its state.

    The schedule lives here, not in the job queue: ``next_check_at`` says when the feed is
    due, and ``lease_until`` marks a check in flight. A worker that dies mid-check leaves an
    expired lease, and the next scheduler tick hands the feed out again.
    """

    __tablename__ = "feeds"
    __table_args__ = (Index("ix_feeds_due", "state", "next_check_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), unique=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    final_url: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(20))  # rss, atom, rdf, json, sitemap, page
    title: Mapped[str | None] = mapped_column(Text)
    site_url: Mapped[str | None] = mapped_column(Text)
    folder: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="active")  # active, paused
    paused_reason: Mapped[str | None] = mapped_column(Text)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    articles_total: Mapped[int] = mapped_column(Integer, default=0)
    articles_per_day: Mapped[float] = mapped_column(default=0.0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedEntry(Base):
    """An item seen in a feed, kept until it is stored as an article.

    Entries are written in the same transaction as the feed's new ETag, so a crash after a
    fetch can never lose an item behind a 304: pending entries are retried from here.
    """

    __tablename__ = "feed_entries"
    __table_args__ = (
        UniqueConstraint("feed_id", "entry_key", name="uq_feed_entries_key"),
        Index("ix_feed_entries_pending", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Host(Base):
    """Politeness per host, shared by every worker: the next free slot and robots.txt."""

    __tablename__ = "hosts"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_request_at: Mapped[datetime] = mapped_column(UTCDateTime)
    robots_txt: Mapped[str | None] = mapped_column(Text)
    robots_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Worker(Base):
    """A process doing background work; it refreshes ``last_seen_at`` while it lives."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(Text)
    pid: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))  # serve, worker
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Meta(Base):
    """Facts about this installation, such as whether the default feeds were subscribed."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
