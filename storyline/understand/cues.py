"""Reporting cues in a parsed article: who said something, through which word, and what.

A cue is a verb of saying ("said", "told", "added", "claiming") or the phrase "according
to". Its source is read from the dependency parse: the verb's subject, the subject of the
verb it hangs from ("..., claiming ..." shares the subject of the clause before it), the
noun a "who said" clause describes, or the object of "according to". Its content, when the
cue reports speech indirectly, is the clause it governs ("said that ..."), the clause the
attribution follows ("..., experts say"), or the rest of the sentence around "according to".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.strings import get_string_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Verbs that introduce what someone said, wrote or claimed.
SPEECH_VERBS = frozenset(
    [
        "say",
        "tell",
        "add",
        "explain",
        "note",
        "write",
        "ask",
        "answer",
        "reply",
        "respond",
        "state",
        "claim",
        "insist",
        "warn",
        "argue",
        "continue",
        "recall",
        "suggest",
        "tweet",
        "post",
        "declare",
        "announce",
        "admit",
        "acknowledge",
        "concede",
        "conclude",
        "comment",
        "remark",
        "observe",
        "report",
        "describe",
        "quip",
        "joke",
        "shout",
        "testify",
        "predict",
        "stress",
        "emphasize",
        "emphasise",
        "assert",
        "contend",
        "maintain",
        "allege",
        "confirm",
        "deny",
        "reveal",
        "promise",
        "vow",
        "urge",
        "complain",
        "boast",
        "lament",
        "mention",
        "caution",
        "estimate",
        "recount",
        "counter",
        "retort",
        "scoff",
        "muse",
        "wonder",
        "agree",
        "disagree",
        "cry",
        "yell",
        "whisper",
        "exclaim",
        "propose",
        "point",
    ]
)
# Verbs that give someone's own words as a name for something ("called it 'a disaster'"):
# cues for the quoted words, never for a clause of indirect speech.
NAMING_VERBS = frozenset(
    [
        "call",
        "dub",
        "label",
        "brand",
        "term",
        "characterize",
        "characterise",
        "describe",
        "condemn",
        "praise",
        "criticize",
        "criticise",
        "accuse",
        "dismiss",
        "rate",
        "cite",
        "hail",
        "blast",
        "slam",
        "denounce",
        "decry",
        "tout",
        "refer",
        "nickname",
    ]
)
# Verbs whose noun object or infinitive is itself the claim ("claiming the destruction").
_OBJECT_CLAIMS = frozenset(
    ["claim", "confirm", "announce", "acknowledge", "admit", "predict", "reveal", "allege"]
)
# Verbs that are cues only when used on their own ("she continued", not "continue to").
_BARE_ONLY = frozenset({"continue", "add", "point"})
_CUE_HASHES = numpy.array(
    [get_string_id(w) for w in SPEECH_VERBS | NAMING_VERBS], dtype=numpy.uint64
)
_ACCORDING = get_string_id("according")
_SUBJECTS = ("nsubj", "csubj")
_RELATIVE = frozenset(["who", "that", "which", "whom"])
_SHARED_SUBJECT = frozenset({"advcl", "xcomp", "conj", "pcomp"})
_CLAUSES = frozenset({"ccomp", "parataxis"})
_EDGE_PUNCT = frozenset(",;:—–-\"'“”‘’()")


@dataclass(frozen=True)
class Cue:
    """One reporting cue; token indices into the doc, ``end`` exclusive.

    ``source`` is the head token of who said it, ``None`` when the parse names nobody.
    ``content`` is the token range of the reported words for indirect speech, ``None`` when
    the cue governs no clause (as in "'...,' she said").
    """

    start: int
    end: int
    source: int | None
    content: tuple[int, int] | None


def find_cues(doc: Doc) -> list[Cue]:
    """Every reporting cue of ``doc``, in text order."""
    words = doc.to_array([LEMMA, LOWER])
    candidates = numpy.isin(words[:, 0], _CUE_HASHES) | (words[:, 1] == _ACCORDING)
    cues = []
    for index in numpy.flatnonzero(candidates):
        cue = _cue_at(doc[int(index)])
        if cue is not None:
            cues.append(cue)
    return cues


def _cue_at(token: Token) -> Cue | None:
    lower = token.lower_
    if lower == "according":
        return _according(token)
    lemma = token.lemma_.lower()
    if token.pos_ != "VERB" or lemma not in SPEECH_VERBS | NAMING_VERBS:
        return None
    if any(c.dep_ == "neg" and token.i - 3 <= c.i < token.i for c in token.children):
        return None  # "did not say": nothing was said
    if token.lemma_.lower() == "point" and not any(c.lower_ == "out" for c in token.children):
        return None
    if token.lemma_.lower() in _BARE_ONLY and any(c.dep_ == "xcomp" for c in token.children):
        return None
    source = _source(token)
    content = None if lemma in NAMING_VERBS else _content(token, source)
    return Cue(token.i, token.i + 1, source, content)


def _according(token: Token) -> Cue | None:
    """ "according to X": X is the source, the rest of the sentence the content."""
    to = next((c for c in token.children if c.lower_ == "to"), None)
    if to is None:
        following = token.nbor(1) if token.i + 1 < len(token.doc) else None
        to = following if following is not None and following.lower_ == "to" else None
    if to is None:
        return None
    objects = [c for c in to.children if c.dep_ == "pobj"]
    source = objects[0].i if objects else None
    phrase_end = max(t.i for t in to.subtree) + 1
    return Cue(token.i, to.i + 1, source, _around(token.sent, token.i, phrase_end))


def _source(verb: Token) -> int | None:
    """The head of who speaks through ``verb``, following shared and relative subjects."""
    current: Token | None = verb
    for _ in range(3):
        if current is None:
            return None
        subjects = [c for c in current.children if c.dep_ in _SUBJECTS]
        if subjects:
            subject = subjects[0]
            if subject.lower_ in _RELATIVE and current.dep_ == "relcl":
                return current.head.i
            return subject.i
        if current.dep_ == "relcl":
            return current.head.i
        if current.dep_ == "acl" and current.head.pos_ in ("NOUN", "PROPN"):
            return current.head.i  # "a spokesman, speaking on ..., said"
        if current is verb:
            named = _adjacent_name(verb)
            if named is not None:
                return named
        if current.dep_ not in _SHARED_SUBJECT or current.head is current:
            return None
        current = current.head
    return None


def _adjacent_name(verb: Token) -> int | None:
    """A name standing right before a subjectless verb, after a comma: in "..., Jane Doe, an
    analyst, told the paper" the parse may make the name part of the clause before."""
    doc = verb.doc
    for entity in reversed(doc.ents):
        if entity.end > verb.i or entity.label_ != "PERSON":
            continue
        if entity.start < verb.sent.start:
            return None
        between = doc[entity.end : verb.i]
        root = entity.root
        if all(t.is_punct or root in t.ancestors for t in between) and (
            entity.start == verb.sent.start or doc[entity.start - 1].text == ","
        ):
            return root.i
        return None
    return None


