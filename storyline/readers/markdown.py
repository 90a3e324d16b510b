"""Comments are written in a small Markdown and shown as HTML that cannot run anything.

Readers write paragraphs, line breaks, emphasis, code, quotes, lists and links; a comment
is no place for headings, pictures, tables or markup of its own. The subset is enforced
twice, so a mistake in one layer is caught by the other:

1. markdown-it-py parses with raw HTML off (``<b>`` is shown as the text ``<b>``) and with
   headings read as paragraphs, images as links to the picture, thematic breaks as text;
   a link survives only when it is an absolute http(s) URL with a host, or ``mailto:``.
   Bare addresses are not made links: that needs ``linkify-it-py``, which Storyline does
   not install (``<https://…>`` and ``[text](https://…)`` do make links).
2. nh3 keeps only the tags that subset produces, drops every attribute but ``href`` (and
   a list's ``start``), refuses every other URL scheme and gives every link
   ``rel="nofollow ugc noopener"``, so a comment lends no search ranking to what it
   links.

:func:`comment_text` gives the same comment as plain text, for notifications, mail and
the pre-moderation checks; :func:`comment_links` the addresses it links or mentions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from storyline.web.sanitize import HTML_URL_SCHEMES, LINK_REL, safe_url

# Callers refuse longer bodies before they are stored or rendered.
MAX_COMMENT_CHARS = 10_000

_TAGS = {"a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul"}
_ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href"}, "ol": {"start"}}
_TEXT_BLOCKS = frozenset({"inline", "fence", "code_block"})
_HEADING = {"heading_open": "paragraph_open", "heading_close": "paragraph_close"}
# A web address written out in the text; the characters that usually end a sentence or
# close a bracket around it are not part of it.
_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)]}*_"


def render_comment(body: str) -> str:
    """The comment's Markdown as safe HTML (see the module docstring for the subset)."""
    html = _MARKDOWN.renderer.render(_parse(body), _MARKDOWN.options, {})
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        url_schemes=set(HTML_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def comment_text(body: str) -> str:
    """The comment as plain text (not HTML: escape it before putting it in a page).

    Blocks are separated by a blank line, list items by a line break and marked ``- `` or
    with their number, quoted lines start with ``> ``, code is kept as written, and a
    link whose text is not its address is followed by the address in brackets.
    """
    out = ""
    quote = lists = 0
    marker = ""
    listed = False  # whether the block before was inside a list
    for token in _parse(body):
        if token.type == "blockquote_open":
            quote += 1
        elif token.type == "blockquote_close":
            quote -= 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
            listed = lists > 0
        elif token.type == "list_item_open":
            marker = f"{token.info}{token.markup} " if token.info else "- "
        elif token.type in _TEXT_BLOCKS:
            text = _inline_text(token.children or []) if token.type == "inline" else token.content
            first, *rest = text.rstrip("\n").split("\n")
            indent = "> " * quote
            lines = [indent + marker + first, *(indent + " " * len(marker) + r for r in rest)]
            if out:
                out += "\n" if lists and listed else "\n\n"
            out += "\n".join(lines)
            marker, listed = "", lists > 0
    return out


def comment_links(body: str) -> tuple[str, ...]:
    """Every address the comment links or writes out (``www.…`` too), first seen first.

    Addresses inside code count: they are shown, if not as links, and that is enough to
    advertise them.
    """
    found: list[str] = []
    for token in _parse(body):
        if token.type in ("fence", "code_block"):
            found += _bare_urls(token.content)
        for child in token.children or []:
            if child.type == "link_open":
                found.append(str(child.attrGet("href")))
            elif child.type in ("text", "code_inline"):
                found += _bare_urls(child.content)
    return tuple(dict.fromkeys(found))


def _parse(body: str) -> list[Token]:
    return _MARKDOWN.parse(body)


def _inline_text(children: Sequence[Token]) -> str:
    """A paragraph's text: breaks as line breaks, links followed by their address."""
    parts: list[str] = []
    opened: list[tuple[str, int]] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "link_open":
            opened.append((str(child.attrGet("href")), len(parts)))
        elif child.type == "link_close" and opened:
            href, start = opened.pop()
            label = "".join(parts[start:])
            if href not in (label, f"mailto:{label}"):
                parts.append(f" ({href})")
    return "".join(parts)


def _bare_urls(text: str) -> list[str]:
    return [match.group().rstrip(_URL_TAIL) for match in _BARE_URL.finditer(text)]


def _allowed_link(url: str) -> bool:
    """Links go to another site or to an address: never into Storyline, never a script."""
    if safe_url(url) is not None:
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() == "mailto" and "@" in parts.path


def _comment_subset(state: StateCore) -> None:
    """Headings become paragraphs and images become links to the picture."""
    for token in state.tokens:
        if token.type in _HEADING:
            token.type, token.tag, token.markup = _HEADING[token.type], "p", ""
        elif token.type == "inline" and token.children:
            token.children = [piece for child in token.children for piece in _unimage(child)]


def _unimage(token: Token) -> list[Token]:
    """An image as a link to its file, labelled with its description (or its address)."""
    if token.type != "image":
        return [token]
    src = str(token.attrGet("src"))
    opening = Token("link_open", "a", 1, attrs={"href": src})
    label = token.children or [Token("text", "", 0, content=src)]
    return [opening, *label, Token("link_close", "a", -1)]


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True})
    md.disable(["hr", "html_block", "html_inline"])
    md.validateLink = _allowed_link  # type: ignore[method-assign]
    md.core.ruler.push("comment_subset", _comment_subset)
    return md


_MARKDOWN = _markdown()
