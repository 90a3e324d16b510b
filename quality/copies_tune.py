"""How the copies parameters were chosen: run it to reproduce the figures they rest on.

1. Thresholds. Every labelled fixture pair is compared exactly (shingle containment and
   Jaccard). The "same text" cut on containment and the "copy" cut on Jaccard are each
   the cut with the best F1, and among equals the one farthest from any example (for
   separable classes, the middle of the gap). Leave-one-event-out cross-validation learns
   them without one event's articles and scores that event, so its scores are for events
   the cuts never saw.
2. LSH bands. With ``b`` bands of ``r`` rows, two stories of Jaccard ``J`` share a key
   with probability ``1 - (1 - J**r)**b`` (the S-curve); with lead bands as well they
   miss with probability ``(1 - J**r)**b * (1 - L**r')**b'``, ``L`` being their leads'
   Jaccard. From the exact similarities of pairs, each option gets an expected recall
   over the fixtures' same-text pairs, and a load: how many unrelated articles (real
   news pairs sharing under 10% of their shingles, 500N-KPCrowd and CNN/DailyMail read in
   place) would come up as candidates for a new article among 100,000. The choice is the
   option with the fewest keys per article whose expected recall is at least
   :data:`RECALL_TARGET` and whose load is at most :data:`LOAD_BUDGET`.
3. Shingle size. For shingles of 3 to 6 words: the gap between the most similar pair of
   different texts and the least similar same-text pair, the cross-validated F1, and the
   expected recall and load of the chosen bands.

``python quality/copies_tune.py`` prints the learned cuts, the cross-validated scores,
the options that qualify, and the S-curve of the chosen one.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from storyline.stories.shingles import SHINGLE_WORDS, shingle_hashes, story_words

REPO = Path(__file__).resolve().parents[1]

RECALL_TARGET = 0.995
LOAD_BUDGET = 2.0  # unrelated candidates for a new article among 100,000
_WINDOW = 100_000
_UNRELATED = 0.1
_TEXT_OPTIONS = [(bands, rows) for rows in (2, 3) for bands in (16, 24, 32, 48, 64)]
_LEAD_OPTIONS = [(0, 0)] + [(bands, rows) for rows in (1, 2) for bands in (4, 8, 16)]
_LEAD_WORDS = (40, 60, 100)
_CURVE = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
_SHINGLE_SIZES = (3, 4, 5, 6)


@dataclass(frozen=True)
class Example:
    """One labelled pair, reduced to what the cuts are learned from."""

    group: str
    same: bool
    copy: bool
    containment: float
    jaccard: float


@dataclass(frozen=True)
class Option:
    lead_words: int
    text: tuple[int, int]  # bands, rows
    lead: tuple[int, int]

    @property
    def keys(self) -> int:
        return self.text[0] + self.lead[0]

    def hit(self, story: float, lead: float) -> float:
        """The chance that two stories share at least one band key."""
        miss = (1 - story ** self.text[1]) ** self.text[0]
        if self.lead[0]:
            miss *= (1 - lead ** self.lead[1]) ** self.lead[0]
        return 1 - miss


def learn_cut(values: Sequence[tuple[float, bool]]) -> float:
    """The cut on a score that best puts positives at or above it and negatives below."""
    points = sorted({value for value, _ in values})
    cuts = [(low + high) / 2 for low, high in itertools.pairwise(points)] or points

    def quality(cut: float) -> tuple[float, float]:
        tp = sum(value >= cut and positive for value, positive in values)
        fp = sum(value >= cut and not positive for value, positive in values)
        fn = sum(value < cut and positive for value, positive in values)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        return f1, min(abs(cut - value) for value, _ in values)

    return max(cuts, key=quality)


def learn_thresholds(examples: Sequence[Example]) -> tuple[float, float]:
    """(same-text containment, copy Jaccard) learned from ``examples``."""
    same = learn_cut([(e.containment, e.same) for e in examples])
    copy = learn_cut([(e.jaccard, e.copy) for e in examples if e.same])
    return same, copy


def cross_validate(examples: Sequence[Example]) -> dict[str, float]:
    """Leave-one-event-out scores of the learned cuts on the held-out event."""
    tp = fp = fn = right = related = 0
    for group in sorted({e.group for e in examples}):
        same_cut, copy_cut = learn_thresholds([e for e in examples if e.group != group])
        for example in (e for e in examples if e.group == group):
            predicted = example.containment >= same_cut
            tp += predicted and example.same
            fp += predicted and not example.same
            fn += not predicted and example.same
            if predicted and example.same:
                related += 1
                right += (example.jaccard >= copy_cut) == example.copy
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "relation_accuracy": right / max(1, related),
    }


def jaccards(
    words: Mapping[str, list[str]],
    pairs: Sequence[tuple[str, str]],
    lead_words: int,
    size: int = SHINGLE_WORDS,
) -> list[tuple[float, float]]:
    """(story Jaccard, lead Jaccard) of each pair, for shingles of ``size`` words."""

    whole = {name: shingle_hashes(w, size) for name, w in words.items()}
    lead = {name: shingle_hashes(w[:lead_words], size) for name, w in words.items()}
    return [(_jaccard(whole[a], whole[b]), _jaccard(lead[a], lead[b])) for a, b in pairs]


def unrelated_pairs(words: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """Pairs of texts that share under 10% of the smaller one's shingles."""

    whole = {name: shingle_hashes(w) for name, w in words.items()}
    return [
        (a, b)
        for a, b in itertools.combinations(sorted(whole), 2)
        if whole[a]
        and whole[b]
        and len(whole[a] & whole[b]) < _UNRELATED * min(len(whole[a]), len(whole[b]))
    ]


