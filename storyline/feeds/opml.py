"""OPML subscription lists: import from other readers, export for them, and the defaults.

Folders are outlines that hold other outlines; a feed inside "World" inside "News" is in
folder "News/World". Writing does the reverse, so a list round-trips. OPML files come
from anywhere, so they get the same treatment as feeds: no entity declarations, no DTD,
no network, and an error that says what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from storyline.feeds.decoding import decode_document, refuse_entity_declarations
from storyline.feeds.entry import FeedParseError
from storyline.feeds.safexml import parse_xml
from storyline.feeds.urls import is_web_url

_FOLDER_SEPARATOR = "/"


@dataclass(frozen=True)
class OpmlFeed:
    """One subscription: the feed's URL, its name, its site, its folder and language."""

    url: str
    title: str | None = None
    site_url: str | None = None
    folder: str | None = None
    language: str | None = None


def parse_opml(content: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML document, in order, each once (the first mention wins).

    Outlines with an ``xmlUrl`` are feeds; outlines without one are folders. A flat list
    may put the folder in a feed's ``category`` attribute instead. Feeds whose URL is not
    an absolute http(s) address are skipped. Raises :class:`FeedParseError`.
    """
    if not content.strip():
        raise FeedParseError("not OPML: the file is empty")
    text = decode_document(content).text.lstrip("\ufeff")
    refuse_entity_declarations(text)
    root, warning = parse_xml(text, what="OPML file")
    if warning is not None:
        raise FeedParseError(f"not OPML: {warning.split(':', 1)[0]}")
    name = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if name != "opml":
        raise FeedParseError(f"not OPML: the root element is <{name}>")
    body = root.find("body")
    if body is None:
        raise FeedParseError("not OPML: there is no <body> element")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    _walk(body, (), feeds, seen)
    return feeds


def write_opml(feeds: Iterable[OpmlFeed], *, title: str = "Storyline subscriptions") -> bytes:
    """An OPML 2.0 document of ``feeds``, folders written as nested outlines."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    folders: dict[tuple[str, ...], etree._Element] = {(): body}
    for feed in feeds:
        parent = _folder_outline(folders, _folder_path(feed.folder))
        attributes = {"type": "rss", "text": feed.title or feed.url}
        if feed.title:
            attributes["title"] = feed.title
        attributes["xmlUrl"] = feed.url
        if feed.site_url:
            attributes["htmlUrl"] = feed.site_url
        if feed.language:
            attributes["language"] = feed.language
        etree.SubElement(parent, "outline", attributes)
    etree.indent(root, space="  ")
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document + b"\n"


def _walk(
    node: etree._Element, path: tuple[str, ...], feeds: list[OpmlFeed], seen: set[str]
) -> None:
    for outline in node:
        if not isinstance(outline.tag, str) or etree.QName(outline).localname != "outline":
            continue
        url = _attribute(outline, "xmlUrl")
        label = _attribute(outline, "title") or _attribute(outline, "text")
        if url is None:
            folder = label.replace(_FOLDER_SEPARATOR, "-") if label else None
            _walk(outline, (*path, folder) if folder else path, feeds, seen)
            continue
        if not is_web_url(url) or url in seen:
            continue
        seen.add(url)
        folder_path = path or _folder_path(_attribute(outline, "category"))
        feeds.append(
            OpmlFeed(
                url=url,
                title=label,
                site_url=_web_url(_attribute(outline, "htmlUrl")),
                folder=_FOLDER_SEPARATOR.join(folder_path) or None,
                language=_attribute(outline, "language"),
            )
        )


def _attribute(outline: etree._Element, name: str) -> str | None:
    """An outline attribute, whatever its case (exporters write ``xmlurl`` too)."""
    for key, value in outline.attrib.items():
        if str(key).lower() == name.lower() and str(value).strip():
            return " ".join(str(value).split())
    return None


def _folder_path(folder: str | None) -> tuple[str, ...]:
    if not folder:
        return ()
    first = folder.split(",", 1)[0]  # OPML categories may list several
    return tuple(part.strip() for part in first.split(_FOLDER_SEPARATOR) if part.strip())


def _folder_outline(
    folders: dict[tuple[str, ...], etree._Element], path: tuple[str, ...]
) -> etree._Element:
    if path not in folders:
        parent = _folder_outline(folders, path[:-1])
        folders[path] = etree.SubElement(parent, "outline", text=path[-1], title=path[-1])
    return folders[path]


def _web_url(value: str | None) -> str | None:
    return value if is_web_url(value) else None
