"""What the understanding stage found, stored and read back.

An article's analysis is replaced whole: its mentions, quotes and hashtags are deleted and
written again in the same transaction as the ``article_analyses`` row that records the
analyser version and article revision it describes. Entities and hashtags are shared by
the corpus and only ever added (``INSERT … ON CONFLICT DO NOTHING``, so concurrent workers
on PostgreSQL agree on one row). An operator's merge points an entity at another
(``merged_into_id``, kept one level deep); a split records, per article, which entity a
name means there (``entity_splits``). Both survive re-analysis.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from storyline.store.articles import hold_articles, insert_ignore
from storyline.store.reads import ArticleRecord, read_articles_by_ids
from storyline.store.schema import (
    Article,
    ArticleAnalysis,
    ArticleEntity,
    ArticleHashtag,
    Entity,
    EntityAlias,
    EntitySplit,
    Hashtag,
    QuoteRow,
)

if TYPE_CHECKING:
    from storyline.understand.analyze import Analysis
    from storyline.understand.types import Entity as FoundEntity


class EntityError(ValueError):
    """A merge or split that cannot be done, with the reason."""


def articles_to_analyze(session: Session, version: int, limit: int, after_id: int = 0) -> list[int]:
    """Ids of articles with no analysis, or one older than ``version`` or their revision."""
    query = (
        select(Article.id)
        .outerjoin(ArticleAnalysis, ArticleAnalysis.article_id == Article.id)
        .where(Article.id > after_id)
        .where(_needs_analysis(version))
        .order_by(Article.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def reserve_for_analysis(
    session: Session, version: int, now: datetime, lease: timedelta, limit: int
) -> list[int]:
    """Reserve up to ``limit`` articles that need analysis and that no worker holds.

    Each gets ``lease_until = now + lease`` (a placeholder analysis of version 0 is made
    for an article analysed never before), so other workers skip it until the lease runs
    out: a worker killed mid-batch leaves articles that are handed out again later.
    """
    query = (
        select(Article.id, ArticleAnalysis.article_id.label("analysed"))
        .outerjoin(ArticleAnalysis, ArticleAnalysis.article_id == Article.id)
        .where(_needs_analysis(version))
        .where(or_(ArticleAnalysis.lease_until.is_(None), ArticleAnalysis.lease_until < now))
        .order_by(Article.id)
        .limit(limit)
    )
    placeholder = {"version": 0, "revision": 0, "data": {}, "analyzed_at": now}
    return hold_articles(session, query, ArticleAnalysis, placeholder, now + lease)


def has_analysis_work(session: Session, version: int, now: datetime) -> bool:
    """Whether :func:`reserve_for_analysis` would find anything: a cheap read first."""
    query = (
        select(Article.id)
        .outerjoin(ArticleAnalysis, ArticleAnalysis.article_id == Article.id)
        .where(_needs_analysis(version))
        .where(or_(ArticleAnalysis.lease_until.is_(None), ArticleAnalysis.lease_until < now))
        .limit(1)
    )
    return session.execute(query).first() is not None


def _needs_analysis(version: int) -> Any:
    return or_(
        ArticleAnalysis.article_id.is_(None),
        ArticleAnalysis.version < version,
        ArticleAnalysis.revision < Article.revision,
    )


def count_unanalyzed(session: Session, version: int) -> int:
    """How many articles :func:`articles_to_analyze` has left to hand out."""
    query = (
        select(func.count())
        .select_from(Article)
        .outerjoin(ArticleAnalysis, ArticleAnalysis.article_id == Article.id)
        .where(_needs_analysis(version))
    )
    return int(session.execute(query).scalar_one())


def known_aliases(session: Session, aliases: Collection[str]) -> dict[str, str]:
    """Alias key -> canonical name, for the aliases exactly one entity is known by."""
    if not aliases:
        return {}
    target = aliased(Entity)
    query = (
        select(
            EntityAlias.alias,
            func.min(func.coalesce(target.name, Entity.name)),
            func.count(func.distinct(func.coalesce(target.id, Entity.id))),
        )
        .join(Entity, Entity.id == EntityAlias.entity_id)
        .outerjoin(target, target.id == Entity.merged_into_id)
        .where(EntityAlias.alias.in_(sorted(aliases)))
        .group_by(EntityAlias.alias)
    )
    return {alias: name for alias, name, count in session.execute(query) if count == 1}


def save_analysis(
    session: Session, article_id: int, revision: int, version: int, analysis: Analysis
) -> None:
    """Replace the stored analysis of one article with ``analysis``."""
    for model in (ArticleEntity, QuoteRow, ArticleHashtag):
        session.execute(delete(model).where(model.article_id == article_id))
    splits: dict[str, int] = {
        key: entity_id
        for key, entity_id in session.execute(
            select(EntitySplit.entity_key, EntitySplit.entity_id).where(
                EntitySplit.article_id == article_id
            )
        )
    }
    ids: dict[str, int] = {}
    for rank, entity in enumerate(analysis.entities):
        entity_id = splits.get(entity.key) or _ensure_entity(
            session, entity, analysis.aliases.get(entity.key, [])
        )
        mentions = [[m.start, m.end] for m in entity.mentions]
        if entity_id in ids.values():  # two names an operator split into one: one row
            mentioned = session.get(ArticleEntity, (article_id, entity_id))
            assert mentioned is not None
            mentioned.mentions = sorted([*mentioned.mentions, *mentions])
        else:
            session.add(
                ArticleEntity(
                    article_id=article_id, entity_id=entity_id, rank=rank, mentions=mentions
                )
            )
            session.flush()
        ids[entity.key] = entity_id
    for position, (quote, key) in enumerate(
        zip(analysis.quotes, analysis.speaker_keys, strict=True)
    ):
        session.add(
            QuoteRow(
                article_id=article_id,
                position=position,
                entity_id=ids.get(key) if key else None,
                **asdict(quote),
            )
        )
    for rank, (tag, key) in enumerate(zip(analysis.hashtags, analysis.hashtag_keys, strict=True)):
        hashtag_id = _ensure_hashtag(session, tag, key)
        if session.get(ArticleHashtag, (article_id, hashtag_id)) is None:
            session.add(ArticleHashtag(article_id=article_id, hashtag_id=hashtag_id, rank=rank))
    data: dict[str, Any] = {
        "timexes": [asdict(t) for t in analysis.timexes],
        "timeline": [asdict(e) for e in analysis.timeline],
        "key_phrases": [asdict(k) for k in analysis.key_phrases],
    }
    if analysis.error is not None:
        data["error"] = analysis.error
    stored = session.get(ArticleAnalysis, article_id)
    now = datetime.now(UTC)
    if stored is None:
        session.add(
            ArticleAnalysis(
                article_id=article_id,
                version=version,
                revision=revision,
                language=analysis.language,
                data=data,
                analyzed_at=now,
                lease_until=None,
            )
        )
    else:
        stored.version, stored.revision, stored.language = version, revision, analysis.language
        stored.data, stored.analyzed_at, stored.lease_until = data, now, None
    session.flush()


def _ensure_entity(session: Session, entity: FoundEntity, aliases: Sequence[str]) -> int:
    """The id of the entity with ``entity.key``, made if new. It stays the entity's own id
    even when an operator merged it into another: reads resolve merges, so an unmerge
    restores what the analysis found."""
    query = select(Entity.id).where(Entity.key == entity.key)
    found = session.execute(query).first()
    if found is None:
        insert_ignore(
            session,
            Entity,
            {
                "key": entity.key,
                "name": entity.name,
                "type": entity.type,
                "created_at": datetime.now(UTC),
            },
            ["key"],
        )
        found = session.execute(query).one()
    for alias in aliases:
        insert_ignore(
            session, EntityAlias, {"alias": alias, "entity_id": found.id}, ["alias", "entity_id"]
        )
    return int(found.id)


def _ensure_hashtag(session: Session, tag: str, key: str) -> int:
    query = select(Hashtag.id).where(Hashtag.key == key)
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        insert_ignore(session, Hashtag, {"key": key, "tag": tag}, ["key"])
        found = session.execute(query).scalar_one()
    return int(found)


# --- Reads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityRecord:
    id: int
    name: str
    type: str
    key: str


@dataclass(frozen=True)
class AnalysisRecord:
    """An article's stored analysis, entities and speakers named as they read now."""

    version: int
    revision: int
    language: str | None
    data: dict[str, Any]
    entities: list[tuple[EntityRecord, list[list[int]]]]
    quotes: list[dict[str, Any]]
    hashtags: list[tuple[str, str]]  # (tag, key)


