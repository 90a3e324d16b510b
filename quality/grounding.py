"""The grounding gate: does the check catch the sentences their citations do not support?

The gold is ``tests/fixtures/ai/grounding.jsonl``: invented source sentences, grouped, and
120 sentences an engine might write about them, each with the source numbers it cites
and a label: ``supported`` (a paraphrase of what it cites) or ``unsupported`` with its
kind (``unsupported claim``, ``wrong number``, ``wrong name``, ``wrong date``,
``wrong place``, ``no citation``). Half the groups are ``dev`` (the embedding threshold
:data:`storyline.ai.grounding.MIN_SIMILARITY` was tuned on them), half ``test``.

"Unsupported" is the positive class: precision is the share of sentences the check
rejects that are unsupported, recall the share of unsupported sentences it rejects.

``python quality/grounding.py`` prints the scores of both halves and every miss;
``python quality/grounding.py --tune`` sweeps the threshold on the dev half.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

    from storyline.ai.grounding import Verdict
    from storyline.ai.types import Encoder

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "fixtures" / "ai" / "grounding.jsonl"
FLOORS = Path(__file__).resolve().parent / "floors.json"
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class Case:
    """One written sentence, the texts of the sources it cites, and its gold label."""

    group: str
    split: str
    text: str
    cited: tuple[str, ...]
    unsupported: bool
    kind: str


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    cases: int
    misses: tuple[str, ...]

    def describe(self) -> str:
        return f"precision {self.precision:.3f}, recall {self.recall:.3f} ({self.cases} sentences)"


def load_cases(path: Path = GOLD) -> list[Case]:
    groups: dict[str, dict[str, Any]] = {}
    cases: list[Case] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if "sources" in record:
            groups[record["group"]] = record
            continue
        group = groups[record["group"]]
        cases.append(
            Case(
                group=record["group"],
                split=group["split"],
                text=record["text"],
                cited=tuple(group["sources"][n - 1] for n in record["cites"]),
                unsupported=record["label"] == "unsupported",
                kind=record["kind"],
            )
        )
    return cases


def check(
    cases: Sequence[Case], encoder: Encoder, nlp: Language, min_similarity: float | None = None
) -> list[Verdict]:
    from storyline.ai.grounding import MIN_SIMILARITY, check_sentences

    threshold = MIN_SIMILARITY if min_similarity is None else min_similarity
    items = [(case.text, case.cited) for case in cases]
    return check_sentences(items, encoder, nlp, min_similarity=threshold)


def score(cases: Sequence[Case], verdicts: Sequence[Verdict]) -> Scores:
    """Precision and recall of "unsupported", and a line for every wrong verdict."""
    rejected = [not v.supported for v in verdicts]
    true_positive = sum(r and c.unsupported for r, c in zip(rejected, cases, strict=True))
    misses = tuple(
        f"{c.split}/{c.group} {c.kind} judged {'unsupported' if r else 'supported'} "
        f"(cosine {v.similarity:.2f}; {'; '.join(v.reasons) or 'no reason'}): {c.text}"
        for c, v, r in zip(cases, verdicts, rejected, strict=True)
        if r != c.unsupported
    )
    flagged, positives = sum(rejected), sum(c.unsupported for c in cases)
    return Scores(
        precision=true_positive / flagged if flagged else 1.0,
        recall=true_positive / positives if positives else 1.0,
        cases=len(cases),
        misses=misses,
    )


def score_splits(encoder: Encoder, nlp: Language) -> dict[str, Scores]:
    """Scores of the dev half, the test half and all of it, at the pinned threshold."""
    cases = load_cases()
    verdicts = check(cases, encoder, nlp)
    out = {"all": score(cases, verdicts)}
    for split in SPLITS:
        chosen = [(c, v) for c, v in zip(cases, verdicts, strict=True) if c.split == split]
        out[split] = score([c for c, _ in chosen], [v for _, v in chosen])
    return out


def tune(encoder: Encoder, nlp: Language) -> tuple[float, Scores]:
    """The threshold that maximises F1 of "unsupported" on the dev half: among equal
    ones, the middle of the widest gap between two neighbouring similarities."""
    cases = [c for c in load_cases() if c.split == "dev"]
    verdicts = check(cases, encoder, nlp, min_similarity=0.0)
    values = sorted({round(v.similarity, 4) for v in verdicts} | {0.0, 1.0})
    best: tuple[float, float, float] | None = None
    for low, high in itertools.pairwise(values):
        found = score(cases, _at((low + high) / 2, verdicts))
        total = found.precision + found.recall
        f1 = 2 * found.precision * found.recall / total if total else 0.0
        if best is None or (f1, high - low) > best[:2]:
            best = (f1, high - low, (low + high) / 2)
    assert best is not None
    threshold = round(best[2], 3)
    return threshold, score(cases, _at(threshold, verdicts))


def _at(threshold: float, verdicts: Sequence[Verdict]) -> list[Verdict]:
    """Verdicts found with no similarity floor, as they would be at ``threshold``."""
    from storyline.ai.grounding import Verdict

    return [
        v
        if v.similarity >= threshold or not v.supported
        else Verdict(
            False, (f"too far from its sources (cosine {v.similarity:.2f})",), v.similarity
        )
        for v in verdicts
    ]


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    """The grounding floors; empty (report only) before they are first pinned."""
    floors: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return floors.get("grounding", {})


def as_floors(scores: dict[str, Scores]) -> dict[str, float]:
    """The measured figures under the names the floors use."""
    out: dict[str, float] = {}
    for split in ("all", *SPLITS):
        prefix = "" if split == "all" else f"{split}_"
        out[f"{prefix}precision"] = scores[split].precision
        out[f"{prefix}recall"] = scores[split].recall
    return out


def models() -> tuple[Encoder, Language]:
    import tempfile

    from storyline.settings import Settings
    from storyline.stories.embeddings import Embedder, model_cache_folder
    from storyline.understand.pipeline import load_pipeline

    home = Path(tempfile.gettempdir()) / "storyline-test-home"
    return Embedder(cache_dir=model_cache_folder(home)), load_pipeline(Settings())


def main(argv: Sequence[str]) -> int:
    encoder, nlp = models()
    if "--tune" in argv:
        threshold, found = tune(encoder, nlp)
        print(f"dev: best min_similarity {threshold}: {found.describe()}")
        return 0
    scores = score_splits(encoder, nlp)
    for split in (*SPLITS, "all"):
        print(f"{split}: {scores[split].describe()}")
    for miss in scores["all"].misses:
        print(f"  {miss}")
    floors = load_floors()
    measured = as_floors(scores)
    below = {k: round(measured[k], 3) for k, floor in floors.items() if measured[k] < floor}
    print(f"floors: {floors}" + (f"; below: {below}" if below else ""))
    return 1 if below else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main(sys.argv[1:]))
