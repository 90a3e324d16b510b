"""Rules for expressions that count from another time: "yesterday", "last month", "two weeks
ago", "a year earlier", "the following Monday", "now", "recently".

Deictic expressions ("last month", "a year ago") count from the publication date; anaphoric
ones ("the following year", "a day earlier", "that week") from the last date the article
named. A year counted back from a quarter the text is about stays a quarter ("up from $3
million a year earlier" after "the third quarter"), as :mod:`timex_periods` explains.
"""

from __future__ import annotations

import re
from datetime import timedelta

from storyline.understand.timex_calendar import Point, month_near, weekday_near
from storyline.understand.timex_context import FUTURE, PAST, PRESENT, Context
from storyline.understand.timex_periods import quarter_in_question
from storyline.understand.timex_rule import (
    UNKNOWN,
    Found,
    Reading,
    Rule,
    anaphoric,
    at_grain,
    capitalised,
    deictic,
)
from storyline.understand.timex_words import (
    FULL_WEEKDAYS,
    MONTH_WORDS,
    MONTHS,
    NUMBER,
    PART_OF_DAY_WORDS,
    PARTS_OF_DAY,
    UNIT_PLURALS,
    WEEKDAY_WORDS,
    WEEKDAYS,
    parse_number,
)

# How far "last", "this", "next"... move, and whether they count from the named date.
_MOVES = {
    "last": (-1, False),
    "past": (-1, False),
    "the past": (-1, False),
    "the last": (-1, False),
    "this past": (-1, False),
    "this": (0, False),
    "current": (0, False),
    "the current": (0, False),
    "the present": (0, False),
    "next": (1, False),
    "the next": (1, False),
    "coming": (1, False),
    "the coming": (1, False),
    "this coming": (1, False),
    "previous": (-1, True),
    "the previous": (-1, True),
    "the prior": (-1, True),
    "prior": (-1, True),
    "following": (1, True),
    "the following": (1, True),
    "that": (0, True),
    "the same": (0, True),
}
_MOVE_WORDS = "|".join(w.replace(" ", r"\s+") for w in sorted(_MOVES, key=len, reverse=True))
_DAY_WORDS = {
    "the day before yesterday": -2,
    "yesterday": -1,
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "the day after tomorrow": 2,
}
_DAY_SECONDS = 86_400
_POSSESSIVE = re.compile(r"['’]s\s+[a-z]")
_AGO_UNITS = (
    r"(?P<unit>second|minute|hour|day|night|week|month|quarter|year|decade|century|centuries)"
)
_VAGUE = r"a\s+few|few|several|some|many|a\s+couple\s+of|couple\s+of"


def _shift_days(context: Context, days: int) -> Point | None:
    today = context.today
    return today.shifted("day", days) if today is not None else None


def _day_word(found: Found, context: Context) -> Reading | None:
    word = found.lower("word") or found.lower("this")
    if word == "today" and not found["part"] and _POSSESSIVE.match(context.text, found.end):
        return None  # "today's world" means nowadays, not the day
    part = found.lower("part") or found.lower("part2")
    if word == "last" and part in ("night", "evening"):
        point = _shift_days(context, -1)
    elif word in ("this", "last"):
        point = context.today
    else:
        point = _shift_days(context, _DAY_WORDS[word])
    day = at_grain(point, "day")
    if word == "tonight":
        return Reading("TIME", f"{day}TNI")
    if part:
        return Reading("TIME", f"{day}T{PARTS_OF_DAY[part]}")
    return Reading("DATE", day)


def _overnight(found: Found, context: Context) -> Reading | None:
    """The night before publication, unless the article itself came out in the evening."""
    clock = context.clock
    evening = clock is not None and clock.hour >= 18
    return Reading("TIME", f"{at_grain(_shift_days(context, 0 if evening else -1), 'day')}TNI")


def _present(found: Found, context: Context) -> Reading | None:
    return Reading("DATE", "PRESENT_REF")


def _past(found: Found, context: Context) -> Reading | None:
    return Reading("DATE", "PAST_REF")


def _future(found: Found, context: Context) -> Reading | None:
    return Reading("DATE", "FUTURE_REF")


