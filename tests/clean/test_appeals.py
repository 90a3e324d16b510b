"""The outlet's appeals for support go, sentence by sentence."""

from __future__ import annotations

import pytest

from storyline.clean.appeals import drop_appeals, is_appeal
from tests.clean.drafts import paragraphs, texts


@pytest.mark.parametrize(
    "sentence",
    [
        "We've been working hard to bring you independent, local news from the Sable valley.",
        "We have been working tirelessly to bring you the news that matters in Linden.",
        "Consider supporting the Marlow Ledger.",
        "Please consider becoming a member of Harbor Gazette.",
        "Support our journalism.",
        "Support independent journalism today.",
        "Support the Marlow Ledger's journalism.",
        "Subscribe to the Ledger's morning briefing.",
        "Subscribe now!",
        "Sign up for our free weekly newsletter.",
        "Don't miss out: sign up for the Gazette's daily newsletter.",
        "This story was made possible by readers like you.",
        "Our coverage is funded by members like you.",
        "Become a member today.",
        "Donate now to keep the Gazette free.",
        "Your support helps us keep reporters in the field.",
        "If you value our reporting, please chip in.",
        "Independent journalism needs your support.",
        "Get the latest Linden headlines delivered to your inbox.",
        "Download our app for breaking news alerts.",
    ],
)
def test_appeals_are_recognised(sentence: str) -> None:
    assert is_appeal(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Residents who support the bridge held a rally on Saturday.",
        "Support for the plan fell to 41 percent, a poll found.",
        "Support our troops, the banners read.",
        "The council will subscribe to a new flood-warning service.",
        "Back this week, the mayor said she had no regrets.",
        "Readers like you wrote 300 letters to the council, the clerk said.",
        "We have been working on the bridge since 2019, the engineer said.",
    ],
)
def test_news_sentences_are_not_appeals(sentence: str) -> None:
    assert not is_appeal(sentence)


def test_an_appeal_inside_a_paragraph_goes_and_the_rest_stays() -> None:
    blocks = paragraphs(
        "Subscribe to the Ledger's morning briefing. The vote would be the biggest since 2019.",
        "We've been working hard to bring you independent news. Consider supporting the Ledger.",
    )
    assert texts(drop_appeals(blocks)) == ["The vote would be the biggest since 2019."]
