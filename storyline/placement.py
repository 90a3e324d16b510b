"""Place analysed articles among the others: vector, copies, story and storyline.

The pure parts live in :mod:`storyline.stories` (embeddings, copy detection, clustering);
this module feeds them from the store and writes back, a batch at a time:

1. read the batch's articles with the entities their analysis found;
2. outside any lock, embed them and take their text signatures;
3. in one write transaction, holding the stories lock (SQLite's single writer, or a
   PostgreSQL advisory lock, so that two workers never both open a story for one event),
   for each article: store its vector and band keys, find the stored articles it is the
   same text as, then its story: a copy joins its original's story; any other article is
   compared with the stories of its nearest stored neighbours and joins the best one that
   scores enough, or opens a new story. Stories that turn out to be one are merged, a
   story that has drifted apart is split, and a new story joins (or opens) a storyline.

A killed worker's batch is rolled back whole and its leases run out, so the articles are
placed again by another worker: nothing is lost and nothing is placed twice. An article
placed before (a new revision) keeps its story; its vector, signature and copies are
renewed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from storyline.readers.developments import record_developments
from storyline.related import ArticleIndex, shared_index
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import Article, Placement, Story, Storyline
from storyline.store.stories import (
    CopyRow,
    PlacementInput,
    StoryRow,
    articles_to_place,
    copy_candidates,
    count_unplaced,
    load_stories,
    load_storylines,
    merge_story,
    move_articles,
    placement_inputs,
    read_vectors,
    replace_copy_keys,
    save_placement,
    save_story,
    save_storyline,
    save_vector,
    stories_of_articles,
)
from storyline.stories.cluster_features import (
    ClusterDoc,
    StorySummary,
    combine,
    summarise,
    term_weights,
)
from storyline.stories.cluster_features import absorb as absorb_doc
from storyline.stories.clustering import (
    PARAMS,
    Explanation,
    assign,
    assign_storyline,
    compare,
    should_merge,
    split_if_drifted,
    story_title,
)
from storyline.stories.copies import compare_texts
from storyline.stories.embeddings import (
    Embedder,
    article_text_for_embedding,
    vector_from_bytes,
    vector_to_bytes,
)
from storyline.stories.signatures import Signature, band_keys, text_signature

log = logging.getLogger(__name__)

# Bump to place every article again (``storyline stories rebuild`` does it at once).
PLACEMENT_VERSION = 1
# Copies of a text appear within days of it.
COPY_WINDOW = timedelta(days=7)
# Nearest stored articles whose stories are the candidates for a new article.
NEIGHBOURS = 24
# Story sizes at which a story is checked for having drifted apart.
SPLIT_CHECKS = frozenset({6, 12, 24, 48, 96})
# Any constant: the key of the PostgreSQL advisory lock that serialises story decisions.
_STORIES_LOCK = 0x5707_1E5


@dataclass(frozen=True)
class PlaceReport:
    placed: int
    remaining: int


@dataclass
class _Prepared:
    item: PlacementInput
    vector: np.ndarray
    signature: Signature
    keys: list[int]
    doc: ClusterDoc


class Placer:
    """Places articles for one process; the model and index are loaded on first use."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self._embedder: Embedder | None = None
        self._index: ArticleIndex | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder.from_settings(self.settings)
        return self._embedder

    @property
    def index(self) -> ArticleIndex:
        if self._index is None:
            self._index = shared_index(
                self.database, self.settings.home / "index", self.embedder.dimensions
            )
        return self._index

    def related_index(self, dimensions: int) -> ArticleIndex:
        """The index, for reads that have a stored vector and need no model."""
        if self._index is None:
            self._index = shared_index(self.database, self.settings.home / "index", dimensions)
        return self._index

    def place(self, article_ids: Sequence[int], batch: int = 32) -> int:
        """Place the given articles (in batches); returns how many were placed."""
        done = 0
        for offset in range(0, len(article_ids), batch):
            ids = list(article_ids[offset : offset + batch])
            with self.database.read() as session:
                items = placement_inputs(session, ids)
            prepared = self._prepare(items)
            now = datetime.now(UTC)
            with self.database.write() as session:
                _lock_stories(session)
                for entry in prepared:
                    self._place_one(session, entry, now)
            done += len(prepared)
            self._record_developments([entry.item.article_id for entry in prepared], now)
        return done

    def _record_developments(self, article_ids: list[int], now: datetime) -> None:
        """What the batch brought to its stories, for followers (in a write of its own: the
        placements are committed whatever happens here)."""
        if not article_ids:
            return
        try:
            with self.database.write() as session:
                record_developments(session, article_ids, now)
        except Exception:  # a placement matters more than its notifications
            log.exception("recording the developments of articles %s failed", article_ids)

    def _prepare(self, items: Sequence[PlacementInput]) -> list[_Prepared]:
        if not items:
            return []
        vectors = self.embedder.encode(
            [article_text_for_embedding(item.title, item.text) for item in items]
        )
        prepared = []
        for item, vector in zip(items, vectors, strict=True):
            signature = text_signature(item.text)
            prepared.append(
                _Prepared(item, vector, signature, band_keys(signature), _cluster_doc(item, vector))
            )
        return prepared

    def _place_one(self, session: Session, entry: _Prepared, now: datetime) -> None:
        item = entry.item
        if session.get(Article, item.article_id) is None:
            return  # deleted since it was read
        save_vector(
            session,
            item.article_id,
            item.revision,
            self.settings.embedding_model,
            vector_to_bytes(entry.vector),
        )
        group, copy_of, relation = _copies(session, entry)
        replace_copy_keys(session, item.article_id, entry.keys)
        previous = session.get(Placement, item.article_id)
        kept = (
            load_stories(session, [previous.story_id])
            if previous is not None and previous.version > 0 and previous.story_id is not None
            else {}
        )
        if previous is not None and kept:
            story_id = next(iter(kept.values())).id
            explanation = dict(previous.explanation)
        else:
            story_id, explanation = self._story_for(session, entry, copy_of, now)
        save_placement(
            session,
            item.article_id,
            version=PLACEMENT_VERSION,
            revision=item.revision,
            story_id=story_id,
            signature=entry.signature.to_bytes(),
            copy_group_id=group,
            copy_of_id=copy_of,
            copy_relation=relation,
            explanation=explanation,
            now=now,
        )
        self.index.add(item.article_id, entry.vector)

    def _story_for(
        self, session: Session, entry: _Prepared, copy_of: int | None, now: datetime
    ) -> tuple[int, dict[str, Any]]:
        """The story the article joins (made if new) and why, updating the stories."""
        doc = entry.doc
        if copy_of is not None:
            original = stories_of_articles(session, [copy_of]).get(copy_of)
            stories = load_stories(session, [original]) if original is not None else {}
            if original is not None and original in stories:
                row = stories[original]
                summary = absorb_doc(_summary(row), doc)
                _save_summary(session, row, summary, now)
                self._grow_storyline(session, row.storyline_id, doc, now)
                return row.id, {
                    "sentence": f"grouped because: the same text as article {copy_of}",
                    "copy_of": copy_of,
                }
        neighbours = self.index.search(entry.vector, NEIGHBOURS, exclude=doc.article_id)
        candidate_ids = set(stories_of_articles(session, [a for a, _ in neighbours]).values())
        rows = load_stories(session, candidate_ids)
        summaries = {row.id: _summary(row) for row in rows.values()}
        decision = assign(doc, list(summaries.values()), PARAMS)
        if decision.story_id is None:
            story_id = save_story(
                session,
                None,
                title=doc.title or "Untitled story",
                first_at=doc.published_at or now,
                last_at=doc.published_at or now,
                article_count=0,
                outlet_count=0,
                state=b"{}",
                created_at=now,
                updated_at=now,
            )
            summary = summarise(story_id, [doc])
            storyline_id = self._storyline_for(session, summary, rows, now)
            fresh = StoryRow(story_id, storyline_id, "", now, now, 0, 0, b"")
            _save_summary(session, fresh, summary, now, storyline_id=storyline_id)
            self._merge_storylines(session, storyline_id, _lines_of(rows), now)
            reason = {"sentence": "a new story", "score": round(decision.score, 4)}
            if decision.explanation is not None:
                reason["closest"] = _explanation(decision.explanation)
            return story_id, reason
        row = rows[decision.story_id]
        summary = absorb_doc(summaries[row.id], doc)
        for other in sorted(summaries):
            if other != row.id and should_merge(summary, summaries[other], PARAMS):
                merge_story(session, other, row.id, now)
                summary = combine(summary, summaries[other])
        _save_summary(session, row, summary, now)
        self._grow_storyline(session, row.storyline_id, doc, now)
        if summary.count in SPLIT_CHECKS:
            self._split_if_drifted(session, row, summary, doc, now)
        if row.storyline_id is not None and summary.count & (summary.count - 1) == 0:
            self._merge_storylines(session, row.storyline_id, _lines_of(rows), now)
        assert decision.explanation is not None
        return row.id, _explanation(decision.explanation)

    def _storyline_for(
        self, session: Session, summary: StorySummary, near: dict[int, StoryRow], now: datetime
    ) -> int:
        """The storyline a new story joins (one of its neighbours' storylines) or opens."""
        storylines = load_storylines(
            session, {row.storyline_id for row in near.values() if row.storyline_id is not None}
        )
        candidates = [StorySummary.from_json(row.state.decode()) for row in storylines.values()]
        for candidate, row in zip(candidates, storylines.values(), strict=True):
            candidate.story_id = row.id
        decision = assign_storyline(summary, candidates, PARAMS)
        if decision.story_id is not None:
            row = storylines[decision.story_id]
            merged = combine(StorySummary.from_json(row.state.decode()), summary)
            merged.story_id = row.id
            save_storyline(
                session,
                row.id,
                title=story_title(merged) or row.title,
                first_at=min(row.first_at, summary.first_at or now),
                last_at=max(row.last_at, summary.last_at or now),
                story_count=row.story_count + 1,
                state=merged.to_json().encode(),
                updated_at=now,
            )
            return row.id
        storyline_id = save_storyline(
            session,
            None,
            title=story_title(summary) or "Untitled storyline",
            first_at=summary.first_at or now,
            last_at=summary.last_at or now,
            story_count=1,
            state=b"{}",
            created_at=now,
            updated_at=now,
        )
        own = StorySummary.from_json(summary.to_json())
        own.story_id = storyline_id
        save_storyline(session, storyline_id, state=own.to_json().encode())
        return storyline_id

    def _merge_storylines(
        self, session: Session, line_id: int, near: set[int], now: datetime
    ) -> None:
        """Merge storyline ``line_id`` with the ``near`` ones that score as the same subject
        (the larger one stays; the other's stories move to it and its id redirects)."""
        rows = load_storylines(session, near | {line_id})
        if line_id not in rows:
            return
        level = PARAMS.storyline
        line = _line_summary(rows[line_id])
        for other_id in sorted(near - {line_id}):
            other_row = rows.get(other_id)
            if other_row is None or other_row.merged_into_id is not None:
                continue
            other = _line_summary(other_row)
            if compare(line, other, level, detail=False).score < level.merge:
                continue
            kept, gone = (line, other) if line.count >= other.count else (other, line)
            combine(kept, gone)
            session.execute(
                update(Story)
                .where(Story.storyline_id == gone.story_id)
                .values(storyline_id=kept.story_id)
            )
            session.execute(
                update(Storyline)
                .where(
                    or_(Storyline.id == gone.story_id, Storyline.merged_into_id == gone.story_id)
                )
                .values(merged_into_id=kept.story_id, updated_at=now)
            )
            count = session.execute(
                select(func.count()).select_from(Story).where(Story.storyline_id == kept.story_id)
            ).scalar_one()
            save_storyline(
                session,
                kept.story_id,
                title=story_title(kept) or rows[kept.story_id].title,
                first_at=min(rows[kept.story_id].first_at, rows[gone.story_id].first_at),
                last_at=max(rows[kept.story_id].last_at, rows[gone.story_id].last_at),
                story_count=count,
                state=kept.to_json().encode(),
                updated_at=now,
            )
            line = kept

    def _grow_storyline(
        self, session: Session, storyline_id: int | None, doc: ClusterDoc, now: datetime
    ) -> None:
        rows = load_storylines(session, [storyline_id] if storyline_id is not None else [])
        if storyline_id is None or storyline_id not in rows:
            return
        row = rows[storyline_id]
        summary = absorb_doc(StorySummary.from_json(row.state.decode()), doc)
        save_storyline(
            session,
            row.id,
            state=summary.to_json().encode(),
            last_at=max(row.last_at, doc.published_at or now),
            first_at=min(row.first_at, doc.published_at or now),
            title=story_title(summary) or row.title,
            updated_at=now,
        )

    def _split_if_drifted(
        self,
        session: Session,
        row: StoryRow,
        summary: StorySummary,
        doc: ClusterDoc,
        now: datetime,
    ) -> None:
        """Split ``row`` in two when its articles have come apart."""
        others = [a for a in summary.article_ids if a != doc.article_id]
        items = {item.article_id: item for item in placement_inputs(session, others)}
        vectors = read_vectors(session, items)
        docs = [
            _cluster_doc(items[a], vector_from_bytes(vectors[a])) for a in others if a in vectors
        ] + [doc]
        halves = split_if_drifted(summary, docs, PARAMS)
        if halves is None:
            return
        kept, moved = halves
        if doc not in kept:
            kept, moved = moved, kept
        kept_summary = summarise(row.id, kept)
        _save_summary(session, row, kept_summary, now)
        new_id = save_story(
            session,
            None,
            storyline_id=row.storyline_id,
            title=moved[0].title or row.title,
            first_at=now,
            last_at=now,
            article_count=0,
            outlet_count=0,
            state=b"{}",
            created_at=now,
            updated_at=now,
        )
        moved_summary = summarise(new_id, moved)
        fresh = StoryRow(new_id, row.storyline_id, "", now, now, 0, 0, b"")
        _save_summary(session, fresh, moved_summary, now)
        move_articles(session, [d.article_id for d in moved], new_id)
        log.info(
            "story %s drifted apart: %s articles moved to story %s", row.id, len(moved), new_id
        )


