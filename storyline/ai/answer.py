"""Ask: a short answer to a reader's question, from the text, or "the coverage does not say".

Offline and extractive: the answer is always a span of an article's text, cited with the
sentence it comes from, so a reader can see where it is written. When no sentence holds
the question's key words or no span of the expected kind sits in one that does, the
answer is ``None`` and the result says :data:`DOES_NOT_SAY`; the engine never guesses.
The thresholds were chosen on the development half of the gold set in
``tests/fixtures/ai/questions`` (``python quality/questions.py`` scores them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.ai.questions import Question, read_question
from storyline.ai.retrieval import Evidence, find_evidence
from storyline.ai.spans import Candidate, find_candidates
from storyline.ai.types import DOES_NOT_SAY, AiResult, CitedSentence, Encoder
from storyline.stories.digest_text import content_words, stem
from storyline.stories.digest_types import DigestArticle

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

# The decision and the weights of a candidate's score were chosen together on the dev
# half of the gold set (a grid, then the middle of the widest plateau of dev accuracy):
# a sentence must hold MIN_COVERAGE of the question's weighted key words, and the best
# candidate must score MIN_SCORE, its score being
#     coverage + SIMILARITY_WEIGHT * similarity          (the sentence's, retrieval.py)
#     + PROXIMITY_WEIGHT * closeness in the parse to the key words
#     + FIT_WEIGHT * how surely it is of the kind asked for
#     + ALIGNED_WEIGHT if it fills the wh-word's slot (spans.py).
MIN_COVERAGE = 0.65
MIN_SCORE = 2.3
PROXIMITY_WEIGHT = 1.0
FIT_WEIGHT = 1.0
ALIGNED_WEIGHT = 0.5
# Sentences parsed per question, and how far under MIN_COVERAGE a sentence may measure
# before its lemmas are known ("gave" only meets "give" once parsed).
PARSE_LIMIT = 5
PARSE_MARGIN = 0.25
MAX_SUPPORT = 3


@dataclass(frozen=True)
class Choice:
    """A candidate answer in the sentence of ``evidence`` and its score."""

    evidence: Evidence
    candidate: Candidate
    proximity: float
    score: float

    @property
    def text(self) -> str:
        passage = self.evidence.passage
        return passage.text[self.candidate.start : self.candidate.end]


def answer_question(
    question: str, articles: Sequence[DigestArticle], encoder: Encoder, nlp: Language
) -> AiResult:
    """feature="ask": ``answer`` is a short span of source text or ``None``;
    ``sentences`` are the source sentences that support it, each citing its article and
    offsets, or a single ``CitedSentence(DOES_NOT_SAY, ())`` when the answer is ``None``.

    1. Read the question: its kind, the answer it expects, its key words
       (:func:`storyline.ai.questions.read_question`; :class:`ValueError` when the
       question is empty or longer than 500 characters).
    2. Retrieve: measure every sentence of ``articles`` against the key words and embed
       the best few (:func:`storyline.ai.retrieval.find_evidence`).
    3. Parse the best :data:`PARSE_LIMIT` sentences that name everything the question
       names, and measure them again with their lemmas.
    4. Find the spans of the expected kind in each (:func:`storyline.ai.spans.find_candidates`).
    5. Score each span: its sentence's coverage and similarity, its closeness in the parse
       to the question's words, and how surely it is of the kind asked for.
    6. Decide: the best span when its sentence covers :data:`MIN_COVERAGE` of the key
       words and it scores :data:`MIN_SCORE`, else "does not say".
    7. Cite the answer's sentence (and the one before when a name is only there) and up
       to two sentences of other articles that give the same answer.
    """
    read = read_question(question, nlp)  # 1
    evidence = find_evidence(read, articles, encoder)  # 2
    choice = choose_answer(read, evidence, nlp)  # 3-6
    if choice is None:
        return AiResult(
            feature="ask",
            sentences=(CitedSentence(DOES_NOT_SAY, ()),),
            answer=None,
            question=read.text,
        )
    return AiResult(  # 7
        feature="ask",
        sentences=cite_support(choice, evidence),
        answer=choice.text,
        question=read.text,
    )


def choose_answer(question: Question, evidence: Sequence[Evidence], nlp: Language) -> Choice | None:
    """The best-scoring candidate over the best sentences, or ``None`` (steps 3-6)."""
    if question.kind == "yesno":
        return None
    eligible = [e for e in evidence if e.names and e.coverage >= MIN_COVERAGE - PARSE_MARGIN]
    eligible = eligible[:PARSE_LIMIT]
    docs = list(nlp.pipe(e.passage.text for e in eligible))
    best: Choice | None = None
    for item, doc in zip(eligible, docs, strict=True):
        lemmas = frozenset(w for t in doc for w in content_words(t.lemma_))
        item = item.with_words(question, lemmas)
        if not item.names or item.coverage < MIN_COVERAGE:
            continue
        matched = _matched_tokens(question, doc)
        for candidate in find_candidates(question, doc, item.passage, item.article):
            proximity = _proximity(doc, candidate, matched, question)
            score = (
                item.score
                + PROXIMITY_WEIGHT * proximity
                + FIT_WEIGHT * candidate.fit
                + ALIGNED_WEIGHT * candidate.aligned
            )
            if best is None or score > best.score:
                best = Choice(item, candidate, proximity, score)
    if best is None or best.score < MIN_SCORE:
        return None
    return best


def cite_support(choice: Choice, evidence: Sequence[Evidence]) -> tuple[CitedSentence, ...]:
    """The sentences that support ``choice``: its own, the one before it when the
    question's name is only there, and other articles' sentences with the same answer."""
    own = choice.evidence
    cited = [own.passage]
    if own.context_needed and own.previous is not None:
        cited.insert(0, own.previous)
    answer = choice.text.casefold()
    seen = {own.article.article_id}
    for item in evidence:
        if len(cited) >= MAX_SUPPORT:
            break
        if item.article.article_id in seen or not item.names or item.coverage < MIN_COVERAGE:
            continue
        if answer in item.passage.text.casefold():
            cited.append(item.passage)
            seen.add(item.article.article_id)
    return tuple(CitedSentence(p.text, (p.citation(),)) for p in cited)


def _matched_tokens(question: Question, doc: Doc) -> dict[int, list[int]]:
    """For each key word (by its index in ``question.terms``), the tokens holding it."""
    matched: dict[int, list[int]] = {}
    for token in doc:
        forms = {stem(token.lower_), stem(token.lemma_.casefold())}
        for index, term in enumerate(question.terms):
            if term.forms & forms:
                matched.setdefault(index, []).append(token.i)
    return matched


def _proximity(
    doc: Doc, candidate: Candidate, matched: dict[int, list[int]], question: Question
) -> float:
    """How close, in the parse, the candidate is to the key words its sentence holds:
    the weighted mean of ``1 / (1 + d / 3)`` over key words, ``d`` the tree distance."""
    inside = range(candidate.first, candidate.last + 1)
    head = _span_head(doc, candidate.first, candidate.last)
    total = weight = 0.0
    for index, tokens in matched.items():
        outside = [i for i in tokens if i not in inside]
        if not outside:
            continue
        distance = min(_tree_distance(head, doc[i]) for i in outside)
        term_weight = question.terms[index].weight
        total += term_weight / (1 + distance / 3)
        weight += term_weight
    return total / weight if weight else 0.0


def _span_head(doc: Doc, first: int, last: int) -> Token:
    for token in doc[first : last + 1]:
        if not first <= token.head.i <= last or token.head.i == token.i:
            return token
    return doc[last]


def _tree_distance(a: Token, b: Token) -> int:
    path_a = [a, *a.ancestors]
    depth = {t.i: n for n, t in enumerate(path_a)}
    for n, token in enumerate([b, *b.ancestors]):
        if token.i in depth:
            return depth[token.i] + n
    return len(path_a) + 10
