#!/usr/bin/env python3
"""Ingestion throughput: articles per second through fetch + parse + extract + clean + store.

The pages are the real news pages of ``../shared/datasets/extraction`` (read in place,
unpacked into a temporary folder), served by a separate HTTP server process on 127.0.0.1
behind an RSS feed that carries only a one-line summary per item, so every article's page
must be fetched and extracted. Storyline ingests the feed with ``storyline worker``
processes, exactly as deployed, into a fresh SQLite home. The baseline, measured in the
same run over the same pages with the same number of processes, is trafilatura's
``extract()`` alone on the HTML already in memory: no fetching, no parsing, no storing.
The workers' warnings and errors are written to ``bench/out/ingest_workers.log``.

As deployed, the same workers also analyse the articles they store (issue #4) and place
them in stories (issue #5). Whatever of that they do before the last entry is done shares
the cores and the CPU time; how many articles it reached is printed with the results.

Both sides also report CPU time per item (Linux ``/proc``): trafilatura's extraction calls,
and everything the worker processes and the HTTP server spend while Storyline works.
Their ratio is what two otherwise idle cores would give, and it barely moves when other
work shares the machine, unlike the rates.

Usage: .venv/bin/python bench/ingest_throughput.py [--processes 2] [--rounds 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from storyline.shared_data import shared_dir

ROOT = Path(__file__).resolve().parents[1]
DATASET = shared_dir() / "datasets" / "extraction"
OUT = ROOT / "bench" / "out"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_site(folder: Path, port: int, rounds: int) -> list[Path]:
    pages = sorted((DATASET / "html").glob("*.html.gz"))
    (folder / "pages").mkdir()
    items = []
    written = []
    for round_number in range(rounds):
        for page in pages:
            name = f"{page.name.removesuffix('.html.gz')}-{round_number}.html"
            target = folder / "pages" / name
            target.write_bytes(gzip.decompress(page.read_bytes()))
            written.append(target)
            url = f"http://127.0.0.1:{port}/pages/{name}"
            items.append(
                f"<item><title>Page {escape(name)}</title><link>{url}</link>"
                f"<guid>{url}</guid><description>Summary only.</description></item>"
            )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Bench Wire</title><link>http://127.0.0.1/</link><description>bench</description>"
        + "".join(items)
        + "</channel></rss>"
    )
    (folder / "feed.xml").write_text(feed, encoding="utf-8")
    return written


def _extract_only(path: str) -> float:
    """trafilatura on one page; returns the CPU seconds the extraction took."""
    import trafilatura

    html = Path(path).read_bytes()
    start = time.process_time()
    trafilatura.extract(html)
    return time.process_time() - start


def measure_baseline(pages: list[Path], processes: int) -> tuple[float, float]:
    """Pages per second, and CPU seconds per page of the extractions alone."""
    start = time.perf_counter()
    with ProcessPoolExecutor(processes) as pool:
        cpu = sum(pool.map(_extract_only, [str(p) for p in pages], chunksize=4))
    return len(pages) / (time.perf_counter() - start), cpu / len(pages)


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time (user and system) these processes have used so far (Linux ``/proc``)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def measure_storyline(
    folder: Path, port: int, count: int, processes: int, server_pid: int
) -> tuple[float, float]:
    """Articles per second, and CPU seconds per article of the worker processes and the
    HTTP server while they work (what the two cores spend on each article, all in)."""
    home = folder / "home"
    env = {
        **os.environ,
        "STORYLINE_HOME": str(home),
        "STORYLINE_ALLOW_PRIVATE_URLS": "1",
        "STORYLINE_HOST_DELAY": "0",
        "STORYLINE_HOST_CONCURRENCY": "16",
        "STORYLINE_DEFAULT_OPML": "none",
        "STORYLINE_TICK_SECONDS": "1",
        "STORYLINE_WORKERS": os.environ.get("BENCH_THREADS", "2"),
        "STORYLINE_LOG_LEVEL": "warning",
    }
    storyline = [sys.executable, "-m", "storyline"]
    subprocess.run([*storyline, "migrate"], env=env, check=True, capture_output=True)
    # The workers' warnings and errors are kept, so that a slow run can be explained.
    OUT.mkdir(exist_ok=True)
    log = (OUT / "ingest_workers.log").open("wb")
    workers = [
        subprocess.Popen([*storyline, "worker"], env=env, stdout=log, stderr=log)
        for _ in range(processes)
    ]
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(f"sqlite:///{home / 'storyline.db'}")
        _wait_for_workers(engine, processes)
        # The clock runs from the subscription of a running service to the last article.
        start = time.perf_counter()
        busy = [worker.pid for worker in workers] + [server_pid]
        cpu_start = _cpu_seconds(busy)
        subprocess.run(
            [*storyline, "feeds", "add", f"http://127.0.0.1:{port}/feed.xml"],
            env=env,
            check=True,
            capture_output=True,
        )
        done = 0
        while done < count:
            time.sleep(0.2)
            with engine.connect() as connection:
                done = connection.execute(
                    text("SELECT count(*) FROM feed_entries WHERE status != 'pending'")
                ).scalar_one()
        elapsed = time.perf_counter() - start
        cpu = _cpu_seconds(busy) - cpu_start
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM articles")).scalar_one()
            # As deployed, the workers also analyse what they store and place it in
            # stories: that work shares the cores and is in the CPU time, so it is shown.
            analysed, placed = (
                connection.execute(
                    text(f"SELECT count(*) FROM {table} WHERE version > 0")
                ).scalar_one()
                for table in ("article_analyses", "placements")
            )
        engine.dispose()
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(30)
        log.close()
    print(
        f"  stored {stored} articles of {count} entries;"
        f" meanwhile {analysed} analysed and {placed} placed in stories"
    )
    errors = (OUT / "ingest_workers.log").read_text(errors="replace").count(" ERROR ")
    if errors or any(worker.returncode for worker in workers):
        print(f"  worker errors: {errors}, exit codes {[w.returncode for w in workers]}")
    return count / elapsed, cpu / count


def _wait_for_workers(engine: Any, processes: int) -> None:
    from sqlalchemy import text

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with engine.connect() as connection:
                alive = connection.execute(text("SELECT count(*) FROM workers")).scalar_one()
            if alive >= processes:
                return
        except Exception:  # the table appears with the first migration
            pass
        time.sleep(0.1)
    raise RuntimeError("the worker processes did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--processes", type=int, default=2, help="cores to use: baseline processes (2)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="`storyline worker` processes on those cores (default: as many as --processes)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="copies of the 102 pages (1)")
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmp:
        folder = Path(tmp)
        pages = _write_site(folder, port, args.rounds)
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.5)
            baseline, baseline_cpu = measure_baseline(pages, args.processes)
            pipeline, pipeline_cpu = measure_storyline(
                folder, port, len(pages), args.workers or args.processes, server.pid
            )
        finally:
            server.terminate()
            server.wait(10)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "pages": len(pages),
        "processes": args.processes,
        "storyline_workers": args.workers or args.processes,
        "trafilatura_extract_per_s": round(baseline, 1),
        "storyline_ingest_per_s": round(pipeline, 1),
        "ratio": round(pipeline / baseline, 3),
        # CPU per item: unlike the rates, barely moved by other work on the machine.
        "trafilatura_cpu_ms_per_page": round(1000 * baseline_cpu, 1),
        "storyline_cpu_ms_per_article": round(1000 * pipeline_cpu, 1),
        "cpu_ratio": round(baseline_cpu / pipeline_cpu, 3),
    }
    print(json.dumps(result, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "ingest_throughput.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
