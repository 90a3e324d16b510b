"""Metadata: Storyline's reading gives trafilatura's values for every field it keeps."""

from __future__ import annotations

from copy import deepcopy

import pytest
from trafilatura.metadata import extract_metadata

from storyline.extract.metadata import DATE_FORMAT, _read_fields
from storyline.extract.page import parse_page
from tests.conftest import FIXTURES

URL = "https://ledger.example/news/2031/05/06/quay-works"
PROSE = "<p>The Brisk Quay works start on Monday and will close one lane for three weeks.</p>"
PAGES = {
    "fixture article": (FIXTURES / "extract" / "article.html").read_text(encoding="utf-8"),
    "byline only in the body": (
        "<html><head><title>Quay works begin - Valemouth Ledger</title></head><body><article>"
        '<h1>Quay works begin</h1><p class="byline">By <span class="author">Ines Varga</span>'
        f"</p><time>6 May 2031</time>{PROSE}</article></body></html>"
    ),
    "one-word author, handle as site name": (
        '<html><head><meta name="author" content="ledgerdesk">'
        '<meta name="twitter:site" content="@valemouthledger">'
        '<meta name="description" content="  Lane closures   for three weeks. ">'
        f"</head><body>{PROSE}</body></html>"
    ),
    "JSON-LD only": (
        '<html><head><script type="application/ld+json">{"@context": "https://schema.org",'
        '"@type": "NewsArticle",'
        '"headline": "Quay works begin", "datePublished": "2031-05-06T07:45:00Z",'
        '"author": {"@type": "Person", "name": "Tomas Reyl"},'
        '"publisher": {"@type": "Organization", "name": "Valemouth Ledger"}}</script>'
        f"</head><body>{PROSE}</body></html>"
    ),
    "broken JSON-LD": (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Quay works begin", "author": </script>'
        f"</head><body>{PROSE}</body></html>"
    ),
    "nothing declared": f"<html><body>{PROSE}</body></html>",
}
FIELDS = ("title", "author", "date", "sitename", "image", "url", "description")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_fields_storyline_keeps_are_trafilaturas(name: str) -> None:
    tree = parse_page(PAGES[name])
    assert tree is not None
    date_config = {"original_date": True, "extensive_search": False, "outputformat": DATE_FORMAT}
    expected = extract_metadata(deepcopy(tree), URL, date_config, extensive=True)
    found = _read_fields(tree, URL)
    assert {f: getattr(found, f) for f in FIELDS} == {f: getattr(expected, f) for f in FIELDS}


def test_a_site_name_from_the_address_when_the_page_names_none() -> None:
    tree = parse_page(PAGES["nothing declared"])
    assert tree is not None
    assert _read_fields(tree, URL).sitename == "ledger.example"
