"""The offline summary: source sentences picked for a 2-4 sentence summary, and key points.

Extractive, so every summary sentence is a sentence of an article and cites exactly that
span (in a story, the same span in every article that carries it). News puts the gist of
an article first, and on CNN/DailyMail no centrality measure beats that: LexRank scores
9 ROUGE-1 points under the first three sentences, and in our own cross-validated trials
rankers over TF-IDF and embedding centrality, entity and figure density and the sentence
embedding itself, trained against the greedy oracle or per-sentence ROUGE, all scored
below them. So a sentence's summary score is its place in its article
(:func:`summary_scores`), less :attr:`Tuning.quote_penalty` places when it is a direct
quote (highlights restate, they rarely quote); in a story, plus a bonus that grows with
the outlets that report it (paraphrases included) and with its centrality to the story.
What lifts the summary above the first three sentences is how they are chosen
(:func:`choose_summary`): a sentence whose embedding is close to one already chosen is
passed over, and the summary stops at about :attr:`Tuning.budget` words rather than at a count,
so two long sentences or four short ones. And a sentence is shown trimmed to the span
that carries its news (:mod:`storyline.ai.compress`: a caption fused onto it, a caption
label, an opening "However, " or "According to X, ", a closing ", police said." go),
still an exact slice of its article; the shorter sentences let the budget take more. The
text shown gets back the capital and full stop a trim took away (:func:`shown`); the
citation is the exact span.

Measured by ``python quality/summaries.py`` on the 141 CNN/DailyMail articles (ROUGE F1
with stemming, ROUGE-L summary-level): lead-3 40.93 / 18.24 / 36.86, this summary
42.43 / 19.47 / 38.24, and the same when the tuning is cross-validated (every fold picks
the shipped tuning). Without the trimming: 42.06 / 19.11 / 37.75, cross-validated
41.82 / 18.90 / 37.51.

The embedding model is used sparingly, since each sentence costs some 10 ms on two busy
cores: only the sentences that reach the same-fact check of the summary, a story's best
:data:`STORY_POOL` candidates, and the key points' pool are embedded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from storyline.ai.compress import trimmed_groups
from storyline.ai.key_points import (
    SAME_FACT_COSINE,
    STORY_SAME_FACT_COSINE,
    choose_key_points,
)
from storyline.ai.sentence_groups import SentenceGroup, centralities, group_sentences
from storyline.ai.types import CitedSentence, Encoder, Vectors
from storyline.stories.digest_types import DigestArticle

MIN_SENTENCES = 2
MAX_SENTENCES = 4
# Story summary bonus per doubling of the outlets that report a sentence, in places.
SUPPORT_WEIGHT = 2.0
# Story summary bonus per unit of TF-IDF cosine to the whole story, in places.
CENTRALITY_WEIGHT = 4.0
# How many of a story's best candidates are embedded to catch paraphrases across outlets.
STORY_POOL = 12

# A direct quote: it opens with a quotation mark or follows "said:".
_QUOTE = re.compile(r"^[\"'‘“]|\b(?:said|says|added|explained|told \w+):\s*[\"'‘“]")
# The end of a quote that began in an earlier sentence: a closing mark, none opening.
_QUOTE_END = re.compile(r"[.!?,…][\"'”’]\s*$")
_QUOTE_OPENING = re.compile(r"“|(?:^|(?<=\s))[\"'‘]")
# Quoted words: between double quotes, or single quotes that are not apostrophes.
_QUOTED = re.compile(r"[\"“][^\"“”]{3,}[\"”]|(?<!\w)['‘][^'‘’]{3,}['’](?!\w)")


@dataclass(frozen=True)
class Tuning:
    """The choices the summary gate cross-validates (see ``quality/summaries.py``).

    ``budget``: words after which no further sentence is added (an article);
    ``story_budget``: the same for a story's brief (not tuned: no gold briefs);
    ``overlap``: share of a sentence's content words already in the summary from which
    it is passed over (``None``: never); ``quote_penalty``: places a direct quote loses.
    """

    budget: int = 80
    overlap: float | None = None
    quote_penalty: float = 3.0
    story_budget: int = 100


TUNING = Tuning()


def summarize(
    articles: Sequence[DigestArticle], encoder: Encoder, *, story: bool = False
) -> tuple[tuple[CitedSentence, ...], tuple[CitedSentence, ...]]:
    """(summary, key_points). Article: articles has one element. Story: all its
    articles, in publication order.

    1. sentences: :func:`summary_groups`, the articles' passages with copies folded into
       one group and each trimmed of what a summary need not repeat;
    2. summary: :func:`choose_summary` over :func:`summary_scores`, in reading order;
    3. key points: :func:`storyline.ai.key_points.choose_key_points`, the facts the
       summary leaves out;
    4. each sentence cites every article that carries it.
    """
    groups = summary_groups(articles)
    if not groups:
        return (), ()
    vectors = SentenceVectors(encoder, groups)
    summary = choose_summary(groups, TUNING, articles, story=story, vectors=vectors)
    points = choose_key_points(groups, summary, articles, vectors.rows, story=story)
    return _cited(groups, summary), _cited(groups, points)


def summary_groups(articles: Sequence[DigestArticle]) -> list[SentenceGroup]:
    """The distinct sentences of ``articles``
    (:func:`storyline.ai.sentence_groups.group_sentences`), each copy cut to the span
    :func:`storyline.ai.compress.trimmed_span` keeps."""
    return trimmed_groups(group_sentences(articles))


def choose_summary(
    groups: Sequence[SentenceGroup],
    tuning: Tuning,
    articles: Sequence[DigestArticle] = (),
    *,
    story: bool = False,
    vectors: SentenceVectors | None = None,
) -> list[int]:
    """Indices into ``groups`` of the summary, in reading order.

    The best-scored sentence comes first; each next one is added unless
    :attr:`Tuning.overlap` of its content words are already in the summary or, given
    ``vectors``, it says the same as a chosen one in other words (embeddings within
    :data:`SAME_FACT_COSINE`, in a story :data:`STORY_SAME_FACT_COSINE`); the summary
    ends at :data:`MAX_SENTENCES` or, once it has :data:`MIN_SENTENCES`, before the
    sentence that would take it past the word budget. A sentence is embedded only when
    it gets as far as that check.
    """
    scores = summary_scores(groups, tuning, articles, story=story)
    order = sorted(range(len(groups)), key=lambda index: (-scores[index], index))
    if story and vectors is not None:
        order = _with_paraphrase_support(groups, order, scores, vectors)
    same_fact = STORY_SAME_FACT_COSINE if story else SAME_FACT_COSINE
    budget = tuning.story_budget if story else tuning.budget
    chosen: list[int] = []
    covered: set[str] = set()
    words = 0
    for index in order:
        group = groups[index]
        if _repeats(group, covered, tuning.overlap):
            continue
        if vectors is not None and chosen and vectors.closest(index, chosen) >= same_fact:
            continue
        length = len(group.text.split())
        if len(chosen) >= MIN_SENTENCES and words + length > budget:
            break
        chosen.append(index)
        covered |= group.words
        words += length
        if len(chosen) == MAX_SENTENCES:
            break
    return sorted(chosen, key=lambda index: _reading_order(groups[index], story))


def summary_scores(
    groups: Sequence[SentenceGroup],
    tuning: Tuning,
    articles: Sequence[DigestArticle] = (),
    *,
    story: bool = False,
) -> list[float]:
    """Minus each sentence's place in its article, less the quote penalty; in a story,
    plus :data:`SUPPORT_WEIGHT` per doubling of the outlets that report it and
    :data:`CENTRALITY_WEIGHT` times its TF-IDF cosine to the whole story."""
    quoted = _quoted_spans(articles)
    central = centralities(groups) if story else [0.0] * len(groups)
    scores = []
    for group, centrality in zip(groups, central, strict=True):
        score = -float(group.position)
        if is_quote(group, quoted):
            score -= tuning.quote_penalty
        if story:
            score += SUPPORT_WEIGHT * math.log2(group.support)
            score += CENTRALITY_WEIGHT * centrality
        scores.append(score)
    return scores


def _with_paraphrase_support(
    groups: Sequence[SentenceGroup],
    order: list[int],
    scores: Sequence[float],
    vectors: SentenceVectors,
) -> list[int]:
    """``order`` with its first :data:`STORY_POOL` re-ranked once paraphrases count.

    Outlets that tell the same fact in their own words (embeddings within
    :data:`STORY_SAME_FACT_COSINE`) support it as much as copies do.
    """
    pool = order[:STORY_POOL]
    if len(pool) < 2:
        return order
    likeness = vectors.rows(pool) @ vectors.rows(pool).T
    ranked = {}
    for row, index in enumerate(pool):
        outlets = set(groups[index].supporters)
        for other in np.flatnonzero(likeness[row] >= STORY_SAME_FACT_COSINE):
            outlets |= groups[pool[int(other)]].supporters
        extra = math.log2(len(outlets)) - math.log2(groups[index].support)
        ranked[index] = scores[index] + SUPPORT_WEIGHT * extra
    return sorted(pool, key=lambda index: (-ranked[index], index)) + order[STORY_POOL:]


def is_quote(group: SentenceGroup, quoted: dict[int, list[tuple[int, int]]]) -> bool:
    """Whether the sentence is a direct quote or the end of one: by its punctuation (an
    opening mark, "said:", or a closing mark with no opening one), by half of it or more
    being quoted words, or because a direct quote the understanding stage found covers
    half of it or more."""
    passage = group.first
    length = passage.end - passage.start
    if _QUOTE.search(passage.text):
        return True
    end = _QUOTE_END.search(passage.text)
    if end and not _QUOTE_OPENING.search(passage.text, 0, end.start()):
        return True
    if 2 * sum(len(found.group()) for found in _QUOTED.finditer(passage.text)) >= length:
        return True
    return any(
        2 * (min(end, passage.end) - max(start, passage.start)) >= length
        for start, end in quoted.get(passage.article_id, ())
    )


def _repeats(group: SentenceGroup, covered: set[str], overlap: float | None) -> bool:
    """Whether more than ``overlap`` of the sentence's content words are in ``covered``."""
    if overlap is None or not covered or not group.words:
        return False
    return len(group.words & covered) / len(group.words) > overlap


