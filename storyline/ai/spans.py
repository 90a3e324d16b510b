"""Spans of a parsed sentence that could answer a question, by the kind of answer it wants.

:func:`find_candidates` reads one sentence (a spaCy ``Doc`` of the passage) and returns
the spans of the type the question expects (see :mod:`storyline.ai.questions`): names of
people for "who", dates for "when", figures for "how many" (:mod:`storyline.ai.figures`),
roles for "who is X" (:mod:`storyline.ai.roles`), the noun phrase headed by X or a name
of X's class for "which X", a verb's argument for "what". Names come from
:mod:`storyline.ai.names` (spaCy's entities, the article's entities, proper nouns). Each
candidate carries a ``fit`` in (0, 1], how surely its type is the one asked for. A span
made only of the question's own words never answers it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from storyline.ai.figures import figure_fit, find_figures
from storyline.ai.names import (
    DATE_LABELS,
    FACILITIES,
    PERSON_FITS,
    PLACE_LABELS,
    find_names,
    label_fits,
)
from storyline.ai.passages import Passage
from storyline.ai.questions import Question
from storyline.ai.roles import find_roles
from storyline.stories.digest_text import content_words, stem
from storyline.stories.digest_types import DigestArticle

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

MAX_ANSWER_WORDS = 12

_CUT_DEPS = frozenset({"relcl", "acl", "advcl"})
_DURATION = re.compile(
    r"^(about |some |up to |more than |nearly |almost |over |at least |the )?"
    r"([\d.,]+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|several|few)(-| )"
    r"(seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)$",
    re.IGNORECASE,
)
_REASONS = {"because": 1.0, "due": 0.8, "since": 0.5, "after": 0.4, "over": 0.4}


@dataclass(frozen=True)
class Candidate:
    """Tokens ``first``…``last`` of the sentence, characters ``start``…``end`` of it;
    ``aligned`` when it stands where the question's wh-word stands (see :func:`_aligned`)."""

    start: int
    end: int
    first: int
    last: int
    fit: float
    shape: str
    aligned: bool = False


def find_candidates(
    question: Question, doc: Doc, passage: Passage, article: DigestArticle
) -> list[Candidate]:
    """The spans of ``doc`` (the parse of ``passage``) of the type ``question`` wants."""
    kind = question.kind
    found: list[Candidate | None]
    if kind == "role":
        found = [
            _from_chars(doc, r.start, r.end, r.fit, r.shape)
            for r in find_roles(question.subject or "", doc, article)
        ]
    elif kind == "person":
        found = _names(doc, passage, article, PERSON_FITS)
    elif kind == "place":
        found = _places(doc, passage, article)
    elif kind == "date":
        found = _dates(doc)
    elif kind in ("count", "amount", "age", "length"):
        found = _figures(question, doc)
    elif kind == "reason":
        found = _reasons(doc)
    elif kind == "which":
        found = _which(question, doc, passage, article)
    elif kind == "what":
        found = _arguments(question, doc)
    else:
        found = []
    kept = [replace(c, aligned=_aligned(question, doc, c)) for c in _keep(question, doc, found)]
    # a listing holds the slot when one of its members does ("Vnukovo and Domodedovo
    # airports" when "Vnukovo" is the subject)
    return [
        replace(c, aligned=True)
        if c.shape == "phrase"
        and any(o.aligned and c.first <= o.first and o.last <= c.last for o in kept)
        else c
        for c in kept
    ]


def _aligned(question: Question, doc: Doc, candidate: Candidate) -> bool:
    """Whether the candidate fills the slot the wh-word asks about: the subject or the
    passive agent of a verb of the question ("mediated by the government of Maridia",
    "Ilona March, who led the rescue") when the question asks for a subject, or the
    object of the question's stranded preposition ("join Rovers from Calloway Town")."""
    head = _head_of(doc, candidate.first, candidate.last)
    while True:  # up from "Maridia" in "the government of Maridia", and appositions
        if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.i != head.i:
            head = head.head.head
        elif head.dep_ == "appos":
            head = head.head
        else:
            break
    forms = question.forms
    if question.preposition and head.dep_ == "pobj" and head.head.lower_ == question.preposition:
        return True
    if not question.subject_first:
        return False
    for verb in [head.head, *(c for c in head.children if c.dep_ == "relcl")]:
        if not {stem(verb.lower_), stem(verb.lemma_.casefold())} & forms:
            continue
        if verb is head.head and head.dep_ in ("nsubj", "nsubjpass"):
            return head.dep_ == "nsubj"
        if verb is not head.head:
            return True  # the antecedent of "who led the rescue"
    if head.dep_ == "pobj" and head.head.dep_ == "agent":
        verb = head.head.head
        return bool({stem(verb.lower_), stem(verb.lemma_.casefold())} & forms)
    return False


