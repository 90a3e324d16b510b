"""A saved HTML page: its main text and metadata, read by trafilatura.

trafilatura finds the article in the page and returns it as a small XML tree (``<head>``,
``<p>``, ``<quote>``, ``<list>``, ``<graphic>``) plus metadata. That tree maps to typed
blocks. Two things trafilatura drops are read from the page itself: the ``lang``
attribute, and figure captions (``<figcaption>``), which it keeps only as image alt text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from configparser import ConfigParser
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import Document, use_config

from storyline.ingest.attribution import find_named_outlet
from storyline.ingest.errors import ParseError
from storyline.ingest.timeparse import find_dateline, to_utc
from storyline.model import ArticleDraft, Block, BlockKind

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_DEFAULT_CONFIG = use_config()
_SHORT_PAGE_CONFIG = use_config()
_SHORT_PAGE_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
_KEEP_SHARE = 0.5


@dataclass
class _PageFacts:
    """What the page says that trafilatura's result leaves out."""

    language: str | None = None
    captions: dict[str, str] = field(default_factory=dict)  # image URL -> caption

    @property
    def caption_texts(self) -> set[str]:
        return set(self.captions.values())


def parse_html_page(html: str, *, as_of: datetime, outlet: str | None) -> ArticleDraft:
    """The article in ``html``; ``outlet`` (from ``--outlet``) wins over the site name."""
    facts = _read_page_facts(html)
    document = _extract(html, as_of, _DEFAULT_CONFIG)
    if document is not None and _is_flat(document.body):
        # A short page falls below trafilatura's minimum and comes back flattened into one
        # paragraph; without the minimum its structure survives. Keep that unless it lost
        # most of the text (then the flat rescue found text the extractor missed).
        structured = _extract(html, as_of, _SHORT_PAGE_CONFIG)
        if structured is not None and _length(structured) >= _KEEP_SHARE * _length(document):
            document = structured
    if document is None:
        raise ParseError("no article text found in the page")
    title = _text(document.title or "")
    blocks = list(_blocks(document.body, facts))
    if not any(b.kind is BlockKind.PARAGRAPH for b in blocks):
        raise ParseError("no article text found in the page")
    if not title:
        headings = [b.text for b in blocks if b.kind is BlockKind.HEADING]
        if not headings:
            raise ParseError("the page has no title")
        title = headings[0]
    if blocks and blocks[0].kind is BlockKind.HEADING and _same(blocks[0].text, title):
        blocks = blocks[1:]  # the page's own <h1>, already the title
    paragraphs = [b.text for b in blocks if b.kind is BlockKind.PARAGRAPH]
    dateline = find_dateline(paragraphs[0], as_of)
    site_name = _text(document.sitename or "") or None
    return ArticleDraft(
        title=title,
        blocks=tuple(blocks),
        outlet=outlet
        or site_name
        or find_named_outlet(paragraphs)
        or (dateline.agency if dateline else None),
        url=_web_url(document.url),
        byline=_text(document.author or "") or None,
        published_at=_published_at(document.date) or (dateline.published_at if dateline else None),
        language=facts.language,
        site_name=site_name,
        image_url=_web_url(document.image),
    )


def _extract(html: str, as_of: datetime, config: ConfigParser) -> Document | None:
    document = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        favor_precision=False,
        include_images=True,
        include_tables=True,
        date_extraction_params={
            "original_date": True,
            # Only dates the page declares: a guess from the text is worse than a dateline.
            "extensive_search": False,
            "max_date": to_utc(as_of).strftime("%Y-%m-%d"),
            "outputformat": _DATE_FORMAT,
        },
        config=config,
    )
    if not isinstance(document, Document) or document.body is None:
        return None
    return document


def _length(document: Document) -> int:
    return len(_all_text(document.body))


def _is_flat(body: etree._Element) -> bool:
    return len(body) == 1 and body[0].tag == "p"


def _blocks(body: etree._Element, facts: _PageFacts) -> Iterator[Block]:
    captions = facts.caption_texts
    emitted: set[str] = set()
    children = list(body)
    for position, element in enumerate(children):
        tag = element.tag
        if tag == "graphic":
            caption = _caption_for(element, facts)
            following = (
                _text(_all_text(children[position + 1])) if position + 1 < len(children) else ""
            )
            if caption and caption not in emitted and following != caption:
                emitted.add(caption)
                yield Block(BlockKind.CAPTION, caption)
            continue
        if tag == "head":
            kind = BlockKind.HEADING
        elif tag == "quote":
            kind = BlockKind.BLOCKQUOTE
        else:
            kind = BlockKind.PARAGRAPH
        for text in _pieces(element):
            if text in captions:
                if text not in emitted:
                    emitted.add(text)
                    yield Block(BlockKind.CAPTION, text)
            else:
                yield Block(kind, text)


def _pieces(element: etree._Element) -> Iterator[str]:
    """The texts one element holds: a list's items and a quote's paragraphs one by one."""
    if element.tag in {"list", "quote"} and len(element) and not _text(element.text or ""):
        parts = [_text(_all_text(child)) for child in element]
        yield from (part for part in parts if part)
        return
    if element.tag == "table":
        for row in element.iter("row"):
            cells = [_text(_all_text(cell)) for cell in row]
            line = " | ".join(cell for cell in cells if cell)
            if line:
                yield line
        return
    text = _text(_all_text(element))
    if text:
        yield text


def _read_page_facts(html: str) -> _PageFacts:
    try:
        root = lxml.html.fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (etree.ParserError, ValueError):
        return _PageFacts()
    facts = _PageFacts(language=_language(root))
    for figure in root.iter("figure"):
        caption_elements = figure.findall(".//figcaption")
        caption = _text(" ".join(_all_text(c) for c in caption_elements))
        if not caption:
            continue
        for image in figure.iter("img", "source"):
            for attribute in ("src", "data-src", "srcset", "data-srcset"):
                value = image.get(attribute)
                if value:
                    facts.captions[value.split()[0]] = caption
    return facts


def _language(root: lxml.html.HtmlElement) -> str | None:
    candidates = [root.get("lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in root.iter("meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in {"content-language", "og:locale", "language", "dc.language"}:
            candidates.append(meta.get("content"))
    for candidate in candidates:
        if candidate and candidate.strip():
            primary = re.split(r"[-_,;\s]", candidate.strip())[0].lower()
            if primary.isalpha() and 2 <= len(primary) <= 3:
                return primary
    return None


def _caption_for(graphic: etree._Element, facts: _PageFacts) -> str | None:
    source = graphic.get("src") or ""
    if source in facts.captions:
        return facts.captions[source]
    # trafilatura may have made a relative address absolute: compare paths.
    path = urlsplit(source).path
    for image, caption in facts.captions.items():
        if path and urlsplit(image).path == path:
            return caption
    title = _text(graphic.get("title") or "")
    return title or None


def _published_at(value: str | None) -> datetime | None:
    if not value:
        return None
    for pattern in (_DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return to_utc(datetime.strptime(value, pattern))
        except ValueError:
            continue
    return None


def _web_url(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in {"http", "https"} and parts.netloc else None


def _all_text(element: etree._Element) -> str:
    """The element's text with its inline markup dropped; a line break becomes a space."""
    parts = [element.text or ""]
    for child in element:
        parts.append(" " if child.tag == "lb" else _all_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _text(value: str) -> str:
    return " ".join(value.split())


def _same(first: str, second: str) -> bool:
    return first.casefold() == second.casefold()
