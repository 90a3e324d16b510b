"""What changed between two revisions of an article, in a form a reader can follow.

Paragraphs are aligned first (a paragraph added, removed or rewritten), then each rewritten
paragraph is compared word by word, so a changed figure shows as one struck word and one
inserted word rather than as two whole paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

Op = Literal["same", "added", "removed", "changed"]
_WORDS = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class Span:
    """A run of text that is the same in both, or only in the old or only in the new."""

    kind: Literal["same", "added", "removed"]
    text: str


@dataclass(frozen=True)
class ParagraphChange:
    op: Op
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class RevisionDiff:
    title: tuple[Span, ...]
    title_changed: bool
    paragraphs: tuple[ParagraphChange, ...]

    @property
    def changed(self) -> bool:
        return self.title_changed or any(p.op != "same" for p in self.paragraphs)

    def as_dict(self) -> dict[str, object]:
        return {
            "title_changed": self.title_changed,
            "title": [{"kind": s.kind, "text": s.text} for s in self.title],
            "paragraphs": [
                {"op": p.op, "spans": [{"kind": s.kind, "text": s.text} for s in p.spans]}
                for p in self.paragraphs
            ],
        }


def compare_revisions(old_title: str, old_text: str, new_title: str, new_text: str) -> RevisionDiff:
    old_paragraphs = [p for p in old_text.split("\n\n") if p.strip()]
    new_paragraphs = [p for p in new_text.split("\n\n") if p.strip()]
    changes: list[ParagraphChange] = []
    matcher = SequenceMatcher(a=old_paragraphs, b=new_paragraphs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes += [ParagraphChange("same", (Span("same", p),)) for p in old_paragraphs[i1:i2]]
        elif tag == "delete":
            changes += [
                ParagraphChange("removed", (Span("removed", p),)) for p in old_paragraphs[i1:i2]
            ]
        elif tag == "insert":
            changes += [
                ParagraphChange("added", (Span("added", p),)) for p in new_paragraphs[j1:j2]
            ]
        else:
            changes += _pair_paragraphs(old_paragraphs[i1:i2], new_paragraphs[j1:j2])
    title_spans = compare_words(old_title, new_title)
    return RevisionDiff(
        title=title_spans, title_changed=old_title != new_title, paragraphs=tuple(changes)
    )


def compare_words(old: str, new: str) -> tuple[Span, ...]:
    """Word-level spans turning ``old`` into ``new``."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    spans: list[Span] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            _append(spans, "same", "".join(a[i1:i2]))
            continue
        if tag in {"delete", "replace"}:
            _append(spans, "removed", "".join(a[i1:i2]))
        if tag in {"insert", "replace"}:
            _append(spans, "added", "".join(b[j1:j2]))
    return tuple(spans)


def _pair_paragraphs(old: list[str], new: list[str]) -> list[ParagraphChange]:
    """Rewritten paragraphs: pair each new one with its most similar old one."""
    changes: list[ParagraphChange] = []
    remaining = list(old)
    for paragraph in new:
        best, score = None, 0.0
        for candidate in remaining:
            ratio = SequenceMatcher(
                a=candidate.split(), b=paragraph.split(), autojunk=False
            ).ratio()
            if ratio > score:
                best, score = candidate, ratio
        if best is not None and score >= 0.5:
            remaining.remove(best)
            changes.append(ParagraphChange("changed", compare_words(best, paragraph)))
        else:
            changes.append(ParagraphChange("added", (Span("added", paragraph),)))
    changes += [ParagraphChange("removed", (Span("removed", p),)) for p in remaining]
    return changes


def _append(spans: list[Span], kind: Literal["same", "added", "removed"], text: str) -> None:
    if text:
        spans.append(Span(kind, text))