def _quoted_spans(articles: Sequence[DigestArticle]) -> dict[int, list[tuple[int, int]]]:
    return {
        int(article.article_id): [
            (quote.start, quote.end) for quote in article.quotes if quote.kind == "direct"
        ]
        for article in articles
        if article.quotes
    }


def _reading_order(group: SentenceGroup, story: bool) -> tuple[int, int]:
    """An article's summary reads in source order; a story's leads with the sentences
    that open their articles, earliest article first."""
    if story:
        return (group.position, group.article_rank)
    return group.source_order()


def _cited(groups: Sequence[SentenceGroup], indices: Sequence[int]) -> tuple[CitedSentence, ...]:
    return tuple(CitedSentence(shown(groups[i].text), groups[i].citations()) for i in indices)


def shown(text: str) -> str:
    """A trimmed span as a sentence reads: a capital first letter and a closing full stop
    where the trim took them away ("the lighthouse will reopen" -> "The lighthouse will
    reopen."). The citation keeps the exact span."""
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1] not in ".!?…\"”’'":
        text += "."
    return text


class SentenceVectors:
    """Embeddings of the groups' shown sentences, each computed on first use, once."""

    def __init__(self, encoder: Encoder, groups: Sequence[SentenceGroup]) -> None:
        self._encoder = encoder
        self._groups = groups
        self._known: dict[int, Vectors] = {}

    def rows(self, indices: Sequence[int]) -> Vectors:
        """The unit vectors of ``indices``, one row each, in order."""
        missing = [index for index in dict.fromkeys(indices) if index not in self._known]
        if missing:
            encoded = self._encoder.encode([self._groups[index].text for index in missing])
            for index, row in zip(missing, encoded, strict=True):
                self._known[index] = np.asarray(row, dtype=np.float32)
        if not indices:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([self._known[index] for index in indices])

    def closest(self, index: int, others: Sequence[int]) -> float:
        """The highest cosine between ``index`` and any of ``others``."""
        vectors = self.rows([index, *others])
        return float((vectors[1:] @ vectors[0]).max())
