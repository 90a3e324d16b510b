"""What is new in a story when articles join it: the developments readers are told about.

Placing an article decides its story; this module, run just after each placed batch is
committed, looks at where the batch's articles landed and records what changed for the
people following those stories, as :class:`~storyline.store.schema.StoryDevelopment`
rows:

1. ``new_outlet``: an outlet that had no article in the story reports on it. Not for the
   story's first article, and not for a wire copy of an article already in the story:
   one more outlet carrying the same text adds nothing to read.
2. ``new_story``: a story opened by this placement joins a storyline that already had
   stories, so the subject has moved on.
3. ``new_claim``: a person quoted in the article in their own words (a direct quote, the
   words shown in the development) was quoted so in none of the story's earlier articles.
   Copies are left out, for they quote what the original quoted; so are organisations
   and places the analysis took for speakers ("Kestrel News reported …").

"Earlier" means a lower article id: articles are placed in the order they were stored,
and an article placed again after a revision keeps its place in that order, so it does
not turn into a newcomer. Each development has a ``key`` naming what it is about (the
story and the outlet, the storyline and the story, the story and the speaker), and is
inserted with ``ON CONFLICT DO NOTHING``: placing again, retrying a batch or two workers
recording at once never says the same thing twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from storyline.store.analysis import resolved_entity
from storyline.store.articles import insert_ignore
from storyline.store.schema import (
    Article,
    Entity,
    Outlet,
    Placement,
    QuoteRow,
    Story,
    StoryDevelopment,
)
from storyline.store.stories import stories_of_articles

# Words of a quote shown in the development's text.
QUOTE_WORDS = 20
# Any constant: the PostgreSQL advisory lock that makes development ids commit in order,
# so that the notifications' watermark (the highest id fanned out) never skips one.
_DEVELOPMENTS_LOCK = 0x5707_DE7


@dataclass(frozen=True)
class _Joined:
    """An article as it stands in its story after placing."""

    article_id: int
    title: str
    outlet_id: int | None
    outlet: str | None
    copy_of_id: int | None
    copy_relation: str | None
    placed_at: datetime
    story: Story


def record_developments(session: Session, article_ids: Sequence[int], now: datetime) -> int:
    """Record what the placing of ``article_ids`` brought to their stories; returns how
    many developments are new. Articles not placed (deleted, or only reserved) are
    skipped."""
    lock_developments(session)
    found: dict[str, dict[str, Any]] = {}
    for values in _candidates(session, article_ids, now):
        found.setdefault(values["key"], values)  # the earliest article says it
    if not found:
        return 0
    known = set(
        session.execute(
            select(StoryDevelopment.key).where(StoryDevelopment.key.in_(list(found)))
        ).scalars()
    )
    fresh = [values for key, values in found.items() if key not in known]
    for values in fresh:
        insert_ignore(session, StoryDevelopment, values, ["key"])
    return len(fresh)


def lock_developments(session: Session) -> None:
    """Hold the developments lock until the transaction ends (SQLite: its single writer
    already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DEVELOPMENTS_LOCK})


def _candidates(
    session: Session, article_ids: Sequence[int], now: datetime
) -> Iterator[dict[str, Any]]:
    for joined in _joined(session, article_ids):
        story = joined.story
        if _first_article(session, story.id) < joined.article_id:
            if _new_outlet(session, joined):
                yield _development(
                    joined,
                    "new_outlet",
                    f"outlet:{story.id}:{joined.outlet_id}",
                    f"{joined.outlet} now covers this story: “{joined.title}”",
                    now,
                )
            if joined.copy_relation != "copy":
                yield from _new_claims(session, joined, now)
        if _opened_story(session, joined):
            yield _development(
                joined,
                "new_story",
                f"story:{story.storyline_id}:{story.id}",
                f"A new development in the storyline: “{story.title}”",
                now,
            )


def _joined(session: Session, article_ids: Sequence[int]) -> list[_Joined]:
    """The placed articles among ``article_ids``, in id order, with their live story."""
    if not article_ids:
        return []
    rows = session.execute(
        select(
            Placement.article_id,
            Placement.story_id,
            Placement.copy_of_id,
            Placement.copy_relation,
            Placement.placed_at,
            Article.title,
            Article.outlet_id,
            Outlet.name,
        )
        .join(Article, Article.id == Placement.article_id)
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(Placement.article_id.in_(list(article_ids)))
        .where(Placement.version > 0, Placement.story_id.is_not(None))
        .order_by(Placement.article_id)
    ).all()
    joined = []
    for row in rows:
        story = _live_story(session, row.story_id)
        if story is not None:
            joined.append(
                _Joined(
                    article_id=row.article_id,
                    title=row.title,
                    outlet_id=row.outlet_id,
                    outlet=row.name,
                    copy_of_id=row.copy_of_id,
                    copy_relation=row.copy_relation,
                    placed_at=row.placed_at,
                    story=story,
                )
            )
    return joined


