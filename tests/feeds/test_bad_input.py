"""Bad input gets a FeedParseError that says what is wrong, never a crash or a hang."""

from __future__ import annotations

import time

import pytest

from storyline.feeds import FeedParseError, looks_like_feed, parse_feed
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"
URL = "https://feeds.example/feed.xml"


def _error(content: bytes, **headers: str) -> str:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(content, url=URL, **headers)
    return str(caught.value)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_entity_declarations_are_refused_before_parsing(name: str) -> None:
    started = time.monotonic()
    assert _error((FEEDS / name).read_bytes()) == "XML entity declarations are refused"
    assert time.monotonic() - started < 1


def test_entity_declaration_hidden_after_a_utf16_bom_is_refused() -> None:
    text = (FEEDS / "external-entity.xml").read_text(encoding="utf-8")
    assert "entity declarations" in _error(text.encode("utf-16"))


def test_the_words_in_an_article_about_xml_are_not_a_declaration() -> None:
    feed = (
        b'<rss version="2.0"><channel><title>Markup Monthly</title><item>'
        b"<title>On entities</title><link>https://markup-monthly.example/1</link>"
        b"<description><![CDATA[Never write <!ENTITY in a feed.]]></description>"
        b"</item></channel></rss>"
    )
    (entry,) = parse_feed(feed, url=URL).entries
    assert entry.summary == "Never write <!ENTITY in a feed."


def test_absurd_nesting_is_refused_quickly() -> None:
    started = time.monotonic()
    assert "nested too deeply" in _error(b"<rss><channel>" + b"<div>" * 100_000)
    assert "nested too deeply" in _error(b"[" * 100_000)
    assert time.monotonic() - started < 2


def test_html_given_as_a_feed() -> None:
    page = (FEEDS / "homepage-with-feeds.html").read_bytes()
    assert _error(page, content_type="application/rss+xml") == (
        "not a feed: looks like HTML (a web page, not RSS or Atom)"
    )
    assert "looks like HTML" in _error(b"<html><body><p>Maintenance</p></body></html>")


@pytest.mark.parametrize("body", [b"", b"   \n\t  "])
def test_empty_bodies(body: bytes) -> None:
    assert _error(body) == "empty body: not a feed"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<catalog><book/></catalog>", "not a feed: the root element is <catalog>"),
        (b"just some words", "not a feed: no XML or JSON document in the body"),
        (b'{"items": []}', "not a feed: JSON without a JSON Feed version"),
        (b'{"version": "https://jsonfeed.org/version/1.1", ', "not a feed: invalid JSON at line 1"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": 3}', "without an items list"),
    ],
)
def test_documents_that_are_not_feeds(body: bytes, message: str) -> None:
    assert message in _error(body)


def test_truncated_feed_keeps_the_complete_items_and_says_so() -> None:
    parsed = parse_feed((FEEDS / "truncated.xml").read_bytes(), url=URL)
    assert [entry.key for entry in parsed.entries] == ["pe-1", "pe-2"]
    assert parsed.warning == "truncated XML at line 18: kept the 2 complete items before it"
    assert parsed.title == "Port Ember Evening News"


def test_feed_truncated_before_any_item() -> None:
    body = b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>Cut sh'
    assert _error(body) == "truncated XML at line 4: no complete item"


def test_truncated_sitemap_drops_the_half_written_address() -> None:
    sitemap = (FEEDS / "news-sitemap.xml").read_bytes()
    cut = sitemap[: sitemap.index(b"sport/2031") + 5]
    parsed = parse_feed(cut, url=URL)
    assert [e.url for e in parsed.entries] == [
        "https://www.northfield-gazette.example/politics/2031/03/04/mayor-budget"
    ]
    assert parsed.warning is not None and parsed.warning.startswith("truncated XML at line 19")


def test_undefined_html_entities_are_read_with_a_warning() -> None:
    body = (
        b'<rss version="2.0"><channel><title>Lantern Isle Radio</title><item>'
        b"<title>Storm&nbsp;warning for the caf&eacute; quarter</title>"
        b"<link>https://lantern-isle-radio.example/storm</link></item></channel></rss>"
    )
    parsed = parse_feed(body, url=URL)
    assert parsed.entries[0].title == "Storm warning for the café quarter"
    assert parsed.warning is not None and "undefined entity" in parsed.warning


def test_declared_utf8_that_is_really_windows_1252() -> None:
    parsed = parse_feed((FEEDS / "cp1252-declared-utf8.xml").read_bytes(), url=URL)
    (entry,) = parsed.entries
    assert entry.title == "“Café Nové” reopens — prices up 2 €"
    assert entry.summary == "The owners’ plan."
    assert parsed.warning == "declared UTF-8 but is not; read as Windows-1252"


def test_iso_8859_1_without_a_declaration() -> None:
    parsed = parse_feed((FEEDS / "latin1-undeclared.xml").read_bytes(), url=URL)
    (entry,) = parsed.entries
    assert (entry.title, entry.summary) == ("Fête de la forêt à Montclar", "Un été très réussi.")
    assert parsed.warning is not None and "Windows-1252" in parsed.warning


