"""Stories as the pages, the API and the CLI show them.

* :func:`story_fields`: what an article's JSON and page carry about its place among the
  others: ``story_id``, ``related`` articles and ``copies`` (other outlets' copies of the
  same text).
* :func:`story_view`: one story with its digest (merged timeline, who said what,
  disagreements, coverage, carriage) and its articles, each with why it was grouped.
* :func:`stories_list` and :func:`storyline_view`: the front page's ranked stories, and a
  storyline's stories in time order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storyline.related import shared_index
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.analysis import read_analysis
from storyline.store.reads import ArticleRecord, read_articles_by_ids
from storyline.store.schema import Article, ArticleVector, Placement, Story, Storyline
from storyline.stories.cluster_features import StorySummary
from storyline.stories.clustering import story_hashtags
from storyline.stories.digest import build_digest, coverage_svg
from storyline.stories.digest_types import DigestArticle
from storyline.stories.embeddings import vector_from_bytes
from storyline.views import analysis_fields, article_summary, iso

RELATED = 10
# Nearest articles looked at beyond the article's own story, and how alike they must be.
NEIGHBOURS = 40
RELATED_SIMILARITY = 0.45
# Articles of one story whose analyses feed its digest (the newest ones).
DIGEST_ARTICLES = 200


def story_fields(
    session: Session, database: Database, settings: Settings, article: ArticleRecord
) -> dict[str, Any]:
    """``story_id``, ``related`` and ``copies`` of one article (empty until it is placed)."""
    placement = session.get(Placement, article.id)
    if placement is None or placement.version == 0:
        return {
            "story_id": None,
            "storyline_id": None,
            "story_title": None,
            "grouped_because": None,
            "related": [],
            "copies": [],
        }
    story = live_story(session, placement.story_id)
    copies = _copies(session, article, placement)
    related = _related(session, database, settings, article, story, copies)
    return {
        "story_id": story.id if story else None,
        "storyline_id": story.storyline_id if story else None,
        "story_title": story.title if story else None,
        "grouped_because": placement.explanation.get("sentence"),
        "related": related,
        "copies": copies,
    }


def live_story(session: Session, story_id: int | None) -> Story | None:
    story = session.get(Story, story_id) if story_id is not None else None
    while story is not None and story.merged_into_id is not None:
        story = session.get(Story, story.merged_into_id)
    return story


def _copies(session: Session, article: ArticleRecord, placement: Placement) -> list[dict[str, Any]]:
    """Other articles of the same text, earliest first, with how each relates."""
    if placement.copy_group_id is None:
        return []
    rows = session.execute(
        select(Placement.article_id, Placement.copy_relation, Placement.copy_of_id)
        .where(Placement.copy_group_id == placement.copy_group_id)
        .where(Placement.article_id != article.id)
    ).all()
    if not rows:
        return []
    records = {a.id: a for a in read_articles_by_ids(session, [r.article_id for r in rows])}
    relations = {r.article_id: r.copy_relation for r in rows}
    if placement.copy_of_id in relations:
        relations[placement.copy_of_id] = relations[placement.copy_of_id] or "original"
    out = []
    for article_id in sorted(records, key=lambda i: (records[i].listed_at, i)):
        record = records[article_id]
        out.append(
            {
                "id": record.id,
                "title": record.title,
                "outlet": record.outlet.name if record.outlet else record.site_name,
                "published_at": iso(record.published_at),
                "relation": relations.get(article_id) or "original",
            }
        )
    return out


def _related(
    session: Session,
    database: Database,
    settings: Settings,
    article: ArticleRecord,
    story: Story | None,
    copies: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Related articles: the same story first, other outlets before the article's own,
    newest first among equals, wire copies folded into one entry."""
    own = {article.id} | {c["id"] for c in copies}
    same_story: list[int] = []
    if story is not None:
        same_story = [
            a
            for a in session.execute(
                select(Placement.article_id)
                .where(Placement.story_id == story.id)
                .order_by(Placement.article_id.desc())
                .limit(200)
            ).scalars()
            if a not in own
        ]
    in_story = set(same_story)
    near: list[int] = []
    stored = session.execute(
        select(ArticleVector.vector).where(ArticleVector.article_id == article.id)
    ).scalar_one_or_none()
    if stored is not None:
        vector = vector_from_bytes(bytes(stored))
        index = shared_index(database, settings.home / "index", len(vector))
        near = [
            a
            for a, score in index.search(vector, NEIGHBOURS, exclude=article.id)
            if score >= RELATED_SIMILARITY and a not in own and a not in in_story
        ]
    records = {r.id: r for r in read_articles_by_ids(session, same_story + near)}
    groups = dict(
        session.execute(
            select(Placement.article_id, Placement.copy_group_id).where(
                Placement.article_id.in_(list(records))
            )
        ).all()
    )
    outlet = article.outlet.name if article.outlet else None

    def rank(article_id: int) -> tuple[int, int, float]:
        record = records[article_id]
        same_outlet = (record.outlet.name if record.outlet else None) == outlet
        return (
            0 if article_id in in_story else 1,
            1 if same_outlet else 0,
            -record.listed_at.timestamp(),
        )

    folded: dict[int, dict[str, Any]] = {}
    for article_id in sorted(records, key=rank):
        record = records[article_id]
        group = groups.get(article_id) or article_id
        if group in folded:
            folded[group]["also_published_by"].append(_outlet_name(record))
            continue
        if len(folded) >= RELATED:
            continue
        entry = article_summary(record)
        entry["same_story"] = article_id in in_story
        entry["also_published_by"] = []
        folded[group] = entry
    return list(folded.values())