def place_backlog(
    database: Database, settings: Settings, limit: int | None = None, batch: int = 32
) -> PlaceReport:
    """Place every analysed article not placed as it reads now (``storyline stories
    place``); resumable: each batch commits on its own."""
    placer = Placer(database, settings)
    placed, after = 0, 0
    while limit is None or placed < limit:
        size = batch if limit is None else min(batch, limit - placed)
        with database.read() as session:
            ids = articles_to_place(session, PLACEMENT_VERSION, size, after)
        if not ids:
            break
        placed += placer.place(ids, batch)
        after = ids[-1]
    with database.read() as session:
        remaining = count_unplaced(session, PLACEMENT_VERSION)
    return PlaceReport(placed, remaining)


def reset_placements(session: Session) -> None:
    """Forget every story, storyline and placement, so that the next placing run (in
    article order) clusters the whole corpus again: the batch rebuild."""
    from sqlalchemy import delete

    from storyline.store.schema import CopyKey

    session.execute(delete(Placement))
    session.execute(delete(CopyKey))
    session.execute(update(Story).values(merged_into_id=None, storyline_id=None))
    session.execute(delete(Story))
    session.execute(update(Storyline).values(merged_into_id=None))
    session.execute(delete(Storyline))


# --- Helpers ----------------------------------------------------------------------------


