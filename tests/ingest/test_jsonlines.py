"""JSON Lines: one article per line, each line checked on its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from storyline.ingest.errors import ParseError
from storyline.ingest.jsonlines import parse_json_line, parse_json_lines
from storyline.model import BlockKind, Link
from tests.conftest import FIXTURES

GOOD: dict[str, Any] = {
    "url": "https://valleysignal.example/news/ferry",
    "title": "Ferry fares frozen",
    "text": "Fares stay as they are.\n\nThe council will look again in spring.",
    "outlet": "Valley Signal",
    "published_at": "2025-05-14T10:00:00+02:00",
}


def _line(**changes: Any) -> str:
    record = {**GOOD, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...})


def test_the_fixture_file() -> None:
    text = (FIXTURES / "ingest" / "articles.jsonl").read_text(encoding="utf-8")
    lines = list(parse_json_lines(text))
    assert [line.number for line in lines] == [1, 2, 3, 4]
    first, second, third, bad = lines
    assert first.draft is not None and first.guid == "nh-4471"
    assert first.draft.byline == "Tomas Ferrell" and first.draft.language == "en"
    assert first.draft.published_at == datetime(2025, 5, 12, 6, 15, tzinfo=UTC)
    assert len(first.draft.blocks) == 2
    # No blank lines: single newlines separate the paragraphs.
    assert second.draft is not None and len(second.draft.blocks) == 2
    assert third.draft is not None
    assert [b.kind for b in third.draft.blocks] == [
        BlockKind.PARAGRAPH,
        BlockKind.HEADING,
        BlockKind.BLOCKQUOTE,
        BlockKind.PARAGRAPH,
    ]
    assert third.draft.published_at == datetime(2025, 5, 15, tzinfo=UTC)
    assert third.draft.image_url == "https://coastlinewire.example/img/lighthouse.jpg"
    assert third.draft.links == (
        Link(
            "Read also: Port Verrin harbour gets a new pilot boat",
            "https://coastlinewire.example/story/pilot-boat",
            "read-also",
        ),
    )
    assert bad.draft is None and bad.error == "missing field published_at"


def test_blank_lines_are_skipped_but_counted() -> None:
    lines = list(parse_json_lines("\n" + _line() + "\n\n" + _line(title="Second") + "\n"))
    assert [line.number for line in lines] == [2, 4]


def test_a_good_line() -> None:
    draft, guid = parse_json_line(_line(guid=17, site_name="Signal", byline="Ana Pell"))
    assert guid == "17"
    assert draft.title == "Ferry fares frozen"
    assert draft.outlet == "Valley Signal"
    assert draft.url == "https://valleysignal.example/news/ferry"
    assert draft.published_at == datetime(2025, 5, 14, 8, 0, tzinfo=UTC)
    assert draft.site_name == "Signal" and draft.byline == "Ana Pell"
    assert draft.text == "Fares stay as they are.\n\nThe council will look again in spring."


def test_a_naive_time_is_utc() -> None:
    draft, _ = parse_json_line(_line(published_at="2025-05-14T10:00:00"))
    assert draft.published_at == datetime(2025, 5, 14, 10, 0, tzinfo=UTC)


def test_blocks_stand_in_for_text() -> None:
    blocks = [{"kind": "heading", "text": "Fares"}, {"text": "Fares stay."}]
    draft, _ = parse_json_line(_line(text=..., blocks=blocks))
    assert [(b.kind, b.text) for b in draft.blocks] == [
        (BlockKind.HEADING, "Fares"),
        (BlockKind.PARAGRAPH, "Fares stay."),
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object but a list"),
        (_line(title=...), "missing field title"),
        (_line(title=..., outlet=...), "missing fields title, outlet"),
        (_line(published_at="last Tuesday"), "published_at 'last Tuesday' is not an ISO-8601"),
        (_line(published_at=1715680000), "published_at must be an ISO-8601 string"),
        (_line(url="/news/ferry"), "is not an absolute http(s) URL"),
        (_line(title="   "), "title is empty"),
        (_line(outlet=None), "outlet must be a string, not null"),
        (_line(text="\n\n"), "text is empty"),
        (_line(blocks=[{"kind": "sidebar", "text": "x"}]), "blocks[0].kind 'sidebar'"),
        (_line(blocks="text"), "blocks must be a list"),
        (_line(links=[{"url": "https://a.example/"}]), 'links[0] must be an object with a "text"'),
        (_line(links=[{"text": "x", "url": "ftp://a"}]), "links[0].url must be an absolute"),
        (_line(guid=[1]), "guid must be a string"),
    ],
)
def test_bad_lines_say_why(line: str, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_json_line(line)
    assert reason in str(caught.value)


def test_a_bad_line_does_not_stop_the_others() -> None:
    lines = list(parse_json_lines("\n".join([_line(), "{oops", _line(title="Third")])))
    assert [line.error is None for line in lines] == [True, False, True]
    assert lines[1].number == 2 and lines[1].error is not None
    assert lines[1].error.startswith("not JSON")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"language": "english please"}, "is not a language tag"),
        ({"outlet": "Valley Signal " * 20}, "outlet is longer than 200 characters"),
        ({"links": [{"text": "x", "kind": "k" * 21}]}, "links[0].kind must be a string of 1 to 20"),
    ],
)
def test_values_the_store_cannot_hold_are_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_json_line(_line(**changes))
    assert reason in str(caught.value)


def test_language_tags_with_regions_are_kept() -> None:
    draft, _ = parse_json_line(_line(language="pt-BR"))
    assert draft.language == "pt-BR"


def test_json_nested_too_deeply_is_a_bad_line() -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_json_line("[" * 100_000 + "]" * 100_000)