def test_utf16_with_a_byte_order_mark() -> None:
    parsed = parse_feed((FEEDS / "utf16-bom.xml").read_bytes(), url=URL)
    assert (parsed.kind, parsed.title, parsed.warning) == ("atom", "Северный вестник", None)
    assert parsed.entries[0].title == "Новый мост открыт"


def test_http_charset_wins_over_the_declaration_when_it_decodes() -> None:
    body = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>x</title>'
    body += "<item><title>Вечерний выпуск</title><link>https://a.example/1</link></item>"
    body += "</channel></rss>"
    parsed = parse_feed(
        body.encode("cp1251"), url=URL, content_type="text/xml; charset=windows-1251"
    )
    assert parsed.entries[0].title == "Вечерний выпуск"
    assert parsed.warning is None


def test_utf8_bytes_under_a_wrong_latin1_header_stay_utf8() -> None:
    body = '<rss version="2.0"><channel><title>Zürich Abendblatt</title></channel></rss>'
    parsed = parse_feed(body.encode("utf-8"), url=URL, charset="ISO-8859-1")
    assert parsed.title == "Zürich Abendblatt"
    assert parsed.warning == "declared ISO-8859-1 but is UTF-8; read as UTF-8"


def test_html_in_titles_and_summaries_becomes_text() -> None:
    body = (
        b'<rss version="2.0"><channel><title>&lt;i&gt;Ember&lt;/i&gt; Post</title><item>'
        b"<title>&lt;b&gt;Live:&lt;/b&gt; tides &amp;amp; winds</title>"
        b"<link>https://ember-post.example/live</link>"
        b"<description>&lt;p&gt;First.&lt;/p&gt;&lt;script&gt;steal()&lt;/script&gt;"
        b"&lt;style&gt;p{}&lt;/style&gt;&lt;p&gt;Second &amp;eacute;t&amp;eacute;.&lt;/p&gt;"
        b"</description></item></channel></rss>"
    )
    parsed = parse_feed(body, url=URL)
    entry = parsed.entries[0]
    assert parsed.title == "Ember Post"
    assert entry.title == "Live: tides & winds"
    assert entry.summary == "First.\n\nSecond été."


def test_dates_in_rfc822_iso8601_or_missing() -> None:
    body = (
        b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>x</title>'
        b"<item><title>a</title><link>https://a.example/a</link>"
        b"<pubDate>Wed, 05 Mar 2031 23:30:00 -0500</pubDate></item>"
        b"<item><title>b</title><link>https://a.example/b</link>"
        b"<dc:date>2031-03-06T04:30:00Z</dc:date></item>"
        b"<item><title>c</title><link>https://a.example/c</link>"
        b"<pubDate>sometime last week</pubDate></item>"
        b"<item><title>d</title><link>https://a.example/d</link></item>"
        b"</channel></rss>"
    )
    a, b, c, d = parse_feed(body, url=URL).entries
    assert a.published_at is not None and a.published_at.isoformat() == "2031-03-06T04:30:00+00:00"
    assert b.published_at == a.published_at
    assert c.published_at is None and d.published_at is None


def test_items_with_nothing_in_them_are_skipped() -> None:
    body = (
        b'<rss version="2.0"><channel><title>x</title><item></item>'
        b"<item><description>  </description></item>"
        b"<item><title>Kept</title></item></channel></rss>"
    )
    assert [e.title for e in parse_feed(body, url=URL).entries] == ["Kept"]


def test_links_that_are_not_web_addresses_are_dropped() -> None:
    body = (
        b'<rss version="2.0"><channel><title>x</title>'
        b"<item><title>a</title><link>javascript:alert(1)</link></item>"
        b"<item><title>b</title><link>mailto:desk@a.example</link></item></channel></rss>"
    )
    assert [e.url for e in parse_feed(body, url=URL).entries] == [None, None]


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("rss20.xml", "text/html", True),  # a misconfigured server: the body decides
        ("atom10.xml", None, True),
        ("rss10.rdf", "application/rdf+xml", True),
        ("jsonfeed11.json", "application/json", True),
        ("news-sitemap.xml", "text/xml", True),
        ("utf16-bom.xml", None, True),
        ("homepage-with-feeds.html", "application/rss+xml", False),
        ("homepage-without-feeds.html", "text/html", False),
    ],
)
def test_looks_like_feed(name: str, content_type: str | None, expected: bool) -> None:
    assert looks_like_feed((FEEDS / name).read_bytes(), content_type) is expected


def test_looks_like_feed_on_bodies_that_do_not_say() -> None:
    assert looks_like_feed(b"", "application/atom+xml")
    assert not looks_like_feed(b"", "text/html")
    assert not looks_like_feed(b'{"items": []}', "application/json")
    assert looks_like_feed(b"<?xml version='1.0'?>\n<rss", "text/plain")
