"""The article vector index: search, updates, persistence, several processes, rebuilds."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from storyline.stories import index as index_module
from storyline.stories.index import MANIFEST, IndexCorrupt, VectorIndex, index_folder

DIMENSIONS = 16


def unit_vectors(count: int, seed: int = 1) -> npt.NDArray[np.float32]:
    rows = np.random.default_rng(seed).standard_normal((count, DIMENSIONS)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


class StoredVectors:
    """The database's side of a rebuild: yields stored (id, vector) pairs, counts the reads."""

    def __init__(self, vectors: npt.NDArray[np.float32]) -> None:
        self.vectors = vectors
        self.reads = 0

    def __call__(self) -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
        self.reads += 1
        for row, vector in enumerate(self.vectors):
            yield row + 1, vector


@pytest.fixture
def vectors() -> npt.NDArray[np.float32]:
    return unit_vectors(200)


@pytest.fixture
def saved(tmp_path: Path, vectors: npt.NDArray[np.float32]) -> Path:
    index = VectorIndex(tmp_path / "index", DIMENSIONS)
    index.rebuild(zip(range(1, len(vectors) + 1), vectors, strict=True))
    return tmp_path / "index"


def manifest_of(folder: Path) -> dict[str, object]:
    return dict(json.loads((folder / MANIFEST).read_text()))


def log_file(folder: Path) -> Path:
    return folder / str(manifest_of(folder)["log"])


def ids_of(hits: list[tuple[int, float]]) -> list[int]:
    return [article_id for article_id, _ in hits]


def test_the_index_lives_under_the_home_folder(tmp_path: Path):
    assert index_folder(tmp_path) == tmp_path / "index"


def test_search_finds_the_vector_itself_first(tmp_path: Path, vectors: npt.NDArray[np.float32]):
    index = VectorIndex(tmp_path, DIMENSIONS)
    index.add(list(range(1, 201)), vectors)
    hits = index.search(vectors[41], 5)
    assert hits[0][0] == 42
    assert hits[0][1] == pytest.approx(1.0, abs=0.01)
    assert [cosine for _, cosine in hits] == sorted((cosine for _, cosine in hits), reverse=True)
    exact = np.argsort(-(vectors @ vectors[41]))[:5] + 1
    assert set(ids_of(hits)) == set(exact.tolist())


def test_excluded_ids_are_left_out_and_k_still_returned(
    tmp_path: Path, vectors: npt.NDArray[np.float32]
):
    index = VectorIndex(tmp_path, DIMENSIONS)
    index.add(list(range(1, 201)), vectors)
    exact = (np.argsort(-(vectors @ vectors[41])) + 1).tolist()
    hits = index.search(vectors[41], 5, exclude={42, exact[2]})
    assert ids_of(hits) == [article for article in exact if article not in {42, exact[2]}][:5]


def test_adding_an_id_again_replaces_its_vector(tmp_path: Path, vectors: npt.NDArray[np.float32]):
    index = VectorIndex(tmp_path, DIMENSIONS)
    index.add([7, 8], vectors[:2])
    index.add([7, 8], vectors[:2])
    assert len(index) == 2
    index.add([7], vectors[5:6])
    assert len(index) == 2
    assert index.search(vectors[5], 1)[0] == (7, pytest.approx(1.0, abs=0.01))
    found = dict(index.search(vectors[0], 2))
    assert found[7] == pytest.approx(float(vectors[0] @ vectors[5]), abs=0.01)


def test_a_repeated_id_within_one_call_keeps_the_last_vector(tmp_path: Path):
    rows = unit_vectors(3, seed=4)
    index = VectorIndex(tmp_path, DIMENSIONS)
    index.add([1, 1, 2], rows)
    assert len(index) == 2
    assert index.search(rows[1], 1)[0][0] == 1


