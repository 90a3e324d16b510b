"""The whole cleaning sequence on articles written for these tests (tests/fixtures/clean)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storyline.clean import clean_article
from storyline.model import ArticleDraft, Block, BlockKind, Link
from tests.clean.drafts import paragraphs
from tests.conftest import FIXTURES

P, H, C = BlockKind.PARAGRAPH, BlockKind.HEADING, BlockKind.CAPTION


def _fixture_draft(name: str) -> ArticleDraft:
    """A fixture read as a parser would: first line the outlet, then title, one paragraph a line."""
    lines = (FIXTURES / "clean" / name).read_text(encoding="utf-8").splitlines()
    outlet, title, *body = lines
    return ArticleDraft(
        title=title,
        blocks=paragraphs(*(line for line in body if line.strip())),
        outlet=outlet,
        url=f"https://news.example/{Path(name).stem}",
        published_at=datetime(2026, 9, 1, 8, 0, tzinfo=UTC),
    )


def _pairs(draft: ArticleDraft) -> list[tuple[BlockKind, str]]:
    return [(block.kind, block.text) for block in draft.blocks]


def test_a_paragraph_per_line_article() -> None:
    draft = _fixture_draft("ledger-article.txt")
    cleaned = clean_article(draft)
    expected = [block.text for block in draft.blocks][:7]
    expected.append(
        "The engineers' report is due at the end of September. "
        "The council has asked for it to be published in full."
    )
    expected.append(
        "The vote, if it goes ahead, would be the council's biggest spending decision since 2019."
    )
    assert _pairs(cleaned) == [(P, text) for text in expected]
    assert cleaned.links == (
        Link(text="Linden's old ferry makes its last crossing after 88 years", kind="read-also"),
    )


def test_an_aggregator_entry_run_into_one_paragraph() -> None:
    cleaned = clean_article(_fixture_draft("gazette-entry.txt"))
    assert _pairs(cleaned) == [
        (
            P,
            "Dockers in Port Averley voted on Friday to end a nine-day strike that had left 46 "
            "container ships waiting offshore, after the port authority agreed to a 7.5 percent "
            'pay rise. "We did not get everything, but we got enough to go back," said Marta '
            "Vell, who chairs the dockers' union.",
        ),
        (H, "Why It Matters"),
        (
            P,
            "The strike cut the town's exports by about a third, according to the regional "
            "chamber of commerce. Ferry passengers were not affected.",
        ),
        (
            C,
            "Dockers vote by a show of hands at the union hall in Port Averley on Friday. "
            "Jon Hale/Harbor Gazette",
        ),
        (H, "What To Know"),
        (
            P,
            "The port authority's chief executive, Ruben Sato, said the deal would cost about "
            "$3.2 million a year. He said the authority would raise its berthing fees to pay "
            "for it.",
        ),
        (
            C,
            "Container ships wait off the breakwater at Port Averley on Thursday, the eighth day "
            "of the strike, in Averley Bay.",
        ),
        (
            P,
            "port authority said the queue would take four days to clear. "
            "Sato thanked ships' crews for their patience.",
        ),
        (
            C,
            "Cranes at the east quay start moving again on Saturday morning. "
            "(Gazette Photo/Lina Ortiz)",
        ),
        (H, "What People Are Saying"),
        (
            P,
            'Marta Vell told the Gazette: "Our members showed that the harbour does not run '
            'without them." Ruben Sato said in a statement: "We are glad to see the cranes '
            'moving again."',
        ),
        (H, "What Happens Next"),
        (
            P,
            "The union said it would ballot members again in the spring if talks on shift "
            "patterns stall.",
        ),
    ]
    assert cleaned.links == ()


def test_metadata_is_kept_and_links_are_added_to_existing_ones() -> None:
    existing = Link(text="The council's agenda", url="https://news.example/agenda")
    draft = _fixture_draft("ledger-article.txt").with_changes(links=(existing,))
    cleaned = clean_article(draft)
    assert cleaned.links[0] == existing
    assert [link.kind for link in cleaned.links] == ["read-also", "read-also"]
    assert (cleaned.title, cleaned.outlet, cleaned.url, cleaned.published_at) == (
        draft.title,
        draft.outlet,
        draft.url,
        draft.published_at,
    )


def test_cleaning_twice_changes_nothing_more() -> None:
    for name in ("ledger-article.txt", "gazette-entry.txt"):
        once = clean_article(_fixture_draft(name))
        assert clean_article(once) == once


def test_blocks_that_are_already_typed_keep_their_kind() -> None:
    draft = ArticleDraft(
        title="Ferry",
        blocks=(
            Block(BlockKind.HEADING, "The last crossing"),
            Block(BlockKind.BLOCKQUOTE, "'It was my whole life,' the skipper said."),
            Block(BlockKind.PARAGRAPH, "  The   ferry made its last crossing.  "),
            Block(BlockKind.PARAGRAPH, " "),
        ),
    )
    assert _pairs(clean_article(draft)) == [
        (H, "The last crossing"),
        (BlockKind.BLOCKQUOTE, "'It was my whole life,' the skipper said."),
        (P, "The ferry made its last crossing."),
    ]
