"""Rules for lengths of time and for repeated times: "10-14 days", "a two-year term", "the past
three months", "an hour and a half", "weeks"; "daily", "every Thursday", "twice a year".

A duration is written as ISO-8601 writes one (``P10D``, ``PT1H30M``, ``P2Y6M``); an amount
nobody counted ("a few days", "10-14 days", "weeks") keeps an X for the number, as TimeML
does (``PXD``). A set is a duration that recurs (``P1D`` for "daily") or a calendar pattern
(``XXXX-WXX-4`` for "every Thursday").
"""

from __future__ import annotations

import re

from storyline.understand.timex_context import Context
from storyline.understand.timex_rule import Found, Reading, Rule, capitalised
from storyline.understand.timex_words import (
    MONTH_WORDS,
    MONTHS,
    NUMBER,
    PART_OF_DAY_WORDS,
    PARTS_OF_DAY,
    UNIT_KEYS,
    UNIT_PLURALS,
    UNITS,
    WEEKDAY_WORDS,
    WEEKDAYS,
    alternation,
    parse_number,
)

_UNIT = (
    r"(?P<unit>seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|weekends?|months?"
    r"|quarters?|years?|yrs?|decades?|century|centuries|millennium|millennia)"
)
_AGE = re.compile(r"[\s-]+old\b", re.IGNORECASE)
_VAGUE = r"a\s+few|few|several|some|many|a\s+couple\s+of|couple\s+of|a\s+number\s+of"
_HALF = r"(?:\s+and\s+a\s+half)"
# What comes before "a year" when it is a rate ("$2 million a year", "twice a year").
_SETTING = re.compile(
    r"(?:\d|%|percent|cents?|dollars?|euros?|pounds?|yen|hundred|thousand|[mbtr]illion|times"
    r"|once|twice|a\s+share|each)\s*$",
    re.IGNORECASE,
)
_ADVERBS = {
    "hourly": "PT1H",
    "daily": "P1D",
    "nightly": "P1D",
    "weekly": "P1W",
    "biweekly": "P2W",
    "fortnightly": "P2W",
    "monthly": "P1M",
    "bimonthly": "P2M",
    "quarterly": "P3M",
    "semiannually": "P6M",
    "biannually": "P6M",
    "annually": "P1Y",
    "yearly": "P1Y",
}


def _unit_of(found: Found) -> str:
    """The matched unit in the singular ("centuries" is "century", "hrs" is "hr")."""
    word = found.lower("unit")
    word = UNIT_PLURALS.get(word, word)
    return word[:-1] if word.endswith("s") and word[:-1] in UNITS else word


def duration_value(unit: str, amount: float | None) -> str:
    """ISO-8601 for ``amount`` ``unit``s; an unknown amount is X ("PXD", "PXE" for decades)."""
    letter, is_time = UNITS.get(unit, ("D", False))
    if letter == "WE":  # a weekend is two days
        letter, amount = "D", None if amount is None else amount * 2
    prefix = "PT" if is_time else "P"
    if amount is None:
        return f"{prefix}X{letter}"
    if letter == "Q" and amount != int(amount):
        letter, amount = "M", amount * 3
    if letter == "E":
        letter, amount = "Y", amount * 10
    if amount == int(amount):
        return f"{prefix}{int(amount)}{letter}"
    return _fraction(amount, letter, is_time)


def _fraction(amount: float, letter: str, is_time: bool) -> str:
    """A fractional amount, the rest in the next smaller unit: P2Y6M, PT1H30M, P1DT12H."""
    whole = int(amount)
    smaller = {"Y": ("M", 12), "M": ("D", 30), "W": ("D", 7), "D": ("H", 24)}
    if is_time:
        smaller = {"H": ("M", 60), "M": ("S", 60)}
    if letter not in smaller:
        return f"{'PT' if is_time else 'P'}{round(amount)}{letter}"
    unit, factor = smaller[letter]
    rest = round((amount - whole) * factor)
    head = f"{whole}{letter}" if whole else ""
    if is_time:
        return f"PT{head}{rest}{unit}"
    if unit == "H":  # a fraction of a day is hours, which sit behind the T
        return f"P{head}T{rest}H"
    return f"P{head}{rest}{unit}"


def _count(found: Found) -> float | None:
    words = found.lower("num")
    if not words or re.fullmatch(r"(?:a )?(?:few|several|some|many|number of)", words):
        return None
    if "couple" in words:
        amount: float | None = 2.0
    else:
        amount = parse_number(words)
    if amount is not None and (found["half1"] or found["half2"]):
        amount += 0.5
    return amount


def _amount(found: Found, context: Context) -> Reading | None:
    """A counted length ("three years", "a two-week walkout"), a range or "$5 a year"."""
    unit = _unit_of(found)
    number = found.lower("num")
    if _AGE.match(context.text, found.end):
        return None  # an age ("a 6-year-old", "52 years old") is not a time in the story
    if unit == "second" and number in ("a", "one") and not found["half2"]:
        return None  # "a second term"
    if found["num2"]:
        return Reading("DURATION", duration_value(unit, None))
    amount = _count(found)
    if number in ("a", "an") and _SETTING.search(
        context.text, max(0, found.start - 12), found.start
    ):
        return Reading("SET", duration_value(unit, 1))
    return Reading("DURATION", duration_value(unit, amount))


