#!/usr/bin/env python3
"""Nearest-neighbour index: build, memory, query latency and recall at a million articles.

The vectors are synthetic but shaped like article embeddings: unit vectors of 384
dimensions drawn from a two-level Gaussian mixture (topics, events within a topic,
articles around an event), so that an article's neighbours are its event's articles, then
its topic's, as for real news. The queries are new articles of random events, not in the
index. Measured, in one run on the same vectors:

* **baseline**: exact search with faiss ``IndexFlatIP`` (every vector scored): its
  latency for one query at a time, and the true 10 nearest of a sample of the queries;
* building :class:`storyline.stories.index.VectorIndex` from the vectors
  (``rebuild``, as after a loss: build, write and fsync the files), the growth of the
  process's resident memory, the file size, the peak resident memory of the whole run;
  then ``open`` in a fresh view (CRC-32 of every file, read) and the memory it takes;
* related-articles queries (``search`` with k=10, one at a time, as a page asks): p50 and
  p99 over the queries and recall@10 against the exact top 10, for several search
  breadths;
* adding articles one at a time to the full index, as a worker does (``add``: append to
  the log, fsync, insert into the graph): p50 and p99 per add.

Usage: .venv/bin/python bench/ann_index.py [--size 1000000] [--queries 1000] [--exact 300]
CI smoke: .venv/bin/python bench/ann_index.py --size 20000 --queries 200
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline.stories import index as index_module  # noqa: E402
from storyline.stories.index import VectorIndex  # noqa: E402

DIMENSIONS = 384
ARTICLES_PER_EVENT = 20
EVENTS_PER_TOPIC = 25
# Noise scales: an article's cosine to its event is about 0.75, an event's to its topic 0.6.
EVENT_SPREAD = 1.3
ARTICLE_SPREAD = 0.9
Matrix = npt.NDArray[np.float32]


def _unit(rows: Matrix) -> Matrix:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _noise(rng: np.random.Generator, count: int, spread: float) -> Matrix:
    return rng.standard_normal((count, DIMENSIONS), dtype=np.float32) * (
        spread / np.sqrt(DIMENSIONS)
    )


def make_events(size: int, seed: int) -> Matrix:
    """Event centres: each a topic's centre moved by noise."""
    rng = np.random.default_rng(seed)
    events = max(1, size // ARTICLES_PER_EVENT)
    topics = _unit(rng.standard_normal((max(1, events // EVENTS_PER_TOPIC), DIMENSIONS)))
    parents = rng.integers(0, len(topics), events)
    return _unit(topics[parents] + _noise(rng, events, EVENT_SPREAD))


def articles_of(events: Matrix, which: npt.NDArray[np.int64], seed: int) -> Matrix:
    """One article vector per entry of ``which``, around that event's centre.

    Made 100,000 at a time, so that the temporaries do not set the run's peak memory.
    """
    rng = np.random.default_rng(seed)
    out = np.empty((len(which), DIMENSIONS), dtype=np.float32)
    for start in range(0, len(which), 100_000):
        part = which[start : start + 100_000]
        out[start : start + len(part)] = _unit(
            events[part] + _noise(rng, len(part), ARTICLE_SPREAD)
        )
    return out


def rss_bytes(field: str = "VmRSS") -> int:
    """The process's resident memory now, or its peak (``VmHWM``), from Linux ``/proc``."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def reset_peak() -> None:
    """Start the peak (``VmHWM``) again from the current resident memory (Linux 4.0+)."""
    Path("/proc/self/clear_refs").write_text("5")


def exact_top(vectors: Matrix, queries: Matrix, k: int) -> tuple[npt.NDArray[np.int64], float]:
    """The exact k nearest rows of each query (IndexFlatIP), and the ms of one query alone."""
    flat = faiss.IndexFlatIP(DIMENSIONS)
    flat.add(vectors)
    _, top = flat.search(queries, k)
    threads = faiss.omp_get_max_threads()
    best = float("inf")
    for count in sorted({1, threads}):  # the better of one thread and all of them
        faiss.omp_set_num_threads(count)
        latencies = []
        for query in queries[:50]:
            started = time.perf_counter()
            flat.search(query.reshape(1, -1), k)
            latencies.append((time.perf_counter() - started) * 1000)
        best = min(best, statistics.median(latencies))
    faiss.omp_set_num_threads(threads)
    del flat
    return top, best


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def time_queries(
    index: VectorIndex, queries: Matrix, k: int
) -> tuple[list[float], list[float], list[list[int]]]:
    """Milliseconds per ``search`` call (wall and this thread's CPU) and the ids found.

    On a machine that other work loads, the wall-clock p99 mostly measures time spent
    waiting for a core; the CPU time is what the search itself costs.
    """
    latencies: list[float] = []
    cpu: list[float] = []
    found: list[list[int]] = []
    for query in queries:
        started, cpu_started = time.perf_counter(), time.thread_time()
        hits = index.search(query, k)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)
        found.append([article_id for article_id, _ in hits])
    return latencies, cpu, found


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(np.asarray(values), share))


def run(size: int, query_count: int, exact_count: int, breadths: list[int]) -> dict[str, Any]:
    """Build, save, reopen and query an index of ``size`` vectors; every figure in one dict."""
    events = make_events(size, seed=5)
    rng = np.random.default_rng(6)
    vectors = articles_of(events, rng.integers(0, len(events), size), seed=7)
    queries = articles_of(events, rng.integers(0, len(events), query_count), seed=8)
    extra = articles_of(events, rng.integers(0, len(events), 1000), seed=9)
    result: dict[str, Any] = {
        "size": size,
        "queries": query_count,
        "connectivity": index_module.CONNECTIVITY,
        "expansion_add": index_module.EXPANSION_ADD,
        "load_before": os.getloadavg(),
    }
    sample = queries[:exact_count]
    exact, result["exact_ms_per_query"] = exact_top(vectors, sample, 10)
    truth = [set((row + 1).tolist()) for row in exact]
    gc.collect()
    with tempfile.TemporaryDirectory(prefix="storyline-ann-") as name:
        folder = Path(name)
        before = rss_bytes()
        reset_peak()
        index = VectorIndex(folder, DIMENSIONS)
        started, cpu_started = time.perf_counter(), time.process_time()
        index.rebuild(zip(range(1, size + 1), vectors, strict=True))
        result["build_s"] = time.perf_counter() - started
        result["build_cpu_s"] = time.process_time() - cpu_started
        result["index_rss_bytes"] = rss_bytes() - before
        result["build_peak_bytes"] = rss_bytes("VmHWM") - before
        result["file_bytes"] = sum(p.stat().st_size for p in folder.iterdir())
        del index
        gc.collect()
        before = rss_bytes()
        started = time.perf_counter()
        index = VectorIndex.open(folder, DIMENSIONS)
        result["open_s"] = time.perf_counter() - started
        result["open_rss_bytes"] = rss_bytes() - before
        result["breadths"] = []
        for breadth in breadths:
            index.expansion_search = breadth
            latencies, cpu, found = time_queries(index, queries, 10)
            recall = statistics.fmean(
                len(truth_row & set(hits)) / 10
                for truth_row, hits in zip(truth, found[:exact_count], strict=True)
            )
            result["breadths"].append(
                {
                    "expansion_search": breadth,
                    "p50_ms": percentile(latencies, 50),
                    "p99_ms": percentile(latencies, 99),
                    "cpu_p50_ms": percentile(cpu, 50),
                    "cpu_p99_ms": percentile(cpu, 99),
                    "recall_at_10": recall,
                }
            )
        index.expansion_search = index_module.EXPANSION_SEARCH
        adds: list[float] = []
        for number, vector in enumerate(extra[: min(1000, max(100, size // 1000))]):
            started = time.perf_counter()
            index.add([size + 1 + number], vector.reshape(1, -1))
            adds.append((time.perf_counter() - started) * 1000)
        result["add_p50_ms"] = percentile(adds, 50)
        result["add_p99_ms"] = percentile(adds, 99)
        result["adds"] = len(adds)
    result["peak_rss_bytes"] = peak_rss_bytes()
    result["load_after"] = os.getloadavg()
    return result


def report(result: dict[str, Any]) -> str:
    """The figures as the table rows written down in docs/benchmarks.md."""
    mib = 2**20
    lines = [
        f"{result['size']:,} vectors of {DIMENSIONS} dims, {result['connectivity']} links a "
        f"node, {result['expansion_add']} candidates while building; load average "
        f"{result['load_before'][0]:.1f} before, {result['load_after'][0]:.1f} after",
        f"build (rebuild: graph + files + fsync) {result['build_s']:.1f} s "
        f"({result['size'] / result['build_s']:,.0f} vectors/s; CPU time "
        f"{result['build_cpu_s']:.1f} s over all threads), "
        f"RSS +{result['index_rss_bytes'] / mib:,.0f} MiB (peak while building "
        f"+{result['build_peak_bytes'] / mib:,.0f} MiB), files "
        f"{result['file_bytes'] / mib:,.0f} MiB; open (CRC check + read) "
        f"{result['open_s']:.1f} s, RSS +{result['open_rss_bytes'] / mib:,.0f} MiB; "
        f"peak RSS of the run {result['peak_rss_bytes'] / mib:,.0f} MiB",
        f"add one article to the full index (log + fsync + graph): p50 "
        f"{result['add_p50_ms']:.2f} ms, p99 {result['add_p99_ms']:.2f} ms over "
        f"{result['adds']} adds",
        f"baseline, exact search (faiss IndexFlatIP): {result['exact_ms_per_query']:.1f} ms "
        "a query (median of 50, one at a time, the better of 1 and all threads)",
        "| expansion_search | p50 ms | p99 ms | CPU p50 / p99 ms | recall@10 "
        "| p50 speed-up vs exact |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["breadths"]:
        ratio = result["exact_ms_per_query"] / row["p50_ms"]
        lines.append(
            f"| {row['expansion_search']} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} "
            f"| {row['cpu_p50_ms']:.2f} / {row['cpu_p99_ms']:.2f} "
            f"| {row['recall_at_10']:.4f} | {ratio:,.0f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--exact", type=int, default=300, help="queries checked against exact")
    parser.add_argument(
        "--breadths", default="64,96,128,256", help="expansion_search values to compare"
    )
    parser.add_argument("--connectivity", type=int, default=index_module.CONNECTIVITY)
    parser.add_argument("--expansion-add", type=int, default=index_module.EXPANSION_ADD)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "ann_index.json")
    args = parser.parse_args()
    index_module.CONNECTIVITY = args.connectivity
    index_module.EXPANSION_ADD = args.expansion_add
    breadths = [int(value) for value in args.breadths.split(",")]
    result = run(args.size, args.queries, min(args.exact, args.queries), breadths)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(report(result))


if __name__ == "__main__":
    main()
