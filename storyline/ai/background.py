"""Background: what happened before, from the storyline's earlier stories and the timeline.

Offline and template-based: every sentence is a source sentence, unchanged, with its date
as the label, so it needs no grounding. :func:`background`:

1. earlier in the storyline: each earlier story's gist sentence, oldest first, labelled
   with its date and title (at most :data:`EARLIER_STORIES`, the latest ones);
2. before this: the story's merged timeline (:func:`~storyline.stories.digest_timeline.
   merge_timeline`) cut to the events dated wholly before the target began (the story's
   first article, or the article's publication), oldest first, at most
   :data:`EARLIER_EVENTS` (the latest ones), each citing every article that reports it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from storyline.ai.material import Material
from storyline.ai.types import AiResult, Citation, CitedSentence, Section
from storyline.stories.digest_timeline import date_label, date_order, merge_timeline

EARLIER_STORIES = 5
EARLIER_EVENTS = 8

_WEEK = re.compile(r"^\d{4}-W\d{2}")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")


def background(material: Material) -> AiResult:
    """The target's background (see the module docstring); empty sections when the
    coverage holds nothing earlier."""
    earlier = [
        CitedSentence(
            text=story.gist,
            citations=(Citation(story.article_id, story.start, story.end),),
            label=f"{date_label(story.first_at.date().isoformat())} · {story.title}",
        )
        for story in sorted(material.earlier, key=lambda s: (s.first_at, s.story_id))[
            -EARLIER_STORIES:
        ]
        if story.gist
        and story.article_id is not None
        and story.start is not None
        and story.end is not None
    ]
    events = _events_before(material)
    return AiResult.of_sections(
        "background",
        (
            Section("Earlier in this storyline", tuple(earlier)),
            Section("Before this", tuple(events)),
        ),
    )


def _events_before(material: Material) -> list[CitedSentence]:
    coverage = material.story or material.articles
    since = material.since or _first_published(material)
    if since is None:
        return []
    before = [
        item
        for item in merge_timeline(coverage)
        if (end := period_end(item.date)) is not None and end < since.date()
    ]
    return [
        CitedSentence(
            text=item.text,
            citations=tuple(
                Citation(int(source.article_id), source.start, source.end)
                for source in item.sources
            ),
            label=item.label,
        )
        for item in before[-EARLIER_EVENTS:]
    ]


def _first_published(material: Material) -> datetime | None:
    dates = [a.published_at for a in material.articles if a.published_at is not None]
    return min(dates) if dates else None


def period_end(value: str) -> date | None:
    """The last day of a normalised timeline date (a day, week, month or year); ``None``
    for a value that names no calendar period (``PRESENT_REF``, ``XXXX-03-07``)."""
    kind, first, _, _ = date_order(value)
    if kind != 0 or first == date.min:
        return None
    if _WEEK.match(value):
        return date.fromordinal(first.toordinal() + 6)
    month = _MONTH.match(value)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        return date(year, number, calendar.monthrange(year, number)[1])
    if _YEAR.match(value):
        return date(first.year, 12, 31)
    return first