def digest_article(session: Session, record: ArticleRecord) -> DigestArticle:
    """One stored article with its stored analysis, as the digest and the AI features
    read it."""
    return DigestArticle.from_fields(
        article_id=record.id,
        outlet=_outlet_name(record) or "",
        url=record.canonical_url or "",
        title=record.title,
        published_at=record.published_at or record.listed_at,
        text=record.text,
        fields=analysis_fields(record, read_analysis(session, record.id)),
    )


def _outlet_name(record: ArticleRecord) -> str | None:
    return record.outlet.name if record.outlet else record.site_name


# --- Stories -----------------------------------------------------------------------------


def story_summary_view(story: Story, article_ids: Sequence[int] = ()) -> dict[str, Any]:
    summary = StorySummary.from_json(story.state.decode())
    return {
        "id": story.id,
        "storyline_id": story.storyline_id,
        "title": story.title,
        "first_at": iso(story.first_at),
        "last_at": iso(story.last_at),
        "article_count": story.article_count,
        "outlet_count": story.outlet_count,
        "outlets": sorted(summary.outlets),
        "hashtags": story_hashtags(summary),
        "article_ids": list(article_ids),
    }


def _article_ids_by_story(session: Session, story_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    if not story_ids:
        return found
    for story_id, article_id in session.execute(
        select(Placement.story_id, Placement.article_id)
        .where(Placement.story_id.in_(list(story_ids)))
        .order_by(Placement.article_id)
    ):
        if story_id is not None:
            found[story_id].append(article_id)
    return found


def stories_list(
    session: Session, limit: int | None = 50, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Live stories, ranked by recency, number of outlets and growth (articles in the last
    day); ``limit`` None lists every story (``storyline stories --json``), newest first."""
    query = select(Story).where(Story.merged_into_id.is_(None))
    if limit is None:
        stories = list(session.execute(query.order_by(Story.last_at.desc(), Story.id)).scalars())
        ids = _article_ids_by_story(session, [s.id for s in stories])
        return [story_summary_view(s, ids.get(s.id, [])) for s in stories]
    recent = list(
        session.execute(query.order_by(Story.last_at.desc()).limit(max(limit * 10, 200))).scalars()
    )
    if not recent:
        return []
    newest = now or max(s.last_at for s in recent)
    growth = dict(
        session.execute(
            select(Placement.story_id, func.count())
            .join(Article, Article.id == Placement.article_id)
            .where(Placement.story_id.in_([s.id for s in recent]))
            .where(Article.listed_at >= newest - timedelta(days=1))
            .group_by(Placement.story_id)
        ).all()
    )

    def score(story: Story) -> float:
        hours = max(0.0, (newest - story.last_at).total_seconds() / 3600)
        return (
            1.5 * math.log1p(story.outlet_count)
            + math.log1p(growth.get(story.id, 0))
            + 0.3 * math.log1p(story.article_count)
            - hours / 24
        )

    ranked = sorted(recent, key=lambda s: (-score(s), -s.id))[:limit]
    ids = _article_ids_by_story(session, [s.id for s in ranked])
    return [
        {**story_summary_view(s, ids.get(s.id, [])), "growth": growth.get(s.id, 0)} for s in ranked
    ]


def story_view(session: Session, story_id: int) -> dict[str, Any] | None:
    """One story with its digest; ``{"merged_into": id}`` for a story merged away."""
    story = session.get(Story, story_id)
    if story is None:
        return None
    if story.merged_into_id is not None:
        live = live_story(session, story.id)
        return {"merged_into": live.id if live else None}
    article_ids = _article_ids_by_story(session, [story.id]).get(story.id, [])
    records = read_articles_by_ids(session, article_ids)
    records.sort(key=lambda r: (r.listed_at, r.id))
    explanations: dict[int, dict[str, Any]] = dict(
        session.execute(
            select(Placement.article_id, Placement.explanation).where(
                Placement.article_id.in_(article_ids)
            )
        ).all()
    )
    digest_input = [digest_article(session, record) for record in records[-DIGEST_ARTICLES:]]
    digest = build_digest(digest_input) if digest_input else None
    storyline = session.get(Storyline, story.storyline_id) if story.storyline_id else None
    view = story_summary_view(story, article_ids)
    view.update(
        {
            "storyline_title": storyline.title if storyline else None,
            "digest": digest.to_json() if digest else None,
            "coverage_svg": coverage_svg(digest.coverage) if digest else "",
            "articles": [
                {
                    **article_summary(record),
                    "grouped_because": (explanations.get(record.id) or {}).get("sentence"),
                }
                for record in records
            ],
        }
    )
    return view


def storyline_view(session: Session, storyline_id: int) -> dict[str, Any] | None:
    """A storyline and its stories, in time order."""
    storyline = session.get(Storyline, storyline_id)
    if storyline is None:
        return None
    if storyline.merged_into_id is not None:
        return {"merged_into": storyline.merged_into_id}
    stories = list(
        session.execute(
            select(Story)
            .where(Story.storyline_id == storyline.id)
            .where(Story.merged_into_id.is_(None))
            .order_by(Story.first_at, Story.id)
        ).scalars()
    )
    ids = _article_ids_by_story(session, [s.id for s in stories])
    return {
        "id": storyline.id,
        "title": storyline.title,
        "first_at": iso(storyline.first_at),
        "last_at": iso(storyline.last_at),
        "stories": [story_summary_view(s, ids.get(s.id, [])) for s in stories],
    }


def stories_of(
    session: Session, article_ids: Sequence[int], limit: int = 20
) -> list[dict[str, Any]]:
    """The live stories of these articles (entity and hashtag pages), newest first."""
    if not article_ids:
        return []
    story_ids = set(
        session.execute(
            select(func.coalesce(Story.merged_into_id, Story.id))
            .join(Placement, Placement.story_id == Story.id)
            .where(Placement.article_id.in_(list(article_ids)))
        ).scalars()
    )
    stories = list(
        session.execute(
            select(Story).where(Story.id.in_(story_ids)).order_by(Story.last_at.desc()).limit(limit)
        ).scalars()
    )
    return [story_summary_view(s) for s in stories]
