"""The nearest-neighbour index of article vectors: "related articles" in a millisecond.

An HNSW graph (faiss) over the articles' unit vectors, keyed by article id, kept in a
folder under ``STORYLINE_HOME`` (:func:`index_folder`). The database holds every vector
too (:func:`storyline.stories.embeddings.vector_to_bytes`), so the index is a cache: when
its files are missing, unreadable or do not match what was saved,
:meth:`VectorIndex.open_or_rebuild` builds it again from the database.

faiss's HNSW graph cannot take a node out, so each indexed vector is a *row*, and the
index keeps which article a row belongs to. Removing an article, or giving it a new
vector, drops its old row: searches skip dropped rows, and a rebuild or a compaction
leaves them out.

On disk a folder holds one generation ``<g>`` of:

* ``graph-<g>.faiss``: faiss's file (the graph and the float16 vectors);
* ``rows-<g>.npy``: each row's article id, -1 for a dropped row;
* ``log-<g>.bin``: the changes made since the snapshot, appended as they happen: batches
  of added vectors or removed ids, each with a CRC-32;
* ``index.json``: the manifest, naming the files with the snapshot's sizes and CRC-32,
  and its row and article counts;
* ``.lock``: the file that writers lock.

Several processes may use one folder (the web server reads, workers write):

1. A writer (:meth:`VectorIndex.add`, :meth:`~VectorIndex.remove`) takes an exclusive
   ``flock`` on ``.lock``, catches up with what other writers logged, appends its batch to
   the log, flushes it to disk and lets go: an added article is durable and visible to the
   other processes at once, without rewriting the snapshot.
2. A reader checks, before each search, whether the manifest or the log changed on disk
   (two ``stat`` calls) and, if so, reloads the new generation or applies the log's new
   batches, under a shared lock.
3. When the log holds more than a tenth of the snapshot's rows (at least
   ``COMPACT_AFTER``), the writer compacts: it writes the next generation's snapshot, then
   the manifest under a temporary name renamed over the old one. That rename is the
   commit: a crash at any point leaves the old generation or the new one, never a mix.

The snapshot's checksums are checked before faiss reads a file, so a damaged file is
rebuilt, not loaded. A batch that a crash cut short can only be the log's last: it is
ignored, and the next writer cuts it off; a damaged batch with good ones after it means
the log was damaged after it was written, and the index is rebuilt.

Parameters, measured with ``python bench/ann_index.py`` at a million synthetic
384-dimension vectors (figures in ``docs/benchmarks.md``): vectors kept as float16 (half
the memory of float32), 32 links a node, 80 candidates while building, 128 while
searching. That gave recall@10 0.962 against exact search at 0.7 ms a query (p50; 0.959
with 96 candidates, 0.894 with 64), about 1.1 GiB in memory and 1 GiB on disk, and an
add (log, fsync, graph) of about 5 ms.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import struct
import tempfile
import threading
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss as _faiss
import numpy as np
import numpy.typing as npt

# faiss's bundled type stubs lag its API (search parameters, scalar quantiser types).
faiss: Any = _faiss

logger = logging.getLogger(__name__)

MANIFEST = "index.json"
LOCK = ".lock"
_FORMAT = 2
CONNECTIVITY = 32
EXPANSION_ADD = 80
EXPANSION_SEARCH = 128
COMPACT_AFTER = 10_000
_DROPPED = -1
_REBUILD_BATCH = 10_000
# Dropped rows stay in the graph (searches skip them) until they are a fifth of the rows.
_DROPPED_KEPT = 1_000
_CHUNK = 1 << 22
# A log batch: magic, kind, count, CRC-32 of the header's first 12 bytes and the payload.
_BATCH = struct.Struct("<4sB3xII")
_MAGIC = b"SLV1"
_ADD, _REMOVE = 1, 2

Rows = npt.NDArray[np.int64]
Vectors = npt.NDArray[np.float32]
Pairs = Iterable[tuple[int, npt.ArrayLike]]


class IndexCorrupt(ValueError):
    """The index on disk does not match its manifest, or cannot be read."""


def index_folder(home: Path) -> Path:
    """Where the article index lives under ``STORYLINE_HOME``."""
    return home / "index"


@dataclass(frozen=True)
class _Manifest:
    generation: int
    graph: str
    graph_size: int
    graph_crc32: int
    rows: str
    rows_size: int
    rows_crc32: int
    log: str
    row_count: int
    count: int
    dimensions: int


class VectorIndex:
    """An approximate nearest-neighbour index of unit vectors, keyed by article id.

    Cosine similarity (the inner product of unit vectors) ranks the neighbours. A
    ``VectorIndex`` is one process's view of its folder; every method may be called from
    several threads (they take turns) and several processes may hold views of one folder.
    """

    def __init__(self, folder: Path, dimensions: int) -> None:
        self.folder = folder
        self.dimensions = dimensions
        self.expansion_search = EXPANSION_SEARCH
        self._lock = threading.RLock()
        self._reset(0)
        self._seen: tuple[int, int] | None = None  # the manifest's (inode, mtime) loaded
        self._log_seen = 0  # the log's size when it was last read
        self._log_end = 0  # where the last whole batch of the log ends
        self._log_rows = 0
        self._bad: tuple[int, int] | None = None  # a manifest that failed to load

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, article_id: int) -> bool:
        return article_id in self._row_of

    @property
    def generation(self) -> int:
        return self._generation

    # Writing -----------------------------------------------------------------------

    def add(self, ids: Sequence[int], vectors: npt.ArrayLike) -> None:
        """Index ``vectors`` (one row per id); an id already there gets its new vector."""
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        if matrix.shape[1] != self.dimensions:
            raise ValueError(f"vectors have {matrix.shape[1]} dimensions, not {self.dimensions}")
        if not len(ids):
            return
        payload = np.asarray(ids, dtype="<i8").tobytes() + matrix.astype("<f4").tobytes()
        with self._writing():
            self._append(_ADD, len(ids), payload)
            self._apply_add(np.asarray(ids, dtype=np.int64), matrix)
            self._compact_if_due()

    def remove(self, ids: Sequence[int]) -> None:
        """Drop these ids; ids that are not indexed are ignored."""
        if not len(ids):
            return
        with self._writing():
            self._append(_REMOVE, len(ids), np.asarray(ids, dtype="<i8").tobytes())
            self._drop(int(i) for i in ids)
            self._compact_if_due()

    def save(self) -> None:
        """Compact: write the next generation's snapshot, with the log folded in.

        When dropped rows are more than a fifth of the rows (and ``_DROPPED_KEPT``), the
        graph is first built again without them.
        """
        with self._writing():
            self._write_generation()

    def rebuild(self, pairs: Pairs) -> None:
        """Replace the whole index with ``pairs`` (article id, vector), and save it."""
        with self._writing(catch_up=False):
            self._rebuild_locked(pairs)

    # Reading -----------------------------------------------------------------------

    def search(
        self, vector: npt.ArrayLike, k: int, exclude: Collection[int] = ()
    ) -> list[tuple[int, float]]:
        """The ``k`` nearest ids with their cosine to ``vector``, best first.

        Ids in ``exclude`` (say, the article whose neighbours are asked for) are left out.
        """
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        with self._lock:
            self._follow()
            wanted = min(k + len(exclude), len(self._row_of))
            if k <= 0 or wanted <= 0:
                return []
            params = faiss.SearchParametersHNSW(efSearch=max(self.expansion_search, wanted))
            if self._skip is not None:
                params.sel = self._skip.selector
            scores, rows = self._graph.search(query, wanted, params=params)
            articles = self._articles
        hits = (
            (int(articles[row]), float(score))
            for score, row in zip(scores[0], rows[0], strict=True)
            if row >= 0
        )
        return [hit for hit in hits if hit[0] not in exclude][:k]

    def refresh(self) -> None:
        """Catch up with what other processes saved; :class:`IndexCorrupt` if it is damaged."""
        with self._lock, _flock(self.folder, fcntl.LOCK_SH):
            self._catch_up()

    @classmethod
    def open(cls, folder: Path, dimensions: int | None = None) -> VectorIndex:
        """The index saved in ``folder``; :class:`IndexCorrupt` if it cannot be trusted."""
        manifest = _read_manifest(folder)
        index = cls(folder, manifest.dimensions)
        if dimensions is not None and manifest.dimensions != dimensions:
            raise IndexCorrupt(f"{folder} holds {manifest.dimensions}-dimensional vectors")
        index.refresh()
        return index

    @classmethod
    def open_or_rebuild(
        cls, folder: Path, dimensions: int, source: Callable[[], Pairs]
    ) -> VectorIndex:
        """The saved index, or one rebuilt from ``source`` (the stored vectors) and saved.

        Processes that find the index damaged at the same time rebuild it once: the first
        to take the lock rebuilds, the others then find it whole.
        """
        try:
            return cls.open(folder, dimensions)
        except IndexCorrupt as error:
            if (folder / MANIFEST).exists():
                logger.warning("rebuilding the vector index: %s", error)
            else:  # a new installation, or a lost folder: built from the database
                logger.info("building the vector index in %s", folder)
        index = cls(folder, dimensions)
        with index._writing(catch_up=False):
            try:
                if _read_manifest(folder).dimensions == dimensions:
                    index._catch_up()
                    return index
            except IndexCorrupt:
                pass
            index._rebuild_locked(source())
        return index

    # Inside ----------------------------------------------------------------------------

    def _reset(self, generation: int) -> None:
        self._graph = _new_graph(self.dimensions)
        self._articles: Rows = np.zeros(0, dtype=np.int64)
        self._row_count = 0
        self._snapshot_rows = 0
        self._row_of: dict[int, int] = {}
        self._skip: _SkipRows | None = None
        self._generation = generation

    @contextlib.contextmanager
    def _writing(self, catch_up: bool = True) -> Iterator[None]:
        """This thread and process alone write, having caught up with the others."""
        with self._lock, _flock(self.folder, fcntl.LOCK_EX):
            if catch_up:
                try:
                    self._catch_up()
                except IndexCorrupt:
                    if _manifest_identity(self.folder) is not None:
                        raise
                    # Nothing saved yet: this write starts the index.
                    self._reset(_last_generation(self.folder))
                    self._write_generation()
            yield

    def _follow(self) -> None:
        """Before a search: reload or apply the log if another process changed them."""
        identity = _manifest_identity(self.folder)
        if identity is None or identity == self._bad:
            return
        if identity == self._seen and self._log_size() == self._log_seen:
            return
        try:
            with _flock(self.folder, fcntl.LOCK_SH):
                self._catch_up()
        except IndexCorrupt as error:
            # Keep answering from what is loaded; open_or_rebuild repairs the folder.
            logger.error("the vector index on disk is damaged: %s", error)
            self._bad = identity

    def _catch_up(self) -> None:
        """Load the manifest's generation if it is not the one in memory, then its log."""
        identity = _manifest_identity(self.folder)
        manifest = _read_manifest(self.folder)
        if manifest.dimensions != self.dimensions:
            raise IndexCorrupt(f"{self.folder} holds {manifest.dimensions}-dimensional vectors")
        if manifest.generation != self._generation or identity != self._seen:
            self._load(manifest)
            self._seen = identity
            self._log_seen = self._log_end = self._log_rows = 0
        self._read_log(manifest)
        self._bad = None

    def _load(self, manifest: _Manifest) -> None:
        graph_path = _checked(
            self.folder / manifest.graph, manifest.graph_size, manifest.graph_crc32
        )
        rows_path = _checked(self.folder / manifest.rows, manifest.rows_size, manifest.rows_crc32)
        try:
            graph = faiss.read_index(str(graph_path))
            articles = np.load(rows_path, allow_pickle=False).astype(np.int64)
        except (RuntimeError, OSError, ValueError) as error:
            raise IndexCorrupt(f"{self.folder} cannot be read: {error}") from error
        live = np.flatnonzero(articles != _DROPPED)
        row_of = dict(zip(articles[live].tolist(), live.tolist(), strict=True))
        if (
            graph.d != self.dimensions
            or graph.ntotal != manifest.row_count
            or len(articles) != manifest.row_count
            or len(row_of) != manifest.count
            or len(live) != manifest.count
        ):
            raise IndexCorrupt(f"{self.folder} does not hold what its manifest says")
        self._reset(manifest.generation)
        self._graph = graph
        self._articles = articles
        self._row_count = self._snapshot_rows = len(articles)
        self._row_of = row_of
        self._skip = _skip_selector(articles[: self._row_count])

    def _log_path(self) -> Path:
        return self.folder / f"log-{self._generation}.bin"

    def _log_size(self) -> int:
        try:
            return self._log_path().stat().st_size
        except FileNotFoundError:
            return 0

    def _read_log(self, manifest: _Manifest) -> None:
        """Apply the log's batches after the last one applied."""
        path = self.folder / manifest.log
        try:
            with path.open("rb") as handle:
                handle.seek(self._log_end)
                data = handle.read()
        except FileNotFoundError:
            data = b""
        self._log_seen = self._log_end + len(data)
        for kind, count, payload, end in _batches(data, self.dimensions, path):
            ids = np.frombuffer(payload, dtype="<i8", count=count).astype(np.int64)
            if kind == _ADD:
                vectors = np.frombuffer(payload, dtype="<f4", offset=8 * count)
                self._apply_add(ids, vectors.reshape(count, self.dimensions))
            else:
                self._drop(ids.tolist())
            self._log_end += end
            self._log_rows += count

    def _append(self, kind: int, count: int, payload: bytes) -> None:
        """Append one batch to the log and flush it to disk (the lock is held)."""
        header = _BATCH.pack(_MAGIC, kind, count, 0)[:12]
        batch = header + struct.pack("<I", zlib.crc32(header + payload)) + payload
        with self._log_path().open("ab") as handle:
            if handle.tell() != self._log_end:
                handle.truncate(self._log_end)  # a batch that a crash cut short
                handle.seek(self._log_end)
            handle.write(batch)
            handle.flush()
            os.fsync(handle.fileno())
        self._log_end += len(batch)
        self._log_seen = self._log_end
        self._log_rows += count

    def _apply_add(self, ids: Rows, matrix: Vectors) -> None:
        """Add rows to the graph; a repeated id keeps its last vector."""
        latest = dict(zip(ids.tolist(), range(len(ids)), strict=True))
        rows = np.ascontiguousarray(matrix[list(latest.values())], dtype=np.float32)
        self._drop(latest)
        first = self._row_count
        self._graph.add(rows)
        self._grow(first + len(latest))
        self._articles[first : first + len(latest)] = list(latest)
        self._row_count = first + len(latest)
        self._row_of.update((article, first + n) for n, article in enumerate(latest))

    def _grow(self, rows: int) -> None:
        """Room for ``rows`` article ids, doubling so that one-by-one adds stay cheap."""
        if rows > len(self._articles):
            grown = np.full(max(rows, 2 * len(self._articles), 1024), _DROPPED, dtype=np.int64)
            grown[: self._row_count] = self._articles[: self._row_count]
            self._articles = grown

    def _drop(self, ids: Iterable[int]) -> None:
        """Mark the rows of ``ids`` dropped; searches skip them from now on."""
        rows = [self._row_of.pop(article) for article in ids if article in self._row_of]
        if rows:
            self._articles[rows] = _DROPPED
            self._skip = _skip_selector(self._articles[: self._row_count])

    def _compact_if_due(self) -> None:
        if self._log_rows >= max(COMPACT_AFTER, self._snapshot_rows // 10):
            self._write_generation()

    def _rebuild_locked(self, pairs: Pairs) -> None:
        self._reset(_last_generation(self.folder))
        for ids, matrix in _batched(pairs, self.dimensions):
            self._apply_add(ids, matrix)
        self._write_generation()

    def _write_generation(self) -> None:
        """Write the snapshot of the next generation and commit it (the lock is held)."""
        if self._row_count - len(self._row_of) > max(_DROPPED_KEPT, self._row_count // 5):
            self._compact_rows()
        self.folder.mkdir(parents=True, exist_ok=True)
        generation = max(self._generation, _last_generation(self.folder)) + 1
        graph = _write_new(self.folder, f"graph-{generation}.faiss", self._write_graph)
        rows = _write_new(self.folder, f"rows-{generation}.npy", self._write_rows)
        log = self.folder / f"log-{generation}.bin"
        log.unlink(missing_ok=True)
        manifest = _Manifest(
            generation=generation,
            graph=graph.name,
            graph_size=graph.stat().st_size,
            graph_crc32=_crc32(graph),
            rows=rows.name,
            rows_size=rows.stat().st_size,
            rows_crc32=_crc32(rows),
            log=log.name,
            row_count=self._row_count,
            count=len(self._row_of),
            dimensions=self.dimensions,
        )
        _commit_manifest(self.folder, manifest)
        self._generation = generation
        self._snapshot_rows = self._row_count
        self._seen = _manifest_identity(self.folder)
        self._log_seen = self._log_end = self._log_rows = 0
        _drop_other_generations(self.folder, keep={graph.name, rows.name, log.name})

    def _compact_rows(self) -> None:
        """A new graph of the live rows only: dropped rows go for good."""
        live = np.flatnonzero(self._articles[: self._row_count] != _DROPPED)
        graph = _new_graph(self.dimensions)
        for start in range(0, len(live), _REBUILD_BATCH):
            graph.add(self._graph.reconstruct_batch(live[start : start + _REBUILD_BATCH]))
        articles = self._articles[live].copy()
        self._graph = graph
        self._articles = articles
        self._row_count = len(articles)
        self._row_of = dict(zip(articles.tolist(), range(len(articles)), strict=True))
        self._skip = None

    def _write_graph(self, path: Path) -> None:
        faiss.write_index(self._graph, str(path))

    def _write_rows(self, path: Path) -> None:
        with path.open("wb") as out:
            np.save(out, self._articles[: self._row_count], allow_pickle=False)


def _new_graph(dimensions: int) -> Any:
    graph = faiss.IndexHNSWSQ(
        dimensions, faiss.ScalarQuantizer.QT_fp16, CONNECTIVITY, faiss.METRIC_INNER_PRODUCT
    )
    graph.hnsw.efConstruction = EXPANSION_ADD
    return graph


def _batched(pairs: Pairs, dimensions: int) -> Iterator[tuple[Rows, Vectors]]:
    """``pairs`` in batches, so a million stored vectors never sit in one list."""
    ids: list[int] = []
    rows: list[npt.ArrayLike] = []
    for article_id, vector in pairs:
        ids.append(int(article_id))
        rows.append(vector)
        if len(ids) == _REBUILD_BATCH:
            yield np.asarray(ids, dtype=np.int64), _matrix(rows, dimensions)
            ids, rows = [], []
    if ids:
        yield np.asarray(ids, dtype=np.int64), _matrix(rows, dimensions)


def _matrix(rows: list[npt.ArrayLike], dimensions: int) -> Vectors:
    matrix = np.vstack([np.asarray(row, dtype=np.float32).reshape(1, -1) for row in rows])
    if matrix.shape[1] != dimensions:
        raise ValueError(f"vectors have {matrix.shape[1]} dimensions, not {dimensions}")
    return matrix


def _batches(data: bytes, dimensions: int, path: Path) -> Iterator[tuple[int, int, bytes, int]]:
    """Each whole batch at the start of ``data``: kind, count, payload, and its length.

    Stops at the end, or at a batch cut short by a crash (it reaches past the end of the
    file, or only zero bytes follow); a damaged batch before the end is corruption.
    """
    view = memoryview(data)
    offset = 0
    while offset < len(data):
        left = len(data) - offset
        if left < _BATCH.size or not view[offset:].tobytes().strip(b"\0"):
            return
        magic, kind, count, crc = _BATCH.unpack_from(view, offset)
        known = magic == _MAGIC and kind in (_ADD, _REMOVE)
        length = _BATCH.size + 8 * count + (4 * dimensions * count if kind == _ADD else 0)
        payload = view[offset + _BATCH.size : offset + length]
        if (
            not known
            or length > left
            or zlib.crc32(payload, zlib.crc32(view[offset : offset + 12])) != crc
        ):
            if known and length >= left:
                return  # the last batch, cut short
            raise IndexCorrupt(f"{path} is damaged at byte {offset}")
        yield kind, count, payload.tobytes(), length
        offset += length


class _SkipRows:
    """A faiss filter that passes every row but the dropped ones.

    faiss keeps only a raw pointer to the inner selector, so both are held here.
    """

    def __init__(self, dropped: Rows) -> None:
        self.dropped = faiss.IDSelectorBatch(dropped)
        self.selector = faiss.IDSelectorNot(self.dropped)


def _skip_selector(articles: Rows) -> _SkipRows | None:
    dropped = np.flatnonzero(articles == _DROPPED).astype(np.int64)
    return _SkipRows(dropped) if len(dropped) else None


@contextlib.contextmanager
def _flock(folder: Path, mode: int) -> Iterator[None]:
    """Hold ``flock`` on the folder's lock file: shared to read, exclusive to write."""
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, mode)
        yield
    finally:
        os.close(descriptor)  # closing lets go of the lock


def _checked(path: Path, size: int, crc32: int) -> Path:
    """``path`` if it has the size and checksum the manifest recorded."""
    if not path.is_file() or path.stat().st_size != size:
        raise IndexCorrupt(f"{path} is missing or has the wrong size")
    if _crc32(path) != crc32:
        raise IndexCorrupt(f"{path} does not match its checksum")
    return path


def _manifest_identity(folder: Path) -> tuple[int, int] | None:
    """Changes whenever a manifest is renamed into place."""
    try:
        status = (folder / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns


def _read_manifest(folder: Path) -> _Manifest:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if data.pop("format") != _FORMAT:
            raise IndexCorrupt(f"{folder / MANIFEST} is of another format")
        return _Manifest(**data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise IndexCorrupt(f"{folder / MANIFEST} cannot be read: {error}") from error


def _last_generation(folder: Path) -> int:
    """The highest generation on disk, so a new one never reuses a file name."""
    numbers = [
        int(path.stem.split("-", 1)[1])
        for pattern in ("graph-*.faiss", "log-*.bin")
        for path in folder.glob(pattern)
        if path.stem.split("-", 1)[1].isdigit()
    ]
    return max(numbers, default=0)


def _write_new(folder: Path, name: str, write: Callable[[Path], None]) -> Path:
    """Write a file under a temporary name, flush it to disk, then give it its name."""
    temporary = folder / f".{name}.tmp"
    write(temporary)
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, folder / name)
    return folder / name


def _commit_manifest(folder: Path, manifest: _Manifest) -> None:
    data = json.dumps({"format": _FORMAT, **manifest.__dict__}, indent=2).encode()
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{MANIFEST}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / MANIFEST)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(folder)


def _drop_other_generations(folder: Path, keep: set[str]) -> None:
    patterns = ("graph-*.faiss", "rows-*.npy", "log-*.bin", ".*.tmp")
    for path in [path for pattern in patterns for path in folder.glob(pattern)]:
        if path.name not in keep:
            path.unlink(missing_ok=True)


def _crc32(path: Path) -> int:
    checksum = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            checksum = zlib.crc32(chunk, checksum)
    return checksum


def _fsync_directory(folder: Path) -> None:
    """Make the renames themselves durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
