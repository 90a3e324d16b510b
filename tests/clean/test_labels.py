"""Fact-check and trust labels pasted into the text go; article facts stay."""

from __future__ import annotations

import pytest

from storyline.clean.labels import drop_labels, is_label_definition
from tests.clean.drafts import paragraphs, texts

_DEFINITION = (
    "Based on facts, either observed and verified firsthand by the reporter, "
    "or reported and verified from knowledgeable sources."
)


@pytest.mark.parametrize(
    "sentence",
    [
        _DEFINITION,
        "Interprets the news based on evidence, including data, as well as anticipating "
        "how events might unfold based on past events.",
        "Advocates for ideas and draws conclusions based on the author's interpretation of "
        "facts and data.",
        "Verified by multiple independent sources.",
    ],
)
def test_label_definitions_are_recognised(sentence: str) -> None:
    assert is_label_definition(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Based on facts gathered by the Ledger, the council overspent by 12 percent.",
        "The reporter verified the claims with Marta Vell, the union's chair.",
        "Sources said the vote was close.",
        "'We verified every fact,' the editor said.",
        "Opinion was divided.",
    ],
)
def test_sentences_with_article_facts_are_not_labels(sentence: str) -> None:
    assert not is_label_definition(sentence)


def test_a_label_and_its_definition_at_the_start_go() -> None:
    blocks = paragraphs(f"Fact Check: {_DEFINITION} Dockers voted on Friday to end the strike.")
    assert texts(drop_labels(blocks)) == ["Dockers voted on Friday to end the strike."]


@pytest.mark.parametrize("badge", ["Verified", "✓ Verified", "Analysis", "Opinion:", "Fact Check"])
def test_a_badge_on_its_own_line_goes(badge: str) -> None:
    blocks = paragraphs(badge, "Dockers voted on Friday to end the strike.")
    assert texts(drop_labels(blocks)) == ["Dockers voted on Friday to end the strike."]


def test_a_label_prefix_goes_and_its_text_stays() -> None:
    blocks = paragraphs("Analysis: The Sable River bridge is a test of the mayor's authority.")
    assert texts(drop_labels(blocks)) == [
        "The Sable River bridge is a test of the mayor's authority."
    ]


def test_a_definition_far_from_the_start_is_left_alone() -> None:
    """Label text deep in an article is quoted or discussed, not pasted by the site."""
    body = [f"Paragraph {number} of the report." for number in range(1, 6)]
    blocks = paragraphs(*body, _DEFINITION)
    assert texts(drop_labels(blocks)) == [*body, _DEFINITION]
