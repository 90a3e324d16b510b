"""The calendar arithmetic and the vocabulary under the time-expression rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from storyline.understand.timex import find_timexes
from storyline.understand.timex_calendar import Point, shift, weekday_near
from storyline.understand.timex_durations import duration_value
from storyline.understand.timex_holidays import easter, holiday
from storyline.understand.timex_words import parse_number


@pytest.mark.parametrize(
    "value",
    ["2025-06-09", "2025-W24", "2025-W24-WE", "2025-06", "2025-Q2", "2025-H1", "2025-SU", "2025"],
)
def test_a_value_reads_back_as_it_was_written(value: str) -> None:
    point = Point.parse(value)
    assert point is not None and point.value == value


def test_points_shift_at_their_grain() -> None:
    third_quarter = Point.parse("2024-Q3")
    assert third_quarter is not None
    assert third_quarter.shifted("year", -1).value == "2023-Q3"
    assert Point(date(2025, 1, 31)).shifted("month", 1).value == "2025-02-28"
    assert Point(date(2025, 6, 9)).at("week").shifted("week", -2).value == "2025-W22"
    assert Point(date(2025, 1, 15)).at("season").value == "2024-WI"  # December's winter
    assert Point.parse("PRESENT_REF") is None
    assert Point.parse("2025-02-30") is None


def test_shifts_stop_at_the_ends_of_the_calendar() -> None:
    assert shift(date(2025, 6, 9), "day", -(10**9)) == date.min
    assert shift(date(2025, 6, 9), "year", 10**6).year == 9999


def test_weekdays_near_an_anchor() -> None:
    monday = date(2025, 6, 9)
    assert weekday_near(monday, 5, -1) == date(2025, 6, 6)
    assert weekday_near(monday, 5, 1) == date(2025, 6, 13)
    assert weekday_near(monday, 1, -1) == monday
    assert weekday_near(monday, 1, -2) == date(2025, 6, 2)  # "last Monday" is never today


def test_holidays_that_move() -> None:
    assert easter(2024) == date(2024, 3, 31)
    assert easter(2025) == date(2025, 4, 20)
    assert holiday("thanksgiving", 2025) == date(2025, 11, 27)
    assert holiday("memorial day", 2025) == date(2025, 5, 26)
    assert holiday("election day", 2024) == date(2024, 11, 5)
    assert holiday("new year’s day", 2026) == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("unit", "amount", "expected"),
    [
        ("year", 2.5, "P2Y6M"),
        ("hour", 1.5, "PT1H30M"),
        ("minute", 1.5, "PT1M30S"),
        ("day", 1.5, "P1DT12H"),
        ("decade", 2, "P20Y"),
        ("decade", None, "PXE"),
        ("quarter", 3, "P3Q"),
        ("weekend", 1, "P2D"),
    ],
)
def test_durations_in_iso_8601(unit: str, amount: float | None, expected: str) -> None:
    assert duration_value(unit, amount) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("twenty-four", 24),
        ("2 1/2", 2.5),
        ("1,000", 1000),
        ("a hundred", 100),
        ("nineteen ninety-six", 1996),
        ("two thousand", 2000),
        ("several", None),
    ],
)
def test_numbers_in_words_and_digits(words: str, expected: float | None) -> None:
    assert parse_number(words) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "The Tessel rock formed 9000 years ago and will erode 99999 days later.",
        "A billion years from now the Orlo star dies; it shone for 10000000000 years.",
        "The Wern vault opened 100000 hours ago, in the 99th century, on 2/30/2020.",
    ],
)
def test_absurd_numbers_are_placed_or_left_out_without_error(sentence: str) -> None:
    for anchor in (datetime(2025, 6, 9, 10, 0), date(2025, 6, 9), None):
        for timex in find_timexes(sentence, anchor):
            assert sentence[timex.start : timex.end] == timex.text
