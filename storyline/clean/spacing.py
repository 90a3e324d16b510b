"""Whitespace: one space between words, no invisible characters, no empty blocks.

Every later rule compares and splits text, so they all see the same spacing: a
non-breaking space or a zero-width joiner pasted from a web page must not make two copies
of a caption look different.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from storyline.model import Block

# Invisible characters, and control characters (a NUL from a broken page cannot even be
# stored in PostgreSQL text); whitespace controls are left to ``_SPACES``.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """``text`` in NFC form, invisible characters removed, whitespace runs made one space."""
    composed = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", _INVISIBLE.sub("", composed)).strip()


def normalise_blocks(blocks: Iterable[Block]) -> list[Block]:
    """The blocks with normalised text; blocks left empty are dropped."""
    normalised = (Block(block.kind, normalise_text(block.text)) for block in blocks)
    return [block for block in normalised if block.text]
