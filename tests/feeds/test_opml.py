"""OPML import and export, folders included, and the bundled default outlets."""

from __future__ import annotations

from importlib import resources

import pytest

from storyline.feeds import FeedParseError, OpmlFeed, parse_feed, parse_opml, write_opml
from tests.conftest import FIXTURES

NESTED = (FIXTURES / "feeds" / "nested.opml").read_bytes()


def test_parse_nested_folders() -> None:
    assert parse_opml(NESTED) == [
        OpmlFeed(
            "https://www.harbourtown-courier.example/feed/",
            "Harbourtown Courier",
            "https://www.harbourtown-courier.example/",
            "News/Coast",
        ),
        OpmlFeed(
            "https://evening.port-ember.example/rss", "Port Ember Evening", None, "News/Coast"
        ),
        OpmlFeed("https://wire.valdoria.example/rss", "Valdoria Wire", None, "News", "de"),
        OpmlFeed("https://kestrelbaypost.example/atom.xml", "Kestrel Bay Post", None, None),
        OpmlFeed(
            "https://gazette-montclar.example/rss", "Flat, with a category", None, "Regions/South"
        ),
    ]


def test_round_trip() -> None:
    feeds = parse_opml(NESTED)
    written = write_opml(feeds, title="My list")
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b'<opml version="2.0">' in written and b"<title>My list</title>" in written
    assert parse_opml(written) == feeds
    # One outline per folder level, the feeds inside it.
    assert written.count(b'text="News"') == 1 and written.count(b'text="Coast"') == 1


def test_write_escapes_and_untitled_feeds() -> None:
    feeds = [
        OpmlFeed(
            "https://a.example/rss?x=1&y=2", 'Mail & "Guardian" <Weekly>', folder="Africa & More"
        ),
        OpmlFeed("https://b.example/feed"),
    ]
    again = parse_opml(write_opml(feeds))
    assert again[0] == feeds[0]
    assert again[1] == OpmlFeed("https://b.example/feed", "https://b.example/feed")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not OPML: the file is empty"),
        (b"<opml><head></head>", "not OPML: truncated XML"),
        (b"<opml><body><outline></body></opml>", "not OPML: malformed XML"),
        (b'<rss version="2.0"><channel/></rss>', "not OPML: the root element is <rss>"),
        (b'<opml version="2.0"><head/></opml>', "not OPML: there is no <body> element"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
            b'<opml><body><outline xmlUrl="https://a.example/&x;"/></body></opml>',
            "XML entity declarations are refused",
        ),
    ],
)
def test_malformed_opml(content: bytes, message: str) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_opml(content)
    assert str(caught.value).startswith(message)


def test_opml_in_another_encoding() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?><opml><body>'
    text += '<outline text="Régions"><outline text="Gazette" xmlUrl="https://g.example/rss"/>'
    text += "</outline></body></opml>"
    assert parse_opml(text.encode("latin-1"))[0].folder == "Régions"


def test_default_outlets() -> None:
    content = resources.files("storyline.feeds").joinpath("default-outlets.opml").read_bytes()
    feeds = parse_opml(content)
    assert 25 <= len(feeds) <= 40
    assert len({feed.url for feed in feeds}) == len(feeds)
    assert all(feed.url.startswith("https://") for feed in feeds)
    assert all(feed.title and feed.folder and feed.language for feed in feeds)
    languages = {feed.language.split("-")[0] for feed in feeds if feed.language}
    assert len(languages) >= 5
    assert {feed.folder for feed in feeds} == {
        "World",
        "Europe",
        "Americas",
        "Asia-Pacific",
        "Africa & Middle East",
    }
    # The bundled list is not a feed, and parse_feed says so rather than guessing.
    with pytest.raises(FeedParseError, match="root element is <opml>"):
        parse_feed(content, url="https://storyline.example/defaults.opml")
