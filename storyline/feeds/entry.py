"""What a parsed feed is: its items, its own details, and the error raised for bad input.

These types are the contract between the feed parsers and the crawler, which stores each
:class:`FeedEntry` as a pending item and later turns it into an article.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

# A feed's text counts as the article itself when it is this long, or has this many
# paragraphs of some length; shorter text is a teaser and the page must be fetched.
FULL_TEXT_CHARACTERS = 1200
FULL_TEXT_PARAGRAPHS = 3
FULL_TEXT_PARAGRAPHS_MIN_CHARACTERS = 500

# Teasers often end by saying that the rest is elsewhere.
_TRUNCATION_END = re.compile(
    r"(\[\s*(…|\.\.\.)\s*\]|…|\.\.\.|\b(read more|continue reading|keep reading"
    r"|read the (full|rest of the) (story|article))\b[^\n]{0,40})\s*$",
    re.IGNORECASE,
)
_SEPARATOR = "\x1f"


class FeedParseError(ValueError):
    """The bytes are not a feed that can be read; the message says why, in words."""


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, its text already reduced to plain paragraphs."""

    key: str
    url: str | None
    title: str
    summary: str | None = None
    content: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    image_url: str | None = None
    language: str | None = None
    fingerprint: str = field(default="")

    def __post_init__(self) -> None:
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", entry_fingerprint(self))

    @property
    def has_full_text(self) -> bool:
        """Whether the feed carries the whole article, so the page need not be fetched.

        A teaser that ends with "…", "[...]" or "Read more" is never the whole article,
        however long it is.
        """
        text = (self.content or self.summary or "").strip()
        if not text or _TRUNCATION_END.search(text[-80:]):
            return False
        if len(text) >= FULL_TEXT_CHARACTERS:
            return True
        paragraphs = [part for part in text.split("\n\n") if part.strip()]
        return (
            len(paragraphs) >= FULL_TEXT_PARAGRAPHS
            and len(text) >= FULL_TEXT_PARAGRAPHS_MIN_CHARACTERS
        )


@dataclass(frozen=True)
class ParsedFeed:
    """A whole feed.

    ``kind`` is "rss", "atom", "rdf", "json", "sitemap" or "sitemapindex"; a sitemap index
    lists child sitemaps as entries that carry only a URL (and their ``updated_at``).
    ``warning`` says what was wrong with a feed that could still be read, such as XML cut
    off after the last complete item, or a wrong encoding declaration.
    """

    kind: str
    title: str | None
    site_url: str | None
    language: str | None
    entries: tuple[FeedEntry, ...]
    warning: str | None = None


@dataclass(frozen=True)
class DiscoveredFeed:
    """A feed that a web page links to. ``kind`` is "rss", "atom", "json" or None."""

    url: str
    title: str | None = None
    kind: str | None = None


def entry_fingerprint(entry: FeedEntry) -> str:
    """A hash of what a reader sees of an item, so that a changed item makes a revision."""
    updated = entry.updated_at.isoformat() if entry.updated_at else ""
    parts = (entry.title, entry.summary or "", entry.content or "", updated)
    return hashlib.sha256(_SEPARATOR.join(parts).encode("utf-8")).hexdigest()


def fallback_key(title: str, published: datetime | None, text: str | None) -> str:
    """An identity for an item with neither an id nor a link: its title, date and text."""
    date = published.isoformat() if published else ""
    digest = hashlib.sha256(_SEPARATOR.join((title, date, text or "")).encode("utf-8"))
    return f"sha256:{digest.hexdigest()}"


def assemble_entry(
    *,
    identifier: str | None,
    url: str | None,
    title: str,
    summary: str | None,
    content: str | None,
    author: str | None = None,
    published_at: datetime | None = None,
    updated_at: datetime | None = None,
    image_url: str | None = None,
    language: str | None = None,
) -> FeedEntry | None:
    """An entry from fields that are already plain text and canonical URLs.

    Applies the rules every format shares: the key is the item's id, else its URL, else a
    hash of its title, date and text; a missing title is taken from the start of the text;
    a summary that only repeats the content is dropped; the publication date falls back to
    the update date. An item with no URL, no title and no text is nothing: None.
    """
    summary = summary or None
    content = content or None
    if summary and content and " ".join(summary.split()) == " ".join(content.split()):
        summary = None
    if not title:
        title = _title_from_text(content or summary or "")
    if not (url or title or summary or content):
        return None
    published_at = published_at or updated_at
    key = (identifier or "").strip() or url or fallback_key(title, published_at, content or summary)
    return FeedEntry(
        key=key,
        url=url,
        title=title,
        summary=summary,
        content=content,
        author=author or None,
        published_at=published_at,
        updated_at=updated_at,
        image_url=image_url,
        language=language or None,
    )


_TITLE_WORDS = 80


def _title_from_text(text: str) -> str:
    """The first sentence of ``text``, cut at a word near 80 characters, as a stand-in title."""
    first = text.strip().split("\n", 1)[0].strip()
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    if len(sentence) <= _TITLE_WORDS:
        return sentence
    cut = sentence[:_TITLE_WORDS].rsplit(" ", 1)[0]
    return f"{cut}…"
