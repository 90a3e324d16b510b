"""The AI features behind one interface, offline by default, with an optional LLM.

:class:`OfflineEngine` runs on the CPU with the models Storyline already has: extractive
summaries and key points (:mod:`.summarize`), retrieval and answer-span selection for
questions (:mod:`.answer`), and templates over the story's structured data for background
(:mod:`.background`) and perspectives (:mod:`.perspectives`). :func:`run_feature` picks
the engine for one request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from storyline.ai.answer import answer_question
from storyline.ai.background import background
from storyline.ai.material import Material
from storyline.ai.perspectives import perspectives
from storyline.ai.summarize import summarize
from storyline.ai.types import FEATURES, AiResult, CitedSentence, Encoder

if TYPE_CHECKING:
    from spacy.language import Language

# Bumped whenever an engine's output for the same input changes (cached results of an
# older version are not reused).
AI_VERSION = 1
MAX_QUESTION_CHARS = 500


class Engine(Protocol):
    name: str

    def run(self, feature: str, material: Material, question: str | None = None) -> AiResult: ...


class EngineUnavailable(RuntimeError):
    """An engine cannot answer now (the LLM endpoint is down, slow or over budget)."""


def check_question(question: str | None) -> str:
    """The question, stripped; ``ValueError`` when it is empty or too long."""
    text = " ".join((question or "").split())
    if not text:
        raise ValueError("ask needs a question")
    if len(text) > MAX_QUESTION_CHARS:
        raise ValueError(f"a question may be at most {MAX_QUESTION_CHARS} characters long")
    return text


class OfflineEngine:
    """The default engine: no network, the process's embedding model and spaCy pipeline.

    ``nlp`` is a loader, called on first use, since summaries, background and
    perspectives never need the parser.
    """

    name = "offline"

    def __init__(self, encoder: Encoder, nlp: Callable[[], Language]) -> None:
        self.encoder = encoder
        self.nlp_loader = nlp

    def run(self, feature: str, material: Material, question: str | None = None) -> AiResult:
        """1. summary: the extractive summary and key points of the article or the
        story's brief; 2. ask: the answer from the target's own text; 3. background;
        4. perspectives."""
        if feature == "summary":
            summary, points = summarize(
                material.articles, self.encoder, story=material.kind == "story"
            )
            return AiResult(feature="summary", sentences=summary, key_points=points)
        if feature == "ask":
            return answer_question(
                check_question(question), material.articles, self.encoder, self.nlp_loader()
            )
        if feature == "background":
            return background(material)
        if feature == "perspectives":
            return perspectives(material)
        raise ValueError(f"unknown AI feature {feature!r}; one of {', '.join(FEATURES)}")


def run_feature(
    feature: str,
    material: Material,
    offline: Engine,
    llm: Engine | None = None,
    question: str | None = None,
) -> AiResult:
    """One feature for one target.

    1. The question, if any, is checked (``ValueError`` when empty or too long);
    2. the LLM engine answers when one is configured;
    3. when it cannot (:class:`EngineUnavailable`), the offline engine answers and the
       result's ``notice`` says why, so the page can tell the reader;
    4. an answer's supporting sentences that several outlets carry are shown once
       (:func:`fold_copies`), whichever engine wrote them.
    """
    if feature not in FEATURES:
        raise ValueError(f"unknown AI feature {feature!r}; one of {', '.join(FEATURES)}")
    if feature == "ask":
        question = check_question(question)
    result = None
    if llm is not None:
        try:
            result = llm.run(feature, material, question)
        except EngineUnavailable as exc:
            result = _with_notice(
                offline.run(feature, material, question),
                f"The LLM could not be used ({exc}); the offline engine wrote this instead.",
            )
    if result is None:
        result = offline.run(feature, material, question)
    return fold_copies(result) if feature == "ask" else result


def fold_copies(result: AiResult) -> AiResult:
    """``result`` with sentences of the same text (one wire story carried by several
    outlets) shown once, citing every article that carries it."""
    folded: dict[str, CitedSentence] = {}
    for sentence in result.sentences:
        key = " ".join(sentence.text.split()).casefold()
        seen = folded.get(key)
        if seen is None:
            folded[key] = sentence
        else:
            citations = tuple(dict.fromkeys((*seen.citations, *sentence.citations)))
            folded[key] = replace(seen, citations=citations)
    return replace(result, sentences=tuple(folded.values()))


def _with_notice(result: AiResult, notice: str) -> AiResult:
    return replace(result, notice=" ".join(filter(None, (result.notice, notice))))
