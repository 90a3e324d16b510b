"""HTML pages through trafilatura: typed blocks and metadata."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.ingest.errors import ParseError
from storyline.ingest.webpage import parse_html_page
from storyline.model import BlockKind
from tests.conftest import FIXTURES

AS_OF = datetime(2025, 6, 8, 15, 0, tzinfo=UTC)


def _fixture() -> str:
    return (FIXTURES / "ingest" / "article.html").read_text(encoding="utf-8")


def test_metadata_of_the_fixture_page() -> None:
    draft = parse_html_page(_fixture(), as_of=AS_OF, outlet=None)
    assert draft.title == "Ferry service to Alder Island resumes after storm repairs"
    assert draft.url == "https://harborledger.example/news/2025/04/ferry-service-resumes"
    assert draft.byline == "Marisol Quenby"
    assert draft.published_at == datetime(2025, 4, 14, 7, 30, tzinfo=UTC)
    assert draft.site_name == "The Harbor Ledger"
    assert draft.outlet == "The Harbor Ledger"
    assert draft.language == "en"
    assert draft.image_url == "https://harborledger.example/images/ferry-dock.jpg"


def test_blocks_of_the_fixture_page_are_typed() -> None:
    draft = parse_html_page(_fixture(), as_of=AS_OF, outlet=None)
    kinds = [b.kind for b in draft.blocks]
    assert kinds == [
        BlockKind.PARAGRAPH,
        BlockKind.PARAGRAPH,
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
        BlockKind.BLOCKQUOTE,
        BlockKind.PARAGRAPH,
        BlockKind.CAPTION,
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
        BlockKind.PARAGRAPH,
    ]
    texts = [b.text for b in draft.blocks]
    assert texts[0].startswith("PORT VERRIN, April 14 (Harbor Ledger) — The ferry")
    assert texts[2] == "Three weeks without a crossing"
    assert texts[4].startswith("We counted the days by the bread.")
    assert texts[6] == "The rebuilt landing ramp at Alder Island on Monday morning."
    body = draft.text
    assert "Great news for the island" not in body  # comments are left out
    assert "All rights reserved" not in body and "Sport" not in body


def test_the_outlet_option_wins_over_the_site_name() -> None:
    draft = parse_html_page(_fixture(), as_of=AS_OF, outlet="Island Radio")
    assert draft.outlet == "Island Radio"
    assert draft.site_name == "The Harbor Ledger"


def test_a_page_without_metadata_falls_back_to_its_dateline() -> None:
    html = """<html><body><article><h1>Gales keep the fleet in harbour</h1>
    <p>PORT VERRIN, Oct. 2 (Coastline Wire) -- Most of the fleet stayed in harbour for a
    second day on Thursday as gales swept along the coast, the harbour office said.</p>
    <p>Skippers said they expected to sail again on Saturday once the wind had eased.</p>
    <p>The harbour office said the breakwater had held without any damage this time.</p>
    </article></body></html>"""
    draft = parse_html_page(html, as_of=AS_OF, outlet=None)
    assert draft.title == "Gales keep the fleet in harbour"
    assert draft.blocks[0].kind is BlockKind.PARAGRAPH
    assert draft.published_at == datetime(2024, 10, 2, tzinfo=UTC)
    assert draft.outlet == "Coastline Wire"
    assert draft.url is None and draft.language is None


def test_a_caption_trafilatura_keeps_as_a_paragraph_is_typed() -> None:
    html = (
        _fixture()
        .replace("<figcaption>", "<figcaption><p>")
        .replace("</figcaption>", "</p></figcaption>")
    )
    draft = parse_html_page(html, as_of=AS_OF, outlet=None)
    captions = [b.text for b in draft.blocks if b.kind is BlockKind.CAPTION]
    assert captions == ["The rebuilt landing ramp at Alder Island on Monday morning."]


def test_a_page_with_no_text_is_an_error() -> None:
    with pytest.raises(ParseError, match="no article text"):
        parse_html_page("<html><body><nav>Home</nav></body></html>", as_of=AS_OF, outlet=None)