def _lock_stories(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _STORIES_LOCK})


def _cluster_doc(item: PlacementInput, vector: np.ndarray) -> ClusterDoc:
    return ClusterDoc(
        article_id=item.article_id,
        published_at=item.published_at,  # undated: time neither for nor against
        vector=np.asarray(vector, dtype=np.float32),
        terms=term_weights(item.title, item.text),
        people={key: float(n) for key, n in item.people.items()},
        places={key: float(n) for key, n in item.places.items()},
        title=item.title,
        outlet=item.outlet,
    )


def _copies(session: Session, entry: _Prepared) -> tuple[int, int | None, str | None]:
    """The article's group of same-text articles, the member it matches best and how."""
    item = entry.item
    candidates: list[CopyRow] = copy_candidates(
        session, item.article_id, entry.keys, item.listed_at - COPY_WINDOW
    )
    # A later version by the same outlet is an update of it; else the closest text.
    best: tuple[tuple[bool, float], CopyRow, str] | None = None
    for candidate in candidates:
        signature = Signature.from_bytes(candidate.signature) if candidate.signature else None
        match = compare_texts(item.text, candidate.text, entry.signature, signature)
        if not match.same_text:
            continue
        own = candidate.outlet == item.outlet
        rank = (own, match.containment)
        if best is None or rank > best[0]:
            best = (rank, candidate, "update" if own else match.relation)
    if best is None:
        return item.article_id, None, None
    _, candidate, relation = best
    group = candidate.copy_group_id or candidate.article_id
    return min(group, item.article_id), candidate.article_id, relation


