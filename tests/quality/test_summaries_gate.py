"""The summary gate: ROUGE on CNN/DailyMail must not fall below its floors, nor below lead-3.

The 141 articles are read in place from ``../shared/datasets/summaries/cnndm`` and
summarised by the product's :func:`storyline.ai.summarize.summarize` with the real
embedding model (vectors cached under the temp folder, keyed by a hash of the text, so a
warm run skips the model; a cold one takes about a minute). Lead-3 is scored in the same
run with the same sentence splitter and metric (ROUGE F1 with stemming; ROUGE-L as
``rougeLsum``). The shipped tuning was chosen on these articles, so the cross-validated
score (each fold summarised with the tuning best on the other folds) is gated too. The
floors are pinned in ``quality/floors.json`` under ``summaries`` and only ever rise; the
scores are printed on every run and written into the failure message.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from quality.summaries import (
    FLOORS,
    GRID,
    CachedEncoder,
    Example,
    Scores,
    best_tuning,
    cross_validate,
    default_encoder,
    grid_scores,
    load_examples,
    reference_lines,
    rouge,
    score_lead3,
    score_ours,
)
from storyline.ai.summarize import TUNING


@pytest.fixture(scope="module")
def examples(shared_dir: Path) -> list[Example]:
    path = shared_dir / "datasets" / "summaries" / "cnndm"
    if not path.is_dir():
        pytest.fail(f"{path} is missing: the summary gate reads its articles there")
    found = load_examples(path)
    assert len(found) >= 100, f"only {len(found)} articles in {path}"
    return found


@pytest.fixture(scope="module")
def encoder() -> CachedEncoder:
    return default_encoder()


@pytest.fixture(scope="module")
def table(examples: list[Example], encoder: CachedEncoder) -> np.ndarray:
    return grid_scores(examples, encoder)


def test_summaries_meet_their_floors_and_beat_lead3(
    examples: list[Example], encoder: CachedEncoder, table: np.ndarray
) -> None:
    started = time.perf_counter()
    ours = score_ours(examples, encoder)
    elapsed = time.perf_counter() - started
    baseline = score_lead3(examples)
    validated, _ = cross_validate(table)
    measured = {**ours.as_dict(), **{f"cv_{k}": v for k, v in validated.as_dict().items()}}
    floors: dict[str, float] = json.loads(FLOORS.read_text(encoding="utf-8"))["summaries"]
    report = (
        f"summaries of {len(examples)} CNN/DailyMail articles: ours {ours.describe()} "
        f"({elapsed:.0f} s), cross-validated {validated.describe()}, lead-3 "
        f"{baseline.describe()}; ROUGE-1 over lead-3 {ours.rouge1 - baseline.rouge1:+.2f} "
        f"(cross-validated {validated.rouge1 - baseline.rouge1:+.2f}); floors: {floors}"
    )
    print(report)
    below = {name: value for name, value in measured.items() if value < floors[name]}
    assert not below, f"below the floor: {below}; {report}"
    assert ours.rouge1 > baseline.rouge1, report
    assert validated.rouge1 > baseline.rouge1, report


def test_the_shipped_tuning_is_the_best_of_the_grid(table: np.ndarray) -> None:
    """A stale :data:`TUNING` (the splitter or the scoring changed, the grid not rerun) fails."""
    best = GRID[best_tuning(table, range(table.shape[0]))]
    assert (best.budget, best.overlap, best.quote_penalty) == (
        TUNING.budget,
        TUNING.overlap,
        TUNING.quote_penalty,
    ), f"the grid's best is {best}, the shipped one {TUNING}"


def test_the_scorer_follows_the_metric() -> None:
    """Porter stems, F1, summary-level ROUGE-L over one sentence a line."""
    reference = reference_lines("Velmora bridge closes for repairs . Ferries will run")
    assert reference == "Velmora bridge closes for repairs\nFerries will run"
    assert rouge(["Velmora bridge closing for repair.", "Ferries will run."], reference) == (
        pytest.approx(100.0),
        pytest.approx(100.0),
        pytest.approx(100.0),
    )
    r1, r2, rl = rouge(["Velmora bridge closes."], reference)
    assert r1 == pytest.approx(100 * 2 * (3 / 3) * (3 / 8) / (1 + 3 / 8))
    assert r2 == pytest.approx(100 * 2 * 1 * (2 / 7) / (1 + 2 / 7))
    assert rl == pytest.approx(r1)
    assert rouge([], reference) == (0.0, 0.0, 0.0)


def test_cross_validation_uses_only_the_other_folds() -> None:
    """A fold is scored with the tuning best on the other folds, never on its own."""
    table = np.zeros((10, len(GRID), 3))
    table[:, 0, :] = 50.0
    table[:, 1, :] = 45.0
    table[0, 1, :] = 100.0  # tuning 1 wins overall only thanks to article 0 (fold 0)
    validated, chosen = cross_validate(table, folds=5)
    assert chosen == [GRID[0], GRID[1], GRID[1], GRID[1], GRID[1]]
    assert validated == Scores(46.0, 46.0, 46.0)
    assert best_tuning(table, range(10)) == 1
