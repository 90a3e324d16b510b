"""Evidence of what kind of thing a name is: person, organisation or place.

Every mention of a name gets votes from spaCy's label and from the words around it;
:mod:`storyline.understand.entities` adds the votes of all mentions of one name, so one
clear context ("Governor Irina Belousova", "the village of Tarnivka") types every mention.

spaCy's label counts 1, a one-word person 0.5 since that is where the small model errs most
("Kyiv had postponed", "according to Mykula"). A title or role word before the name votes
person, a region word after it or the gazetteer votes place, "in"/"near"/"village of" before
it vote place, words like "Ministry" or "Group" in it vote organisation and "River" or
"Square" at its end place, and names in one
list lean to the kind most of the others are. The weights are round numbers that order the
evidence by how rarely it misleads: a region word almost never, a locative preposition often.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from storyline.understand.names import (
    ORG,
    ORG_WORDS,
    PERSON,
    PLACE,
    PLACE_WORDS,
    ROLE_WORDS,
    is_capitalised,
    is_honorific,
    word_set,
)
from storyline.understand.places import is_country, region_word
from storyline.understand.spans import POSSESSIVE
from storyline.understand.words import Words

if TYPE_CHECKING:
    from storyline.understand.mentions import Candidate

Votes = defaultdict[str, float]
KINDS = (PLACE, PERSON, ORG)  # the order breaks a tie of votes

SPACY_VOTE = 1.0
SINGLE_PERSON_VOTE = 0.5
TITLE_VOTE = 4.0
REGION_VOTE = 5.0
GAZETTEER_VOTE = 3.0
_PLACE_NOUN_VOTE = 3.0
_DATELINE_VOTE = 3.0
_AGENCY_VOTE = 3.0
_ORG_WORD_VOTE = 3.0
_PLACE_WORD_VOTE = 3.0
_LOCATIVE_VOTE = 2.0
_NOUN_AFTER_VOTE = 2.0
_LIST_VOTE = 1.5
_ENDING_VOTE = 1.0

_LOCATIVE = word_set("in near outside into across around inside towards toward throughout within")
# "the village of X", "two nearby villages, X and Y", "the border with X".
_PLACE_NOUNS = word_set(
    "village villages town towns city cities region oblast province district capital "
    "settlement settlements outskirts suburb suburbs port island border"
)
_PLACE_LINKS = frozenset({"of", "with", ",", ":"})
# "the road to X", "flights from X".
_ROUTE_NOUNS = word_set("road roads route routes highway railway flights flight trip way")
_ROUTE_LINKS = frozenset({"to", "from", "toward", "towards"})
# Lower-case nouns that, set before a name with a comma, make it an organisation
# ("The contractor, Stepove Budivnytstvo, ...").
_ORG_NOUNS = word_set(
    "company firm contractor lender bank group watchdog agency broadcaster channel newspaper "
    "outlet party union charity manufacturer maker operator carrier insurer startup"
)
_PLACE_AFTER = word_set(
    "airport airports airfield airbase port bridge dam station border highway city town "
    "village villages oblast region terminal crossing checkpoint"
)
_COMPANY_AFTER = word_set("plant factory refinery company conglomerate works shipyard")
# Endings of place names in Ukraine, Russia and their neighbours, and a few elsewhere
# ("Horivka", "Kalmiusk", "Vnukovo", "Volgograd"); surnames rarely end so.
_PLACE_ENDINGS = tuple(
    word_set(
        "ivka ovka evka yivka ivske grad gorod horod opol burg ville stan abad polis "
        "insk ansk ensk etsk itsk yansk ovo evo yevo"
    )
)
_DASHES = frozenset({"—", "–", "-"})
_LIST_GLUE = frozenset({",", "and", "or", "&"})


def new_votes() -> Votes:
    return defaultdict(float)


def add_votes(target: Votes, source: Votes) -> None:
    for kind, weight in source.items():
        target[kind] += weight


def winner(votes: Votes) -> str | None:
    """The kind with the most votes, or None when nothing voted."""
    best = max(KINDS, key=lambda kind: votes.get(kind, 0.0))
    return best if votes.get(best, 0.0) > 0 else None


def vote_by_context(words: Words, first: int, last: int, name: str, votes: Votes) -> None:
    """Votes from the words around the name of tokens ``first:last`` and inside it."""
    prev, prev2 = words.before(first, 1), words.before(first, 2)
    nxt, nxt2 = words.at(last).lower(), words.at(last + 1)
    if prev and (is_honorific(prev) or (prev.islower() and prev in ROLE_WORDS)):
        votes[PERSON] += TITLE_VOTE
    elif prev == "," and (is_honorific(prev2) or prev2.lower() in ROLE_WORDS):
        votes[PERSON] += TITLE_VOTE  # "Its spokesman, Karim Bazzi"
    elif prev == "," and prev2 in _ORG_NOUNS:
        votes[ORG] += TITLE_VOTE  # "The contractor, Stepove Budivnytstvo"
    elif prev == "," and prev2.isupper() and prev2.isalpha():
        votes[PLACE] += _DATELINE_VOTE  # "KESTREL BAY, Norland —"
    if nxt == "," and _role_follows(words, last + 1):
        votes[PERSON] += TITLE_VOTE  # "Ilse Varga, the town's mayor," / "X, who chairs"
    if prev.lower() in _LOCATIVE and nxt not in POSSESSIVE:
        votes[PLACE] += _LOCATIVE_VOTE
    if prev == "(" and nxt == ")" and nxt2 in _DASHES:
        votes[ORG] += _AGENCY_VOTE  # "MOSCOW (Northline Wire) —"
    if nxt in _PLACE_AFTER:
        votes[PLACE] += _NOUN_AFTER_VOTE
    elif nxt in _COMPANY_AFTER:
        votes[ORG] += _NOUN_AFTER_VOTE
    if any(w.lower() in ORG_WORDS for w in name.split() if is_capitalised(w)):
        votes[ORG] += _ORG_WORD_VOTE
    if " " in name and name.split()[-1].lower() in PLACE_WORDS:
        votes[PLACE] += _PLACE_WORD_VOTE  # "Syvash River", "Freedom Square"
    if " " not in name and name.lower().endswith(_PLACE_ENDINGS):
        votes[PLACE] += _ENDING_VOTE


def _role_follows(words: Words, start: int) -> bool:
    """Whether the appositive from token ``start`` names a person's role: "who chairs …",
    "the mayor of …", "Velmora's deputy mayor", "a senior official" (up to five words,
    up to the next comma or full stop)."""
    if words.at(start).lower() == "who":
        return True
    for index in range(start, start + 5):
        word = words.at(index)
        if word in {",", ".", ";", ""}:
            return False
        if word.islower() and word in ROLE_WORDS:
            return True
        if not (word.islower() or word.istitle() or word in POSSESSIVE):
            return False  # a number, a quote mark, a bracket: not an appositive role
    return False


def vote_by_lists(words: Words, candidates: Sequence[Candidate]) -> None:
    """Names in one list are of one kind: "the Belgorod, Bryansk and Tula regions" and "the
    regions of Bryansk and Kaluga" are regions (and so named), "the villages of X and Y"
    places, and "Pokrovsk, Chasiv Yar, Toretsk" places when most of them are."""
    run: list[Candidate] = []
    for candidate in [*candidates, None]:
        if candidate is not None and run and _glued(words, run[-1], candidate):
            run.append(candidate)
            continue
        if run:
            _vote_run(words, run)
        run = [candidate] if candidate is not None else []


def _glued(words: Words, left: Candidate, right: Candidate) -> bool:
    gap = words.text[left.last : right.first]
    return 0 < len(gap) <= 2 and all(w in _LIST_GLUE for w in gap)


def _vote_run(words: Words, run: Sequence[Candidate]) -> None:
    region = _shared_region_word(words, run)
    if region is not None:
        for member in run:
            if region_word(member.name.split()[-1]) is None and not is_country(member.name):
                member.name = f"{member.name} {region}"  # "Crimea" is a region already
                member.votes[PLACE] += REGION_VOTE
    link, noun = words.before(run[0].first, 1), words.before(run[0].first, 2).lower()
    if (link in _PLACE_LINKS and noun in _PLACE_NOUNS) or (
        link in _ROUTE_LINKS and noun in _ROUTE_NOUNS
    ):
        for member in run:
            member.votes[PLACE] += _PLACE_NOUN_VOTE
    if len(run) < 3:
        return
    for member in run:
        others = new_votes()
        for other in run:
            if other is not member:
                add_votes(others, other.votes)
        kind = winner(others)
        if kind is not None:
            member.votes[kind] += _LIST_VOTE


def _shared_region_word(words: Words, run: Sequence[Candidate]) -> str | None:
    """The region word a list shares: plural after it ("... and Tula regions") or before it
    with "of" ("the regions of Bryansk, Belgorod")."""
    after = words.at(run[-1].last)
    region = region_word(after)
    if region is not None and after.lower() != region.lower() and len(run) > 1:
        return region
    if words.before(run[0].first, 1) == "of":
        return region_word(words.before(run[0].first, 2))
    return None
