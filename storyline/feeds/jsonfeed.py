"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read.

The specification is small: a top-level object with ``version``, ``title``,
``home_page_url`` and ``items``; each item has an ``id`` and any of ``url``, ``title``,
``content_html``, ``content_text``, ``summary``, ``image``, ``date_published``,
``date_modified``, ``authors`` (1.1) or ``author`` (1.0) and ``language`` (1.1).
Fields of the wrong type are ignored rather than trusted.
"""

from __future__ import annotations

import json
from typing import Any

from storyline.feeds.entry import FeedEntry, FeedParseError, ParsedFeed, assemble_entry
from storyline.feeds.markup import html_to_line, html_to_text, tidy_text
from storyline.feeds.timestamps import parse_timestamp
from storyline.feeds.urls import canonicalize_url, is_web_url

VERSION_PREFIX = "https://jsonfeed.org/version/"


def is_json_feed(document: object) -> bool:
    return isinstance(document, dict) and str(document.get("version", "")).startswith(
        VERSION_PREFIX
    )


def read_json_feed(text: str, *, url: str) -> ParsedFeed:
    """A JSON Feed document (already decoded) as a :class:`ParsedFeed`."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FeedParseError(
            f"not a feed: invalid JSON at line {error.lineno}, column {error.colno}"
        ) from error
    except RecursionError as error:
        raise FeedParseError("not a feed: JSON nested too deeply") from error
    if not is_json_feed(document):
        raise FeedParseError("not a feed: JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedParseError("JSON Feed without an items list")
    language = _string(document.get("language"))
    base = _string(document.get("feed_url")) or url
    entries = tuple(
        entry
        for item in items
        if isinstance(item, dict)
        and (entry := _entry(item, base=base, feed_language=language)) is not None
    )
    return ParsedFeed(
        kind="json",
        title=html_to_line(_string(document.get("title"))) or None,
        site_url=_absolute(document.get("home_page_url"), base),
        language=language,
        entries=entries,
    )


def _entry(item: dict[str, Any], *, base: str, feed_language: str | None) -> FeedEntry | None:
    identifier = item.get("id")
    if isinstance(identifier, int | float) and not isinstance(identifier, bool):
        identifier = str(identifier)  # 1.0 feeds sometimes use numbers
    content_html = _string(item.get("content_html"))
    content_text = _string(item.get("content_text"))
    content = html_to_text(content_html) if content_html else tidy_text(content_text)
    summary = _string(item.get("summary"))
    return assemble_entry(
        identifier=_string(identifier),
        url=_absolute(item.get("url"), base) or _absolute(item.get("external_url"), base),
        title=html_to_line(_string(item.get("title"))),
        summary=html_to_text(summary) if summary else None,
        content=content,
        author=_author(item),
        published_at=parse_timestamp(_string(item.get("date_published"))),
        updated_at=parse_timestamp(_string(item.get("date_modified"))),
        image_url=_absolute(item.get("image"), base) or _absolute(item.get("banner_image"), base),
        language=_string(item.get("language")) or feed_language,
    )


def _author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    if not isinstance(authors, list):
        authors = [item.get("author")]
    names = [
        html_to_line(_string(author.get("name"))) for author in authors if isinstance(author, dict)
    ]
    return ", ".join(name for name in names if name) or None


def _string(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _absolute(value: object, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        resolved = canonicalize_url(value, base=base)
    except ValueError:
        return None
    return resolved if is_web_url(resolved) else None
