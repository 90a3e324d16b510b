"""Photo credits, alone or at the start of running text."""

from __future__ import annotations

import pytest

from storyline.clean.credits import credit_length, is_credit


@pytest.mark.parametrize(
    "credit",
    [
        "Jane Doe/AFP via Getty Images",
        "Jon Hale/Harbor Gazette",
        "Photo: Reuters",
        "Photo credit: Lina Ortiz/Marlow Ledger",
        "(AP Photo/John Roe)",
        "(Gazette Photo/Lina Ortiz)",
        "Office of the Mayor of Linden via Getty Images",
        "Getty Images",
        "Reuters",
    ],
)
def test_credits_are_recognised(credit: str) -> None:
    assert is_credit(credit)


@pytest.mark.parametrize(
    "text",
    ["Tuesday", "Marta Vell", "The vote was close.", "Photo day at Linden school.", "and/or"],
)
def test_other_lines_are_not_credits(text: str) -> None:
    assert not is_credit(text)


def test_a_credit_is_measured_at_the_start_of_running_text() -> None:
    text = "Jon Hale/Harbor Gazette via Getty Images The vote was close."
    assert text[: credit_length(text)] == "Jon Hale/Harbor Gazette via Getty Images"


def test_a_bare_agency_counts_only_where_a_credit_is_expected() -> None:
    text = "Reuters reported the vote on Friday."
    assert credit_length(text) == 0
    assert credit_length("Reuters The vote was close.", bare=True) == len("Reuters")
