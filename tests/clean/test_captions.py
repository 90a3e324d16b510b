"""Captions shown twice are kept once, typed CAPTION, with their credit."""

from __future__ import annotations

from storyline.clean.captions import copy_length, separate_captions
from storyline.model import Block, BlockKind
from tests.clean.drafts import paragraphs

CAPTION = "Dockers vote by a show of hands at the union hall in Port Averley on Friday."


def _pairs(blocks: list[Block]) -> list[tuple[BlockKind, str]]:
    return [(block.kind, block.text) for block in blocks]


def test_a_caption_repeated_back_to_back_is_kept_once_with_its_credit() -> None:
    text = f"The strike ended. {CAPTION} {CAPTION} Jon Hale/Harbor Gazette The port reopened."
    assert _pairs(separate_captions(paragraphs(text))) == [
        (BlockKind.PARAGRAPH, "The strike ended."),
        (BlockKind.CAPTION, f"{CAPTION} Jon Hale/Harbor Gazette"),
        (BlockKind.PARAGRAPH, "The port reopened."),
    ]


def test_a_cut_off_second_copy_leaves_the_sentence_it_ran_into() -> None:
    caption = (
        "Container ships wait off the breakwater at Port Averley on Thursday, "
        "the eighth day of the strike, in Averley Bay."
    )
    cut = caption.removesuffix("Bay.")
    text = f"Sato spoke. {caption} {cut}port authority said the queue would clear. He left."
    assert _pairs(separate_captions(paragraphs(text))) == [
        (BlockKind.PARAGRAPH, "Sato spoke."),
        (BlockKind.CAPTION, caption),
        (BlockKind.PARAGRAPH, "port authority said the queue would clear. He left."),
    ]


def test_sentences_that_merely_open_alike_are_not_captions() -> None:
    text = (
        "The mayor of Linden said on Monday that the bridge would close for repairs. "
        "The mayor of Linden said on Monday that the ferry would run instead."
    )
    assert _pairs(separate_captions(paragraphs(text))) == [(BlockKind.PARAGRAPH, text)]


def test_a_short_repeated_sentence_is_not_a_caption() -> None:
    assert copy_length("He left.", "He left. Then he came back.") == 0


def test_a_caption_line_followed_by_its_copy_and_a_credit_line() -> None:
    credit = "(Gazette Photo/Lina Ortiz)"
    blocks = paragraphs("The strike ended.", CAPTION, CAPTION, credit, "Next.")
    assert _pairs(separate_captions(blocks)) == [
        (BlockKind.PARAGRAPH, "The strike ended."),
        (BlockKind.CAPTION, f"{CAPTION} {credit}"),
        (BlockKind.PARAGRAPH, "Next."),
    ]


def test_a_credit_line_joins_the_caption_before_it() -> None:
    blocks = (
        Block(BlockKind.PARAGRAPH, "The strike ended after nine days of talks at the port."),
        Block(BlockKind.CAPTION, CAPTION),
        Block(BlockKind.PARAGRAPH, "Photo: Averley Port Authority"),
        Block(BlockKind.PARAGRAPH, "The port reopened."),
    )
    assert _pairs(separate_captions(blocks)) == [
        (BlockKind.PARAGRAPH, "The strike ended after nine days of talks at the port."),
        (BlockKind.CAPTION, f"{CAPTION} Photo: Averley Port Authority"),
        (BlockKind.PARAGRAPH, "The port reopened."),
    ]


def test_a_credit_line_after_a_short_paragraph_makes_it_a_caption() -> None:
    blocks = paragraphs(CAPTION, "Jon Hale/Harbor Gazette")
    assert _pairs(separate_captions(blocks)) == [
        (BlockKind.CAPTION, f"{CAPTION} Jon Hale/Harbor Gazette"),
    ]


def test_a_credit_opening_the_paragraph_after_a_caption_moves_to_it() -> None:
    blocks = (
        Block(BlockKind.CAPTION, CAPTION),
        Block(BlockKind.PARAGRAPH, "Jon Hale/Harbor Gazette The port reopened on Saturday."),
    )
    assert _pairs(separate_captions(blocks)) == [
        (BlockKind.CAPTION, f"{CAPTION} Jon Hale/Harbor Gazette"),
        (BlockKind.PARAGRAPH, "The port reopened on Saturday."),
    ]


def test_a_heading_after_a_credit_is_not_swallowed_by_it() -> None:
    text = f"{CAPTION} {CAPTION} Jon Hale/Harbor Gazette What To Know The chief spoke."
    assert _pairs(separate_captions(paragraphs(text))) == [
        (BlockKind.CAPTION, f"{CAPTION} Jon Hale/Harbor Gazette"),
        (BlockKind.PARAGRAPH, "What To Know The chief spoke."),
    ]


def test_an_agency_name_starting_a_sentence_is_not_taken_for_a_credit() -> None:
    text = f"{CAPTION} {CAPTION} Reuters reported the vote."
    assert _pairs(separate_captions(paragraphs(text))) == [
        (BlockKind.CAPTION, CAPTION),
        (BlockKind.PARAGRAPH, "Reuters reported the vote."),
    ]
