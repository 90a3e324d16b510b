"""Claims a story's sources disagree on: the records, and who a claim is attributed to.

A :class:`Disagreement` sets :class:`Side` against side, each with the sentences it comes
from (:class:`ClaimSource`). Three kinds are found:

* ``figures`` (:mod:`storyline.stories.digest_figures`): different numbers for one
  quantity ("23 drones shot down" and "19 drones shot down");
* ``denial`` (:mod:`storyline.stories.digest_assertions`): an assertion and its denial;
* ``unverified``: a claim the reporting outlet says it could not verify.

A claim's *party* is whom the article attributes it to: the speaker of the quote that
holds it, else the "according to …" of its sentence; ``None`` is the outlet's own word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storyline.stories.digest_text import content_words, without_dateline
from storyline.stories.digest_types import ArticleId, DigestArticle, outlets_of

_ACCORDING = re.compile(r"\baccording to (?:the )?([^,.;]{2,60})", re.IGNORECASE)


@dataclass(frozen=True)
class ClaimSource:
    """A claim as one article makes it.

    ``start``/``end`` delimit the sentence ``sentence`` (a wire dateline left out);
    ``span_start``/``span_end`` the part that matters (the figure, the denied words, the
    flag "could not be verified").
    """

    article_id: ArticleId
    outlet: str
    party: str | None
    sentence: str
    start: int
    end: int
    span_start: int
    span_end: int
    published_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "outlet": self.outlet,
            "party": self.party,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "span_start": self.span_start,
            "span_end": self.span_end,
        }


@dataclass(frozen=True)
class Side:
    """One position: ``stance`` is the figure as written ("at least four"), or
    ``asserted``/``denied``, or ``claimed``/``not verified``."""

    stance: str
    sources: tuple[ClaimSource, ...]

    @property
    def parties(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.party for s in self.sources if s.party))

    @property
    def outlets(self) -> tuple[str, ...]:
        return outlets_of(self.sources)

    def to_json(self) -> dict[str, Any]:
        return {
            "stance": self.stance,
            "parties": list(self.parties),
            "outlets": list(self.outlets),
            "sources": [source.to_json() for source in self.sources],
        }


@dataclass(frozen=True)
class Disagreement:
    """Claims that cannot all be true, side by side. ``subject`` says what they are about:
    the quantity ("drones shot down"), the denied assertion, or the unverified claim."""

    kind: str  # "figures", "denial" or "unverified"
    subject: str
    sides: tuple[Side, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "sides": [side.to_json() for side in self.sides],
        }


def party_at(article: DigestArticle, start: int, end: int, sentence: tuple[int, int]) -> str | None:
    """Whom ``article`` attributes ``text[start:end]`` to (see the module docstring)."""
    for quote in article.quotes:
        if quote.speaker and quote.start <= start and end <= quote.end:
            return quote.speaker
    found = _ACCORDING.search(article.text, sentence[0], sentence[1])
    if found:
        return found.group(1).strip()
    return None


def speaker_within(
    article: DigestArticle, sentence: tuple[int, int], words: frozenset[str] | None = None
) -> str | None:
    """The speaker of the first quote inside ``sentence`` (sharing two of ``words``, if
    given): whom a sentence that reports a claim attributes it to."""
    for quote in article.quotes:
        if not quote.speaker or not (sentence[0] <= quote.start and quote.end <= sentence[1]):
            continue
        if words is None or len(words & set(content_words(quote.text))) >= 2:
            return quote.speaker
    return None


def claim_source(
    article: DigestArticle, sentence: tuple[int, int], span: tuple[int, int], party: str | None
) -> ClaimSource:
    start = without_dateline(article.text, *sentence)
    return ClaimSource(
        article_id=article.article_id,
        outlet=article.outlet,
        party=party,
        sentence=article.text[start : sentence[1]],
        start=start,
        end=sentence[1],
        span_start=span[0],
        span_end=span[1],
        published_at=article.published_at,
    )
