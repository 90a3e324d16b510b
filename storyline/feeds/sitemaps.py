"""Sitemaps as feeds: Google News sitemaps, plain sitemaps and sitemap indexes.

Many outlets publish a news sitemap (the last two days of articles, each with a title, a
publication date and a language) and no usable RSS. A plain sitemap gives only addresses
and ``<lastmod>`` dates. A sitemap index lists child sitemaps: it is returned as a
``ParsedFeed`` of kind "sitemapindex" whose entries carry only the child's URL (and its
``lastmod`` as ``updated_at``), for the crawler to fetch in turn.

Parsed with lxml set to resolve no entities, load no DTD and read nothing from the network.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from storyline.feeds.entry import FeedEntry, FeedParseError, ParsedFeed, assemble_entry
from storyline.feeds.markup import html_to_line
from storyline.feeds.safexml import parse_xml
from storyline.feeds.timestamps import parse_timestamp
from storyline.feeds.urls import canonicalize_url, is_web_url

_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
_IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"


def read_sitemap(text: str, *, url: str) -> ParsedFeed:
    """A ``<urlset>`` or ``<sitemapindex>`` document (already decoded)."""
    root, warning = parse_xml(text, what="sitemap")
    name = etree.QName(root).localname
    if name == "sitemapindex":
        nodes = _complete(_children(root, "sitemap"), text, "sitemap", damaged=bool(warning))
        entries = tuple(entry for node in nodes if (entry := _child_map(node, url)))
        kind = "sitemapindex"
    elif name == "urlset":
        nodes = _complete(_children(root, "url"), text, "url", damaged=bool(warning))
        entries = tuple(entry for node in nodes if (entry := _page(node, url)))
        kind = "sitemap"
    else:
        raise FeedParseError(f"not a sitemap: the root element is <{name}>")
    publication = root.find(f".//{{{_NEWS}}}publication/{{{_NEWS}}}name")
    languages = [entry.language for entry in entries if entry.language]
    parts = urlsplit(url)
    return ParsedFeed(
        kind=kind,
        title=html_to_line(publication.text) or None if publication is not None else None,
        site_url=f"{parts.scheme}://{parts.netloc}/" if parts.netloc else None,
        language=max(set(languages), key=languages.count) if languages else None,
        entries=entries,
        warning=warning,
    )


def _complete(
    nodes: list[etree._Element], text: str, name: str, *, damaged: bool
) -> list[etree._Element]:
    """The nodes whose closing tag is in the document: in a sitemap cut off mid-way, the
    last ``<loc>`` may hold half an address."""
    if not damaged:
        return nodes
    closed = len(re.findall(rf"</(?:[\w.-]+:)?{name}\s*>", text))
    return nodes[:closed]


def _children(root: etree._Element, name: str) -> list[etree._Element]:
    """Direct children called ``name`` in any namespace (sitemaps are often written
    without the sitemaps.org namespace)."""
    return [
        child
        for child in root
        if isinstance(child.tag, str) and etree.QName(child).localname == name
    ]


def _child_text(node: etree._Element, name: str) -> str:
    for child in _children(node, name):
        return (child.text or "").strip()
    return ""


def _child_map(node: etree._Element, base: str) -> FeedEntry | None:
    url = _absolute(_child_text(node, "loc"), base)
    if url is None:
        return None
    return FeedEntry(
        key=url,
        url=url,
        title="",
        updated_at=parse_timestamp(_child_text(node, "lastmod")),
    )


def _page(node: etree._Element, base: str) -> FeedEntry | None:
    url = _absolute(_child_text(node, "loc"), base)
    if url is None:
        return None
    news = node.find(f"{{{_NEWS}}}news")
    title, published, language = "", None, None
    if news is not None:
        title = html_to_line(news.findtext(f"{{{_NEWS}}}title"))
        published = parse_timestamp(news.findtext(f"{{{_NEWS}}}publication_date"))
        language = (news.findtext(f"{{{_NEWS}}}publication/{{{_NEWS}}}language") or "").strip()
    image = node.findtext(f"{{{_IMAGE}}}image/{{{_IMAGE}}}loc")
    return assemble_entry(
        identifier=url,
        url=url,
        title=title,
        summary=None,
        content=None,
        published_at=published,
        updated_at=parse_timestamp(_child_text(node, "lastmod")),
        image_url=_absolute(image or "", base),
        language=language or None,
    )


def _absolute(value: str, base: str) -> str | None:
    if not value.strip():
        return None
    try:
        resolved = canonicalize_url(value, base=base)
    except ValueError:
        return None
    return resolved if is_web_url(resolved) else None
