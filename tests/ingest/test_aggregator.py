"""Aggregator pages saved as text: the main article, then one article per related entry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.ingest.aggregator import find_related_section, parse_aggregator_page
from storyline.ingest.errors import ParseError
from tests.conftest import FIXTURES

AS_OF = datetime(2025, 10, 5, 12, 0, tzinfo=UTC)
PAGE = FIXTURES / "ingest" / "aggregator-page.txt"


def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_the_fixture_page_yields_the_main_article_and_three_entries() -> None:
    drafts = parse_aggregator_page(_page(), as_of=AS_OF, outlet=None)
    assert [(d.title, d.outlet, d.published_at) for d in drafts] == [
        (
            "Marrowfield council votes to reopen the old tram line to Quarry Hill",
            "Marrowfield Courier",  # named by the appeal at the end of the article
            None,
        ),
        (
            "Harvest fair in Elmstead draws record crowd despite the rain",
            "Valley Signal",
            datetime(2025, 10, 5, 11, 15, tzinfo=UTC),
        ),
        (
            "Northgate library to open on Sundays from next month",
            "Northgate Herald",
            datetime(2025, 10, 4, 12, 0, tzinfo=UTC),
        ),
        (
            "Fishing fleet stays in harbour as autumn gales reach the coast",
            "Coastline Wire",
            # the relative time wins over the entry's dateline (Oct. 2)
            datetime(2025, 10, 2, 12, 0, tzinfo=UTC),
        ),
    ]


def test_the_main_article_stops_before_the_site_sections() -> None:
    main = parse_aggregator_page(_page(), as_of=AS_OF, outlet=None)[0]
    texts = [b.text for b in main.blocks]
    assert texts[0].startswith("The Marrowfield town council voted")
    assert texts[-1].endswith("Consider supporting the Marrowfield Courier.")
    assert not any(t in {"Tags", "Share this story", "More Stories"} for t in texts)
    assert len(texts) == 8


def test_entries_keep_their_text_and_their_own_outlet() -> None:
    drafts = parse_aggregator_page(_page(), as_of=AS_OF, outlet="Daily Digest")
    assert drafts[0].outlet == "Daily Digest"
    assert [d.outlet for d in drafts[1:]] == ["Valley Signal", "Northgate Herald", "Coastline Wire"]
    library = drafts[2]
    assert len(library.blocks) == 2
    assert library.blocks[1].text.startswith("The longer hours are paid for")
    assert drafts[3].blocks[0].text.startswith("PORT VERRIN, Oct. 2 (Coastline Wire) --")


def test_a_dash_credit_that_is_a_byline() -> None:
    text = (
        "More from the valley\n\n"
        "Valley Signal\n2 hours ago\n- By Ana Pell\nElmstead ferry fares frozen\n"
        "Fares stay as they are.\n"
    )
    drafts = parse_aggregator_page(text, as_of=AS_OF, outlet=None)
    assert len(drafts) == 1  # nothing but the heading before the entries: no main article
    assert drafts[0].byline == "Ana Pell"
    assert drafts[0].outlet == "Valley Signal"


def test_the_seed_page_structure(seed_page: Path) -> None:
    drafts = parse_aggregator_page(
        seed_page.read_text(encoding="utf-8"),
        as_of=datetime(2025, 6, 8, 15, 0, tzinfo=UTC),
        outlet=None,
    )
    assert [d.outlet for d in drafts] == [
        "Kyiv Independent",
        "Los Angeles Times",
        "UPI",
        "Newsweek",
    ]
    assert all(len(d.blocks) >= 1 for d in drafts)


def test_a_plain_article_has_no_related_section() -> None:
    lines = (FIXTURES / "ingest" / "plain-article.txt").read_text(encoding="utf-8").split("\n")
    assert find_related_section(lines) is None
    with pytest.raises(ParseError):
        parse_aggregator_page("\n".join(lines), as_of=AS_OF, outlet=None)


def test_an_outlet_time_title_group_without_a_heading_is_not_a_section() -> None:
    text = "A story.\nIt has prose that ends in a sentence.\nValley Signal\n2 hours ago\nA title\n"
    assert find_related_section(text.split("\n")) is None
