"""What the AI features return: sentences that say where they come from.

Every sentence a feature writes carries :class:`Citation` objects: an article id and
character offsets into that article's ``text``. The JSON shape is the one the API, the
CLI and the page share::

    {"sentences": [{"text": ..., "citations": [{"article_id", "start", "end"}]}]}

an answer adds ``"answer"`` (the short answer, or ``null`` when the coverage does not say).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

FEATURES = ("summary", "ask", "background", "perspectives")
DOES_NOT_SAY = "The coverage does not say."


class Encoder(Protocol):
    """Texts to L2-normalised float32 rows (:class:`storyline.stories.embeddings.Embedder`)."""

    def encode(self, texts: Sequence[str]) -> Vectors: ...


@dataclass(frozen=True)
class Citation:
    """``text[start:end]`` of article ``article_id`` supports the sentence citing it."""

    article_id: int
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class CitedSentence:
    """One sentence a feature wrote, with the source sentences that support it.

    ``label`` names what the sentence is within its feature when that matters (an outlet's
    name in perspectives, a date in background); ``unsupported`` is set by the grounding
    check on an LLM sentence it kept but could not verify.
    """

    text: str
    citations: tuple[Citation, ...]
    label: str | None = None
    unsupported: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "citations": [c.to_json() for c in self.citations],
        }
        if self.label is not None:
            out["label"] = self.label
        if self.unsupported:
            out["unsupported"] = True
        return out


@dataclass(frozen=True)
class Section:
    """A titled group of sentences within a feature (perspectives: one per outlet)."""

    title: str
    sentences: tuple[CitedSentence, ...]

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "sentences": [s.to_json() for s in self.sentences]}


@dataclass(frozen=True)
class AiResult:
    """What one feature returns for one article or story.

    ``sentences`` is the feature's text (the summary, the answer's supporting sentences,
    the background, the perspectives' overview); ``key_points`` only for a summary;
    ``answer`` only for a question; ``sections`` groups perspectives by what they compare.
    ``engine`` is ``offline`` or ``llm``; ``notice`` tells the reader when the LLM
    endpoint was asked for but the offline engine answered, and why.
    """

    feature: str
    sentences: tuple[CitedSentence, ...]
    engine: str = "offline"
    key_points: tuple[CitedSentence, ...] = ()
    answer: str | None = None
    question: str | None = None
    sections: tuple[Section, ...] = ()
    notice: str | None = None
    dropped: tuple[str, ...] = field(default=())

    @classmethod
    def of_sections(cls, feature: str, sections: Sequence[Section]) -> AiResult:
        """A result made of titled sections, the empty ones left out; its ``sentences``
        are all of theirs, in order."""
        kept = tuple(section for section in sections if section.sentences)
        return cls(
            feature=feature,
            sentences=tuple(s for section in kept for s in section.sentences),
            sections=kept,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "feature": self.feature,
            "engine": self.engine,
            "sentences": [s.to_json() for s in self.sentences],
        }
        if self.feature == "summary":
            out["key_points"] = [s.to_json() for s in self.key_points]
        if self.feature == "ask":
            out["question"] = self.question
            out["answer"] = self.answer
        if self.feature in ("perspectives", "background"):
            out["sections"] = [s.to_json() for s in self.sections]
        if self.notice:
            out["notice"] = self.notice
        if self.dropped:
            out["dropped"] = list(self.dropped)
        return out
