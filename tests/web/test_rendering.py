"""Relative and absolute times, as the pages show them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storyline.web.rendering import absolute_time, long_date, relative_time

NOW = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(seconds=-30), "just now"),
        (timedelta(minutes=-5), "in the future"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=2, minutes=40), "2 hours ago"),
        (timedelta(hours=23), "23 hours ago"),
        (timedelta(hours=30), "yesterday"),
        (timedelta(days=3), "3 days ago"),
        (timedelta(days=27), "27 days ago"),
        (timedelta(days=40), "2 February 2031"),
    ],
)
def test_relative_time(before: timedelta, expected: str) -> None:
    assert relative_time(NOW - before, NOW) == expected


def test_relative_time_reads_the_iso_strings_of_view_dicts() -> None:
    assert relative_time("2031-03-14T07:30:00Z", NOW) == "2 hours ago"
    assert relative_time("2031-03-14T10:30:00+01:00", NOW) == "just now"
    assert relative_time(None, NOW) == ""


def test_absolute_time_is_in_utc() -> None:
    assert absolute_time("2031-03-14T10:05:00+02:00") == "14 March 2031, 08:05 UTC"
    assert long_date("2031-12-01T23:59:00Z") == "1 December 2031"
    assert absolute_time(None) == ""
