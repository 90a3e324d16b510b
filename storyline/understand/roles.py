"""How an article describes a speaker: a person's role, a group's own words, a document's owner.

A role is the apposition ("X, a military analyst, said") or the words before the name
("defense expert X", "President X"). A group or institution keeps its modifiers and noun
without articles, quantifiers or trailing phrases ("Soldiers on the ground" -> "soldiers").
A document ("a statement from the ministry") does not speak: its owner does.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "president",
        "vice",
        "prime",
        "minister",
        "sen",
        "senator",
        "rep",
        "representative",
        "gov",
        "governor",
        "gen",
        "general",
        "col",
        "colonel",
        "lt",
        "maj",
        "major",
        "capt",
        "captain",
        "adm",
        "admiral",
        "sgt",
        "judge",
        "justice",
        "mayor",
        "secretary",
        "chancellor",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "rev",
        "father",
        "sir",
        "lord",
        "lady",
        "ambassador",
        "commissioner",
        "chief",
        "chairman",
        "chairwoman",
        "former",
        "deputy",
        "u.s.",
        "us",
        "foreign",
        "defense",
        "state",
        "interior",
        "finance",
    ]
)  # Things that carry words but do not speak: their owner is the speaker, when named.
DOCUMENTS = frozenset(
    [
        "statement",
        "letter",
        "report",
        "ad",
        "advertisement",
        "spot",
        "speech",
        "email",
        "tweet",
        "post",
        "release",
        "memo",
        "filing",
        "document",
        "study",
        "survey",
        "poll",
        "article",
        "piece",
        "video",
        "book",
        "column",
        "op-ed",
        "editorial",
        "interview",
        "debate",
        "remark",
        "remarks",
        "comment",
        "comments",
        "transcript",
        "message",
        "note",
    ]
)
# The last words of institutions' names, which are never people's surnames.
INSTITUTIONS = frozenset(
    [
        "authority",
        "ministry",
        "department",
        "agency",
        "company",
        "corporation",
        "council",
        "committee",
        "party",
        "group",
        "union",
        "association",
        "institute",
        "university",
        "college",
        "school",
        "court",
        "government",
        "office",
        "bank",
        "fund",
        "foundation",
        "commission",
        "board",
        "police",
        "army",
        "navy",
        "force",
        "forces",
        "service",
        "news",
        "times",
        "post",
        "journal",
        "network",
        "channel",
        "press",
        "bureau",
        "center",
        "centre",
        "trust",
        "league",
        "club",
        "team",
    ]
)
_QUANTIFIERS = frozenset(
    [
        "some",
        "many",
        "several",
        "few",
        "most",
        "all",
        "other",
        "both",
        "any",
        "each",
        "one",
        "two",
        "three",
        "four",
        "five",
        "every",
        "certain",
        "various",
        "numerous",
    ]
)
_GROUP_PARTS = frozenset({"compound", "amod", "nmod", "poss", "case", "npadvmod"})
_ROLE_EDGE = frozenset(",;:—–-()'\"“”‘’")


def clean_name(span: Span) -> str:
    """The words of a name as written, without leading titles or a trailing possessive."""
    tokens = [t for t in span if t.tag_ != "POS" and not t.is_space]
    while len(tokens) > 1 and tokens[0].lower_.rstrip(".") in TITLES:
        tokens = tokens[1:]
    while tokens and tokens[0].is_punct:
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct and tokens[-1].text != ".":
        tokens = tokens[:-1]
    text = " ".join("".join(t.text + t.whitespace_ for t in tokens).split())
    for suffix in ("'s", "’s"):
        text = text.removesuffix(suffix)
    return text.strip()


def role_at(doc: Doc, start: int, end: int) -> str | None:
    """The role a mention gives its person: an apposition, or the words before the name."""
    head = doc[start:end].root
    for child in head.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN":
            return _role_text(doc, child.left_edge.i, child.right_edge.i + 1)
    titles = [t for t in doc[start:end] if t.lower_.rstrip(".") in TITLES and t.i < head.i]
    left = min([t.i for t in titles], default=start)
    before = _role_text(doc, head.left_edge.i, start) if head.left_edge.i < start else None
    title = _role_text(doc, left, titles[-1].i + 1) if titles else None
    return " ".join(part for part in (before, title) if part) or None


def _role_text(doc: Doc, start: int, end: int) -> str | None:
    tokens = list(doc[start:end])
    while tokens and (tokens[0].dep_ in ("det", "predet") or tokens[0].text in _ROLE_EDGE):
        tokens = tokens[1:]
    while tokens and tokens[-1].text in _ROLE_EDGE:
        tokens = tokens[:-1]
    if not tokens or any(t.pos_ in ("VERB", "AUX") for t in tokens):
        return None
    return doc[tokens[0].i : tokens[-1].i + 1].text


def document_owner(token: Token) -> Token | None:
    """Whose a document is: "Smith's letter", "a statement from the ministry"."""
    for child in token.children:
        if child.dep_ == "poss" and child.pos_ != "PRON":
            return child
        if child.dep_ == "compound" and child.pos_ == "PROPN":
            return _phrase_end(child, token.i)
        if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects and objects[0].lemma_.lower() not in DOCUMENTS:
                return objects[0]
    return None


def _phrase_end(token: Token, before: int) -> Token:
    """The last proper noun of the run ``token`` starts, before index ``before``
    ("Homeland Security" of "a Homeland Security memo")."""
    while token.i + 1 < before and token.nbor(1).pos_ == "PROPN":
        token = token.nbor(1)
    return token


def apposed_name(token: Token) -> Token | None:
    """The name in "a spokesman, Jane Doe, said", where the noun heads the subject."""
    for child in token.children:
        if child.dep_ == "appos" and child.pos_ == "PROPN":
            return child
    return None


def group_words(token: Token) -> str:
    """A group's or institution's own words: modifiers and the noun, nothing around them."""
    keep = [token]
    for child in token.lefts:
        if child.dep_ in _GROUP_PARTS and child.lower_ not in _QUANTIFIERS:
            keep.extend(child.subtree)
    keep = [t for t in keep if t.dep_ not in ("det", "predet") and t.lower_ not in _QUANTIFIERS]
    keep.sort(key=lambda t: t.i)
    if not keep:
        return ""
    first = keep[0]
    words = first.text
    for previous, token in itertools.pairwise(keep):
        joint = previous.whitespace_ if token.i == previous.i + 1 else " "
        words += ("" if token.tag_ == "POS" else joint) + token.text
    if first.pos_ == "NOUN" and first.is_title and first.is_sent_start:
        words = first.lower_ + words[len(first.text) :]
    return words


def group_extent(token: Token) -> tuple[int, int]:
    """Character offsets of a group mention: the noun with its modifiers and conjuncts."""
    doc = token.doc
    tokens = [token, *(c for c in token.children if c.dep_ in ("conj", *_GROUP_PARTS))]
    first = min(min(t.left_edge.i for t in tokens), token.i)
    last = max(t.i for t in tokens)
    while first < last and doc[first].dep_ in ("det", "predet", "cc"):
        first += 1
    return doc[first].idx, doc[last].idx + len(doc[last])
