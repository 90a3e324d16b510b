"""Domain types that pipeline stages pass to each other.

A stage takes an :class:`ArticleDraft` and returns a new one; none of them touches the
database. :mod:`storyline.store` turns a finished draft into rows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum


class BlockKind(StrEnum):
    PARAGRAPH = "paragraph"
    HEADING = "heading"
    CAPTION = "caption"
    BLOCKQUOTE = "blockquote"


@dataclass(frozen=True)
class Block:
    """One piece of an article's body, in reading order."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Link:
    """An outbound link the article carries, such as a "Read also" line."""

    text: str
    url: str | None = None
    kind: str = "read-also"


@dataclass(frozen=True)
class ArticleDraft:
    """An article on its way through the pipeline, before it is stored."""

    title: str
    blocks: tuple[Block, ...]
    outlet: str | None = None
    url: str | None = None
    byline: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    links: tuple[Link, ...] = ()
    site_name: str | None = None
    image_url: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The body as plain text: blocks separated by blank lines."""
        return body_text(self.blocks)

    def with_changes(self, **changes: object) -> ArticleDraft:
        return replace(self, **changes)  # type: ignore[arg-type]


def body_text(blocks: tuple[Block, ...] | list[Block]) -> str:
    return "\n\n".join(block.text for block in blocks)


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_for_fingerprint(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def content_fingerprint(outlet: str | None, title: str, text: str) -> str:
    """Identity of an article that has no URL: its outlet, title and text, normalised.

    The outlet is part of it so that a wire story carried by two outlets stays two
    articles (they are linked as copies later, not merged).
    """
    parts = [normalize_for_fingerprint(outlet or ""), normalize_for_fingerprint(title)]
    parts.append(normalize_for_fingerprint(text))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
