"""Reading a feed: from the bytes of a response to a :class:`ParsedFeed`.

``parse_feed`` is the one entry point, whatever the format:

1. refuse an empty body;
2. decode the bytes (byte-order mark, valid UTF-8, declared encoding, detection);
3. refuse XML entity declarations and absurd nesting, before any lenient parser sees
   the document;
4. recognise the format from the document itself (the Content-Type header is often
   wrong): JSON Feed, a sitemap, RSS/RDF/Atom, or HTML, which is not a feed;
5. read it with the format's module, which turns every item's text into plain text and
   every link into a canonical absolute URL.
"""

from __future__ import annotations

import json
import re

from storyline.feeds.decoding import (
    DecodedDocument,
    decode_document,
    has_html_doctype,
    refuse_entity_declarations,
    root_element,
)
from storyline.feeds.entry import FeedParseError, ParsedFeed
from storyline.feeds.jsonfeed import is_json_feed, read_json_feed
from storyline.feeds.safexml import refuse_excessive_nesting
from storyline.feeds.sitemaps import read_sitemap
from storyline.feeds.syndication import read_syndication

_FEED_ROOTS = frozenset({"rss", "feed", "RDF", "channel"})
_SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/x-rss+xml",
    "application/x-atom+xml",
)
_SNIFF_BYTES = 65536


def parse_feed(
    content: bytes,
    *,
    url: str,
    content_type: str | None = None,
    charset: str | None = None,
) -> ParsedFeed:
    """The feed in ``content``, fetched from ``url`` (which relative links resolve against).

    ``content_type`` and ``charset`` are the response's headers; the document itself has
    the last word on its format. Raises :class:`FeedParseError` saying what is wrong.
    """
    if not content.strip():
        raise FeedParseError("empty body: not a feed")
    charset = charset or _charset_of(content_type)
    document = decode_document(content, charset=charset)
    text = document.text.lstrip("\ufeff")
    if text.lstrip().startswith(("{", "[")):
        return read_json_feed(text, url=url)
    refuse_entity_declarations(text)
    refuse_excessive_nesting(text)
    root = root_element(text)
    if root is None:
        raise FeedParseError(_describe_non_xml(text, content_type))
    if root.lower() == "html" or has_html_doctype(text):
        raise FeedParseError("not a feed: looks like HTML (a web page, not RSS or Atom)")
    if root in _SITEMAP_ROOTS:
        parsed = read_sitemap(text, url=url)
    elif root in _FEED_ROOTS:
        parsed = read_syndication(text, url=url)
    else:
        raise FeedParseError(f"not a feed: the root element is <{root}>")
    return _with_decoding_warning(parsed, document)


def looks_like_feed(content: bytes, content_type: str | None) -> bool:
    """Whether ``content`` is a feed (or sitemap) rather than a web page, judged mostly from
    the document; a feed Content-Type only decides when the document does not say."""
    head = content[:_SNIFF_BYTES]
    if not head.strip():
        return _is_feed_type(content_type)
    try:
        text = decode_document(head).text.lstrip("\ufeff")
    except FeedParseError:
        return False
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return _looks_like_json_feed(content, stripped)
    root = root_element(text)
    if root is not None:
        if root.lower() == "html" or has_html_doctype(text):
            return False
        if root in _FEED_ROOTS or root in _SITEMAP_ROOTS:
            return True
    return _is_feed_type(content_type)


def _looks_like_json_feed(content: bytes, head: str) -> bool:
    if re.search(r'"version"\s*:\s*"https://jsonfeed\.org/version/', head):
        return True
    try:
        return is_json_feed(json.loads(decode_document(content).text))
    except (ValueError, RecursionError, FeedParseError):
        return False


def _is_feed_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in _FEED_TYPES


def _charset_of(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def _describe_non_xml(text: str, content_type: str | None) -> str:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media:
        return f"not a feed: no XML or JSON document in the body (served as {media})"
    return "not a feed: no XML or JSON document in the body"


def _with_decoding_warning(parsed: ParsedFeed, document: DecodedDocument) -> ParsedFeed:
    warnings = [w for w in (document.warning, parsed.warning) if w]
    if not warnings:
        return parsed
    return ParsedFeed(
        kind=parsed.kind,
        title=parsed.title,
        site_url=parsed.site_url,
        language=parsed.language,
        entries=parsed.entries,
        warning="; ".join(warnings),
    )
