"""The sentences the AI features cite: exact offsets, datelines and fragments left out."""

from __future__ import annotations

import pytest

from storyline.ai.passages import passages
from storyline.stories.digest_types import DigestArticle


def _article(text: str, article_id: int = 4) -> DigestArticle:
    return DigestArticle(article_id, "Lakeside Ledger", "", "", None, text)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("ORRIN (Lakeside Ledger) — The dam talks resumed on Sunday in Velto.", "The dam"),
        ("June 8 (Velto Wire) -- The dam talks resumed on Sunday in Velto.", "The dam"),
        ("Velto, March 12 (Velto Wire) — The dam talks resumed on Sunday.", "The dam"),
        ("(Velto Wire) — The dam talks resumed on Sunday in Velto.", "The dam"),
        ("Mayor Ilse Varn (left) met the dam engineers on Monday.", "Mayor Ilse"),
    ],
)
def test_wire_datelines_are_left_out_and_offsets_stay_exact(text: str, first: str) -> None:
    found = passages([_article(text)])
    assert found[0].text.startswith(first)
    assert text[found[0].start : found[0].end] == found[0].text
    assert found[0].citation().article_id == 4


def test_fragments_are_left_out_and_passages_are_numbered_across_articles() -> None:
    one = _article("Photo: Velto.\n\nThe dam talks resumed on Sunday in Velto. They stalled.", 1)
    two = _article("Engineers inspected the spillway after heavy rain last week.", 2)
    found = passages([one, two])
    assert [p.text for p in found] == [
        "The dam talks resumed on Sunday in Velto.",
        "Engineers inspected the spillway after heavy rain last week.",
    ]
    assert [(p.article_id, p.index, p.position, p.paragraph) for p in found] == [
        (1, 0, 0, 1),
        (2, 1, 0, 0),
    ]
