"""A story's digest: what its page shows, built from its articles and their analyses.

Pure: articles in (:class:`DigestArticle`, with the analysis the store keeps), a
:class:`StoryDigest` out; ``to_json()`` gives the plain dicts of the page's JSON twin.
Every item cites the article and the character offsets it comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storyline.stories.copies import Provenance
from storyline.stories.digest_assertions import denials, unverified_claims
from storyline.stories.digest_carriage import Carriage, find_copy_groups, story_carriage
from storyline.stories.digest_claims import ClaimSource, Disagreement, Side
from storyline.stories.digest_coverage import Coverage, coverage_svg, story_coverage
from storyline.stories.digest_figures import figure_disagreements
from storyline.stories.digest_quotes import QuoteItem, SpeakerQuotes, who_said_what
from storyline.stories.digest_text import Idf, content_words, cosine, sentences, without_dateline
from storyline.stories.digest_timeline import TimelineItem, merge_timeline
from storyline.stories.digest_types import (
    ArticleId,
    DigestArticle,
    DigestEntity,
    DigestEvent,
    DigestQuote,
    SourceRef,
    iso,
    published_order,
)

__all__ = [
    "ClaimSource",
    "Coverage",
    "DigestArticle",
    "DigestEntity",
    "DigestEvent",
    "DigestQuote",
    "Disagreement",
    "Gist",
    "QuoteItem",
    "Side",
    "SourceRef",
    "SpeakerQuotes",
    "StoryDigest",
    "TimelineItem",
    "build_digest",
    "coverage_svg",
]

# The gist is taken from the first sentences of each article, where news puts it.
LEAD_SENTENCES = 3
_GIST_WORDS = (8, 45)
# A later lead sentence must be this much more central to win over an earlier one.
_POSITION_PENALTY = 0.1
_TOP_HASHTAGS = 8


@dataclass(frozen=True)
class Gist:
    """The one-line gist: ``text`` is ``article``'s text from ``start`` to ``end``."""

    text: str
    article_id: ArticleId
    outlet: str
    start: int
    end: int
    centrality: float

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "article_id": self.article_id,
            "outlet": self.outlet,
            "start": self.start,
            "end": self.end,
            "centrality": round(self.centrality, 4),
        }


@dataclass(frozen=True)
class ArticleEntry:
    """One article in the story's list; ``carriage`` is its role (see ``Carriage``)."""

    article_id: ArticleId
    outlet: str
    url: str
    title: str
    published_at: datetime | None
    carriage: str

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "outlet": self.outlet,
            "url": self.url,
            "title": self.title,
            "published_at": iso(self.published_at),
            "carriage": self.carriage,
        }


@dataclass(frozen=True)
class StoryDigest:
    """Everything a story page shows, each item citing its sources."""

    title: str
    title_article_id: ArticleId | None
    gist: Gist | None
    timeline: tuple[TimelineItem, ...]
    speakers: tuple[SpeakerQuotes, ...]
    disagreements: tuple[Disagreement, ...]
    coverage: Coverage
    carriage: Carriage
    articles: tuple[ArticleEntry, ...]
    hashtags: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "title_article_id": self.title_article_id,
            "gist": self.gist.to_json() if self.gist else None,
            "timeline": [item.to_json() for item in self.timeline],
            "speakers": [speaker.to_json() for speaker in self.speakers],
            "disagreements": [d.to_json() for d in self.disagreements],
            "coverage": self.coverage.to_json(),
            "carriage": self.carriage.to_json(),
            "articles": [entry.to_json() for entry in self.articles],
            "hashtags": list(self.hashtags),
        }


