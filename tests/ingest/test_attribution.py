"""The outlet a bare text names as its own."""

from __future__ import annotations

import pytest

from storyline.ingest.attribution import find_named_outlet


@pytest.mark.parametrize(
    ("paragraphs", "outlet"),
    [
        (
            ["The trams run.", "We work hard. Consider supporting the Marrowfield Courier."],
            "Marrowfield Courier",
        ),
        (["The trams run.", "Support Valley Signal today."], "Valley Signal"),
        (["The trams run.", "Please subscribe to The Northgate Herald."], "Northgate Herald"),
        (
            ["Become a member of the Bank of Elmstead Gazette and read more."],
            "Bank of Elmstead Gazette",
        ),
        (
            ["Northgate Herald reporter Ana Pell visited the depot.", "It was cold."],
            "Northgate Herald",
        ),
        (["She spoke to the Signal correspondent Ivo Rask on Monday."], "Signal"),
    ],
)
def test_named_outlets(paragraphs: list[str], outlet: str) -> None:
    assert find_named_outlet(paragraphs) == outlet


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["Western leaders pledged to support Elmstead.", "Consider supporting us."],
        ["Support for the plan grew over the summer."],
        ["Marrowfieldian reporter Ana Pell visited the depot."],
        ["The trams run again."],
        [],
    ],
)
def test_texts_that_name_no_outlet(paragraphs: list[str]) -> None:
    assert find_named_outlet(paragraphs) is None


def test_an_appeal_early_in_the_story_is_prose() -> None:
    paragraphs = ["Support Quarry Hill, the banners said."] + ["The vote passed."] * 5
    assert find_named_outlet(paragraphs) is None


def test_the_appeal_wins_over_a_credit_to_another_outlet() -> None:
    paragraphs = [
        "Valley Signal reporter Ana Pell first reported the plan.",
        "The vote passed.",
        "Consider supporting the Marrowfield Courier.",
    ]
    assert find_named_outlet(paragraphs) == "Marrowfield Courier"
