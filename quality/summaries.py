"""The summary gate: ROUGE on CNN/DailyMail, against lead-3 computed in the same run.

The 141 articles of ``../shared/datasets/summaries/cnndm`` are read in place. Each is made
a :class:`~storyline.stories.digest_types.DigestArticle` (no title, no analysis) and
summarised by :func:`storyline.ai.summarize.summarize`, the function the product calls.
The reference is the outlet's highlights, whose sentences the dataset separates with
" . ". Scores are ROUGE F1 with Porter stemming from ``rouge-score``: ROUGE-1, ROUGE-2
and summary-level ROUGE-L (``rougeLsum``, sentences on separate lines, as the field
reports it). Lead-3, the baseline, is the article's first three sentences as the product
cuts them (:func:`storyline.ai.passages.article_passages`), scored the same way.

The summary's :class:`~storyline.ai.summarize.Tuning` (word budget, overlap, quote
penalty) was chosen on these articles, so the gate also reports a cross-validated score:
the articles are dealt into five folds, and each fold is summarised with the tuning from
:data:`GRID` that scores best (ROUGE-1) on the other four. The shipped tuning is the one
that scores best on all 141, which the gate checks.

``python quality/summaries.py`` prints lead-3, ours and ours cross-validated.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyline.shared_data import shared_dir

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from rouge_score import rouge_scorer  # noqa: E402 (after the path set-up that lets the script run from anywhere)

from storyline.ai.passages import article_passages  # noqa: E402
from storyline.ai.summarize import (  # noqa: E402
    SentenceVectors,
    Tuning,
    choose_summary,
    summarize,
    summary_groups,
)
from storyline.ai.types import Encoder, Vectors  # noqa: E402
from storyline.stories.digest_types import DigestArticle  # noqa: E402

DATASET = shared_dir() / "datasets" / "summaries" / "cnndm"
FLOORS = Path(__file__).resolve().parent / "floors.json"
FOLDS = 5
METRICS = ("rouge1", "rouge2", "rougeLsum")
# The tunings cross-validation chooses among; the shipped one is the best on all articles.
GRID = tuple(
    Tuning(budget=budget, overlap=overlap, quote_penalty=penalty)
    for budget, overlap, penalty in itertools.product(
        (70, 75, 80, 85, 90), (None, 0.5, 0.6, 0.7), (0.0, 3.0)
    )
)
_scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)


@dataclass(frozen=True)
class Example:
    """One dataset article and its reference highlights, one sentence a line."""

    id: str
    article: DigestArticle
    reference: str


@dataclass(frozen=True)
class Scores:
    """ROUGE-1, ROUGE-2 and ROUGE-Lsum F1, averaged over the articles, in points."""

    rouge1: float
    rouge2: float
    rougeLsum: float

    def as_dict(self) -> dict[str, float]:
        """As fractions, the unit of ``floors.json``."""
        return {
            "rouge1": self.rouge1 / 100,
            "rouge2": self.rouge2 / 100,
            "rougeLsum": self.rougeLsum / 100,
        }

    def describe(self) -> str:
        return f"R1={self.rouge1:.2f} R2={self.rouge2:.2f} RLsum={self.rougeLsum:.2f}"


def load_examples(dataset: Path = DATASET) -> list[Example]:
    """The dataset's articles in file-name order, each with its reference."""
    examples = []
    for number, path in enumerate(sorted(dataset.glob("*.json"))):
        record = json.loads(path.read_text(encoding="utf-8"))
        article = DigestArticle(
            article_id=number,
            outlet="cnndm",
            url="",
            title="",
            published_at=None,
            text=record["article"],
        )
        examples.append(Example(path.stem, article, reference_lines(record["reference"])))
    return examples


def reference_lines(reference: str) -> str:
    """The highlights one sentence a line (the dataset joins them with " . ")."""
    return "\n".join(s.strip() for s in reference.split(" . ") if s.strip())


def rouge(summary: Sequence[str], reference: str) -> tuple[float, float, float]:
    """ROUGE-1, -2 and -Lsum F1 of one summary (its sentences one a line), in points."""
    found = _scorer.score(reference, "\n".join(summary))
    rouge1, rouge2, rouge_l = (100 * found[name].fmeasure for name in METRICS)
    return rouge1, rouge2, rouge_l


def average(rows: Iterable[tuple[float, float, float]]) -> Scores:
    columns = list(zip(*rows, strict=True))
    return Scores(*(statistics.fmean(column) for column in columns))


def lead3(example: Example) -> list[str]:
    """The first three sentences as the product cuts them."""
    return [passage.text for passage in article_passages(example.article)[:3]]


def ours(example: Example, encoder: Encoder) -> list[str]:
    """The summary :func:`summarize` gives the article."""
    summary, _ = summarize([example.article], encoder)
    return [sentence.text for sentence in summary]


def score_lead3(examples: Sequence[Example]) -> Scores:
    return average(rouge(lead3(example), example.reference) for example in examples)


