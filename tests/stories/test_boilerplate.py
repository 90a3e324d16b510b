"""The wrapping outlets put around a story is set aside, and what it credits is kept."""

from __future__ import annotations

import pytest

from storyline.stories.boilerplate import credits_outlet, split_boilerplate

BODY = (
    "The Brisbury council voted on Tuesday to close the old swing bridge to cars.\n\n"
    "Repairs will start in June and take about a year, the council said."
)


def test_a_dateline_with_a_credit_goes_and_the_credit_is_kept() -> None:
    wrapped = split_boilerplate(f"BRISBURY, Ostland, May 4 (Halcyon Wire) — {BODY}")
    assert wrapped.body == BODY
    assert wrapped.wrapping == ("BRISBURY, Ostland, May 4 (Halcyon Wire) —",)
    assert credits_outlet(wrapped.wrapping, "Halcyon Wire")


def test_datelines_of_every_dash_and_a_credit_alone_go() -> None:
    for dateline in ("BRISBURY (HW) - ", "BRISBURY – ", "(Halcyon Wire) -- "):
        assert split_boilerplate(dateline + BODY).body == BODY


def test_headline_byline_and_update_note_at_the_top_go() -> None:
    text = (
        "Brisbury shuts its swing bridge to cars\n\n"
        "By Ida Marsh, Fenwick Gazette\n\n"
        "(Updates with repair dates in paragraph 2)\n\n" + BODY
    )
    wrapped = split_boilerplate(text)
    assert wrapped.body == BODY
    assert len(wrapped.wrapping) == 3


def test_tails_go_as_paragraphs_or_run_into_the_last_one() -> None:
    tails = "\n\nRead more: Brisbury's other bridges\n\n© 2025 Fenwick Gazette"
    assert split_boilerplate(BODY + tails).body == BODY
    run_in = BODY + " Copyright 2025 Fenwick Gazette. All rights reserved."
    assert split_boilerplate(run_in).body == BODY
    notice = "\n\nThis story was first published by the Fenwick Gazette and is republished here."
    wrapped = split_boilerplate(BODY + notice)
    assert wrapped.body == BODY
    assert credits_outlet(wrapped.wrapping, "The Fenwick Gazette")


def test_story_text_is_left_alone() -> None:
    text = (
        "Read the report and you will see why, said Ida Marsh, who chairs the committee.\n\n"
        "The bridge carried 4,000 cars a day before the cracks were found in March."
    )
    assert split_boilerplate(text).body == text
    assert split_boilerplate(text).wrapping == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "From Monday, buses will run every ten minutes across the new bridge.",
        "Updated figures released on Monday show 4,000 cars a day used it.",
        "Originally, the council planned to keep the bridge open to cars.",
        "The report, first published in 2019, warned that the piers were weak.",
        "This report found that the piers had not been inspected since 2011.",
        "Follow-up inspections are planned for the autumn, the council said.",
        "Related to this, the ferry will run an extra crossing at weekends.",
        "Subscribers to the council newsletter will get the repair schedule.",
    ],
)
def test_first_and_last_sentences_shaped_like_notes_stay(sentence: str) -> None:
    text = f"{sentence}\n\n{BODY}\n\n{sentence}"
    assert split_boilerplate(text).body == text
    assert split_boilerplate(text).wrapping == ()


def test_sentences_about_rights_and_copyright_in_a_story_stay() -> None:
    text = (
        f"{BODY} The names of the two drivers may not be published until their families "
        "are told. Copyright lawyers say the bridge's old plans belong to the county."
    )
    assert split_boilerplate(text).body == text


def test_a_last_sentence_without_its_full_stop_is_not_taken_for_a_label() -> None:
    text = "The council met. It voted. The bridge closes in June"
    assert split_boilerplate(text).body == text


def test_an_outlet_is_credited_by_its_full_name_or_its_initials_as_a_word() -> None:
    wrapping = ("BRISBURY (HW) -", "Source: the Fenwick Gazette")
    assert credits_outlet(wrapping, "Halcyon Wire")
    assert credits_outlet(wrapping, "Fenwick Gazette")
    assert not credits_outlet(("Photo: W Smith",), "Wire")  # one word: no initials
    assert not credits_outlet(("Advice for CPAs",), "Coastal Press Agency")
    assert not credits_outlet(wrapping, "Halcyon Times")
