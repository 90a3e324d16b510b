"""The sentence splitter on news text: abbreviations, initials, numbers, quotes."""

from __future__ import annotations

import pytest

from storyline.clean.sentences import remove_sentences, split_sentences
from storyline.model import BlockKind
from tests.clean.drafts import paragraphs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "U.S. officials met in Linden. They left at noon.",
            ["U.S. officials met in Linden.", "They left at noon."],
        ),
        (
            "Lt. Gen. Ada Mensah and Gov. Tomas Brill spoke. Mr. Okafor did not.",
            ["Lt. Gen. Ada Mensah and Gov. Tomas Brill spoke.", "Mr. Okafor did not."],
        ),
        (
            "The delegation flew to Washington, D.C. The talks began on Monday.",
            ["The delegation flew to Washington, D.C.", "The talks began on Monday."],
        ),
        (
            "The talks in Washington, D.C. Tuesday were short.",
            ["The talks in Washington, D.C. Tuesday were short."],
        ),
        (
            "John F. Kennedy Pier reopened. J. R. Vell cut the ribbon.",
            ["John F. Kennedy Pier reopened.", "J. R. Vell cut the ribbon."],
        ),
        (
            "Crews moved 1,212 crates and 3.5 tonnes of grain. No. 4 quay stayed shut.",
            ["Crews moved 1,212 crates and 3.5 tonnes of grain.", "No. 4 quay stayed shut."],
        ),
        (
            "'We are ready,' she said. 'Are they?' he asked. \"Nobody knows?\" Vell replied.",
            ["'We are ready,' she said.", "'Are they?' he asked.", '"Nobody knows?" Vell replied.'],
        ),
        (
            "The mayor spoke of 'a bridge for a hundred years.' Engineers disagreed.",
            ["The mayor spoke of 'a bridge for a hundred years.'", "Engineers disagreed."],
        ),
        (
            'He asked what would happen next?" The room fell silent.',
            ['He asked what would happen next?"', "The room fell silent."],
        ),
        (
            "Services resumed at 5 p.m. on Friday. Crowds gathered at St. Anne's Church.",
            ["Services resumed at 5 p.m. on Friday.", "Crowds gathered at St. Anne's Church."],
        ),
        (
            "Harrow & Pike Ltd. won the contract. Work starts in Jan. 2027 near Quay St. today.",
            [
                "Harrow & Pike Ltd. won the contract.",
                "Work starts in Jan. 2027 near Quay St. today.",
            ],
        ),
        (
            "He paused... Then he left. The vote was 7-2!",
            ["He paused...", "Then he left.", "The vote was 7-2!"],
        ),
        ("He said no. The vote failed.", ["He said no.", "The vote failed."]),
        ("She studied art. Then she moved.", ["She studied art.", "Then she moved."]),
        ("", []),
    ],
)
def test_splits_news_text(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_joining_the_sentences_gives_the_text_back() -> None:
    text = (
        "On Oct. 3, Lt. Col. Ada Mensah (ret.) told the U.S. Senate: 'The clay is soft.' "
        "The hearing ended at 4 p.m. Nobody voted. 'Why not?' asked Sen. Brill."
    )
    assert " ".join(split_sentences(text)) == text


def test_remove_sentences_keeps_the_rest_of_the_paragraph() -> None:
    blocks = paragraphs("Keep this one. Drop this one. Keep that one.", "Drop this one.")
    kept = remove_sentences(blocks, lambda sentence: sentence.startswith("Drop"))
    assert [(block.kind, block.text) for block in kept] == [
        (BlockKind.PARAGRAPH, "Keep this one. Keep that one.")
    ]
