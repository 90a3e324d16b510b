"""Finding a site's feeds from its home page, so that people can subscribe to a site by
its address.

Pages announce feeds with ``<link rel="alternate" type="application/rss+xml">`` (and Atom,
JSON Feed) in their head. Pages that do not often still link to ``/feed`` or ``/rss`` in
their body, and those links are the fallback.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from storyline.feeds.entry import DiscoveredFeed
from storyline.feeds.markup import html_to_line
from storyline.feeds.urls import canonicalize_url, is_web_url

_LINK_KINDS = {
    "application/rss+xml": "rss",
    "application/x-rss+xml": "rss",
    "application/rdf+xml": "rss",
    "application/atom+xml": "atom",
    "application/x-atom+xml": "atom",
    "application/feed+json": "json",
    "application/json": "json",
}
# ``application/json`` alternates are also used for REST APIs (WordPress announces one on
# every page): such a link only counts when it calls itself a feed.
_JSON_FEED_HINT = re.compile(r"feed", re.IGNORECASE)
# Feeds of comments, tags or single authors are listed after a site's main feeds.
_SECONDARY = re.compile(
    r"comment|/tags?/|/category/|/categories/|/author/|/topics?/", re.IGNORECASE
)
_FEED_PATH = re.compile(
    r"(/|^)(feed|feeds|rss|atom)(/|\.xml|\.rss|\.atom|\.json)?$"
    r"|/(rss|feed|atom|index)\.(xml|rss)$|\.(rss|atom)$",
    re.IGNORECASE,
)
_FEED_WORDS = re.compile(r"^\s*(rss|atom|feed|rss feed|subscribe via rss)\s*$", re.IGNORECASE)
_FEED_HOSTS = ("feeds.feedburner.com", "feeds.feedblitz.com")


def discover_feeds(html: bytes, *, url: str) -> list[DiscoveredFeed]:
    """The feeds that the page at ``url`` announces, best first, as canonical absolute URLs.

    Main feeds come before comment, tag and author feeds; otherwise the page's own order
    is kept. Without any ``<link rel="alternate">``, links in the body whose address or
    text says RSS/feed are used, from the same site only.
    """
    try:
        document = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = _base(document, url)
    found = _announced(document, base)
    if not found:
        found = _linked(document, base, url)
    seen: set[str] = set()
    unique = []
    for feed in found:
        if feed.url not in seen:
            seen.add(feed.url)
            unique.append(feed)
    return sorted(
        unique, key=lambda feed: _SECONDARY.search(feed.url + " " + (feed.title or "")) is not None
    )


def _announced(document: lxml.html.HtmlElement, base: str) -> list[DiscoveredFeed]:
    found = []
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        media = (link.get("type") or "").split(";", 1)[0].strip().lower()
        if "alternate" not in rel and "feed" not in rel:
            continue
        kind = _LINK_KINDS.get(media)
        if kind is None and not ("feed" in rel and not media):
            continue
        title = html_to_line(link.get("title")) or None
        href = link.get("href") or ""
        if media == "application/json" and not _JSON_FEED_HINT.search(f"{href} {title or ''}"):
            continue
        resolved = _absolute(href, base)
        if resolved:
            found.append(DiscoveredFeed(url=resolved, title=title, kind=kind))
    return found


def _linked(document: lxml.html.HtmlElement, base: str, page: str) -> list[DiscoveredFeed]:
    site = _site(page)
    found = []
    for anchor in document.iter("a"):
        href = (anchor.get("href") or "").strip()
        resolved = _absolute(href, base)
        if resolved is None:
            continue
        parts = urlsplit(resolved)
        text = anchor.text_content()
        if not (_FEED_PATH.search(parts.path) or _FEED_WORDS.match(text)):
            continue
        host = parts.hostname or ""
        if not _same_site(_site(resolved), site) and host not in _FEED_HOSTS:
            continue
        title = " ".join(text.split()) or None
        found.append(DiscoveredFeed(url=resolved, title=title, kind=None))
    return found


def _base(document: lxml.html.HtmlElement, url: str) -> str:
    for element in document.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            return urljoin(url, href)
    return url


def _site(url: str) -> str:
    """The host without a leading ``www.``: www.example.com and example.com are one site."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _same_site(host: str, site: str) -> bool:
    return host == site or host.endswith(f".{site}") or site.endswith(f".{host}")


def _absolute(href: str, base: str) -> str | None:
    if not href.strip():
        return None
    try:
        resolved = canonicalize_url(href, base=base)
    except ValueError:
        return None
    return resolved if is_web_url(resolved) else None
