"""What the stories stage keeps, written and read back: vectors, copy keys, placements,
stories and storylines.

An article is *placed* once its current revision has been analysed: it gets a vector, a
text signature with its band keys, its group of same-text articles and its story. A
placement is replaced whole in one transaction, like an analysis, and reserved by one
worker at a time through ``lease_until``. Stories and storylines are shared rows; the
clustering's state of each is an opaque ``state`` blob the store never reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from storyline.store.analysis import resolved_entity
from storyline.store.articles import hold_articles
from storyline.store.schema import (
    Article,
    ArticleAnalysis,
    ArticleEntity,
    ArticleHashtag,
    ArticleVector,
    CopyKey,
    Entity,
    Hashtag,
    Outlet,
    Placement,
    Story,
    Storyline,
)

# --- Reserving work ------------------------------------------------------------------


def _needs_placement(version: int) -> Any:
    """An article whose current revision is analysed, and not placed as it reads now."""
    return and_(
        ArticleAnalysis.version > 0,
        ArticleAnalysis.revision == Article.revision,
        or_(
            Placement.article_id.is_(None),
            Placement.version < version,
            Placement.revision < Article.revision,
        ),
    )


def _placeable() -> Any:
    return (
        select(Article.id, Placement.article_id.label("placed"))
        .join(ArticleAnalysis, ArticleAnalysis.article_id == Article.id)
        .outerjoin(Placement, Placement.article_id == Article.id)
    )


def reserve_for_placement(
    session: Session, version: int, now: datetime, lease: timedelta, limit: int
) -> list[int]:
    """Reserve up to ``limit`` articles that need placing and that no worker holds, oldest
    first; each is held until ``now + lease`` (see
    :func:`storyline.store.analysis.reserve_for_analysis`)."""
    query = (
        _placeable()
        .where(_needs_placement(version))
        .where(or_(Placement.lease_until.is_(None), Placement.lease_until < now))
        .order_by(Article.id)
        .limit(limit)
    )
    placeholder = {"version": 0, "revision": 0, "explanation": {}, "placed_at": now}
    return hold_articles(session, query, Placement, placeholder, now + lease)


def has_placement_work(session: Session, version: int, now: datetime) -> bool:
    """Whether :func:`reserve_for_placement` would find anything: a cheap read first."""
    query = (
        _placeable()
        .where(_needs_placement(version))
        .where(or_(Placement.lease_until.is_(None), Placement.lease_until < now))
        .limit(1)
    )
    return session.execute(query).first() is not None


def articles_to_place(session: Session, version: int, limit: int, after_id: int = 0) -> list[int]:
    """Ids of analysed articles not placed as they read now, past ``after_id``."""
    query = (
        _placeable()
        .where(Article.id > after_id)
        .where(_needs_placement(version))
        .order_by(Article.id)
        .limit(limit)
    )
    return [row.id for row in session.execute(query)]


def count_unplaced(session: Session, version: int) -> int:
    query = (
        select(func.count())
        .select_from(Article)
        .join(ArticleAnalysis, ArticleAnalysis.article_id == Article.id)
        .outerjoin(Placement, Placement.article_id == Article.id)
        .where(_needs_placement(version))
    )
    return int(session.execute(query).scalar_one())


# --- What placing reads ----------------------------------------------------------------


@dataclass
class PlacementInput:
    """One article as the stories stage sees it."""

    article_id: int
    revision: int
    title: str
    text: str
    outlet_id: int | None
    outlet: str
    listed_at: datetime
    published_at: datetime | None
    language: str | None
    # Entity key -> how often the article names it, most prominent first.
    people: dict[str, int] = field(default_factory=dict)  # people and organisations
    places: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # entity key -> name
    hashtags: list[str] = field(default_factory=list)


def placement_inputs(session: Session, article_ids: Sequence[int]) -> list[PlacementInput]:
    """The articles among ``article_ids`` that still exist, in id order, with the entities
    (after operators' merges) and hashtags their analysis found."""
    if not article_ids:
        return []
    rows = session.execute(
        select(
            Article.id,
            Article.revision,
            Article.title,
            Article.text,
            Article.outlet_id,
            func.coalesce(Outlet.name, Article.site_name, "").label("outlet"),
            Article.listed_at,
            Article.published_at,
            Article.language,
        )
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(Article.id.in_(list(article_ids)))
        .order_by(Article.id)
    ).all()
    inputs = {
        row.id: PlacementInput(
            article_id=row.id,
            revision=row.revision,
            title=row.title,
            text=row.text,
            outlet_id=row.outlet_id,
            outlet=row.outlet,
            listed_at=row.listed_at,
            published_at=row.published_at,
            language=row.language,
        )
        for row in rows
    }
    target, _, name, type_, key = resolved_entity()
    entity_rows = session.execute(
        select(ArticleEntity.article_id, key, name, type_, ArticleEntity.mentions)
        .join(Entity, Entity.id == ArticleEntity.entity_id)
        .outerjoin(target, target.id == Entity.merged_into_id)
        .where(ArticleEntity.article_id.in_(list(inputs)))
        .order_by(ArticleEntity.article_id, ArticleEntity.rank)
    ).all()
    for article_id, key_, name_, entity_type, mentions in entity_rows:
        item = inputs[article_id]
        bucket = item.places if entity_type == "PLACE" else item.people
        bucket[key_] = bucket.get(key_, 0) + max(1, len(mentions))
        item.names[key_] = name_
    for article_id, tag in session.execute(
        select(ArticleHashtag.article_id, Hashtag.tag)
        .join(Hashtag, Hashtag.id == ArticleHashtag.hashtag_id)
        .where(ArticleHashtag.article_id.in_(list(inputs)))
        .order_by(ArticleHashtag.article_id, ArticleHashtag.rank)
    ):
        inputs[article_id].hashtags.append(tag)
    return list(inputs.values())


# --- Vectors ---------------------------------------------------------------------------


def save_vector(session: Session, article_id: int, revision: int, model: str, data: bytes) -> None:
    """Store an article's vector; a new revision's replaces the old row (with a new id,
    so that indexes catching up by id see it)."""
    session.execute(delete(ArticleVector).where(ArticleVector.article_id == article_id))
    session.add(ArticleVector(article_id=article_id, revision=revision, model=model, vector=data))
    session.flush()


def read_vectors(session: Session, article_ids: Iterable[int]) -> dict[int, bytes]:
    ids = list(article_ids)
    if not ids:
        return {}
    query = select(ArticleVector.article_id, ArticleVector.vector).where(
        ArticleVector.article_id.in_(ids)
    )
    return {article_id: bytes(data) for article_id, data in session.execute(query)}


def vectors_after(session: Session, after_id: int, limit: int) -> list[tuple[int, int, bytes]]:
    """``(row id, article id, vector)`` of the vectors written after row ``after_id``."""
    query = (
        select(ArticleVector.id, ArticleVector.article_id, ArticleVector.vector)
        .where(ArticleVector.id > after_id)
        .order_by(ArticleVector.id)
        .limit(limit)
    )
    return [(row.id, row.article_id, bytes(row.vector)) for row in session.execute(query)]


def iter_vectors(session: Session, batch: int = 10_000) -> Iterator[tuple[int, int, bytes]]:
    """Every stored vector, in row order, read in batches (for rebuilding an index)."""
    after = 0
    while rows := vectors_after(session, after, batch):
        yield from rows
        after = rows[-1][0]


# --- Copies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CopyRow:
    """A stored article that shares a band key with a new one."""

    article_id: int
    outlet: str
    published_at: datetime | None
    listed_at: datetime
    text: str
    signature: bytes | None
    copy_group_id: int | None


def copy_candidates(
    session: Session, article_id: int, keys: Sequence[int], since: datetime, limit: int = 200
) -> list[CopyRow]:
    """Placed articles listed since ``since`` that share a band key with ``keys``."""
    if not keys:
        return []
    sharing = (
        select(CopyKey.article_id)
        .where(CopyKey.key.in_(list(keys)))
        .where(CopyKey.article_id != article_id)
        .distinct()
        .subquery()
    )
    query = (
        select(
            Article.id,
            func.coalesce(Outlet.name, Article.site_name, "").label("outlet"),
            Article.published_at,
            Article.listed_at,
            Article.text,
            Placement.signature,
            Placement.copy_group_id,
        )
        .join(sharing, sharing.c.article_id == Article.id)
        .join(Placement, Placement.article_id == Article.id)
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(Article.listed_at >= since)
        .order_by(Article.listed_at, Article.id)
        .limit(limit)
    )
    return [
        CopyRow(
            row.id,
            row.outlet,
            row.published_at,
            row.listed_at,
            row.text,
            bytes(row.signature) if row.signature is not None else None,
            row.copy_group_id,
        )
        for row in session.execute(query)
    ]


def replace_copy_keys(session: Session, article_id: int, keys: Iterable[int]) -> None:
    session.execute(delete(CopyKey).where(CopyKey.article_id == article_id))
    for key in sorted(set(keys)):
        session.add(CopyKey(key=key, article_id=article_id))
    session.flush()


# --- Placements ------------------------------------------------------------------------


def save_placement(
    session: Session,
    article_id: int,
    *,
    version: int,
    revision: int,
    story_id: int | None,
    signature: bytes | None,
    copy_group_id: int | None,
    copy_of_id: int | None,
    copy_relation: str | None,
    explanation: dict[str, Any],
    now: datetime,
) -> None:
    """Replace the placement of one article (and release its lease)."""
    stored = session.get(Placement, article_id)
    values = {
        "version": version,
        "revision": revision,
        "story_id": story_id,
        "signature": signature,
        "copy_group_id": copy_group_id,
        "copy_of_id": copy_of_id,
        "copy_relation": copy_relation,
        "explanation": explanation,
        "placed_at": now,
        "lease_until": None,
    }
    if stored is None:
        session.add(Placement(article_id=article_id, **values))
    else:
        for name, value in values.items():
            setattr(stored, name, value)
    session.flush()


def stories_of_articles(session: Session, article_ids: Iterable[int]) -> dict[int, int]:
    """Article id -> the id of the story it is placed in now (merges followed)."""
    ids = list(article_ids)
    if not ids:
        return {}
    query = (
        select(Placement.article_id, func.coalesce(Story.merged_into_id, Story.id))
        .join(Story, Story.id == Placement.story_id)
        .where(Placement.article_id.in_(ids))
    )
    return {article_id: story_id for article_id, story_id in session.execute(query)}


# --- Stories and storylines, written -----------------------------------------------------


@dataclass
class StoryRow:
    id: int
    storyline_id: int | None
    title: str
    first_at: datetime
    last_at: datetime
    article_count: int
    outlet_count: int
    state: bytes


def load_stories(session: Session, story_ids: Iterable[int]) -> dict[int, StoryRow]:
    """Live (unmerged) stories by id; a merged id maps to the story it was merged into."""
    ids = set(story_ids)
    if not ids:
        return {}
    redirects = dict(
        session.execute(
            select(Story.id, Story.merged_into_id)
            .where(Story.id.in_(ids))
            .where(Story.merged_into_id.is_not(None))
        ).all()
    )
    live = (ids - set(redirects)) | set(redirects.values())
    rows = {
        row.id: StoryRow(
            row.id,
            row.storyline_id,
            row.title,
            row.first_at,
            row.last_at,
            row.article_count,
            row.outlet_count,
            bytes(row.state),
        )
        for row in session.execute(select(Story).where(Story.id.in_(live))).scalars()
    }
    found = {story_id: rows[story_id] for story_id in ids - set(redirects) if story_id in rows}
    for old, new in redirects.items():
        if new in rows:
            found[old] = rows[new]
    return found


def save_story(session: Session, story: StoryRow | None, **values: Any) -> int:
    """Create a story (``story`` None) or update one; returns its id."""
    if story is None:
        row = Story(**values)
        session.add(row)
        session.flush()
        return int(row.id)
    session.execute(update(Story).where(Story.id == story.id).values(**values))
    return story.id


def merge_story(session: Session, source_id: int, target_id: int, now: datetime) -> None:
    """Fold story ``source_id`` into ``target_id``: its articles move, it redirects there."""
    session.execute(
        update(Placement).where(Placement.story_id == source_id).values(story_id=target_id)
    )
    session.execute(
        update(Story)
        .where(or_(Story.id == source_id, Story.merged_into_id == source_id))
        .values(merged_into_id=target_id, updated_at=now)
    )


def move_articles(session: Session, article_ids: Iterable[int], story_id: int) -> None:
    session.execute(
        update(Placement)
        .where(Placement.article_id.in_(list(article_ids)))
        .values(story_id=story_id)
    )


def story_article_ids(session: Session, story_id: int) -> list[int]:
    query = (
        select(Placement.article_id)
        .where(Placement.story_id == story_id)
        .order_by(Placement.article_id)
    )
    return list(session.execute(query).scalars())


def save_storyline(session: Session, storyline_id: int | None, **values: Any) -> int:
    if storyline_id is None:
        row = Storyline(**values)
        session.add(row)
        session.flush()
        return int(row.id)
    session.execute(update(Storyline).where(Storyline.id == storyline_id).values(**values))
    return storyline_id


def load_storylines(session: Session, ids: Iterable[int]) -> dict[int, Storyline]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {
        row.id: row
        for row in session.execute(select(Storyline).where(Storyline.id.in_(wanted))).scalars()
    }
