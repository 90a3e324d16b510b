"""Section headings ("Why It Matters", "What To Know") run into the article text.

When a page is copied as text, a section heading loses its line break and sits between
two sentences: "… he said. Why It Matters The strike cut …". A heading is recognised by
two things together, so that prose is never mistaken for one:

* its words: a vocabulary of the section headings news sites use;
* its shape: Title Case, at most five words, after the start of the block or a sentence
  end, and before a capitalised sentence start (or the end of the block).

The paragraph is split around it and the heading becomes a HEADING block. A block that
is only such a heading (in any case, with or without a colon) becomes one as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from storyline.model import Block, BlockKind

_PHRASES = (
    r"why (?:it|this) matters",
    r"why (?:it's|it’s|it is) important",
    r"what (?:to|you need to|you should|we) know(?: so far| now)?",
    r"what we (?:don't|don’t|do not) know(?: yet)?",
    r"what (?:people|they|experts|officials|critics|supporters|analysts|others|residents)"
    r" (?:are|were) saying",
    r"what(?:'s|’s| is) being said",
    r"what happens next",
    r"what comes next",
    r"what(?:'s|’s| is) next",
    r"next steps",
    r"key (?:takeaways|points|facts|details|dates|quotes)",
    r"takeaways",
    r"at a glance",
    r"the big picture",
    r"big picture",
    r"between the lines",
    r"(?:the )?bottom line",
    r"driving the news",
    r"by the numbers",
    r"catch up quick",
    r"state of play",
    r"zoom (?:in|out)",
    r"go deeper",
    r"how we got here",
    r"fast facts",
    r"reality check",
    r"(?:the )?backstory",
    r"(?:the )?background",
    r"(?:the )?context",
    r"timeline",
    r"latest developments",
)
_VOCABULARY = "|".join(_PHRASES)
_WHOLE = re.compile(rf"^(?:{_VOCABULARY})\s*:?$", re.IGNORECASE)
_RUN_IN = re.compile(rf"(?<![\w'’-])(?:{_VOCABULARY})(?![\w'’-])", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_NEXT_START = re.compile(r"^:?\s+[\"'“‘(\[]*[A-Z0-9]")
_SMALL_WORDS = frozenset({"a", "an", "the", "to", "of", "in", "on", "at", "for", "and", "is"})
_MAX_WORDS = 5


def is_heading_line(text: str) -> bool:
    """Whether a whole block is a section heading from the vocabulary."""
    return bool(_WHOLE.match(text.strip()))


def find_heading(text: str, start: int = 0) -> re.Match[str] | None:
    """The first heading run into ``text`` at or after ``start``, or None.

    A match counts only in a heading's place: after the start of the text or a sentence
    end (or right after a photo credit, which the caller has already cut off), in Title
    Case, and followed by a capitalised word or by the end of the text.
    """
    for match in _RUN_IN.finditer(text, start):
        before = text[: match.start()].rstrip()
        if before and not _SENTENCE_END.search(before):
            continue
        after = text[match.end() :]
        if after.strip(" :") and not _NEXT_START.match(after):
            continue
        if _is_title_case(match.group()):
            return match
    return None


def split_headings(blocks: Iterable[Block]) -> list[Block]:
    """The blocks with every recognised heading made a HEADING block of its own."""
    result: list[Block] = []
    for block in blocks:
        if block.kind not in (BlockKind.PARAGRAPH, BlockKind.BLOCKQUOTE):
            result.append(block)
        elif is_heading_line(block.text):
            result.append(Block(BlockKind.HEADING, block.text.strip().rstrip(":").strip()))
        else:
            result.extend(_split_block(block))
    return result


def _split_block(block: Block) -> list[Block]:
    pieces: list[Block] = []
    text = block.text
    match = find_heading(text)
    while match is not None:
        before = text[: match.start()].strip()
        if before:
            pieces.append(Block(block.kind, before))
        pieces.append(Block(BlockKind.HEADING, match.group()))
        text = text[match.end() :].lstrip(" :")
        match = find_heading(text)
    if text.strip():
        pieces.append(Block(block.kind, text.strip()))
    return pieces


def _is_title_case(phrase: str) -> bool:
    """Every word capitalised, bar short joining words after the first: "What to Know"."""
    words = phrase.split()
    if not 0 < len(words) <= _MAX_WORDS or not words[0][0].isupper():
        return False
    return all(word[0].isupper() or word.lower() in _SMALL_WORDS for word in words[1:])
