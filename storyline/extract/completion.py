"""Article text the engine cut off: the rest of an article split into repeated containers.

Some pages print one article as a series of sibling containers of the same kind (between
them: an advert, a newsletter box, a pull quote). trafilatura picks one container as the
article and stops there, keeping only the first part. When the paragraphs it kept all sit
in one container, the other containers of the same tag and class under the same article
element hold the rest; their paragraphs are added in page order if they read as prose
(long, few links).
"""

from __future__ import annotations

from lxml.html import HtmlElement

from storyline.extract.blocks import squash
from storyline.extract.page import normalize
from storyline.model import Block, BlockKind

_PROSE_WORDS = 12  # words a paragraph needs to count as prose, not a label or a teaser
_MAX_LINK_SHARE = 0.3
_MIN_PROSE_SHARE = 0.5  # of a container's paragraphs: the rest may be short lines
_SCOPE_DEPTH = 6  # ancestors to climb looking for the article's enclosing element
_TEXT_TAGS = ("p", "h2", "h3", "h4", "blockquote")


def complete_blocks(blocks: list[Block], tree: HtmlElement) -> list[Block]:
    """``blocks`` with the paragraphs of sibling containers the engine skipped."""
    known = {normalize(b.text) for b in blocks if b.kind is BlockKind.PARAGRAPH}
    known.discard("")
    container = _home_container(tree, known)
    if container is None:
        return blocks
    siblings = _same_kind_containers(container)
    if len(siblings) < 2:
        return blocks
    additions: list[tuple[str, list[Block]]] = []  # (text of the block to follow, new blocks)
    anchor: str | None = None
    for sibling in siblings:
        pieces = _pieces(sibling)
        if sibling is not container and not _reads_as_prose(sibling, pieces):
            continue
        new: list[Block] = []
        for kind, text in pieces:
            key = normalize(text)
            if key in known:
                anchor = key
            elif key:
                new.append(Block(kind, text))
                known.add(key)
        if new:
            additions.append((anchor or "", new))
            anchor = normalize(new[-1].text)
    if not additions:
        return blocks
    return _insert(blocks, additions)


def _home_container(tree: HtmlElement, known: set[str]) -> HtmlElement | None:
    """The one element whose own paragraphs hold the article text the engine kept."""
    parents: dict[HtmlElement, int] = {}
    total = 0
    for paragraph in tree.iter("p"):
        key = normalize(paragraph.text_content())
        if key and key in known:
            parent = paragraph.getparent()
            if parent is not None:
                parents[parent] = parents.get(parent, 0) + len(key)
                total += len(key)
    if not parents:
        return None
    best, size = max(parents.items(), key=lambda item: item[1])
    if size < 0.9 * total or not (best.get("class") or "").strip():
        return None
    return best


def _same_kind_containers(container: HtmlElement) -> list[HtmlElement]:
    """Elements with the container's tag and class, under its nearest enclosing article."""
    signature = (container.tag, container.get("class"))
    scope = container
    for _ in range(_SCOPE_DEPTH):
        parent = scope.getparent()
        if parent is None:
            break
        scope = parent
        if scope.tag in {"article", "main"}:
            break
    return [e for e in scope.iter(container.tag) if (e.tag, e.get("class")) == signature]


def _pieces(container: HtmlElement) -> list[tuple[BlockKind, str]]:
    pieces = []
    for element in container.iter(*_TEXT_TAGS):
        if any(a.tag in _TEXT_TAGS for a in element.iterancestors() if a is not container):
            continue
        text = squash(element.text_content())
        if text:
            kind = BlockKind.PARAGRAPH if element.tag == "p" else BlockKind.HEADING
            if element.tag == "blockquote":
                kind = BlockKind.BLOCKQUOTE
            pieces.append((kind, text))
    return pieces


def _reads_as_prose(container: HtmlElement, pieces: list[tuple[BlockKind, str]]) -> bool:
    paragraphs = [text for kind, text in pieces if kind is BlockKind.PARAGRAPH]
    if not paragraphs:
        return False
    prose = [text for text in paragraphs if len(text.split()) >= _PROSE_WORDS]
    if len(prose) < _MIN_PROSE_SHARE * len(paragraphs):
        return False
    text_length = len(squash(container.text_content())) or 1
    linked = sum(len(squash(a.text_content())) for a in container.iter("a"))
    return linked / text_length <= _MAX_LINK_SHARE


def _insert(blocks: list[Block], additions: list[tuple[str, list[Block]]]) -> list[Block]:
    result = list(blocks)
    for anchor, new in additions:
        position = len(result)
        if anchor:
            for index, block in enumerate(result):
                if normalize(block.text) == anchor:
                    position = index + 1
                    break
        elif result:
            position = 0
        result[position:position] = new
    return result
