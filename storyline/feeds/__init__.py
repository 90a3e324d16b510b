"""Feeds: reading RSS, Atom, JSON Feed and sitemaps, finding a site's feeds, OPML lists, and
the canonical URL that identifies an article.

Everything here is pure: bytes and URLs in, values out. Fetching, scheduling and storing
feeds belong to :mod:`storyline.crawl` and :mod:`storyline.store`.
"""

from storyline.feeds.discovery import discover_feeds
from storyline.feeds.entry import DiscoveredFeed, FeedEntry, FeedParseError, ParsedFeed
from storyline.feeds.opml import OpmlFeed, parse_opml, write_opml
from storyline.feeds.reader import looks_like_feed, parse_feed
from storyline.feeds.urls import canonicalize_url, find_canonical_link

__all__ = [
    "DiscoveredFeed",
    "FeedEntry",
    "FeedParseError",
    "OpmlFeed",
    "ParsedFeed",
    "canonicalize_url",
    "discover_feeds",
    "find_canonical_link",
    "looks_like_feed",
    "parse_feed",
    "parse_opml",
    "write_opml",
]
