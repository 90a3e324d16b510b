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


def test_control_characters_are_removed_from_body_and_title() -> None:
    from storyline.clean import clean_article
    from storyline.model import ArticleDraft, Block, BlockKind

    draft = ArticleDraft(
        title="Quay\x00 reopens",
        blocks=(Block(BlockKind.PARAGRAPH, "The quay\x00 reopened\x07 on Monday after repairs."),),
    )
    cleaned = clean_article(draft)
    assert cleaned.title == "Quay reopens"
    assert cleaned.text == "The quay reopened on Monday after repairs."
