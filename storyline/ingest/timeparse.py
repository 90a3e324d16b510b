"""Times written for people: "2 hours ago", "yesterday", "June 8", and datelines.

Aggregator pages and wire copy rarely carry a machine-readable timestamp. What they do
carry is a relative time next to each entry and, at the start of the text, a dateline
("KYIV, March 3 (Reuters) -"). Both are resolved against ``as_of``, the moment the page
was saved, and every result is timezone-aware UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
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
    "a few": 3,
    "few": 3,
    "several": 3,
}

_UNIT_SECONDS = {
    **dict.fromkeys(("s", "sec", "second"), 1),
    **dict.fromkeys(("m", "min", "minute"), 60),
    **dict.fromkeys(("h", "hr", "hour"), 3600),
    **dict.fromkeys(("d", "day"), 86_400),
    **dict.fromkeys(("w", "wk", "week"), 7 * 86_400),
    **dict.fromkeys(("mo", "mth", "month"), 30 * 86_400),
    **dict.fromkeys(("y", "yr", "year"), 365 * 86_400),
}

_RELATIVE = re.compile(
    r"(?:about |around |over |almost |nearly )?"
    r"(?P<count>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|a few|few|several)"
    r"\s*(?P<unit>[a-z]+?)s?\.?\s+ago",
    re.IGNORECASE,
)

_FIXED_OFFSETS = {
    "just now": timedelta(0),
    "now": timedelta(0),
    "moments ago": timedelta(0),
    "a moment ago": timedelta(0),
    "today": timedelta(0),
    "yesterday": timedelta(days=1),
    "last week": timedelta(days=7),
}

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_MONTH_DAY = re.compile(
    rf"(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(
    rf"(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})(?:,?\s+(?P<year>\d{{4}}))?", re.IGNORECASE
)

# A dateline: an optional place in capitals (with an optional ", Region"), then a date,
# an agency in parentheses, or both, then a dash. "WASHINGTON (AP) —", "June 8 (UPI) --",
# "KYIV, March 3 (Reuters) -".
_CAPS_WORD = r"[A-Z][A-Z.'’/\-]+"
_TITLE_WORD = r"[A-Z][A-Za-z.'’\-]+"
_PLACE = rf"{_CAPS_WORD}(?:\s+{_CAPS_WORD})*(?:,\s+{_TITLE_WORD}(?:\s+{_TITLE_WORD})*)?"
_DATELINE = re.compile(
    rf"(?:(?P<place>{_PLACE})(?:,\s*|\s+))?"
    rf"(?P<date>{_MONTH}\s+\d{{1,2}}(?:,\s+\d{{4}})?)?\s*"
    r"(?:\((?P<agency>[A-Z][^()\n]{0,40})\))?"
    r"\s*(?:--|—|–|-)\s"
)


@dataclass(frozen=True)
class Dateline:
    """What the opening words of a story say: when (as a date), and which agency."""

    text: str
    published_at: datetime | None
    agency: str | None


def parse_relative_time(label: str, as_of: datetime) -> datetime | None:
    """The moment ``label`` ("2 hours ago", "an hour ago", "yesterday") names, or None.

    The whole label must be a relative time: a line that merely mentions one is not.
    """
    as_of = to_utc(as_of)
    text = " ".join(label.strip().lower().split())
    if text in _FIXED_OFFSETS:
        return as_of - _FIXED_OFFSETS[text]
    match = _RELATIVE.fullmatch(text)
    if match is None:
        return None
    unit = _UNIT_SECONDS.get(match["unit"].lower())
    if unit is None:
        return None
    raw = match["count"].lower()
    count = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    return as_of - timedelta(seconds=count * unit)


def parse_time_label(label: str, as_of: datetime) -> datetime | None:
    """A time shown next to an entry: relative ("3 days ago") or a date ("June 8, 2025")."""
    relative = parse_relative_time(label, as_of)
    if relative is not None:
        return relative
    text = label.strip()
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        match = pattern.fullmatch(text)
        if match:
            return _resolve_date(match["month"], int(match["day"]), match["year"], as_of)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return to_utc(parsed)


def find_dateline(text: str, as_of: datetime) -> Dateline | None:
    """The dateline that opens ``text``, if any: its date (year: the latest such date not
    after ``as_of``) and the news agency named in parentheses."""
    match = _DATELINE.match(text.lstrip())
    if match is None or not (match["date"] or match["agency"]):
        return None
    published_at = None
    if match["date"]:
        day = _MONTH_DAY.fullmatch(match["date"])
        if day is not None:
            published_at = _resolve_date(day["month"], int(day["day"]), day["year"], as_of)
    agency = " ".join(match["agency"].split()) if match["agency"] else None
    return Dateline(text=match.group(0).strip(), published_at=published_at, agency=agency)


def to_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive time is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _resolve_date(month_name: str, day: int, year: str | None, as_of: datetime) -> datetime | None:
    month = _MONTHS.get(month_name[:3].lower())
    if month is None:
        return None
    if year is not None:
        return _midnight(int(year), month, day)
    limit = to_utc(as_of).date()
    # The latest such date not after as_of; eight years back covers every 29 February.
    for candidate_year in range(limit.year, limit.year - 9, -1):
        candidate = _midnight(candidate_year, month, day)
        if candidate is not None and candidate.date() <= limit:
            return candidate
    return None


def _midnight(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime.combine(date(year, month, day), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        return None
