"""The rules Storyline adds to trafilatura, each on a page built to need it."""

from __future__ import annotations

from storyline.extract import extract_article
from storyline.extract.completion import complete_blocks
from storyline.extract.page import parse_page
from storyline.model import Block, BlockKind

PROSE = (
    "The Ostervale council voted on Tuesday to keep the night buses running through the winter, "
    "after drivers and shift workers filled the public gallery for the third meeting in a row."
)


def _sentence(topic: str, n: int) -> str:
    return (
        f"Part {n} about {topic}: the committee heard from residents, bus drivers and the "
        f"depot manager, who described the timetable changes and their cost in some detail."
    )


def test_article_split_into_sibling_containers_is_read_whole() -> None:
    chunks = "".join(
        '<div class="story-chunk">'
        + "".join(f"<p>{_sentence(f'chunk {c}', n)}</p>" for n in range(3))
        + '</div><div class="ad-slot"><p>Advertisement</p></div>'
        for c in range(1, 5)
    )
    html = (
        "<html><head><title>Night buses saved</title></head><body>"
        f'<article class="story"><h1>Night buses saved</h1>{chunks}</article>'
        '<footer><a href="/about">About the Ostervale Post</a></footer></body></html>'
    )
    result = extract_article(html)
    assert result is not None
    for chunk in range(1, 5):
        assert f"about chunk {chunk}:" in result.text
    assert "Advertisement" not in result.text
    # The engine kept only the first container: the rule adds the others, in page order.
    tree = parse_page(html)
    assert tree is not None
    first = [Block(BlockKind.PARAGRAPH, _sentence("chunk 1", n)) for n in range(3)]
    completed = complete_blocks(first, tree)
    assert [b.text for b in completed] == [
        _sentence(f"chunk {c}", n) for c in range(1, 5) for n in range(3)
    ]


def test_sibling_containers_of_links_are_not_added() -> None:
    teasers = "".join(
        f'<div class="card"><p><a href="/n/{n}">{_sentence(f"teaser {n}", n)}</a></p></div>'
        for n in range(3)
    )
    html = f"<html><body><main>{teasers}</main></body></html>"
    tree = parse_page(html)
    assert tree is not None
    first = [Block(BlockKind.PARAGRAPH, _sentence("teaser 0", 0))]
    assert complete_blocks(first, tree) == first


def test_hover_cards_inside_paragraphs_are_not_text() -> None:
    html = (
        "<html><head><title>Night buses saved</title></head><body><article>"
        '<p>The motion was tabled by councillor <a href="/people/ida-brannock">Ida Brannock</a>'
        '<span class="tooltip"><a href="/people/ida-brannock">Ida Brannock</a> '
        '<a href="/x">Brannock calls for longer library hours</a></span>, who chairs the '
        "transport committee and has campaigned for the night service since it began.</p>"
        f"<p>{PROSE}</p><p>{_sentence('the vote', 1)}</p></article></body></html>"
    )
    result = extract_article(html)
    assert result is not None
    assert "councillor Ida Brannock, who chairs" in result.text
    assert "library hours" not in result.text


def test_related_links_and_read_more_lines_are_dropped() -> None:
    related = "".join(
        f'<p><a href="/news/{n}">Ostervale tram extension delayed again, part {n}</a></p>'
        for n in range(3)
    )
    html = (
        "<html><head><title>Night buses saved</title></head><body><article>"
        f"<p>{PROSE}</p>"
        '<p>Read more: <a href="/news/9">Drivers win pay rise after two-day strike</a></p>'
        f"<p>{_sentence('the budget', 1)}</p><p>{_sentence('the budget', 2)}</p>{related}"
        "</article></body></html>"
    )
    result = extract_article(html)
    assert result is not None
    assert "Drivers win pay rise" not in result.text
    assert "tram extension delayed" not in result.text
    assert "Part 2 about the budget" in result.text


def test_reading_metadata_leaves_the_page_tree_unchanged() -> None:
    from lxml import html as lxml_html

    from storyline.extract.encoding import decode_html
    from storyline.extract.metadata import read_metadata
    from storyline.extract.page import parse_page, read_facts
    from tests.conftest import FIXTURES

    page = (FIXTURES / "extract" / "article.html").read_bytes()
    tree = parse_page(decode_html(page))
    assert tree is not None
    before = lxml_html.tostring(tree)
    read_metadata(tree, read_facts(tree, None), None)
    assert lxml_html.tostring(tree) == before
