"""Section headings run into the text become HEADING blocks."""

from __future__ import annotations

import pytest

from storyline.clean.headings import split_headings
from storyline.model import BlockKind
from tests.clean.drafts import paragraphs


def _pairs(text: str) -> list[tuple[BlockKind, str]]:
    return [(block.kind, block.text) for block in split_headings(paragraphs(text))]


def test_a_heading_between_two_sentences_splits_the_paragraph() -> None:
    text = '"We got enough," she said. Why It Matters The strike cut exports by a third.'
    assert _pairs(text) == [
        (BlockKind.PARAGRAPH, '"We got enough," she said.'),
        (BlockKind.HEADING, "Why It Matters"),
        (BlockKind.PARAGRAPH, "The strike cut exports by a third."),
    ]


@pytest.mark.parametrize(
    "heading",
    [
        "What To Know",
        "What to Know",
        "What We Know",
        "What People Are Saying",
        "What Happens Next",
        "Key Takeaways",
        "Background",
        "The Big Picture",
    ],
)
def test_headings_from_the_vocabulary(heading: str) -> None:
    text = f"The port reopened. {heading} Sato said the deal was fair."
    assert _pairs(text) == [
        (BlockKind.PARAGRAPH, "The port reopened."),
        (BlockKind.HEADING, heading),
        (BlockKind.PARAGRAPH, "Sato said the deal was fair."),
    ]


def test_a_heading_at_the_start_and_one_after_a_quote() -> None:
    text = 'What To Know Ships queued. Vell said: "We won." What Happens Next A new ballot.'
    assert _pairs(text) == [
        (BlockKind.HEADING, "What To Know"),
        (BlockKind.PARAGRAPH, 'Ships queued. Vell said: "We won."'),
        (BlockKind.HEADING, "What Happens Next"),
        (BlockKind.PARAGRAPH, "A new ballot."),
    ]


@pytest.mark.parametrize("line", ["Why It Matters", "WHAT TO KNOW", "Key takeaways:"])
def test_a_heading_on_its_own_line(line: str) -> None:
    assert _pairs(line) == [(BlockKind.HEADING, line.rstrip(":"))]


@pytest.mark.parametrize(
    "text",
    [
        "Background checks will be required, the council said.",
        "The union asked what happens next in the talks.",
        "Nobody knows. What we know is that the ships are waiting.",
        "She explained why it matters to the town's exporters.",
        "The Marlow Ledger Why It Matters column returns.",
    ],
)
def test_prose_with_heading_words_is_left_alone(text: str) -> None:
    assert _pairs(text) == [(BlockKind.PARAGRAPH, text)]
