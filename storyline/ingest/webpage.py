"""A saved HTML page: its main text and metadata, through the extraction stage.

The page goes through :func:`storyline.extract.extract_article`, the same extraction the
crawler uses on fetched pages (and the one the extraction quality gate measures); this
module only adds what an import knows besides the page: the ``--outlet`` option, and the
dateline or a named outlet in the text when the page declares no date or site name.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from storyline.extract import extract_article
from storyline.ingest.attribution import find_named_outlet
from storyline.ingest.errors import ParseError
from storyline.ingest.timeparse import find_dateline, to_utc
from storyline.model import ArticleDraft, BlockKind


def parse_html_page(html: str, *, as_of: datetime, outlet: str | None) -> ArticleDraft:
    """The article in ``html``; ``outlet`` (from ``--outlet``) wins over the site name."""
    extraction = extract_article(html)
    if extraction is None:
        raise ParseError("no article text found in the page")
    blocks = list(extraction.blocks)
    title = (extraction.title or "").strip()
    if not title:
        headings = [b.text for b in blocks if b.kind is BlockKind.HEADING]
        if not headings:
            raise ParseError("the page has no title")
        title = headings[0]
    if blocks and blocks[0].kind is BlockKind.HEADING and _same(blocks[0].text, title):
        blocks = blocks[1:]  # the page's own <h1>, already the title
    paragraphs = [b.text for b in blocks if b.kind is BlockKind.PARAGRAPH]
    if not paragraphs:
        raise ParseError("no article text found in the page")
    dateline = find_dateline(paragraphs[0], as_of)
    published_at = extraction.published_at
    if published_at is not None and published_at > to_utc(as_of):
        published_at = None  # a date after the import's moment is not a publication date
    return ArticleDraft(
        title=title,
        blocks=tuple(blocks),
        outlet=outlet
        or extraction.site_name
        or find_named_outlet(paragraphs)
        or (dateline.agency if dateline else None),
        url=_web_url(extraction.canonical_url),
        byline=extraction.byline,
        published_at=published_at or (dateline.published_at if dateline else None),
        language=extraction.language,
        site_name=extraction.site_name,
        image_url=_web_url(extraction.image_url),
    )


def _web_url(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in {"http", "https"} and parts.netloc else None


def _same(first: str, second: str) -> bool:
    return first.casefold() == second.casefold()