def _relative_unit(found: Found, context: Context) -> Reading | None:
    if capitalised(found["unit"]):
        return None  # a title: ABC's "This Week"
    move = found.lower("rel")
    unit = found.lower("unit").replace("fiscal ", "")
    amount, from_reference = _MOVES[move]
    if unit == "weekend":
        return Reading("DATE", _weekend(context, amount, found))
    if unit == "year" and found["ended"] is not None:
        return Reading("DURATION", "P1Y")
    if unit == "quarter" and (from_reference or amount == 0):
        return Reading("DATE", quarter_in_question(context, amount, from_reference))
    counted = anaphoric if from_reference else deictic
    return Reading("DATE", counted(context, unit, amount))


def _weekend(context: Context, amount: int, found: Found) -> str:
    """The weekend a phrase means: "this weekend" is the anchor's week's."""
    today = context.today
    if today is None:
        return UNKNOWN["weekend"]
    if found.lower("rel") in ("the", "") and today.day.isoweekday() < 6:
        amount = 0 if context.tense(found.start, found.end) in (FUTURE, PRESENT) else -1
    elif found.lower("rel") in ("last", "the past", "this past") and today.day.isoweekday() >= 6:
        amount = 0 if found.lower("rel") == "this past" else -1
    return today.shifted("week", amount).at("weekend").value


def _the_weekend(found: Found, context: Context) -> Reading | None:
    return Reading("DATE", _weekend(context, 0, found))


def _relative_weekday(found: Found, context: Context) -> Reading | None:
    word = found["weekday"]
    if not capitalised(word) or word is None:
        return None
    weekday = WEEKDAYS[word.lower()]
    move, part = found.lower("rel"), found.lower("part")
    amount, from_reference = _MOVES[move]
    base = context.base() if from_reference else context.today
    if base is None:
        value = f"XXXX-WXX-{weekday}"
    else:
        direction = {-1: -2, 0: 1, 1: 2}[amount]
        if move == "this" and context.tense(found.start, found.end) == PAST:
            direction = -1
        value = weekday_near(base.day, weekday, direction).isoformat()
    if part:
        return Reading("TIME", f"{value}T{PARTS_OF_DAY[part]}")
    return Reading("DATE", value)


def _relative_month(found: Found, context: Context) -> Reading | None:
    word = found["month"]
    if not capitalised(word) or word is None:
        return None
    month = MONTHS[word.lower()]
    amount, from_reference = _MOVES[found.lower("rel")]
    base = context.base() if from_reference else context.today
    if base is None:
        return Reading("DATE", f"XXXX-{month:02d}")
    if amount < 0 and (base.day.month - month) % 12 == 1:
        # "last February" said in March is a year back: last month would be "last month"
        return Reading("DATE", f"{base.day.year - 1:04d}-{month:02d}")
    direction = {-1: -2, 0: 0, 1: 2}[amount]
    return Reading("DATE", f"{month_near(base.day, month, direction):04d}-{month:02d}")


def _ago(found: Found, context: Context) -> Reading | None:
    unit = UNIT_PLURALS.get(found.lower("unit"), found.lower("unit"))
    unit = "day" if unit == "night" else unit
    number = _amount(found)
    direction = found.lower("dir")
    sign = 1 if direction in ("later", "after", "from now", "hence") else -1
    if number is None:
        return Reading("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF")
    counted_from_reference = direction in ("earlier", "later", "before", "after")
    if unit in ("hour", "minute", "second"):
        return _clock_shift(context, unit, sign * number)
    unit, amount = _whole(unit, sign * number)
    grain = {"decade": "year", "century": "year"}.get(unit, unit)
    if unit in ("decade", "century"):
        unit, amount = "year", amount * (10 if unit == "decade" else 100)
    base = context.base() if counted_from_reference else context.today
    if base is None:
        return Reading("DATE", UNKNOWN[grain])
    # "Up from $3 million a year earlier" compares; it does not move the story a year back
    comparison = unit == "year" and abs(amount) == 1
    if unit == "year" and grain == "year":
        base, grain = _financial(context, base, counted_from_reference)
    return Reading("DATE", base.shifted(unit, amount).at(grain).value, aside=comparison)


