"""Which outlet a bare text names as its own.

A page saved as plain text has lost its masthead, but the text often still says whose
it is: an appeal at the end ("Consider supporting the Harbor Ledger."), or a staff
credit ("Harbor Ledger reporter Ana Pell"). These rules read that, and only that: they
know no outlet by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A proper name: capitalised words, with the small words names carry inside them.
_WORD = r"[A-Z][\w'’&.\-]*"
_NAME = rf"{_WORD}(?:\s+(?:(?:of|and|for|on|de|la|the|&)\s+)?{_WORD})*"
_SENTENCE_START = r"(?:^|[.!?…]['\"’”)]?\s+)"

_APPEAL = re.compile(
    _SENTENCE_START
    + r"(?:Please\s+)?"
    + r"(?:[Cc]onsider\s+(?:supporting|subscribing\s+to|donating\s+to)|[Ss]upport|[Ss]ubscribe\s+to"
    + r"|[Dd]onate\s+to|[Bb]ecome\s+a\s+(?:member|subscriber|supporter)\s+of)"
    + rf"\s+(?:the\s+)?(?P<name>{_NAME})"
)
_STAFF_CREDIT = re.compile(
    r"(?:"
    + _SENTENCE_START
    + r"|\bthe\s+|,\s+|\(\s*)"
    + rf"(?P<name>{_NAME})\s+(?:reporter|correspondent|staff\s+writer|journalist)\s+[A-Z]"
)
# Appeals to support an outlet close a story; an earlier "Support X" is prose.
_APPEAL_PARAGRAPHS = 3


def find_named_outlet(paragraphs: Sequence[str]) -> str | None:
    """The outlet the text names as its own, or None when it names none.

    An appeal near the end wins over a staff credit anywhere, because a story can credit
    another outlet's reporter but asks readers to support only its own.
    """
    for paragraph in reversed(paragraphs[-_APPEAL_PARAGRAPHS:]):
        for match in _APPEAL.finditer(paragraph):
            name = _tidy(match["name"])
            if name:
                return name
    for paragraph in paragraphs:
        for match in _STAFF_CREDIT.finditer(paragraph):
            name = _tidy(match["name"])
            # A lone word before "reporter" is as often an adjective ("Ukrainian
            # reporter Ana Pell") as an outlet, so one word counts only after "the".
            if name and (" " in name or match.group(0).lower().startswith("the ")):
                return name
    return None


def _tidy(name: str) -> str | None:
    words = name.strip(" .,;:’'").split()
    if words and words[0].lower() == "the":
        words = words[1:]
    if words and words[-1].endswith("'s"):
        words[-1] = words[-1][:-2]
    tidied = " ".join(words).strip(" .,;:’'")
    return tidied or None
