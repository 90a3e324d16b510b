"""The grounding gate: the check must reject the sentences their citations do not support
(wrong number, name, date or place, a claim the sources do not make, no citation) and keep
the faithful paraphrases.

The gold is ``tests/fixtures/ai/grounding.jsonl`` (invented sources, 120 written sentences,
half of them unsupported); its ``dev`` half tuned the embedding threshold and its ``test``
half did not. The floors are pinned in ``quality/floors.json`` under ``grounding`` and only
ever rise; the scores of both halves are printed on every run.
"""

from __future__ import annotations

from collections import Counter

from quality.grounding import (
    Case,
    as_floors,
    load_cases,
    load_floors,
    models,
    score,
    score_splits,
)
from storyline.ai.grounding import Verdict


def test_grounding_meets_its_floors() -> None:
    encoder, nlp = models()
    scores = score_splits(encoder, nlp)
    floors = load_floors()
    measured = as_floors(scores)
    report = "; ".join(f"{split}: {scores[split].describe()}" for split in ("dev", "test", "all"))
    report += f"; floors: {floors}; misses: {list(scores['all'].misses)}"
    print(report)
    assert floors, "no grounding floors pinned in quality/floors.json"
    below = {name: round(measured[name], 3) for name, f in floors.items() if measured[name] < f}
    assert not below, f"below the floor: {below}; {report}"


def test_the_gold_is_balanced_and_covers_every_kind() -> None:
    cases = load_cases()
    assert len(cases) >= 80
    kinds = Counter(c.kind for c in cases)
    assert {
        "paraphrase",
        "unsupported claim",
        "wrong number",
        "wrong name",
        "wrong date",
        "wrong place",
        "no citation",
    } <= set(kinds)
    for split in ("dev", "test"):
        half = [c for c in cases if c.split == split]
        assert sum(c.unsupported for c in half) == len(half) // 2
    assert all(c.cited or c.kind == "no citation" for c in cases)


def _case(unsupported: bool) -> Case:
    return Case("g", "dev", "A sentence.", ("A source.",), unsupported, "kind")


def test_the_scorer_counts_unsupported_as_the_positive_class() -> None:
    cases = [_case(True), _case(True), _case(False), _case(False)]
    verdicts = [
        Verdict(False, ("number 3 not in the cited sentences",), 0.9),
        Verdict(True, (), 0.8),
        Verdict(False, ("too far from its sources (cosine 0.40)",), 0.4),
        Verdict(True, (), 0.9),
    ]
    found = score(cases, verdicts)
    assert (found.precision, found.recall) == (0.5, 0.5)
    assert len(found.misses) == 2
