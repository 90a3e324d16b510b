"""URL identity: the same article reached by two spellings of its address is one URL."""

from __future__ import annotations

import pytest

from storyline.feeds import canonicalize_url, find_canonical_link


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Scheme and host are case-insensitive; the path is not.
        ("HTTPS://News.Example.COM/World/Story", "https://news.example.com/World/Story"),
        # Default ports go, others stay.
        ("http://news.example:80/a", "http://news.example/a"),
        ("https://news.example:443/a", "https://news.example/a"),
        ("https://news.example:8443/a", "https://news.example:8443/a"),
        # Fragments go (a hash-bang route is the page, so it stays).
        ("https://news.example/a#comments", "https://news.example/a"),
        ("https://news.example/#!/story/9", "https://news.example/#!/story/9"),
        # Tracking parameters go, in any case; meaningful ones stay, sorted.
        ("https://news.example/a?utm_source=rss&utm_MEDIUM=feed", "https://news.example/a"),
        ("https://news.example/a?story=12&fbclid=AbC&id=7", "https://news.example/a?id=7&story=12"),
        ("https://news.example/a?p=3&gclid=x&mc_cid=1&mc_eid=2", "https://news.example/a?p=3"),
        ("https://news.example/a?igshid=1&_ga=2&yclid=3&msclkid=4", "https://news.example/a"),
        ("https://news.example/a?ref=home&ref_src=twsrc&cmpid=rss", "https://news.example/a"),
        ("https://news.example/a?ocid=x&smid=y&xtor=RSS-1&CMP=share", "https://news.example/a"),
        ("https://news.example/a?at_medium=RSS&at_campaign=KARANGA", "https://news.example/a"),
        ("https://news.example/a?b=2&a=1&a=0", "https://news.example/a?a=1&a=0&b=2"),
        # An empty query or a trailing "?" disappears; blank values are kept.
        ("https://news.example/a?", "https://news.example/a"),
        ("https://news.example/a?utm_source=x", "https://news.example/a"),
        ("https://news.example/search?q=", "https://news.example/search?q="),
        # Encoding: escapes upper-cased, unreserved characters decoded, others kept.
        ("https://news.example/%7eeditor/a%2fb", "https://news.example/~editor/a%2Fb"),
        ("https://news.example/a?q=tides+%26+winds", "https://news.example/a?q=tides+%26+winds"),
        (
            "https://news.example/café?ville=Genève",
            "https://news.example/caf%C3%A9?ville=Gen%C3%A8ve",
        ),
        # Internationalised hosts become punycode; a trailing dot goes.
        ("https://bücher.example./neu", "https://xn--bcher-kva.example/neu"),
        # Dot segments and empty paths.
        ("https://news.example/a/./b/../c", "https://news.example/a/c"),
        ("https://news.example", "https://news.example/"),
        # Session ids in the path or query.
        ("https://news.example/a;jsessionid=0A1B?id=2", "https://news.example/a?id=2"),
        ("https://news.example/a?PHPSESSID=abc&id=2", "https://news.example/a?id=2"),
        # Surrounding whitespace.
        ("  https://news.example/a \n", "https://news.example/a"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected
    assert canonicalize_url(expected) == expected  # already canonical: unchanged


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        (
            "/local/tram?utm_source=rss",
            "https://courier.example/feed/",
            "https://courier.example/local/tram",
        ),
        ("tram", "https://courier.example/local/", "https://courier.example/local/tram"),
        ("../tram", "https://courier.example/local/news/", "https://courier.example/local/tram"),
        (
            "//cdn.courier.example/a.jpg",
            "https://courier.example/",
            "https://cdn.courier.example/a.jpg",
        ),
        ("https://other.example/x", "https://courier.example/", "https://other.example/x"),
    ],
)
def test_canonicalize_url_resolves_against_a_base(url: str, base: str, expected: str) -> None:
    assert canonicalize_url(url, base=base) == expected


def test_a_relative_url_without_a_base_is_an_error() -> None:
    with pytest.raises(ValueError, match="not an absolute URL"):
        canonicalize_url("/local/tram")


def test_other_schemes_are_left_alone() -> None:
    assert canonicalize_url("MAILTO:desk@courier.example") == "mailto:desk@courier.example"


PAGE = "https://www.courier.example/local/2031/tram?utm_source=feed"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<link rel="canonical" href="/local/2031/tram?ref=home#top">',
            "https://www.courier.example/local/2031/tram",
        ),
        (
            '<meta property="og:url" content="https://www.courier.example/local/2031/tram">',
            "https://www.courier.example/local/2031/tram",
        ),
        (
            '<link rel="canonical" href="https://www.courier.example/a">'
            '<meta property="og:url" content="https://www.courier.example/b">',
            "https://www.courier.example/a",
        ),
        # A canonical that points every page at the home page is a site's mistake.
        (
            '<link rel="canonical" href="https://www.courier.example/">'
            '<meta property="og:url" content="https://www.courier.example/local/2031/tram">',
            "https://www.courier.example/local/2031/tram",
        ),
        ('<link rel="canonical" href="https://www.courier.example/">', None),
        ('<link rel="canonical" href="javascript:void(0)">', None),
        ('<link rel="canonical" href="  ">', None),
        ("", None),
    ],
)
def test_find_canonical_link(head: str, expected: str | None) -> None:
    html = f"<!DOCTYPE html><html><head>{head}</head><body><p>Text</p></body></html>"
    assert find_canonical_link(html, url=PAGE) == expected
    assert find_canonical_link(html.encode("utf-8"), url=PAGE) == expected


def test_find_canonical_link_uses_the_base_element() -> None:
    html = (
        b'<html><head><base href="https://m.courier.example/">'
        b'<link rel="canonical" href="x/1"></head></html>'
    )
    assert find_canonical_link(html, url=PAGE) == "https://m.courier.example/x/1"


def test_find_canonical_link_on_nothing() -> None:
    assert find_canonical_link(b"", url=PAGE) is None