def _live_story(session: Session, story_id: int) -> Story | None:
    story = session.get(Story, story_id)
    while story is not None and story.merged_into_id is not None:
        story = session.get(Story, story.merged_into_id)
    return story


def _first_article(session: Session, story_id: int) -> int:
    """The lowest article id placed in the story (the story's first article)."""
    first = session.execute(
        select(func.min(Placement.article_id)).where(Placement.story_id == story_id)
    ).scalar_one()
    return int(first)


def _new_outlet(session: Session, joined: _Joined) -> bool:
    """Whether the article brings an outlet the story's earlier articles did not have."""
    if joined.outlet_id is None or joined.outlet is None:
        return False
    if joined.copy_relation == "copy" and joined.copy_of_id is not None:
        original = stories_of_articles(session, [joined.copy_of_id]).get(joined.copy_of_id)
        if original == joined.story.id:
            return False  # a wire copy: one more outlet carrying a text already here
    covered = session.execute(
        select(Placement.article_id)
        .join(Article, Article.id == Placement.article_id)
        .where(Placement.story_id == joined.story.id)
        .where(Placement.article_id < joined.article_id)
        .where(Article.outlet_id == joined.outlet_id)
        .limit(1)
    ).first()
    return covered is None


def _new_claims(session: Session, joined: _Joined, now: datetime) -> Iterator[dict[str, Any]]:
    """A development for each person quoted in the article in their own words and in no
    earlier article of its story (people as they read after operators' entity merges)."""
    target, entity_id, name, type_, _ = resolved_entity()
    quotes = session.execute(
        select(entity_id, name, QuoteRow.text)
        .select_from(QuoteRow)
        .join(Entity, Entity.id == QuoteRow.entity_id)
        .outerjoin(target, target.id == Entity.merged_into_id)
        .where(QuoteRow.article_id == joined.article_id, QuoteRow.kind == "direct")
        .where(type_ == "PERSON")
        .order_by(QuoteRow.position)
    ).all()
    first_quotes: dict[int, tuple[str, str]] = {}
    for speaker, speaker_name, quote in quotes:
        first_quotes.setdefault(speaker, (speaker_name, quote))
    if not first_quotes:
        return
    target, entity_id, _, _, _ = resolved_entity()
    quoted_before = set(
        session.execute(
            select(entity_id)
            .select_from(Placement)
            .join(QuoteRow, QuoteRow.article_id == Placement.article_id)
            .join(Entity, Entity.id == QuoteRow.entity_id)
            .outerjoin(target, target.id == Entity.merged_into_id)
            .where(Placement.story_id == joined.story.id, QuoteRow.kind == "direct")
            .where(Placement.article_id < joined.article_id)
            .distinct()
        ).scalars()
    )
    for speaker, (speaker_name, quote) in first_quotes.items():
        if speaker not in quoted_before:
            yield _development(
                joined,
                "new_claim",
                f"speaker:{joined.story.id}:{speaker}",
                f"{speaker_name} is quoted for the first time: “{_quote_opening(quote)}”",
                now,
            )


def _opened_story(session: Session, joined: _Joined) -> bool:
    """Whether this placement opened the article's story (the story was made the moment
    the article was placed) in a storyline that already had other stories."""
    story = joined.story
    if story.storyline_id is None or story.created_at != joined.placed_at:
        return False
    older = session.execute(
        select(Story.id)
        .where(Story.storyline_id == story.storyline_id)
        .where(Story.id < story.id)
        .where(Story.merged_into_id.is_(None))
        .limit(1)
    ).first()
    return older is not None


def _quote_opening(quote: str, words: int = QUOTE_WORDS) -> str:
    """The first ``words`` words of a quote, with "…" when there is more."""
    parts = quote.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(",;:") + "…"


def _development(
    joined: _Joined, kind: str, key: str, wording: str, now: datetime
) -> dict[str, Any]:
    return {
        "key": key,
        "kind": kind,
        "story_id": joined.story.id,
        "storyline_id": joined.story.storyline_id,
        "article_id": joined.article_id,
        "text": wording,
        "created_at": now,
    }
