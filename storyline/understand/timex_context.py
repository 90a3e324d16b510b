"""What a time expression is resolved against: the anchor, the last date named, the tense.

"Friday" in "talks resumed Friday" is the Friday before the publication date and in "talks
resume Friday" the one after; "a year earlier" counts back from the last date the article
named ("the third quarter"), while "a year ago" counts back from the publication date. A
:class:`Context` carries those three things through one article, read in text order.

Tense comes from spaCy's part-of-speech tags when a Doc is given (the tagger is all it
reads) and otherwise from the words themselves, which is coarser but needs no model.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date, datetime
from typing import TYPE_CHECKING

from storyline.understand.timex_calendar import Point

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

PAST, NONE, FUTURE, PRESENT = -1, 0, 1, 2
_PLUPERFECT = -2  # "had signed": past, and further back than any cue can move it

# A sentence ends at . ! ? (and any closing quote or bracket) before a space and a capital,
# or at a blank line; abbreviations such as "Oct." may split a sentence, which only narrows
# the words read for its tense.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")
_FUTURE_WORDS = re.compile(
    r"\b(?:will|shall|'ll|won't|wo|would|going\s+to|gonna|plans?\s+to|planned|expected"
    r"|scheduled|slated|due|set\s+to|to\s+be\s+held|upcoming|next|will\s+be)\b",
    re.IGNORECASE,
)
# Past forms a plain reading can trust: regular "-ed" verbs and the commonest irregulars
# in news. Adjectives in "-ed" ("a detailed plan") slip through; tagging does better.
_PAST_WORDS = re.compile(
    r"\b(?:\w{2,}ed|said|told|was|were|had|did|made|took|went|came|saw|gave|held|left|fell"
    r"|rose|won|lost|began|sold|bought|paid|became|got|met|put|hit|cut|ran|led|sent|spent"
    r"|brought|thought|found|kept|felt|wrote|spoke|broke|chose|drove|flew|grew|knew|shot"
    r"|struck|stood|fought|caught|taught|built|rang|sang|sank|swam|threw|wore|quit)\b",
    re.IGNORECASE,
)
# Words right before a date that say which side of the anchor it lies on, whatever the verb:
# "payable Dec. 7", "effective Feb. 1", "until Tuesday" look ahead; "since Tuesday" back.
# "By" and "before" look ahead only outside the past tense ("had filed by Wednesday").
_AHEAD_CUE = re.compile(
    r"\b(?:(?P<weak>by|before)|until|till|through|thru|payable|effective|starting|beginning"
    r"|due|expires?|expiring|as\s+soon\s+as|no\s+later\s+than|scheduled\s+for|set\s+for"
    r"|slated\s+for|planned\s+for|(?:postponed|delayed|adjourned)\s+(?:until|to)|next"
    r"|this\s+coming)\s+(?:(?:on|at|around|about|the)\s+)?$",
    re.IGNORECASE,
)
_BEHIND_CUE = re.compile(
    r"\b(?:since|ago|last|this\s+past|earlier)\s+(?:(?:on|the)\s+)?$", re.IGNORECASE
)
# A lowercase content word right after an expression, which it then modifies as an adjective.
_NOUN_AFTER = re.compile(
    r"[ -](?!(?:and|or|but|to|for|in|on|at|by|of|from|with|as|than|that|the|an?|since|until"
    r"|after|before|basis|earlier|later|ago|so|if|when|while|because|through|during)\b)[a-z]+\b"
)
_POSSESSIVE = re.compile(r"['’]s\b")
_FUTURE_MODALS = frozenset({"will", "'ll", "wo", "shall", "would", "'d"})
_SCHEDULE_WORDS = frozenset({"expected", "scheduled", "slated", "due", "planned"})
_VERB_TAGS = frozenset({"VBD", "VBN", "VBZ", "VBP", "VB", "VBG"})


class Context:
    """One article's anchor, last named date and tenses, consulted in text order."""

    def __init__(self, text: str, anchor: datetime | date | None, doc: Doc | None) -> None:
        self.text = text
        self.clock = anchor if isinstance(anchor, datetime) else None
        self.anchor: date | None = anchor.date() if isinstance(anchor, datetime) else anchor
        self.reference: Point | None = None
        self.references: dict[str, Point] = {}
        self._doc = doc
        self._sentence_starts: list[int] | None = None

    @property
    def today(self) -> Point | None:
        return Point(self.anchor) if self.anchor is not None else None

    def base(self) -> Point | None:
        """What an anaphoric expression ("that year", "a day earlier") counts from."""
        return self.reference or self.today

    def remember(self, value: str) -> None:
        """Note a date the text named, for the anaphoric expressions after it.

        A quarter that has not ended by the anchor (a forecast, an outlook) is not the
        quarter a report is about, so it does not become the text's quarter.
        """
        point = Point.parse(value)
        if point is None:
            return
        self.reference = point
        anchor = self.anchor
        if point.grain != "quarter" or anchor is None or point.shifted("quarter", 1).day <= anchor:
            self.references[point.grain] = point

    def sentence(self, position: int) -> tuple[int, int]:
        """The start and end of the sentence around ``position``."""
        if self._sentence_starts is None:
            ends = (match.end() for match in _SENTENCE_END.finditer(self.text))
            self._sentence_starts = [0, *ends]
        starts = self._sentence_starts
        index = bisect_right(starts, position) - 1
        return starts[index], starts[index + 1] if index + 1 < len(starts) else len(self.text)

    def leaning(self, start: int, end: int) -> int:
        """Which side of the anchor a date without a year or week lies on, if any.

        A possessive says the past ("Tuesday's vote" reports a vote held), and so does the
        past perfect; otherwise a cue word just before the date decides ("until Tuesday",
        "since Tuesday"), and failing one the tense: PAST, PRESENT (which a weekday reads
        as ahead: "the council meets Friday"), FUTURE or NONE.
        """
        if _POSSESSIVE.match(self.text, end):
            return PAST
        tense = self._tense(start, end)
        if tense == _PLUPERFECT:
            return PAST
        before = self.text[max(0, start - 32) : start]
        ahead = _AHEAD_CUE.search(before)
        if ahead is not None:
            return PAST if ahead.group("weak") and tense == PAST else FUTURE
        if _BEHIND_CUE.search(before):
            return PAST
        return tense

    def tense(self, start: int, end: int) -> int:
        """PAST, PRESENT, FUTURE or NONE: the tense of the verb nearest the expression."""
        tense = self._tense(start, end)
        return PAST if tense == _PLUPERFECT else tense

    def before_noun(self, start: int, end: int) -> bool:
        """Whether the word at start:end modifies a noun ("quarterly dividend").

        The tagger says it when there is a Doc (an adjective, or a word followed by a noun);
        otherwise a lowercase content word right after the expression is taken for its noun.
        """
        if self._doc is not None:
            span = self._doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                following = span.doc[span.end] if span.end < len(span.doc) else None
                if span[-1].tag_ == "JJ":
                    return True
                return following is not None and following.tag_ in ("NN", "NNS", "JJ")
        return _NOUN_AFTER.match(self.text, end) is not None

    def _tense(self, start: int, end: int) -> int:
        first, last = self.sentence(start)
        if self._doc is not None:
            sentence = self._doc.char_span(first, last, alignment_mode="expand")
            if sentence is not None:
                before = [token for token in sentence if token.idx < start]
                after = [token for token in sentence if token.idx >= end]
                return _nearest_tense([*reversed(before), *after])
        return _worded_tense(self.text[first:start], self.text[end:last])


