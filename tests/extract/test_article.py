"""``extract_article`` on small pages written for these tests (invented outlets and events)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from storyline.extract import Extraction, extract_article
from storyline.model import BlockKind
from tests.conftest import FIXTURES

PAGES = FIXTURES / "extract"
URL = "https://tribune.example/news/2024/03/14/kelmarsh-ferry-resumes?utm_source=feed"


@pytest.fixture(scope="module")
def article() -> Extraction:
    result = extract_article((PAGES / "article.html").read_bytes(), url=URL)
    assert result is not None
    return result


def test_metadata(article: Extraction) -> None:
    assert article.title == "Ferry service to Kelmarsh Isle resumes after storm repairs"
    assert article.byline == "Orla Pennick"
    assert article.published_at == datetime(2024, 3, 14, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert article.published_at.tzinfo is not None
    assert article.site_name == "The Harrowgate Tribune"
    assert article.language == "en"
    assert article.image_url == "https://tribune.example/media/2024/ferry-landing.jpg"
    assert article.canonical_url == "https://tribune.example/news/2024/03/14/kelmarsh-ferry-resumes"
    assert article.description is not None
    assert article.description.startswith("The harbour authority reopened")


def test_blocks_keep_their_types_in_reading_order(article: Extraction) -> None:
    kinds = [block.kind for block in article.blocks]
    assert kinds == [
        BlockKind.PARAGRAPH,
        BlockKind.PARAGRAPH,
        BlockKind.CAPTION,
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
        BlockKind.BLOCKQUOTE,
        BlockKind.PARAGRAPH,
        BlockKind.PARAGRAPH,
    ]
    assert (
        article.blocks[2].text == "The rebuilt landing stage at Kelmarsh Isle on Saturday morning."
    )
    assert article.blocks[3].text == "Three weeks without a crossing"
    assert article.blocks[5].text.startswith("We have been counting the days")


def test_text_joins_blocks_and_body_text_leaves_captions_out(article: Extraction) -> None:
    assert article.text == "\n\n".join(block.text for block in article.blocks)
    assert "landing stage at Kelmarsh Isle on Saturday" in article.text
    assert "landing stage at Kelmarsh Isle on Saturday" not in article.body_text
    assert article.body_text.startswith("The ferry between Harrowgate quay")


@pytest.mark.parametrize(
    "furniture",
    [
        "Ferry service to Kelmarsh Isle resumes",  # the headline, kept as the title
        "transport correspondent",  # the byline line
        "Share on Facebook",
        "Print this article",
        "morning newsletter",
        "Subscribe",
        "Related stories",
        "Lifeboat crew delivers supplies",
        "About time too",  # a reader's comment
        "All rights reserved",
        "Contact us",
    ],
)
def test_boilerplate_is_not_in_the_text(article: Extraction, furniture: str) -> None:
    assert furniture not in article.text


def test_a_page_without_an_article_gives_none() -> None:
    assert extract_article((PAGES / "no-article.html").read_bytes()) is None


@pytest.mark.parametrize(
    "html", [b"", "   ", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "plain words"]
)
def test_empty_or_non_html_input_gives_none(html: bytes | str) -> None:
    assert extract_article(html) is None


def test_a_truncated_page_still_gives_its_text() -> None:
    html = (PAGES / "article.html").read_text(encoding="utf-8")
    cut = html[: html.index("Mirela Stanton")] + "Mirela Stanton, who runs the isl"
    result = extract_article(cut, url=URL)
    assert result is not None
    assert result.body_text.startswith("The ferry between Harrowgate quay")
    assert "two hundred residents relied on a fishing boat" in result.text


def test_unclosed_tags_are_repaired() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the Brindle Valley flood report, with <b>enough words to read as "
        "prose about the river, the levees and the pumping stations along the valley floor"
        for n in range(1, 6)
    )
    html = f"<html><head><title>Brindle Valley flood report</title><body><div>{paragraphs}"
    result = extract_article(html)
    assert result is not None
    assert "Paragraph 1 of the Brindle Valley flood report" in result.text
    assert "Paragraph 5 of the Brindle Valley flood report" in result.text
    assert result.published_at is None