def _head_of(doc: Doc, first: int, last: int) -> Token:
    for token in doc[first : last + 1]:
        if not first <= token.head.i <= last or token.head.i == token.i:
            return token
    return doc[last]


def _keep(question: Question, doc: Doc, found: Iterable[Candidate | None]) -> list[Candidate]:
    """Candidates that are short enough and not made of the question's own words."""
    forms = question.forms
    asked = question.text.casefold()
    kept: dict[tuple[int, int], Candidate] = {}
    for candidate in found:
        if candidate is None:
            continue
        span = doc[candidate.first : candidate.last + 1]
        words = [t for t in span if not t.is_punct]
        if not words or len(words) > MAX_ANSWER_WORDS:
            continue
        content = [w for t in words for w in content_words(t.text)]
        if content and set(content) <= forms:
            continue
        if not content and span.text.casefold() in asked:
            continue
        key = (candidate.start, candidate.end)
        if key not in kept or kept[key].fit < candidate.fit:
            kept[key] = candidate
    # of two overlapping names with the same fit, the fuller: "Calloway Town", not "Calloway"
    out = list(kept.values())
    return [
        c
        for c in out
        if not any(
            o is not c
            and o.fit >= c.fit
            and o.start <= c.start
            and c.end <= o.end
            and (o.end - o.start) > (c.end - c.start)
            and o.shape != "phrase"
            for o in out
        )
    ]


def _from_tokens(doc: Doc, first: int, end: int, fit: float, shape: str) -> Candidate | None:
    while first < end and (
        doc[first].is_punct
        or doc[first].dep_ == "cc"
        or (shape != "reason" and (doc[first].dep_ == "mark" or doc[first].pos_ == "SCONJ"))
    ):
        first += 1
    while end > first and (doc[end - 1].is_punct or doc[end - 1].dep_ == "cc"):
        end -= 1
    if end <= first:
        return None
    span = doc[first:end]
    return Candidate(span.start_char, span.end_char, first, end - 1, fit, shape)


def _from_chars(doc: Doc, start: int, end: int, fit: float, shape: str) -> Candidate | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    return Candidate(start, end, span.start, span.end - 1, fit, shape)


def _names(
    doc: Doc, passage: Passage, article: DigestArticle, fits: dict[str, float]
) -> list[Candidate | None]:
    return [
        _from_tokens(doc, span.start, span.end, fits[label], label)
        for span, label in find_names(doc, passage, article)
        if label in fits
    ]


def _places(doc: Doc, passage: Passage, article: DigestArticle) -> list[Candidate | None]:
    found: list[Candidate | None] = []
    for span, label in find_names(doc, passage, article):
        if label in PLACE_LABELS:
            found.append(_from_tokens(doc, span.start, span.end, 1.0, label))
        elif label == "NAME":
            found.append(_from_tokens(doc, span.start, span.end, 0.5, label))
        elif label == "ORG" and span[-1].lemma_.casefold() in FACILITIES:
            found.append(_from_tokens(doc, span.start, span.end, 0.9, label))
    for token in doc:
        if token.dep_ == "prep" and token.lower_ in ("in", "at", "to", "near", "into", "inside"):
            for noun in token.children:
                if noun.dep_ == "pobj" and (
                    noun.lemma_.casefold() in FACILITIES or noun.pos_ == "PROPN"
                ):
                    found.append(_from_tokens(doc, noun.left_edge.i, _cut(noun), 0.8, "phrase"))
    return found


def _dates(doc: Doc) -> list[Candidate | None]:
    found: list[Candidate | None] = []
    for ent in doc.ents:
        if ent.label_ not in DATE_LABELS or _DURATION.match(ent.text):
            continue
        if ent.text.isdigit() and len(ent.text) != 4:
            continue
        found.append(_from_tokens(doc, ent.start, ent.end, 1.0, "date"))
    for figure in find_figures(doc):
        if figure.category == "year":
            found.append(_from_tokens(doc, figure.start, figure.end, 0.9, "year"))
    return found


