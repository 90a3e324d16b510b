"""Quoted passages of a text, found from its quote marks alone.

News text marks quotes with straight or curly, double or single marks, and uses the single
marks as apostrophes too ("don't", "soldiers' offensive", "'90s"). A mark is read by what
stands on either side of it: a mark between two letters is an apostrophe; one after a space
opens; one before a space or punctuation closes. A trailing "s'" inside a single-quoted
passage is a plural possessive when the passage closes again later in the paragraph.

The outer quotes are kept, nested ones belong to them. A quote that runs over several
paragraphs opens on each one and closes only on the last: each paragraph's part becomes a
passage of its own, flagged as continuing the one before, so offsets never include marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOUBLE_OPEN = "“„«"
_DOUBLE_CLOSE = "”»"
_SINGLE_OPEN = "‘‚‹"
_SINGLE_CLOSE = "’›"
_BEFORE_OPEN = " \t\n([{—–-/:;"
_AFTER_CLOSE = " \t\n.,;:!?)]}—–-/…"
_PARAGRAPH = re.compile(r"[^\n]+")
_MARK = re.compile("[\"'" + _DOUBLE_OPEN + _DOUBLE_CLOSE + _SINGLE_OPEN + _SINGLE_CLOSE + "]")


@dataclass(frozen=True)
class Passage:
    """Quoted words: ``text[start:end]`` without the marks around them.

    ``continues`` is true for the second and later paragraphs of a quote that runs over
    several paragraphs; ``closed`` is false for a part its paragraph ends before closing.
    """

    start: int
    end: int
    continues: bool = False
    closed: bool = True


@dataclass(frozen=True)
class _Mark:
    at: int
    family: str  # "double" or "single"
    opens: bool
    closes: bool
    possessive: bool = False  # "s'" that may close a quote or end a plural possessive


def find_passages(text: str) -> list[Passage]:
    """Every outer quoted passage of ``text``, in order."""
    passages: list[Passage] = []
    carried: str | None = None  # family of a quote left open by the previous paragraph
    for paragraph in _PARAGRAPH.finditer(text):
        found, carried = _paragraph_passages(text, paragraph.start(), paragraph.end(), carried)
        passages.extend(found)
    return passages


def _paragraph_passages(
    text: str, start: int, end: int, carried: str | None
) -> tuple[list[Passage], str | None]:
    """The passages of one paragraph, and the family of a quote it leaves open."""
    marks = _marks(text, start, end)
    if carried is not None and not (marks and marks[0].at == _first_visible(text, start, end)):
        carried = None  # the previous paragraph's quote was not continued: it ended there
    passages: list[Passage] = []
    index = 0
    while index < len(marks):
        mark = marks[index]
        if not mark.opens:
            index += 1
            continue
        close = _closing(marks, index)
        continues = carried is not None and index == 0
        if close is None:
            if index == 0 or continues:
                passages.append(Passage(mark.at + 1, _trim_end(text, end), continues, False))
                return passages, mark.family
            index += 1
            continue
        passages.append(Passage(mark.at + 1, marks[close].at, continues))
        index = close + 1
    return passages, None


def _closing(marks: list[_Mark], opener: int) -> int | None:
    """The index of the mark that closes ``marks[opener]``, skipping plural possessives."""
    family = marks[opener].family
    candidates = [
        i for i in range(opener + 1, len(marks)) if marks[i].family == family and marks[i].closes
    ]
    for position, i in enumerate(candidates):
        later = candidates[position + 1 :]
        if marks[i].possessive and later and not _opens_between(marks, i, later[0]):
            continue
        return i
    return None


def _opens_between(marks: list[_Mark], first: int, last: int) -> bool:
    """Whether a quote of the same family opens between two closing candidates."""
    family = marks[first].family
    return any(m.family == family and m.opens and not m.closes for m in marks[first + 1 : last])


def _marks(text: str, start: int, end: int) -> list[_Mark]:
    marks = []
    for found in _MARK.finditer(text, start, end):
        mark = _read_mark(text, found.start(), start, end)
        if mark is not None:
            marks.append(mark)
    return marks


def _read_mark(text: str, at: int, start: int, end: int) -> _Mark | None:
    """What the character at ``at`` is as a quote mark, or None when it is none."""
    char = text[at]
    before = text[at - 1] if at > start else " "
    after = text[at + 1] if at + 1 < end else " "
    if char in _DOUBLE_OPEN:
        return _Mark(at, "double", opens=True, closes=char == "»" and before != " ")
    if char in _DOUBLE_CLOSE:
        return _Mark(at, "double", opens=False, closes=True)
    if char == '"':
        return _ambiguous(at, "double", before, after)
    if char in _SINGLE_OPEN:
        return _Mark(at, "single", opens=True, closes=False)
    if char in ("'", *_SINGLE_CLOSE):
        if before.isalnum() and after.isalnum():
            return None  # don't, Ukraine's
        if after.isdigit() and text[at + 1 : at + 4].rstrip("s").isdigit():
            return None  # '90s
        mark = _ambiguous(at, "single", before, after)
        if mark is not None and mark.closes and before in "sS" and after == " ":
            return _Mark(at, "single", mark.opens, True, possessive=True)
        return mark
    return None


def _ambiguous(at: int, family: str, before: str, after: str) -> _Mark | None:
    """A straight mark (or ’) opens after a space and closes before one."""
    opens = before in _BEFORE_OPEN or before in _DOUBLE_OPEN + _SINGLE_OPEN + "\"'"
    closes = after in _AFTER_CLOSE or after in _DOUBLE_CLOSE + _SINGLE_CLOSE + "\"'"
    if opens and after.isspace():
        opens = False
    if closes and before.isspace():
        closes = False
    if not (opens or closes):
        return None
    return _Mark(at, family, opens, closes)


def _first_visible(text: str, start: int, end: int) -> int:
    at = start
    while at < end and text[at].isspace():
        at += 1
    return at


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end
