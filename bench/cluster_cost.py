#!/usr/bin/env python3
"""Story clustering: what one new article costs when a million articles are already in stories.

Synthetic but shaped like news: ``--articles`` existing articles in stories of
``--story-size`` articles, four stories to a storyline, over the last 60 days. A story's
centroid is a random unit vector; its summary holds 60 term weights drawn from a 50,000-word
vocabulary, two people and a place. The new articles are, seven in ten, an article of a
random existing story (its centroid plus noise, its words, its people, a recent time) and
otherwise an article of a new event.

Each new article goes through :meth:`OnlineClusterer.add` whole: the candidate lookup in
the HNSW index of story centroids, :func:`assign`, absorbing, re-indexing, the merge check,
drift checks and the storyline. Printed: p50 and p99 milliseconds per article, and the
same for a clusterer holding ``--baseline`` articles built the same way in the same run,
as a ratio (near 1 when the cost does not grow with the number of stories). The loaded
stories are frozen out of Python's garbage collector (``gc.freeze``), as a long-running
worker would do after loading them, and faiss runs on one thread (``--faiss-threads``):
one query or one insertion at a time gains nothing from OpenMP's threads, and on busy
cores waking them cost more than the search (measured at 200,000 articles on two busy
cores: p50 6.6 ms and p99 36 ms with faiss's default threads, 2.6 ms and 19 ms with one).

Usage: .venv/bin/python bench/cluster_cost.py [--articles 1000000] [--new 1000]
CI smoke: .venv/bin/python bench/cluster_cost.py --articles 20000 --new 200
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline.stories.cluster_features import (  # noqa: E402
    DIMENSIONS,
    ClusterDoc,
    StorySummary,
    combine,
)
from storyline.stories.cluster_online import OnlineClusterer  # noqa: E402

VOCABULARY = 50_000
TERMS = 60
STORIES_PER_LINE = 4
NOW = datetime(2025, 9, 1, tzinfo=UTC)
DAYS = 60


def build(articles: int, story_size: int, rng: np.random.Generator) -> OnlineClusterer:
    """A clusterer holding ``articles`` articles in synthetic stories and storylines."""
    count = max(1, articles // story_size)
    centroids = rng.normal(size=(count, DIMENSIONS)).astype(np.float32)
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    stories = []
    for story_id in range(count):
        stories.append(_story(story_id + 1, centroids[story_id], story_size, rng))
    lines: dict[int, StorySummary] = {}
    storyline_of = {}
    for story in stories:
        line_id = count + 1 + (story.story_id - 1) // STORIES_PER_LINE
        line = lines.setdefault(line_id, StorySummary.empty(line_id))
        combine(line, story)
        storyline_of[story.story_id] = line_id
    clusterer = OnlineClusterer()
    clusterer.load(stories, list(lines.values()), storyline_of)
    return clusterer


def _story(
    story_id: int, centroid: np.ndarray, size: int, rng: np.random.Generator
) -> StorySummary:
    words = rng.integers(0, VOCABULARY, size=TERMS)
    weight = 1.0 / np.sqrt(TERMS)
    last = NOW - timedelta(hours=float(rng.uniform(0, DAYS * 24)))
    return StorySummary(
        story_id=story_id,
        vector_sum=centroid * size,
        count=size,
        terms={f"w{w}": weight * size for w in words},
        people={f"PERSON:p{story_id}": 0.7 * size, f"ORG:o{story_id % 5000}": 0.7 * size},
        places={f"PLACE:l{story_id % 2000}": 1.0 * size},
        first_at=last - timedelta(hours=size * 3),
        last_at=last,
        article_ids=[story_id * 1000 + i for i in range(size)],
        titles={story_id * 1000: f"Story {story_id}"},
    )


def new_articles(
    clusterer: OnlineClusterer, n: int, rng: np.random.Generator, first_id: int
) -> list[ClusterDoc]:
    """``n`` new articles: seven in ten continue an existing story."""
    story_ids = list(clusterer.stories)
    docs = []
    for i in range(n):
        noise = rng.normal(size=DIMENSIONS).astype(np.float32)
        noise /= np.linalg.norm(noise)
        if rng.random() < 0.7:
            story = clusterer.stories[story_ids[int(rng.integers(len(story_ids)))]]
            vector = story.centroid + 0.6 * noise
            words = list(story.terms)[:40] + [f"w{w}" for w in rng.integers(0, VOCABULARY, 20)]
            people = {k: 2.0 for k in story.people}
            places = {k: 1.0 for k in story.places}
            at = (story.last_at or NOW) + timedelta(hours=float(rng.uniform(0, 12)))
        else:
            vector = noise
            words = [f"w{w}" for w in rng.integers(0, VOCABULARY, TERMS)]
            people, places, at = {f"PERSON:new{i}": 1.0}, {}, NOW
        vector /= np.linalg.norm(vector)
        weight = 1.0 / np.sqrt(len(set(words)))
        docs.append(
            ClusterDoc(
                article_id=first_id + i,
                published_at=at,
                vector=vector.astype(np.float32),
                terms={w: weight for w in set(words)},
                people=people,
                places=places,
                title=f"Article {first_id + i}",
                outlet="Bench Daily",
            )
        )
    return docs


def measure(articles: int, story_size: int, new: int, seed: int) -> tuple[float, float, float]:
    """Build time (s) and p50, p99 milliseconds per new article."""
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    clusterer = build(articles, story_size, rng)
    built = time.perf_counter() - started
    # A long-running worker freezes what it loaded at start: Python's full garbage
    # collections would otherwise walk every summary, pauses of tens of milliseconds.
    gc.collect()
    gc.freeze()
    docs = new_articles(clusterer, new, rng, first_id=10**10)
    costs = []
    for doc in docs:
        started = time.perf_counter()
        clusterer.add(doc)
        costs.append((time.perf_counter() - started) * 1000)
    costs.sort()
    p99 = costs[min(len(costs) - 1, int(0.99 * len(costs)))]
    return built, statistics.median(costs), p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=10_000)
    parser.add_argument("--story-size", type=int, default=5)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--faiss-threads", type=int, default=1)
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.faiss_threads)
    results = {}
    for articles in (args.baseline, args.articles):
        built, p50, p99 = measure(articles, args.story_size, args.new, seed=1)
        results[articles] = (p50, p99)
        print(
            f"{articles:>9} articles in {articles // args.story_size} stories "
            f"(built in {built:.0f} s): {args.new} new articles, "
            f"p50 {p50:.2f} ms, p99 {p99:.2f} ms per article",
            flush=True,
        )
    base, full = results[args.baseline], results[args.articles]
    print(
        f"ratio {args.articles} / {args.baseline} articles: "
        f"p50 {full[0] / base[0]:.2f}x, p99 {full[1] / base[1]:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
