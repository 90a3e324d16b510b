"""The sentences that may answer a question, best first.

Two passes, so that a 20-article story costs no more than a few dozen embeddings:

1. Lexical, over every sentence: BM25 of the question's key words (their stems) and
   their *coverage*, the weighted share of key words the sentence holds. A word found
   only in the sentence before or in the article's title counts :data:`CONTEXT_SHARE`
   of its weight (news sentences say "he said" about the name of the sentence before).
   A word found only in the title counts :data:`TITLE_SHARE`.
2. Semantic, over the best :data:`EMBED_LIMIT` of those: the cosine of the question's
   and the sentence's embeddings.

A sentence is *eligible* to answer only when every name the question uses ("Kestrel
Bridge", "Quillon") is in the sentence, the sentence before it or the article's title:
a sentence about another person or place never answers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from storyline.ai.passages import Passage, article_passages
from storyline.ai.questions import Question, Term
from storyline.ai.types import Encoder
from storyline.stories.digest_text import content_words
from storyline.stories.digest_types import DigestArticle

CONTEXT_SHARE = 0.6
TITLE_SHARE = 0.3
EMBED_LIMIT = 6
SIMILARITY_WEIGHT = 0.5
_K1 = 1.2
_B = 0.75


@dataclass(frozen=True)
class Evidence:
    """A sentence that may answer, with how well it matches the question.

    ``words`` are the stems the sentence holds, ``previous_words`` those of the sentence
    before, ``title_words`` those of the article's title; ``score`` ranks evidence
    (coverage plus weighted similarity).
    """

    passage: Passage
    article: DigestArticle
    previous: Passage | None
    words: frozenset[str]
    previous_words: frozenset[str]
    title_words: frozenset[str]
    lexical: float
    coverage: float
    names: bool
    context_needed: bool
    similarity: float = 0.0

    @property
    def score(self) -> float:
        return self.coverage + SIMILARITY_WEIGHT * self.similarity

    def with_words(self, question: Question, extra: frozenset[str]) -> Evidence:
        """The evidence re-measured with ``extra`` stems of the sentence (its lemmas)."""
        words = self.words | extra
        coverage, names, needed = measure(
            question.terms, words, self.previous_words, self.title_words
        )
        return replace(self, words=words, coverage=coverage, names=names, context_needed=needed)


def find_evidence(
    question: Question, articles: Sequence[DigestArticle], encoder: Encoder
) -> list[Evidence]:
    """Every sentence of ``articles`` measured against ``question``, best first; the
    best :data:`EMBED_LIMIT` also carry their embedding similarity."""
    found: list[Evidence] = []
    sentence_words: list[frozenset[str]] = []
    first_index = 0
    for article in articles:
        sentences = article_passages(article, first_index)
        first_index += len(sentences)
        title = frozenset(content_words(article.title))
        words = [frozenset(content_words(p.text)) for p in sentences]
        sentence_words.extend(words)
        for position, passage in enumerate(sentences):
            previous = sentences[position - 1] if position else None
            before = words[position - 1] if position else frozenset()
            coverage, names, needed = measure(question.terms, words[position], before, title)
            found.append(
                Evidence(
                    passage,
                    article,
                    previous,
                    words[position],
                    before,
                    title,
                    0.0,
                    coverage,
                    names,
                    needed,
                )
            )
    if not found:
        return []
    lexical = _bm25(question.terms, sentence_words)
    found = [replace(e, lexical=score) for e, score in zip(found, lexical, strict=True)]
    found.sort(key=lambda e: (e.names, e.coverage + 0.1 * e.lexical), reverse=True)
    top = found[:EMBED_LIMIT]
    vectors = encoder.encode([question.text, *(e.passage.text for e in top)])
    similarities = np.asarray(vectors[1:], dtype=np.float32) @ np.asarray(vectors[0])
    top = [replace(e, similarity=float(s)) for e, s in zip(top, similarities, strict=True)]
    rest = found[EMBED_LIMIT:]
    return sorted(top, key=lambda e: (e.names, e.score), reverse=True) + rest


def measure(
    terms: Sequence[Term],
    words: frozenset[str],
    previous: frozenset[str],
    title: frozenset[str],
) -> tuple[float, bool, bool]:
    """Coverage of ``terms`` by a sentence's ``words`` (with the ``previous`` sentence's
    and the ``title``'s at a discount), whether every name is there, and whether a name
    is there only in the sentence before."""
    total = sum(term.weight for term in terms)
    if not total:
        return 0.0, True, False
    held = 0.0
    groups: dict[int, tuple[bool, bool, bool]] = {}
    for term in terms:
        inside = bool(term.forms & words)
        before = bool(term.forms & previous)
        titled = bool(term.forms & title)
        share = 1.0 if inside else CONTEXT_SHARE if before else TITLE_SHARE if titled else 0.0
        held += term.weight * share
        if term.name:
            was = groups.get(term.group, (False, False, False))
            groups[term.group] = (was[0] or inside, was[1] or before, was[2] or titled)
    names = all(any(found) for found in groups.values())
    needed = any(before and not inside for inside, before, _ in groups.values())
    return held / total, names, needed


def _bm25(terms: Sequence[Term], sentences: Sequence[frozenset[str]]) -> list[float]:
    """BM25 of each sentence for the weighted ``terms`` (a word counts once a sentence)."""
    count = len(sentences)
    average = sum(len(words) for words in sentences) / count or 1.0
    scores = [0.0] * count
    for term in terms:
        holding = [i for i, words in enumerate(sentences) if term.forms & words]
        if not holding:
            continue
        idf = math.log(1 + (count - len(holding) + 0.5) / (len(holding) + 0.5))
        for i in holding:
            norm = 1 - _B + _B * len(sentences[i]) / average
            scores[i] += term.weight * idf * (_K1 + 1) / (1 + _K1 * norm)
    return scores