def _figures(question: Question, doc: Doc) -> list[Candidate | None]:
    kind = question.kind
    dated = {t.i for ent in doc.ents if ent.label_ in DATE_LABELS for t in ent}
    found: list[Candidate | None] = []
    for figure in find_figures(doc):
        fit = figure_fit(question, doc, figure, dated)
        if fit > 0:
            found.append(_from_tokens(doc, figure.start, figure.end, fit, figure.category))
    if kind == "length":
        for ent in doc.ents:
            if ent.label_ in DATE_LABELS and _DURATION.match(ent.text):
                found.append(_from_tokens(doc, ent.start, ent.end, 0.8, "duration"))
    return found


def _is_target(question: Question, token: Token) -> bool:
    forms = question.target_forms or question.forms
    return bool({stem(token.lower_), stem(token.lemma_.casefold())} & forms)


def _reasons(doc: Doc) -> list[Candidate | None]:
    found: list[Candidate | None] = []
    for token in doc:
        fit = _REASONS.get(token.lower_)
        if fit is None:
            continue
        if token.dep_ == "mark":
            end = _cut(token.head, clause=True)
            found.append(_from_tokens(doc, token.i, end, fit, "reason"))
        elif token.dep_ == "prep" or token.lower_ == "due":
            end = max((t.i for t in token.subtree), default=token.i) + 1
            found.append(_from_tokens(doc, token.i, end, fit, "reason"))
    return found


def _which(
    question: Question, doc: Doc, passage: Passage, article: DigestArticle
) -> list[Candidate | None]:
    target = question.target or ""
    fits = label_fits(target)
    found: list[Candidate | None] = []
    for span, label in find_names(doc, passage, article):
        fit = 1.0 if target and span[-1].lemma_.casefold() == target else fits.get(label, 0.0)
        if fit > 0:
            found.append(_from_tokens(doc, span.start, span.end, fit, label))
    for token in doc:
        if not _is_target(question, token) or token.pos_ not in ("NOUN", "PROPN"):
            continue
        # "the journal Subterranean Fauna", "the consultancy Greyfield & Locke"
        end = token.i + 1
        while end < len(doc) and (doc[end].pos_ == "PROPN" or doc[end].text == "&"):
            end += 1
        if end > token.i + 1:
            found.append(_from_tokens(doc, token.i + 1, end, 1.0, "named"))
        if question.named:
            continue
        # "Halsburg International and Orrin Field airports", "a 9 percent pay rise",
        # "the Q5 and Q5 Plus models" (the noun parsed as the last of the conjuncts)
        root = token
        while root.dep_ == "conj" and root.head.i < root.i:
            root = root.head
        start = min(root.left_edge.i, token.left_edge.i)
        left = doc[start : token.i]
        if len(left) and any(t.pos_ in ("PROPN", "NUM") for t in left):
            listed = any(t.dep_ == "cc" or t.text == "," for t in left)
            fit = 1.0 if listed and token.tag_ in ("NNS", "NNPS") else 0.9
            found.append(_from_tokens(doc, start, token.i + 1, fit, "phrase"))
    return found


def _arguments(question: Question, doc: Doc) -> list[Candidate | None]:
    """The arguments of the sentence's verb that the question's verb names."""
    verb_forms = frozenset(content_words(question.verb or ""))
    found: list[Candidate | None] = []
    for verb in doc:
        if not {stem(verb.lower_), stem(verb.lemma_.casefold())} & verb_forms:
            continue
        if question.subject_first:
            subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            if not subjects and verb.dep_ in ("acl", "relcl"):
                subjects = [verb.head]
            for noun in subjects:
                found.append(_from_tokens(doc, noun.left_edge.i, _cut(noun), 0.8, "subject"))
            continue
        for child in verb.children:
            if child.dep_ in ("dobj", "oprd", "attr", "acomp", "ccomp", "xcomp"):
                end = _cut(child)
                whole = _cut(verb)
                if whole - child.left_edge.i <= MAX_ANSWER_WORDS and child.dep_ == "dobj":
                    end = whole
                found.append(_from_tokens(doc, child.left_edge.i, end, 0.8, child.dep_))
    return found


def _cut(token: Token, clause: bool = False) -> int:
    """The end (exclusive) of ``token``'s subtree before its first relative or
    adverbial clause; for a ``clause``, also before a coordination or a comma that
    follows it ("because its tower is run by a contractor, but it handled…")."""
    end = token.right_edge.i + 1
    for child in token.children:
        if child.i <= token.i:
            continue
        if child.dep_ in _CUT_DEPS:
            end = min(end, child.left_edge.i)
        if clause and (child.dep_ == "cc" or (child.dep_ == "punct" and child.text == ",")):
            end = min(end, child.i)
    return end
