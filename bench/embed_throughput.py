#!/usr/bin/env python3
"""Embedding throughput and fidelity: articles per second for each backend, on real news.

The articles are real news texts read in place from ``../shared/datasets``: the CNN/Daily
Mail articles (no title), then the 500N-KPCrowd stories (first line the title), each
turned into what Storyline embeds by
:func:`storyline.stories.embeddings.article_text_for_embedding` (title and 120-word lead).
**Baseline**, in the same run over the same texts: the full sentence-transformers model on
torch (the ``torch`` backend). Each backend embeds every text, in rounds that alternate
the backends so that load from other processes falls on all of them alike; the figure is
the best round. Models are loaded (and exported, on first use) before the clock starts.

Fidelity: the cosine of each fast backend's vector to the torch vector (min, 1st
percentile, mean), and what storing vectors as float16 changes (cosine of the round trip,
and the share of each text's 10 nearest texts that stays the same).

Usage: .venv/bin/python bench/embed_throughput.py [--rounds 2] [--articles 400]
CI smoke: .venv/bin/python bench/embed_throughput.py --rounds 1 --articles 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storyline.shared_data import shared_dir

ROOT = Path(__file__).resolve().parents[1]
DATASETS = shared_dir() / "datasets"
sys.path.insert(0, str(ROOT))

from storyline.stories.embeddings import (  # noqa: E402
    Embedder,
    article_text_for_embedding,
    vector_from_bytes,
    vector_to_bytes,
)

BACKENDS = ("torch", "onnx", "onnx-int8")
Matrix = npt.NDArray[np.float32]


def load_articles(limit: int) -> list[str]:
    """CNN/Daily Mail articles, then 500N-KPCrowd stories, as Storyline embeds them."""
    texts = [
        article_text_for_embedding("", json.loads(path.read_text(encoding="utf-8"))["article"])
        for path in sorted((DATASETS / "summaries" / "cnndm").glob("*.json"))
    ]
    for path in sorted((DATASETS / "keyphrases" / "500N-KPCrowd" / "docsutf8").glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        texts.append(article_text_for_embedding(title, body))
    if not texts:
        raise SystemExit(f"no texts found under {DATASETS}")
    return texts[:limit]


def time_backend(embedder: Embedder, texts: list[str]) -> tuple[float, float, Matrix]:
    """Articles per second and per CPU-second (all threads) over ``texts``, and the vectors.

    On a machine that other work loads, the CPU time is the steadier figure: articles per
    CPU-second times the number of cores is what the cores would give it alone.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    vectors = embedder.encode(texts)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return len(texts) / wall, len(texts) / cpu, vectors


def cosine_summary(vectors: Matrix, reference: Matrix) -> dict[str, float]:
    cosines = np.sum(vectors * reference, axis=1)
    return {
        "min": float(cosines.min()),
        "p1": float(np.percentile(cosines, 1)),
        "mean": float(cosines.mean()),
    }


def float16_effect(vectors: Matrix) -> dict[str, float]:
    """What the float16 storage format changes: cosines and the 10 nearest texts of each."""
    stored = np.vstack([vector_from_bytes(vector_to_bytes(vector)) for vector in vectors])
    before = _neighbours(vectors, vectors)
    after = _neighbours(stored, stored)
    same = [len(set(a) & set(b)) / len(a) for a, b in zip(before, after, strict=True)]
    return {**cosine_summary(stored, vectors), "same_top10": float(np.mean(same))}


def _neighbours(queries: Matrix, vectors: Matrix) -> list[list[int]]:
    scores = queries @ vectors.T
    np.fill_diagonal(scores, -np.inf)
    return [row.tolist() for row in np.argsort(-scores, axis=1)[:, :10]]


def run(texts: list[str], rounds: int, cache_dir: Path) -> dict[str, Any]:
    """Load every backend, then time them in alternating rounds."""
    embedders: dict[str, Embedder] = {}
    load_seconds: dict[str, float] = {}
    for backend in BACKENDS:
        started = time.perf_counter()
        embedders[backend] = Embedder(backend=backend, cache_dir=cache_dir)
        embedders[backend].encode(texts[:4])
        load_seconds[backend] = time.perf_counter() - started
    rates: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
    cpu_rates: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
    vectors: dict[str, Matrix] = {}
    load_before = os.getloadavg()
    for _ in range(rounds):
        for backend in BACKENDS:
            rate, cpu_rate, vectors[backend] = time_backend(embedders[backend], texts)
            rates[backend].append(rate)
            cpu_rates[backend].append(cpu_rate)
    reference = vectors["torch"]
    return {
        "texts": len(texts),
        "mean_words": float(np.mean([len(text.split()) for text in texts])),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "load_seconds": load_seconds,
        "rates": rates,
        "cpu_rates": cpu_rates,
        "cosine_to_torch": {
            backend: cosine_summary(vectors[backend], reference) for backend in BACKENDS[1:]
        },
        "float16_storage": float16_effect(reference),
    }


def report(result: dict[str, Any]) -> str:
    baseline = max(result["rates"]["torch"])
    lines = [
        f"{result['texts']} real news texts (title + lead, {result['mean_words']:.0f} words on "
        f"average), {os.cpu_count()} cores; load average "
        f"{result['load_before'][0]:.1f} before, {result['load_after'][0]:.1f} after",
        "| backend | articles/s (best round) | vs torch | articles per CPU-second | vs torch "
        "| cosine to torch min / p1 / mean | load (and export) s |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    cpu_baseline = max(result["cpu_rates"]["torch"])
    for backend, rates in result["rates"].items():
        cpu_rate = max(result["cpu_rates"][backend])
        cosine = result["cosine_to_torch"].get(backend)
        fidelity = (
            f"{cosine['min']:.4f} / {cosine['p1']:.4f} / {cosine['mean']:.4f}"
            if cosine
            else "reference"
        )
        lines.append(
            f"| {backend} | {max(rates):.1f} | {max(rates) / baseline:.2f}x | {cpu_rate:.1f} "
            f"| {cpu_rate / cpu_baseline:.2f}x | {fidelity} "
            f"| {result['load_seconds'][backend]:.1f} |"
        )
    storage = result["float16_storage"]
    lines.append(
        f"float16 storage: cosine to float32 min {storage['min']:.7f}, mean "
        f"{storage['mean']:.7f}; 10 nearest texts unchanged {storage['same_top10']:.4f}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "out" / "models")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "embed.json")
    args = parser.parse_args()
    result = run(load_articles(args.articles), args.rounds, args.cache)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(report(result))


if __name__ == "__main__":
    main()
