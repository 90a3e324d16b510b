"""The quote-speakers gate: PolNeAR's direct quotes (dev split), each given to the right person.

The articles are read in place from ``../shared/datasets/quotes/polnear``; the floors are
pinned in ``quality/floors.json`` under ``quote_speakers`` and only ever rise. The scores
and the cost of ``find_quotes`` beside spaCy's are printed on every run.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from quality.polnear import GoldAttribution, PolnearDoc, load_polnear
from quality.quote_speakers import is_direct, load_floors, score_document, score_split, surname


@pytest.fixture(scope="module")
def dataset(shared_dir: Path) -> Path:
    path = shared_dir / "datasets" / "quotes" / "polnear"
    if not (path / "dev" / "attributions").is_dir():
        pytest.fail(f"{path} is missing: the quote-speakers gate reads PolNeAR's dev split there")
    return path


def test_quote_speakers_meet_their_floors(dataset: Path) -> None:
    scores = score_split("dev", load_polnear("dev", dataset))
    floors = load_floors()
    report = f"PolNeAR dev direct quotes with speakers: {scores.describe()}; floors: {floors}"
    print(report)
    below = {name: value for name, value in scores.as_dict().items() if value < floors[name]}
    assert not below, f"below the floor: {below}; {report}"


TEXT = 'Jane Roe said "the dam will hold" on Monday. "It will," she added. He left.'


def _quote(start: int, end: int, speaker: str, source: tuple[int, int]) -> SimpleNamespace:
    return SimpleNamespace(
        start=start,
        end=end,
        kind="direct",
        speaker=speaker,
        text=TEXT[start:end],
        source_start=source[0],
        source_end=source[1],
    )


def test_the_scorer_resolves_names_and_pronouns() -> None:
    first = GoldAttribution(content=((14, 33),), source=((0, 8),), cue=((9, 13),))
    second = GoldAttribution(content=((45, 54),), source=((56, 59),), cue=((60, 65),))
    doc = PolnearDoc("a_x", "a", "x", TEXT, (first, second))
    assert is_direct(TEXT, first) and is_direct(TEXT, second)
    assert surname("Democratic Sen. Jane Roe (D-Vt.)") == "roe"
    assert surname("the source") is None
    right = [_quote(15, 32, "Jane Roe", (0, 8)), _quote(46, 53, "Jane Roe", (0, 8))]
    assert score_document(doc, right)[:4] == (2, 2, 2, 2)
    wrong = [_quote(15, 32, "John Doe", (70, 72))]
    assert score_document(doc, wrong)[:4] == (0, 1, 0, 2)
