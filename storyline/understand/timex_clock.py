"""Rules for times of day: "10:35 a.m.", "5 p.m. EST, Nov. 6", "noon Saturday", "4 in the
morning".

A clock time falls on the day named beside it, else on the last day the article named, else
on the publication date. TimeML leaves the time zone out of the value, and so does this.
"""

from __future__ import annotations

from datetime import timedelta

from storyline.understand.timex_context import Context
from storyline.understand.timex_dates import (
    MONTH,
    WEEKDAY,
    day_of,
    month_of,
    resolve_day,
    resolve_weekday,
)
from storyline.understand.timex_rule import Found, Reading, Rule
from storyline.understand.timex_words import INSTANTS, WEEKDAYS

CLOCK = (
    r"(?:(?P<hour>[01]?\d|2[0-3])(?:[:.](?P<minute>[0-5]\d))?\s*(?P<meridiem>[ap]\.?\s?m\b\.?)"
    r"|(?P<hh>[01]?\d|2[0-3]):(?P<mm>[0-5]\d)|(?P<instant>noon|midnight|midday)"
    r"|(?P<oclock>[01]?\d)\s+o'clock)"
    r"(?:\s+(?P<zone>[ecmp][sd]t|et|ct|mt|pt|gmt|utc|bst|cet|cest)\b)?"
)
_DAY_BESIDE = (
    rf"(?:{WEEKDAY}|{MONTH}\s+(?P<day>[12]\d|3[01]|0?[1-9])"
    r"|(?P<rel>yesterday|today|tonight|tomorrow))"
)
_DAY_SHIFT = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
_HOURS_FROM = {"morning": 0, "afternoon": 12, "evening": 12, "night": 12}
# Words that make "3:16" a time: "at 3:16", "by 10:30". Alone it is as often a score.
_CLOCK_PREPOSITIONS = frozenset(
    ["at", "by", "until", "till", "from", "before", "after", "around", "about", "since", "to"]
)
_CLOCK_KEYS = frozenset({"a.m", "p.m", "am", "pm", "noon", "midnight", "midday", "o'clock", ":"})


def _clock(found: Found, context: Context) -> Reading | None:
    time = _time_of_day(found)
    if time is None:
        return None
    if found["hh"] and not (found["zone"] or _after_preposition(found, context)):
        return None
    return Reading("TIME", f"{_day_of_clock(found, context)}T{time}")


def _time_of_day(found: Found) -> str | None:
    """The clock time as hh:mm on a 24-hour clock; None for an impossible hour."""
    if found["instant"]:
        return INSTANTS[found.lower("instant")]
    if found["hh"]:
        return f"{int(found['hh']):02d}:{found['mm']}"
    if found["oclock"]:
        return f"{int(found['oclock']):02d}:00"
    hour = int(found["hour"] or 0)
    if not 1 <= hour <= 12:
        return None
    meridiem = found.lower("meridiem")
    if meridiem.startswith("p") and hour < 12:
        hour += 12
    elif meridiem.startswith("a") and hour == 12:
        hour = 0
    return f"{hour:02d}:{found['minute'] or '00'}"


def _after_preposition(found: Found, context: Context) -> bool:
    words = context.text[max(0, found.start - 12) : found.start].lower().split()
    return bool(words) and words[-1] in _CLOCK_PREPOSITIONS


def _day_of_clock(found: Found, context: Context) -> str:
    """The day a clock time falls on: the one named beside it, else the one in the story."""
    if found["weekday"]:
        point = resolve_weekday(context, WEEKDAYS[found.lower("weekday")], found)
        return point.value if point else "XXXX-XX-XX"
    month, day = month_of(found), day_of(found)
    if month is not None and day is not None:
        return resolve_day(context, month, day, found)
    anchor = context.anchor
    if found["rel"]:
        shift = _DAY_SHIFT[found.lower("rel")]
        return (anchor + timedelta(days=shift)).isoformat() if anchor else "XXXX-XX-XX"
    reference = context.reference
    if reference is not None and reference.grain == "day":
        return reference.value
    return anchor.isoformat() if anchor else "XXXX-XX-XX"


def _spoken_hour(found: Found, context: Context) -> Reading | None:
    """Spoken hours: "4 in the morning" is 04:00 and "8 in the evening" 20:00."""
    hour = int(found["hour"] or 0)
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + _HOURS_FROM[found.lower("part")]
    return Reading("TIME", f"{_day_of_clock(found, context)}T{hour:02d}:00")


CLOCK_RULES = (
    Rule(
        rf"(?:(?:around|about|approximately)\s+)?{CLOCK},?\s+(?:on\s+)?{_DAY_BESIDE}",
        _clock,
        _CLOCK_KEYS,
    ),
    Rule(rf"(?:(?:around|about|approximately)\s+)?{CLOCK}", _clock, _CLOCK_KEYS),
    Rule(
        r"(?P<hour>1[0-2]|0?[1-9])(?:\s+o'clock)?\s+in\s+the\s+(?P<part>morning|afternoon"
        r"|evening|night)",
        _spoken_hour,
        frozenset({"morning", "afternoon", "evening", "night"}),
    ),
)