def _nearest_tense(tokens: list[Token]) -> int:
    """The tense of the first verb in ``tokens`` (those before the expression, nearest first,
    then those after it)."""
    for token in tokens:
        tense = _token_tense(token)
        if tense is not None:
            return tense
    return NONE


def _token_tense(token: Token) -> int | None:
    """The tense a verb token gives its clause, or None when the token is not a verb."""
    tag = token.tag_
    if tag == "MD":
        return FUTURE if token.lower_ in _FUTURE_MODALS else None
    if tag not in _VERB_TAGS:
        return None
    before = token.doc[max(0, token.i - 3) : token.i]
    words = {t.lower_ for t in before}
    if any(t.tag_ == "MD" and t.lower_ in _FUTURE_MODALS for t in before):
        return FUTURE
    if tag == "VBD":
        return PAST
    if tag == "VBN":
        if words & {"had", "'d"}:
            return _PLUPERFECT
        if token.lower_ in _SCHEDULE_WORDS and not words & {"was", "were"}:
            return FUTURE  # "is scheduled for Friday"
        return PAST
    if tag == "VBG" and token.lower_ == "going":
        return FUTURE
    if tag == "VB" and any(t.tag_ == "TO" for t in before):
        # "agreed to meet Friday" looks ahead, "had been due to expire Friday" does not
        earlier = token.doc[max(0, token.i - 6) : token.i]
        return _PLUPERFECT if any(t.lower_ in ("had", "'d") for t in earlier) else FUTURE
    if tag in ("VB", "VBG"):
        return None  # a bare verb or a participle takes the tense of its auxiliary
    return PRESENT


def _worded_tense(before: str, after: str) -> int:
    """Tense from the words alone: the nearest past form or future marker wins."""
    future = [m.end() for m in _FUTURE_WORDS.finditer(before)]
    past = [m.end() for m in _PAST_WORDS.finditer(before)]
    if future or past:
        return FUTURE if max(future, default=-1) > max(past, default=-1) else PAST
    future_after = _FUTURE_WORDS.search(after)
    past_after = _PAST_WORDS.search(after)
    if future_after is None and past_after is None:
        return NONE
    if past_after is None:
        return FUTURE
    if future_after is None:
        return PAST
    return FUTURE if future_after.start() < past_after.start() else PAST
