"""Figure captions that belong to the article, put back where the figure stands.

trafilatura is run without images (they make it keep worse paragraphs on some pages), so
it drops figures and their captions. A ``<figcaption>`` that the page prints between two
paragraphs the extractor kept is part of the article: it is added as a caption block
after the paragraph it follows. Captions outside the kept text (galleries, teasers, the
site's furniture) stay out.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from storyline.extract.blocks import squash
from storyline.extract.page import normalize
from storyline.model import Block, BlockKind

_TEXT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "figcaption")


def add_captions(blocks: list[Block], tree: HtmlElement) -> list[Block]:
    """``blocks`` with the captions of figures that stand inside the kept text."""
    positions: dict[str, int] = {}
    for index, block in enumerate(blocks):
        positions.setdefault(normalize(block.text), index)
    known_captions = {normalize(b.text) for b in blocks if b.kind is BlockKind.CAPTION}
    pending: list[tuple[int, str]] = []  # (insert after block index, caption)
    accepted: list[tuple[int, str]] = []
    last: int | None = None
    for element in tree.iter(*_TEXT_TAGS):
        if element.tag == "figcaption":
            caption = squash(element.text_content())
            if caption and last is not None and normalize(caption) not in known_captions:
                pending.append((last, caption))
            continue
        found = positions.get(normalize(element.text_content()))
        if found is None:
            continue
        # A paragraph the extractor kept follows: the pending captions are inside the text.
        accepted.extend((after, caption) for after, caption in pending if after < found)
        pending = []
        last = found
    result = list(blocks)
    seen: set[str] = set()
    for after, caption in sorted(accepted, key=lambda item: item[0], reverse=True):
        if caption not in seen:
            seen.add(caption)
            result.insert(after + 1, Block(BlockKind.CAPTION, caption))
    return result
