"""The LLM engine: against a small HTTP server of the chat API for its failure modes and
its parsing, and end to end against llama.cpp's server running SmolLM2-135M-Instruct.

The articles are invented (an invented ferry, island, company and people).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from spacy.language import Language

from storyline.ai.grounding import check_sentence
from storyline.ai.llm import LlmEngine, LlmUnavailable, parse_reply
from storyline.ai.material import Material
from storyline.ai.passages import passages
from storyline.ai.types import AiResult, CitedSentence
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.ai_cache import AnswerCache
from storyline.stories.digest_types import DigestArticle
from storyline.stories.embeddings import Embedder
from tests.support.llm_server import MODEL_ALIAS, ChatStub, served_chat_stub

FERRY = """The ferry Marisol ran aground off the island of Tarn Ness on Sunday evening with 212 \
passengers on board, the coastguard said.

All passengers were taken off by lifeboats from Quayle Harbour within four hours, and nobody \
was seriously hurt. Captain Ilse Varga told reporters that the ship lost steering power in \
strong winds.

The Northway Ferries company said the Marisol would be towed to a dry dock in Quayle Harbour \
for inspection. Services between Tarn Ness and the mainland are suspended until Wednesday.

The regional transport minister, Oskar Lindahl, ordered an inquiry into the accident. It was \
the second grounding of a Northway ferry this year."""
ARTICLE = DigestArticle(
    7,
    "Tarn Ness Gazette",
    "https://gazette.invalid/marisol",
    "Ferry runs aground off Tarn Ness",
    datetime(2025, 6, 9, 6, 0, tzinfo=UTC),
    FERRY,
)
OTHER = DigestArticle(
    8,
    "Northway Courier",
    "https://courier.invalid/marisol",
    "Minister orders ferry inquiry",
    datetime(2025, 6, 9, 9, 0, tzinfo=UTC),
    "Transport minister Oskar Lindahl said the inquiry would report within three months. "
    "Lindahl said ferry safety on the northern routes had to improve.",
)


class Engines:
    """Builds engines on the test's settings and database, with the real models."""

    def __init__(
        self, settings: Settings, database: Database, encoder: Embedder, nlp: Language
    ) -> None:
        self.settings, self.database, self.encoder, self.nlp = settings, database, encoder, nlp

    def __call__(self, url: str, **overrides: Any) -> LlmEngine:
        configured = replace(self.settings, llm_url=url, llm_model=MODEL_ALIAS, **overrides)
        cache = AnswerCache(self.database)
        return LlmEngine(configured, cache, self.encoder, self.nlp, backoff=0.01)

    def assert_grounded(self, result: AiResult, articles: list[DigestArticle]) -> None:
        """Every kept sentence cites whole source sentences and passes the check on them."""
        texts = {int(a.article_id): a.text for a in articles}
        spans = {(p.article_id, p.start, p.end) for p in passages(articles)}
        kept: list[CitedSentence] = [*result.sentences, *result.key_points]
        for sentence in kept:
            assert sentence.citations and not sentence.unsupported
            for c in sentence.citations:
                assert (c.article_id, c.start, c.end) in spans
            cited = [texts[c.article_id][c.start : c.end] for c in sentence.citations]
            verdict = check_sentence(sentence.text, cited, self.encoder, self.nlp)
            assert verdict.supported, (sentence.text, verdict.reasons)


@pytest.fixture
def engines(
    settings: Settings, sqlite_database: Database, embedder: Embedder, nlp: Language
) -> Engines:
    return Engines(settings, sqlite_database, embedder, nlp)


@pytest.fixture
def stub() -> Iterator[ChatStub]:
    with served_chat_stub() as served:
        yield served


def test_citations_are_read_wherever_a_model_puts_them() -> None:
    reply = (
        "Sure! Here is the summary:\n**Summary**\n"
        "The ferry ran aground on Sunday. [1] It carried 212 passengers [1][2].\n"
        "[4] Services are suspended until Wednesday.\n"
        "Lifeboats took everyone off\n[2]\n"
        "KEY POINTS:\n- The ferry ran aground [1]\n* Nobody was hurt [2, 3]\n"
        "1. An inquiry was ordered [5-7]\n"
        "ANSWER:\n212 passengers [1]\njunk [99]"
    )
    assert [(w.text, w.numbers, w.part) for w in parse_reply(reply)] == [
        ("The ferry ran aground on Sunday.", (1,), "body"),
        ("It carried 212 passengers.", (1, 2), "body"),
        ("Services are suspended until Wednesday.", (4,), "body"),
        ("Lifeboats took everyone off", (2,), "body"),
        ("The ferry ran aground", (1,), "points"),
        ("Nobody was hurt", (2, 3), "points"),
        ("An inquiry was ordered", (5, 6, 7), "points"),
        ("212 passengers", (1,), "answer"),
    ]


