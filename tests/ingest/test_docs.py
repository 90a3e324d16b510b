"""The examples in ``docs/import-formats.md`` parse as the document says they do."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from storyline.ingest.aggregator import parse_aggregator_page
from storyline.ingest.formats import ImportFormat, detect_format
from storyline.ingest.jsonlines import parse_json_lines
from storyline.ingest.plaintext import parse_plain_article
from storyline.ingest.webpage import parse_html_page
from storyline.model import BlockKind
from tests.conftest import REPO

AS_OF = datetime(2025, 6, 8, 15, 0, tzinfo=UTC)


def _examples() -> dict[str, list[str]]:
    text = (REPO / "docs" / "import-formats.md").read_text(encoding="utf-8")
    examples: dict[str, list[str]] = {}
    for language, body in re.findall(r"```(\w*)\n(.*?)```", text, re.DOTALL):
        examples.setdefault(language or "text", []).append(body)
    return examples


def test_the_html_example() -> None:
    (html,) = _examples()["html"]
    assert detect_format(Path("page.html"), html) is ImportFormat.HTML
    draft = parse_html_page(html, as_of=AS_OF, outlet=None)
    assert draft.outlet == "The Harbor Ledger"
    assert draft.url == "https://harborledger.example/news/ferry"
    assert {BlockKind.HEADING, BlockKind.BLOCKQUOTE, BlockKind.CAPTION} <= {
        b.kind for b in draft.blocks
    }


def test_the_json_lines_example() -> None:
    (jsonl,) = _examples()["json"]
    lines = list(parse_json_lines(jsonl))
    assert [line.error for line in lines] == [None, None]


def test_the_plain_text_examples() -> None:
    texts = _examples()["text"]
    plain = next(t for t in texts if t.startswith("Elmstead bell tower"))
    assert detect_format(Path("story.txt"), plain) is ImportFormat.PLAIN_TEXT
    draft = parse_plain_article(plain, as_of=AS_OF, outlet=None)
    assert draft.outlet == "Valley Signal"
    assert draft.published_at == datetime(2025, 5, 30, tzinfo=UTC)

    page = next(t for t in texts if t.startswith("Marrowfield council"))
    assert detect_format(Path("page.txt"), page) is ImportFormat.AGGREGATOR
    drafts = parse_aggregator_page(page, as_of=AS_OF, outlet=None)
    assert [d.outlet for d in drafts] == [
        "Marrowfield Courier",
        "Valley Signal",
        "Northgate Herald",
    ]
