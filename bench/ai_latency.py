#!/usr/bin/env python3
"""AI feature latency on the offline engine: summaries and answers, p50 and p99.

The texts are real news articles read in place from ``../shared/datasets/summaries/cnndm``,
analysed once by the real understanding stage (not timed). Four workloads:

* **article summary**: one article cut to 1,000 words (the longest ones, so nothing is
  padded): :func:`storyline.ai.summarize.summarize`;
* **article answer**: a question about that article: :func:`storyline.ai.answer.answer_question`;
* **story brief** and **story answer**: a story of 20 such articles.

Questions are written from each text's own people and figures ("Who is <name>?", "How
many <thing> …?"), so retrieval and span selection do real work. Nothing is cached
between calls: every call embeds what it needs, as the first view of a page would.

**Baseline**, in the same run over the same texts: the embedding pass alone (every
sentence of the article, or of the 20 articles, through the same int8 ONNX model), which
an embedding-based feature cannot be faster than. Each figure is printed with its ratio to
that baseline. The model load and a warm-up call are not timed.

Usage: .venv/bin/python bench/ai_latency.py [--runs 40]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storyline.shared_data import shared_dir

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASET = shared_dir() / "datasets" / "summaries" / "cnndm"
ARTICLE_WORDS = 1000
STORY_ARTICLES = 20


def load_articles(count: int) -> list[str]:
    """The ``count`` longest dataset articles, each cut to :data:`ARTICLE_WORDS` words."""
    texts = [
        json.loads(p.read_text(encoding="utf-8"))["article"] for p in sorted(DATASET.glob("*.json"))
    ]
    if not texts:
        raise SystemExit(f"no articles under {DATASET}")
    texts.sort(key=lambda t: -len(t.split()))
    return [" ".join(t.split()[:ARTICLE_WORDS]) for t in texts[:count]]


def questions_for(article: Any) -> list[str]:
    """Questions a reader might ask of ``article``, from its own people and figures."""
    out = [f"Who is {e.name}?" for e in article.entities if e.type == "PERSON"][:2]
    out += [f"What did {e.name} say?" for e in article.entities if e.type == "ORG"][:1]
    out += ["How many people were involved?", "When did it happen?", "Where did it happen?"]
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_each(items: list[Any], call: Callable[[Any], Any]) -> list[float]:
    """Milliseconds ``call`` took on each item."""
    out = []
    for item in items:
        started = time.perf_counter()
        call(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="calls timed per workload")
    args = parser.parse_args()

    from storyline.ai.answer import answer_question
    from storyline.ai.passages import passages
    from storyline.ai.summarize import summarize
    from storyline.settings import Settings
    from storyline.stories.digest_types import DigestArticle
    from storyline.stories.embeddings import Embedder
    from storyline.understand.analyze import ArticleInput, analyze_articles
    from storyline.understand.pipeline import load_pipeline

    texts = load_articles(max(args.runs, STORY_ARTICLES))
    nlp = load_pipeline(Settings())
    moment = datetime(2025, 6, 8, 12, tzinfo=UTC)
    analyses = analyze_articles(nlp, [ArticleInput(t, moment) for t in texts], lambda a: {})
    articles = [
        DigestArticle.from_analysis(i, f"Outlet {i % 7}", "", "", moment, t, a)
        for i, (t, a) in enumerate(zip(texts, analyses, strict=True), start=1)
    ]
    encoder = Embedder()
    rng = random.Random(7)
    summarize(articles[:1], encoder)  # warm-up: load the model, fill the caches
    answer_question("Who is quoted?", articles[:1], encoder, nlp)

    def embed(chosen: list[Any]) -> None:
        encoder.encode([p.text for p in passages(chosen)])

    singles = [[articles[i % len(articles)]] for i in range(args.runs)]
    stories = [rng.sample(articles, STORY_ARTICLES) for _ in range(args.runs)]
    asked = [(one, rng.choice(questions_for(one[0]))) for one in singles]
    story_asked = [(story, rng.choice(questions_for(rng.choice(story)))) for story in stories]
    base = time_each(singles, embed)
    story_base = time_each(stories, embed)
    rows = [
        (
            "article summary (1,000 words)",
            time_each(singles, lambda a: summarize(a, encoder)),
            base,
        ),
        (
            "article answer (1,000 words)",
            time_each(asked, lambda pair: answer_question(pair[1], pair[0], encoder, nlp)),
            base,
        ),
        (
            "story brief (20 articles)",
            time_each(stories, lambda s: summarize(s, encoder, story=True)),
            story_base,
        ),
        (
            "story answer (20 articles)",
            time_each(story_asked, lambda pair: answer_question(pair[1], pair[0], encoder, nlp)),
            story_base,
        ),
    ]
    print(f"offline engine, {args.runs} calls per workload, backend {encoder.backend}")
    header = ("workload", "p50 ms", "p99 ms", "embed p50", "ratio p50", "ratio p99")
    print(f"{header[0]:32}" + "".join(f"{h:>11}" for h in header[1:]))
    for name, values, baseline in rows:
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        b50, b99 = statistics.median(baseline), percentile(baseline, 0.99)
        figures = (p50, p99, b50, p50 / b50, p99 / b99)
        print(f"{name:32}" + "".join(f"{f:11.2f}" for f in figures))


if __name__ == "__main__":
    main()
