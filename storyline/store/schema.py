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
    LargeBinary,
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
# The largest id a key can hold: an id from outside beyond it names nothing, and is "not
# found" rather than an error of the database driver.
MAX_ID = 2**63 - 1


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


class Entity(Base):
    """A person, organisation or place, known across the corpus by one canonical name.

    ``key`` is the identity the analysis computes from the canonical name
    (:func:`storyline.understand.entities.entity_key`). An operator's merge points
    ``merged_into_id`` at the entity that absorbed this one; reads follow it.
    """

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(10))  # PERSON, ORG, PLACE
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntityAlias(Base):
    """A key under which an entity is known ("zelensky" for Volodymyr Zelensky).

    An alias shared by several entities is ambiguous and links nothing.
    """

    __tablename__ = "entity_aliases"

    alias: Mapped[str] = mapped_column(String(300), primary_key=True)
    entity_id: Mapped[int] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ArticleAnalysis(Base):
    """What the understanding stage found in one revision of an article.

    ``version`` is the analyser's version: ``storyline analyze`` redoes every article whose
    analysis is older than the running code or than the article's current revision.
    ``data`` holds what only the article's own page reads (time expressions, timeline, key
    phrases); entities, quotes and hashtags have their own tables because other pages
    query them. A worker reserving an article for analysis sets ``lease_until`` (on a
    placeholder row of version 0 when there is no analysis yet), so that no other worker
    is handed it until the lease expires.
    """

    __tablename__ = "article_analyses"
    __table_args__ = (Index("ix_article_analyses_stale", "version", "lease_until"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    analyzed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ArticleEntity(Base):
    """An entity named in an article, with where (``mentions``: ``[[start, end], …]``)."""

    __tablename__ = "article_entities"
    __table_args__ = (Index("ix_article_entities_entity", "entity_id", "article_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    mentions: Mapped[list[list[int]]] = mapped_column(JSON)


class QuoteRow(Base):
    """A quote in an article; ``entity_id`` is its speaker when the speaker is an entity."""

    __tablename__ = "quotes"
    __table_args__ = (Index("ix_quotes_entity", "entity_id", "article_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # direct, indirect
    speaker: Mapped[str | None] = mapped_column(Text)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(Text)
    cue: Mapped[str | None] = mapped_column(Text)
    source_start: Mapped[int | None] = mapped_column(Integer)
    source_end: Mapped[int | None] = mapped_column(Integer)
    cue_start: Mapped[int | None] = mapped_column(Integer)
    cue_end: Mapped[int | None] = mapped_column(Integer)


class Hashtag(Base):
    """A hashtag; ``key`` makes "#KurskOblast" and "#kurskoblast" one tag."""

    __tablename__ = "hashtags"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    tag: Mapped[str] = mapped_column(String(200))


class ArticleHashtag(Base):
    """A hashtag of an article; ``rank`` 0 is its best."""

    __tablename__ = "article_hashtags"
    __table_args__ = (Index("ix_article_hashtags_hashtag", "hashtag_id", "article_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    hashtag_id: Mapped[int] = mapped_column(
        ForeignKey("hashtags.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer)


class EntitySplit(Base):
    """An operator's split: in this article, the entity the analysis calls ``entity_key`` is
    ``entity_id`` instead. Re-analysing the article keeps the correction."""

    __tablename__ = "entity_splits"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    entity_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))


class ArticleVector(Base):
    """An article's sentence-embedding vector (float32, L2-normalised) for one revision.

    ``id`` grows with every write (a new revision's vector replaces the row), so that the
    nearest-neighbour index under ``STORYLINE_HOME`` catches up by reading the rows past
    the last id it holds, and is rebuilt from this table when lost or corrupt.
    """

    __tablename__ = "article_vectors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), unique=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(200))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class CopyKey(Base):
    """One LSH band key of an article's text signature: articles sharing a key are
    candidate copies of each other (:mod:`storyline.stories.copies`)."""

    __tablename__ = "copy_keys"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Storyline(Base):
    """The stories of one longer-running subject (the fight for a region, over weeks)."""

    __tablename__ = "storylines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    story_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("storylines.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Story(Base):
    """One event or development, as reported by one or more outlets.

    ``state`` is the clustering's summary of the story (its centroid, terms, people and
    places, time span), opaque to the store. A story found to be the same as another is
    merged: ``merged_into_id`` points at the survivor and reads follow it.
    """

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    storyline_id: Mapped[int | None] = mapped_column(ForeignKey("storylines.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    outlet_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Placement(Base):
    """Where one revision of an article stands among the others: its story, the text it is
    a copy of, and why it was grouped so.

    ``copy_group_id`` is the first stored article of its group of same-text articles (its
    own id when it has no copies); ``copy_of_id`` the member it was matched to and
    ``copy_relation`` how (``copy``, ``rewrite``, ``update``). ``version`` and
    ``lease_until`` work as on :class:`ArticleAnalysis`: version 0 is a worker's
    reservation of an article never placed before.
    """

    __tablename__ = "placements"
    __table_args__ = (
        Index("ix_placements_story", "story_id", "article_id"),
        Index("ix_placements_stale", "version", "lease_until"),
    )

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    copy_group_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    copy_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    copy_relation: Mapped[str | None] = mapped_column(String(10))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AiCache(Base):
    """One AI feature's result for one input (:mod:`storyline.store.ai_cache`).

    ``key`` is the sha256 of everything the result was made from (the feature, the
    engine, the model, the prompt and the source texts), so a changed input is a new key.
    """

    __tablename__ = "ai_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LlmUsage(Base):
    """Tokens the LLM endpoint used on one UTC ``day`` (``YYYY-MM-DD``), for the budget."""

    __tablename__ = "llm_usage"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    tokens: Mapped[int] = mapped_column(BigInteger, default=0)


# Readers: accounts, comments, moderation, follows, notifications (issue #7).


class User(Base):
    """A reader's account. ``role`` is ``reader``, ``moderator`` or ``admin``; ``status``
    is ``active``, ``suspended`` (until ``suspended_until``) or ``banned``."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(60))  # shown beside comments
    name_key: Mapped[str] = mapped_column(String(60), unique=True)  # case-folded name
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="reader")
    status: Mapped[str] = mapped_column(String(20), default="active")
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the reader asked for: notification kinds switched off, digest period, etc.
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The secret in the reader's personal Atom feed URL; replaced to revoke it.
    feed_secret: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserSession(Base):
    """A signed-in browser. The cookie carries a random token; only its sha256 is kept,
    so a copy of the database signs nobody in."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(64))


class ApiToken(Base):
    """A personal API token (``Authorization: Bearer …``); only its sha256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordReset(Base):
    """A password-reset link sent by mail; single use, short-lived; sha256 of its token."""

    __tablename__ = "password_resets"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invite(Base):
    """An invitation code for invite-only registration; sha256 of the code."""

    __tablename__ = "invites"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInFailure(Base):
    """One failed sign-in, by account (``account:<email>``) and by address
    (``address:<ip>``): what sign-in throttling counts, shared by every process."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Comment(Base):
    """A comment on an article or a story (``target_kind`` ``article`` or ``story``).

    ``body`` is the author's Markdown; ``html`` its sanitised rendering, made once when
    it is written. ``status``: ``visible``, ``held`` (waiting for a moderator; see
    ``held_reasons``), ``hidden`` (by a moderator), ``deleted`` (by its author or a
    moderator: its place is kept for its replies, its text is gone).
    """

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_target", "target_kind", "target_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(BigInteger)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="visible", index=True)
    held_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[int] = mapped_column(Integer, default=0)  # upvotes minus downvotes
    upvotes: Mapped[int] = mapped_column(Integer, default=0)
    downvotes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommentVote(Base):
    """One reader's vote on one comment: +1 or -1."""

    __tablename__ = "comment_votes"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(Base):
    """A reader's report of a comment, with a reason; open until a moderator acts."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("comment_id", "reporter_id", name="uq_reports_once"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(30))


class ModerationAction(Base):
    """What a moderator (or the automatic pre-moderation, ``moderator_id`` NULL) did, to
    which comment or account, and why: the moderation log."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    action: Mapped[str] = mapped_column(String(20))  # hold, approve, hide, delete, warn, ...
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Follow(Base):
    """Something a reader follows (``mode`` ``follow``) or mutes (``mode`` ``mute``).

    ``kind``: ``outlet`` (target: slug), ``story``, ``storyline``, ``entity`` (target: id),
    ``hashtag`` (target: the tag without ``#``, lower-cased) or ``word`` (mutes only).
    """

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "mode", "kind", "target", name="uq_follows_once"),
        Index("ix_follows_target", "kind", "target", "mode"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReadingMark(Base):
    """A reader's state of one article: read, bookmarked ("read later"), or both."""

    __tablename__ = "reading_marks"
    __table_args__ = (Index("ix_reading_marks_saved", "user_id", "saved_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoryDevelopment(Base):
    """Something notable that happened to a story: a new outlet covers it, a new story
    joins its storyline, a speaker quoted for the first time. ``key`` makes each one
    happen once however often articles are placed again."""

    __tablename__ = "story_developments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # new_outlet, new_story, new_claim
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    storyline_id: Mapped[int | None] = mapped_column(
        ForeignKey("storylines.id", ondelete="SET NULL"), index=True
    )
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)  # "Harbour Daily now covers it", shown as is
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Notification(Base):
    """One notification for one reader. ``key`` makes it arrive once."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_notifications_once"),
        Index("ix_notifications_user", "user_id", "id"),
        Index("ix_notifications_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # development, reply, moderation
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DigestDelivery(Base):
    """One reader's digest for one period (``2026-11-26``, ``2026-W48``): claimed by one
    worker under a lease, then marked sent, so that it goes out once."""

    __tablename__ = "digest_deliveries"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(12), primary_key=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stories the mail told of; -1 (digest.REFUSED): the address could not take the mail.
    stories: Mapped[int] = mapped_column(Integer, default=0)