def test_removed_ids_are_no_longer_found(tmp_path: Path, vectors: npt.NDArray[np.float32]):
    index = VectorIndex(tmp_path, DIMENSIONS)
    index.add(list(range(1, 201)), vectors)
    index.remove([42, 9999])
    assert 42 not in index
    assert len(index) == 199
    assert 42 not in ids_of(index.search(vectors[41], 10))
    index.add([42], vectors[41:42])
    assert index.search(vectors[41], 1)[0][0] == 42


def test_small_and_empty_indexes(tmp_path: Path, vectors: npt.NDArray[np.float32]):
    index = VectorIndex(tmp_path, DIMENSIONS)
    assert index.search(vectors[0], 10) == []
    index.add([3], vectors[:1])
    assert ids_of(index.search(vectors[0], 10)) == [3]
    assert index.search(vectors[0], 10, exclude={3}) == []
    with pytest.raises(ValueError, match="dimensions"):
        index.add([4], unit_vectors(1)[:, :8])


def test_every_add_is_on_disk_at_once(tmp_path: Path, vectors: npt.NDArray[np.float32]):
    index = VectorIndex(tmp_path, DIMENSIONS)
    index.add([1, 2], vectors[:2])
    index.add([3], vectors[2:3])
    index.remove([2])
    reopened = VectorIndex.open(tmp_path)
    assert reopened.dimensions == DIMENSIONS
    assert sorted(ids_of(reopened.search(vectors[0], 10))) == [1, 3]


def test_another_process_view_follows_writes_and_compactions(
    saved: Path, vectors: npt.NDArray[np.float32]
):
    writer = VectorIndex.open(saved, DIMENSIONS)
    reader = VectorIndex.open(saved, DIMENSIONS)
    fresh = unit_vectors(3, seed=9)
    writer.add([501, 502, 503], fresh)
    assert reader.search(fresh[1], 1)[0][0] == 502
    writer.remove([502])
    assert 502 not in ids_of(reader.search(fresh[1], 5))
    writer.save()
    assert reader.search(fresh[2], 1)[0][0] == 503
    assert reader.generation == writer.generation == 2
    # A write from the reader's view first catches up with the other writer's.
    reader.add([504], fresh[1:2])
    assert writer.search(fresh[1], 1)[0][0] == 504
    assert len(writer) == len(reader) == 203