def score_ours(examples: Sequence[Example], encoder: Encoder) -> Scores:
    return average(rouge(ours(example, encoder), example.reference) for example in examples)


def grid_scores(examples: Sequence[Example], encoder: Encoder) -> np.ndarray:
    """ROUGE of every example (axis 0) under every tuning of :data:`GRID` (axis 1).

    The summary is :func:`choose_summary` over :func:`summary_groups` (trimmed
    sentences), the very steps :func:`summarize` runs for an article, with the same
    embeddings (its key points are not scored).
    """
    table = np.zeros((len(examples), len(GRID), len(METRICS)))
    for row, example in enumerate(examples):
        groups = summary_groups([example.article])
        vectors = SentenceVectors(encoder, groups)
        seen: dict[tuple[int, ...], tuple[float, float, float]] = {}
        for column, tuning in enumerate(GRID):
            chosen = tuple(choose_summary(groups, tuning, [example.article], vectors=vectors))
            if chosen not in seen:
                seen[chosen] = rouge([groups[i].text for i in chosen], example.reference)
            table[row, column] = seen[chosen]
    return table


def best_tuning(table: np.ndarray, rows: Sequence[int]) -> int:
    """The column of :data:`GRID` with the best mean ROUGE-1 over ``rows`` (first on ties)."""
    means = table[list(rows), :, 0].mean(axis=0)
    return int(np.flatnonzero(means >= means.max() - 1e-9)[0])


def cross_validate(table: np.ndarray, folds: int = FOLDS) -> tuple[Scores, list[Tuning]]:
    """Each fold scored with the tuning that is best on the other folds; and those tunings.

    Article ``i`` falls in fold ``i % folds`` (file-name order, which is a hash's).
    """
    count = table.shape[0]
    rows = np.zeros((count, len(METRICS)))
    chosen = []
    for fold in range(folds):
        held_out = [i for i in range(count) if i % folds == fold]
        column = best_tuning(table, [i for i in range(count) if i % folds != fold])
        chosen.append(GRID[column])
        rows[held_out] = table[held_out, column]
    return average(map(tuple, rows)), chosen


class CachedEncoder:
    """The real embedder, with each text's vector kept in a file under ``folder``.

    Keyed by a hash of the model's name and the text, so later runs of the gate skip the
    model; a cold cache only makes the first run slower.
    """

    def __init__(self, encoder: Encoder, folder: Path, model: str) -> None:
        self._encoder = encoder
        self._folder = folder
        self._model = model
        folder.mkdir(parents=True, exist_ok=True)

    def encode(self, texts: Sequence[str]) -> Vectors:
        paths = [self._folder / f"{self._key(text)}.npy" for text in texts]
        missing = [i for i, path in enumerate(paths) if not path.is_file()]
        if missing:
            encoded = self._encoder.encode([texts[i] for i in missing])
            for i, vector in zip(missing, encoded, strict=True):
                partial = paths[i].with_suffix(f".{os.getpid()}.tmp")
                with partial.open("wb") as handle:
                    np.save(handle, vector)
                partial.replace(paths[i])
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([np.load(path) for path in paths]).astype(np.float32)

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._model}\n{text}".encode()).hexdigest()[:32]


def vector_cache() -> Path:
    """Where :class:`CachedEncoder` keeps the gate's vectors, outside the repository."""
    return Path(tempfile.gettempdir()) / "storyline-summary-gate-vectors"


def default_encoder() -> CachedEncoder:
    """The product's default model (int8 ONNX), its export cached as the tests cache it."""
    from storyline.stories.embeddings import Embedder, model_cache_folder

    home = Path(
        os.environ.get(
            "STORYLINE_TEST_MODEL_CACHE", Path(tempfile.gettempdir()) / "storyline-test-home"
        )
    )
    embedder = Embedder(cache_dir=model_cache_folder(home))
    return CachedEncoder(embedder, vector_cache(), f"{embedder.model}/{embedder.backend}")


def main() -> None:
    examples = load_examples()
    encoder = default_encoder()
    started = time.perf_counter()
    baseline = score_lead3(examples)
    shipped = score_ours(examples, encoder)
    summarised = time.perf_counter()
    table = grid_scores(examples, encoder)
    validated, tunings = cross_validate(table)
    best = GRID[best_tuning(table, range(len(examples)))]
    print(f"{len(examples)} CNN/DailyMail articles, ROUGE F1 with stemming (rougeLsum)")
    print(f"lead-3:                 {baseline.describe()}")
    print(f"ours (shipped tuning):  {shipped.describe()}")
    print(f"ours (cross-validated): {validated.describe()}")
    print(
        f"ROUGE-1 over lead-3: {shipped.rouge1 - baseline.rouge1:+.2f} "
        f"(cross-validated {validated.rouge1 - baseline.rouge1:+.2f})"
    )
    print(f"tuning best on all articles: {best}")
    print(f"tunings chosen per fold: {tunings}")
    print(f"summaries {summarised - started:.1f} s, grid {time.perf_counter() - summarised:.1f} s")


if __name__ == "__main__":
    main()
