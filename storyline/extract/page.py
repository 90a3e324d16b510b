"""The parsed page: one lxml tree, cleared of what a reader never sees, plus a few facts.

Some page furniture hides inside the article's own paragraphs: hover cards and tooltips
that pop up over a name, screen-reader-only labels, elements a page hides until a script
shows them. A browser shows none of that in the flow of the text, but an extractor that
reads the HTML would keep it inline ("Jane DoeJane DoeLatest stories by Jane Doe ...").
They are removed before the extractor runs.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

# Class-name words that UI kits use for content shown only on hover or to screen readers.
# The look-ahead on the words' first letters only makes most positions fail sooner.
_POPUP_WORDS = re.compile(
    r"(?:^|[\s_-])(?=[tphrsv])(?:tooltip|popover|hovercard|hover-card|rollover-[a-z]+-block|"
    r"sr-only|visually-hidden|screen-reader-text|visuallyhidden)(?:$|[\s_])",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WITH_HIDDEN = etree.XPath("descendant-or-self::*[@hidden]")
_STYLES = etree.XPath("descendant-or-self::*/@style")
_CLASSES = etree.XPath("descendant-or-self::*/@class")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
_MIN_LINK_TEXT = 8  # characters: shorter link texts ("More", "Share") say nothing alone


@dataclass
class PageFacts:
    """What the page declares that the extractor's own metadata may miss."""

    language: str | None = None
    canonical_url: str | None = None
    image_url: str | None = None
    captions: dict[str, str] = field(default_factory=dict)  # image address -> caption
    caption_texts: set[str] = field(default_factory=set)
    link_texts: frozenset[str] = frozenset()  # what the page's links say, normalised
    published: str | None = None  # the publication timestamp the page declares, as written


def parse_page(html: str) -> HtmlElement | None:
    """The page's tree, or None when the text is not HTML at all."""
    if not html.strip():
        return None
    try:
        tree = load_html(_XML_DECLARATION.sub("", html, count=1))
    except (ValueError, TypeError, etree.ParserError):
        return None
    return tree


def remove_hidden(tree: HtmlElement) -> None:
    """Drop elements a reader does not see in the text: hidden, hover-only, screen-reader-only.

    Only the attributes that can hide an element are read (as strings, by XPath): walking
    every element of the page through lxml.html's element classes cost more than the test.
    The order of the removals does not matter, since each keeps its tail text in place.
    """
    doomed: dict[HtmlElement, None] = dict.fromkeys(_WITH_HIDDEN(tree))
    for style in _STYLES(tree):
        if _HIDDEN_STYLE.search(style):
            doomed[style.getparent()] = None
    for names in _CLASSES(tree):
        if _POPUP_WORDS.search(names):
            doomed[names.getparent()] = None
    for element in doomed:
        if element.tag not in {"html", "body", "head"}:
            _drop_keeping_tail(element)


def read_facts(tree: HtmlElement, url: str | None) -> PageFacts:
    metas = _meta_contents(tree)
    facts = PageFacts(language=_language(tree))
    facts.canonical_url = _absolute(_canonical(tree, metas), url)
    facts.link_texts = frozenset(
        text
        for a in tree.iter("a")
        # in-page anchors are a table of contents pointing at the article's own headings
        if not (a.get("href") or "").startswith("#")
        and len(text := normalize(a.text_content())) >= _MIN_LINK_TEXT
    )
    facts.published = _first(
        metas, "article:published_time", "og:published_time", "datepublished", "dc.date.issued"
    ) or _json_ld_date(tree)
    facts.image_url = _absolute(
        _first(metas, "og:image", "twitter:image", "twitter:image:src"), url
    )
    for figure in tree.iter("figure"):
        caption = _squash(" ".join(c.text_content() for c in figure.iter("figcaption")))
        if not caption:
            continue
        facts.caption_texts.add(caption)
        for image in figure.iter("img", "source"):
            for attribute in ("src", "data-src", "srcset", "data-srcset"):
                value = image.get(attribute)
                if value and value.split():
                    facts.captions[_absolute(value.split()[0], url) or value] = caption
    return facts


def _drop_keeping_tail(element: HtmlElement) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _canonical(tree: HtmlElement, metas: dict[str, str]) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return str(link.get("href")).strip()
    return _first(metas, "og:url", "twitter:url")


def _json_ld_date(tree: HtmlElement) -> str | None:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            match = _JSON_LD_DATE.search(script.text)
            if match:
                return match.group(1)
    return None


def _meta_contents(tree: HtmlElement) -> dict[str, str]:
    """The page's ``<meta>`` tags as key -> content: the first non-empty one of each key."""
    contents: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        content = (meta.get("content") or "").strip()
        if content:
            contents.setdefault(key.strip().lower(), content)
    return contents


def _first(metas: dict[str, str], *names: str) -> str | None:
    """The content of the first of ``names`` the page declares."""
    return next((metas[name] for name in names if name in metas), None)


def _language(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    candidates = [root.get("lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iter("meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in {"content-language", "og:locale", "language", "dc.language"}:
            candidates.append(meta.get("content"))
    for candidate in candidates:
        if candidate and candidate.strip():
            primary = re.split(r"[-_,;\s]", candidate.strip())[0].lower()
            if primary.isalpha() and 2 <= len(primary) <= 3:
                return primary
    return None


def _absolute(value: str | None, base: str | None) -> str | None:
    if not value:
        return None
    address = urljoin(base, value) if base else value
    parts = urlsplit(address)
    return address if parts.scheme in {"http", "https"} and parts.netloc else None


# The later steps compare the same texts again and again (the page's paragraphs, the body's
# blocks, the page's links): the last few thousand results are kept.
@functools.lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Words only, lower case: how texts are compared across the page and the body."""
    return " ".join(_WORDS.findall(text.casefold()))


def _squash(text: str) -> str:
    return " ".join(text.split())
