"""The article's metadata: trafilatura's reading, completed from the page and normalised.

Dates come back as text; Storyline wants an aware datetime. A page that gives a date
without a time zone is read as UTC, the convention the rest of the pipeline uses.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document

from storyline.extract.blocks import squash
from storyline.extract.page import PageFacts

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@dataclass(frozen=True)
class Metadata:
    title: str | None
    byline: str | None
    published_at: datetime | None
    site_name: str | None
    image_url: str | None
    url: str | None
    description: str | None


def read_metadata(tree: HtmlElement, facts: PageFacts, url: str | None) -> Metadata:
    """trafilatura's metadata for the page; only dates the page declares, not guesses."""
    document = _read_fields(tree, url)
    return Metadata(
        title=_clean(document.title),
        byline=_clean(document.author),
        published_at=_published_at(document.date, facts.published),
        site_name=_clean(document.sitename),
        image_url=facts.image_url or _web_url(document.image, url),
        url=_web_url(document.url, url),
        description=_clean(document.description),
    )


def _read_fields(tree: HtmlElement, url: str | None) -> Document:
    """trafilatura's metadata pass (``extract_metadata``), step for step, for the fields
    Storyline keeps: its categories, tags, licence and host name are never used, and
    looking for them was a third of the pass's time.

    No copy of the page: these steps read the tree and copy what they prune (the author
    search, the date search), so the tree is left as it was for the later steps.
    """
    document = examine_meta(tree)
    if document.author and " " not in document.author:
        document.author = None  # one word is a handle or a site, not a byline
    # trafilatura's JSON-LD reader has bugs; its own pass guards against them the same way.
    with suppress(Exception):
        document = extract_meta_json(tree, document)
    document.title = document.title or extract_title(tree)
    document.author = document.author or extract_author(tree)
    document.url = document.url or extract_url(tree, url)
    document.date = find_date(
        tree,
        url=document.url,
        original_date=True,
        extensive_search=False,
        outputformat=DATE_FORMAT,
    )
    document.sitename = _site_name(document.sitename or extract_sitename(tree), document.url)
    document.clean_and_trim()
    return document


def _site_name(found: str | None, page_url: str | None) -> str | None:
    """The site's name as trafilatura settles it: no Twitter "@", a capital initial, else
    the page's host name."""
    if found:
        name = found.lstrip("@")
        if name and "." not in name and not name[0].isupper():
            name = name.title()
        return name
    match = META_URL.match(page_url) if page_url else None
    return match[1] if match else None


def parse_date(value: str | None) -> datetime | None:
    """An aware datetime from trafilatura's date text (UTC when the page gives no zone)."""
    if not value:
        return None
    for pattern in (DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return None


def _published_at(found: str | None, declared: str | None) -> datetime | None:
    """trafilatura's date, with the time of day the page declares for that same day.

    htmldate keeps only the day; the page's own ``article:published_time`` (or JSON-LD
    ``datePublished``) usually has the time and zone, which ordering stories needs.
    """
    day = parse_date(found)
    timestamp = _parse_timestamp(declared)
    if timestamp is None:
        return day
    if day is None or timestamp.date() == day.date():
        return timestamp
    return day


def _parse_timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _clean(value: str | None) -> str | None:
    return squash(value) or None if value else None


def _web_url(value: str | None, base: str | None) -> str | None:
    if not value:
        return None
    address = urljoin(base, value.strip()) if base else value.strip()
    parts = urlsplit(address)
    return address if parts.scheme in {"http", "https"} and parts.netloc else None