def resolved_entity() -> tuple[Any, Any, Any, Any, Any]:
    """Columns naming an entity as it reads after merges: its target's, if merged."""
    target = aliased(Entity)
    return (
        target,
        func.coalesce(target.id, Entity.id).label("entity_id"),
        func.coalesce(target.name, Entity.name).label("name"),
        func.coalesce(target.type, Entity.type).label("type"),
        func.coalesce(target.key, Entity.key).label("key"),
    )


def read_analysis(session: Session, article_id: int) -> AnalysisRecord | None:
    """The analysis of one article, or ``None`` when it has not been analysed yet."""
    row = session.get(ArticleAnalysis, article_id)
    if row is None or row.version == 0:  # never analysed, or only reserved for it
        return None
    target, entity_id, name, type_, key = resolved_entity()
    entities: dict[int, tuple[EntityRecord, list[list[int]]]] = {}
    query = (
        select(entity_id, name, type_, key, ArticleEntity.mentions)
        .select_from(ArticleEntity)
        .join(Entity, Entity.id == ArticleEntity.entity_id)
        .outerjoin(target, target.id == Entity.merged_into_id)
        .where(ArticleEntity.article_id == article_id)
        .order_by(ArticleEntity.rank)
    )
    for found_id, found_name, found_type, found_key, mentions in session.execute(query):
        if found_id in entities:
            entities[found_id][1].extend(mentions)
            entities[found_id][1].sort()
        else:
            record = EntityRecord(found_id, found_name, found_type, found_key)
            entities[found_id] = (record, list(mentions))
    quotes_query = (
        select(QuoteRow, entity_id, name)
        .outerjoin(Entity, Entity.id == QuoteRow.entity_id)
        .outerjoin(target, target.id == Entity.merged_into_id)
        .where(QuoteRow.article_id == article_id)
        .order_by(QuoteRow.position)
    )
    quotes = [
        _quote_dict(quote, speaker_id, speaker_name)
        for quote, speaker_id, speaker_name in session.execute(quotes_query)
    ]
    hashtags_query = (
        select(Hashtag.tag, Hashtag.key)
        .join(ArticleHashtag, ArticleHashtag.hashtag_id == Hashtag.id)
        .where(ArticleHashtag.article_id == article_id)
        .order_by(ArticleHashtag.rank)
    )
    return AnalysisRecord(
        version=row.version,
        revision=row.revision,
        language=row.language,
        data=row.data,
        entities=list(entities.values()),
        quotes=quotes,
        hashtags=[(tag, tag_key) for tag, tag_key in session.execute(hashtags_query)],
    )