def evaluate(
    same: Mapping[int, Sequence[tuple[float, float]]],
    unrelated: Mapping[int, Sequence[tuple[float, float]]],
    unrelated_total: int,
) -> list[tuple[Option, float, float]]:
    """Every option with its expected fixture recall and its load per 100,000 articles.

    ``unrelated`` holds only the unrelated pairs that share some shingle; the others
    (``unrelated_total`` in all) can never share a key and count as zeros.
    """
    results = []
    for lead_words in _LEAD_WORDS:
        for text, lead in itertools.product(_TEXT_OPTIONS, _LEAD_OPTIONS):
            if lead == (0, 0) and lead_words != _LEAD_WORDS[0]:
                continue  # without lead bands the lead's length does not matter
            option = Option(lead_words, text, lead)
            pairs = same[lead_words]
            recall = sum(option.hit(s, lj) for s, lj in pairs) / len(pairs)
            hits = sum(option.hit(s, lj) for s, lj in unrelated[lead_words])
            results.append((option, recall, hits / unrelated_total * _WINDOW))
    return results


def choose(results: Sequence[tuple[Option, float, float]]) -> tuple[Option, float, float]:
    """The fewest keys meeting the recall target within the load budget (then the least load)."""
    fitting = [r for r in results if r[1] >= RECALL_TARGET and r[2] <= LOAD_BUDGET]
    return min(fitting, key=lambda r: (r[0].keys, r[2], -r[1]))


def fixture_examples(
    size: int = SHINGLE_WORDS,
) -> tuple[list[Example], dict[str, list[str]], list[tuple[str, str]]]:
    """The labelled pairs as examples (shingles of ``size`` words), every fixture's story
    words, and the same-text pairs."""
    # Deferred: run as a script, ``quality`` is importable once main() has put the repo
    # on the path.
    from quality.copies import gold_relation, load_articles, load_pairs

    articles = load_articles()
    words = {name: story_words(article.text) for name, article in articles.items()}
    shingles = {name: shingle_hashes(w, size) for name, w in words.items()}
    examples = []
    for pair in load_pairs():
        a, b = shingles[pair.a], shingles[pair.b]
        examples.append(
            Example(
                group=articles[pair.a].event,
                same=pair.same,
                copy=gold_relation(pair) == "copy",
                containment=len(a & b) / min(len(a), len(b)),
                jaccard=_jaccard(a, b),
            )
        )
    same_pairs = [(p.a, p.b) for p in load_pairs() if p.same]
    return examples, words, same_pairs


