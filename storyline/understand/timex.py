"""Time expressions in an article, normalised to ISO-8601 against its publication date.

The rules are HeidelTime's kind, written for the language of time in English news: regexes
that find an expression and small functions that say what it means, in modules by kind
(``timex_dates``, ``timex_clock``, ``timex_periods``, ``timex_relative``,
``timex_durations``). :func:`find_timexes` runs them in four steps:

1. every rule whose key words occur in the text looks for its matches near them;
2. of overlapping candidates the leftmost wins, and of those starting together the longest;
3. a modifier before a date ("early", "late", "mid-", "the end of") or after it ("or so",
   "and beyond") joins the expression, as TimeML marks it;
4. values are worked out in text order, so that each date the article names is there for
   the anaphoric expressions after it ("the following year", "a year earlier").

Without an anchor, relative expressions get TimeML's underspecified values (``XXXX-03-07``,
``XXXX-WXX-5``) and anaphoric ones count from the last date the text named.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from storyline.understand.timex_clock import CLOCK_RULES
from storyline.understand.timex_context import Context
from storyline.understand.timex_dates import DATE_RULES
from storyline.understand.timex_durations import DURATION_RULES
from storyline.understand.timex_periods import PERIOD_RULES
from storyline.understand.timex_relative import RELATIVE_RULES
from storyline.understand.timex_rule import Found, Rule, Text, scan
from storyline.understand.timex_words import NUMBER
from storyline.understand.types import Timex

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Where two rules match the same words, the earlier one in this order reads them.
_RULES = (*CLOCK_RULES, *DATE_RULES, *PERIOD_RULES, *RELATIVE_RULES, *DURATION_RULES)
_KEYS = frozenset(key for rule in _RULES for key in rule.keys)
_MODIFIER_BEFORE = re.compile(
    r"(?:\b(?:the|its)\s+)?(?:\bvery\s+)?\b(?:early|earlier|late|later|mid|middle\s+of|end\s+of"
    r"|beginning\s+of|start\s+of|close\s+of|turn\s+of|dawn\s+of)(?:-|\s+)$",
    re.IGNORECASE,
)
# Quantifiers TimeML keeps with a counted expression: "nearly two years", "at least 30 days".
_QUANTIFIER_BEFORE = re.compile(
    r"\b(?:at\s+least|at\s+most|more\s+than|less\s+than|fewer\s+than|no\s+more\s+than"
    r"|no\s+less\s+than|nearly|almost|about|around|roughly|approximately|some|over|under"
    r"|up\s+to|within|just|only|barely|well\s+over|just\s+over|just\s+under|upwards\s+of"
    r"|close\s+to|the\s+better\s+part\s+of|in\s+excess\s+of)\s+$",
    re.IGNORECASE,
)
_COUNTED = re.compile(rf"(?:{NUMBER}|a\s+few|few|several|a\s+couple)\b", re.IGNORECASE)
_MODIFIER_AFTER = re.compile(
    r"\s+(?:or\s+(?:so|later|earlier|more|longer|before|after)|and\s+beyond)\b", re.IGNORECASE
)


def find_timexes(text: str, anchor: datetime | date | None, doc: Doc | None = None) -> list[Timex]:
    """Every time expression in ``text``, in text order, with its TimeML type and value.

    ``anchor`` is the publication time; ``doc`` (optional) is spaCy over the same text,
    whose part-of-speech tags tell the tense that places "Sunday" before or after it.
    """
    context = Context(text, anchor, doc)
    timexes: list[Timex] = []
    taken_until = 0
    for rule, found in _candidates(Text(text, _KEYS)):
        if found.start < taken_until:
            continue
        reading = rule.build(found, context)
        if reading is None:
            continue
        start, end = _widen(text, found, reading.type, taken_until)
        timexes.append(Timex(text[start:end], start, end, reading.type, reading.value))
        taken_until = end
        if reading.type in ("DATE", "TIME") and not reading.aside:
            context.remember(reading.value)
    return timexes


def _candidates(text: Text) -> list[tuple[Rule, Found]]:
    """All rules' matches, leftmost first and longest first among equals."""
    found = list(scan(_RULES, text))
    found.sort(key=lambda match: (match[1].start, -match[1].end))
    return found


def _widen(text: str, found: Found, kind: str, floor: int) -> tuple[int, int]:
    """The expression's span with the modifiers TimeML keeps in it."""
    start, end = found.start, found.end
    if kind in ("DATE", "TIME"):
        before = _MODIFIER_BEFORE.search(text, max(floor, start - 30), start)
        if before is not None:
            start = before.start()
    if _COUNTED.match(found.text):
        before = _QUANTIFIER_BEFORE.search(text, max(floor, start - 30), start)
        if before is not None:
            start = before.start()
    after = _MODIFIER_AFTER.match(text, end)
    if after is not None and kind in ("DATE", "DURATION"):
        end = after.end()
    return start, end
