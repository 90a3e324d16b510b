"""One fixture feed per format, each written for these tests (invented outlets)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.feeds import FeedEntry, ParsedFeed, parse_feed
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"


def _parse(name: str, url: str | None = None) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url=url or f"https://feeds.example/{name}")


def _by_key(parsed: ParsedFeed) -> dict[str, FeedEntry]:
    return {entry.key: entry for entry in parsed.entries}


def test_rss_091_with_netscape_doctype() -> None:
    parsed = _parse("rss091.xml", "https://herald.mirrow-valley.example/rss.xml")
    assert (parsed.kind, parsed.title, parsed.language) == ("rss", "Mirrow Valley Herald", "en-gb")
    first, second = parsed.entries
    # The tracking parameter is gone and the escaped <b> is plain text.
    assert first.url == "https://herald.mirrow-valley.example/news/ferry-resumes.html"
    assert first.key == first.url  # no GUID: the canonical link is the identity
    assert "<" not in (first.summary or "") and "Osprey" in (first.summary or "")
    assert second.title == "Café owners win appeal over terrace licence"
    # A relative link is resolved against the feed's own URL.
    assert second.url == "https://herald.mirrow-valley.example/news/terrace-licence.html"
    assert second.published_at is None


def test_rss_20_with_content_encoded() -> None:
    parsed = _parse("rss20.xml", "https://www.harbourtown-courier.example/feed/")
    assert parsed.kind == "rss"
    assert parsed.site_url == "https://www.harbourtown-courier.example/"
    assert parsed.warning is None
    entries = _by_key(parsed)
    tram = entries["courier-4471"]
    assert tram.title == "Council approves new tram line to Port Ember"
    assert tram.url == "https://www.harbourtown-courier.example/local/2031/03/tram-line?id=4471"
    assert tram.author == "Aurelia Brandt"
    assert tram.published_at == datetime(2031, 3, 4, 8, 15, tzinfo=UTC)
    assert tram.image_url == "https://cdn.harbourtown-courier.example/img/tram.jpg"
    assert tram.language == "en-US"
    assert tram.summary == "The council voted 31 to 9 for the line."
    assert tram.content is not None
    paragraphs = tram.content.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[2].startswith("“This is the most important decision")
    assert "color: red" not in tram.content and "track(" not in (tram.summary or "")
    assert tram.has_full_text


def test_rss_items_without_titles_links_or_guids() -> None:
    entries = _parse("rss20.xml", "https://www.harbourtown-courier.example/feed/").entries
    no_title, no_link, nothing = entries[1], entries[2], entries[3]
    # No title: the first sentence of the text stands in.
    assert no_title.title == "The fish market will open an hour earlier from April."
    assert no_title.url == "https://www.harbourtown-courier.example/local/2031/03/fish-market"
    # No link: no URL (an enclosure is not the article), but the GUID is still the key.
    assert no_link.url is None and no_link.key == "courier-4473"
    assert no_link.image_url == "https://cdn.harbourtown-courier.example/img/lighthouse.jpg"
    # Neither GUID nor link nor date: a stable hash of what there is.
    assert nothing.url is None and nothing.key.startswith("sha256:")
    again = _parse("rss20.xml", "https://www.harbourtown-courier.example/feed/").entries[3]
    assert again.key == nothing.key
    assert not nothing.has_full_text


def test_rss_10_rdf() -> None:
    parsed = _parse("rss10.rdf", "https://wire.valdoria.example/rss")
    assert (parsed.kind, parsed.title, parsed.language) == ("rdf", "Valdoria Wire", "de")
    first = parsed.entries[0]
    assert first.title == "Parlament in Valdoria beschließt neues Wahlrecht"
    assert first.url == "https://wire.valdoria.example/meldung/8812"
    # dc:date, ISO-8601 with an offset, is the publication date in UTC.
    assert first.published_at == datetime(2031, 3, 4, 9, 30, tzinfo=UTC)
    assert first.author == "Jonas Reiter"


def test_atom_10() -> None:
    parsed = _parse("atom10.xml", "https://www.journal-de-lestrelle.example/atom.xml")
    assert (parsed.kind, parsed.language) == ("atom", "fr")
    assert parsed.site_url == "https://www.journal-de-lestrelle.example/"
    frost, bridge = parsed.entries
    assert frost.title == "Les vignerons de l'Estrelle face au gel"
    # xml:base resolves the relative link; the fragment is not part of the identity.
    assert frost.url == "https://www.journal-de-lestrelle.example/economie/2031/03/04/vignerons-gel"
    assert frost.published_at == datetime(2031, 3, 4, 5, 0, tzinfo=UTC)
    assert frost.updated_at == datetime(2031, 3, 4, 10, 45, tzinfo=UTC)
    assert frost.summary == "Une nuit à moins six degrés a touché les bourgeons."
    assert frost.content is not None and len(frost.content.split("\n\n")) == 2
    assert frost.author == "Camille Orsat"
    # XHTML content; only <updated>, which then stands for the publication date too.
    assert bridge.content == (
        "Après huit mois de travaux, le pont rouvre.\n\nLa vitesse y est limitée à 30 km/h."
    )
    assert bridge.summary is None
    assert bridge.published_at == bridge.updated_at == datetime(2031, 3, 3, 18, 20, tzinfo=UTC)


def test_atom_03() -> None:
    parsed = _parse("atom03.xml")
    assert (parsed.kind, parsed.title) == ("atom", "Kestrel Bay Post")
    (entry,) = parsed.entries
    assert entry.key == "tag:kestrelbaypost.example,2031:1201"
    assert entry.content == "The board cited the late harvest."
    assert entry.published_at == datetime(2031, 3, 4, 8, 0, tzinfo=UTC)
    assert entry.updated_at == datetime(2031, 3, 4, 8, 30, tzinfo=UTC)


def test_json_feed_11() -> None:
    parsed = _parse("jsonfeed11.json", "https://news.radiomeridian.example/feed.json")
    assert (parsed.kind, parsed.title, parsed.language) == ("json", "Radio Meridian News", "es")
    assert parsed.site_url == "https://news.radiomeridian.example/"
    port, kites, brief = parsed.entries
    assert port.url == "https://news.radiomeridian.example/notas/puerto-alba"
    assert port.content == "La obra costará 18 millones.\n\nEstará lista en 2033."
    assert port.author == "Lucía Ferrand, Mateo Quiroga"
    assert port.language == "es-AR"
    assert port.published_at == datetime(2031, 3, 4, 12, 0, tzinfo=UTC)
    assert port.updated_at == datetime(2031, 3, 4, 13, 15, tzinfo=UTC)
    assert port.image_url == "https://news.radiomeridian.example/img/muelle.jpg"
    # A numeric id (JSON Feed 1.0 habit), a relative URL, a 1.0 "author" object.
    assert kites.key == "2031030402"
    assert kites.url == "https://news.radiomeridian.example/notas/festival-de-cometas"
    assert kites.author == "Redacción" and kites.language == "es"
    assert kites.content == "Más de 300 cometas.\n\nEl domingo habrá concurso infantil."
    # No title, an external URL only, a date that is not one.
    assert brief.url == "https://other-outlet.example/story/1"
    assert brief.title == "Un breve sin título." and brief.published_at is None


def test_news_sitemap() -> None:
    parsed = _parse("news-sitemap.xml", "https://www.northfield-gazette.example/news.xml")
    assert (parsed.kind, parsed.title, parsed.language) == ("sitemap", "Northfield Gazette", "en")
    budget, rowing = parsed.entries
    assert budget.title == "Mayor unveils a budget with & without new taxes"
    assert budget.published_at == datetime(2031, 3, 4, 8, 30, tzinfo=UTC)
    assert budget.updated_at == datetime(2031, 3, 4, 11, 0, tzinfo=UTC)
    assert budget.image_url == "https://www.northfield-gazette.example/img/budget.jpg"
    assert budget.key == budget.url
    assert rowing.published_at == datetime(2031, 3, 4, tzinfo=UTC)
    assert not budget.has_full_text


def test_plain_sitemap_uses_lastmod_and_skips_empty_locations() -> None:
    parsed = _parse("sitemap.xml", "https://www.northfield-gazette.example/sitemap.xml")
    assert parsed.kind == "sitemap"
    assert [e.url for e in parsed.entries] == [
        "https://www.northfield-gazette.example/about",
        "https://www.northfield-gazette.example/culture/2031/03/03/opera-season",
    ]
    assert parsed.entries[1].updated_at == datetime(2031, 3, 3, 17, 45, tzinfo=UTC)


def test_sitemap_index_lists_child_sitemaps() -> None:
    parsed = _parse("sitemap-index.xml", "https://www.northfield-gazette.example/sitemap.xml")
    assert parsed.kind == "sitemapindex"
    assert [(e.url, e.updated_at) for e in parsed.entries] == [
        (
            "https://www.northfield-gazette.example/sitemaps/news.xml",
            datetime(2031, 3, 4, 11, 0, tzinfo=UTC),
        ),
        ("https://www.northfield-gazette.example/sitemaps/2031-03.xml", None),
    ]


def test_fingerprint_changes_with_the_item_and_only_then() -> None:
    feed = (FEEDS / "rss20.xml").read_bytes()
    url = "https://www.harbourtown-courier.example/feed/"
    before = _by_key(parse_feed(feed, url=url))["courier-4471"]
    same = _by_key(parse_feed(feed, url=url))["courier-4471"]
    edited = feed.replace(b"nine stops", b"ten stops")
    after = _by_key(parse_feed(edited, url=url))["courier-4471"]
    assert before.fingerprint == same.fingerprint
    assert len(before.fingerprint) == 64
    assert after.fingerprint != before.fingerprint
    assert after.key == before.key


@pytest.mark.parametrize(
    ("content", "summary", "full"),
    [
        ("\n\n".join(["A paragraph of a complete story, told in full here."] * 12), None, True),
        ("x" * 1300, None, True),
        (None, "A one-line teaser.", False),
        (None, "First paragraph.\n\nSecond.\n\nThird.", False),  # three, but very short
        (
            "\n\n".join(["Opening lines of a long story that stops half-way."] * 30) + " […]",
            None,
            False,
        ),
        (
            "\n\n".join(["Opening lines of a long story."] * 40) + "\n\nContinue reading",
            None,
            False,
        ),
    ],
)
def test_has_full_text(content: str | None, summary: str | None, full: bool) -> None:
    entry = FeedEntry(key="k", url=None, title="t", summary=summary, content=content)
    assert entry.has_full_text is full
