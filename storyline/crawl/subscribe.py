"""Subscribing: to a feed, to a site (its feeds discovered), to a page, or to an OPML list."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from storyline.crawl.check import FEED_ACCEPT, Crawler
from storyline.crawl.parsing import PARSING
from storyline.feeds import (
    FeedParseError,
    OpmlFeed,
    discover_feeds,
    looks_like_feed,
    parse_feed,
    parse_opml,
    write_opml,
)
from storyline.fetch import FetchError, Response
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.feeds import add_feed, list_feeds
from storyline.store.schema import Feed, Meta

DEFAULTS_APPLIED = "default_opml_applied"


class SubscribeError(ValueError):
    """The URL could not be subscribed to, with the reason in words."""


def subscribe(crawler: Crawler, url: str, *, folder: str | None = None) -> tuple[Feed, bool]:
    """Subscribe to ``url``: a feed as it is, a site through the feeds it links to, or else
    the page itself as a single article. Returns the feed and whether it is new."""
    try:
        response = crawler.fetcher.get(url, accept=FEED_ACCEPT)
    except FetchError as error:
        raise SubscribeError(f"cannot fetch {url}: {error.reason}") from error
    with PARSING:
        kind, title, site_url, feed_url = _read_subscription(url, response)
    settings = crawler.settings
    with crawler.database.write() as session:
        return add_feed(
            session,
            feed_url,
            now=datetime.now(UTC),
            interval=settings.feed_min_interval,
            title=title,
            folder=folder,
            site_url=site_url,
            kind=kind,
        )


def _read_subscription(
    url: str, response: Response
) -> tuple[str | None, str | None, str | None, str]:
    """What ``response`` is: (kind, title, site address, feed address). A feed as it is, a
    site through the first feed it links to, or else a page of kind "page"."""
    if looks_like_feed(response.content, response.content_type):
        try:
            parsed = parse_feed(
                response.content,
                url=response.final_url,
                content_type=response.content_type,
                charset=response.charset,
            )
        except FeedParseError as error:
            raise SubscribeError(f"{url} is not a usable feed: {error}") from error
        return parsed.kind, parsed.title, parsed.site_url, url
    found = discover_feeds(response.content, url=response.final_url)
    if found:
        return None, found[0].title, response.final_url, found[0].url
    return "page", None, None, response.final_url


def import_opml(database: Database, settings: Settings, content: bytes) -> tuple[int, int]:
    """Subscribe to every feed of an OPML file, keeping its folders; (added, already there)."""
    with PARSING:
        feeds = parse_opml(content)
    added = 0
    now = datetime.now(UTC)
    with database.write() as session:
        for item in feeds:
            _, created = add_feed(
                session,
                item.url,
                now=now,
                interval=settings.feed_min_interval,
                title=item.title,
                folder=item.folder,
                site_url=item.site_url,
            )
            added += created
    return added, len(feeds) - added


def export_opml(database: Database) -> bytes:
    with database.read() as session:
        feeds = list_feeds(session)
        items = [
            OpmlFeed(url=f.url, title=f.title, site_url=f.site_url, folder=f.folder) for f in feeds
        ]
    with PARSING:
        return write_opml(items)


def subscribe_defaults(database: Database, settings: Settings) -> int | None:
    """On first start, subscribe to the default OPML (once per installation).

    Returns how many feeds were added, or None when this was done before or is switched off.
    """
    with database.read() as session:
        if session.get(Meta, DEFAULTS_APPLIED) is not None:
            return None
    choice = settings.default_opml.strip()
    added = 0
    if choice.lower() != "none":
        if choice:
            content = Path(choice).expanduser().read_bytes()
        else:
            content = (
                resources.files("storyline.feeds").joinpath("default-outlets.opml").read_bytes()
            )
        added, _ = import_opml(database, settings, content)
    with database.write() as session:
        if session.execute(select(Meta).where(Meta.key == DEFAULTS_APPLIED)).first() is None:
            session.add(Meta(key=DEFAULTS_APPLIED, value=datetime.now(UTC).isoformat()))
    return added