def _financial(context: Context, base: Point, from_reference: bool) -> tuple[Point, str]:
    """The point and grain a year is counted from.

    A year back from a quarter the text just named is that quarter a year before; "a year
    earlier" than a named day or month is that day or month a year before; otherwise a
    year is a year.
    """
    last = context.reference
    if last is not None and last.grain == "quarter":
        return last, "quarter"
    if from_reference and last is not None and last.grain in ("day", "month"):
        return last, last.grain
    return base, "year"


def _amount(found: Found) -> float | None:
    words = found.lower("num")
    if not words or words.replace(" of", "") in ("a few", "few", "several", "some", "many"):
        return None
    if "couple" in words:
        return 2.0
    return parse_number(words)


def _whole(unit: str, amount: float) -> tuple[str, int]:
    """Whole units: a year and a half ago is eighteen months ago."""
    if amount == int(amount):
        return unit, int(amount)
    smaller = {
        "year": ("month", 12),
        "month": ("day", 30),
        "week": ("day", 7),
        "quarter": ("month", 3),
        "decade": ("year", 10),
        "century": ("year", 100),
    }
    if unit in smaller:
        name, factor = smaller[unit]
        return name, round(amount * factor)
    return unit, round(amount)


def _clock_shift(context: Context, unit: str, amount: float) -> Reading:
    """Hours and minutes counted from the publication time, or its date when it has none."""
    clock = context.clock
    seconds = {"hour": 3600, "minute": 60, "second": 1}[unit] * amount
    if clock is None or abs(seconds) > _DAY_SECONDS * 366:
        return Reading("DATE", at_grain(context.today, "day"))
    moment = clock + timedelta(seconds=seconds)
    return Reading("TIME", moment.strftime("%Y-%m-%dT%H:%M"))


def _anaphoric_day(found: Found, context: Context) -> Reading | None:
    """A day counted from the named date: "that day", "the next morning", "the day before"."""
    phrase = found.lower("phrase")
    amount = (
        -1
        if ("before" in phrase or "previous" in phrase or "prior" in phrase)
        else (1 if ("next" in phrase or "following" in phrase or "after" in phrase) else 0)
    )
    base = context.base()
    point = base.at("day").shifted("day", amount) if base is not None else None
    part = found.lower("part")
    day = at_grain(point, "day")
    return Reading("TIME", f"{day}T{PARTS_OF_DAY[part]}") if part else Reading("DATE", day)


def _the_year(found: Found, context: Context) -> Reading | None:
    """The year the text is in; but "the year ended March 31" is a year's length."""
    if found["ended"] is not None:
        return Reading("DURATION", "P1Y")
    return Reading("DATE", at_grain(context.today, "year"))


def _edge_of(found: Found, context: Context) -> Reading | None:
    """The year or month the text is in, by its edge: "year-end", "the end of the month"."""
    unit = found.lower("unit") or found.lower("unit2")
    return Reading("DATE", at_grain(context.base(), "year" if unit.startswith("year") else unit))


def _this_century(found: Found, context: Context) -> Reading | None:
    amount, _ = _MOVES[found.lower("rel")]
    return Reading("DATE", deictic(context, "century", amount))


_WEEKDAY_KEYS = frozenset(FULL_WEEKDAYS)
_PART_KEYS = frozenset({"morning", "afternoon", "evening", "night"})

