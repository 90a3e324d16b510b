"""Relative times and datelines, resolved against the moment a page was saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from storyline.ingest.timeparse import (
    find_dateline,
    parse_relative_time,
    parse_time_label,
    to_utc,
)

AS_OF = datetime(2025, 6, 8, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("label", "back"),
    [
        ("2 hours ago", timedelta(hours=2)),
        ("an hour ago", timedelta(hours=1)),
        ("a minute ago", timedelta(minutes=1)),
        ("just now", timedelta(0)),
        ("yesterday", timedelta(days=1)),
        ("3 days ago", timedelta(days=3)),
        ("1 week ago", timedelta(weeks=1)),
        ("5 mins ago", timedelta(minutes=5)),
        ("2h ago", timedelta(hours=2)),
        ("45m ago", timedelta(minutes=45)),
        ("  Two Hours Ago ", timedelta(hours=2)),
        ("about 3 hrs ago", timedelta(hours=3)),
        ("a few minutes ago", timedelta(minutes=3)),
        ("2 months ago", timedelta(days=60)),
    ],
)
def test_relative_times_count_back_from_as_of(label: str, back: timedelta) -> None:
    assert parse_relative_time(label, AS_OF) == AS_OF - back


@pytest.mark.parametrize(
    "label",
    ["hours ago", "2 bananas ago", "Valley Signal", "he left 2 hours ago today", "", "ago"],
)
def test_other_text_is_not_a_relative_time(label: str) -> None:
    assert parse_relative_time(label, AS_OF) is None


def test_relative_times_are_utc_even_when_as_of_is_not() -> None:
    kyiv = datetime(2025, 6, 8, 18, 0, tzinfo=timezone(timedelta(hours=3)))
    result = parse_relative_time("2 hours ago", kyiv)
    assert result == datetime(2025, 6, 8, 13, 0, tzinfo=UTC)
    assert result is not None and result.utcoffset() == timedelta(0)


def test_time_labels_may_also_be_dates() -> None:
    assert parse_time_label("June 8, 2024", AS_OF) == datetime(2024, 6, 8, tzinfo=UTC)
    assert parse_time_label("8 June", AS_OF) == datetime(2025, 6, 8, tzinfo=UTC)
    assert parse_time_label("2025-06-08T10:00:00+02:00", AS_OF) == datetime(
        2025, 6, 8, 8, 0, tzinfo=UTC
    )
    assert parse_time_label("Sunday lunch", AS_OF) is None


def test_dateline_with_date_and_agency() -> None:
    dateline = find_dateline("June 8 (UPI) -- Drones closed two airports on Sunday.", AS_OF)
    assert dateline is not None
    assert dateline.published_at == datetime(2025, 6, 8, tzinfo=UTC)
    assert dateline.agency == "UPI"
    assert dateline.text == "June 8 (UPI) --"


def test_dateline_with_place_date_and_agency() -> None:
    dateline = find_dateline("PORT VERRIN, March 3 (Coastline Wire) - Gales hit.", AS_OF)
    assert dateline is not None
    assert dateline.published_at == datetime(2025, 3, 3, tzinfo=UTC)
    assert dateline.agency == "Coastline Wire"


def test_dateline_with_place_and_agency_but_no_date() -> None:
    dateline = find_dateline("ELMSTEAD (VS) — The mayor resigned.", AS_OF)
    assert dateline is not None
    assert dateline.published_at is None
    assert dateline.agency == "VS"


def test_dateline_year_is_the_latest_not_after_as_of() -> None:
    dateline = find_dateline("NORTHGATE, Dec. 30 (Herald) – Snow fell.", AS_OF)
    assert dateline is not None
    assert dateline.published_at == datetime(2024, 12, 30, tzinfo=UTC)
    leap = find_dateline("Feb 29 (Herald) -- A leap day.", AS_OF)
    assert leap is not None and leap.published_at == datetime(2024, 2, 29, tzinfo=UTC)


def test_dateline_with_an_explicit_year() -> None:
    dateline = find_dateline("ELMSTEAD, May 30, 2023 -- The bells rang.", AS_OF)
    assert dateline is not None
    assert dateline.published_at == datetime(2023, 5, 30, tzinfo=UTC)
    assert dateline.agency is None


@pytest.mark.parametrize(
    "text",
    [
        "The mayor said - no more trams.",
        "Marrowfield council (in full) - voted.",
        "ELMSTEAD — The bells rang.",
        "Ukraine targeted Russia on June 8 (Sunday) -- officials said.",
    ],
)
def test_text_without_a_dateline(text: str) -> None:
    assert find_dateline(text, AS_OF) is None


def test_to_utc_takes_naive_times_as_utc() -> None:
    assert to_utc(datetime(2025, 1, 1, 12)) == datetime(2025, 1, 1, 12, tzinfo=UTC)