def test_what_its_citations_do_not_support_is_dropped(engines: Engines, stub: ChatStub) -> None:
    stub.content = (
        "The ferry Marisol ran aground off Tarn Ness on Sunday evening with 212 passengers "
        "on board [1].\n"
        "The ferry carried 300 passengers when it ran aground [1].\n"
        "Captain Anna Berg said the ship lost steering power in strong winds [3].\n"
        "Services between Tarn Ness and the mainland are suspended until Friday [5].\n"
        "Lifeboats from Quayle Harbour took everyone off within four hours [99].\n"
        "KEY POINTS:\n"
        "- Services to the mainland are suspended until Wednesday [5]\n"
        "- The coastguard praised the crew for their calm handling of the evacuation [1]\n"
    )
    engine = engines(stub.url)
    result = engine.summary([ARTICLE], story=False)
    assert result.engine == "llm" and result.feature == "summary"
    assert [s.text for s in result.sentences] == [
        "The ferry Marisol ran aground off Tarn Ness on Sunday evening with 212 passengers "
        "on board."
    ]
    assert [s.text for s in result.key_points] == [
        "Services to the mainland are suspended until Wednesday"
    ]
    engines.assert_grounded(result, [ARTICLE])
    (first,) = result.sentences[0].citations
    assert ARTICLE.text[first.start : first.end].startswith("The ferry Marisol ran aground")
    reasons = " | ".join(result.dropped)
    assert len(result.dropped) == 5
    for expected in (
        "number 300 not in the cited sentences",
        "name 'Anna Berg' not in the cited sentences",
        "date 'Friday' not in the cited sentences",
        "no citation",
        "too far from its sources",
    ):
        assert expected in reasons


def test_a_second_identical_call_is_answered_from_the_cache(
    engines: Engines, stub: ChatStub
) -> None:
    stub.content = "Services between Tarn Ness and the mainland are suspended until Wednesday [5]."
    engine = engines(stub.url)
    first = engine.summary([ARTICLE], story=False)
    assert engine.cache.tokens_today() == 100
    again = engines(stub.url).summary([ARTICLE], story=False)
    assert again == first and len(stub.requests) == 1
    assert engine.cache.tokens_today() == 100
    changed = replace(ARTICLE, text=FERRY.replace("Wednesday", "Thursday"))
    engine.summary([changed], story=False)
    assert len(stub.requests) == 2


def test_the_request_is_an_openai_chat_completion(engines: Engines, stub: ChatStub) -> None:
    stub.content = "ANSWER: 212 [1]\nThe ferry had 212 passengers on board [1]."
    engines(stub.url, llm_api_key="sk-test").ask("How many passengers?", [ARTICLE])
    engines(stub.url).ask("Who was the captain?", [ARTICLE])
    (headers, body), (plain_headers, _) = stub.requests
    assert headers["Authorization"] == "Bearer sk-test"
    assert "Authorization" not in plain_headers
    assert body["model"] == MODEL_ALIAS and body["temperature"] == 0 and body["max_tokens"] > 0
    system, user = body["messages"]
    assert (system["role"], user["role"]) == ("system", "user")
    assert "The ferry Marisol ran aground" in user["content"] and "[1]" in user["content"]
    assert "How many passengers?" in user["content"]


def test_an_answer_with_its_support(engines: Engines, stub: ChatStub) -> None:
    stub.content = (
        "ANSWER: 212 passengers [1]\n"
        "The ferry Marisol had 212 passengers on board when it ran aground off Tarn Ness [1].\n"
        "All passengers were taken off by lifeboats and nobody was seriously hurt [2]."
    )
    engine = engines(stub.url)
    result = engine.ask("How many passengers were on board?", [ARTICLE])
    assert result.answer == "212 passengers" and result.question is not None
    assert len(result.sentences) == 2 and not result.dropped
    engines.assert_grounded(result, [ARTICLE])


@pytest.mark.parametrize(
    "reply",
    [
        "ANSWER: NOT SAID",
        "The sources do not say what colour the ship was.",
        # An invented answer: its number is in none of the sources its support cites.
        "ANSWER: 240 passengers [1]\nThe ferry Marisol ran aground off Tarn Ness [1].",
        # Support that the grounding check drops in full.
        "ANSWER: blue\nThe Marisol was painted blue by Northway Ferries in 2019 [4].",
    ],
)
def test_the_coverage_does_not_say(engines: Engines, stub: ChatStub, reply: str) -> None:
    stub.content = reply
    result = engines(stub.url).ask("Anything?", [ARTICLE])
    assert result.answer is None
    assert result.to_json()["sentences"] == [
        {"text": "The coverage does not say.", "citations": []}
    ]
    assert result.to_json()["answer"] is None


