"""The in-memory clusterer: articles in, stories and storylines out, as they arrive.

:class:`OnlineClusterer` drives the pure functions of :mod:`storyline.stories.clustering`
exactly as a store does, with its summaries in dictionaries instead of tables. Its work
for one article does not grow with the number of stories: candidates come from a
:class:`CentroidIndex` (an HNSW graph of story centroids), and merges, splits and
storylines only look at those candidates. :func:`batch_cluster` rebuilds from scratch
with the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import faiss as _faiss
import numpy as np

from storyline.stories.cluster_features import (
    DIMENSIONS,
    ClusterDoc,
    StorySummary,
    Vector,
    absorb,
    combine,
    hours_apart,
    summarise,
)
from storyline.stories.clustering import (
    PARAMS,
    ClusterParams,
    Decision,
    LevelParams,
    assign,
    assign_storyline,
    compare,
    should_merge,
    split_if_drifted,
)

# faiss's bundled type stubs lag its API.
faiss: Any = _faiss

# 16 links a node and 64 candidates while inserting, as storyline.stories.index; a search
# asks for few neighbours, so 32 candidates while searching.
_LINKS = 16
_EXPANSION = 64
_EXPANSION_SEARCH = 32
_DROPPED = -1


class CentroidIndex:
    """Nearest story centroids by cosine, in an HNSW graph keyed by story id.

    HNSW cannot take a node out, so a story's new centroid is a new row and its old row
    is dropped; the graph is rebuilt from its live rows when dropped rows outnumber them.
    """

    def __init__(self, dimensions: int = DIMENSIONS) -> None:
        self.dimensions = dimensions
        self._new_graph()

    def _new_graph(self) -> None:
        self._graph = faiss.IndexHNSWFlat(self.dimensions, _LINKS, faiss.METRIC_INNER_PRODUCT)
        self._graph.hnsw.efConstruction = _EXPANSION
        self._graph.hnsw.efSearch = _EXPANSION_SEARCH
        self._ids = np.zeros(1024, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._dropped = 0

    def __len__(self) -> int:
        return len(self._row_of)

    def put(self, story_id: int, centroid: Vector) -> None:
        """Index (or re-index) ``story_id`` at ``centroid``."""
        self.drop(story_id)
        row = int(self._graph.ntotal)
        if row >= len(self._ids):
            self._ids = np.concatenate([self._ids, np.zeros(len(self._ids), dtype=np.int64)])
        self._graph.add(np.asarray(centroid, dtype=np.float32).reshape(1, -1))
        self._ids[row] = story_id
        self._row_of[story_id] = row

    def put_many(self, story_ids: Sequence[int], centroids: Vector) -> None:
        """Index many new stories at once (faiss adds a batch on all cores)."""
        for story_id in story_ids:
            self.drop(story_id)
        start = int(self._graph.ntotal)
        need = start + len(story_ids)
        if need > len(self._ids):
            self._ids = np.concatenate([self._ids, np.zeros(need, dtype=np.int64)])
        self._graph.add(np.asarray(centroids, dtype=np.float32))
        self._ids[start:need] = story_ids
        self._row_of.update({s: start + i for i, s in enumerate(story_ids)})

    def drop(self, story_id: int) -> None:
        row = self._row_of.pop(story_id, None)
        if row is None:
            return
        self._ids[row] = _DROPPED
        self._dropped += 1
        if self._dropped > max(1024, len(self._row_of)):
            self._rebuild()

    def search(self, vector: Vector, k: int) -> list[int]:
        """Up to ``k`` story ids, most similar centroid first."""
        if not self._row_of:
            return []
        wanted = min(int(self._graph.ntotal), k + k // 2 + 4)  # room for dropped rows
        _, rows = self._graph.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), wanted)
        found = [int(self._ids[row]) for row in rows[0] if row >= 0]
        return [story_id for story_id in found if story_id != _DROPPED][:k]

    def _rebuild(self) -> None:
        live = sorted(self._row_of.items(), key=lambda item: item[1])
        vectors = np.vstack([self._graph.reconstruct(row) for _, row in live]) if live else None
        self._new_graph()
        if vectors is not None:
            self.put_many([story_id for story_id, _ in live], vectors)


class OnlineClusterer:
    """Stories and storylines of the articles added so far, kept up to date one at a time.

    For each article (:meth:`add`):

    1. fetch the ``candidates`` stories with the nearest centroids, less those too far apart
       in time;
    2. :func:`assign` it to one of them or to a new story, and absorb it;
    3. a new story finds its storyline (:func:`assign_storyline`); an old one's storyline
       absorbs the article too;
    4. the story merges with any candidate :func:`should_merge` calls the same story (and
       their storylines become one);
    5. when its article count reaches a power of two, the story is checked for drift
       (:func:`split_if_drifted`) and its storyline is chosen again;
    6. when the story is new or its storyline's article count reaches a power of two, the
       storyline merges with any near storyline that scores as the same subject.

    The checks at powers of two keep the work per article bounded on average: a story of
    ``n`` articles has been checked ``log2(n)`` times, at a total cost of about ``2n``.
    """

    def __init__(self, params: ClusterParams = PARAMS, dimensions: int = DIMENSIONS) -> None:
        self.params = params
        self.dimensions = dimensions
        self.stories: dict[int, StorySummary] = {}
        self.storylines: dict[int, StorySummary] = {}
        self.storyline_of: dict[int, int] = {}  # story id -> storyline id
        self.merges = 0
        self.splits = 0
        self._story_of: dict[int, int] = {}
        self._docs: dict[int, ClusterDoc] = {}
        self._stories_of_line: dict[int, set[int]] = {}
        self._story_index = CentroidIndex(dimensions)
        self._line_index = CentroidIndex(dimensions)
        self._indexed_count: dict[tuple[str, int], int] = {}
        self._next_id = 1

    # -- one article ------------------------------------------------------------------

    def add(self, doc: ClusterDoc) -> Decision:
        """Cluster one article; the decision says which story it joined and why."""
        self._docs[doc.article_id] = doc
        level = self.params.story
        candidates = self._candidates(
            doc.vector, (doc.published_at, doc.published_at), self._story_index, self.stories, level
        )
        decision = assign(doc, candidates, self.params)
        near_lines: list[StorySummary] | None = None
        if decision.story_id is None:
            story = StorySummary.empty(self._new_id(), self.dimensions)
            self.stories[story.story_id] = story
            absorb(story, doc)
            near_lines = self._place_in_storyline(story)
        else:
            story = self.stories[decision.story_id]
            absorb(story, doc)
            line = self.storylines[self.storyline_of[story.story_id]]
            absorb(line, doc)
            self._reindex("line", line, self._line_index)
        self._story_of[doc.article_id] = story.story_id
        self._reindex("story", story, self._story_index)
        story = self._merge_candidates(story, candidates)
        doubled = story.count & (story.count - 1) == 0
        if story.count >= 2 * self.params.split_min and doubled:
            self._split(story)
            self._reconsider_storyline(story)
        line = self.storylines[self.storyline_of[story.story_id]]
        if decision.story_id is None or doubled or line.count & (line.count - 1) == 0:
            self._merge_storylines(line, near_lines)
        return decision

    def load(
        self,
        stories: Sequence[StorySummary],
        storylines: Sequence[StorySummary],
        storyline_of: dict[int, int],
    ) -> None:
        """Start from stories and storylines clustered before (say, read from a store).

        Their articles' documents are not known, so those stories are never split here.
        """
        for kind, summaries, table, index in (
            ("story", stories, self.stories, self._story_index),
            ("line", storylines, self.storylines, self._line_index),
        ):
            for summary in summaries:
                table[summary.story_id] = summary
                self._indexed_count[(kind, summary.story_id)] = summary.count
            if summaries:
                index.put_many(
                    [s.story_id for s in summaries], np.vstack([s.centroid for s in summaries])
                )
        for story in stories:
            line = storyline_of[story.story_id]
            self.storyline_of[story.story_id] = line
            self._stories_of_line.setdefault(line, set()).add(story.story_id)
            for article_id in story.article_ids:
                self._story_of[article_id] = story.story_id
        known = [s.story_id for s in (*stories, *storylines)]
        self._next_id = max(self._next_id, max(known, default=0) + 1)

    def story_of_article(self) -> dict[int, int]:
        """Each article's story id."""
        return dict(self._story_of)

    def storyline_of_article(self) -> dict[int, int]:
        """Each article's storyline id."""
        return {a: self.storyline_of[s] for a, s in self._story_of.items()}

    def docs_of(self, story: StorySummary) -> list[ClusterDoc]:
        return [self._docs[a] for a in story.article_ids if a in self._docs]

    def settle(self) -> None:
        """Merge every pair of near stories that should be one, then check every story for drift."""
        changed = True
        while changed:
            changed = False
            for story_id in sorted(self.stories):
                story = self.stories.get(story_id)
                if story is None:
                    continue
                before = self.merges
                near = self._candidates(
                    story.centroid,
                    (story.first_at, story.last_at),
                    self._story_index,
                    self.stories,
                    self.params.story,
                )
                self._merge_candidates(story, near)
                changed = changed or self.merges > before
        for story_id in sorted(self.stories):
            story = self.stories[story_id]
            if story.count >= 2 * self.params.split_min:
                self._split(story)

    # -- candidates and the index -----------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _candidates(
        self,
        vector: Vector,
        span: tuple[datetime | None, datetime | None],
        index: CentroidIndex,
        table: dict[int, StorySummary],
        level: LevelParams,
    ) -> list[StorySummary]:
        found = []
        for story_id in index.search(vector, 2 * self.params.candidates):
            summary = table.get(story_id)
            if summary is None:
                continue
            gap = hours_apart(span, (summary.first_at, summary.last_at))
            if gap is None or gap <= level.max_gap_hours:
                found.append(summary)
            if len(found) == self.params.candidates:
                break
        return found

    def _reindex(self, kind: str, summary: StorySummary, index: CentroidIndex) -> None:
        """Put the summary's centroid in the index when its article count has doubled."""
        key = (kind, summary.story_id)
        if summary.count >= 2 * self._indexed_count.get(key, 0):
            index.put(summary.story_id, summary.centroid)
            self._indexed_count[key] = summary.count

    def _forget(self, kind: str, story_id: int, index: CentroidIndex) -> None:
        index.drop(story_id)
        self._indexed_count.pop((kind, story_id), None)

    # -- stories ----------------------------------------------------------------------

    def _merge_candidates(
        self, story: StorySummary, candidates: Iterable[StorySummary]
    ) -> StorySummary:
        for other in candidates:
            if other.story_id == story.story_id or self.stories.get(other.story_id) is not other:
                continue  # the story itself, or merged or split since it was fetched
            if should_merge(story, other, self.params):
                story = self._merge(story, other)
        return story

    def _merge(self, a: StorySummary, b: StorySummary) -> StorySummary:
        """One story of two: the larger keeps its id."""
        kept, gone = (a, b) if a.count >= b.count else (b, a)
        self.merges += 1
        kept_line = self.storyline_of[kept.story_id]
        gone_line = self.storyline_of.pop(gone.story_id)
        self._stories_of_line[gone_line].discard(gone.story_id)
        if gone_line != kept_line:
            self._merge_lines(self.storylines[kept_line], self.storylines[gone_line])
        combine(kept, gone)
        for article_id in gone.article_ids:
            self._story_of[article_id] = kept.story_id
        del self.stories[gone.story_id]
        self._forget("story", gone.story_id, self._story_index)
        self._indexed_count.pop(("story", kept.story_id), None)
        self._reindex("story", kept, self._story_index)
        return kept

    def _split(self, story: StorySummary) -> None:
        docs = self.docs_of(story)
        if len(docs) != story.count:
            return  # some articles came from a store through load(); not split here
        groups = split_if_drifted(story, docs, self.params)
        if groups is None:
            return
        self.splits += 1
        kept, moved = groups
        rebuilt = summarise(story.story_id, kept)
        self.stories[story.story_id] = rebuilt
        new = summarise(self._new_id(), moved)
        self.stories[new.story_id] = new
        for doc in moved:
            self._story_of[doc.article_id] = new.story_id
        line = self.storyline_of[story.story_id]
        self.storyline_of[new.story_id] = line
        self._stories_of_line[line].add(new.story_id)
        for summary in (rebuilt, new):
            self._indexed_count.pop(("story", summary.story_id), None)
            self._reindex("story", summary, self._story_index)

    # -- storylines -------------------------------------------------------------------

    def _place_in_storyline(self, story: StorySummary) -> list[StorySummary]:
        """Put a new story in a storyline; the candidate storylines are returned."""
        level = self.params.storyline
        span = (story.first_at, story.last_at)
        candidates = self._candidates(
            story.centroid, span, self._line_index, self.storylines, level
        )
        decision = assign_storyline(story, candidates, self.params)
        if decision.story_id is None:
            line = StorySummary.empty(self._new_id(), self.dimensions)
            self.storylines[line.story_id] = line
            self._stories_of_line[line.story_id] = set()
        else:
            line = self.storylines[decision.story_id]
        combine(line, story)
        self.storyline_of[story.story_id] = line.story_id
        self._stories_of_line[line.story_id].add(story.story_id)
        self._reindex("line", line, self._line_index)
        return candidates

    def _reconsider_storyline(self, story: StorySummary) -> None:
        """Move a grown story to a storyline that now fits it better than its own."""
        story = self.stories.get(story.story_id, story)
        current = self.storyline_of[story.story_id]
        level = self.params.storyline
        span = (story.first_at, story.last_at)
        candidates = self._candidates(
            story.centroid, span, self._line_index, self.storylines, level
        )
        if current not in {c.story_id for c in candidates}:
            candidates.append(self.storylines[current])
        decision = assign_storyline(story, candidates, self.params, current=current)
        if decision.story_id == current or decision.story_id is None:
            return
        self._stories_of_line[current].discard(story.story_id)
        self._rebuild_line(current)
        target = self.storylines[decision.story_id]
        combine(target, story)
        self.storyline_of[story.story_id] = target.story_id
        self._stories_of_line[target.story_id].add(story.story_id)
        self._reindex("line", target, self._line_index)

    def _rebuild_line(self, line_id: int) -> None:
        members = self._stories_of_line[line_id]
        if not members:
            del self.storylines[line_id]
            del self._stories_of_line[line_id]
            self._forget("line", line_id, self._line_index)
            return
        line = StorySummary.empty(line_id, self.dimensions)
        for story_id in sorted(members):
            combine(line, self.stories[story_id])
        self.storylines[line_id] = line
        self._indexed_count.pop(("line", line_id), None)
        self._reindex("line", line, self._line_index)

    def _merge_storylines(
        self, line: StorySummary, near: Sequence[StorySummary] | None = None
    ) -> None:
        """Merge ``line`` with near storylines of the same subject (``near``, or searched)."""
        level = self.params.storyline
        span = (line.first_at, line.last_at)
        if near is None:
            near = self._candidates(line.centroid, span, self._line_index, self.storylines, level)
        for other in near:
            if other.story_id == line.story_id or line.story_id not in self.storylines:
                continue
            if self.storylines.get(other.story_id) is not other:
                continue  # merged into another since it was fetched
            if compare(line, other, level, detail=False).score >= level.merge:
                kept, gone = (line, other) if line.count >= other.count else (other, line)
                self._merge_lines(kept, gone)
                line = kept

    def _merge_lines(self, kept: StorySummary, gone: StorySummary) -> None:
        combine(kept, gone)
        for story_id in self._stories_of_line.pop(gone.story_id):
            self.storyline_of[story_id] = kept.story_id
            self._stories_of_line[kept.story_id].add(story_id)
        del self.storylines[gone.story_id]
        self._forget("line", gone.story_id, self._line_index)
        self._indexed_count.pop(("line", kept.story_id), None)
        self._reindex("line", kept, self._line_index)


def batch_cluster(docs: Iterable[ClusterDoc], params: ClusterParams = PARAMS) -> OnlineClusterer:
    """Cluster ``docs`` from scratch, oldest first, then settle merges and splits.

    The same functions as the online path: articles are added in time order (undated
    ones last, then by id), after which every story is compared with its nearest stories
    until no two merge, and every story is checked for drift once.
    """
    ordered = sorted(
        docs,
        key=lambda d: (d.published_at is None, d.published_at or datetime.min, d.article_id),
    )
    clusterer = OnlineClusterer(params, len(ordered[0].vector) if ordered else DIMENSIONS)
    for doc in ordered:
        clusterer.add(doc)
    clusterer.settle()
    return clusterer
