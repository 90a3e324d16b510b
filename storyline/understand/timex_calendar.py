"""Calendar arithmetic for time expressions: a day seen at a grain, shifted and written.

A :class:`Point` is a day and the grain it is known to (day, week, month, quarter, ...).
"Last month" is the anchor's day shifted one month back and written at month grain
(``2025-05``); "a year earlier" after "the third quarter" is that quarter shifted four
quarters back (``2024-Q3``). Values are written as TimeML writes ISO-8601.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

_SEASON_MONTH = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
_VALUE = re.compile(
    r"(?P<year>\d{4})(?:-(?:(?P<month>\d\d)(?:-(?P<day>\d\d))?|W(?P<week>\d\d?)(?P<we>-WE)?"
    r"|Q(?P<quarter>[1-4])|H(?P<half>[12])|(?P<season>SP|SU|FA|WI)))?(?:T.*)?"
    r"|(?P<decade>\d{3})|(?P<century>\d\d)"
)


@dataclass(frozen=True)
class Point:
    """A day known to ``grain``; ``value`` writes it as TimeML does."""

    day: date
    grain: str = "day"

    @classmethod
    def parse(cls, value: str) -> Point | None:
        """The point a TimeML date value names (``2025-06``, ``2025-Q2``, ``2025-W23``...)."""
        match = _VALUE.fullmatch(value)
        if match is None:
            return None
        try:
            return cls._from_parts(match.groupdict())
        except ValueError:  # a year 0, a 31 June
            return None

    @classmethod
    def _from_parts(cls, parts: dict[str, str | None]) -> Point:
        if parts["decade"]:
            return cls(date(int(parts["decade"]) * 10, 1, 1), "decade")
        if parts["century"]:
            return cls(date(int(parts["century"]) * 100, 1, 1), "century")
        year = int(parts["year"] or 0)
        if parts["week"]:
            monday = date.fromisocalendar(year, max(1, min(52, int(parts["week"]))), 1)
            return cls(monday, "weekend" if parts["we"] else "week")
        if parts["quarter"]:
            return cls(date(year, int(parts["quarter"]) * 3 - 2, 1), "quarter")
        if parts["half"]:
            return cls(date(year, int(parts["half"]) * 6 - 5, 1), "half")
        if parts["season"]:
            return cls(date(year, _SEASON_MONTH[parts["season"]], 1), "season")
        if parts["month"]:
            month = int(parts["month"])
            if parts["day"]:
                return cls(date(year, month, int(parts["day"])), "day")
            return cls(date(year, month, 1), "month")
        return cls(date(year, 1, 1), "year")

    @property
    def value(self) -> str:
        day, grain = self.day, self.grain
        if grain == "day":
            return day.isoformat()
        if grain in ("week", "weekend"):
            year, week, _ = day.isocalendar()
            return f"{year:04d}-W{week:02d}" + ("-WE" if grain == "weekend" else "")
        if grain == "month":
            return f"{day.year:04d}-{day.month:02d}"
        if grain == "quarter":
            return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
        if grain == "half":
            return f"{day.year:04d}-H{1 if day.month <= 6 else 2}"
        if grain == "season":
            return season_value(day)
        if grain == "decade":
            return f"{day.year // 10:03d}"
        if grain == "century":
            return f"{day.year // 100:02d}"
        return f"{day.year:04d}"

    def at(self, grain: str) -> Point:
        """The same day seen at another grain."""
        return Point(self.day, grain)

    def shifted(self, unit: str, amount: int) -> Point:
        """The point ``amount`` units later (earlier when negative), at the same grain."""
        return Point(shift(self.day, unit, amount), self.grain)


def shift(day: date, unit: str, amount: int) -> date:
    """``day`` moved by ``amount`` calendar units; a month end stays inside the month.

    The move stops at the ends of the calendar (years 1 and 9999): "a million days ago"
    is as far back as a date goes, not an error.
    """
    if unit in ("day", "week", "weekend"):
        days = amount * (1 if unit == "day" else 7)
        try:
            return day + timedelta(days=days)
        except OverflowError:
            return date.min if days < 0 else date.max
    months = {"month": 1, "quarter": 3, "season": 3, "half": 6, "year": 12, "decade": 120}
    return add_months(day, amount * months.get(unit, 1200 if unit == "century" else 1))


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, kept inside the month it lands in (Jan 31 + 1 = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(max(12, min(9999 * 12 + 11, index)), 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def season_value(day: date) -> str:
    """TimeML's season of ``day``; a winter is named by the year its December falls in."""
    if day.month in (3, 4, 5):
        return f"{day.year:04d}-SP"
    if day.month in (6, 7, 8):
        return f"{day.year:04d}-SU"
    if day.month in (9, 10, 11):
        return f"{day.year:04d}-FA"
    return f"{day.year - (day.month < 3):04d}-WI"


def weekday_near(anchor: date, weekday: int, direction: int) -> date:
    """The day named ``weekday`` (1 = Monday) nearest ``anchor`` in ``direction``.

    ``direction`` -1 looks back and +1 ahead, both counting the anchor itself; -2 and +2 are
    "last Friday" and "next Friday", which never mean the anchor's own day.
    """
    delta = weekday - anchor.isoweekday()
    if direction == -1:
        return anchor + timedelta(days=delta - 7 if delta > 0 else delta)
    if direction == -2:
        return anchor + timedelta(days=delta - 7 if delta >= 0 else delta)
    if direction == 2:
        return anchor + timedelta(days=delta + 7 if delta <= 0 else delta)
    return anchor + timedelta(days=delta + 7 if delta < 0 else delta)


def month_near(anchor: date, month: int, direction: int) -> int:
    """The year of the month ``month`` nearest ``anchor`` in ``direction``.

    0 keeps the anchor's year, -1 and +1 take the latest and the next such month counting
    the anchor's own, -2 and +2 ("last May", "next May") exclude the anchor's month.
    """
    year = anchor.year
    if direction in (-1, -2) and (
        month > anchor.month or (direction == -2 and month == anchor.month)
    ):
        return year - 1
    if direction in (1, 2) and (month < anchor.month or (direction == 2 and month == anchor.month)):
        return year + 1
    return year
