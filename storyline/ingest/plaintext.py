"""A plain-text article: the first non-empty line is its title, the rest its paragraphs.

The same reading serves the main article at the top of an aggregator page, so the rules
for what a bare text says about itself (its dateline, the outlet it names) live here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from storyline.ingest.attribution import find_named_outlet
from storyline.ingest.errors import ParseError
from storyline.ingest.timeparse import find_dateline
from storyline.model import ArticleDraft, Block, BlockKind

_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")


def parse_plain_article(text: str, *, as_of: datetime, outlet: str | None) -> ArticleDraft:
    """The article a plain-text file holds; ``outlet`` (from ``--outlet``) wins if given."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.strip():
            title = _one_line(line)
            paragraphs = split_paragraphs("\n".join(lines[index + 1 :]))
            break
    else:
        raise ParseError("the file is empty")
    if not paragraphs:
        raise ParseError("there is a title line but no text after it")
    return draft_from_paragraphs(title, paragraphs, as_of=as_of, outlet=outlet)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, or by single newlines when there are none.

    With blank lines, the lines inside one paragraph are joined by a space (the text was
    wrapped); without any, each line is a paragraph (one paragraph per line).
    """
    body = text.strip("\n")
    if not body.strip():
        return []
    if _BLANK_LINE.search(body):
        chunks = _BLANK_LINE.split(body)
        paragraphs = [" ".join(line.strip() for line in chunk.split("\n")) for chunk in chunks]
    else:
        paragraphs = body.split("\n")
    return [_one_line(p) for p in paragraphs if p.strip()]


def draft_from_paragraphs(
    title: str,
    paragraphs: Sequence[str],
    *,
    as_of: datetime,
    outlet: str | None,
) -> ArticleDraft:
    """An article from a title and paragraphs that carry no metadata of their own.

    The outlet is ``outlet`` if given, else the one the text names (an appeal, a staff
    credit), else the agency of its dateline. The dateline's date is the publication
    date; the dateline itself stays in the text, since it is part of the story.
    """
    dateline = find_dateline(paragraphs[0], as_of) if paragraphs else None
    named = outlet or find_named_outlet(paragraphs) or (dateline.agency if dateline else None)
    return ArticleDraft(
        title=title,
        blocks=tuple(Block(BlockKind.PARAGRAPH, p) for p in paragraphs),
        outlet=named,
        published_at=dateline.published_at if dateline else None,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