def _half(found: Found, context: Context) -> Reading | None:
    return Reading("DURATION", duration_value(_unit_of(found), 0.5))


def _plural(found: Found, context: Context) -> Reading | None:
    """An uncounted length: "for years", "in recent months"."""
    if _AGE.match(context.text, found.end):
        return None
    return Reading("DURATION", duration_value(_unit_of(found), None))


def _adverb(found: Found, context: Context) -> Reading | None:
    """Adverbs of frequency: "paid quarterly" is a set, "a quarterly dividend" is not."""
    if context.before_noun(found.start, found.end):
        return None
    return Reading("SET", _ADVERBS[found.lower("adverb")])


def _every(found: Found, context: Context) -> Reading | None:
    """A set named by "every" or "each": a length, a weekday, a month or a part of day."""
    if found["weekday"]:
        word = found["weekday"]
        if not capitalised(word) or word is None:
            return None
        part = found.lower("part")
        suffix = f"T{PARTS_OF_DAY[part]}" if part else ""
        return Reading("SET", f"XXXX-WXX-{WEEKDAYS[word.lower()]}{suffix}")
    if found["month"]:
        word = found["month"]
        if not capitalised(word) or word is None:
            return None
        return Reading("SET", f"XXXX-{MONTHS[word.lower().rstrip('.')]:02d}")
    if found["part2"]:
        return Reading("SET", f"XXXX-XX-XXT{PARTS_OF_DAY[found.lower('part2')]}")
    unit = _unit_of(found)
    if unit == "weekend":
        return Reading("SET", "XXXX-WXX-WE")
    amount = _count(found) if found["num"] else 1
    if found["other"]:
        amount = 2
    return Reading("SET", duration_value(unit, amount))


def _times_per(found: Found, context: Context) -> Reading | None:
    """A count per period, "twice a year": TimeML keeps the period, not the count."""
    return Reading("SET", duration_value(_unit_of(found), 1))


_NUMBER_OR_VAGUE = rf"(?P<num>{NUMBER}|{_VAGUE})"

DURATION_RULES = (
    Rule(
        r"(?:the\s+(?:past|last|next|first|coming|previous|following|final|remaining|latest"
        r"|prior|initial|same)|past|next|first|coming|previous|following|final|remaining|latest"
        rf"|prior|initial)\s+{_NUMBER_OR_VAGUE}{_HALF}?(?:\s+more)?"
        rf"(?:\s*(?:-|–|to|or)\s*(?P<num2>{NUMBER}))?[\s-]+{_UNIT}{_HALF}?",
        _amount,
        UNIT_KEYS,
    ),
    Rule(
        rf"(?:the\s+|an?\s+)?(?P<num>{NUMBER})\s*(?:-|–|to|or)\s*(?P<num2>{NUMBER})"
        rf"[\s-]+(?:more\s+)?{_UNIT}",
        _amount,
        UNIT_KEYS,
    ),
    Rule(
        r"(?:the\s+(?:year[\s-](?:earlier|ago)\s+)?|another\s+|an\s+additional\s+|an\s+extra\s+)?"
        rf"{_NUMBER_OR_VAGUE}(?P<half1>{_HALF})?(?:\s+(?:more|additional|extra|full|long))?"
        r"[\s-]+(?:(?:trading|business|working|calendar|consecutive|straight|school)\s+)?"
        rf"{_UNIT}(?P<half2>{_HALF})?(?:-long)?",
        _amount,
        UNIT_KEYS,
    ),
    Rule(rf"half\s+an?\s+{_UNIT}", _half, UNIT_KEYS),
    Rule(rf"(?P<adverb>{alternation(_ADVERBS)})", _adverb, frozenset(_ADVERBS)),
    Rule(
        rf"(?:every|each)\s+(?:(?P<other>other)\s+|(?P<num>{NUMBER})\s+)?"
        rf"(?:{_UNIT}|(?P<weekday>{WEEKDAY_WORDS})(?:\s+(?P<part>{PART_OF_DAY_WORDS}))?"
        rf"|(?P<month>{MONTH_WORDS})\.?|(?P<part2>{PART_OF_DAY_WORDS}))",
        _every,
        frozenset({"every", "each"}),
    ),
    Rule(
        rf"(?:once|twice|thrice|\w+\s+times)\s+(?:a|an|per|each|every)\s+{_UNIT}",
        _times_per,
        frozenset({"once", "twice", "thrice", "times"}),
    ),
    Rule(
        r"(?:the\s+)?(?:most\s+)?recent\s+(?P<unit>days|weeks|months|quarters|years|decades)",
        _plural,
        frozenset({"recent"}),
    ),
    Rule(
        r"(?P<unit>minutes|hours|days|weeks|months|years|decades|centuries)",
        _plural,
        frozenset({"minutes", "hours", "days", "weeks", "months", "years", "decades", "centuries"}),
    ),
)
