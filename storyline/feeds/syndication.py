"""RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0, read through feedparser.

feedparser is lenient on purpose: a feed with an undefined ``&nbsp;`` or cut off after its
last complete item is still read, and this module says so in ``ParsedFeed.warning``
instead of failing. It only ever sees text that :mod:`storyline.feeds.decoding` has
decoded and checked for entity declarations.
"""

from __future__ import annotations

import io
import re
from typing import Any

import feedparser

from storyline.feeds.decoding import as_utf8_xml
from storyline.feeds.entry import FeedEntry, FeedParseError, ParsedFeed, assemble_entry
from storyline.feeds.markup import html_to_line, html_to_text, tidy_text
from storyline.feeds.timestamps import from_struct_time
from storyline.feeds.urls import canonicalize_url, is_web_url

_CLOSED_ITEM = re.compile(r"</(?:[\w.-]+:)?(item|entry)\s*>", re.IGNORECASE)
_CDATA = re.compile(r"<!\[CDATA\[.*?(\]\]>|$)", re.DOTALL)
_TRUNCATED = ("no element found", "unclosed token")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def read_syndication(text: str, *, url: str) -> ParsedFeed:
    """An RSS, RDF or Atom document (already decoded) as a :class:`ParsedFeed`."""
    parsed = feedparser.parse(
        io.BytesIO(as_utf8_xml(text)),
        response_headers={
            "content-location": url,
            "content-type": "application/xml; charset=utf-8",
        },
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    version = str(parsed.get("version") or "")
    kind = _kind(version)
    raw_entries = list(parsed.entries)
    warning = None
    if parsed.get("bozo"):
        raw_entries, warning = _salvage(text, parsed, raw_entries)
    if kind is None:
        raise FeedParseError(_not_a_feed(parsed))
    channel = parsed.feed
    language = _language(channel.get("language"))
    entries = tuple(
        entry
        for item in raw_entries
        if (entry := _entry(item, feed_url=url, feed_language=language)) is not None
    )
    site_url = _absolute(channel.get("link"), url)
    return ParsedFeed(
        kind=kind,
        title=html_to_line(channel.get("title")) or None,
        site_url=site_url,
        language=language,
        entries=entries,
        warning=warning,
    )


def _kind(version: str) -> str | None:
    if version.startswith("atom"):
        return "atom"
    if version in ("rss090", "rss10"):
        return "rdf"
    if version.startswith("rss"):
        return "rss"
    return None


def _salvage(text: str, parsed: Any, entries: list[Any]) -> tuple[list[Any], str | None]:
    """What to keep of a feed that is not well-formed XML, and the warning that says so.

    feedparser reads on past the damage; an item it had not finished (cut off mid-way) is
    dropped, so only items whose closing tag is in the document are kept.
    """
    error = parsed.get("bozo_exception")
    line = getattr(error, "getLineNumber", lambda: None)()
    where = f" at line {line}" if line else ""
    reason = str(getattr(error, "getMessage", lambda: str(error))())
    if "encoding" in type(error).__name__.lower():
        return entries, None  # the encoding was settled before feedparser saw the text
    closed = len(_CLOSED_ITEM.findall(_CDATA.sub("", text)))
    if reason in _TRUNCATED or closed < len(entries):
        kept = entries[:closed]
        if not kept:
            raise FeedParseError(f"truncated XML{where}: no complete item")
        return kept, f"truncated XML{where}: kept the {len(kept)} complete items before it"
    if not entries and not parsed.feed:
        raise FeedParseError(f"malformed XML{where}: {reason}")
    return entries, f"malformed XML{where} ({reason}); read leniently"


def _not_a_feed(parsed: Any) -> str:
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and error is not None:
        line = getattr(error, "getLineNumber", lambda: None)()
        where = f" at line {line}" if line else ""
        return f"not a feed: malformed XML{where}"
    return "not a feed: no RSS, RDF or Atom elements in the document"


def _entry(item: Any, *, feed_url: str, feed_language: str | None) -> FeedEntry | None:
    url = _absolute(item.get("link"), feed_url)
    content_detail = _best_content(item.get("content") or [])
    content = html_to_text(content_detail.get("value")) if content_detail else ""
    summary = _text(item.get("summary_detail"), item.get("summary"))
    language = _language(
        (content_detail or {}).get("language")
        or (item.get("title_detail") or {}).get("language")
        or feed_language
    )
    return assemble_entry(
        identifier=item.get("id"),
        url=url,
        title=html_to_line(item.get("title")),
        summary=summary,
        content=content,
        author=html_to_line(item.get("author")) or None,
        published_at=from_struct_time(item.get("published_parsed")),
        # Read past FeedParserDict, which would answer with the publication date.
        updated_at=from_struct_time(dict.get(item, "updated_parsed")),
        image_url=_image(item, feed_url),
        language=language,
    )


def _best_content(contents: list[Any]) -> dict[str, Any] | None:
    """The richest of an item's bodies: HTML over plain text, then the longest."""
    if not contents:
        return None
    ranked = sorted(
        contents,
        key=lambda c: (str(c.get("type", "")) in _HTML_TYPES, len(c.get("value") or "")),
    )
    return dict(ranked[-1])


def _text(detail: Any, value: str | None) -> str:
    if not value:
        return ""
    if detail and str(detail.get("type", "")) == "text/plain" and "<" not in value:
        return tidy_text(value)
    return html_to_text(value)


def _image(item: Any, feed_url: str) -> str | None:
    candidates: list[str | None] = []
    for media in item.get("media_content") or []:
        if media.get("medium") == "image" or str(media.get("type", "")).startswith("image/"):
            candidates.append(media.get("url"))
    candidates += [thumb.get("url") for thumb in item.get("media_thumbnail") or []]
    candidates += [
        enclosure.get("href")
        for enclosure in item.get("enclosures") or []
        if str(enclosure.get("type", "")).startswith("image/")
    ]
    image = item.get("image")
    if isinstance(image, dict):
        candidates.append(image.get("href") or image.get("url"))
    for candidate in candidates:
        resolved = _absolute(candidate, feed_url)
        if resolved:
            return resolved
    return None


def _absolute(link: str | None, base: str) -> str | None:
    """``link`` as a canonical http(s) URL, or None when it is not one."""
    if not link or not str(link).strip():
        return None
    try:
        resolved = canonicalize_url(str(link), base=base)
    except ValueError:
        return None
    return resolved if is_web_url(resolved) else None


def _language(value: str | None) -> str | None:
    if not value or not str(value).strip():
        return None
    return str(value).strip().replace("_", "-")
