"""Turning view dicts into HTML: the Jinja environment, its filters, and the clock.

The environment is built once per app with autoescaping on for every template (so a
title holding ``<script>`` prints as text) and without reloading, so each template is
compiled once and a page costs one render call. Times in the view dicts are ISO-8601
strings (the JSON shape); the filters here turn them into what a reader sees, against
the moment the page is rendered, never the moment the article was stored.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from storyline.web.auth import current_csrf, current_viewer
from storyline.web.csrf import FIELD
from storyline.web.page_cache import Build, PageCache
from storyline.web.sanitize import safe_url, sanitize_html

TEMPLATES = Path(__file__).with_name("templates")
# Article and story pages built at once (see Pages.kept): one per core keeps them all busy.
BUILDS_AT_ONCE = max(2, os.cpu_count() or 1)
STATIC = Path(__file__).with_name("static")

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def parse_iso(value: str | datetime | None) -> datetime | None:
    """The datetime of a view dict's ISO string (``…Z``), timezone-aware, or None."""
    if value is None or isinstance(value, datetime):
        return value
    return _parsed_iso(value)


# A page of comments shows a few hundred times, each twice (relative and absolute), and
# the same ones again on every view of the page: parsing each once is worth a cache.
@functools.lru_cache(maxsize=16384)
def _parsed_iso(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def relative_time(value: str | datetime | None, now: datetime) -> str:
    """How long before ``now`` a moment was, as a reader says it: "2 hours ago".

    Older than four weeks reads as a date ("8 June 2025"), since "41 days ago" makes the
    reader count. A moment a little in the future (clocks of outlets drift) is "just now".
    """
    moment = parse_iso(value)
    if moment is None:
        return ""
    seconds = int((now - moment).total_seconds())
    if seconds < -_MINUTE:
        return "in the future"
    if seconds < _MINUTE:
        return "just now"
    if seconds < _HOUR:
        return _plural(seconds // _MINUTE, "minute") + " ago"
    if seconds < _DAY:
        return _plural(seconds // _HOUR, "hour") + " ago"
    if seconds < 2 * _DAY:
        return "yesterday"
    if seconds < 28 * _DAY:
        return _plural(seconds // _DAY, "day") + " ago"
    return long_date(moment)


def long_date(value: str | datetime | None) -> str:
    """ "8 June 2025" (in UTC)."""
    moment = parse_iso(value)
    if moment is None:
        return ""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


_TIMEX_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIMEX_MONTH = re.compile(r"(\d{4})-(\d{2})")
_TIMEX_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def timex_label(value: str) -> str:
    """A TimeML value as a reader says it: "7 March 2025", "March 2025", "week 10 of 2025".

    Anything else (a year, a season, an underspecified ``XXXX-03-07``) is shown as it is.
    """
    if match := _TIMEX_DAY.fullmatch(value[:10]):
        year, month, day = (int(part) for part in match.groups())
        if 1 <= month <= 12:
            return f"{day} {_MONTHS[month - 1]} {year}"
    if match := _TIMEX_MONTH.fullmatch(value):
        year, month = (int(part) for part in match.groups())
        if 1 <= month <= 12:
            return f"{_MONTHS[month - 1]} {year}"
    if match := _TIMEX_WEEK.fullmatch(value):
        return f"week {int(match.group(2))} of {match.group(1)}"
    return value


def absolute_time(value: str | datetime | None) -> str:
    """ "8 June 2025, 13:00 UTC": the unambiguous time shown beside a relative one."""
    if isinstance(value, str):
        return _absolute_time(value)
    return _absolute_time_of(value)


@functools.lru_cache(maxsize=16384)
def _absolute_time(value: str) -> str:
    return _absolute_time_of(value)


def _absolute_time_of(value: str | datetime | None) -> str:
    moment = parse_iso(value)
    if moment is None:
        return ""
    moment = moment.astimezone(UTC)
    return f"{long_date(moment)}, {moment:%H:%M} UTC"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _sanitized_markup(html: str) -> Markup:
    """Third-party HTML made safe, marked so that autoescaping keeps its allowed tags."""
    return Markup(sanitize_html(html))


def static_url(name: str) -> str:
    """``/static/name?v=<hash>``: the content hash lets the file be cached for a year."""
    version = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={version}"


class Pages:
    """The compiled templates of the app, rendered with the globals every page needs."""

    def __init__(self, *, site_name: str = "Storyline", cache_seconds: float = 0.0) -> None:
        self.cache = PageCache(cache_seconds)
        self.environment = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            auto_reload=False,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.environment.filters.update(
            {
                "absolute_time": absolute_time,
                "long_date": long_date,
                "timex_label": timex_label,
                "safe_url": safe_url,
                "sanitize_html": _sanitized_markup,
            }
        )
        self.environment.globals.update(
            {
                "site_name": site_name,
                "stylesheet": static_url("style.css"),
                "favicon": static_url("favicon.svg"),
                "csrf_field": FIELD,
            }
        )
        self._templates: dict[str, Template] = {}
        self._builds: asyncio.Semaphore | None = None  # made in the event loop

    async def kept(self, url: str, build: Build) -> str:
        """The page at ``url`` (path and query): for a signed-out reader, from the kept
        pages (:mod:`storyline.web.page_cache`); for a signed-in one, built afresh.

        At most :data:`BUILDS_AT_ONCE` builds run at a time; the rest wait their turn. A
        build holds the interpreter lock for most of its time in the thread pool, so
        twenty at once take as long in all as twenty in turn, while starving the event
        loop that answers everything else (kept pages, ``/healthz``, posts)."""
        if current_viewer() is not None:
            return await self._in_turn(build)()
        return await self.cache.serve(url, self._in_turn(build))

    def _in_turn(self, build: Build) -> Build:
        async def run() -> str:
            if self._builds is None:
                self._builds = asyncio.Semaphore(BUILDS_AT_ONCE)
            async with self._builds:
                return await build()

        return run

    def render(self, name: str, **context: Any) -> str:
        """Render ``name`` with ``context``, ``now`` (for relative times), the signed-in
        ``viewer`` (or None) and this browser's ``form_token`` for CSRF fields."""
        template = self._templates.get(name)
        if template is None:
            template = self._templates[name] = self.environment.get_template(name)
        now = datetime.now(UTC)
        context.setdefault("viewer", current_viewer())
        context.setdefault("form_token", current_csrf())
        return template.render(now=now, ago=lambda value: relative_time(value, now), **context)