def _lines_of(stories: dict[int, StoryRow]) -> set[int]:
    return {row.storyline_id for row in stories.values() if row.storyline_id is not None}


def _line_summary(row: Storyline) -> StorySummary:
    summary = StorySummary.from_json(row.state.decode())
    summary.story_id = row.id
    return summary


def _summary(row: StoryRow) -> StorySummary:
    summary = StorySummary.from_json(row.state.decode())
    summary.story_id = row.id
    return summary


def _save_summary(
    session: Session,
    row: StoryRow,
    summary: StorySummary,
    now: datetime,
    storyline_id: int | None = None,
) -> None:
    values: dict[str, Any] = {
        "title": story_title(summary) or row.title or "Untitled story",
        "first_at": summary.first_at or row.first_at,
        "last_at": summary.last_at or row.last_at,
        "article_count": summary.count,
        "outlet_count": len(summary.outlets),
        "state": summary.to_json().encode(),
        "updated_at": now,
    }
    if storyline_id is not None:
        values["storyline_id"] = storyline_id
    save_story(session, row, **values)


def _explanation(explanation: Explanation) -> dict[str, Any]:
    return {
        "sentence": explanation.sentence(),
        "score": round(explanation.score, 4),
        "similarity": round(explanation.similarity, 4),
        "term_similarity": round(explanation.term_similarity, 4),
        "shared_people": list(explanation.shared_people),
        "shared_places": list(explanation.shared_places),
        "hours_apart": (
            round(explanation.hours_apart, 1) if explanation.hours_apart is not None else None
        ),
    }
