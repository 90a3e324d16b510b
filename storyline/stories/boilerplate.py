"""What outlets wrap around a story they carry: datelines, bylines, credits and tails.

The same wire story differs between the outlets that carry it mostly in its wrapping: one
opens "NORTHPORT, March 3 (Meridian Wire) —", another "NORTHPORT (MW) -", a third prints a
byline or an "(Updates with …)" note first; at the end come "Read more: …", "Copyright …",
"(Reporting by …)", "This story first appeared in …". None of it is the story's text, so
:func:`split_boilerplate` sets it aside before texts are compared, and keeps it, because it
says who a copy credits (see :func:`credits_outlet`).

Every rule is a general shape, none an outlet's name: the wrapping is looked for only in
the first and last few paragraphs, and a paragraph is wrapping when it is a short label
with no sentence end, or a short note shaped as only notes are ("Updated March 15, …",
"Read more: …", "(Reporting by …)"), so that a story's own first or last sentence stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyline.clean.sentences import sentence_spans

# Wrapping is looked for in this many paragraphs at each end of the text.
_EDGE = 3
# A label (headline, byline, outlet name, credit line) has no sentence end; at the top
# it may be as long as a headline, at the bottom only as long as a credit.
_HEADLINE_WORDS = 25
_LABEL_SENTENCES = 2
_LABEL_WORDS = 12
# A note (update note, republication notice) is at most a few sentences long, and a
# notice that only names where the text first ran is shorter still.
_NOTE_WORDS = 45
_CREDIT_WORDS = 25
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_WORD = re.compile(r"\w+")

# Notes at either end, each shaped so that a story's own sentence does not fit: a note in
# parentheses, "Updated March 15, 9:10 a.m.", "Correction: …", "This story was first
# published by …", "This is an edited version of …", "Originally published in …".
_NOTE = re.compile(
    r"^(?:\(.*\)\W*$"
    r"|(?:updated?|corrected|correction|clarification|editor['’]?s note)\s*"
    r"(?:[:,(—–-]|on\b|at\b|\d|[a-z]{3,9}\.? \d)"
    r"|this (?:story|article|report|column|piece)\b[^.]{0,60}?"
    r"\b(?:published|republished|reprinted|updated|corrected|adapted|appeared)\b"
    r"|this is an edited version\b"
    r"|(?:originally|first) (?:published|appeared)\b)",
    re.IGNORECASE,
)
# "… is republished with permission", "first appeared in the Saltmarsh Record": where the
# text ran first, anywhere in a short paragraph (a capital after "in", "on" or "by", so
# that "first published in 2019" or "in the spring" is prose).
_CARRIED = re.compile(
    r"\b(?i:republished|reprinted)\b"
    r"|\b(?i:first|originally) (?i:published|appeared|ran) (?i:in|on|by) (?:[Tt]he )?[A-Z]"
)
# What outlets put after a story: pointers, rights, credits, invitations. Pointers need
# a colon or a dash after them, as in the links cleaning stage, so "Related to this, …"
# and "Follow-up talks …" stay.
_TAIL_CUE = re.compile(
    r"^\(?\s*(?:(?:read (?:more|also|next)|related(?: coverage| stories| articles)?|see also|"
    r"also read|more on this(?: story)?)\s*(?::|\s[-–—])"
    r"|copyright\s*(?:©|\(c\))?\s*\d{4}|©|\(c\)\s*\d{4}|all rights reserved"
    r"|(?:additional |with )?reporting by\b|(?:editing|writing|compiled) by\b|sources?:"
    r"|adapted from (?:a|an|the) (?:report|article|story)\b|follow (?:us|all|our)\b"
    r"|sign up\b|subscribe\b"
    r"|contact the (?:author|reporter|writer)\b)",
    re.IGNORECASE,
)
# A tail run into the last paragraph is cut at the first of its last few sentences that
# opens with a tail cue or a rights notice.
_TAIL_SENTENCES = 4
_RIGHTS = re.compile(
    r"^(?:.{0,80}\ball rights reserved\b|(?:this|the) (?:material|article|content|story)\b"
    r"[^.]{0,40}\bmay not be (?:re)?(?:published|reproduced|redistributed|broadcast|copied)\b)",
    re.IGNORECASE,
)
# "NORTHPORT, Calvera, March 3 (Meridian Wire) — ": a capitalised place, then a dash.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.\- ]{1,40}(?:,\s*[A-Z][\w'’.\- ]{1,30}){0,2}?)"
    r"(?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}))?"
    r"\s*(?:\((?P<credit>[^()]{2,50})\))?\s*[-–—]+\s+"
)
# "(Meridian Wire) — " with no place before it.
_CREDIT_ONLY = re.compile(r"^\((?P<credit>[^()]{2,50})\)\s*[-–—]+\s+")


@dataclass(frozen=True)
class Wrapped:
    """A text split into its story and the wrapping set aside from it."""

    body: str
    wrapping: tuple[str, ...]


def split_boilerplate(text: str) -> Wrapped:
    """The story part of ``text`` (paragraphs joined by blank lines) and its wrapping.

    Paragraphs are separated by line breaks. Labels and notes among the first and last
    few paragraphs go, then the dateline at the start of the first remaining paragraph.
    At least one paragraph is always kept.
    """
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    last = len(paragraphs) - 1
    wrapping: list[str] = []
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        leading = index < _EDGE and _is_leading_wrapping(paragraph)
        trailing = index > last - _EDGE and _is_trailing_wrapping(paragraph)
        (wrapping if leading or trailing else kept).append(paragraph)
    if not kept:
        return Wrapped("\n\n".join(paragraphs), ())
    kept[-1] = _cut_tail(kept[-1], wrapping)
    for index, paragraph in enumerate(kept[:_EDGE]):
        dateline = _DATELINE.match(paragraph) or _CREDIT_ONLY.match(paragraph)
        if dateline is not None and dateline.end() < len(paragraph):
            wrapping.append(paragraph[: dateline.end()].strip())
            kept[index] = paragraph[dateline.end() :]
            break
    return Wrapped("\n\n".join(kept), tuple(wrapping))


def _cut_tail(paragraph: str, wrapping: list[str]) -> str:
    """``paragraph`` without a tail run into it ("… he said. Copyright 2025 …")."""
    spans = sentence_spans(paragraph)
    for start, _ in spans[1:][-_TAIL_SENTENCES:]:
        sentence = paragraph[start:]
        if _TAIL_CUE.match(sentence) or _RIGHTS.match(sentence):
            wrapping.append(sentence.strip())
            return paragraph[:start].rstrip()
    return paragraph


def _credited_words(wrapping: tuple[str, ...]) -> str:
    """The wrapping as one lower-case string of words, to look outlet names up in."""
    return " ".join(" ".join(_WORD.findall(part)).casefold() for part in wrapping)


def credits_outlet(wrapping: tuple[str, ...], outlet: str) -> bool:
    """Whether the wrapping names ``outlet``, in full or by its initials ("MW", "CPA").

    A leading "The" is not part of the name ("The Quillon Ledger" is credited as "Quillon
    Ledger" too), and initials count only as a whole word, so "CPA" does not match "CPAs".
    """
    words = [w.casefold() for w in _WORD.findall(outlet)]
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    if not words:
        return False
    said = f" {_credited_words(wrapping)} "
    if f" {' '.join(words)} " in said:
        return True
    initials = "".join(word[0] for word in words)
    return len(words) > 1 and f" {initials} " in said


def _is_leading_wrapping(paragraph: str) -> bool:
    words = len(_WORD.findall(paragraph))
    if words <= _HEADLINE_WORDS and _is_label(paragraph):
        return True
    return _is_note(paragraph, words)


def _is_trailing_wrapping(paragraph: str) -> bool:
    words = len(_WORD.findall(paragraph))
    if words <= _LABEL_WORDS and _is_label(paragraph):
        return True
    return _is_note(paragraph, words) or (
        words <= _NOTE_WORDS and _TAIL_CUE.match(paragraph) is not None
    )


def _is_note(paragraph: str, words: int) -> bool:
    if words <= _CREDIT_WORDS and _CARRIED.search(paragraph):
        return True
    return words <= _NOTE_WORDS and _NOTE.match(paragraph) is not None


def _is_label(paragraph: str) -> bool:
    """A line without a sentence end: a headline, a byline, an outlet's name, a credit.

    A headline may have two sentences ("Rates rise again. Borrowers will feel it"); a
    run of more is text whose last sentence lost its full stop.
    """
    if _SENTENCE_END.search(paragraph) is not None:
        return False
    return len(sentence_spans(paragraph)) <= _LABEL_SENTENCES
