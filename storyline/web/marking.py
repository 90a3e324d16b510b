"""What the article page adds to the article's view dict: marked-up body and grouped quotes.

The JSON twin stays the plain view dict; the page needs a little more of the same data:
each block's text with its entity mentions linked and its quotes anchored (``#q3``), the
quotes grouped by speaker for "Who's quoted", and the timeline pointing at its blocks.
All text is escaped here, since the marked-up body is handed to the template as markup.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from markupsafe import Markup, escape


def parse_span(value: str | None) -> tuple[int, int] | None:
    """``"120-245"`` (a citation's offsets, as links to a cited sentence carry them) as
    ``(120, 245)``; ``None`` for anything else."""
    if not value:
        return None
    found = re.fullmatch(r"(\d{1,9})-(\d{1,9})", value.strip())
    if found is None or int(found.group(1)) >= int(found.group(2)):
        return None
    return int(found.group(1)), int(found.group(2))


def article_page_context(
    detail: dict[str, Any], highlight: tuple[int, int] | None = None
) -> dict[str, Any]:
    """``detail`` plus ``marked_blocks``, ``speakers`` and ``timeline_items``;
    ``highlight`` is a span of the text shown marked (``<mark id="hl">``), the sentence a
    citation links to."""
    blocks = detail["blocks"]
    quotes = detail["quotes"]
    mentions = sorted(
        (m["start"], m["end"], entity["id"], entity["type"])
        for entity in detail["entities"]
        for m in entity["mentions"]
    )
    starts = [block["start"] for block in blocks]
    return {
        **detail,
        "marked_blocks": [
            {**block, "html": _mark_block(block, mentions, quotes, highlight)} for block in blocks
        ],
        "speakers": _speakers(quotes),
        "timeline_items": [
            {**event, "block": _block_at(blocks, starts, event["start"])}
            for event in detail["timeline"]
        ],
    }


def _block_at(blocks: Sequence[dict[str, Any]], starts: Sequence[int], offset: int) -> str | None:
    index = bisect_right(starts, offset) - 1
    return blocks[index]["id"] if index >= 0 else None


def _speakers(quotes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Quotes grouped by speaker, in order of each speaker's first quote."""
    groups: dict[Any, dict[str, Any]] = {}
    for number, quote in enumerate(quotes):
        key = quote["speaker_id"] or quote["speaker"] or ""
        group = groups.setdefault(
            key,
            {
                "speaker": quote["speaker"],
                "speaker_id": quote["speaker_id"],
                "role": None,
                "quotes": [],
            },
        )
        group["role"] = group["role"] or quote["role"]
        group["quotes"].append({**quote, "anchor": f"q{number}"})
    return list(groups.values())


def _mark_block(
    block: dict[str, Any],
    mentions: Sequence[tuple[int, int, int, str]],
    quotes: Sequence[dict[str, Any]],
    highlight: tuple[int, int] | None = None,
) -> Markup:
    """The block's text, escaped, with quotes in ``<span class="quote">`` and mentions linked.

    Quotes are the outer element and mentions the inner one; a mention that crosses a
    quote's edge is cut in two so the markup nests. The piece where a quote begins carries
    its anchor id. A highlighted span is the innermost element, ``<mark>``, its first
    piece carrying the id ``hl``.
    """
    start, end, text = block["start"], block["end"], block["text"]
    spans: list[tuple[int, int, str, Any]] = [
        (max(q["start"], start), min(q["end"], end), "quote", number)
        for number, q in enumerate(quotes)
        if q["start"] < end and start < q["end"]
    ]
    spans += [
        (max(s, start), min(e, end), "entity", (entity_id, kind))
        for s, e, entity_id, kind in mentions
        if s < end and start < e
    ]
    if highlight is not None and highlight[0] < end and start < highlight[1]:
        spans.append((max(highlight[0], start), min(highlight[1], end), "cited", None))
    if not spans:
        return Markup(escape(text))
    cuts = sorted({start, end, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    out: list[str] = []
    for left, right in pairwise(cuts):
        piece = str(escape(text[left - start : right - start]))
        quote = _active(spans, "quote", left)
        entity = _active(spans, "entity", left)
        if any(what == "cited" and s <= left < e for s, e, what, _ in spans):
            anchor = ' id="hl"' if highlight is not None and left == highlight[0] else ""
            piece = f'<mark class="cited"{anchor}>{piece}</mark>'
        if entity is not None:
            entity_id, kind = entity
            piece = (
                f'<a class="entity entity--{kind.lower()}" href="/entities/{entity_id}">{piece}</a>'
            )
        if quote is not None:
            # Only the piece where the quote begins carries its id, even over paragraphs.
            anchor = f' id="q{quote}"' if left == quotes[quote]["start"] else ""
            piece = f'<span class="quote"{anchor} data-quote="{quote}">{piece}</span>'
        out.append(piece)
    return Markup("".join(out))


def _active(spans: Sequence[tuple[int, int, str, Any]], kind: str, offset: int) -> Any:
    for s, e, what, value in spans:
        if what == kind and s <= offset < e:
            return value
    return None
