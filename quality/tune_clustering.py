"""Measure the clustering parameters on ECB+, with topics held out.

The 33 topics are split in two folds (alternate topics in number order). For every
setting of a small grid, the online clusterer runs over each fold's documents alone (one
shuffle, seed 1). The setting best on one fold is scored on the other, both ways: those
are the held-out figures. The pinned setting is the one best over both folds together,
and its in-sample figure is the gate's (all documents, the gate's seeds).

Two stages, as the levels depend on each other only one way: first the story level
(event B-cubed F1), then, with it fixed, the storyline level (topic B-cubed F1).

``python quality/tune_clustering.py`` prints every setting's scores and the choice; the
values go into ``PARAMS`` in ``storyline/stories/clustering.py`` by hand.
``--storyline-only`` keeps the pinned story level and searches the second stage alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from quality.ecbplus import (  # noqa: E402
    SEEDS,
    Document,
    Scores,
    cluster_docs,
    load_documents,
    load_features,
    run_online,
    score_online,
)
from storyline.stories.cluster_features import ClusterDoc  # noqa: E402
from storyline.stories.clustering import PARAMS, ClusterParams  # noqa: E402

STORY_GRID = {
    "people": (0.5, 1.0),
    "neutral": (0.1, 0.25),
    "join": (1.1, 1.2, 1.3),
    "merge_above_join": (0.3, 0.45, 0.6),
    "split_below": (0.35, 1.6, 1.75, 1.9),
}
STORYLINE_GRID = {
    "people": (0.0, 0.3),
    "join": (0.5, 0.6, 0.7, 0.8, 0.9),
    "merge_above_join": (0.0, 0.1, 0.2, 0.3),
}
_SEED = 1

Fold = tuple[list[ClusterDoc], list[Document]]


def folds(docs: Sequence[ClusterDoc], documents: Sequence[Document]) -> tuple[Fold, Fold]:
    """The documents of alternate topics (in number order) as two folds."""
    topics = sorted({d.topic for d in documents}, key=int)
    first = set(topics[::2])
    parts: tuple[Fold, Fold] = (([], []), ([], []))
    for doc, document in zip(docs, documents, strict=True):
        part = parts[0 if document.topic in first else 1]
        part[0].append(dataclasses.replace(doc, article_id=len(part[0])))
        part[1].append(document)
    return parts


def story_setting(values: dict[str, float]) -> ClusterParams:
    story = dataclasses.replace(
        PARAMS.story,
        people=values["people"],
        neutral=values["neutral"],
        join=values["join"],
        merge=values["join"] + values["merge_above_join"],
    )
    return dataclasses.replace(PARAMS, story=story, split_below=values["split_below"])


def storyline_setting(base: ClusterParams, values: dict[str, float]) -> ClusterParams:
    storyline = dataclasses.replace(
        base.storyline,
        people=values["people"],
        join=values["join"],
        merge=values["join"] + values["merge_above_join"],
    )
    return dataclasses.replace(base, storyline=storyline)


def search(
    grid: dict[str, tuple[float, ...]],
    make: Callable[[dict[str, float]], ClusterParams],
    measure: Callable[[Scores], float],
    parts: tuple[Fold, Fold],
    name: str,
) -> tuple[dict[str, float], list[float]]:
    """The best setting over both folds, and the held-out score of each fold."""
    results: list[tuple[dict[str, float], float, float]] = []
    for combination in itertools.product(*grid.values()):
        values = dict(zip(grid, combination, strict=True))
        params = make(values)
        a, b = (measure(run_online(docs, gold, _SEED, params)) for docs, gold in parts)
        results.append((values, a, b))
        print(f"{name} {values}: fold A {a:.3f}, fold B {b:.3f}", flush=True)
    best_a = max(results, key=lambda r: r[1])
    best_b = max(results, key=lambda r: r[2])
    held_out = [best_b[1], best_a[2]]  # A scored with B's choice, B with A's choice
    print(f"{name}: best on B {best_b[0]} scores {best_b[1]:.3f} on A (held out)")
    print(f"{name}: best on A {best_a[0]} scores {best_a[2]:.3f} on B (held out)")
    chosen = max(results, key=lambda r: r[1] + r[2])
    print(f"{name}: chosen {chosen[0]}: fold A {chosen[1]:.3f}, fold B {chosen[2]:.3f}")
    return chosen[0], held_out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--storyline-only",
        action="store_true",
        help="keep the pinned story level and search the storyline level only",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    documents = load_documents()
    docs = cluster_docs(documents, load_features(documents))
    parts = folds(docs, documents)
    print(f"folds: {len(parts[0][0])} and {len(parts[1][0])} documents")
    base = PARAMS
    if not args.storyline_only:
        story_values, story_held_out = search(
            STORY_GRID, story_setting, lambda s: s.event.f1, parts, "story"
        )
        base = story_setting(story_values)
        print(
            f"held out event F1 (fold A, fold B): {story_held_out[0]:.3f}, {story_held_out[1]:.3f}"
        )
    line_values, line_held_out = search(
        STORYLINE_GRID,
        lambda v: storyline_setting(base, v),
        lambda s: s.topic.f1,
        parts,
        "storyline",
    )
    print(f"held out topic F1 (fold A, fold B): {line_held_out[0]:.3f}, {line_held_out[1]:.3f}")
    chosen = storyline_setting(base, line_values)
    print(f"chosen parameters: {chosen}")
    in_sample = score_online(docs, documents, SEEDS, chosen)
    print(f"in sample, all documents, seeds {SEEDS}: {in_sample.describe()}")
    print(f"pinned PARAMS now: {score_online(docs, documents, SEEDS, PARAMS).describe()}")
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