def _jaccard(a: set[int], b: set[int]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def compare_shingle_sizes(
    option: Option, news: Mapping[str, list[str]], unrelated: Sequence[tuple[str, str]]
) -> None:
    """For each shingle size: the gap between the classes, the cross-validated F1, and the
    expected recall and load of ``option``'s bands (over the same unrelated pairs)."""
    print("words per shingle: different up to / same from (containment), F1, keys' recall, load")
    for size in _SHINGLE_SIZES:
        examples, words, same_pairs = fixture_examples(size)
        below = max(e.containment for e in examples if not e.same)
        above = min(e.containment for e in examples if e.same)
        f1 = cross_validate(examples)["f1"]
        pairs = jaccards(words, same_pairs, option.lead_words, size)
        recall = sum(option.hit(s, lj) for s, lj in pairs) / len(pairs)
        chance = jaccards(news, unrelated, option.lead_words, size)
        load = sum(option.hit(s, lj) for s, lj in chance) / len(chance) * _WINDOW
        print(
            f"  {size}: {below:.3f} / {above:.3f} (gap {above - below:.3f}), "
            f"leave-one-event-out F1 {f1:.4f}, expected recall {recall:.4f}, "
            f"load {load:.2f} per 100k"
        )


def main() -> int:
    from quality.copies import load_news  # deferred, as in fixture_examples

    examples, words, same_pairs = fixture_examples()
    same_cut, copy_cut = learn_thresholds(examples)
    below = max(e.containment for e in examples if not e.same)
    above = min(e.containment for e in examples if e.same)
    print(f"{len(examples)} labelled pairs: different up to containment {below:.3f}, ", end="")
    print(f"same from {above:.3f}")
    print(f"learned: same text at containment >= {same_cut:.3f}, copy at Jaccard >= {copy_cut:.3f}")
    cv = cross_validate(examples)
    print("leave-one-event-out: " + ", ".join(f"{k}={v:.4f}" for k, v in cv.items()))

    news = {str(i): story_words(text) for i, text in enumerate(load_news())}
    unrelated = unrelated_pairs(news)
    print(
        f"{len(same_pairs)} same-text fixture pairs; {len(news)} real news articles, "
        f"{len(unrelated)} unrelated pairs"
    )
    touching = {
        n: [s for s in jaccards(news, unrelated, n) if s != (0.0, 0.0)] for n in _LEAD_WORDS
    }
    same = {n: jaccards(words, same_pairs, n) for n in _LEAD_WORDS}
    results = evaluate(same, touching, len(unrelated))
    print("keys  lead words  story bands  lead bands  expected recall  load per 100k")
    qualifying = [r for r in results if r[1] >= RECALL_TARGET and r[2] <= LOAD_BUDGET]
    for option, recall, load in sorted(qualifying, key=lambda r: (r[0].keys, r[2]))[:12]:
        print(
            f"{option.keys:4d}  {option.lead_words:10d}  {option.text[0]:6d} x {option.text[1]}"
            f"  {option.lead[0]:5d} x {option.lead[1]}  {recall:15.4f}  {load:13.2f}"
        )
    option, recall, load = choose(results)
    threshold = (1 / option.text[0]) ** (1 / option.text[1])
    print(f"chosen: {option}, S-curve threshold (1/b)^(1/r) = {threshold:.3f}")
    print(
        "story bands alone, P(shared key) at J: "
        + ", ".join(f"{j}: {Option(0, option.text, (0, 0)).hit(j, 0):.4f}" for j in _CURVE)
    )
    compare_shingle_sizes(option, news, unrelated)
    lowest = sorted(same[option.lead_words])[:5]
    print(
        "lowest same-text pairs (J, lead J) -> P(shared key): "
        + ", ".join(f"({s:.3f}, {lj:.3f}) -> {option.hit(s, lj):.4f}" for s, lj in lowest)
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