def _quote_dict(
    quote: QuoteRow, speaker_id: int | None, speaker_name: str | None
) -> dict[str, Any]:
    return {
        "text": quote.text,
        "kind": quote.kind,
        "speaker": speaker_name or quote.speaker,
        "speaker_id": speaker_id,
        "role": quote.role,
        "cue": quote.cue,
        "start": quote.start,
        "end": quote.end,
        "source_start": quote.source_start,
        "source_end": quote.source_end,
        "cue_start": quote.cue_start,
        "cue_end": quote.cue_end,
    }


def read_entity(
    session: Session, entity_id: int
) -> tuple[EntityRecord, list[tuple[int, str]]] | None:
    """An entity (the one it was merged into, if it was) and the names it absorbed."""
    entity = session.get(Entity, entity_id)
    if entity is None:
        return None
    if entity.merged_into_id is not None:
        entity = session.get(Entity, entity.merged_into_id)
        assert entity is not None
    absorbed = [
        (merged_id, name)
        for merged_id, name in session.execute(
            select(Entity.id, Entity.name)
            .where(Entity.merged_into_id == entity.id)
            .order_by(Entity.name)
        )
    ]
    return EntityRecord(entity.id, entity.name, entity.type, entity.key), absorbed


def _members(entity_id: int) -> Any:
    """The entity and every entity merged into it."""
    return select(Entity.id).where(or_(Entity.id == entity_id, Entity.merged_into_id == entity_id))


