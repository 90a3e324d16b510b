"""From feed items and fetched pages to article drafts (pure, apart from the page fetch
handed in as a function)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from storyline.crawl.politeness import RobotsDisallowed
from storyline.extract import Extraction, extract_article
from storyline.feeds import FeedEntry, canonicalize_url
from storyline.fetch import FetchError, Response
from storyline.model import ArticleDraft, Block, BlockKind
from storyline.store.feeds import EntryRecord

PageFetcher = Callable[[str], tuple[Response, Extraction | None]]

FALLBACK_NOTE = (
    "The full text could not be extracted from the page ({reason}); this is the feed's text."
)


def entry_record(entry: FeedEntry) -> EntryRecord:
    """What the store keeps of a feed item until it becomes an article."""
    return EntryRecord(
        key=entry.key,
        url=entry.url,
        fingerprint=entry.fingerprint,
        payload={
            "title": entry.title,
            "summary": entry.summary,
            "content": entry.content if entry.has_full_text else None,
            "author": entry.author,
            "published_at": _iso(entry.published_at),
            "updated_at": _iso(entry.updated_at),
            "image_url": entry.image_url,
            "language": entry.language,
        },
    )


def page_entry(response: Response) -> tuple[list[EntryRecord], dict[str, Any]]:
    """A single-page source: the page itself is the one item, extracted now."""
    extraction = extract_article(response.content, url=response.final_url)
    if extraction is None:
        raise ValueError(f"no article text found at {response.final_url}")
    url = extraction.canonical_url or canonicalize_url(response.final_url)
    identity = f"{extraction.title or ''}\n{extraction.text}"
    fingerprint = hashlib.sha256(identity.encode("utf-8")).hexdigest()
    record = EntryRecord(
        key=url,
        url=url,
        fingerprint=fingerprint,
        payload={
            "title": extraction.title or url,
            "summary": extraction.description,
            "content": extraction.text,
            "blocks": [{"kind": str(b.kind), "text": b.text} for b in extraction.blocks],
            "author": extraction.byline,
            "published_at": _iso(extraction.published_at),
            "image_url": extraction.image_url,
            "language": extraction.language,
            "site_name": extraction.site_name,
        },
    )
    details = {"kind": "page", "title": extraction.site_name or extraction.title}
    return [record], details


def draft_from_entry(
    payload: dict[str, Any],
    url: str | None,
    feed_title: str | None,
    fetch_page: PageFetcher,
    *,
    last_attempt: bool,
) -> ArticleDraft:
    """The article for a feed item: its own full text, or the page's, or its summary.

    A page that cannot be had (gone, refused by robots.txt, or still failing on the last
    attempt) leaves the feed's own text, with a note on the article that says so.
    """
    notes: list[str] = []
    extraction: Extraction | None = None
    if payload.get("content") is None and url:
        try:
            response, extraction = fetch_page(url)
        except FetchError as error:
            if error.retryable and not last_attempt:
                raise
            notes.append(FALLBACK_NOTE.format(reason=error.reason))
        except RobotsDisallowed as error:
            notes.append(FALLBACK_NOTE.format(reason=str(error)))
        else:
            if extraction is not None and extraction.canonical_url:
                url = extraction.canonical_url
            else:
                url = canonicalize_url(response.final_url)
            if extraction is None or not extraction.text.strip():
                notes.append(FALLBACK_NOTE.format(reason="no article text found on the page"))
                extraction = None
    blocks = _blocks(payload, extraction)
    if not blocks:
        raise ValueError("the item has no text, and its page gave none")
    return ArticleDraft(
        title=(extraction.title if extraction and extraction.title else payload.get("title"))
        or url
        or "Untitled",
        blocks=blocks,
        outlet=(extraction.site_name if extraction else None)
        or payload.get("site_name")
        or feed_title,
        url=url,
        byline=(extraction.byline if extraction else None) or payload.get("author"),
        published_at=_parse(payload.get("published_at"))
        or (extraction.published_at if extraction else None),
        language=(extraction.language if extraction else None) or payload.get("language"),
        image_url=(extraction.image_url if extraction else None) or payload.get("image_url"),
        site_name=extraction.site_name if extraction else payload.get("site_name"),
        notes=tuple(notes),
    )


def _blocks(payload: dict[str, Any], extraction: Extraction | None) -> tuple[Block, ...]:
    if extraction is not None:
        return tuple(extraction.blocks)
    if payload.get("blocks"):
        return tuple(Block(BlockKind(b["kind"]), b["text"]) for b in payload["blocks"])
    text = payload.get("content") or payload.get("summary") or ""
    return tuple(
        Block(BlockKind.PARAGRAPH, part.strip()) for part in text.split("\n\n") if part.strip()
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
