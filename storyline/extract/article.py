"""An article page's main text and metadata: the extraction stage.

``extract_article(html, url)`` is pure: bytes or text in, an :class:`Extraction` out, no
network and no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storyline.extract.candidates import choose_candidate, read_candidates, restore_structure
from storyline.extract.captions import add_captions
from storyline.extract.cleanup import remove_boilerplate
from storyline.extract.completion import complete_blocks
from storyline.extract.encoding import decode_html
from storyline.extract.metadata import read_metadata
from storyline.extract.page import parse_page, read_facts, remove_hidden
from storyline.model import Block, BlockKind, body_text

_SENTENCE_WORDS = 8
_UNSPACED_RUN = 20


@dataclass(frozen=True)
class Extraction:
    """What the stage found in one page: metadata and the body as typed blocks."""

    title: str | None
    byline: str | None
    published_at: datetime | None
    site_name: str | None
    language: str | None
    image_url: str | None
    canonical_url: str | None
    description: str | None
    blocks: tuple[Block, ...]

    @property
    def text(self) -> str:
        """The body as plain text: blocks separated by blank lines, like ``ArticleDraft``."""
        return body_text(self.blocks)

    @property
    def body_text(self) -> str:
        """The article body without figure captions: what schema.org calls ``articleBody``."""
        return body_text(tuple(b for b in self.blocks if b.kind is not BlockKind.CAPTION))


def extract_article(html: bytes | str, url: str | None = None) -> Extraction | None:
    """The article in ``html``, or None when the page carries no article text.

    1. Decode the bytes, trusting valid UTF-8 over a wrong charset label.
    2. Parse once; read the facts trafilatura leaves out (language, canonical URL,
       figure captions); remove what a reader never sees (hidden elements, hover cards).
    3. Run trafilatura in recall mode; when it finds little, also with its fallbacks.
    4. Choose between the runs; add the article's parts in sibling containers it cut.
    5. Remove boilerplate blocks the engine kept (share bars, newsletter appeals, related
       links, the title and standfirst repeated at the top).
    6. Read the metadata: trafilatura's, completed from the page.
    """
    tree = parse_page(decode_html(html))
    if tree is None:
        return None
    facts = read_facts(tree, url)
    remove_hidden(tree)
    candidates = read_candidates(tree, url, facts)
    if not candidates:
        return None
    chosen = restore_structure(choose_candidate(candidates), tree, url, facts)
    metadata = read_metadata(tree, facts, url)
    blocks = add_captions(complete_blocks(list(chosen.blocks), tree), tree)
    blocks = remove_boilerplate(
        tuple(blocks), facts, metadata.title, metadata.description, metadata.byline
    )
    if not _has_prose(blocks):
        return None
    return Extraction(
        title=metadata.title,
        byline=metadata.byline,
        published_at=metadata.published_at,
        site_name=metadata.site_name,
        language=facts.language,
        image_url=metadata.image_url,
        canonical_url=facts.canonical_url or metadata.url,
        description=metadata.description,
        blocks=tuple(blocks),
    )


def _has_prose(blocks: list[Block]) -> bool:
    """Whether any paragraph reads as a sentence, not a row of menu words or link labels."""
    return any(
        block.kind in {BlockKind.PARAGRAPH, BlockKind.BLOCKQUOTE} and _is_sentence(block.text)
        for block in blocks
    )


def _is_sentence(text: str) -> bool:
    words = text.split()
    # Scripts written without spaces (Chinese, Japanese, Thai) make one long "word".
    return len(words) >= _SENTENCE_WORDS or max(map(len, words), default=0) >= _UNSPACED_RUN
