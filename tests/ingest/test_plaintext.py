"""Plain-text articles: a title line, then paragraphs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.ingest.errors import ParseError
from storyline.ingest.plaintext import parse_plain_article, split_paragraphs
from storyline.model import BlockKind
from tests.conftest import FIXTURES

AS_OF = datetime(2025, 6, 8, 15, 0, tzinfo=UTC)


def test_blank_lines_separate_paragraphs_and_wrapped_lines_are_joined() -> None:
    text = "First line\nof one paragraph.\n\n  \nSecond paragraph.\n"
    assert split_paragraphs(text) == ["First line of one paragraph.", "Second paragraph."]


def test_without_blank_lines_each_line_is_a_paragraph() -> None:
    assert split_paragraphs("One.\nTwo.\n  Three.  ") == ["One.", "Two.", "Three."]


def test_nothing_but_blank_lines_has_no_paragraphs() -> None:
    assert split_paragraphs("\n \n\t\n") == []


def test_the_fixture_article() -> None:
    text = (FIXTURES / "ingest" / "plain-article.txt").read_text(encoding="utf-8")
    draft = parse_plain_article(text, as_of=AS_OF, outlet=None)
    assert draft.title == "Elmstead bell tower reopens after two-year restoration"
    assert [b.kind for b in draft.blocks] == [BlockKind.PARAGRAPH] * 4
    assert draft.blocks[0].text.startswith("ELMSTEAD, May 30 (Valley Signal) -- The bell tower")
    assert "market church opened" in draft.blocks[0].text  # wrapped lines joined
    # The dateline gives the date and, as nothing else names one, the outlet.
    assert draft.published_at == datetime(2025, 5, 30, tzinfo=UTC)
    assert draft.outlet == "Valley Signal"


def test_the_outlet_option_wins_over_the_dateline_agency() -> None:
    text = (FIXTURES / "ingest" / "plain-article.txt").read_text(encoding="utf-8")
    draft = parse_plain_article(text, as_of=AS_OF, outlet="Elmstead Weekly")
    assert draft.outlet == "Elmstead Weekly"


def test_a_named_outlet_wins_over_the_dateline_agency() -> None:
    text = (
        "Gale closes the harbour\n"
        "PORT VERRIN (Coastline Wire) - The harbour closed.\n"
        "Consider supporting the Harbor Ledger."
    )
    draft = parse_plain_article(text, as_of=AS_OF, outlet=None)
    assert draft.outlet == "Harbor Ledger"
    assert draft.published_at is None


def test_leading_blank_lines_are_skipped_and_no_outlet_is_invented() -> None:
    draft = parse_plain_article("\n\n  Title here \nBody one.\nBody two.", as_of=AS_OF, outlet=None)
    assert draft.title == "Title here"
    assert draft.text == "Body one.\n\nBody two."
    assert draft.outlet is None and draft.published_at is None


def test_a_title_alone_is_an_error() -> None:
    with pytest.raises(ParseError, match="no text after it"):
        parse_plain_article("Only a title\n\n", as_of=AS_OF, outlet=None)
