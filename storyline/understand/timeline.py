"""An article's timeline: the sentences that report something happening, each with its date.

:func:`build_timeline` reads the parse of each sentence:

1. the event verb is the sentence's main verb, or, when the sentence reports what someone
   said ("police said the suspect fled"), the verb of what was said;
2. the sentence reports an event when that verb is in the past or present, is not negated,
   carries no modal ("would", "may", "will"), and is neither a copula ("the plan is bold")
   nor a verb of opinion ("analysts believe ..."); questions report nothing;
3. the date is the calendar time expression in the sentence closest to the event verb in
   the parse ("on Tuesday", "last month"); "now" and "currently" stand for the publication
   date, and the date of a dateline ("HARBOR CITY, June 9 -") is the article's, not an
   event's;
4. a sentence without one is dated as a reader would date it: by the last dated event of
   its paragraph, which it carries on ("The suspect fled on Tuesday. He was caught at the
   border."), or else by the publication date, since news reports what has just happened.
   Background in the past perfect ("had been fined before") stays undated and is left out;
5. events are sorted by date, then by where they are in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from storyline.understand.timex_calendar import Point
from storyline.understand.timex_words import words
from storyline.understand.types import TimelineEvent, Timex

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


_REPORTING = words(
    "say tell announce report add state claim confirm deny insist warn note explain write "
    "declare testify disclose reveal acknowledge admit allege"
)
_OPINION = words(
    "think believe feel hope wish seem appear want like love hate prefer doubt fear worry "
    "suppose guess reckon suspect expect consider regard know understand mean matter remain "
    "deserve need"
)
_EVENT_TAGS = frozenset({"VBD", "VBN", "VBZ", "VBP", "VBG"})
# Where in a day a TimeML part of day lies, to order the events of one day.
_PART_ORDER = {"MO": "08", "MI": "12", "AF": "14", "EV": "19", "NI": "22"}
_DATELINE = re.compile(r"\s*[A-Z][^\n.!?]{0,60}?\d{1,2}[^\n.!?]{0,20}?\s[-—–_]{1,2}\s")
_FAR = 99  # the parse distance of an expression spaCy's tokens cannot align to


class _Dated(NamedTuple):
    """A time expression that places an event on the calendar, and where."""

    start: int
    value: str
    timex: Timex | None


def build_timeline(
    doc: Doc, timexes: Sequence[Timex], anchor: datetime | date | None
) -> list[TimelineEvent]:
    """The events ``doc`` reports, dated and in date order (see the module docstring)."""
    today = anchor.date() if isinstance(anchor, datetime) else anchor
    text = doc.text  # spaCy joins the tokens anew on every read
    dated = _calendar_expressions(text, timexes, today)
    starts = [entry.start for entry in dated]
    events: list[TimelineEvent] = []
    carried: _Dated | None = None
    previous_end = 0
    for sentence in doc.sents:
        first, last = sentence.start_char, sentence.end_char
        if "\n" in text[previous_end:first]:
            carried = None  # a new paragraph starts a new thread
        segment = text[first:last]
        words = segment.strip()
        start = first + len(segment) - len(segment.lstrip())
        previous_end = start + len(words)
        verb = _event_verb(sentence, words)
        if verb is None:
            continue
        inside = dated[bisect_left(starts, first) : bisect_left(starts, last)]
        dating = _nearest(inside, verb) or carried
        if dating is None and today is not None and not _past_perfect(verb):
            dating = _Dated(first, today.isoformat(), None)
        if dating is None:
            continue
        carried = dating
        timex = dating.timex
        events.append(
            TimelineEvent(
                words,
                start,
                start + len(words),
                dating.value,
                timex.start if timex else None,
                timex.end if timex else None,
            )
        )
    events.sort(key=lambda event: (_moment(event.value), event.start))
    return events


def _calendar_expressions(text: str, timexes: Sequence[Timex], today: date | None) -> list[_Dated]:
    """The expressions that can date an event, in text order, without the dateline's."""
    dateline = _DATELINE.match(text)
    after = dateline.end() if dateline else 0
    dated = []
    for timex in sorted(timexes, key=lambda t: t.start):
        value = _calendar_value(timex, today)
        if value is not None and timex.end > after:
            dated.append(_Dated(timex.start, value, timex))
    return dated


def _calendar_value(timex: Timex, today: date | None) -> str | None:
    """A value that places the expression on the calendar; "now" is the publication date."""
    if timex.type not in ("DATE", "TIME"):
        return None
    if timex.value == "PRESENT_REF":
        return today.isoformat() if today else None
    return timex.value if Point.parse(timex.value) is not None else None


def _event_verb(sentence: Span, words: str) -> Token | None:
    """The verb of the event the sentence reports, or None when it reports none."""
    if words.endswith("?"):
        return None
    root = sentence.root
    reported = [child for child in root.children if child.dep_ in ("ccomp", "parataxis")]
    if root.lemma_.lower() in _REPORTING and reported:
        # what was said is the event, and a report of an opinion reports none
        return next((verb for verb in reported if _is_event(verb)), None)
    return root if _is_event(root) else None


def _is_event(verb: Token) -> bool:
    if verb.pos_ != "VERB" or verb.lemma_.lower() in _OPINION:
        return False
    children = list(verb.children)
    if any(child.dep_ == "neg" or child.tag_ == "MD" for child in children):
        return False
    if verb.tag_ in _EVENT_TAGS:
        return True
    # a bare verb is an event only behind a "do" of the past or present ("did win")
    return any(child.dep_ == "aux" and child.tag_ in ("VBD", "VBZ", "VBP") for child in children)


def _past_perfect(verb: Token) -> bool:
    return verb.tag_ == "VBN" and any(
        child.dep_ == "aux" and child.lower_ in ("had", "'d") for child in verb.children
    )


def _nearest(inside: list[_Dated], verb: Token) -> _Dated | None:
    """Of the sentence's calendar expressions, the one nearest the event verb in the parse."""
    best: tuple[tuple[int, int], _Dated] | None = None
    for entry in inside:
        assert entry.timex is not None
        span = verb.doc.char_span(entry.timex.start, entry.timex.end, alignment_mode="expand")
        rank = (_distance(span.root, verb) if span is not None else _FAR, entry.start)
        if best is None or rank < best[0]:
            best = (rank, entry)
    return best[1] if best else None


def _distance(token: Token, verb: Token) -> int:
    """Steps between two tokens of one parse tree, through their nearest common head."""
    up: dict[int, int] = {}
    steps, node = 0, token
    while True:
        up[node.i] = steps
        if node.head.i == node.i:
            break
        node, steps = node.head, steps + 1
    steps, node = 0, verb
    while node.i not in up:
        if node.head.i == node.i:
            return _FAR
        node, steps = node.head, steps + 1
    return steps + up[node.i]


def _moment(value: str) -> tuple[date, str]:
    """Where a value lies on the calendar, finer than a day when it names a time."""
    point = Point.parse(value)
    day = point.day if point is not None else date.max
    clock = value.partition("T")[2]
    return day, _PART_ORDER.get(clock, clock)
