"""Train the key phrase ranker on 500N-KPCrowd and write ``keyphrases-ranker.json``.

The 450 news stories of ``../shared/datasets/keyphrases/500N-KPCrowd`` are read in place and
parsed with Storyline's spaCy pipeline (the parses are cached outside the repository, keyed
by the texts and the pipeline's version). Every candidate that
:func:`storyline.understand.keyphrases.collect_candidates` finds is a training row, labelled
by whether its Porter-stemmed words are one of the story's crowd-chosen key phrases. The
ranker is an L2-regularised logistic regression fitted by Newton's method: with some seventy
features and ninety thousand rows it converges in a few steps, with nothing beyond numpy.

The keyphraseness table counts, per candidate, the stories it occurred in and those where
readers chose it; a story's own share is left out of its training rows (see
:func:`storyline.understand.keyphrases.keyphraseness_features`). Only candidates seen in at
least three stories are shipped, the rest count as unknown at run time as in training.

``python quality/train_keyphrases.py`` fits on all 450 stories and writes the ranker.
``quality/keyphrases.py`` scores the same procedure by cross-validation.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy

from storyline.shared_data import shared_dir

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from spacy.tokens import Doc, DocBin  # noqa: E402 (after the path set-up that lets the script run from anywhere)

from storyline.settings import Settings  # noqa: E402
from storyline.understand.keyphrases import (  # noqa: E402
    _MIN_SUPPORT,
    FEATURES,
    RANKER_PATH,
    Candidates,
    Keyphraseness,
    Ranker,
    candidate_key,
    collect_candidates,
    describe_candidates,
    keyphraseness_features,
)
from storyline.understand.pipeline import load_pipeline  # noqa: E402

DATASET = shared_dir() / "datasets" / "keyphrases" / "500N-KPCrowd"
L2 = 100.0
_NEWTON_STEPS = 25
_TOLERANCE = 1e-5


@dataclass(frozen=True)
class Story:
    """One gold story: its text and the key phrases the crowd chose for it."""

    id: str
    text: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    """One story's candidates, their features (but keyphraseness) and the chosen keys."""

    story: Story
    candidates: Candidates
    features: numpy.ndarray
    chosen: frozenset[str]

    @property
    def labels(self) -> numpy.ndarray:
        return numpy.array([c.key in self.chosen for c in self.candidates.items], dtype=float)


def load_stories(dataset: Path = DATASET) -> list[Story]:
    """The gold stories in file-name order, read in place (never copied into the repository)."""
    stories = []
    for path in sorted((dataset / "docsutf8").glob("*.txt")):
        keys_file = dataset / "keys" / f"{path.stem}.key"
        keys = [line.strip() for line in keys_file.read_text(encoding="utf-8").splitlines()]
        text = path.read_text(encoding="utf-8")
        stories.append(Story(path.stem, text, tuple(key for key in keys if key)))
    return stories


def parse_stories(stories: Sequence[Story]) -> list[Doc]:
    """spaCy parses of the stories, from the cache when it holds these texts."""
    nlp = load_pipeline(Settings())
    digest = hashlib.sha256()
    for story in stories:
        digest.update(story.text.encode("utf-8") + b"\0")
    version = f"{nlp.meta.get('name')}-{nlp.meta.get('version')}-{len(stories)}"
    cache = _cache_dir() / f"kpcrowd-{version}-{digest.hexdigest()[:16]}.spacy"
    if cache.is_file():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    docs = list(nlp.pipe(story.text for story in stories))
    cache.parent.mkdir(parents=True, exist_ok=True)
    store = DocBin(store_user_data=False)
    for doc in docs:
        store.add(doc)
    store.to_disk(cache)
    return docs


def _cache_dir() -> Path:
    """Where parses are kept between runs: the user's cache, never the repository."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "storyline" / "quality"


def make_examples(stories: Sequence[Story], docs: Sequence[Doc]) -> list[Example]:
    """One example per story, in the same order."""
    examples = []
    for story, doc in zip(stories, docs, strict=True):
        found = collect_candidates(doc)
        chosen = frozenset(candidate_key(key) for key in story.keys)
        examples.append(Example(story, found, describe_candidates(found), chosen))
    return examples


def count_keyphraseness(examples: Sequence[Example]) -> Keyphraseness:
    """Per candidate key: the stories where readers chose it, and those where it occurred."""
    occurred: Counter[str] = Counter()
    chosen: Counter[str] = Counter()
    for example in examples:
        keys = {c.key for c in example.candidates.items}
        occurred.update(keys)
        chosen.update(keys & example.chosen)
    return Keyphraseness({key: (chosen[key], n) for key, n in occurred.items()})


def fit(examples: Sequence[Example], l2: float = L2) -> Ranker:
    """A ranker fitted on ``examples``, its keyphraseness counted from them too."""
    table = count_keyphraseness(examples)
    features = numpy.vstack([_all_features(e, table, own=True) for e in examples])
    labels = numpy.concatenate([e.labels for e in examples])
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    weights, bias = fit_logistic((features - mean) / scale, labels, l2)
    shipped = {key: pair for key, pair in table.counts.items() if pair[1] >= _MIN_SUPPORT}
    return Ranker(mean, scale, weights, bias, Keyphraseness(shipped))


def features_for(example: Example, ranker: Ranker) -> numpy.ndarray:
    """The full feature rows of an unseen story, as :func:`find_key_phrases` builds them."""
    return _all_features(example, ranker.keyphraseness, own=False)


def _all_features(example: Example, table: Keyphraseness, own: bool) -> numpy.ndarray:
    chosen = example.chosen if own else None
    extra = keyphraseness_features(example.candidates.items, table, chosen)
    return numpy.hstack([example.features, extra])


def fit_logistic(
    features: numpy.ndarray, labels: numpy.ndarray, l2: float
) -> tuple[numpy.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (the bias is not shrunk)."""
    rows, columns = features.shape
    design = numpy.hstack([features, numpy.ones((rows, 1))])
    penalty = numpy.full(columns + 1, l2)
    penalty[-1] = 0.0
    # The curvature is summed in single precision, which halves the cost of the biggest
    # product; the gradient stays exact, so Newton's steps still end at the same optimum.
    narrow = design.astype(numpy.float32)
    theta = numpy.zeros(columns + 1)
    for _ in range(_NEWTON_STEPS):
        probability = 1.0 / (1.0 + numpy.exp(-(design @ theta)))
        gradient = design.T @ (probability - labels) + penalty * theta
        curvature = (probability * (1.0 - probability)).astype(numpy.float32)
        # einsum runs in one thread: a threaded BLAS product stalls on a busy two-core machine.
        weighted = narrow * curvature[:, None]
        hessian = numpy.einsum("ij,ik->jk", narrow, weighted) + numpy.diag(penalty)
        step = numpy.linalg.solve(hessian, gradient)
        theta -= step
        if numpy.abs(step).max() < _TOLERANCE:
            break
    return theta[:-1], float(theta[-1])


def main() -> int:
    started = time.perf_counter()
    stories = load_stories()
    examples = make_examples(stories, parse_stories(stories))
    ranker = fit(examples)
    RANKER_PATH.write_text(json.dumps(ranker.to_json(), separators=(",", ":")) + "\n")
    size = RANKER_PATH.stat().st_size
    print(f"trained on {len(examples)} stories, {len(FEATURES)} features")
    print(f"{len(ranker.keyphraseness.counts)} keyphraseness entries; wrote {RANKER_PATH.name}")
    print(f"({size / 1024:.0f} KB) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
