"""Time expressions found in invented news sentences and normalised against their anchor.

The anchor is Monday 9 June 2025 unless a test says otherwise. Each sentence runs twice:
with the spaCy Doc (tense from its tags) and with the text alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from spacy.language import Language

from storyline.settings import Settings
from storyline.understand.pipeline import load_pipeline
from storyline.understand.timex import find_timexes
from storyline.understand.types import Timex

MONDAY = date(2025, 6, 9)
Found = list[tuple[str, str, str]]
Find = Callable[..., Found]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(Settings())


@pytest.fixture(params=["tagged", "plain"])
def find(request: pytest.FixtureRequest, nlp: Language) -> Find:
    """find_timexes with the Doc and without it, returning (text, type, value) triples."""

    def run(text: str, anchor: date | datetime | None = MONDAY) -> Found:
        doc = nlp(text) if request.param == "tagged" else None
        found = find_timexes(text, anchor, doc)
        for timex in found:
            assert text[timex.start : timex.end] == timex.text
        return [(t.text, t.type, t.value) for t in found]

    return run


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The Orlen ferry resumed service on March 7.", ("March 7", "DATE", "2025-03-07")),
        ("Tolvan's council voted on Sunday to close the pier.", ("Sunday", "DATE", "2025-06-08")),
        ("Grain prices at the Bexley exchange rose last month.", ("last month", "DATE", "2025-05")),
        ("The Marrow Lake festival opened in August 2024.", ("August 2024", "DATE", "2024-08")),
        ("Repairs to the Quill bridge will take 10-14 days.", ("10-14 days", "DURATION", "PXD")),
        ("Heavy rain fell on Dunmore overnight.", ("overnight", "TIME", "2025-06-08TNI")),
        ("The mayor of Ostvik resigned this morning.", ("this morning", "TIME", "2025-06-09TMO")),
        ("Ferries stopped running yesterday.", ("yesterday", "DATE", "2025-06-08")),
        ("The Pell museum reopens tomorrow.", ("tomorrow", "DATE", "2025-06-10")),
        ("Landry Mills closed two weeks ago.", ("two weeks ago", "DATE", "2025-W22")),
        ("Harwick joined the union in 1998.", ("1998", "DATE", "1998")),
        ("The 7 March 2025 accord still holds.", ("7 March 2025", "DATE", "2025-03-07")),
        ("The registry opened on 2024-11-03.", ("2024-11-03", "DATE", "2024-11-03")),
        ("Talks were held the week of March 3.", ("the week of March 3", "DATE", "2025-W10")),
    ],
)
def test_dates_named_and_counted_from_the_anchor(
    find: Find, sentence: str, expected: tuple[str, str, str]
) -> None:
    assert expected in find(sentence)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The Hollis plant reopened Friday after a fire.", "2025-06-06"),
        ("The Hollis plant will reopen on Friday.", "2025-06-13"),
        ("Friday's storm flooded the Hollis plant.", "2025-06-06"),
        ("The Hollis plant stays closed until Friday.", "2025-06-13"),
        ("The Hollis plant has been closed since Friday.", "2025-06-06"),
        ("Inspectors came on Monday.", "2025-06-09"),
        ("The Hollis plant closed last Wednesday.", "2025-06-04"),
        ("The Hollis plant reopens next Wednesday.", "2025-06-11"),
    ],
)
def test_a_weekday_is_placed_by_its_sentence(
    find: Find, sentence: str, expected: tuple[str, str, str]
) -> None:
    (weekday,) = find(sentence)
    assert weekday[1:] == ("DATE", expected)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The Corvel dam was breached in November.", "2024-11"),  # past and months away
        ("The Corvel dam will open in November.", "2025-11"),
        ("The Corvel dam burst in May.", "2025-05"),  # near the anchor: this year's
        ("The Corvel dam was inspected last February.", "2025-02"),
        ("The Corvel dam was inspected last May.", "2024-05"),  # last month would say so
        ("The Corvel dam will be inspected next March.", "2026-03"),
    ],
)
def test_a_month_without_a_year(find: Find, sentence: str, expected: tuple[str, str, str]) -> None:
    (month,) = find(sentence)
    assert month[2] == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The Hollis plant reopens Friday after a fire.", "2025-06-13"),
        ("The Corvel dam burst in November.", "2024-11"),
        ("The Corvel dam opens in November.", "2025-11"),
    ],
)
def test_present_and_irregular_past_tenses_need_the_tagger(
    nlp: Language, sentence: str, expected: str
) -> None:
    """Without a Doc only future markers and common past forms tell the tense."""
    (found,) = find_timexes(sentence, MONDAY, nlp(sentence))
    assert found.value == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Last year the Arlen mine flooded.", ("Last year", "DATE", "2024")),
        ("The Arlen mine reopens next year.", ("next year", "DATE", "2026")),
        ("Output at the Arlen mine fell this year.", ("this year", "DATE", "2025")),
        ("The Arlen mine flooded last summer.", ("last summer", "DATE", "2024-SU")),
        ("The Arlen mine reopens this autumn.", ("this autumn", "DATE", "2025-FA")),
        ("The Arlen mine closed in the spring of 2023.", ("the spring of 2023", "DATE", "2023-SP")),
        ("The Arlen mine was busy in the 1990s.", ("the 1990s", "DATE", "199")),
        ("The Arlen mine was busy in the nineties.", ("the nineties", "DATE", "199")),
        ("The Arlen mine opened early in the 20th century.", ("the 20th century", "DATE", "19")),
        ("The Arlen mine closed in mid-2019.", ("mid-2019", "DATE", "2019")),
        ("The Arlen mine closed at the end of 2019.", ("the end of 2019", "DATE", "2019")),
        ("The Arlen mine closed at Christmas.", ("Christmas", "DATE", "2024-12-25")),
    ],
)
def test_years_seasons_decades_and_holidays(
    find: Find, sentence: str, expected: tuple[str, str, str]
) -> None:
    assert expected in find(sentence)


def test_quarters_and_the_year_before_them(find: Find) -> None:
    found = find(
        "Brandt Foods earned $4 million in the third quarter of 2024, up from $3 million a "
        "year earlier. Sales in the quarter rose 8%. First-quarter profit, due in Q1 2025, "
        "should be higher than in the year-earlier period."
    )
    assert found[:4] == [
        ("the third quarter of 2024", "DATE", "2024-Q3"),
        ("a year earlier", "DATE", "2023-Q3"),
        ("the quarter", "DATE", "2024-Q3"),  # the quarter reported, not the comparison
        ("First-quarter", "DATE", "2025-Q1"),
    ]
    assert ("Q1 2025", "DATE", "2025-Q1") in found
    assert found[-1] == ("the year-earlier period", "DATE", "2024-Q1")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The Kestrel strike lasted three years.", ("three years", "DURATION", "P3Y")),
        ("Workers began a two-week walkout.", ("two-week", "DURATION", "P2W")),
        ("The vote took an hour and a half.", ("an hour and a half", "DURATION", "PT1H30M")),
        ("The inquiry ran for 2 1/2 years.", ("2 1/2 years", "DURATION", "P2Y6M")),
        ("The line was closed for several months.", ("several months", "DURATION", "PXM")),
        ("Rents doubled over the past two decades.", ("the past two decades", "DURATION", "P20Y")),
        ("The jury needed nearly four hours.", ("nearly four hours", "DURATION", "PT4H")),
        ("The talks may last two to three weeks.", ("two to three weeks", "DURATION", "PXW")),
        ("The ferry sails daily.", ("daily", "SET", "P1D")),
        ("The market opens every Thursday.", ("every Thursday", "SET", "XXXX-WXX-4")),
        ("The board meets twice a year.", ("twice a year", "SET", "P1Y")),
        ("The Kell fund pays out $2 million a year.", ("a year", "SET", "P1Y")),
        ("Dividends are paid quarterly.", ("quarterly", "SET", "P3M")),
    ],
)
def test_durations_ranges_and_sets(
    find: Find, sentence: str, expected: tuple[str, str, str]
) -> None:
    assert expected in find(sentence)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The Pavey bridge is now closed.", ("now", "DATE", "PRESENT_REF")),
        ("Twelve families currently live there.", ("currently", "DATE", "PRESENT_REF")),
        ("The council recently sold the land.", ("recently", "DATE", "PAST_REF")),
        ("The fund will matter in the future.", ("the future", "DATE", "FUTURE_REF")),
        ("The polls close at 8 p.m.", ("8 p.m.", "TIME", "2025-06-09T20:00")),
        (
            "The count began at 10:30 a.m. Sunday.",
            ("10:30 a.m. Sunday", "TIME", "2025-06-08T10:30"),
        ),
        ("The polls opened at noon.", ("noon", "TIME", "2025-06-09T12:00")),
        ("The fire started Saturday night.", ("Saturday night", "TIME", "2025-06-07TNI")),
        ("The rally ended at 4 in the morning.", ("4 in the morning", "TIME", "2025-06-09T04:00")),
    ],
)
def test_the_present_and_times_of_day(
    find: Find, sentence: str, expected: tuple[str, str, str]
) -> None:
    assert expected in find(sentence)


def test_an_anchor_with_a_time_of_day_counts_hours() -> None:
    evening = datetime(2025, 6, 9, 21, 30)
    found = find_timexes("The Varga blaze broke out three hours ago, overnight.", evening)
    assert [(t.text, t.value) for t in found] == [
        ("three hours ago", "2025-06-09T18:30"),
        ("overnight", "2025-06-09TNI"),  # published in the evening: tonight's night
    ]


def test_anaphoric_expressions_count_from_the_last_date_named(find: Find) -> None:
    found = find("Ida Rosk founded Pellam Press in 2011. A year later she sold it.")
    assert found == [("2011", "DATE", "2011"), ("A year later", "DATE", "2012")]


def test_without_an_anchor_values_stay_underspecified(find: Find) -> None:
    found = find(
        "The Orlen ferry resumed on March 7 and stopped on Sunday. Fares rose last month. "
        "The line opened in August 2024; a year later it had 40 boats.",
        None,
    )
    assert found == [
        ("March 7", "DATE", "XXXX-03-07"),
        ("Sunday", "DATE", "XXXX-WXX-7"),
        ("last month", "DATE", "XXXX-XX"),
        ("August 2024", "DATE", "2024-08"),
        ("a year later", "DATE", "2025-08"),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "She may attend the Wexford hearing.",
        "Critics marked the fall of the Dorran regime.",
        "August Renner chairs the Brisk Valley board.",
        "A 6-year-old boy from Lunby was unhurt.",
        "Felder Mills raised its quarterly dividend.",
        "The Tamsin index closed at 2082.1 points.",
        "Tickets cost $1990 each.",
    ],
)
def test_words_that_only_look_like_time(find: Find, sentence: str) -> None:
    assert find(sentence) == []


def test_returns_timex_records_in_text_order() -> None:
    text = "On Sunday the Quill ferry sank; divers worked for three days."
    found = find_timexes(text, MONDAY)
    assert all(isinstance(t, Timex) for t in found)
    assert [t.start for t in found] == sorted(t.start for t in found)
    assert [t.text for t in found] == ["Sunday", "three days"]
