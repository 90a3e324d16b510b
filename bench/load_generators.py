"""Two ways to drive HTTP load at 127.0.0.1 from outside the server process.

``wrk`` is preferred: it is written in C and event-driven, so one thread of it keeps 16
keep-alive connections busy while using little of the CPU the server also needs on a
2-core machine. The Python generator (httpx, several processes, one keep-alive connection
per thread) is the fallback when wrk is not installed; it measures the same things but
spends more CPU doing so, which lowers the server's throughput a little.

Both are closed-loop: each connection sends its next request when the previous answer
arrives. Both are bounded in time (``duration``) and in count (``max_requests``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from random import Random

import httpx

LUA_SCRIPT = Path(__file__).with_name("web_load.lua")


@dataclass(frozen=True)
class LoadResult:
    """What one run measured. Latencies are in milliseconds."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    capped: bool  # the run stopped at max_requests before its duration ran out

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors

    def as_json(self) -> dict[str, float | int | bool]:
        data: dict[str, float | int | bool] = asdict(self)
        data["requests_per_second"] = round(self.requests_per_second, 1)
        data["errors"] = self.errors
        return data


def wrk_version() -> str | None:
    """``wrk 4.1.0`` or similar, or None when wrk is not on the PATH."""
    if shutil.which("wrk") is None:
        return None
    completed = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first = (completed.stdout or completed.stderr).splitlines()
    return " ".join(first[0].split()[:2]) if first else "wrk"


def run_wrk(
    base_url: str,
    path: str,
    ids_file: Path | None,
    *,
    duration: float,
    connections: int,
    threads: int,
    max_requests: int,
    seed: int,
    headers: Sequence[str] = (),
) -> LoadResult:
    """One wrk run against ``base_url + path``; ``{id}`` in ``path`` is a random article id;
    ``headers`` (``"Name: value"``) go with every request."""
    command = [
        "wrk",
        *(f"--header={header}" for header in headers),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration))}s",
        "--timeout=5s",
        f"--script={LUA_SCRIPT}",
        base_url,
        "--",
        path,
        str(ids_file) if ids_file and "{id}" in path else "",
        str(max(1, max_requests // threads)),
        str(seed),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    summary = _bench_json(completed.stdout)
    if completed.returncode != 0 or summary is None:
        raise RuntimeError(
            f"wrk failed ({completed.returncode}): {completed.stderr.strip() or completed.stdout}"
        )
    requests = int(summary["requests"])
    return LoadResult(
        requests=requests,
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p90_ms=summary["p90_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        max_ms=summary["max_us"] / 1000,
        non_2xx=int(summary["non_2xx"]),
        socket_errors=int(
            summary["connect"] + summary["read"] + summary["write"] + summary["timeout"]
        ),
        capped=requests >= max_requests,
    )


def _bench_json(stdout: str) -> dict[str, float] | None:
    for line in stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            parsed: dict[str, float] = json.loads(line.removeprefix("BENCH_JSON "))
            return parsed
    return None


@dataclass(frozen=True)
class _Job:
    base_url: str
    path: str
    ids: tuple[str, ...]
    connections: int
    start_at: float
    deadline: float
    max_requests: int
    seed: int


def run_python(
    base_url: str,
    path: str,
    ids: Sequence[str],
    *,
    duration: float,
    connections: int,
    processes: int,
    max_requests: int,
    seed: int,
) -> LoadResult:
    """The fallback generator: ``processes`` processes sharing ``connections`` connections."""
    processes = max(1, min(processes, connections))
    start_at = time.time() + 1.0  # every process starts at the same moment, after spawning
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    jobs = [
        _Job(
            base_url,
            path,
            tuple(ids),
            share,
            start_at,
            start_at + duration,
            max(1, max_requests // connections) * share,
            seed * 1000 + number,
        )
        for number, share in enumerate(shares)
    ]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        outcomes = list(pool.map(_drive, jobs))
    latencies = sorted(latency for outcome in outcomes for latency in outcome[0])
    finished = max(outcome[1] for outcome in outcomes)
    return LoadResult(
        requests=len(latencies),
        seconds=max(finished - start_at, 1e-9),
        p50_ms=_percentile(latencies, 50),
        p90_ms=_percentile(latencies, 90),
        p99_ms=_percentile(latencies, 99),
        max_ms=latencies[-1] if latencies else 0.0,
        non_2xx=sum(outcome[2] for outcome in outcomes),
        socket_errors=sum(outcome[3] for outcome in outcomes),
        capped=len(latencies) >= max_requests,
    )


def _drive(job: _Job) -> tuple[list[float], float, int, int]:
    """Run in a worker process: ``job.connections`` threads, one keep-alive client each."""
    latencies: list[float] = []
    counters = {"non_2xx": 0, "socket_errors": 0}
    lock = threading.Lock()
    per_thread = max(1, job.max_requests // job.connections)

    def connection(number: int) -> None:
        rng = Random(job.seed * 100 + number)
        mine: list[float] = []
        non_2xx = socket_errors = 0
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        with httpx.Client(base_url=job.base_url, limits=limits, timeout=5.0) as client:
            time.sleep(max(0.0, job.start_at - time.time()))
            while len(mine) + socket_errors < per_thread and time.time() < job.deadline:
                target = job.path
                if "{id}" in target:
                    target = target.replace("{id}", rng.choice(job.ids))
                began = time.perf_counter()
                try:
                    response = client.get(target)
                    response.read()
                except httpx.HTTPError:
                    socket_errors += 1
                    continue
                mine.append((time.perf_counter() - began) * 1000)
                non_2xx += not 200 <= response.status_code < 300
        with lock:
            latencies.extend(mine)
            counters["non_2xx"] += non_2xx
            counters["socket_errors"] += socket_errors

    workers = [threading.Thread(target=connection, args=(n,)) for n in range(job.connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, time.time(), counters["non_2xx"], counters["socket_errors"]


def _percentile(ordered: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * percent // 100))
    return float(ordered[int(rank) - 1])


def cpu_count() -> int:
    return os.cpu_count() or 1
