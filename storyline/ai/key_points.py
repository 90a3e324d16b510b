"""Key points: the main facts of an article or a story that its summary leaves out.

A reader sees the summary and the key points side by side, so a key point never repeats
a summary sentence, and no two key points state the same fact. Candidates are scored by
what a list of facts should hold (:func:`fact_score`): figures, names of people and
places, dates, words central to the text (TF-IDF cosine to the whole), an early place in
the article, and in a story the outlets that report it; a direct quote, a question or a
sentence too long to scan counts against it. The best :data:`POOL` candidates are then
embedded, and picked by maximal marginal relevance: each next point is the one whose score,
less its likeness to the summary and the points already chosen, is highest, and a
candidate as close as :data:`SAME_FACT_COSINE` (in a story :data:`STORY_SAME_FACT_COSINE`)
to any of those is left out.

The weights are set by hand: no gold set of key points exists to fit them on (the
summary gate, ``quality/summaries.py``, scores the summary only).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from storyline.ai.sentence_groups import SentenceGroup, centralities
from storyline.ai.types import Vectors
from storyline.stories.digest_types import DigestArticle

MIN_POINTS = 3
MAX_POINTS = 6
# One key point per this many distinct sentences, between the two bounds above.
SENTENCES_PER_POINT = 5
# How many of the best-scored candidates are embedded and compared.
POOL = 8
# Cosine from which two sentences of an article state the same fact.
SAME_FACT_COSINE = 0.8
# The same in a story: lower, since outlets word one event differently (two outlets'
# openings on one bridge closure measured 0.70, two facts of it 0.58 or less).
STORY_SAME_FACT_COSINE = 0.65
# Share of a candidate's content words found in one summary sentence that makes it a repeat.
REPEAT_OVERLAP = 0.6
# Weight of relevance against novelty in maximal marginal relevance.
RELEVANCE = 0.7
LONG_WORDS = 45
SHORT_WORDS = 6

_NUMBER = re.compile(
    r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|"
    r"dozen|dozens|half|percent)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|today|yesterday|tomorrow|tonight|(?:1[89]|20)\d\d)\b"
)
_QUOTE_OPENING = re.compile(r"^[\"'‘“]")
_CAPITALISED = re.compile(r"(?<=\s)[A-Z][\w’'-]+")

Embed = Callable[[Sequence[int]], Vectors]


def choose_key_points(
    groups: Sequence[SentenceGroup],
    summary: Sequence[int],
    articles: Sequence[DigestArticle],
    embed: Embed,
    *,
    story: bool = False,
) -> list[int]:
    """Indices into ``groups`` of the key points, in source order.

    1. candidates: every group outside ``summary`` that does not repeat one of its
       sentences word for word (:data:`REPEAT_OVERLAP`);
    2. scored by :func:`fact_score`; the best :data:`POOL` are embedded with the summary;
    3. picked by maximal marginal relevance, a same-fact candidate left out;
    4. put in the order the text tells them.
    """
    wanted = min(MAX_POINTS, max(MIN_POINTS, math.ceil(len(groups) / SENTENCES_PER_POINT)))
    chosen_summary = set(summary)
    candidates = [
        index
        for index, group in enumerate(groups)
        if index not in chosen_summary
        and not any(_repeats(group, groups[s]) for s in summary)
        and group.words
    ]
    if not candidates:
        return []
    scores = fact_scores(groups, articles, story=story)
    pool = sorted(candidates, key=lambda index: (-scores[index], index))[:POOL]
    vectors = embed([*pool, *summary])
    pool_vectors, summary_vectors = vectors[: len(pool)], vectors[len(pool) :]
    relevance = np.array([scores[index] for index in pool])
    spread = float(relevance.max() - relevance.min()) or 1.0
    relevance = (relevance - relevance.min()) / spread
    likeness = (
        (pool_vectors @ summary_vectors.T).max(axis=1)
        if len(summary)
        else np.zeros(len(pool), dtype=np.float32)
    )
    same_fact = STORY_SAME_FACT_COSINE if story else SAME_FACT_COSINE
    picked: list[int] = []
    open_ = [k for k in range(len(pool)) if likeness[k] < same_fact]
    while open_ and len(picked) < wanted:
        best = max(open_, key=lambda k: RELEVANCE * relevance[k] - (1 - RELEVANCE) * likeness[k])
        picked.append(best)
        likeness = np.maximum(likeness, pool_vectors @ pool_vectors[best])
        open_ = [k for k in open_ if k != best and likeness[k] < same_fact]
    return sorted((pool[k] for k in picked), key=lambda index: groups[index].source_order())


def fact_scores(
    groups: Sequence[SentenceGroup], articles: Sequence[DigestArticle], *, story: bool = False
) -> list[float]:
    """:func:`fact_score` of every group, its centrality taken against all of them."""
    by_id = {int(article.article_id): article for article in articles}
    return [
        fact_score(group, centrality, by_id, story=story)
        for group, centrality in zip(groups, centralities(groups), strict=True)
    ]


def fact_score(
    group: SentenceGroup,
    centrality: float,
    articles: dict[int, DigestArticle],
    *,
    story: bool = False,
) -> float:
    """How much a sentence is a fact worth listing; higher is better (about 0 to 2.5)."""
    text = group.text
    length = len(text.split())
    score = centrality
    score += 0.3 * min(_names(group, articles), 3) / 3
    score += 0.3 * bool(_NUMBER.search(text))
    score += 0.2 * (bool(_DATE.search(text)) or _dated(group, articles))
    score += 0.4 / math.sqrt(1 + group.position)
    if story:
        score += 0.3 * math.log2(group.support)
    score -= 0.5 * bool(_QUOTE_OPENING.match(text))
    score -= 0.5 * text[:1].islower()  # the tail of a sentence the splitter cut wrongly
    score -= 0.5 * text.rstrip("\"'”’").endswith("?")
    score -= 0.3 * (length > LONG_WORDS or length < SHORT_WORDS)
    return score


def _repeats(group: SentenceGroup, summary: SentenceGroup) -> bool:
    return bool(group.words) and len(group.words & summary.words) / len(group.words) > (
        REPEAT_OVERLAP
    )


def _names(group: SentenceGroup, articles: dict[int, DigestArticle]) -> int:
    """Entities the sentence names: the analysis's, else capitalised words after the first."""
    passage = group.first
    article = articles.get(passage.article_id)
    if article is not None and article.entities:
        return sum(
            any(passage.start <= start and end <= passage.end for start, end in entity.mentions)
            for entity in article.entities
        )
    return len(set(_CAPITALISED.findall(passage.text)))


def _dated(group: SentenceGroup, articles: dict[int, DigestArticle]) -> bool:
    """Whether the understanding stage put an event of the sentence on the timeline."""
    passage = group.first
    article = articles.get(passage.article_id)
    if article is None:
        return False
    return any(
        event.start < passage.end and passage.start < event.end for event in article.timeline
    )
