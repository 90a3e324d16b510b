"""The key phrase gate: cross-validated F1@10 on 500N-KPCrowd must not fall below its floors.

The stories are read in place from ``../shared/datasets/keyphrases/500N-KPCrowd`` and parsed
once (the parses are cached outside the repository, so later runs skip spaCy). Each fold is
ranked by a ranker fitted on the other folds only, so the score is honest although the
shipped ranker learned from all 450 stories. The floors are pinned in
``quality/floors.json`` under ``keyphrases`` and only ever rise; the scores are printed on
every run and written into the failure message.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy
import pytest

from quality.keyphrases import (
    FLOORS,
    cross_validate,
    normalise,
    score_story,
    tfidf_baseline,
)
from quality.train_keyphrases import Example, fit, load_stories, make_examples, parse_stories
from storyline.understand.keyphrases import load_ranker


@pytest.fixture(scope="module")
def dataset(shared_dir: Path) -> Path:
    path = shared_dir / "datasets" / "keyphrases" / "500N-KPCrowd"
    if not (path / "docsutf8").is_dir() or not (path / "keys").is_dir():
        pytest.fail(f"{path} is missing: the key phrase gate reads its gold stories there")
    return path


@pytest.fixture(scope="module")
def examples(dataset: Path) -> list[Example]:
    stories = load_stories(dataset)
    return make_examples(stories, parse_stories(stories))


def test_key_phrases_meet_their_floors(examples: list[Example]) -> None:
    started = time.perf_counter()
    ours = cross_validate(examples)
    elapsed = time.perf_counter() - started
    baseline = tfidf_baseline(examples)
    floors: dict[str, float] = json.loads(FLOORS.read_text(encoding="utf-8"))["keyphrases"]
    report = (
        f"key phrases over {len(examples)} stories, cross-validated: {ours.describe()} "
        f"({elapsed:.0f} s); plain TF-IDF: {baseline.describe()}; floors: {floors}"
    )
    print(report)
    below = {name: value for name, value in ours.as_dict().items() if value < floors[name]}
    assert not below, f"below the floor: {below}; {report}"
    assert ours.f1 > baseline.f1, report


def test_the_shipped_ranker_is_what_the_training_script_fits(examples: list[Example]) -> None:
    """A stale ``keyphrases-ranker.json`` (features or data changed, no retraining) fails."""
    shipped = load_ranker()
    fitted = fit(examples)
    assert numpy.allclose(shipped.weights, fitted.weights, atol=1e-4)
    assert shipped.keyphraseness.counts == fitted.keyphraseness.counts


def test_the_scorer_follows_the_metric() -> None:
    """Lowercase, Porter stems, punctuation but apostrophes dropped, top ten, repeats once."""
    assert normalise("Drone Strikes") == normalise("drone strike") == "drone strike"
    assert normalise("Grammy-winning") == normalise("Grammywinning")
    assert normalise("U.S.") == normalise("US")
    gold = ["harbour", "dredging permits", "Velmora"]
    assert score_story(["Harbours", "dredging permit", "velmora"], gold) == (1.0, 1.0, 1.0)
    precision, recall, f1 = score_story(["harbour", "harbours", "tide"], gold)
    assert (precision, recall) == (0.5, 1 / 3)
    assert f1 == pytest.approx(0.4)
    eleven = [f"word{i}" for i in range(10)] + ["harbour"]
    assert score_story(eleven, gold) == (0.0, 0.0, 0.0)