def test_perspectives_are_grouped_by_outlet(engines: Engines, stub: ChatStub) -> None:
    stub.content = (
        "The Tarn Ness Gazette leads with the 212 passengers on the ferry Marisol [1].\n"
        "The Northway Courier says minister Oskar Lindahl's inquiry will report within "
        "three months [8]."
    )
    material = Material("story", 3, "Ferry", (ARTICLE, OTHER), story=(ARTICLE, OTHER))
    result = engines(stub.url).run("perspectives", material)
    assert [s.title for s in result.sections] == ["Tarn Ness Gazette", "Northway Courier"]
    assert result.sections[1].sentences[0].citations[0].article_id == 8


def test_nothing_grounded_is_unavailable(engines: Engines, stub: ChatStub) -> None:
    stub.content = "The ferry was carrying 900 cars when it sank near Port Alvar [1]."
    material = Material("article", 7, "Ferry", (ARTICLE,), story=(ARTICLE,))
    engine = engines(stub.url)
    with pytest.raises(LlmUnavailable, match="none of the 1 sentences it wrote passed"):
        engine.run("summary", material)


def test_no_endpoint_is_unavailable(engines: Engines) -> None:
    with pytest.raises(LlmUnavailable, match="no LLM endpoint is set"):
        engines("").summary([ARTICLE], story=False)


def test_a_closed_port_is_unavailable_quickly(engines: Engines) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = engines(f"http://127.0.0.1:{port}/v1", llm_retries=2)
    started = time.monotonic()
    with pytest.raises(LlmUnavailable, match="unreachable"):
        engine.summary([ARTICLE], story=False)
    assert time.monotonic() - started < 5
    assert engine.requests == 3


@pytest.mark.parametrize(
    ("status", "body", "attempts", "message"),
    [
        (500, b"upstream failed", 3, "HTTP 500"),
        (429, b"slow down", 3, "HTTP 429"),
        (401, b"bad key", 1, "HTTP 401"),
        (200, b"<html>not json</html>", 1, "not a chat completion"),
        (200, b'{"choices": []}', 1, "not a chat completion"),
    ],
)
def test_errors_and_garbage_are_unavailable(
    engines: Engines,
    stub: ChatStub,
    status: int,
    body: bytes,
    attempts: int,
    message: str,
) -> None:
    stub.status, stub.body = status, body
    engine = engines(stub.url, llm_retries=2)
    with pytest.raises(LlmUnavailable, match=message):
        engine.summary([ARTICLE], story=False)
    assert len(stub.requests) == attempts
    assert engine.cache.tokens_today() == 0


def test_a_slow_endpoint_times_out(engines: Engines, stub: ChatStub) -> None:
    stub.delay, stub.content = 1.5, "Anything [1]."
    engine = engines(stub.url, llm_timeout=0.2, llm_retries=1)
    started = time.monotonic()
    with pytest.raises(LlmUnavailable, match=r"no answer within 0.2 s"):
        engine.summary([ARTICLE], story=False)
    assert time.monotonic() - started < 3 and len(stub.requests) == 2


def test_the_daily_token_budget(engines: Engines, stub: ChatStub) -> None:
    stub.content, stub.tokens = "ANSWER: 212 [1]\nThe ferry had 212 passengers [1].", 80
    engine = engines(stub.url, llm_daily_tokens=50)
    engine.ask("How many passengers were on board?", [ARTICLE])
    with pytest.raises(LlmUnavailable, match="over the daily token budget"):
        engine.ask("Who was the captain?", [ARTICLE])
    assert len(stub.requests) == 1
    # Without a usage field the tokens are estimated from the characters.
    stub.tokens = None
    unlimited = engines(stub.url, llm_daily_tokens=0)
    unlimited.ask("Who was the captain?", [ARTICLE])
    assert engine.cache.tokens_today() > 80 + 200


@pytest.mark.slow
def test_smollm2_end_to_end(smollm2: str, engines: Engines) -> None:
    """A real small model: what it writes is poor, and the grounding check shows it."""
    engine = engines(smollm2, llm_timeout=120)
    summary = engine.summary([ARTICLE], story=False)
    answer = engine.ask("How many passengers were on board?", [ARTICLE])
    print("summary:", summary.to_json(), "\nask:", answer.to_json())
    for result in (summary, answer):
        assert result.engine == "llm"
        engines.assert_grounded(result, [ARTICLE])
    assert summary.dropped or answer.dropped, "the grounding check dropped nothing"
    kept = summary.sentences or (answer.answer is not None and answer.sentences)
    assert kept, "nothing the model wrote was kept"
    requests, tokens = engine.requests, engine.cache.tokens_today()
    # Two requests, more only when a busy machine made one time out and be retried.
    assert requests >= 2 and tokens > 0
    assert engine.summary([ARTICLE], story=False) == summary
    assert engine.ask("How many passengers were on board?", [ARTICLE]) == answer
    assert (engine.requests, engine.cache.tokens_today()) == (requests, tokens)
