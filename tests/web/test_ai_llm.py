"""The AI features through an LLM endpoint, as the web app serves them: with the endpoint
down the offline engine answers and the page says so; with a real small model (SmolLM2 on
llama.cpp's server, on 127.0.0.1) what it writes reaches the reader only when the grounding
check finds it in the cited sentences."""

from __future__ import annotations

import socket
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from storyline.ingest import import_paths
from storyline.settings import load_settings
from storyline.store import Database
from tests.support.llm_server import MODEL_ALIAS
from tests.web.html import cls, find, parse

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from storyline.web import create_app

AS_OF = datetime(2025, 6, 8, 15, tzinfo=UTC)
BODIES = "How many bodies were to be exchanged?"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def _client(home: Path, seed: Path, **environ: str) -> Iterator[TestClient]:
    settings = load_settings(environ={"STORYLINE_HOME": str(home), **environ})
    database = Database.from_settings(settings)
    import_paths(database, settings, [seed], as_of=AS_OF)
    with TestClient(create_app(settings, database)) as client:
        yield client
    database.dispose()


@pytest.fixture
def down(tmp_path: Path, seed_page: Path) -> Iterator[TestClient]:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with _client(tmp_path, seed_page, STORYLINE_LLM_URL=url, STORYLINE_LLM_RETRIES="0") as client:
        yield client


def test_an_unreachable_endpoint_leaves_the_offline_engine_to_answer(down: TestClient) -> None:
    summary = down.get("/api/articles/2/ai/summary").json()
    assert summary["engine"] == "offline"
    assert summary["notice"].startswith("The LLM could not be used")
    assert 2 <= len(summary["sentences"]) <= 4
    answer = down.get("/api/articles/2/ai/ask", params={"q": BODIES}).json()
    assert (answer["engine"], answer["answer"]) == ("offline", "6,000")
    # Not cached: the endpoint is asked again next time.
    assert down.get("/api/articles/2/ai/summary").json()["notice"] == summary["notice"]
    page = parse(down.get("/articles/2").text)
    notices = find(page, f"//section[{cls('ai')}]//*[{cls('ai__notice')}]")
    assert notices and "The LLM could not be used" in "".join(notices[0].itertext())


@pytest.mark.slow
def test_a_real_small_model_is_grounded_before_a_reader_sees_it(
    smollm2: str, tmp_path: Path, seed_page: Path
) -> None:
    environ = {
        "STORYLINE_LLM_URL": smollm2,
        "STORYLINE_LLM_MODEL": MODEL_ALIAS,
        "STORYLINE_LLM_TIMEOUT": "120",
    }
    with _client(tmp_path, seed_page, **environ) as client:
        text = client.get("/api/articles/2").json()["text"]
        answer = client.get("/api/articles/2/ai/ask", params={"q": BODIES}).json()
        summary = client.get("/api/articles/2/ai/summary").json()
    assert answer["engine"] == "llm", answer
    if answer["answer"] is None:
        assert answer["sentences"] == [{"text": "The coverage does not say.", "citations": []}]
    else:
        _assert_cites_article_two(answer, text)
    # What the model wrote reached the reader only if it passed the check; when nothing
    # did, the offline engine answered and said so.
    if summary["engine"] == "llm":
        assert summary["sentences"], summary
        _assert_cites_article_two(summary, text)
    else:
        assert "grounding" in summary["notice"], summary
        assert 2 <= len(summary["sentences"]) <= 4


def _assert_cites_article_two(result: dict[str, Any], text: str) -> None:
    for sentence in result["sentences"]:
        assert sentence["citations"] and not sentence.get("unsupported"), sentence
        for c in sentence["citations"]:
            assert c["article_id"] == 2 and len(text[c["start"] : c["end"]].split()) >= 4


def test_a_failing_panel_leaves_the_article_page_served(
    tmp_path: Path, seed_page: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A model that cannot load (an unknown backend) breaks the panel, not the page.
    with _client(tmp_path, seed_page, STORYLINE_EMBEDDING_BACKEND="gpu-please") as client:
        response = client.get("/articles/2")
    assert response.status_code == 200
    page = parse(response.text)
    assert find(page, f"//div[{cls('story__body')}]")
    assert not find(page, f"//section[{cls('ai')}]")
    assert "the AI panel of article 2 failed" in caplog.text
