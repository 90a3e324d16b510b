"""The process's nearest-neighbour index of stored articles, kept level with the database.

The database is the source of truth: every vector is an ``article_vectors`` row. The
index under ``STORYLINE_HOME/index`` is a cache of them (:class:`VectorIndex`), shared by
the processes of one machine: a placer's ``add`` is on disk and visible to the others at
once. The index is opened at first use (rebuilt from the rows when missing or corrupt),
then, before each search, caught up with the articles that processes on *other* machines
placed: the vector rows past the last row id this process has read, and again over a short
look-back window, because on PostgreSQL a row with a smaller id can commit after a larger
one. Rows of articles already indexed are skipped, so each vector is written once per
machine; a revised article's new vector is indexed by the placer that embeds it (on another
machine's index, the old vector stays until the next rebuild).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from storyline.store import Database
from storyline.store.stories import iter_vectors, vectors_after
from storyline.stories.embeddings import vector_from_bytes
from storyline.stories.index import VectorIndex

# Rows re-read behind the last one indexed, for writes that committed out of id order.
LOOKBACK_ROWS = 512
# Rows read from the database per catch-up query.
CATCH_UP_BATCH = 5_000
SYNCED = "synced.json"


class ArticleIndex:
    """Nearest stored articles by vector, for one process (safe across its threads)."""

    def __init__(self, database: Database, folder: Path, dimensions: int) -> None:
        # One query at a time gains nothing from OpenMP's threads, and waking them on busy
        # cores costs more than the search (bench/cluster_cost.py measured it).
        faiss.omp_set_num_threads(1)
        self.database = database
        self.folder = folder
        self.dimensions = dimensions
        self._index: VectorIndex | None = None
        self._last_row = 0
        self._lock = threading.RLock()

    def search(
        self, vector: npt.ArrayLike, k: int, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` nearest articles to ``vector`` (without ``exclude``), best first."""
        with self._lock:
            return self.catch_up().search(vector, k, exclude=() if exclude is None else (exclude,))

    def add(self, article_id: int, vector: npt.ArrayLike) -> None:
        """Index a vector this process just stored (durable at once: see the index). No
        catch-up here: the next search does it, once, for the whole batch."""
        with self._lock:
            self._opened().add([article_id], np.asarray(vector, dtype=np.float32)[None, :])

    def _opened(self) -> VectorIndex:
        if self._index is None:
            self._index = self._open()
        return self._index

    def catch_up(self) -> VectorIndex:
        """The index, with every vector row stored since it was last looked at."""
        with self._lock:
            index = self._opened()
            with self.database.read() as session:
                after = max(0, self._last_row - LOOKBACK_ROWS)
                while rows := vectors_after(session, after, CATCH_UP_BATCH):
                    fresh = {
                        article_id: data for _, article_id, data in rows if article_id not in index
                    }
                    if fresh:
                        index.add(
                            list(fresh),
                            np.stack([vector_from_bytes(data) for data in fresh.values()]),
                        )
                    after = rows[-1][0]
                    if len(rows) < CATCH_UP_BATCH:
                        break
                if after > self._last_row:
                    self._last_row = after
                    _write_json(self.folder / SYNCED, {"last_row": after})
            return index

    def _open(self) -> VectorIndex:
        last_rows: list[int] = []

        def stored() -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
            with self.database.read() as session:
                for row_id, article_id, data in iter_vectors(session):
                    last_rows.append(row_id)
                    yield article_id, vector_from_bytes(data)

        faiss.omp_set_num_threads(os.cpu_count() or 1)  # a rebuild uses every core
        try:
            index = VectorIndex.open_or_rebuild(self.folder, self.dimensions, stored)
        finally:
            faiss.omp_set_num_threads(1)
        if last_rows:  # rebuilt: it holds every row read
            self._last_row = max(last_rows)
            _write_json(self.folder / SYNCED, {"last_row": self._last_row})
        else:
            self._last_row = _read_last_row(self.folder / SYNCED)
        return index


_SHARED: dict[tuple[int, str, int], ArticleIndex] = {}
_SHARED_LOCK = threading.Lock()


def shared_index(database: Database, folder: Path, dimensions: int) -> ArticleIndex:
    """The process's one index of ``folder`` for ``database`` (pages and workers share it)."""
    key = (id(database), str(folder), dimensions)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = ArticleIndex(database, folder, dimensions)
        return _SHARED[key]


def _read_last_row(path: Path) -> int:
    """The last row the saved index holds; 0 (read everything again) when unknown."""
    try:
        return int(json.loads(path.read_text())["last_row"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _write_json(path: Path, data: dict[str, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data))
    os.replace(temporary, path)
