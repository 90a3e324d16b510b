"""Several readings of one page by trafilatura, each a candidate for the article.

trafilatura's settings trade recall for precision, and no single setting is best on every
page: its recall mode keeps paragraphs the default drops as boilerplate, its fallback
extractors (readability, jusText) rescue pages where its own rules find too little. Each
run here is one candidate; :func:`choose_candidate` picks among them.

Measured on the gold set (``quality/extraction.py``): recall mode without the fallback
extractors is the best single run, and the fallbacks help only on pages where it finds
little, so they run only then.

Images are left out of the runs (``include_images`` makes trafilatura keep a different,
worse set of paragraphs on some pages); figure captions are recognised from the page's
``<figcaption>`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document, use_config

from storyline.extract.blocks import read_blocks
from storyline.extract.page import PageFacts
from storyline.model import Block

_CONFIG = use_config()
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no signal handlers: we may run in threads
# A short page falls below trafilatura's minimum size and comes back flattened into one
# paragraph; without the minimum its headings, quotes and captions survive.
_SHORT_PAGE_CONFIG = use_config()
_SHORT_PAGE_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
_SHORT_PAGE_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
_KEEP_SHARE = 0.5


@dataclass(frozen=True)
class Candidate:
    """One run's result: its name and the body's blocks."""

    name: str
    blocks: tuple[Block, ...]

    @property
    def size(self) -> int:
        return sum(len(block.text) for block in self.blocks)


_PRIMARY = ("recall", True)  # (name, favor recall and skip the fallback extractors)
_FALLBACK = ("fallback", False)
# Characters: below this the primary run probably missed the article (trafilatura's own
# MIN_EXTRACTED_SIZE, where it turns to its fallbacks).
_SHORT_BODY = 250


def read_candidates(tree: HtmlElement, url: str | None, facts: PageFacts) -> list[Candidate]:
    """The primary run, and the fallback run when the primary found little or nothing."""
    found: list[Candidate] = []
    for name, recall_mode in (_PRIMARY, _FALLBACK):
        if found and found[0].size >= _SHORT_BODY:
            break
        document = _run(tree, url, recall_mode)
        if document is None or document.body is None:
            continue
        blocks = tuple(read_blocks(document.body, facts))
        if blocks:
            found.append(Candidate(name, blocks))
    return found


def choose_candidate(candidates: list[Candidate]) -> Candidate:
    """The primary run unless it fell short and another run found more text."""
    primary = candidates[0]
    if primary.size >= _SHORT_BODY:
        return primary
    return max(candidates, key=lambda candidate: candidate.size)


def restore_structure(
    chosen: Candidate, tree: HtmlElement, url: str | None, facts: PageFacts
) -> Candidate:
    """A flattened short page, run again without the minimum size; kept when it did not
    lose most of the text (then the flat rescue had found text the extractor missed)."""
    if len(chosen.blocks) > 1:
        return chosen
    document = _run(tree, url, True, _SHORT_PAGE_CONFIG)
    if document is None or document.body is None:
        return chosen
    structured = Candidate("short-page", tuple(read_blocks(document.body, facts)))
    return structured if structured.size >= _KEEP_SHARE * chosen.size else chosen


def _run(
    tree: HtmlElement, url: str | None, recall_mode: bool, config: Any = _CONFIG
) -> Document | None:
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        with_metadata=False,
        config=config,
        favor_recall=recall_mode,
        fast=recall_mode,
    )
    return document if isinstance(document, Document) else None
