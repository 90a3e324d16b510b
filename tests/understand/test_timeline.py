"""The timeline of an invented article: which sentences are events, and how each is dated."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from storyline.settings import Settings
from storyline.understand.pipeline import load_pipeline
from storyline.understand.timeline import build_timeline
from storyline.understand.timex import find_timexes
from storyline.understand.types import TimelineEvent

MONDAY = date(2025, 6, 9)

ARTICLE = (
    "HARBOR CITY, June 9 - Floodwater closed the Marlow Bridge on Sunday, officials of the "
    "Veltan county council said. Crews evacuated forty homes. The river rose two metres "
    "overnight.\n\n"
    "The council will meet on Thursday to discuss repairs. Residents think the bridge is "
    "unsafe. Engineers had inspected the bridge before. The mayor has declared an emergency. "
    "Last month, a storm damaged the ferry pier. Did anyone warn the ferry company? The "
    "company did not respond.\n\n"
    "Police said a driver was rescued from the water at 6 a.m. Saturday. The bridge is now "
    "closed to traffic. The Marlow Bridge opened in 1931."
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(Settings())


@pytest.fixture(scope="module")
def timeline(nlp: Language) -> list[TimelineEvent]:
    doc = nlp(ARTICLE)
    return build_timeline(doc, find_timexes(ARTICLE, MONDAY, doc), MONDAY)


def _dated(events: list[TimelineEvent]) -> list[tuple[str, str]]:
    return [(event.value, event.text) for event in events]


def test_events_in_date_order(timeline: list[TimelineEvent]) -> None:
    assert _dated(timeline) == [
        ("1931", "The Marlow Bridge opened in 1931."),
        ("2025-05", "Last month, a storm damaged the ferry pier."),
        ("2025-06-07T06:00", "Police said a driver was rescued from the water at 6 a.m. Saturday."),
        (
            "2025-06-08",
            "HARBOR CITY, June 9 - Floodwater closed the Marlow Bridge on Sunday, officials of "
            "the Veltan county council said.",
        ),
        ("2025-06-08", "Crews evacuated forty homes."),
        ("2025-06-08TNI", "The river rose two metres overnight."),
        ("2025-06-09", "The mayor has declared an emergency."),
        ("2025-06-09", "The bridge is now closed to traffic."),
    ]


def test_what_is_not_an_event_stays_out(timeline: list[TimelineEvent]) -> None:
    texts = " ".join(event.text for event in timeline)
    assert "will meet" not in texts  # the future
    assert "think" not in texts  # an opinion
    assert "Did anyone" not in texts  # a question
    assert "did not respond" not in texts  # negated
    assert "had inspected" not in texts  # undated background in the past perfect


def test_offsets_point_at_the_sentence_and_its_time_expression(
    timeline: list[TimelineEvent],
) -> None:
    for event in timeline:
        assert ARTICLE[event.start : event.end] == event.text
    sunday = next(e for e in timeline if e.text.startswith("HARBOR"))
    assert sunday.timex_start is not None and sunday.timex_end is not None
    assert ARTICLE[sunday.timex_start : sunday.timex_end] == "Sunday"  # not the dateline
    carried = next(e for e in timeline if e.text.startswith("Crews"))
    assert (carried.timex_start, carried.timex_end) == (sunday.timex_start, sunday.timex_end)
    declared = next(e for e in timeline if e.text.startswith("The mayor"))
    assert declared.timex_start is None  # dated by publication, not by an expression


def test_without_a_publication_date_only_dated_events_remain(nlp: Language) -> None:
    text = (
        "Ida Rosk founded Pellam Press in 2011. She hired six editors.\n\n"
        "The press has moved to Quay Street."
    )
    doc = nlp(text)
    events = build_timeline(doc, find_timexes(text, None, doc), None)
    assert _dated(events) == [
        ("2011", "Ida Rosk founded Pellam Press in 2011."),
        ("2011", "She hired six editors."),
    ]
