"""Feed dates to aware UTC datetimes: ISO-8601 / RFC 3339, RFC 822, or nothing."""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_timestamp(text: str | None) -> datetime | None:
    """``text`` as an aware UTC datetime; None when it is missing or not a date.

    A time without an offset is taken as UTC, which is what feed specifications say.
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    value: datetime | None
    try:
        if _DATE_ONLY.match(text):
            day = date.fromisoformat(text)
            value = datetime(day.year, day.month, day.day)
        else:
            value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's UTC ``struct_time`` as an aware datetime."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None
