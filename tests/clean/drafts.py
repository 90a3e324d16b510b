"""Building drafts the way a parser hands them over: one PARAGRAPH block per paragraph."""

from __future__ import annotations

from storyline.model import ArticleDraft, Block, BlockKind


def paragraphs(*texts: str) -> tuple[Block, ...]:
    return tuple(Block(BlockKind.PARAGRAPH, text) for text in texts)


def draft_of(*texts: str, title: str = "A test article") -> ArticleDraft:
    return ArticleDraft(title=title, blocks=paragraphs(*texts), outlet="Marlow Ledger")


def texts(blocks: tuple[Block, ...] | list[Block]) -> list[str]:
    return [block.text for block in blocks]


def kinds(blocks: tuple[Block, ...] | list[Block]) -> list[BlockKind]:
    return [block.kind for block in blocks]
