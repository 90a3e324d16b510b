"""'Read also' lines become links, not body text."""

from __future__ import annotations

import pytest

from storyline.clean.links import extract_read_also
from storyline.model import Link
from tests.clean.drafts import paragraphs, texts


@pytest.mark.parametrize(
    "line",
    [
        "Read also: Linden's old ferry makes its last crossing after 88 years",
        "READ MORE: Linden's old ferry makes its last crossing after 88 years",
        "Related: Linden's old ferry makes its last crossing after 88 years",
        "See also — Linden's old ferry makes its last crossing after 88 years",
        "Also read: Linden's old ferry makes its last crossing after 88 years",
    ],
)
def test_a_read_also_line_becomes_a_link(line: str) -> None:
    blocks, links = extract_read_also(paragraphs("The bridge vote was delayed.", line))
    assert texts(blocks) == ["The bridge vote was delayed."]
    assert links == [
        Link(
            text="Linden's old ferry makes its last crossing after 88 years",
            url=None,
            kind="read-also",
        )
    ]


def test_a_read_also_line_at_the_end_of_a_run_in_paragraph() -> None:
    blocks, links = extract_read_also(
        paragraphs("The vote was delayed. Read more: Quay St. residents fight the bridge")
    )
    assert texts(blocks) == ["The vote was delayed."]
    assert [link.text for link in links] == ["Quay St. residents fight the bridge"]


@pytest.mark.parametrize(
    "text",
    [
        "Read more about the bridge in our archive.",
        "Related: the mayor said the vote would wait.",
        "See the council's papers for the full plan.",
        "Read also:",
    ],
)
def test_prose_that_starts_alike_stays(text: str) -> None:
    blocks, links = extract_read_also(paragraphs(text))
    assert texts(blocks) == [text]
    assert links == []
