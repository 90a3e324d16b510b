"""The distinct sentences of an article or a story, each with the copies that carry it.

Wire copy puts the same sentence in several outlets' articles, sometimes lightly edited
("on Tuesday" dropped, a name spelled out), and a page may repeat a sentence of its own
(a caption that restates the lead). A :class:`SentenceGroup` is one distinct sentence:
every passage whose content words (stemmed, stop words aside) match it with a Dice
coefficient of at least :data:`COPY_DICE`, so a summary never picks the same sentence
twice and cites every article that carries it. Its ``support`` counts the outlets that
carry it or a close paraphrase (Dice at least :data:`SUPPORT_DICE`): a fact many outlets
report is more central to a story than one outlet's aside.

Pairs are compared through one matrix product over the words that at least two passages
share, so a story of twenty articles (some five hundred sentences) groups in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from storyline.ai.passages import Passage, passages
from storyline.ai.types import Citation
from storyline.stories.digest_text import Idf, content_words, cosine
from storyline.stories.digest_types import DigestArticle

# Dice of content words from which two sentences are copies of one another.
COPY_DICE = 0.8
# Dice from which a sentence supports another (the same fact in other words).
SUPPORT_DICE = 0.5


@dataclass(frozen=True)
class SentenceGroup:
    """One distinct sentence: its ``copies`` (the first is the one shown) in input order.

    ``article_rank`` is the input position of the shown copy's article (publication order
    in a story), ``position`` the earliest place any copy holds in its article, ``words``
    the shown copy's content words, ``supporters`` the outlets that carry it or a close
    paraphrase.
    """

    copies: tuple[Passage, ...]
    words: frozenset[str]
    article_rank: int
    position: int
    supporters: frozenset[str]

    @property
    def support(self) -> int:
        """How many outlets carry the sentence or a close paraphrase (at least 1)."""
        return len(self.supporters)

    @property
    def first(self) -> Passage:
        return self.copies[0]

    @property
    def text(self) -> str:
        return self.copies[0].text

    def citations(self) -> tuple[Citation, ...]:
        """One citation per article that carries the sentence, the first copy of each."""
        seen: dict[int, Citation] = {}
        for copy in self.copies:
            seen.setdefault(copy.article_id, copy.citation())
        return tuple(seen.values())

    def source_order(self) -> tuple[int, int]:
        """Sort key that reads the groups as their articles run."""
        return (self.article_rank, self.first.position)


def group_sentences(articles: Sequence[DigestArticle]) -> list[SentenceGroup]:
    """The distinct sentences of ``articles``, in the order they first appear."""
    found = passages(articles) or _fallback_passages(articles)
    if not found:
        return []
    ranks = {int(article.article_id): rank for rank, article in enumerate(articles)}
    words = [frozenset(content_words(passage.text)) for passage in found]
    dice = _dice_matrix(words)
    parent = list(range(len(found)))
    for i, j in zip(*np.nonzero(np.triu(dice >= COPY_DICE, k=1)), strict=True):
        _union(parent, int(i), int(j))
    members: dict[int, list[int]] = {}
    for index in range(len(found)):
        members.setdefault(_root(parent, index), []).append(index)
    groups = []
    for indices in sorted(members.values()):
        near = np.nonzero((dice[indices] >= SUPPORT_DICE).any(axis=0))[0]
        outlets = {found[int(k)].outlet for k in near} | {found[k].outlet for k in indices}
        first = found[indices[0]]
        groups.append(
            SentenceGroup(
                copies=tuple(found[k] for k in indices),
                words=words[indices[0]],
                article_rank=ranks.get(first.article_id, 0),
                position=min(found[k].position for k in indices),
                supporters=frozenset(outlets),
            )
        )
    return groups


def centralities(groups: Sequence[SentenceGroup]) -> list[float]:
    """TF-IDF cosine of each group's words to all the groups' words together (0 to 1)."""
    idf = Idf(group.words for group in groups)
    whole = idf.vector(word for group in groups for word in group.words)
    return [cosine(idf.vector(group.words), whole) for group in groups]


def _dice_matrix(words: Sequence[frozenset[str]]) -> npt.NDArray[np.float32]:
    """Dice coefficient of every pair of word sets (0 on the diagonal and for empty sets)."""
    counts: dict[str, int] = {}
    for bag in words:
        for word in bag:
            counts[word] = counts.get(word, 0) + 1
    shared = {word: column for column, word in enumerate(w for w, n in counts.items() if n > 1)}
    matrix = np.zeros((len(words), len(shared)), dtype=np.float32)
    for row, bag in enumerate(words):
        for word in bag:
            column = shared.get(word)
            if column is not None:
                matrix[row, column] = 1.0
    overlap = matrix @ matrix.T
    sizes = np.array([len(bag) for bag in words], dtype=np.float32)
    total = sizes[:, None] + sizes[None, :]
    dice = np.divide(2 * overlap, total, out=np.zeros_like(overlap), where=total > 0)
    np.fill_diagonal(dice, 0.0)
    return dice


def _fallback_passages(articles: Sequence[DigestArticle]) -> list[Passage]:
    """Every non-empty sentence, however short, for a text made only of fragments."""
    return passages(articles, min_words=1)


def _root(parent: list[int], index: int) -> int:
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


def _union(parent: list[int], a: int, b: int) -> None:
    first, second = _root(parent, a), _root(parent, b)
    if first != second:
        parent[max(first, second)] = min(first, second)
