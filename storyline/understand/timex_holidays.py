"""Holidays news names instead of dates, and the day each falls on in a given year.

Fixed holidays keep their day; the moving ones are the nth weekday of a month (US
Thanksgiving is the fourth Thursday of November) or hang on Easter, found with the
anonymous Gregorian computus.
"""

from __future__ import annotations

from datetime import date, timedelta

from storyline.understand.timex_words import alternation

_FIXED = {
    "new year's day": (1, 1),
    "new year's eve": (12, 31),
    "valentine's day": (2, 14),
    "st. patrick's day": (3, 17),
    "st patrick's day": (3, 17),
    "may day": (5, 1),
    "independence day": (7, 4),
    "bastille day": (7, 14),
    "halloween": (10, 31),
    "veterans day": (11, 11),
    "armistice day": (11, 11),
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "christmas": (12, 25),
    "boxing day": (12, 26),
}
# (month, weekday with 1 = Monday, nth; -1 = the last in the month)
_NTH_WEEKDAY = {
    "martin luther king day": (1, 1, 3),
    "presidents day": (2, 1, 3),
    "presidents' day": (2, 1, 3),
    "mother's day": (5, 7, 2),
    "memorial day": (5, 1, -1),
    "father's day": (6, 7, 3),
    "labor day": (9, 1, 1),
    "columbus day": (10, 1, 2),
    "thanksgiving day": (11, 4, 4),
    "thanksgiving": (11, 4, 4),
}
_FROM_EASTER = {
    "easter": 0,
    "easter sunday": 0,
    "easter day": 0,
    "good friday": -2,
    "easter monday": 1,
    "palm sunday": -7,
    "ash wednesday": -46,
}
# Names written in the text may use curly apostrophes.
_NAMES = [*_FIXED, *_NTH_WEEKDAY, *_FROM_EASTER, "election day"]
HOLIDAY_WORDS = alternation(_NAMES).replace("'", "['’]")
HOLIDAY_KEYS = frozenset(name.split()[0].split("'")[0].rstrip(".") for name in _NAMES)


def holiday(name: str, year: int) -> date | None:
    """The day of the holiday ``name`` (lowercase) in ``year``; None for unknown names."""
    name = name.replace("’", "'")
    if name in _FIXED:
        month, day = _FIXED[name]
        return date(year, month, day)
    if name in _NTH_WEEKDAY:
        return nth_weekday(year, *_NTH_WEEKDAY[name])
    if name in _FROM_EASTER:
        return easter(year) + timedelta(days=_FROM_EASTER[name])
    if name == "election day":
        return nth_weekday(year, 11, 1, 1) + timedelta(days=1)  # Tuesday after 1st Monday
    return None


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` ``weekday`` (1 = Monday) of the month; ``nth`` -1 is the last one."""
    if nth > 0:
        first = date(year, month, 1)
        offset = (weekday - first.isoweekday()) % 7
        return first + timedelta(days=offset + 7 * (nth - 1))
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.isoweekday() - weekday) % 7)


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)
