"""The extraction gate: ``extract_article`` over the gold pages must not fall below its floors.

The pages are read in place from ``../shared/datasets/extraction``; the floors are pinned in
``quality/floors.json`` and only ever rise. The scores are printed on every run and written
into the failure message.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from quality.extraction import (
    load_floors,
    load_pages,
    run_extractor,
    score_extraction,
    score_page,
    storyline_text,
)


@pytest.fixture(scope="module")
def dataset(shared_dir: Path) -> Path:
    path = shared_dir / "datasets" / "extraction"
    if not (path / "ground-truth.json").is_file():
        pytest.fail(f"{path} is missing: the extraction gate reads its gold pages there")
    return path


def test_extraction_meets_its_floors(dataset: Path) -> None:
    pages = load_pages(dataset)
    started = time.perf_counter()
    scores, _ = run_extractor(storyline_text, pages, workers=1)
    per_page = (time.perf_counter() - started) / len(pages)
    floors = load_floors()
    report = (
        f"extraction over {len(pages)} pages: {scores.describe()} "
        f"({per_page * 1000:.0f} ms/page); floors: {floors}"
    )
    print(report)
    below = {name: value for name, value in scores.as_dict().items() if value < floors[name]}
    assert not below, f"below the floor: {below}; {report}"


def test_the_scorer_follows_the_benchmark() -> None:
    """Shingles of four ``\\w+`` tokens, case kept; precision skips pages with no output."""
    assert score_page("a", "one two three four five", "one two three four five").f1 == 1.0
    half = score_page("a", "one two three four five", "one two three four")
    assert (half.precision, half.recall) == (1.0, 0.5)
    assert score_page("a", "Alpha beta gamma delta", "alpha beta gamma delta").f1 == 0.0
    empty = score_page("a", "one two three four", None)
    assert (empty.precision, empty.recall) == (None, 0.0)
    scores = score_extraction([("a", "one two three four", None), ("b", "x y z w", "x y z w")])
    assert (scores.precision, scores.recall) == (1.0, 0.5)
