"""Feed text to plain text: feeds put HTML (sometimes escaped twice) in titles and bodies.

The result keeps paragraphs apart with blank lines, which is how the rest of Storyline
splits text into blocks, and never carries a tag, an entity or script/style text.
"""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree

# Elements whose text is never shown to a reader.
_DROPPED = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
     "head", "title", "form", "button", "select", "textarea", "canvas", "audio", "video"}
)  # fmt: skip
# Elements that start a new paragraph.
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "main", "nav",
     "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt",
     "dd", "table", "tr", "figure", "figcaption", "hr", "address", "details", "summary"}
)  # fmt: skip
_MARKUP = re.compile(r"<[A-Za-z/!?][^>]*>|&(#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);?")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_PARAGRAPH = "\x00"
_LINE = "\x01"


def html_to_text(markup: str | None) -> str:
    """Paragraphs of ``markup`` as text, separated by blank lines; "" when there is none."""
    return _to_text(markup, unescapes_left=2)


def _to_text(markup: str | None, unescapes_left: int) -> str:
    if not markup or not markup.strip():
        return ""
    if not _MARKUP.search(markup):
        return _tidy(markup)
    try:
        fragment = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    pieces: list[str] = [fragment.text or ""]
    _collect(fragment, pieces)
    text = "".join(pieces)
    if _PARAGRAPH in text or _LINE in text:
        # Laid out with elements: line breaks in the source are only spaces.
        text = text.replace("\n", " ")
    if unescapes_left and _TAG.search(text):
        # The HTML was escaped once more inside the feed: what came out is markup again.
        again = text.replace(_PARAGRAPH, "\n\n").replace(_LINE, "\n")
        return _to_text(again, unescapes_left - 1)
    return _tidy(text)


def tidy_text(text: str | None) -> str:
    """Plain text (no markup in it) with its whitespace tidied: paragraphs kept apart by
    blank lines, spaces collapsed."""
    return _tidy(text) if text else ""


def html_to_line(markup: str | None) -> str:
    """``markup`` as one line of text, for titles, names and other short fields."""
    return " ".join(html_to_text(markup).split())


def _collect(element: lxml.html.HtmlElement, pieces: list[str]) -> None:
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        tag = tag.lower().rsplit("}", 1)[-1]
        if tag in _DROPPED or not tag:
            # Comments and processing instructions have no text of their own, but the text
            # that follows them belongs to the parent.
            if child.tail:
                pieces.append(child.tail)
            continue
        if tag == "br":
            pieces.append(_LINE)
        elif tag in _BLOCKS:
            pieces.append(_PARAGRAPH)
        if child.text:
            pieces.append(child.text)
        _collect(child, pieces)
        if tag in _BLOCKS:
            pieces.append(_PARAGRAPH)
        if child.tail:
            pieces.append(child.tail)


def _tidy(text: str) -> str:
    """Collapse whitespace inside paragraphs; blank lines (or block ends) separate them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\n[ \t]*\n", _PARAGRAPH, text).replace("\n", " ")
    paragraphs = []
    for block in text.split(_PARAGRAPH):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split(_LINE)]
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)
