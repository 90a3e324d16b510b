"""The key phrase gate: F1@10 on 500N-KPCrowd, by cross-validation.

The metric is the one the field reports for this set: each story's ten best phrases and its
crowd-chosen key phrases are lowercased and Porter-stemmed word by word, a prediction counts
when it equals a gold phrase exactly, and precision, recall and F1 over the top ten are
averaged over the stories. The dataset writes its key phrases without punctuation other than
apostrophes ("Grammy-winning" is kept as "Grammywinning", "U.S." as "US"), so both sides drop
that punctuation too before stemming; a repeated prediction counts once.

Storyline's ranker learns from this very set, so its score here is cross-validated: the
stories are dealt into folds, and each fold is ranked by a ranker (weights and keyphraseness
table) fitted on the other folds only, exactly as ``quality/train_keyphrases.py`` fits the
shipped one on all of them.

``python quality/keyphrases.py`` prints F1@10, P@10 and R@10 of plain TF-IDF over the same
candidates (term count times a wordfreq IDF prior) and of Storyline's ranker, then the time
key phrases and hashtags take per story beside spaCy's own parse.
"""

from __future__ import annotations

import functools
import re
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy
import Stemmer

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from quality.train_keyphrases import (  # noqa: E402 (after the path set-up that lets the script run from anywhere)
    DATASET,
    Example,
    Story,
    features_for,
    fit,
    load_stories,
    make_examples,
    parse_stories,
)
from storyline.understand.keyphrases import FEATURES  # noqa: E402

FLOORS = Path(__file__).resolve().parent / "floors.json"
TOP = 10
FOLDS = 5
_PUNCTUATION = re.compile(r"[^\w\s']|_")
_porter = Stemmer.Stemmer("porter")


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 at ten, each averaged over the stories."""

    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return {"f1": self.f1, "precision": self.precision, "recall": self.recall}

    def describe(self) -> str:
        return f"F1@10={self.f1:.4f} P@10={self.precision:.4f} R@10={self.recall:.4f}"


@functools.lru_cache(maxsize=1 << 16)
def normalise(phrase: str) -> str:
    """A phrase as the metric compares it: lowercase, no punctuation, Porter stems."""
    words = _PUNCTUATION.sub("", phrase.lower().replace("’", "'")).split()
    return " ".join(_porter.stemWord(word) for word in words)


def score_story(predicted: Iterable[str], gold: Iterable[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the first ``TOP`` distinct predictions of one story."""
    truth = {normalise(phrase) for phrase in gold} - {""}
    top: list[str] = []
    for phrase in predicted:
        key = normalise(phrase)
        if key and key not in top:
            top.append(key)
        if len(top) == TOP:
            break
    hits = sum(key in truth for key in top)
    precision = hits / len(top) if top else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def average(per_story: Sequence[tuple[float, float, float]]) -> Scores:
    precision, recall, f1 = (statistics.fmean(column) for column in zip(*per_story, strict=True))
    return Scores(precision, recall, f1)


def cross_validate(examples: Sequence[Example], folds: int = FOLDS) -> Scores:
    """Scores of rankers each fitted on all folds but the one it ranks.

    Story ``i`` falls in fold ``i % folds``; the stories are in file-name order, which
    interleaves the dataset's topics, so every fold holds every topic.
    """
    per_story = []
    for fold in range(folds):
        training = [e for i, e in enumerate(examples) if i % folds != fold]
        ranker = fit(training)
        for example in examples[fold::folds]:
            scores = ranker.score(features_for(example, ranker))
            per_story.append(score_story(_ranked(example, scores), example.story.keys))
    return average(per_story)


def tfidf_baseline(examples: Sequence[Example]) -> Scores:
    """Plain TF-IDF over the same candidates: count times a general-English IDF prior."""
    column = FEATURES.index("tfidf")
    return average([score_story(_ranked(e, e.features[:, column]), e.story.keys) for e in examples])


def _ranked(example: Example, scores: numpy.ndarray) -> list[str]:
    order = numpy.argsort(-scores, kind="stable")
    return [example.candidates.items[i].text for i in order[:TOP]]


def time_per_story(
    stories: Sequence[Story], sample: int = 80, batch: int = 8
) -> tuple[float, float]:
    """Seconds per story of a spaCy parse and of key phrases plus hashtags on top of it.

    Each batch of stories is parsed, then given key phrases and hashtags, before the next
    batch is parsed: a busy machine slows both measures alike. Hashtags are chosen from the
    story's spaCy entities grouped by name, which stand in for the entity stage's output: only
    the cost of :func:`choose_hashtags` is measured.
    """
    from storyline.settings import Settings
    from storyline.understand.hashtags import choose_hashtags
    from storyline.understand.keyphrases import find_key_phrases
    from storyline.understand.pipeline import load_pipeline

    nlp = load_pipeline(Settings())
    texts = [story.text for story in stories[:sample]]
    find_key_phrases(nlp("Warm-up text about a harbour in Velmora."))
    parse = ours = 0.0
    for start in range(0, len(texts), batch):
        started = time.perf_counter()
        docs = list(nlp.pipe(texts[start : start + batch]))
        parsed = time.perf_counter()
        entities = [_spacy_entities(doc) for doc in docs]
        prepared = time.perf_counter()
        for doc, found in zip(docs, entities, strict=True):
            choose_hashtags(found, find_key_phrases(doc))
        parse += parsed - started
        ours += time.perf_counter() - prepared
    return parse / len(texts), ours / len(texts)


def _spacy_entities(doc: object) -> list[object]:
    from storyline.understand.types import Entity, Mention

    types = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE"}
    found: dict[str, Entity] = {}
    for span in getattr(doc, "ents", ()):
        kind = types.get(span.label_)
        if kind is None:
            continue
        entity = found.setdefault(span.text, Entity(span.text, kind, span.text.lower()))
        entity.mentions.append(Mention(span.start_char, span.end_char, span.text))
    return list(found.values())


def main() -> int:
    stories = load_stories(DATASET)
    started = time.perf_counter()
    examples = make_examples(stories, parse_stories(stories))
    print(
        f"stories: {len(stories)} (parsed and described in {time.perf_counter() - started:.0f} s)"
    )
    print(f"plain TF-IDF (count x wordfreq IDF): {tfidf_baseline(examples).describe()}")
    started = time.perf_counter()
    ours = cross_validate(examples)
    elapsed = time.perf_counter() - started
    print(f"storyline ranker, {FOLDS}-fold cross-validated: {ours.describe()} ({elapsed:.0f} s)")
    parse, extra = time_per_story(stories)
    print(
        f"time per story: spaCy parse {parse * 1000:.1f} ms, key phrases + hashtags "
        f"{extra * 1000:.2f} ms ({extra / parse:.1%} of the parse)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
