"""Who someone is, as a sentence says it: the answer to "Who is X?".

News introduces a person once, with a role, in one of a few shapes, which
:func:`find_roles` reads from the parse of a sentence naming X:

* the quote's attribution, when the understanding stage stored a ``role`` for a quote
  of X and the sentence holds that role's words;
* an apposition after the name: "Hadley Norcross, a structural engineer at Amberly
  Polytechnic who has studied the crossing," (the relative clause is left out);
* the name as an apposition of the role: "Port Amberly's chief engineer, Oskar Dunleavy,";
* a title before the name: "union president Henrik Solvang";
* a copula: "Vik is the office's spokesman";
* a relative clause, weakest: "Martin Oyelaran, who runs a bakery on Harbour Street,".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.stories.digest_types import DigestArticle

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

MAX_ROLE_WORDS = 12
_TITLE_DEPS = frozenset({"compound", "amod", "nmod", "poss", "case"})
_CUT_DEPS = frozenset({"relcl", "acl", "advcl"})
_ROLE_START = frozenset({"DET", "ADJ", "NOUN", "PROPN"})
_ROLE_WORDS = frozenset({"DET", "ADJ", "NOUN", "PROPN", "PART"})


@dataclass(frozen=True)
class Role:
    """Characters ``start``…``end`` of the sentence say who the person is; ``fit`` is how
    sure the shape is (1 for an apposition or a stored role, less for a clause)."""

    start: int
    end: int
    fit: float
    shape: str


def find_roles(name: str, doc: Doc, article: DigestArticle) -> list[Role]:
    """The roles the sentence ``doc`` (of ``article``) gives ``name``; offsets are into
    the sentence."""
    mention = _mention(name, doc)
    if mention is None:
        return []
    first, last = mention
    roles = _stored_roles(name, doc, article)
    head = _head(doc, first, last)
    for child in head.children:
        if child.dep_ == "appos" and not (first <= child.i <= last) and child.ent_type_ != "PERSON":
            roles.extend(_span_role(doc, child.left_edge.i, _cut(child), 1.0, "apposition"))
        if child.dep_ == "relcl":
            verb_start = child.i if child.left_edge.i < first else child.left_edge.i
            words = [
                t for t in child.subtree if t.i >= verb_start and t.lower_ not in ("who", "which")
            ]
            if words:
                roles.extend(_span_role(doc, words[0].i, words[-1].i + 1, 0.5, "clause"))
    if head.dep_ == "appos" and head.head.pos_ in ("NOUN", "PROPN") and head.head.i < first:
        role_head = head.head
        end = first
        while end > role_head.left_edge.i and doc[end - 1].is_punct:
            end -= 1
        roles.extend(_span_role(doc, role_head.left_edge.i, end, 1.0, "apposition"))
    title_start = first
    while title_start > 0:
        token = doc[title_start - 1]
        if token.dep_ not in _TITLE_DEPS or not title_start <= token.head.i <= last:
            break
        title_start -= 1
    while title_start < first and doc[title_start].dep_ in ("det", "case", "punct"):
        title_start += 1
    if title_start < first:
        roles.extend(_span_role(doc, title_start, first, 0.9, "title"))
    roles.extend(_surface_roles(doc, first, last))
    if head.dep_ == "nsubj" and head.head.lemma_ == "be":
        for child in head.head.children:
            if child.dep_ == "attr":
                roles.extend(_span_role(doc, child.left_edge.i, _cut(child), 0.9, "copula"))
    return roles


def _surface_roles(doc: Doc, first: int, last: int) -> list[Role]:
    """Appositions read from the words when the parse misses them: "NAME, a role," and
    "the council's finance chair, NAME,"."""
    out: list[Role] = []
    stops = {",", ";", "who", "which", "whose", "said", "says", "told"}
    if last + 2 < len(doc) and doc[last + 1].text == "," and doc[last + 2].pos_ in _ROLE_START:
        end = last + 2
        while (
            end < len(doc) and doc[end].lower_ not in stops and doc[end].pos_ not in ("VERB", "AUX")
        ):
            end += 1
        if end < len(doc) and doc[end].lower_ in stops:
            out.extend(_span_role(doc, last + 2, end, 0.9, "apposition"))
    if first >= 2 and doc[first - 1].text == "," and doc[first - 2].pos_ == "NOUN":
        start = first - 2
        while (
            start > 0 and doc[start - 1].pos_ in _ROLE_WORDS and doc[start - 1].lower_ not in stops
        ):
            start -= 1
        while start < first - 2 and doc[start].pos_ in ("ADP", "CCONJ"):
            start += 1
        out.extend(_span_role(doc, start, first - 1, 0.9, "apposition"))
    return out


def _mention(name: str, doc: Doc) -> tuple[int, int] | None:
    """The token range of the fullest mention of ``name`` (or of its last word)."""
    words = [w.casefold() for w in name.replace("-", " - ").split()]
    if not words:
        return None
    lower = [t.lower_ for t in doc]
    for size in range(len(words), 0, -1):
        part = words[-size:]
        for i in range(len(lower) - size + 1):
            if lower[i : i + size] == part:
                return i, i + size - 1
    return None


def _head(doc: Doc, first: int, last: int) -> Token:
    for token in doc[first : last + 1]:
        if not (first <= token.head.i <= last) or token.head.i == token.i:
            return token
    return doc[last]


def _cut(token: Token) -> int:
    """The end of ``token``'s subtree, before any relative clause or trailing comma."""
    end = token.right_edge.i + 1
    for child in token.subtree:
        if child.dep_ in _CUT_DEPS and child.i > token.i:
            end = min(end, child.left_edge.i)
    doc = token.doc
    while end > token.i + 1 and (doc[end - 1].is_punct or doc[end - 1].lower_ in ("and", "who")):
        end -= 1
    return end


def _span_role(doc: Doc, start: int, end: int, fit: float, shape: str) -> list[Role]:
    if end <= start:
        return []
    words = [t for t in doc[start:end] if not t.is_punct]
    if not words or len(words) > MAX_ROLE_WORDS or all(t.ent_type_ == "PERSON" for t in words):
        return []
    span = doc[start:end]
    return [Role(span.start_char, span.end_char, fit, shape)]


def _stored_roles(name: str, doc: Doc, article: DigestArticle) -> list[Role]:
    """The roles stored with the article's quotes of ``name`` that the sentence spells."""
    surname = name.split()[-1].casefold()
    out: list[Role] = []
    for quote in article.quotes:
        speaker = (quote.speaker or "").casefold()
        role = (quote.role or "").strip()
        if not role or not any(c.isalpha() for c in role) or surname not in speaker.split():
            continue
        at = doc.text.find(role)
        if at >= 0 and len(role.split()) <= MAX_ROLE_WORDS:
            out.append(Role(at, at + len(role), 1.0, "quote"))
    return out
