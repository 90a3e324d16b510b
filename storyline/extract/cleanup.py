"""Boilerplate the engine keeps, removed block by block with general rules.

trafilatura keeps some page furniture that sits inside the article's container: the
headline and standfirst printed above the text (Storyline keeps them as the title and
description, not as body), share and print buttons, newsletter and follow-us appeals,
"Read more" and related-story links, copyright lines. Each rule here looks at one block's
wording, length, position and how much of it is the text of a link on the page; none is
keyed to a site.
"""

from __future__ import annotations

import re

from storyline.extract.page import PageFacts, normalize
from storyline.model import Block, BlockKind

_SHORT = 25  # words: furniture is short; a real paragraph that happens to match is not
_LEAD = 4  # blocks: how far from the top a repeated headline or standfirst can sit
_LINK_SHARE = 0.8
_BYLINE_WORDS = 12  # "By Jane Doe, transport correspondent, in Harrowgate"

_FURNITURE = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?|print(?: article| this)?|"
    r"order reprints|share(?: this)?(?: article| story| on \w+)?|tweet|email|comments?|"
    r"\d* ?comments?|skip advert|continue reading|read more|related(?: articles?| stories)?|"
    r"more from \w+|most popular|trending|listen|watch|download|you may also like|"
    r"recommended(?: for you)?|don'?t miss|see more|top stories|thank you|"
    r"tags?|categor(?:y|ies)|image credit|photo credit|story continues below)\b[\W\d]*$",
    re.IGNORECASE,
)
_APPEAL = re.compile(
    r"(?:sign up (?:for|to) (?:our|the) (?:\w+ )?(?:newsletter|email)|subscribe|newsletter|"
    r"follow (?:us|him|her|them)\b|follow \S+ on (?:twitter|facebook|instagram)|like us on|"
    r"all rights reserved|copyright|©|"
    r"get (?:the|our) (?:latest|free)|click here|download (?:the|our) app|"
    r"(?:write|email|e-mail) (?:to )?(?:the )?(?:author|writer|reporter|us)|"
    r"contributed to this report|has been sent to|an error has occurred|"
    r"for your personal, non-commercial use|reprints?\b)",
    re.IGNORECASE,
)
_LINK_LABEL = re.compile(
    r"^(?:read (?:more|also|next)|related|see (?:also|more)|more|also read|watch|"
    r"recommended|don'?t miss|opinion|listen)\s*[:|»>\-–—]",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"\b(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{1,2}:\d{2}|jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|oct|nov|dec|january|february|march|april|june|july|august|september|october|"
    r"november|december|published|updated|posted|publicado|veröffentlicht|publié)\w*",
    re.IGNORECASE,
)


def remove_boilerplate(
    blocks: tuple[Block, ...],
    facts: PageFacts,
    title: str | None,
    description: str | None,
    byline: str | None,
) -> list[Block]:
    """``blocks`` without the furniture; order and kinds of the rest are unchanged."""
    kept = _drop_repeated_lead(list(blocks), title, description, byline)
    kept = [block for block in kept if not _is_furniture(block)]
    kept = _drop_link_runs(kept, facts)
    return _drop_lead_datelines(kept)


def _words(text: str) -> int:
    return len(text.split())


def _drop_repeated_lead(
    blocks: list[Block], title: str | None, description: str | None, byline: str | None
) -> list[Block]:
    """Headline, standfirst and byline printed above the text: already in the metadata."""
    title_key = normalize(title or "")
    description_key = normalize(description or "")
    byline_key = normalize(byline or "")
    kept = []
    for position, block in enumerate(blocks):
        key = normalize(block.text)
        if position < _LEAD and key:
            if title_key and (key == title_key or _is_title_variant(key, title_key)):
                continue
            # A standfirst set as a heading; as a paragraph it is usually the lead itself.
            if block.kind is BlockKind.HEADING and key == description_key:
                continue
            if byline_key and _words(block.text) <= _BYLINE_WORDS and byline_key in key:
                continue
        kept.append(block)
    return kept


def _is_title_variant(key: str, title_key: str) -> bool:
    """A headline the page's ``<title>`` extends with the site name, or shortens."""
    shorter, longer = sorted((key, title_key), key=len)
    return len(shorter) >= 0.6 * len(longer) and longer.startswith(shorter)


def _is_furniture(block: Block) -> bool:
    text = block.text.strip()
    if _words(text) > _SHORT:
        return False
    return bool(_FURNITURE.match(text) or _APPEAL.search(text))


def _link_share(text: str, facts: PageFacts) -> float:
    key = normalize(text)
    if not key:
        return 0.0
    covered = sum(len(link) for link in facts.link_texts if link in key)
    return min(1.0, covered / len(key))


def _drop_link_runs(blocks: list[Block], facts: PageFacts) -> list[Block]:
    """Short blocks that are a link's text: related stories, "Read more: ..." lines.

    One linked line inside the text may be a sentence that happens to be a link; several
    in a row, or one closing the text, are a list of other stories.
    """
    kept = []
    for position, block in enumerate(blocks):
        text = block.text
        if block.kind is not BlockKind.CAPTION and _words(text) <= _SHORT:
            linked = _link_share(text, facts) >= _LINK_SHARE
            labelled = bool(_LINK_LABEL.match(text))
            neighbours = [
                blocks[i]
                for i in (position - 1, position + 1)
                if 0 <= i < len(blocks) and _words(blocks[i].text) <= _SHORT
            ]
            # A lone link line closing the text is a teaser for another story, too.
            in_run = position == len(blocks) - 1 or any(
                _link_share(n.text, facts) >= _LINK_SHARE for n in neighbours
            )
            if labelled or (linked and in_run):
                continue
        kept.append(block)
    return kept


def _drop_lead_datelines(blocks: list[Block]) -> list[Block]:
    """Date, time and byline lines printed above the first paragraph."""
    kept = []
    for position, block in enumerate(blocks):
        if position < _LEAD and _words(block.text) <= 15 and _is_dateline(block.text):
            continue
        kept.append(block)
    return kept


def _is_dateline(text: str) -> bool:
    words = text.split()
    dated = len(_DATE_WORDS.findall(text))
    return dated >= 1 and (dated + sum(w.isdigit() for w in words)) >= 0.3 * len(words)