def entity_article_ids(session: Session, entity_id: int, limit: int) -> list[int]:
    """The newest articles that mention an entity, newest first."""
    query = (
        select(Article.id)
        .join(ArticleEntity, ArticleEntity.article_id == Article.id)
        .where(ArticleEntity.entity_id.in_(_members(entity_id)))
        .group_by(Article.id, Article.listed_at)
        .order_by(Article.listed_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def entity_quotes(
    session: Session, entity_id: int, limit: int
) -> list[tuple[int, str, dict[str, Any]]]:
    """The newest quotes by an entity: ``(article id, article title, quote)``."""
    query = (
        select(QuoteRow, Article.title)
        .join(Article, Article.id == QuoteRow.article_id)
        .where(QuoteRow.entity_id.in_(_members(entity_id)))
        .order_by(Article.listed_at.desc(), Article.id.desc(), QuoteRow.position)
        .limit(limit)
    )
    return [
        (
            quote.article_id,
            title,
            {**_quote_dict(quote, entity_id, None), "position": quote.position},
        )
        for quote, title in session.execute(query)
    ]


@dataclass(frozen=True)
class EntityPage:
    """What an entity's page shows: it, the names merged into it, articles and quotes."""

    entity: EntityRecord
    absorbed: list[tuple[int, str]]  # (id, name) of the entities merged into it
    articles: list[ArticleRecord]
    quotes: list[tuple[int, str, dict[str, Any]]]


def read_entity_page(session: Session, entity_id: int, limit: int) -> EntityPage | None:
    """An entity's page, or ``None`` when no entity has that id."""
    found = read_entity(session, entity_id)
    if found is None:
        return None
    entity, absorbed = found
    articles = read_articles_by_ids(session, entity_article_ids(session, entity.id, limit))
    return EntityPage(entity, absorbed, articles, entity_quotes(session, entity.id, limit))


def find_entities(session: Session, name: str, limit: int = 20) -> list[EntityRecord]:
    """Entities whose name contains ``name`` (case-insensitive), merged ones left out."""
    query = (
        select(Entity)
        .where(Entity.merged_into_id.is_(None), func.lower(Entity.name).contains(name.lower()))
        .order_by(Entity.name)
        .limit(limit)
    )
    return [EntityRecord(e.id, e.name, e.type, e.key) for e in session.execute(query).scalars()]


def read_hashtag(session: Session, key: str) -> tuple[str, str] | None:
    """``(tag, key)`` of the hashtag with this key, or ``None``."""
    found = session.execute(select(Hashtag.tag, Hashtag.key).where(Hashtag.key == key)).first()
    return (found.tag, found.key) if found else None


def hashtag_article_ids(session: Session, key: str, limit: int) -> list[int]:
    """The newest articles carrying a hashtag, newest first."""
    query = (
        select(Article.id)
        .join(ArticleHashtag, ArticleHashtag.article_id == Article.id)
        .join(Hashtag, Hashtag.id == ArticleHashtag.hashtag_id)
        .where(Hashtag.key == key)
        .order_by(Article.listed_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


# --- Corrections -----------------------------------------------------------------------


def merge_entities(session: Session, source_id: int, target_id: int) -> None:
    """Make ``source_id`` (and all merged into it) read as ``target_id`` from now on."""
    source = session.get(Entity, source_id)
    target = session.get(Entity, target_id)
    if source is None or target is None:
        raise EntityError(f"no entity with id {source_id if source is None else target_id}")
    if target.merged_into_id is not None:
        target = session.get(Entity, target.merged_into_id)
        assert target is not None
    if source.merged_into_id is not None:
        source = session.get(Entity, source.merged_into_id)
        assert source is not None
    if source.id == target.id:
        raise EntityError(f"{source.name!r} and {target.name!r} are already one entity")
    session.execute(
        update(Entity).where(Entity.merged_into_id == source.id).values(merged_into_id=target.id)
    )
    source.merged_into_id = target.id
    session.flush()


def unmerge_entity(session: Session, entity_id: int) -> None:
    """Undo a merge: the entity reads under its own name again."""
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise EntityError(f"no entity with id {entity_id}")
    if entity.merged_into_id is None:
        raise EntityError(f"{entity.name!r} was not merged into another entity")
    entity.merged_into_id = None
    session.flush()


def split_entity(
    session: Session, entity_id: int, article_ids: Iterable[int], name: str, key: str
) -> int:
    """Move an entity's mentions and quotes in ``article_ids`` to the entity ``key``/``name``
    (made if new), and remember it so re-analysing those articles keeps the split."""
    found = read_entity(session, entity_id)
    if found is None:
        raise EntityError(f"no entity with id {entity_id}")
    entity, _ = found
    articles = sorted(set(article_ids))
    members = list(session.execute(_members(entity.id)).scalars())
    rows = session.execute(
        select(ArticleEntity.article_id, Entity.key)
        .join(Entity, Entity.id == ArticleEntity.entity_id)
        .where(ArticleEntity.entity_id.in_(members), ArticleEntity.article_id.in_(articles))
    ).all()
    missing = set(articles) - {row.article_id for row in rows}
    if missing:
        raise EntityError(f"{entity.name!r} is not mentioned in article(s) {sorted(missing)}")
    new_id = _ensure_split_target(session, key, name, entity.type)
    if new_id in members:
        raise EntityError(f"{name!r} is {entity.name!r} itself; give the new entity another name")
    for article_id, old_key in rows:
        session.merge(EntitySplit(article_id=article_id, entity_key=old_key, entity_id=new_id))
    session.execute(
        update(ArticleEntity)
        .where(ArticleEntity.entity_id.in_(members), ArticleEntity.article_id.in_(articles))
        .values(entity_id=new_id)
    )
    session.execute(
        update(QuoteRow)
        .where(QuoteRow.entity_id.in_(members), QuoteRow.article_id.in_(articles))
        .values(entity_id=new_id, speaker=name)
    )
    session.flush()
    return new_id


def _ensure_split_target(session: Session, key: str, name: str, type_: str) -> int:
    query = select(Entity.id, Entity.merged_into_id).where(Entity.key == key)
    found = session.execute(query).first()
    if found is None:
        insert_ignore(
            session,
            Entity,
            {"key": key, "name": name, "type": type_, "created_at": datetime.now(UTC)},
            ["key"],
        )
        found = session.execute(query).one()
    return int(found.merged_into_id or found.id)
