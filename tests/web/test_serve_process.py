"""``storyline serve`` as a real process: it answers over HTTP and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from storyline.settings import load_settings
from storyline.store import Database
from tests.conftest import REPO
from tests.web.conftest import seed_articles

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"serve did not answer within 30 s:\n{log.read_text()}")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    home = tmp_path / "home"
    database = Database.from_settings(load_settings(environ={"STORYLINE_HOME": str(home)}))
    seeded = seed_articles(database)
    database.dispose()

    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}
    environ.update(
        STORYLINE_HOME=str(home), STORYLINE_DEFAULT_OPML="none", STORYLINE_LOG_LEVEL="info"
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "storyline", "serve", "--port", str(port)],
            cwd=REPO,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_up(base_url, process, log)
            with httpx.Client(base_url=base_url, timeout=5) as client:
                home_page = client.get("/")
                assert home_page.status_code == 200
                assert seeded.records["ferry"]["title"] in home_page.text
                article = client.get("/articles/1")
                assert article.status_code == 200
                assert "<h1" in article.text
                assert article.headers["x-content-type-options"] == "nosniff"
                detail = client.get("/api/articles/1")
                assert detail.status_code == 200
                assert detail.json()["id"] == 1
                assert detail.json()["title"] == seeded.records["ferry"]["title"]
                # a kept-alive connection must not hold the shutdown up
                process.send_signal(stop)
                started = time.monotonic()
                returncode = process.wait(timeout=10)
            assert returncode == 0, log.read_text()
            assert time.monotonic() - started < 8
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    output_text = log.read_text()
    assert f"Storyline is serving at http://127.0.0.1:{port}/" in output_text
    assert "Storyline stopped" in output_text
