"""Rules for dates: "March 7", "7 March 2025", "Sunday", "August 2024", "1998", "2024-03-07".

A date without a year ("March 7", "August") lies within a few months of publication in
news, so it keeps the anchor's year unless it is far from the anchor, when the tense of its
sentence says which side it is on. A bare weekday is the anchor's own day or the nearest
one on the side the sentence leans to: "met on Sunday" is the Sunday before publication,
"meets on Sunday" the one after.
"""

from __future__ import annotations

import re
from datetime import date

from storyline.understand.timex_calendar import Point, weekday_near
from storyline.understand.timex_context import FUTURE, PAST, PRESENT, Context
from storyline.understand.timex_rule import (
    YEAR_KEY,
    Found,
    Reading,
    Rule,
    at_grain,
    capitalised,
    keys,
)
from storyline.understand.timex_words import (
    FULL_MONTH_WORDS,
    FULL_MONTHS,
    FULL_WEEKDAYS,
    MONTH_WORDS,
    MONTHS,
    ORDINALS,
    PART_OF_DAY_WORDS,
    PARTS_OF_DAY,
    WEEKDAY_WORDS,
    WEEKDAYS,
    parse_number,
    words,
)

_DAY_ORDINALS = {
    **{word: n for word, n in ORDINALS.items() if 0 < n <= 20},
    **{f"twenty {word}": 20 + n for word, n in ORDINALS.items() if 0 < n <= 9},
    "thirtieth": 30,
    "thirty first": 31,
}
_DAY_ORDINAL_WORDS = "|".join(
    w.replace(" ", r"[\s-]") for w in sorted(_DAY_ORDINALS, key=len, reverse=True)
)
SPELLED_YEAR = (
    r"nineteen[\s-]+(?:hundred[\s-]+)?(?:(?:and[\s-]+)?(?:ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|(?:twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?))"
    r"|two\s+thousand(?:[\s-]+(?:and[\s-]+)?(?:one|two|three|four|five|six|seven|eight|nine|ten))?"
)
MONTH = rf"(?P<month>{MONTH_WORDS})\.?"
DAY = r"(?:(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?|(?:the\s+)?(?P<dayword>" + (
    _DAY_ORDINAL_WORDS + "))"
)
YEAR = r"(?P<year>1[0-9]\d\d|20\d\d)"
WEEKDAY = rf"(?P<weekday>{WEEKDAY_WORDS})"
# How far from the anchor, in months, a date without a year is taken as this year's outright.
_SURE_MONTHS = 3
_NOT_A_YEAR = re.compile(r"%|-(?!(?:\d\d|\d{4})\b)\d")


def day_of(found: Found) -> int | None:
    """The day of the month a match names in digits ("7th") or words ("the seventh")."""
    if found["day"]:
        return int(found["day"])
    return _DAY_ORDINALS.get(found.lower("dayword"))


def month_of(found: Found) -> int | None:
    """The month a matched name stands for; a lowercase name is an ordinary word."""
    word = found["month"]
    return MONTHS[word.lower()] if capitalised(word) and word is not None else None


def year_of(found: Found) -> int | None:
    """The year a match names in digits or in words ("nineteen ninety-six")."""
    if found["year"]:
        return int(found["year"])
    if found["spelled"]:
        number = parse_number(found["spelled"])
        return int(number) if number is not None else None
    return None


def resolve_day(context: Context, month: int, day: int, found: Found) -> str:
    """A month and day without a year, placed by :func:`nearest_year`."""
    anchor = context.anchor
    if anchor is None:
        return f"XXXX-{month:02d}-{day:02d}"
    named = _safe_date(anchor.year, month, day) or date(anchor.year, month, 28)
    year = nearest_year(context, found, (named - anchor).days / 30.44)
    return _day_value(year, month, day)


def resolve_month(context: Context, month: int, found: Found) -> str:
    """A month without a year, placed by :func:`nearest_year`."""
    anchor = context.anchor
    if anchor is None:
        return f"XXXX-{month:02d}"
    year = nearest_year(context, found, month - anchor.month)
    return f"{year:04d}-{month:02d}"


def nearest_year(context: Context, found: Found, months_ahead: float) -> int:
    """The year of a date named without one, ``months_ahead`` of the anchor in its year.

    News dates lie within a few months of publication, so a date that close keeps the
    anchor's year whatever the verb ("was extended to Dec. 15" in late October is this
    December). Further off, the sentence's leaning picks the year before or after, and
    with no leaning the nearer of the two wins.
    """
    assert context.anchor is not None
    year = context.anchor.year
    if abs(months_ahead) <= _SURE_MONTHS:
        return year
    leaning = context.leaning(found.start, found.end)
    if leaning == PAST or (leaning != FUTURE and months_ahead > 6):
        return year - 1 if months_ahead > 0 else year
    if leaning == FUTURE or months_ahead < -6:
        return year + 1 if months_ahead < 0 else year
    return year


