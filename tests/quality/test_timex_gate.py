"""The time-expression gate: ``find_timexes`` over TimeBank and AQUAINT must not fall below
its floors.

The TimeML files are read in place from ``../shared/datasets/timex/TBAQ-cleaned``; the
floors are pinned in ``quality/floors.json`` under ``"timex"`` and only ever rise. The
scores are printed on every run and written into the failure message.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from quality.timex import (
    GoldTimex,
    Scores,
    compare,
    load_documents,
    load_floors,
    read_document,
    score,
    storyline_timexes,
    tagged_docs,
)
from storyline.settings import Settings
from storyline.understand.pipeline import load_pipeline
from storyline.understand.types import Timex


@pytest.fixture(scope="module")
def dataset(shared_dir: Path) -> Path:
    path = shared_dir / "datasets" / "timex" / "TBAQ-cleaned"
    if not (path / "TimeBank").is_dir() or not (path / "AQUAINT").is_dir():
        pytest.fail(f"{path} is missing: the timex gate reads its TimeML files there")
    return path


def test_timexes_meet_their_floors(dataset: Path) -> None:
    documents = load_documents(dataset)
    docs = tagged_docs(documents, load_pipeline(Settings()))
    started = time.perf_counter()
    scores = score(documents, storyline_timexes(documents, docs))
    per_article = (time.perf_counter() - started) / len(documents)
    floors = load_floors()
    report = "; ".join(f"{name}: {result.describe()}" for name, result in scores.items())
    report += f" ({per_article * 1000:.1f} ms/article); floors: {floors}"
    print(report)
    measured = _measured(scores)
    below = {name: measured[name] for name, floor in floors.items() if measured[name] < floor}
    assert not below, f"below the floor: {below}; {report}"


def _measured(scores: dict[str, Scores]) -> dict[str, float]:
    """The pooled scores by name, and each corpus's value F1 as ``<corpus>_value_f1``."""
    measured = scores["combined"].as_dict()
    for corpus in ("TimeBank", "AQUAINT"):
        measured[f"{corpus.lower()}_value_f1"] = scores[corpus].value_f1
    return measured


def _timex(start: int, end: int, value: str, kind: str = "DATE") -> Timex:
    return Timex("x" * (end - start), start, end, kind, value)


def test_the_scorer_follows_tempeval3() -> None:
    """Relaxed pairs need overlap, strict ones the same span; each gold pairs at most once."""
    gold = [GoldTimex(0, 6, "DATE", "2025-06-08"), GoldTimex(10, 20, "DURATION", "P3D")]
    found = [_timex(0, 6, "2025-06-08"), _timex(12, 20, "P2D", "DURATION"), _timex(30, 34, "X")]
    counts = compare(gold, found)
    assert (counts.gold, counts.found, counts.strict, counts.relaxed) == (2, 3, 1, 2)
    assert (counts.value, counts.type) == (1, 2)
    scores = Scores.of(counts)
    assert scores.relaxed_f1 == pytest.approx(0.8)
    assert scores.value_f1 == pytest.approx(0.4)  # relaxed F1 times half the values right
    twice = compare([GoldTimex(0, 10, "DATE", "2025")], [_timex(0, 4, "2025"), _timex(5, 10, "X")])
    assert (twice.relaxed, twice.found) == (1, 2)


def test_a_timeml_file_becomes_text_and_offsets(tmp_path: Path) -> None:
    path = tmp_path / "invented.tml"
    path.write_text(
        '<?xml version="1.0" ?><TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="2025-06-09" '
        'functionInDocument="CREATION_TIME">June 9</TIMEX3></DCT><TEXT>The Quill ferry '
        '<EVENT eid="e1">sank</EVENT> <TIMEX3 tid="t1" type="DATE" value="2025-06-08">on '
        'Sunday</TIMEX3> &amp; rescuers worked <TIMEX3 tid="t2" type="DURATION" '
        'value="P2D">two days</TIMEX3>.</TEXT></TimeML>',
        encoding="utf-8",
    )
    document = read_document(path, "TimeBank")
    assert str(document.anchor) == "2025-06-09"
    assert document.text == "The Quill ferry sank on Sunday & rescuers worked two days."
    spans = [(document.text[t.start : t.end], t.type, t.value) for t in document.timexes]
    assert spans == [("on Sunday", "DATE", "2025-06-08"), ("two days", "DURATION", "P2D")]
