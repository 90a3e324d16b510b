"""The sentences the AI features read and cite.

A :class:`Passage` is one sentence of one article, with its offsets into the article's
``text`` so that anything built from it can cite it exactly. Sentences are cut by the
cleaning stage's splitter (:func:`storyline.stories.digest_text.sentences`), paragraph
breaks always cutting, and a wire dateline ("KYIV (Northgate Wire) —", "June 8 (UPI)
--") is left out of the sentence it opens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storyline.ai.types import Citation
from storyline.stories.digest_text import sentences, trim_span, without_dateline
from storyline.stories.digest_types import DigestArticle

# Shorter than this many words is a caption fragment or a heading, not a statement.
MIN_WORDS = 4
# A wire opener in mixed case, which the digest's all-capitals dateline rule leaves:
# "June 8 (UPI) --", "Kyiv, March 12 (Northgate Wire) —", or the bare "(Northgate Wire) —"
# a copy keeps when the place was cut.
_OPENER = re.compile(
    r"(?:(?:[A-Z][\w.'’ -]{0,30},\s*)?(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|[A-Z][\w.'’ -]{1,30}))?"
    r"\s*\([A-Z][^()\n]{1,39}\)\s*(?:--|[—–-])\s+"
)


@dataclass(frozen=True)
class Passage:
    """Sentence ``position`` of article ``article_id``: ``text == article.text[start:end]``.

    ``paragraph`` counts the paragraphs before it; ``index`` is the passage's place in
    the list :func:`passages` returned (the number an LLM prompt shows it under).
    """

    article_id: int
    start: int
    end: int
    text: str
    outlet: str
    published_at: datetime | None
    position: int
    paragraph: int
    index: int

    def citation(self) -> Citation:
        return Citation(self.article_id, self.start, self.end)


def article_passages(
    article: DigestArticle, first_index: int = 0, min_words: int = MIN_WORDS
) -> list[Passage]:
    """The sentences of one article in order; fragments under ``min_words`` are left out."""
    text = article.text
    out: list[Passage] = []
    position = 0
    for start, end in sentences(text):
        start = without_dateline(text, start, end)
        opener = _OPENER.match(text, start, end)
        if opener is not None and opener.end() < end:
            start = opener.end()
        start, end = trim_span(text, start, end)
        if end <= start or len(text[start:end].split()) < min_words:
            continue
        out.append(
            Passage(
                article_id=int(article.article_id),
                start=start,
                end=end,
                text=text[start:end],
                outlet=article.outlet,
                published_at=article.published_at,
                position=position,
                paragraph=text.count("\n\n", 0, start),
                index=first_index + len(out),
            )
        )
        position += 1
    return out


def passages(articles: Sequence[DigestArticle], min_words: int = MIN_WORDS) -> list[Passage]:
    """The sentences of every article, article by article, numbered from 0."""
    out: list[Passage] = []
    for article in articles:
        out.extend(article_passages(article, len(out), min_words))
    return out
