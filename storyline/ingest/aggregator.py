"""A plain-text dump of an aggregator page: one main article, then related entries.

Such a page, copied as text, reads top to bottom as: the main article (title line, one
paragraph per line), the host site's own sections (tags, comments, promotions), a
heading such as "Related Articles", and then a run of entries, each written as::

    Outlet name
    2 hours ago
    - Outlet name
    Entry title
    The entry's text …

The format is recognised by that structure alone (a short heading followed by outlet /
time / title groups), never by the host site's name, and every entry becomes an article
of its own, with its own outlet and time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from storyline.ingest.errors import ParseError
from storyline.ingest.plaintext import draft_from_paragraphs, split_paragraphs
from storyline.ingest.timeparse import parse_time_label
from storyline.model import ArticleDraft, Block, BlockKind

_MAX_NAME_WORDS = 8
_MAX_NAME_CHARS = 80
_MAX_HEADING_WORDS = 6
_MAX_CHROME_WORDS = 8
_MAX_TITLE_CHARS = 400
_CREDIT = re.compile(r"[-–—•·]\s*(?P<credit>\S.*)")
_ENDS_SENTENCE = re.compile(r"[.!?][\"'’”)\]]*$")
_ENDS_ELLIPSIS = re.compile(r"(?:\.\.\.|…)[\"'’”)\]]*$")
# Only whether a line is a time matters when recognising the structure, not which time.
_ANY_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _EntryHeader:
    outlet: str
    time_label: str
    byline: str | None
    title: str
    body_start: int


def find_related_section(lines: Sequence[str]) -> int | None:
    """The index of the heading that opens the related entries, or None if there is none.

    The heading is a short line, not a sentence, directly followed (blank lines aside)
    by an outlet / time / title group.
    """
    previous: int | None = None
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if (
            previous is not None
            and _is_heading(lines[previous])
            and _entry_header(lines, index) is not None
        ):
            return previous
        previous = index
    return None


def parse_aggregator_page(text: str, *, as_of: datetime, outlet: str | None) -> list[ArticleDraft]:
    """The main article (if the page has one) followed by every related entry.

    ``outlet`` names the main article's outlet; related entries keep the outlet their
    own lines name.
    """
    lines = text.split("\n")
    marker = find_related_section(lines)
    if marker is None:
        raise ParseError("no related-entries section (outlet / time / title groups)")
    drafts = []
    main = _main_article(lines[:marker], as_of=as_of, outlet=outlet)
    if main is not None:
        drafts.append(main)
    drafts.extend(_related_entries(lines, marker + 1, as_of=as_of))
    return drafts


def _main_article(
    lines: Sequence[str], *, as_of: datetime, outlet: str | None
) -> ArticleDraft | None:
    end = len(lines)
    # The host site's own sections sit between the article and the entries: short lines
    # that are not sentences ("Comments", "No comments yet..."). The article ends at the
    # last line of prose before them.
    while end > 0 and _is_chrome(lines[end - 1]):
        end -= 1
    first = _next_filled(lines[:end], 0)
    if first is None:
        return None
    title = _clean(lines[first])
    paragraphs = split_paragraphs("\n".join(lines[first + 1 : end]))
    published_at = None
    if paragraphs:
        published_at = parse_time_label(paragraphs[0], as_of)
        if published_at is not None:
            paragraphs = paragraphs[1:]
    draft = draft_from_paragraphs(title, paragraphs, as_of=as_of, outlet=outlet)
    if published_at is not None:
        draft = draft.with_changes(published_at=published_at)
    return draft


def _related_entries(lines: Sequence[str], start: int, *, as_of: datetime) -> list[ArticleDraft]:
    drafts = []
    index = _next_filled(lines, start)
    header = _entry_header(lines, index) if index is not None else None
    while header is not None:
        body_end, following = _entry_body_end(lines, header.body_start)
        paragraphs = split_paragraphs("\n".join(lines[header.body_start : body_end]))
        drafts.append(
            ArticleDraft(
                title=header.title,
                blocks=tuple(Block(BlockKind.PARAGRAPH, p) for p in paragraphs),
                outlet=header.outlet,
                byline=header.byline,
                published_at=parse_time_label(header.time_label, as_of),
            )
        )
        header = following
    return drafts


def _entry_body_end(lines: Sequence[str], start: int) -> tuple[int, _EntryHeader | None]:
    """Where an entry's text stops: at the next entry's first line, or the end."""
    for index in range(start, len(lines)):
        if lines[index].strip():
            header = _entry_header(lines, index)
            if header is not None:
                return index, header
    return len(lines), None


def _entry_header(lines: Sequence[str], index: int) -> _EntryHeader | None:
    """The outlet / time / optional "- credit" / title group starting at ``index``, if any."""
    outlet = _clean(lines[index])
    if not _is_name(outlet):
        return None
    time_index = _next_filled(lines, index + 1)
    if time_index is None or parse_time_label(_clean(lines[time_index]), _ANY_MOMENT) is None:
        return None
    title_index = _next_filled(lines, time_index + 1)
    byline = None
    credit = _CREDIT.fullmatch(_clean(lines[title_index])) if title_index is not None else None
    if title_index is not None and credit is not None and _is_name(credit["credit"]):
        # "- Outlet" repeats the outlet; "- By Name" is the byline.
        if credit["credit"].startswith("By "):
            byline = credit["credit"].removeprefix("By ").strip()
        title_index = _next_filled(lines, title_index + 1)
    if title_index is None:
        return None
    title = _clean(lines[title_index])
    if len(title) > _MAX_TITLE_CHARS or parse_time_label(title, _ANY_MOMENT) is not None:
        return None
    return _EntryHeader(outlet, _clean(lines[time_index]), byline, title, title_index + 1)


def _next_filled(lines: Sequence[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None


def _is_name(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= _MAX_NAME_WORDS
        and len(text) <= _MAX_NAME_CHARS
        and not _ENDS_SENTENCE.search(text)
        and not text.endswith(":")
        and parse_time_label(text, _ANY_MOMENT) is None
    )


def _is_heading(line: str) -> bool:
    text = _clean(line)
    words = text.split()
    return (
        0 < len(words) <= _MAX_HEADING_WORDS
        and not _ENDS_SENTENCE.search(text)
        and parse_time_label(text, _ANY_MOMENT) is None
    )


def _is_chrome(line: str) -> bool:
    text = _clean(line)
    if not text:
        return True
    if len(text.split()) > _MAX_CHROME_WORDS:
        return False
    return bool(_ENDS_ELLIPSIS.search(text)) or not _ENDS_SENTENCE.search(text)


def _clean(line: str) -> str:
    return " ".join(line.split())
