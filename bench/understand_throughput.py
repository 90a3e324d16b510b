#!/usr/bin/env python3
"""Understanding throughput: articles per second through the whole understanding stage.

The articles are real news texts read in place from ``../shared/datasets`` (the CNN/Daily
Mail articles and the PolNeAR development texts). **Baseline**, in the same run over the
same texts: a bare ``nlp.pipe`` pass of the same spaCy pipeline, which the stage cannot
be faster than. **Storyline**: :func:`storyline.understand.analyze.analyze_articles`
(language detection, the same spaCy pass, entities, quotes, dates and timeline, key
phrases, hashtags), with no database, so only the stage is timed. Each measurement runs in
a fresh process, baseline and stage alternating, so each reports its own peak memory
(maximum resident set size) and neither warms the other's caches; the model load is not
timed. The figure is the median over rounds.

Usage: .venv/bin/python bench/understand_throughput.py [--rounds 3] [--articles 200]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from storyline.shared_data import shared_dir

ROOT = Path(__file__).resolve().parents[1]
DATASETS = shared_dir() / "datasets"


def load_texts(limit: int) -> list[str]:
    """CNN/Daily Mail articles, then PolNeAR development texts, up to ``limit``."""
    texts: list[str] = []
    for path in sorted((DATASETS / "summaries" / "cnndm").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else [data]
        texts += [item["article"] for item in items if item.get("article")]
    texts += [
        path.read_text(encoding="utf-8")
        for path in sorted((DATASETS / "quotes" / "polnear" / "dev" / "text").glob("*.txt"))
    ]
    if not texts:
        raise SystemExit(f"no texts found under {DATASETS}")
    return texts[:limit]


def measure(mode: str, limit: int) -> dict[str, float]:
    """Time one pass of ``mode`` ("pipe" or "stage") over the texts, in this process."""
    from storyline.settings import Settings
    from storyline.understand.analyze import ArticleInput, analyze_articles
    from storyline.understand.pipeline import load_pipeline

    texts = load_texts(limit)
    settings = Settings()
    nlp = load_pipeline(settings)
    list(nlp.pipe(texts[:2]))  # first-call set-up out of the clock
    started = time.perf_counter()
    if mode == "pipe":
        for _ in nlp.pipe(texts, batch_size=settings.nlp_batch_size):
            pass
    else:
        inputs = [ArticleInput(text, None) for text in texts]
        analyze_articles(nlp, inputs, lambda keys: {}, batch_size=settings.nlp_batch_size)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"articles": len(texts), "seconds": seconds, "peak_mib": peak_kib / 1024}


def _run_child(mode: str, limit: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--articles", str(limit)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--child", choices=["pipe", "stage"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.articles)))
        return
    rows: dict[str, list[dict[str, float]]] = {"pipe": [], "stage": []}
    for round_number in range(1, args.rounds + 1):
        for mode in ("pipe", "stage"):
            result = _run_child(mode, args.articles)
            rows[mode].append(result)
            rate = result["articles"] / result["seconds"]
            print(
                f"round {round_number} {mode:<5} {result['articles']:.0f} articles "
                f"in {result['seconds']:.2f} s = {rate:.1f} articles/s, "
                f"peak {result['peak_mib']:.0f} MiB",
                flush=True,
            )
    pipe = statistics.median(r["articles"] / r["seconds"] for r in rows["pipe"])
    stage = statistics.median(r["articles"] / r["seconds"] for r in rows["stage"])
    print(
        f"bare nlp.pipe: {pipe:.1f} articles/s (peak "
        f"{max(r['peak_mib'] for r in rows['pipe']):.0f} MiB); whole stage: {stage:.1f} "
        f"articles/s (peak {max(r['peak_mib'] for r in rows['stage']):.0f} MiB); "
        f"ratio {stage / pipe:.3f} (target >= 0.7)"
    )


if __name__ == "__main__":
    main()
