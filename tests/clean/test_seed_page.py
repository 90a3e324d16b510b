"""The seed page (``../shared/seed``, read in place) cleaned article by article.

Nothing of the page is written here: what must be removed is found in the raw page with
simple structural rules of this test (the line that starts "Read also:", a sentence
repeated back to back, the lines between the "Hashtags" and "Related Articles" labels),
written independently of the cleaning code, and every removal is listed with its reason
so that a failure says which one went wrong.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.clean import clean_article, split_sentences
from storyline.ingest.aggregator import parse_aggregator_page
from storyline.model import ArticleDraft, Block, BlockKind

HEADINGS = ["Why It Matters", "What To Know", "What People Are Saying", "What Happens Next"]
# A caption repeated back to back: a sentence, a space, the same sentence.
_DOUBLED = re.compile(r"(?<=[.\"'] )(?P<caption>[A-Z][^\"]{30,300}?\.) (?P=caption)(?= )")
# A caption followed by a copy cut off before its last word, running into lower-case text.
_CUT_OFF = re.compile(
    r"(?<=[.\"'] )(?P<prefix>[A-Z][^\"]{60,300}?)(?P<last> \S{1,12}\.) (?P=prefix) (?=[a-z])"
)
_CREDIT_BEFORE_HEADING = re.compile(rf" (?P<credit>[^.]{{5,80}}?) (?={'|'.join(HEADINGS)})")


@dataclass
class _Expected:
    """What cleaning one draft must give, worked out from the raw page."""

    draft: ArticleDraft
    sentences: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def _paragraph_draft(title: str, texts: list[str]) -> ArticleDraft:
    blocks = tuple(Block(BlockKind.PARAGRAPH, text) for text in texts if text.strip())
    return ArticleDraft(title=title, blocks=blocks)


def _split_page(seed_page: Path) -> tuple[ArticleDraft, list[ArticleDraft]]:
    """The page split as a parser would: the main article's lines (through the site's own
    labels, which must be cleaned away) as paragraphs, each related entry's text line as
    one paragraph."""
    lines = seed_page.read_text(encoding="utf-8").splitlines()
    related = lines.index("Related Articles")
    main = _paragraph_draft(lines[0], lines[1 : related + 1])
    entries = [
        _paragraph_draft(lines[index + 1], [lines[index + 2]])
        for index in range(related, len(lines) - 2)
        if lines[index].startswith("- ")
    ]
    return main, entries


def _expected_main(draft: ArticleDraft) -> _Expected:
    expected = _Expected(draft)
    texts = [block.text for block in draft.blocks]
    hashtags = texts.index("Hashtags")
    for text in texts[hashtags:]:
        expected.removed.append(("host-site chrome", text))
    kept = []
    for text in texts[:hashtags]:
        if text.startswith("Read also: "):
            expected.links.append(text.removeprefix("Read also: "))
            expected.removed.append(("read-also line", text))
        elif "Consider supporting" in text:
            expected.removed.append(("outlet appeal", text))
        elif text.endswith(".'") and any(
            other.startswith(text[:-2] + ",'") for other in texts[:hashtags]
        ):
            expected.removed.append(("bare copy of an attributed quote", text))
        else:
            kept.append(text)
    assert len(expected.removed) == len(texts) - hashtags + 3, expected.removed
    expected.sentences = [s for text in kept for s in split_sentences(text)]
    return expected


def _expected_entry(draft: ArticleDraft) -> _Expected:
    expected = _Expected(draft)
    (text,) = [block.text for block in draft.blocks]
    first = split_sentences(text)[0]
    if first.startswith("Based on facts"):
        expected.removed.append(("fact-check label", first))
        text = text.replace(first, " ", 1)
    for pattern in (r"\S+ AI is in beta\.", r"Translations may contain inaccuracies[^.]*\."):
        for match in re.finditer(pattern, text):
            expected.removed.append(("AI or translation disclaimer", match.group()))
        text = re.sub(pattern, " ", text)
    for match in _CUT_OFF.finditer(text):
        caption = match["prefix"] + match["last"]
        expected.captions.append(caption)
        expected.removed.append(("cut-off caption copy", f"{caption} {match['prefix']} "))
    text = _CUT_OFF.sub("\n", text)
    for match in _DOUBLED.finditer(text):
        after = text[match.end() :]
        credit = _CREDIT_BEFORE_HEADING.match(after)
        caption = f"{match['caption']} {credit['credit']}" if credit else match["caption"]
        expected.captions.append(caption)
        expected.removed.append(("repeated caption", match.group()))
        if credit:
            expected.removed.append(("photo credit", credit["credit"]))
    text = _DOUBLED.sub("\n", text)
    for credit in (item for reason, item in expected.removed if reason == "photo credit"):
        text = text.replace(f"\n {credit} ", "\n", 1)
    for heading in HEADINGS:
        if re.search(rf"[ \n]{heading} ", text):
            expected.headings.append(heading)
            text = re.sub(rf"[ \n]{heading} ", "\n", text, count=1)
    # Captions and headings end the running text around them: split each piece on its own.
    pieces = [" ".join(piece.split()) for piece in text.split("\n")]
    expected.sentences = [sentence for piece in pieces for sentence in split_sentences(piece)]
    return expected


def _paragraph_sentences(draft: ArticleDraft) -> list[str]:
    return [
        sentence
        for block in draft.blocks
        if block.kind is BlockKind.PARAGRAPH
        for sentence in split_sentences(block.text)
    ]


def _check(expected: _Expected) -> None:
    cleaned = clean_article(expected.draft)
    body = cleaned.text
    running = "\n\n".join(b.text for b in cleaned.blocks if b.kind is not BlockKind.CAPTION)
    for reason, text in expected.removed:
        # A credit stays with its caption; everything else is gone from the whole body.
        assert text not in (running if reason == "photo credit" else body), (
            f"{reason} was not removed: {text!r}"
        )
    for caption in expected.captions:
        assert body.count(caption) == 1, f"caption not kept exactly once: {caption!r}"
        matching = [block for block in cleaned.blocks if block.text == caption]
        assert [block.kind for block in matching] == [BlockKind.CAPTION], caption
    assert [b.text for b in cleaned.blocks if b.kind is BlockKind.HEADING] == expected.headings
    assert [(link.kind, link.text, link.url) for link in cleaned.links] == [
        ("read-also", text, None) for text in expected.links
    ]
    found = Counter(_paragraph_sentences(cleaned))
    lost = [s for s in expected.sentences if found[s] == 0]
    repeated = [s for s in expected.sentences if found[s] > 1]
    extra = [s for s in found if s not in expected.sentences]
    assert (lost, repeated, extra) == ([], [], []), "lost / repeated / unexpected sentences"
    assert len(expected.sentences) == len(set(expected.sentences))


def test_the_main_article(seed_page: Path) -> None:
    main, _ = _split_page(seed_page)
    expected = _expected_main(main)
    assert len(expected.sentences) > 50
    assert [reason for reason, _ in expected.removed if reason != "host-site chrome"] == [
        "bare copy of an attributed quote",
        "read-also line",
        "outlet appeal",
    ]
    _check(expected)


def test_the_related_entries(seed_page: Path) -> None:
    _, entries = _split_page(seed_page)
    assert len(entries) == 3
    for entry in entries:
        _check(_expected_entry(entry))


def test_the_entry_with_labels_captions_and_headings(seed_page: Path) -> None:
    """The third entry carries every kind of noise: check the test found all of it."""
    _, entries = _split_page(seed_page)
    expected = _expected_entry(entries[2])
    assert expected.headings == HEADINGS
    assert len(expected.captions) == 3
    assert sorted({reason for reason, _ in expected.removed}) == [
        "AI or translation disclaimer",
        "cut-off caption copy",
        "fact-check label",
        "photo credit",
        "repeated caption",
    ]
    assert [c.endswith("Getty Images") for c in expected.captions] == [False, True, True]
    cleaned = clean_article(expected.draft)
    kinds = [block.kind for block in cleaned.blocks]
    assert kinds.count(BlockKind.CAPTION) == 3
    # The sentence the cut-off copy ran into follows the caption, as running text.
    texts = [block.text for block in cleaned.blocks]
    after_cut = cleaned.blocks[texts.index(expected.captions[0]) + 1]
    assert after_cut.kind is BlockKind.PARAGRAPH
    assert after_cut.text[0].islower()


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_drafts_from_the_real_parser_clean_the_same(seed_page: Path, index: int) -> None:
    main, entries = _split_page(seed_page)
    ours = [main, *entries][index]
    text = seed_page.read_text(encoding="utf-8")
    parsed = parse_aggregator_page(text, as_of=datetime(2025, 6, 8, 15, tzinfo=UTC), outlet=None)
    assert clean_article(parsed[index]).blocks == clean_article(ours).blocks