def build_digest(
    articles: Sequence[DigestArticle], copy_groups: Sequence[Provenance] | None = None
) -> StoryDigest:
    """The digest of a story told by ``articles``.

    1. Carriage: ``copy_groups`` as the store found them, or, when ``None``, found among
       ``articles`` (:func:`~storyline.stories.digest_carriage.find_copy_groups`);
    2. title and gist: the headline and the lead sentence most central to the story:
       closest (TF-IDF cosine over stemmed content words) to all its texts, each carried
       text counted once however many outlets carried it;
    3. timeline: dated events merged across articles (:mod:`.digest_timeline`);
    4. who said what: speakers and their quotes merged across outlets
       (:mod:`.digest_quotes`);
    5. disagreements: differing figures (:mod:`.digest_figures`), denied assertions and
       unverified claims (:mod:`.digest_assertions`);
    6. coverage: articles per outlet per hour or day (:mod:`.digest_coverage`);
    7. the article list, by publication time, each with its carriage role.
    """
    ordered = sorted(articles, key=published_order)
    groups = find_copy_groups(ordered) if copy_groups is None else copy_groups
    carriage = story_carriage(ordered, groups)
    voices = _voices(ordered, carriage)
    title, title_id = _title(ordered, voices)
    disagreements = [
        *figure_disagreements(ordered),
        *denials(ordered),
        *unverified_claims(ordered),
    ]
    return StoryDigest(
        title=title,
        title_article_id=title_id,
        gist=_gist(ordered, voices),
        timeline=tuple(merge_timeline(ordered)),
        speakers=tuple(who_said_what(ordered)),
        disagreements=tuple(disagreements),
        coverage=story_coverage(ordered),
        carriage=carriage,
        articles=tuple(
            ArticleEntry(
                a.article_id,
                a.outlet,
                a.url,
                a.title,
                a.published_at,
                carriage.role_of(a.article_id),
            )
            for a in ordered
        ),
        hashtags=_hashtags(ordered),
    )


def _voices(articles: Sequence[DigestArticle], carriage: Carriage) -> list[list[str]]:
    """The content words of each distinct text: copies and rewrites count once."""
    carried = {
        str(ref.article_id)
        for story in carriage.carried
        for ref in (*story.copies, *story.rewrites, *story.updates)
    }
    return [content_words(a.text) for a in articles if str(a.article_id) not in carried]


def _title(
    articles: Sequence[DigestArticle], voices: Sequence[Sequence[str]]
) -> tuple[str, ArticleId | None]:
    titled = [a for a in articles if a.title.strip()]
    if not titled:
        return "", None
    idf = Idf(voices)
    texts = [idf.vector(words) for words in voices]
    best = max(
        titled,
        key=lambda a: (_centrality(idf.vector(content_words(a.title)), texts), -titled.index(a)),
    )
    return best.title.strip(), best.article_id


def _gist(articles: Sequence[DigestArticle], voices: Sequence[Sequence[str]]) -> Gist | None:
    idf = Idf(voices)
    texts = [idf.vector(words) for words in voices]
    best: Gist | None = None
    best_score = -1.0
    for article in articles:
        for position, (start, end) in enumerate(sentences(article.text)[:LEAD_SENTENCES]):
            start = without_dateline(article.text, start, end)
            text = article.text[start:end]
            if not _GIST_WORDS[0] <= len(text.split()) <= _GIST_WORDS[1] or text[0] in "\"“'‘":
                continue
            centrality = _centrality(idf.vector(content_words(text)), texts)
            score = centrality * (1 - _POSITION_PENALTY * position)
            if score > best_score:
                best_score = score
                best = Gist(text, article.article_id, article.outlet, start, end, centrality)
    return best


def _centrality(vector: dict[str, float], texts: Sequence[dict[str, float]]) -> float:
    return sum(cosine(vector, text) for text in texts) / len(texts) if texts else 0.0


def _hashtags(articles: Sequence[DigestArticle]) -> tuple[str, ...]:
    """The hashtags most of the story's outlets give it, most common first."""
    outlets: dict[str, set[str]] = {}
    rank: dict[str, int] = {}
    for article in articles:
        for position, tag in enumerate(article.hashtags):
            outlets.setdefault(tag, set()).add(article.outlet)
            rank[tag] = min(rank.get(tag, position), position)
    ranked = sorted(outlets, key=lambda tag: (-len(outlets[tag]), rank[tag], tag))
    return tuple(ranked[:_TOP_HASHTAGS])
