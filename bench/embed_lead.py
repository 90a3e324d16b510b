#!/usr/bin/env python3
"""How much of an article to embed: related-article quality and speed by lead length.

ECB+ (``../shared/datasets/clustering/ecbplus``, read in place) holds news documents on
pairs of similar events; a good "related articles" list puts documents on the same event
first. For each lead length, every document is embedded as
:func:`storyline.stories.embeddings.article_text_for_embedding` makes it (no title: ECB+
has none), and each document's 10 nearest others are scored: the share on the same event
(precision@10 over at most as many as exist) and on the same topic, plus mean average
precision of the same-event documents over the whole ranking. The URL line that starts
every ``*ecbplus.xml`` file is dropped (it alone would tell the two events apart).
Embedding throughput for each length is measured in the same run.

Usage: .venv/bin/python bench/embed_lead.py [--leads 40,80,120,160,400]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storyline.shared_data import shared_dir

ROOT = Path(__file__).resolve().parents[1]
ECBPLUS = shared_dir() / "datasets" / "clustering" / "ecbplus"
sys.path.insert(0, str(ROOT))

from storyline.stories.embeddings import Embedder, article_text_for_embedding  # noqa: E402


def load_documents() -> tuple[list[str], list[str], list[str]]:
    """Each document's text, event label (topic + ecb/ecbplus) and topic label."""
    texts: list[str] = []
    events: list[str] = []
    topics: list[str] = []
    for path in sorted(ECBPLUS.glob("*/*.xml")):
        sentences: dict[int, list[str]] = {}
        for token in ElementTree.parse(path).getroot().iter("token"):
            sentences.setdefault(int(token.get("sentence", "0")), []).append(token.text or "")
        plus = path.name.endswith("ecbplus.xml")
        kept = [words for number, words in sorted(sentences.items()) if not (plus and number == 0)]
        texts.append(" ".join(" ".join(words) for words in kept))
        topic = path.parent.name
        topics.append(topic)
        events.append(f"{topic}-{'plus' if plus else 'ecb'}")
    if not texts:
        raise SystemExit(f"no documents found under {ECBPLUS}")
    return texts, events, topics


def score(
    vectors: npt.NDArray[np.float32], events: list[str], topics: list[str]
) -> dict[str, float]:
    """Precision@10 for the same event and topic, and MAP for the same event."""
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -np.inf)
    ranking = np.argsort(-scores, axis=1)[:, :-1]
    event = np.asarray(events)
    topic = np.asarray(topics)
    event_precision, topic_precision, average_precision = [], [], []
    for row, order in enumerate(ranking):
        relevant = event[order] == event[row]
        total = int(relevant.sum())
        if total == 0:
            continue
        depth = min(10, total)
        event_precision.append(relevant[:depth].mean())
        topic_precision.append((topic[order[:10]] == topic[row]).mean())
        hits = np.cumsum(relevant)
        average_precision.append(float((hits[relevant] / (np.flatnonzero(relevant) + 1)).mean()))
    return {
        "event_p10": float(np.mean(event_precision)),
        "topic_p10": float(np.mean(topic_precision)),
        "event_map": float(np.mean(average_precision)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", default="40,80,120,160,400")
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "out" / "models")
    args = parser.parse_args()
    texts, events, topics = load_documents()
    embedder = Embedder(backend=args.backend, cache_dir=args.cache)
    print(f"{len(texts)} ECB+ documents, backend {embedder.backend}, load {os.getloadavg()[0]:.1f}")
    print("| lead words | event P@10 | topic P@10 | event MAP | articles/s |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for lead in (int(value) for value in args.leads.split(",")):
        inputs = [article_text_for_embedding("", text, lead) for text in texts]
        started = time.perf_counter()
        vectors = embedder.encode(inputs)
        rate = len(inputs) / (time.perf_counter() - started)
        scores = score(vectors, events, topics)
        print(
            f"| {lead} | {scores['event_p10']:.4f} | {scores['topic_p10']:.4f} "
            f"| {scores['event_map']:.4f} | {rate:.1f} |",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
