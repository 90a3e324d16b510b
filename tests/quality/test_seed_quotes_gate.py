"""The seed-quotes gate: every quote of the seed page's first article, with its speaker.

The seed page is read in place from ``../shared/seed`` and imported with the real importer
into a temporary Storyline home; the gold is
``tests/fixtures/understand/seed-article-1-quotes.json`` (offsets and hashes, no article
words). The floors are pinned in ``quality/floors.json`` under ``seed_quotes`` and only ever
rise; the scores are printed on every run.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from quality.seed_quotes import (
    GoldQuote,
    as_scores,
    describe,
    load_floors,
    same_speaker,
    score_kind,
    score_seed,
)


@pytest.fixture(scope="module")
def seed(seed_page: Path) -> Path:
    if not seed_page.is_file():
        pytest.fail(f"{seed_page} is missing: the seed-quotes gate imports the seed page there")
    return seed_page


def test_seed_quotes_meet_their_floors(seed: Path) -> None:
    scores = score_seed(seed)
    floors = load_floors()
    misses = [miss for score in scores.values() for miss in score.misses]
    report = f"seed article 1 quotes: {describe(scores)}; floors: {floors}; misses: {misses}"
    print(report)
    below = {name: value for name, value in as_scores(scores).items() if value < floors[name]}
    assert not below, f"below the floor: {below}; {report}"


def _predicted(start: int, end: int, speaker: str | None, kind: str = "direct") -> SimpleNamespace:
    return SimpleNamespace(start=start, end=end, speaker=speaker, kind=kind, role=None)


def test_the_scorer_matches_overlapping_quotes_with_the_same_speaker() -> None:
    gold = [
        GoldQuote(0, 10, "direct", "Jane Roe", "mayor", "said"),
        GoldQuote(20, 30, "direct", "Ann Poe", None, "said"),
        GoldQuote(0, 30, "indirect", "Jane Roe", None, "said"),
    ]
    predicted = [
        _predicted(5, 8, "Jane Roe"),
        _predicted(25, 40, "Jane Roe"),
        _predicted(50, 60, "Ann Poe"),
    ]
    score = score_kind("direct", gold, predicted)
    assert (score.precision, score.recall) == (1 / 3, 1 / 2)
    assert score.role_accuracy == 0.0
    assert score_kind("indirect", gold, predicted).recall == 0.0
    assert same_speaker("ukraine's General  staff", "Ukraine’s General Staff")
    assert not same_speaker(None, "Jane Roe")
