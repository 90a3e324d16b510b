#!/usr/bin/env python3
"""Measure the home page and the article page of a real ``storyline serve`` under load.

1. Sample article ids from ``DIR/storyline.db`` (filled by ``bench/seed_articles.py``).
2. Start ``python -m storyline serve`` as its own process on a free port of 127.0.0.1,
   with ``STORYLINE_HOME=DIR``, and wait until ``GET /healthz`` answers.
3. For each scenario (``/healthz``, ``/``, ``/articles/{id}``, ``/api/articles/{id}``):
   check that one request answers 2xx, warm up, then measure with wrk (or the Python
   fallback) from a separate process.
4. Stop the server, print a Markdown table and write the figures to ``bench/out/``.

``/healthz`` is the baseline: the cost of the server and the framework alone. Every other
scenario is also given as a ratio to it, so that runs on different machines compare.

Usage: .venv/bin/python bench/web_load.py --home DIR [--duration 20] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

import httpx
from load_generators import LoadResult, cpu_count, run_python, run_wrk, wrk_version
from sqlalchemy import select

from storyline.settings import load_settings
from storyline.store import Database, count_articles
from storyline.store.schema import Article

OUT = Path(__file__).with_name("out")
ARTICLE_P99_TARGET_MS = 50.0
ARTICLE_RPS_TARGET = 300.0


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str  # "{id}" is replaced by a random stored article id


SCENARIOS = (
    Scenario("baseline: GET /healthz", "/healthz"),
    Scenario("home page: GET /", "/"),
    Scenario("article page: GET /articles/{id}", "/articles/{id}"),
    Scenario("article JSON: GET /api/articles/{id}", "/api/articles/{id}"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/web_load.py",
        description=(
            "Start `storyline serve` on 127.0.0.1 with STORYLINE_HOME=DIR and measure "
            "requests/s, p50 and p99 of /healthz (the baseline), /, /articles/{id} and "
            "/api/articles/{id} under concurrent load from a separate process. Prints a "
            "Markdown table and writes JSON to bench/out/."
        ),
    )
    parser.add_argument(
        "--home", type=Path, required=True, metavar="DIR", help="seeded STORYLINE_HOME"
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per scenario (20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="warm-up seconds (5)")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections (16)")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="wrk threads (default 1) or Python generator processes (default 2)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=1_000_000,
        help="stop a scenario after this many requests even if time is left (1000000)",
    )
    parser.add_argument(
        "--tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or the Python fallback",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed for the random article ids")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    home = args.home.resolve()
    if not (home / "storyline.db").is_file():
        print(f"web_load: {home}/storyline.db is missing; run bench/seed_articles.py first")
        return 2
    tool = _pick_tool(args.tool)
    if tool is None:
        print("web_load: wrk is not installed (apt-get install -y wrk); use --tool python")
        return 2
    OUT.mkdir(exist_ok=True)
    articles, ids = _sample_ids(home, 10_000, args.seed)
    ids_file = OUT / "article_ids.txt"
    ids_file.write_text("\n".join(ids) + "\n", encoding="utf-8")
    print(f"{articles} articles in {home}; load generator: {tool}", flush=True)
    load_before = os.getloadavg()[0]
    if load_before > 1.0:
        print(f"  warning: load average is {load_before:.2f}; other work skews the figures")

    results: dict[str, LoadResult] = {}
    with running_server(home) as base_url:
        for scenario in SCENARIOS:
            _check_answers(base_url, scenario.path.replace("{id}", ids[0]))
            print(f"  {scenario.name}: warm-up {args.warmup:.0f} s", flush=True)
            _drive(tool, base_url, scenario, ids, ids_file, args, args.warmup)
            print(f"  {scenario.name}: measuring {args.duration:.0f} s", flush=True)
            results[scenario.name] = _drive(
                tool, base_url, scenario, ids, ids_file, args, args.duration
            )

    report = _report(results, articles, tool, args)
    report["machine"]["load_average_before"] = round(load_before, 2)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"web_load-{stamp}.json", "web_load-latest.json"):
        (OUT / name).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print()
    print(markdown_table(report))
    print()
    print(report["verdict"])
    print(f"\nJSON: {OUT / f'web_load-{stamp}.json'}")
    failed = any(row["errors"] for row in report["results"])
    return 1 if failed else 0


def _pick_tool(wanted: str) -> str | None:
    version = wrk_version()
    if wanted == "python" or (wanted == "auto" and version is None):
        return f"python httpx {httpx.__version__} (fallback)"
    return version


def _sample_ids(home: Path, size: int, seed: int) -> tuple[int, list[str]]:
    """How many articles there are, and up to ``size`` of their ids picked at random."""
    settings = load_settings(environ={"STORYLINE_HOME": str(home)})
    database = Database.from_settings(settings, migrate=False)
    try:
        with database.read() as session:
            total = count_articles(session)
            every = list(session.execute(select(Article.id)).scalars())
    finally:
        database.dispose()
    if not every:
        raise SystemExit(f"web_load: {home} holds no articles; run bench/seed_articles.py first")
    picked = Random(seed).sample(every, min(size, len(every)))
    return total, [str(article_id) for article_id in picked]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(
    home: Path,
    *,
    extra_environ: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
    log_name: str = "server.log",
) -> Iterator[str]:
    """``storyline serve`` in its own process, stopped with SIGTERM when the block ends.

    Default feeds are turned off (``STORYLINE_DEFAULT_OPML=none``) so that the server never
    reaches the internet, and the log level is ``warning`` so that the figures do not
    include writing one access-log line per request to a file.
    """
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}
    environ.update(
        STORYLINE_HOME=str(home), STORYLINE_DEFAULT_OPML="none", STORYLINE_LOG_LEVEL="warning"
    )
    environ.update(extra_environ or {})
    command = [sys.executable, "-m", "storyline", "serve", "--host", "127.0.0.1", *extra_args]
    log_path = OUT / log_name
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*command, "--port", str(port)], env=environ, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_for_health(base_url, server, log_path)
            yield base_url
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_for_health(base_url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise SystemExit(f"web_load: the server exited with {server.returncode}:\n{tail}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"web_load: {base_url}/healthz did not answer within 60 s")


def _check_answers(base_url: str, path: str) -> None:
    response = httpx.get(base_url + path, timeout=10)
    if not 200 <= response.status_code < 300:
        raise SystemExit(f"web_load: GET {path} answered {response.status_code}, not 2xx")


def _drive(
    tool: str,
    base_url: str,
    scenario: Scenario,
    ids: list[str],
    ids_file: Path,
    args: argparse.Namespace,
    seconds: float,
) -> LoadResult:
    if tool.startswith("python"):
        return run_python(
            base_url,
            scenario.path,
            ids,
            duration=seconds,
            connections=args.connections,
            processes=args.threads or 2,
            max_requests=args.max_requests,
            seed=args.seed,
        )
    return run_wrk(
        base_url,
        scenario.path,
        ids_file,
        duration=seconds,
        connections=args.connections,
        threads=args.threads or 1,
        max_requests=args.max_requests,
        seed=args.seed,
    )


def _report(
    results: dict[str, LoadResult], articles: int, tool: str, args: argparse.Namespace
) -> dict[str, Any]:
    baseline = results[SCENARIOS[0].name]
    rows = []
    for scenario in SCENARIOS:
        result = results[scenario.name]
        row: dict[str, object] = {"scenario": scenario.name, "path": scenario.path}
        row.update(result.as_json())
        row["rps_ratio"] = round(result.requests_per_second / baseline.requests_per_second, 3)
        row["p99_ratio"] = round(result.p99_ms / baseline.p99_ms, 2) if baseline.p99_ms else None
        rows.append(row)
    article = results[SCENARIOS[2].name]
    met = (
        article.p99_ms <= ARTICLE_P99_TARGET_MS
        and article.requests_per_second >= ARTICLE_RPS_TARGET
        and article.errors == 0
    )
    verdict = (
        f"Article page target (p99 <= {ARTICLE_P99_TARGET_MS:.0f} ms and >= "
        f"{ARTICLE_RPS_TARGET:.0f} req/s, no errors): {'MET' if met else 'NOT MET'} "
        f"(p99 {article.p99_ms:.1f} ms, {article.requests_per_second:.0f} req/s, "
        f"{article.errors} errors)"
    )
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
        },
        "articles": articles,
        "load_generator": tool,
        "connections": args.connections,
        "generator_threads": args.threads or (2 if tool.startswith("python") else 1),
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "results": rows,
        "article_target_met": met,
        "verdict": verdict,
    }


def markdown_table(report: dict[str, Any]) -> str:
    """The results as the Markdown table docs/benchmarks.md shows."""
    lines = [
        "| Scenario | req/s | p50 ms | p99 ms | errors | req/s vs baseline | p99 vs baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["results"]:
        lines.append(
            f"| {row['scenario']} | {row['requests_per_second']:.0f} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['errors']} | {row['rps_ratio']:.2f}x "
            f"| {_ratio(row['p99_ratio'])} |"
        )
    return "\n".join(lines)


def _ratio(value: object) -> str:
    return f"{value:.1f}x" if isinstance(value, float | int) else "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
