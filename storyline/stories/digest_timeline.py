"""A story's timeline: the dated events of all its articles, each event shown once.

:func:`merge_timeline`:

1. every event's date is normalised to the day (``2025-09-13TNI`` and ``2025-09-13T22:00``
   are ``2025-09-13``); coarser dates (a week, a month, a year) stay as they are;
2. within one date, events whose sentences share most of their content words (Dice of
   the stemmed content words, at least :data:`SAME_EVENT`; figures, the names of days and
   months, and the words naming the speaker of a quote set aside) are one event:
   the earliest article's sentence stands for it and every article reporting it is a
   source, so a wire story carried by five outlets is one line with five sources;
3. events are sorted by date (a period by its first day, a day before the coarser
   periods that start on it), then by when they were first reported.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from storyline.stories.digest_text import content_words, dice, trim_span, without_dateline
from storyline.stories.digest_types import DigestArticle, SourceRef, outlets_of, published_order

# Two sentences of one date report one event when this share of their content words is
# common to both (Dice). Reworded wire copy stays well above it (0.6 to 1.0 on the
# fixtures); different events of one day share their setting's words (below 0.55 once
# the speakers' names and the names of days and months are set aside).
SAME_EVENT = 0.6

_CALENDAR = frozenset(
    content_words(
        "monday tuesday wednesday thursday friday saturday sunday january february march "
        "april may june july august september october november december today yesterday "
        "tomorrow morning afternoon evening night overnight week month year"
    )
)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})")


@dataclass(frozen=True)
class TimelineItem:
    """One event of the story, with every article that reports it.

    ``date`` is the normalised date (ISO-8601 as TimeML writes it), ``label`` its
    reading ("14 September 2025"), ``values`` the dates as the articles resolved them;
    ``text`` is the sentence of the first source.
    """

    date: str
    label: str
    text: str
    values: tuple[str, ...]
    sources: tuple[SourceRef, ...]

    @property
    def outlets(self) -> tuple[str, ...]:
        return outlets_of(self.sources)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "label": self.label,
            "text": self.text,
            "values": list(self.values),
            "outlets": list(self.outlets),
            "sources": [source.to_json() for source in self.sources],
        }


@dataclass
class _Group:
    date: str
    words: set[str]
    values: list[str]
    sources: list[SourceRef]


def merge_timeline(articles: Sequence[DigestArticle]) -> list[TimelineItem]:
    """The story's events, merged across articles and sorted (see the module docstring)."""
    groups: list[_Group] = []
    for article in sorted(articles, key=published_order):
        for event in article.timeline:
            start, end = trim_span(article.text, event.start, event.end)
            start = without_dateline(article.text, start, end)
            text = article.text[start:end]
            if not text:
                continue
            day = normalise_date(event.value)
            words = set(content_words(text)) - _CALENDAR - _speakers(article, start, end)
            source = SourceRef(article.article_id, article.outlet, start, end, text)
            group = _closest(groups, day, words)
            if group is None:
                groups.append(_Group(day, words, [event.value], [source]))
            elif not any(s.article_id == article.article_id for s in group.sources):
                group.sources.append(source)
                group.values.append(event.value)
    items = [
        TimelineItem(
            date=group.date,
            label=date_label(group.date),
            text=group.sources[0].text,
            values=tuple(dict.fromkeys(group.values)),
            sources=tuple(group.sources),
        )
        for group in groups
    ]
    order = {id(group): position for position, group in enumerate(groups)}
    ranked = sorted(
        zip(items, groups, strict=True),
        key=lambda pair: (date_order(pair[0].date), order[id(pair[1])]),
    )
    return [item for item, _ in ranked]


def _speakers(article: DigestArticle, start: int, end: int) -> set[str]:
    """The words naming who speaks in ``text[start:end]``: "the port authority said"."""
    return {
        word
        for quote in article.quotes
        if quote.speaker and start <= quote.start < end
        for word in content_words(quote.speaker)
    }


def _closest(groups: Sequence[_Group], day: str, words: set[str]) -> _Group | None:
    best, score = None, SAME_EVENT
    for group in groups:
        if group.date != day:
            continue
        similarity = dice(group.words, words)
        if similarity >= score:
            best, score = group, similarity
    return best


def normalise_date(value: str) -> str:
    """A TimeML value cut to the day: ``2025-09-13TNI`` -> ``2025-09-13``."""
    found = _DAY.match(value)
    return found.group(0) if found else value


def date_order(value: str) -> tuple[int, date, int, str]:
    """Sort key of a normalised date: known dates by first day, the unreadable last."""
    found = _DAY.match(value)
    if found:
        return (0, _date(found.group(1), found.group(2), found.group(3)), 0, value)
    found = _WEEK.match(value)
    if found:
        try:
            monday = date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
        except ValueError:
            return (1, date.min, 0, value)
        return (0, monday, 1, value)
    found = _MONTH.match(value)
    if found:
        return (0, _date(found.group(1), found.group(2), "01"), 2, value)
    found = _YEAR.match(value)
    if found:
        return (0, _date(found.group(1), "01", "01"), 3, value)
    return (1, date.min, 0, value)


def _date(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return date.min


def date_label(value: str) -> str:
    """How a page writes a normalised date: ``14 September 2025``, ``week 37, 2025``."""
    found = _DAY.match(value)
    if found:
        day = _date(found.group(1), found.group(2), found.group(3))
        if day != date.min:
            return f"{day.day} {calendar.month_name[day.month]} {day.year}"
    found = _WEEK.match(value)
    if found:
        return f"week {int(found.group(2))}, {found.group(1)}"
    found = _MONTH.match(value)
    if found and 1 <= int(found.group(2)) <= 12:
        return f"{calendar.month_name[int(found.group(2))]} {found.group(1)}"
    if re.fullmatch(r"\d{4}", value):
        return value
    return value
