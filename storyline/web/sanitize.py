"""Making third-party HTML and URLs safe to show.

Everything Storyline shows comes from outlets it does not control: titles, bodies, bylines
and link targets may carry ``<script>``, event handlers or ``javascript:`` URLs, by accident
or on purpose. Templates autoescape text; this module is for the two things autoescaping
cannot judge: a fragment of HTML that should keep some markup, and a URL that will become
an ``href``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3

# Reading markup only: no forms, no media, no styling, no frames.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "cite",
        "code",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "time",
        "ul",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "time": {"datetime"},
}
LINK_REL = "nofollow ugc noopener"
HTML_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_SCHEMES: frozenset[str] = frozenset({"http", "https"})

# Browsers drop these before reading a URL, so "java\tscript:" is still javascript:.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")


def sanitize_html(html: str) -> str:
    """Keep reading markup from ``html`` and drop everything that could run or restyle.

    Tags outside :data:`ALLOWED_TAGS` are removed (the text of most is kept; the content
    of ``script`` and ``style`` is dropped whole), attributes outside
    :data:`ALLOWED_ATTRIBUTES` go, link targets other than http, https and mailto go, and
    every link gets ``rel="nofollow ugc noopener"``.
    """
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(HTML_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host, else None.

    Used before any third-party URL becomes an ``href``: relative URLs (which would point
    into Storyline itself), ``javascript:``, ``data:`` and every other scheme are refused.
    Leading and trailing blanks are dropped; a URL with blanks or control characters
    inside is refused, since browsers would silently remove them and read another URL.
    """
    if url is None:
        return None
    candidate = url.strip()
    if not candidate or _IGNORED_IN_URLS.search(candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return candidate