def _content(verb: Token, source: int | None) -> tuple[int, int] | None:
    """The token range of what ``verb`` reports, when it reports a clause or a claim."""
    clauses = [c for c in verb.children if c.dep_ in _CLAUSES]
    if verb.lemma_.lower() in _OBJECT_CLAIMS and not clauses:
        clauses = [c for c in verb.children if c.dep_ in ("dobj", "xcomp") and c.i > verb.i]
    if clauses and clauses[0].i > verb.i:
        clause = clauses[0]
        return _trimmed(verb.doc, clause.left_edge.i, clause.right_edge.i + 1)
    if clauses or _closes_sentence(verb, source):
        return _leading(verb, source)
    return None


def _leading(verb: Token, source: int | None) -> tuple[int, int] | None:
    """The content before an attribution ("..., experts say"): from the sentence start up
    to the attribution, which begins at the source's left edge (or the verb if inverted)."""
    attribution_start = verb.i
    if source is not None and source < verb.i:
        attribution_start = min(attribution_start, verb.doc[source].left_edge.i)
    return _trimmed(verb.doc, verb.sent.start, attribution_start)


def _closes_sentence(verb: Token, source: int | None) -> bool:
    """Whether "..., Samus says." ends the sentence after a comma, though the parse hung
    the clause before it elsewhere."""
    if source is None:
        return False
    doc = verb.doc
    start = min(doc[source].left_edge.i, verb.i)
    if start == 0 or doc[start - 1].text != "," or start - 1 <= verb.sent.start:
        return False
    rest = doc[verb.i + 1 : verb.sent.end]
    return all(
        t.is_punct or t.is_space or t.head.i == verb.i or t.head.head.i == verb.i for t in rest
    )


def _around(sent: Span, phrase_start: int, phrase_end: int) -> tuple[int, int] | None:
    """The larger side of ``sent`` around an "according to" phrase."""
    before = _trimmed(sent.doc, sent.start, phrase_start)
    after = _trimmed(sent.doc, phrase_end, sent.end)
    sides = [side for side in (before, after) if side is not None]
    if not sides:
        return None
    return max(sides, key=lambda side: side[1] - side[0])


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without edge punctuation, conjunctions and "that"; None if empty."""
    while start < end and (
        doc[start].text in _EDGE_PUNCT
        or doc[start].is_space
        or (doc[start].lower_ == "that" and doc[start].dep_ == "mark")
        or (doc[start].dep_ == "cc" and doc[start].i == doc[start].sent.start)
    ):
        start += 1
    while end > start and (
        doc[end - 1].text in _EDGE_PUNCT or doc[end - 1].is_space or doc[end - 1].text in ".?!"
    ):
        end -= 1
    return (start, end) if end > start else None
