"""Whitespace normalisation and empty blocks."""

from __future__ import annotations

from storyline.clean.spacing import normalise_blocks, normalise_text
from tests.clean.drafts import paragraphs, texts


def test_collapses_spaces_and_removes_invisible_characters() -> None:
    raw = "  The\u00a0ferry \u200bleft\tat\n\nnoon.\u00ad  "
    assert normalise_text(raw) == "The ferry left at noon."


def test_composes_accents_so_copies_compare_equal() -> None:
    assert normalise_text("Cafe\u0301 Orla") == "Café Orla"


def test_drops_blocks_left_empty() -> None:
    blocks = normalise_blocks(paragraphs("One.", " \u200b ", "", "Two."))
    assert texts(blocks) == ["One.", "Two."]
