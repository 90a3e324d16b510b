"""Where an article names people, organisations and places: spaCy's entities, repaired.

:func:`find_candidates` takes spaCy's entity spans, cuts each to the names it holds
(:mod:`.spans`), adds the names spaCy missed (:mod:`.lookups`), joins names spaCy cut in
two ("Volodymyr" + "Zelensky", "Federal Agency" + "for" + "Air Transport"), and gives each
mention the votes its context casts for its type (:mod:`.votes`). A mention keeps the name
it gives, which is not always its text: "Russia's Defense Ministry" names the "Russian
Defense Ministry", and "Tula" in "the Belgorod and Tula regions" the "Tula region".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from storyline.understand.lookups import find_unlabelled
from storyline.understand.names import (
    CALENDAR,
    ORG,
    ORG_WORDS,
    PARTICLES,
    PERSON,
    PLACE,
    is_honorific,
    is_institution,
    is_title,
)
from storyline.understand.places import (
    canonical_place,
    demonym_of,
    is_country,
    is_demonym,
    region_word,
)
from storyline.understand.spans import POSSESSIVE, Piece, name_pieces
from storyline.understand.votes import (
    GAZETTEER_VOTE,
    REGION_VOTE,
    SINGLE_PERSON_VOTE,
    SPACY_VOTE,
    TITLE_VOTE,
    Votes,
    add_votes,
    new_votes,
    vote_by_context,
    vote_by_lists,
)
from storyline.understand.words import Words

# NORP, PRODUCT and LAW spans are names only when other evidence types them ("according to
# Zorin", "the border with Vastria", "the National Anti-Corruption Bureau").
_LABELS = {
    "PERSON": PERSON,
    "ORG": ORG,
    "GPE": PLACE,
    "LOC": PLACE,
    "FAC": PLACE,
    "NORP": "",
    "PRODUCT": "",
    "LAW": "",
}


@dataclass
class Candidate:
    """One mention: tokens ``first:last``, characters ``start:end``, the name it gives."""

    first: int
    last: int
    start: int
    end: int
    name: str
    votes: Votes = field(default_factory=new_votes)


def find_candidates(doc: Doc, words: Words) -> list[Candidate]:
    """Every mention of a person, organisation or place in ``doc``, in text order;
    ``words`` is ``Words.of(doc)``."""
    candidates: list[Candidate] = []
    for ent in doc.ents:
        kind = _LABELS.get(ent.label_)
        if kind is None:
            continue
        for piece in name_pieces(words, ent.start, ent.end, kind):
            candidate = _candidate(words, piece)
            if candidate is not None:
                candidates.append(candidate)
    candidates = _join_split_people(words, candidates)
    candidates = _with_unlabelled(words, candidates)
    candidates = _join_organisations(words, candidates)
    vote_by_lists(words, candidates)
    return _without_expanded_terms(words, candidates)


def _with_unlabelled(words: Words, candidates: list[Candidate]) -> list[Candidate]:
    """``candidates`` and the names spaCy missed (:mod:`.lookups`), in text order."""
    covered = [False] * len(words)
    for candidate in candidates:
        covered[candidate.first : candidate.last] = [True] * (candidate.last - candidate.first)
    added = []
    for first, last, kind in find_unlabelled(words, covered):
        for piece in name_pieces(words, first, last, kind):
            found = _candidate(words, piece)
            if found is not None:
                added.append(found)
    return sorted([*candidates, *added], key=lambda c: c.first) if added else candidates


def _candidate(words: Words, piece: Piece) -> Candidate | None:
    """The mention of one piece with the votes its context gives, or None when it is not a
    name (a title, a demonym, a month, part of "Secretary of State")."""
    first, last, kind, titled = piece
    if first >= last:
        return None
    if kind == PERSON:
        while first > 0 and words.lower[first - 1] in PARTICLES and words.alpha[first - 1]:
            first -= 1  # "Van der Berg said": spaCy leaves the particles out
    prev, prev2 = words.before(first, 1), words.before(first, 2)
    if prev == "of" and is_honorific(prev2) and not canonical_place(words.span(first, last)):
        return None  # "Secretary of State", "Minister of Defence"
    last, region, suffix = _region(words, first, last)
    name = " ".join(words.span(first, last).split()) + suffix
    if kind == ORG and is_institution(name) and prev in POSSESSIVE and demonym_of(prev2):
        name = f"{demonym_of(prev2)} {name}"  # "Russia's Defense Ministry"
    single = last - first == 1
    if not _is_name(name) or (kind == PERSON and single and words.plural_proper[first]):
        return None  # a plural is a group of people ("Latinos"), not a person
    votes = new_votes()
    if kind:
        votes[kind] += SINGLE_PERSON_VOTE if kind == PERSON and single else SPACY_VOTE
    if titled:
        votes[PERSON] += TITLE_VOTE
    if region:
        votes[PLACE] += REGION_VOTE
    elif canonical_place(name):
        votes[PLACE] += GAZETTEER_VOTE
    vote_by_context(words, first, last, name, votes)
    return Candidate(first, last, words.offset[first], words.end(last - 1), name, votes)


def _region(words: Words, first: int, last: int) -> tuple[int, bool, str]:
    """Whether the name of tokens ``first:last`` is a region, where it ends and what to add
    to its text: "the Kursk region" takes in its region word, "Tula regional governor" names
    the "Tula region", and a plural ("the X and Y regions") is left to the list's vote."""
    if last - first > 1 and region_word(words.text[last - 1]):
        return last, True, ""
    after = words.at(last)
    region = region_word(after)
    if region is not None and after.lower() == region.lower():
        return last + 1, True, ""
    if after.lower() == "regional":
        return last, True, " region"
    return last, False, ""


