"""trafilatura's XML body as typed blocks.

trafilatura returns the article as a small XML tree: ``<head>`` for headings, ``<p>``,
``<quote>``, ``<list>`` of ``<item>``, ``<table>`` of ``<row>``/``<cell>``, ``<graphic>`` for
images. Each maps to one or more :class:`Block`; a figure's caption, which trafilatura keeps
only as an image's alt or title, is taken from the page's ``<figcaption>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree

from storyline.extract.page import PageFacts
from storyline.model import Block, BlockKind

_KINDS = {"head": BlockKind.HEADING, "quote": BlockKind.BLOCKQUOTE}


def read_blocks(body: etree._Element, facts: PageFacts) -> list[Block]:
    """The body's blocks in reading order; a caption the text repeats is kept once."""
    blocks: list[Block] = []
    seen_captions: set[str] = set()

    def add(kind: BlockKind, text: str) -> None:
        if text in facts.caption_texts or kind is BlockKind.CAPTION:
            if text not in seen_captions:
                seen_captions.add(text)
                blocks.append(Block(BlockKind.CAPTION, text))
        else:
            blocks.append(Block(kind, text))

    if squash(body.text or ""):
        add(BlockKind.PARAGRAPH, squash(body.text or ""))
    for element in body:
        if element.tag == "graphic":
            caption = _caption_for(element, facts)
            if caption:
                add(BlockKind.CAPTION, caption)
        else:
            kind = _KINDS.get(str(element.tag), BlockKind.PARAGRAPH)
            for text in _pieces(element):
                add(kind, text)
        # Text trafilatura left loose between two elements is a paragraph of its own.
        if squash(element.tail or ""):
            add(BlockKind.PARAGRAPH, squash(element.tail or ""))
    return blocks


def _pieces(element: etree._Element) -> Iterator[str]:
    """The texts one element holds: list items and a quote's paragraphs one by one."""
    if element.tag in {"list", "quote", "div"} and len(element) and not squash(element.text or ""):
        for child in element:
            yield from _pieces(child) if child.tag in {"list", "quote"} else _nonempty(child)
        return
    if element.tag == "table":
        for row in element.iter("row"):
            cells = [squash(all_text(cell)) for cell in row]
            line = " | ".join(cell for cell in cells if cell)
            if line:
                yield line
        return
    yield from _nonempty(element)


def _nonempty(element: etree._Element) -> Iterator[str]:
    text = squash(all_text(element))
    if text:
        yield text


def _caption_for(graphic: etree._Element, facts: PageFacts) -> str | None:
    source = graphic.get("src") or ""
    if source in facts.captions:
        return facts.captions[source]
    path = urlsplit(source).path  # trafilatura may have made the address absolute
    for image, caption in facts.captions.items():
        if path and urlsplit(image).path == path:
            return caption
    return None


def all_text(element: etree._Element) -> str:
    """The element's text without inline markup; a line break becomes a space."""
    parts = [element.text or ""]
    for child in element:
        parts.append(" " if child.tag == "lb" else all_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def squash(text: str) -> str:
    return " ".join(text.split())