def resolve_weekday(context: Context, weekday: int, found: Found) -> Point | None:
    """The day a bare weekday names: the anchor's own, else before or after as it leans."""
    anchor = context.anchor
    if anchor is None:
        return None
    if anchor.isoweekday() == weekday:
        return Point(anchor)
    direction = 1 if context.leaning(found.start, found.end) in (FUTURE, PRESENT) else -1
    return Point(weekday_near(anchor, weekday, direction))


def _day_value(year: int, month: int, day: int) -> str:
    found = _safe_date(year, month, day)
    return found.isoformat() if found else f"{year:04d}-{month:02d}"


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_date(found: Found, context: Context) -> Reading | None:
    month, day, year = month_of(found), day_of(found), year_of(found)
    if month is None or day is None or year is None:
        return None
    return Reading("DATE", _day_value(year, month, day))


def _month_day(found: Found, context: Context) -> Reading | None:
    month, day = month_of(found), day_of(found)
    if month is None or day is None:
        return None
    return Reading("DATE", resolve_day(context, month, day, found))


def _weekday_date(found: Found, context: Context) -> Reading | None:
    """A weekday and a date: the year near the anchor in which the date is that weekday."""
    if found["year"]:
        return _full_date(found, context)
    month, day, anchor = month_of(found), day_of(found), context.anchor
    if month is None or day is None or anchor is None:
        return _month_day(found, context)
    weekday = WEEKDAYS[found.lower("weekday")]
    fitting = [
        candidate
        for year in (anchor.year - 1, anchor.year, anchor.year + 1)
        if (candidate := _safe_date(year, month, day)) and candidate.isoweekday() == weekday
    ]
    if not fitting:
        return _month_day(found, context)
    return Reading("DATE", min(fitting, key=lambda d: abs((d - anchor).days)).isoformat())


def _numeric_date(found: Found, context: Context) -> Reading | None:
    """3/7/2025 is March 7 as American news writes it; 25/3/2025 can only be day first."""
    first, second = int(found["first"] or 0), int(found["second"] or 0)
    year = int(found["year"] or 0)
    if year < 100:
        year += 1900 if year > 50 else 2000
    month, day = (first, second) if first <= 12 else (second, first)
    if not 1 <= month <= 12:
        return None
    return Reading("DATE", _day_value(year, month, day))


def _iso_date(found: Found, context: Context) -> Reading | None:
    year, month, day = int(found["year"] or 0), int(found["mm"] or 0), int(found["dd"] or 0)
    value = _day_value(year, month, day)
    if found["hh"]:
        return Reading("TIME", f"{value}T{found['hh']}:{found['mi']}")
    return Reading("DATE", value)


def _month_year(found: Found, context: Context) -> Reading | None:
    month, year = month_of(found), year_of(found)
    if month is None:
        return None
    if year is None:
        relative = {"last": -1, "this": 0, "next": 1}[found.lower("rel")]
        if context.anchor is None:
            return Reading("DATE", f"XXXX-{month:02d}")
        year = context.anchor.year + relative
    return Reading("DATE", f"{year:04d}-{month:02d}")


def _month(found: Found, context: Context) -> Reading | None:
    month = month_of(found)  # the rule only matches full names
    if month is None or not _month_alone(found, context):
        return None
    return Reading("DATE", resolve_month(context, month, found))


def _month_alone(found: Found, context: Context) -> bool:
    """A month name alone is a date unless it is a first name or "may" the verb."""
    after = context.text[found.end : found.end + 3]
    if after[:1] == " " and after[1:2].isupper() and after[1:3] != "I ":
        return False  # "August Wilson", "April Ryan"
    if found.lower("month") in ("may", "march"):
        before = context.text[max(0, found.start - 16) : found.start].lower().split()
        return bool(before) and before[-1] in _MONTH_PREPOSITIONS
    return True


_MONTH_PREPOSITIONS = words(
    "in of since until till by from through during before after between early late mid last "
    "next this and or to on"
)


def _weekday(found: Found, context: Context) -> Reading | None:
    word = found["weekday"]
    if not capitalised(word) or word is None:
        return None
    weekday = WEEKDAYS[word.lower()]
    if found["plural"]:
        return Reading("SET", f"XXXX-WXX-{weekday}")
    point = resolve_weekday(context, weekday, found)
    return Reading("DATE", point.value if point else f"XXXX-WXX-{weekday}")


def _weekday_part(found: Found, context: Context) -> Reading | None:
    word = found["weekday"]
    if not capitalised(word) or word is None:
        return None
    weekday, part = WEEKDAYS[word.lower()], PARTS_OF_DAY[found.lower("part")]
    if found["plural"] or found["parts"]:
        return Reading("SET", f"XXXX-WXX-{weekday}T{part}")
    point = resolve_weekday(context, weekday, found)
    return Reading("TIME", f"{point.value if point else 'XXXX-XX-XX'}T{part}")


