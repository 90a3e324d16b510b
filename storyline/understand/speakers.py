"""Who a source mention is: a person's full name and role, an institution, or a group.

A person is named in full wherever the article names them in full once: a bare surname
("Samus said") becomes the full name given anywhere in the article ("Mykhailo Samus"),
whatever label the entity recogniser gave the bare word. A person's role is the apposition
("X, a military analyst, said") or the words before the name ("defense expert X", "President
X") at that mention, or else at the first mention that gives one. A pronoun is the latest
speaker or named subject before it. Institutions and groups keep their own words without
articles, quantifiers and trailing modifiers ("Soldiers on the ground" -> "soldiers"); a
group that coordinates "others" with something borrows the latest group's noun for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import DEP, POS
from spacy.symbols import PROPN, appos, nsubj

from storyline.understand.roles import (
    DOCUMENTS,
    INSTITUTIONS,
    TITLES,
    apposed_name,
    clean_name,
    document_owner,
    group_extent,
    group_words,
    role_at,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


_NOT_SPEAKERS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
_PLACES = frozenset({"GPE", "LOC", "FAC", "NORP", "DATE", "TIME", "EVENT", "PRODUCT"})
_PERSONAL = frozenset({"he", "she", "him", "her"})
_PLURAL = frozenset({"they", "them", "we"})
_OTHERS = frozenset({"others", "other"})
_UNNAMED = frozenset({"it", "this", "that", "these", "those", "what", "which", "who", "i", "you"})
_NAME_PARTS = frozenset({"compound", "flat", "nmod", "appos"})


@dataclass(frozen=True)
class Speaker:
    """A resolved speaker; ``start``/``end`` are the character offsets of its mention."""

    name: str
    role: str | None
    start: int
    end: int
    person: bool
    plural: bool = False
    proper: bool = False


@dataclass
class Speakers:
    """The speakers of one article, resolved in text order.

    Build it once per article, then call :meth:`resolve` for each source in text order
    and :meth:`remember` with each speaker found, so pronouns point back correctly.
    """

    doc: Doc
    quoted: list[tuple[int, int]] = field(default_factory=list)
    _surnames: dict[str, list[str]] = field(default_factory=dict)
    _roles: dict[str, str] = field(default_factory=dict)
    _subjects: list[tuple[int, Speaker]] = field(default_factory=list)
    _history: list[tuple[int, Speaker]] = field(default_factory=list)
    _proper_subjects: list[Token] = field(default_factory=list)

    def __post_init__(self) -> None:
        tags = self.doc.to_array([DEP, POS])
        proper = tags[:, 1] == PROPN
        found = numpy.flatnonzero(proper & ((tags[:, 0] == nsubj) | (tags[:, 0] == appos)))
        self._proper_subjects = [self.doc[int(i)] for i in found]
        for start, end in self._person_mentions():
            name = clean_name(self.doc[start:end])
            if len(name.split()) >= 2:
                self._learn(name, start, end)
        self._subjects = self._named_subjects()

    def resolve(self, head: int) -> Speaker | None:
        """The speaker that the source whose head token is ``head`` names."""
        token = self.doc[head]
        lower = token.lower_
        if token.pos_ == "PRON" and lower not in _OTHERS:
            return self._pronoun(token) if lower in _PERSONAL | _PLURAL else None
        if lower in _UNNAMED or token.ent_type_ in _NOT_SPEAKERS:
            return None
        if token.lemma_.lower() in DOCUMENTS:
            owner = document_owner(token)
            return None if owner is None else self.resolve(owner.i)
        if token.pos_ == "NOUN":
            named = apposed_name(token)
            if named is not None:
                return self._person(named, token)
            return self._group(token)
        return self._person(token, None) or self._group(token)

    def remember(self, speaker: Speaker) -> None:
        """Record ``speaker`` as having spoken at its mention."""
        self._history.append((speaker.start, speaker))

    def last_before(self, position: int) -> Speaker | None:
        """The latest speaker remembered before character ``position``."""
        earlier = [s for at, s in self._history if at < position]
        return earlier[-1] if earlier else None

    # People -------------------------------------------------------------------------

    def _person_mentions(self) -> list[tuple[int, int]]:
        mentions = [(e.start, e.end) for e in self.doc.ents if e.label_ == "PERSON"]
        for token in self._proper_subjects:
            if token.ent_type_ not in _PLACES and _looks_personal(token):
                mentions.append(_name_span(token))
        return sorted(set(mentions))

    def _learn(self, name: str, start: int, end: int) -> None:
        names = self._surnames.setdefault(name.split()[-1].lower(), [])
        if name not in names:
            names.append(name)
        if name not in self._roles:
            role = role_at(self.doc, start, end)
            if role:
                self._roles[name] = role

    def _full_name(self, name: str) -> str | None:
        """``name`` in full, when the article names one person with that surname."""
        words = name.split()
        if len(words) >= 2:
            longer = [n for n in self._surnames.get(words[-1].lower(), []) if n.endswith(name)]
            return longer[0] if longer else None
        known = self._surnames.get(name.lower(), [])
        return known[0] if len(known) == 1 else None

    def _person(self, token: Token, described: Token | None) -> Speaker | None:
        if token.pos_ != "PROPN":
            return None
        start, end = _name_span(token)
        said = clean_name(self.doc[start:end])
        name = self._full_name(said)
        if name is None:
            if token.ent_type_ != "PERSON" and (token.ent_type_ or not _looks_personal(token)):
                return None
            name = said
        role = role_at(self.doc, start, end) or self._roles.get(name)
        if described is not None:
            role = group_words(described) or role
        span = self.doc[start:end]
        return Speaker(name, role, span.start_char, span.end_char, person=True)

    def named(self, words: str, start: int, end: int) -> Speaker:
        """The person a bare label names ("PENCE", "Samus"), in full when the article says."""
        name = self._full_name(words) or (words.title() if words.isupper() else words)
        return Speaker(name, self._roles.get(name), start, end, person=True)

    def most_named(self, before: int) -> Speaker | None:
        """The person named most often before character ``before`` (an interview's guest)."""
        counts: dict[str, int] = {}
        for entity in self.doc.ents:
            if entity.label_ == "PERSON" and entity.start_char < before:
                name = self._full_name(clean_name(entity))
                if name is not None:
                    counts[name] = counts.get(name, 0) + 1
        if not counts:
            return None
        name = max(counts, key=lambda n: counts[n])
        return Speaker(name, self._roles.get(name), before, before, person=True)

    def _named_subjects(self) -> list[tuple[int, Speaker]]:
        subjects = []
        for token in self._proper_subjects:
            speaker = self._person(token, None)
            inside = any(a <= token.idx < b for a, b in self.quoted)
            if speaker is not None and not inside:
                subjects.append((speaker.start, speaker))
        return subjects

    def _pronoun(self, token: Token) -> Speaker | None:
        """The latest speaker or named subject before ``token`` that agrees in number."""
        plural = token.lower_ in _PLURAL
        candidates = [
            (at, s)
            for at, s in [*self._history, *self._subjects]
            if at < token.idx and _agrees(s, plural)
        ]
        if not candidates and not plural:
            candidates = self._mentioned_before(token.idx)
        if not candidates:
            return None
        _, antecedent = max(candidates, key=lambda pair: pair[0])
        return replace(antecedent, start=token.idx, end=token.idx + len(token))

    def _mentioned_before(self, position: int) -> list[tuple[int, Speaker]]:
        """People named anywhere before ``position`` outside quotes: the last resort for "she"
        when nobody has spoken or been a subject yet."""
        found = []
        for entity in self.doc.ents:
            inside = any(a <= entity.start_char < b for a, b in self.quoted)
            if entity.label_ == "PERSON" and entity.start_char < position and not inside:
                speaker = self._person(entity.root, None)
                if speaker is not None:
                    found.append((speaker.start, speaker))
        return found

    # Groups and institutions ----------------------------------------------------------

    def _group(self, token: Token) -> Speaker | None:
        parts = [token, *(c for c in token.children if c.dep_ == "conj")]
        names = []
        for part in parts:
            if part.lower_ in _OTHERS:
                earlier = self._latest_group()
                names.append(earlier.name.split(" and ")[0] if earlier else part.lower_)
            else:
                names.append(group_words(part))
        name = " and ".join(n for n in names if n)
        if not name:
            return None
        start, end = group_extent(token)
        plural = len(parts) > 1 or token.tag_ in ("NNS", "NNPS")
        proper = token.pos_ == "PROPN" or bool(token.ent_type_)
        return Speaker(name, None, start, end, person=False, plural=plural, proper=proper)

    def _latest_group(self) -> Speaker | None:
        groups = [s for _, s in self._history if not s.person]
        return groups[-1] if groups else None


def _agrees(speaker: Speaker, plural: bool) -> bool:
    """Whether "they" (``plural``) or "he"/"she" can point back to ``speaker``."""
    if plural:
        return speaker.plural or (speaker.proper and not speaker.person)
    return speaker.person or not (speaker.plural or speaker.proper)


def _looks_personal(token: Token) -> bool:
    """Whether the proper name ``token`` heads reads as a person's: two or three capitalised
    words, the last not an institution's noun ("Authority", "Ministry")."""
    start, end = _name_span(token)
    words = [t for t in token.doc[start:end] if t.lower_.rstrip(".") not in TITLES]
    return (
        2 <= len(words) <= 3
        and all(t.text[:1].isupper() for t in words)
        and words[-1].lower_ not in INSTITUTIONS
    )


def _name_span(token: Token) -> tuple[int, int]:
    """Token range of the proper name ``token`` heads: its entity, or its run of PROPNs."""
    doc = token.doc
    if token.ent_type_ == "PERSON":
        start, end = token.i, token.i + 1
        while start > 0 and doc[start].ent_iob_ == "I":
            start -= 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        return start, end
    start = token.i
    while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ in _NAME_PARTS:
        start -= 1
    return start, token.i + 1