RELATIVE_RULES = (
    Rule(
        rf"(?P<num>{NUMBER}|{_VAGUE})\s+{_AGO_UNITS}s?(?:\s+or\s+so)?\s+(?P<dir>ago|earlier|later"
        r"|from\s+now|hence|back|before(?=\s*[.,;])|after(?=\s*[.,;]))",
        _ago,
        frozenset({"ago", "earlier", "later", "now", "hence", "back", "before", "after"}),
    ),
    Rule(
        rf"{_AGO_UNITS}s\s+(?P<dir>ago|earlier|later)", _ago, frozenset({"ago", "earlier", "later"})
    ),
    Rule(
        rf"(?P<rel>{_MOVE_WORDS})\s+(?P<unit>week|weekend|month|quarter|fiscal\s+year"
        r"|fiscal\s+quarter|year|decade|half)(?P<ended>(?=\s+end(?:ed|ing)\b))?",
        _relative_unit,
        frozenset({"week", "weekend", "month", "quarter", "year", "decade", "half"}),
    ),
    Rule(
        r"(?P<rel>this|the\s+current|the\s+last|the\s+past|the\s+next)\s+century",
        _this_century,
        frozenset({"century"}),
    ),
    Rule(r"(?P<rel>the)\s+weekend", _the_weekend, frozenset({"weekend"})),
    Rule(
        r"the\s+(?:(?:fiscal|full|calendar|financial)\s+)?year(?P<ended>(?=\s+end(?:ed|ing)\b))?"
        r"(?!-|\s+(?:before|after|earlier|ago|later|of|in|when|that|since|[12]\d\d\d)\b)",
        _the_year,
        frozenset({"year"}),
    ),
    Rule(
        r"(?:the\s+)?(?:fiscal\s+)?(?P<unit>year(?:['’]s)?|month)[\s-]+end"
        r"|the\s+(?:end|beginning|start|middle)\s+of\s+the\s+(?P<unit2>month|week|quarter)",
        _edge_of,
        frozenset({"end", "beginning", "start", "middle"}),
    ),
    Rule(
        rf"(?P<rel>{_MOVE_WORDS})\s+(?P<weekday>{WEEKDAY_WORDS})"
        rf"(?:\s+(?P<part>{PART_OF_DAY_WORDS}))?",
        _relative_weekday,
        _WEEKDAY_KEYS,
    ),
    Rule(
        rf"(?P<rel>{_MOVE_WORDS})\s+(?P<month>{MONTH_WORDS})\.?", _relative_month, frozenset(MONTHS)
    ),
    Rule(
        r"(?P<word>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|yesterday"
        rf"|today|tomorrow|tonight)(?:\s+(?P<part>{PART_OF_DAY_WORDS}))?"
        rf"|(?P<this>this|last)\s+(?P<part2>{PART_OF_DAY_WORDS})",
        _day_word,
        _PART_KEYS | {"yesterday", "today", "tomorrow", "tonight"},
    ),
    Rule(r"overnight", _overnight, frozenset({"overnight"})),
    Rule(
        r"(?P<phrase>(?:that|the\s+same|that\s+same|the\s+next|the\s+following|the\s+previous"
        r"|the\s+prior)\s+(?:day|morning|afternoon|evening|night)|the\s+day\s+(?:before|after)"
        r"(?=\s*[.,;])|that\s+(?:morning|afternoon|evening|night))",
        _anaphoric_day,
        _PART_KEYS | {"day"},
    ),
    Rule(
        r"right\s+now|just\s+now|now(?!-)|nowadays|currently|current|presently|at\s+present"
        r"|at\s+the\s+moment|these\s+days|the\s+present(?:\s+time)?",
        _present,
        frozenset({"now", "nowadays", "currently", "current", "presently", "present", "moment"})
        | {"days"},
    ),
    Rule(
        r"the\s+past|(?:in\s+)?recent\s+times|recently|lately|formerly|the\s+old\s+days"
        r"|long\s+ago|a\s+while\s+ago|some\s+time\s+ago|earlier\s+times",
        _past,
        frozenset({"past", "recently", "lately", "formerly", "ago", "days", "times"}),
    ),
    Rule(
        r"the\s+(?:near\s+|distant\s+|foreseeable\s+)?future|future(?=\s*[.,;])|the\s+near\s+term"
        r"|the\s+(?:short|long|medium)\s+(?:term|run)|a\s+later\s+date|as\s+soon\s+as\s+possible"
        r"|(?:the\s+)?coming\s+(?:days|weeks|months|years|decades|quarters)"
        r"|the\s+(?:days|weeks|months|years)\s+ahead",
        _future,
        frozenset({"future", "term", "run", "date", "possible", "coming", "ahead"}),
    ),
)