def _year(found: Found, context: Context) -> Reading | None:
    year = year_of(found)
    if year is None:
        return None
    if _NOT_A_YEAR.match(context.text, found.end):
        return None  # "1990%", "2023-456"; a range such as "2023-24" or "2023-2024" is kept
    return Reading("DATE", f"{year:04d}")


def _short_year(found: Found, context: Context) -> Reading | None:
    """'98 is 1998 and '24 is 2024: the latest year with those digits not far ahead."""
    digits = int(found["short"] or 0)
    current = context.anchor.year if context.anchor else 2000
    year = (current // 100) * 100 + digits
    if year > current + 10:
        year -= 100
    if found["decade_s"]:
        return Reading("DATE", f"{year // 10:03d}")
    return Reading("DATE", f"{year:04d}")


def _week_of(found: Found, context: Context) -> Reading | None:
    reading = _month_day(found, context)
    if reading is None:
        return None
    point = Point.parse(reading[1])
    return Reading("DATE", at_grain(point, "week") if point else "XXXX-WXX")


_MONTH_KEYS = frozenset(MONTHS)
_WEEKDAY_KEYS = keys(FULL_WEEKDAYS, (f"{day}s" for day in FULL_WEEKDAYS))
_SPELLED_KEYS = frozenset({"nineteen", "thousand"})
_SHORT_YEAR_KEYS = frozenset(f"{mark}{digit}" for mark in "'’" for digit in "0123456789")

DATE_RULES = (
    Rule(
        rf"{WEEKDAY}(?P<plural>s)?\s+(?P<part>{PART_OF_DAY_WORDS})(?P<parts>s)?",
        _weekday_part,
        _WEEKDAY_KEYS,
    ),
    Rule(rf"{WEEKDAY},?\s+{MONTH}\s+{DAY}(?:,?\s+{YEAR})?", _weekday_date, _WEEKDAY_KEYS),
    Rule(rf"{WEEKDAY},?\s+{DAY}(?:\s+of)?\s+{MONTH}(?:,?\s+{YEAR})?", _weekday_date, _WEEKDAY_KEYS),
    Rule(
        rf"{MONTH}\s+{DAY}(?:,\s*|\s+)(?:{YEAR}|(?P<spelled>{SPELLED_YEAR}))",
        _full_date,
        _MONTH_KEYS,
    ),
    Rule(rf"{DAY}(?:\s+of)?\s+{MONTH},?\s+{YEAR}", _full_date, _MONTH_KEYS),
    Rule(
        r"(?P<year>1[89]\d\d|20\d\d)-(?P<mm>0[1-9]|1[0-2])-(?P<dd>[0-2]\d|3[01])"
        r"(?:t(?P<hh>[01]\d|2[0-3]):(?P<mi>[0-5]\d)(?::\d\d)?)?",
        _iso_date,
        frozenset({YEAR_KEY}),
    ),
    Rule(
        r"(?P<first>[0-3]?\d)/(?P<second>[0-3]?\d)/(?P<year>(?:19|20)\d\d|\d\d)",
        _numeric_date,
        frozenset({"/"}),
    ),
    Rule(rf"the\s+week\s+of\s+{MONTH}\s+{DAY}", _week_of, frozenset({"week"})),
    Rule(
        rf"{MONTH},?\s+(?:of\s+)?(?:{YEAR}|(?P<spelled>{SPELLED_YEAR})"
        r"|(?P<rel>this|last|next)\s+year)",
        _month_year,
        _MONTH_KEYS,
    ),
    Rule(rf"{MONTH}\s+{DAY}", _month_day, _MONTH_KEYS),
    Rule(rf"{DAY}(?:\s+of)?\s+{MONTH}", _month_day, _MONTH_KEYS),
    Rule(r"(?:the\s+)?['’](?P<short>\d\d)(?P<decade_s>s)?", _short_year, _SHORT_YEAR_KEYS),
    Rule(rf"(?:the\s+year\s+)?(?P<spelled>{SPELLED_YEAR})", _year, _SPELLED_KEYS),
    Rule(
        r"(?:(?:fiscal|financial)(?:\s+year)?\s*|fy\s*)?(?P<year>1[0-9]\d\d|20\d\d)(?![.,]\d)",
        _year,
        frozenset({YEAR_KEY}),
    ),
    Rule(rf"{WEEKDAY}(?P<plural>s)?", _weekday, _WEEKDAY_KEYS),
    Rule(rf"(?P<month>{FULL_MONTH_WORDS})", _month, frozenset(FULL_MONTHS)),
)
