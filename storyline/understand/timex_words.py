"""The words of time in English news: names of months, days, seasons and units, and numbers.

Each table maps a lowercase word to what it means; each ``*_WORDS`` string is the regex
alternation of a table's keys, longest first so that "sept" is not cut to "sep".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MONTHS = {
    **dict.fromkeys(("january", "jan"), 1),
    **dict.fromkeys(("february", "feb"), 2),
    **dict.fromkeys(("march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    "may": 5,
    **dict.fromkeys(("june", "jun"), 6),
    **dict.fromkeys(("july", "jul"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
# Full names: a month named alone must be written out ("Jan" alone is seldom January).
FULL_MONTHS = {
    name: n for name, n in MONTHS.items() if len(name) > 4 or name in ("may", "june", "july")
}

WEEKDAYS = {
    **dict.fromkeys(("monday", "mon"), 1),
    **dict.fromkeys(("tuesday", "tue", "tues"), 2),
    **dict.fromkeys(("wednesday", "wed"), 3),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs"), 4),
    **dict.fromkeys(("friday", "fri"), 5),
    **dict.fromkeys(("saturday", "sat"), 6),
    **dict.fromkeys(("sunday", "sun"), 7),
}
FULL_WEEKDAYS = {name: number for name, number in WEEKDAYS.items() if name.endswith("day")}

SEASONS = {
    "spring": "SP",
    "summer": "SU",
    **dict.fromkeys(("fall", "autumn"), "FA"),
    "winter": "WI",
}

# Parts of the day as TimeML writes them, and clock times for the named instants.
PARTS_OF_DAY = {
    "morning": "MO",
    "afternoon": "AF",
    "evening": "EV",
    "night": "NI",
}
INSTANTS = {"noon": "12:00", "midday": "12:00", "midnight": "24:00"}

# Calendar units: the ISO-8601 duration letter and whether it is a time (PT...) unit.
UNITS = {
    "second": ("S", True),
    "sec": ("S", True),
    "minute": ("M", True),
    "min": ("M", True),
    "hour": ("H", True),
    "hr": ("H", True),
    "day": ("D", False),
    "night": ("D", False),
    "week": ("W", False),
    "weekend": ("WE", False),
    "month": ("M", False),
    "quarter": ("Q", False),
    "year": ("Y", False),
    "yr": ("Y", False),
    "decade": ("E", False),
    "century": ("C", False),
    "millennium": ("L", False),
}
UNIT_PLURALS = {"centuries": "century", "millennia": "millennium"}
UNIT_KEYS = frozenset([*UNITS, *(f"{unit}s" for unit in UNITS if unit != "century"), *UNIT_PLURALS])

ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "last": -1,
    "final": -1,
}

_ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000}


def words(text: str) -> frozenset[str]:
    """The set of the space-separated words of ``text``: a word list written as prose."""
    return frozenset(text.split())


def alternation(items: Iterable[str]) -> str:
    """A regex alternation of ``items``, longest first, each escaped."""
    return "|".join(re.escape(item) for item in sorted(set(items), key=len, reverse=True))


_NUMBER_WORD = alternation([*_ONES, *_TENS, *_SCALES])
# A number in words or digits: "three", "twenty-four", "a hundred", "2 1/2", "1,000".
NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?(?:\s+1/2)?"
    rf"|a\s+(?:hundred|thousand)|an?|(?:{_NUMBER_WORD})(?:[\s-]+(?:and\s+)?(?:{_NUMBER_WORD}))*)"
)
MONTH_WORDS = alternation(MONTHS)
FULL_MONTH_WORDS = alternation(FULL_MONTHS)
WEEKDAY_WORDS = alternation(FULL_WEEKDAYS)
SEASON_WORDS = alternation(SEASONS)
PART_OF_DAY_WORDS = alternation(PARTS_OF_DAY)


def parse_number(words: str) -> float | None:
    """The value of a number written in digits or words; None when it is not one.

    Handles "24", "1,000", "2 1/2", "a", "twenty-four", "one hundred", "nineteen ninety-six"
    (read as a year, 1996) and "two thousand".
    """
    text = words.lower().replace(",", "").strip()
    half = text.endswith(" 1/2")
    if half:
        text = text[:-4].strip()
    try:
        return float(text) + (0.5 if half else 0.0)
    except ValueError:
        pass
    parts = [p for p in re.split(r"[\s-]+", text) if p and p != "and"]
    if not parts:
        return None
    if len(parts) >= 2 and 10 <= _ONES.get(parts[0], 0) <= 19 and parts[1] in (*_TENS, *_ONES):
        rest = _spelled(parts[1:])
        return None if rest is None else _ONES[parts[0]] * 100 + rest  # "nineteen ninety-six"
    return _spelled(parts)


def _spelled(parts: list[str]) -> float | None:
    total = current = 0
    for part in parts:
        if part in ("a", "an"):
            current += 1
        elif part in _ONES:
            current += _ONES[part]
        elif part in _TENS:
            current += _TENS[part]
        elif part in _SCALES:
            current = max(current, 1) * _SCALES[part]
            if part == "thousand":
                total, current = total + current, 0
        else:
            return None
    return float(total + current)