def _is_name(name: str) -> bool:
    """Whether ``name`` can be a name: capitalised, not a month, title or demonym."""
    words = name.split()
    return (
        any(c.isupper() for c in name)
        and len(name) > 1
        and not all(w.lower() in CALENDAR or is_title(w) for w in words)
        and not is_demonym(name)
    )


def _join_split_people(words: Words, candidates: list[Candidate]) -> list[Candidate]:
    """One person where spaCy cut a name in two ("Volodymyr" + "Zelensky") or left the
    surname out of every entity."""
    joined: list[Candidate] = []
    for candidate in candidates:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.last == candidate.first
            and previous.votes[PERSON] > 0
            and candidate.votes[PERSON] > 0
        ):
            previous.last, previous.end = candidate.last, candidate.end
            previous.name = f"{previous.name} {candidate.name}"
            previous.votes[PERSON] += candidate.votes[PERSON]
            continue
        joined.append(candidate)
    for candidate in joined:
        if _leans(candidate, PERSON):
            _extend_person(words, candidate)
    return joined


def _leans(candidate: Candidate, kind: str) -> bool:
    """Whether ``kind`` has the most of the candidate's own votes."""
    return candidate.votes[kind] > 0 and candidate.votes[kind] >= max(candidate.votes.values())


def _extend_person(words: Words, candidate: Candidate) -> None:
    """Take in capitalised words after a person that no entity holds ("Emil" + "Kastehelmi")."""
    last = candidate.last
    while last < len(words) and words.outside[last] and words.title[last] and words.propn[last]:
        word = words.lower[last]
        if word in CALENDAR or word in ORG_WORDS or is_title(word):
            break
        last += 1
    if last > candidate.last:
        candidate.name = " ".join([candidate.name, *words.text[candidate.last : last]])
        candidate.last, candidate.end = last, words.end(last - 1)


def _join_organisations(words: Words, candidates: list[Candidate]) -> list[Candidate]:
    """One organisation where spaCy cut its name at "for" or "of" ("Federal Agency" "for"
    "Air Transport", "Fair Pay Coalition" "of" "Tennessee"), or where a country's name runs
    into it ("U.S." "Chamber of Commerce")."""
    joined: list[Candidate] = []
    for candidate in candidates:
        previous = joined[-1] if joined else None
        if previous is not None and _owns(previous, candidate):
            previous.name = f"{words.span(previous.first, previous.last)} {candidate.name}"
            previous.last, previous.end = candidate.last, candidate.end
            previous.votes = candidate.votes
            continue
        if previous is not None and _continues(words, previous, candidate):
            gap = words.span(previous.last, candidate.first)
            previous.name = f"{previous.name} {gap} {candidate.name}"
            previous.last, previous.end = candidate.last, candidate.end
            if _leans(candidate, ORG):
                add_votes(previous.votes, candidate.votes)
            continue
        joined.append(candidate)
    return joined


def _owns(previous: Candidate, candidate: Candidate) -> bool:
    """Whether a country's name runs straight into an organisation: "U.S. Chamber of
    Commerce", "China Coast Guard"."""
    return (
        previous.last == candidate.first
        and _leans(candidate, ORG)
        and is_country(previous.name)
        and " " in candidate.name
    )


def _continues(words: Words, previous: Candidate, candidate: Candidate) -> bool:
    """Whether ``candidate`` continues the organisation ``previous`` after "for" or "of"."""
    if not _leans(previous, ORG):
        return False
    gap = words.lower[previous.last : candidate.first]
    gap_is_lower = words.lower_case[candidate.first - 1]
    if not (0 < len(gap) <= 2 and gap[0] in ("for", "of") and gap_is_lower):
        return False
    if _leans(candidate, ORG):
        return True
    head = previous.name.split()[-1].lower()
    return gap == ["of"] and _leans(candidate, PLACE) and head in ORG_WORDS


def _without_expanded_terms(words: Words, candidates: list[Candidate]) -> list[Candidate]:
    """Drop acronyms that spell out lower-case words: "first-person-view (FPV) drones"."""
    terms = {
        c.name
        for c in candidates
        if c.name.isupper()
        and words.before(c.first, 1) == "("
        and c.first > 1
        and words.lower_case[c.first - 2]
    }
    return [c for c in candidates if c.name not in terms]