def test_the_log_is_folded_into_a_new_snapshot_when_it_grows(
    saved: Path, vectors: npt.NDArray[np.float32], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(index_module, "COMPACT_AFTER", 5)
    index = VectorIndex.open(saved, DIMENSIONS)
    fresh = unit_vectors(21, seed=11)
    index.add(list(range(301, 316)), fresh[:15])
    assert index.generation == 1
    # Due at a tenth of the 200 rows, as that is more than COMPACT_AFTER.
    index.add(list(range(316, 322)), fresh[15:])
    assert index.generation == 2
    assert log_file(saved).exists() is False
    names = sorted(path.name for path in saved.iterdir())
    manifest = manifest_of(saved)
    assert names == sorted([".lock", MANIFEST, str(manifest["graph"]), str(manifest["rows"])])
    assert len(VectorIndex.open(saved, DIMENSIONS)) == 221


def test_dropped_rows_leave_the_graph_when_they_pile_up(
    saved: Path, vectors: npt.NDArray[np.float32], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(index_module, "_DROPPED_KEPT", 10)
    index = VectorIndex.open(saved, DIMENSIONS)
    index.remove(list(range(1, 61)))
    index.save()
    assert manifest_of(saved)["row_count"] == manifest_of(saved)["count"] == 140
    reopened = VectorIndex.open(saved, DIMENSIONS)
    assert reopened.search(vectors[99], 1)[0][0] == 100
    assert not set(ids_of(reopened.search(vectors[5], 20))) & set(range(1, 61))


def test_a_batch_cut_short_by_a_crash_is_ignored_then_cut_off(
    saved: Path, vectors: npt.NDArray[np.float32]
):
    index = VectorIndex.open(saved, DIMENSIONS)
    fresh = unit_vectors(2, seed=12)
    index.add([401], fresh[:1])
    index.add([402], fresh[1:])
    log = log_file(saved)
    whole = log.read_bytes()
    log.write_bytes(whole[:-10])  # the second batch lost its end
    survivor = VectorIndex.open(saved, DIMENSIONS)
    assert 401 in survivor
    assert 402 not in survivor
    survivor.add([403], fresh[1:])
    # The torn batch was cut off: two whole batches of one vector each remain.
    assert log.stat().st_size == len(whole)
    reopened = VectorIndex.open(saved, DIMENSIONS)
    assert 401 in reopened
    assert 402 not in reopened
    assert reopened.search(fresh[1], 1)[0][0] == 403


@pytest.mark.parametrize(
    "damage",
    ["delete_vectors", "flip_a_byte", "garble_manifest", "delete", "damage_the_log"],
)
def test_a_lost_or_damaged_index_is_rebuilt_from_the_database(
    saved: Path, vectors: npt.NDArray[np.float32], damage: str
):
    target = saved / str(manifest_of(saved)["graph"])
    if damage == "delete_vectors":
        target.unlink()
    elif damage == "flip_a_byte":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
    elif damage == "garble_manifest":
        (saved / MANIFEST).write_text("{not json")
    elif damage == "damage_the_log":
        index = VectorIndex.open(saved, DIMENSIONS)
        index.add([900], unit_vectors(1, seed=3))
        index.add([901], unit_vectors(1, seed=4))
        data = bytearray(log_file(saved).read_bytes())
        data[20] ^= 0xFF  # inside the first batch, with a whole batch after it
        log_file(saved).write_bytes(bytes(data))
    else:
        for path in saved.iterdir():
            path.unlink()
        saved.rmdir()
    with pytest.raises(IndexCorrupt):
        VectorIndex.open(saved, DIMENSIONS)
    source = StoredVectors(vectors)
    index = VectorIndex.open_or_rebuild(saved, DIMENSIONS, source)
    assert source.reads == 1
    assert len(index) == 200
    assert index.search(vectors[99], 1)[0][0] == 100
    assert len(VectorIndex.open(saved, DIMENSIONS)) == 200


def test_a_saved_index_opens_without_reading_the_database(
    saved: Path, vectors: npt.NDArray[np.float32]
):
    source = StoredVectors(vectors)
    index = VectorIndex.open_or_rebuild(saved, DIMENSIONS, source)
    assert source.reads == 0
    assert len(index) == 200
    assert index.search(vectors[9], 1)[0][0] == 10


def test_a_reader_keeps_answering_when_the_files_go_bad(
    saved: Path, vectors: npt.NDArray[np.float32]
):
    reader = VectorIndex.open(saved, DIMENSIONS)
    (saved / MANIFEST).write_text("{not json")
    assert reader.search(vectors[9], 1)[0][0] == 10


def test_an_index_of_other_dimensions_is_rebuilt(saved: Path):
    other = unit_vectors(5)[:, :8].copy()
    source = StoredVectors(other / np.linalg.norm(other, axis=1, keepdims=True))
    index = VectorIndex.open_or_rebuild(saved, 8, source)
    assert source.reads == 1
    assert len(index) == 5
    assert VectorIndex.open(saved).dimensions == 8


def _write_from_another_process(folder: str, first: int, count: int) -> None:
    index = VectorIndex(Path(folder), DIMENSIONS)
    rows = unit_vectors(count, seed=first)
    for number in range(count):
        index.add([first + number], rows[number : number + 1])


def test_writers_in_several_processes_lose_nothing(tmp_path: Path):
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_write_from_another_process, args=(str(tmp_path), first, 40))
        for first in (1000, 2000)
    ]
    for worker in workers:
        worker.start()
    _write_from_another_process(str(tmp_path), 3000, 40)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    index = VectorIndex.open(tmp_path, DIMENSIONS)
    assert len(index) == 120
    for first in (1000, 2000, 3000):
        rows = unit_vectors(40, seed=first)
        assert index.search(rows[7], 1)[0][0] == first + 7
