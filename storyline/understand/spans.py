"""Cut spaCy's entity spans to the names they hold.

``en_core_web_sm`` gets the edges of names in news wrong in ways that repeat: a span runs
over a possessive or a title ("Ukraine's President Volodymyr Zelensky", "Kharkiv Mayor Igor
Terekhov"), two names share one span ("Belgorod, Bryansk"), or it takes in an article, a
common noun or a number ("the Kyiv Independent", "Sheremetyevo airport", "Trump's 1995").
:func:`name_pieces` returns the names in one span, each with the type spaCy gave it or the
one its title shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from storyline.understand.names import (
    CALENDAR,
    ORG,
    ORG_WORDS,
    PARTICLES,
    PERSON,
    PLACE,
    REGNAL,
    is_capitalised,
    is_honorific,
    is_institution,
    is_title,
)
from storyline.understand.places import canonical_place, is_demonym, region_word
from storyline.understand.words import Words

POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
_DETERMINERS = frozenset({"the", "a", "an"})
_EDGE_PUNCT = frozenset({"'", "’", "‘", '"', "“", "”", "-", "–", "—", "(", ")", ",", ":", ";"})
_SPLIT_ALL = frozenset({"/", ";", ",", "|"})


class Piece(NamedTuple):
    """A name in a span: tokens ``first:last``, its type ("" when unknown), and whether a
    title stood before it inside the span (which says it is a person)."""

    first: int
    last: int
    kind: str
    titled: bool = False


def name_pieces(words: Words, start: int, end: int, kind: str) -> Iterator[Piece]:
    """The names inside the span of tokens ``start:end`` that spaCy typed ``kind``."""
    for first, last in _split(words, start, end, kind):
        first, last = _trim(words, first, last)
        if first >= last:
            continue
        first, last, possessor = _after_possessive(words, first, last, kind)
        if possessor is not None:
            yield Piece(possessor[0], possessor[1], PLACE)
        first = _after_demonym(words, first, last, kind)
        yield from _titled(words, first, last, kind)


def _split(words: Words, start: int, end: int, kind: str) -> Iterator[tuple[int, int]]:
    """Ranges of one span cut at "/", "," and, outside organisations, "and", and where a
    word in capitals meets one in title case ("ENGLAND Benaud" in a caption)."""
    cuts = _SPLIT_ALL if kind == ORG else _SPLIT_ALL | {"and", "&"}
    first = start
    for i in range(start, end):
        if words.text[i] in cuts:
            yield first, i
            if kind == PERSON and words.text[i] == "/":
                return  # "Sergei Supinsky/AFP": what follows a person's slash is a credit
            first = i + 1
        elif i > first and _case_changes(words, i - 1, i):
            yield first, i
            first = i
    yield first, end


def _case_changes(words: Words, left: int, right: int) -> bool:
    """Whether one of two words is in capitals (and long enough not to be an acronym) and
    the other in title case."""
    return (_shouts(words, left) and words.title[right]) or (
        words.title[left] and _shouts(words, right)
    )


def _shouts(words: Words, i: int) -> bool:
    return words.upper[i] and words.alpha[i] and len(words.text[i]) > 3


def _trim(words: Words, first: int, last: int) -> tuple[int, int]:
    """Without leading articles and punctuation or a trailing possessive; a name begins
    and ends with a capitalised word ("pro-Clinton", "Sheremetyevo airport", "Trump 2016")."""
    proper = any(is_capitalised(words.text[i]) for i in range(first, last))
    while first < last and (
        words.lower[first] in _DETERMINERS
        or _is_edge(words, first)
        or (proper and first < last - 1 and _common_word(words, first))
    ):
        first += 1
    while last > first and (
        words.text[last - 1] in POSSESSIVE
        or _is_edge(words, last - 1)
        or (proper and last > first + 1 and _ends_no_name(words, last - 1))
    ):
        last -= 1
    return first, last


def _common_word(words: Words, i: int) -> bool:
    """A lower-case word that ends no name; region words do ("the Tesna region")."""
    return (
        words.lower_case[i]
        and region_word(words.text[i]) is None
        and words.lower[i] not in PARTICLES
    )


def _ends_no_name(words: Words, i: int) -> bool:
    return (_common_word(words, i) and not hyphenated(words, i)) or words.digit[i]


def hyphenated(words: Words, i: int) -> bool:
    """Whether token ``i`` is the second half of a hyphenated word ("Yu-han", "al-Rih")."""
    return i > 1 and words.text[i - 1] == "-" and not words.space[i - 2] and not words.space[i - 1]


def _is_edge(words: Words, i: int) -> bool:
    """Punctuation or space that a name cannot begin or end with."""
    return words.punct[i] or words.blank[i] or words.text[i] in _EDGE_PUNCT


def _after_possessive(
    words: Words, first: int, last: int, kind: str
) -> tuple[int, int, tuple[int, int] | None]:
    """Where the name is in a span with a possessive in it, and the possessor when it is a
    place the gazetteer knows: "Ukraine's President Volodymyr Zelensky" is a person after
    "Ukraine's"; "Trump's 1995 returns" is "Trump"; "St. Peter's Basilica" stays whole."""
    for i in range(first + 1, last - 1):
        if words.text[i] not in POSSESSIVE:
            continue
        if not is_capitalised(words.text[i + 1]):
            return first, i, None
        place = canonical_place(words.span(first, i))
        institution = kind == ORG and is_institution(words.span(i + 1, last))
        if place or institution or is_title(words.text[i + 1]):
            return i + 1, last, ((first, i) if place else None)
    return first, last, None


def _after_demonym(words: Words, first: int, last: int, kind: str) -> int:
    """Skip an adjective of nationality before a person or a place ("Ukrainian Kharkiv");
    organisations keep it ("Russian Foreign Ministry")."""
    if kind == ORG or canonical_place(words.span(first, last)):
        return first  # "Saudi Arabia", "South Africa"
    for width in (2, 1):
        if first + width < last and is_demonym(words.span(first, first + width)):
            return first + width
    return first


def _titled(words: Words, first: int, last: int, kind: str) -> Iterator[Piece]:
    """Split a title off the name: "Gen. Alexander Zorin" is a person, and "Kharkiv Mayor
    Igor Terekhov" is the place Kharkiv and the person Igor Terekhov."""
    for k in range(first, last - 1):
        word = words.text[k]
        if not is_honorific(word) or (k == first and kind != PERSON and word.lower() in REGNAL):
            continue
        name_first = k + 1
        while name_first < last - 1 and is_title(words.text[name_first]):
            name_first += 1
        if not _person_like(words, name_first, last, kind):
            continue
        owner_last = k
        while owner_last > first and is_title(words.text[owner_last - 1]):
            owner_last -= 1
        if owner_last > first:
            yield Piece(first, owner_last, PLACE if kind == PERSON else kind)  # "Memphis Mayor"
        if name_first == last - 1 and word.lower() in REGNAL:
            name_first = k  # "Pope Francis", "King Charles"
        yield Piece(name_first, _person_end(words, name_first, last), PERSON, titled=True)
        return
    if kind == PERSON:
        last = _person_end(words, first, last)
    yield Piece(first, last, kind)


def _person_like(words: Words, first: int, last: int, kind: str) -> bool:
    """Whether the words after a title are a person's name, not "General Staff"."""
    texts = words.text[first:last]
    if not all(is_capitalised(w) or w.lower() in PARTICLES or w == "-" for w in texts):
        return False
    return kind == PERSON or not any(w.lower() in ORG_WORDS or is_institution(w) for w in texts)


def _person_end(words: Words, first: int, last: int) -> int:
    """Where a person's name ends: before a lower-case word, a bracket or a weekday."""
    for i in range(first + 1, last):
        word = words.text[i]
        if word == "-" and i + 1 < last:
            continue  # "Samira al-Haddad", "Jean-Claude"
        if hyphenated(words, i):
            continue  # "Chen Yu-han", "Lin Wei-ting"
        if words.lower[i] in CALENDAR or word in _EDGE_PUNCT:
            return i
        if words.lower_case[i] and words.lower[i] not in PARTICLES:
            return i
    return last
