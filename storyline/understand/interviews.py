"""Turns of an interview or transcript: paragraphs that open with who is speaking.

Interviews print their turns as "Q: ..." and "A: ..." or prefix them with the speaker's
name ("SMITH: ...", "Jane Doe: ..."). A paragraph without a label after a turn continues it
when another label follows within two paragraphs (closing remarks after the last turn and
an introduction before the first are not turns).
A text is read as an interview only when at least two paragraphs carry labels and a label
comes back or a question is answered, so a lone "Update: ..." paragraph is not a turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUESTION = frozenset({"q", "question"})
ANSWER = frozenset({"a", "answer"})
_LABEL = re.compile(
    r"[\"“]?(?P<label>Q|A|Question|Answer|(?:[A-Z][\w.'’-]*)(?: [A-Z][\w.'’-]*){0,3})"
    r"\s*[:：]\s+(?=\S)"
)
_PARAGRAPH = re.compile(r"[^\n]+")
_CONTINUATION = 2  # unlabelled paragraphs a turn may run on before the next label


@dataclass(frozen=True)
class Turn:
    """One paragraph of a turn: ``label`` and its offsets, the words at ``start``/``end``."""

    label: str
    label_start: int
    label_end: int
    start: int
    end: int


def find_turns(text: str) -> list[Turn]:
    """The interview turns of ``text``, one per paragraph; empty when it is no interview."""
    labelled: list[tuple[re.Match[str] | None, int, int]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        start, end = _stripped(text, paragraph.start(), paragraph.end())
        if start < end:
            labelled.append((_LABEL.match(text, start, end), start, end))
    labels = [m.group("label") for m, _, _ in labelled if m is not None]
    if not _is_interview(labels):
        return []
    turns: list[Turn] = []
    for index, (match, start, end) in enumerate(labelled):
        if match is not None:
            label_start, label_end = match.start("label"), match.end("label")
            turns.append(Turn(match.group("label"), label_start, label_end, match.end(), end))
        elif turns and _between_turns(labelled, index):
            previous = turns[-1]
            turns.append(Turn(previous.label, previous.label_start, previous.label_end, start, end))
    return turns


def _between_turns(labelled: list[tuple[re.Match[str] | None, int, int]], index: int) -> bool:
    """Whether an unlabelled paragraph continues a turn: a labelled one closely follows."""
    following = labelled[index + 1 : index + 1 + _CONTINUATION]
    return any(match is not None for match, _, _ in following)


def _is_interview(labels: list[str]) -> bool:
    if len(labels) < 2:
        return False
    lowered = {label.lower() for label in labels}
    answered = bool(lowered & QUESTION) and bool(lowered & ANSWER)
    return answered or len(lowered) < len(labels)


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
