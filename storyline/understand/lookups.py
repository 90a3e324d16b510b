"""Names spaCy's small model left out of every entity, found by looking for them.

Four kinds of names are missed often enough in news to look for: the dateline's city in
capitals ("KESTREL BAY, Norland —"), a region written with its region word ("in Bilozirka
Oblast"), an organisation written as a capitalised phrase around a word like "Center" or
"Headquarters" ("the Center for Frontline Studies"), and a place the gazetteer knows ("In
Kyiv, ..."). Each is looked for only where no candidate already is, among capitalised
tokens, so a look costs a pass over the tokens and no search of the text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from storyline.understand.names import CALENDAR, ORG, ORG_WORDS, PLACE, word_set
from storyline.understand.places import (
    REGION_WORDS,
    canonical_place,
    is_demonym,
    place_first_words,
)
from storyline.understand.words import Words

_DATELINE_END = frozenset({",", "(", "—", "–", "-"})
_CONNECTORS = frozenset({"of", "for", "and", "the", "on", "-"})
_FUNCTION_WORDS = word_set(
    "the a an in on at for from to of by with and but as after before when while if since "
    "during near"
)
_LONGEST_PLACE = 4  # words in the longest gazetteer name ("United States of America")

Found = tuple[int, int, str]


def find_unlabelled(words: Words, covered: Sequence[bool]) -> list[Found]:
    """``(first token, last token, type)`` of names outside every candidate, in text order."""
    found = [
        *_datelines(words, covered),
        *_regions(words, covered),
        *_organisations(words, covered),
        *_gazetteer_places(words, covered),
        *_acronyms(words, covered),
    ]
    kept: list[Found] = []
    for item in sorted(found):
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept


def _shouted(words: Words, i: int) -> bool:
    """A word in capitals ("KYIV", "U.S."), not a single letter."""
    word = words.text[i]
    return words.upper[i] and len(word) > 1 and word.replace(".", "").isalpha()


def _free(covered: Sequence[bool], first: int, last: int) -> bool:
    return not any(covered[first:last])


def _datelines(words: Words, covered: Sequence[bool]) -> Iterator[Found]:
    """The city in capitals that opens a paragraph before a comma, bracket or dash, and the
    agency in brackets after it and its country ("KESTREL BAY, Norland (Harbor Line) —")."""
    n = len(words)
    for first in range(n):
        if not words.opens_paragraph[first] or not _shouted(words, first):
            continue
        last = first
        while last < n and _shouted(words, last):
            last += 1
        if last < n and words.text[last] in _DATELINE_END and _free(covered, first, last):
            yield first, last, PLACE
        opening = last
        if opening < n and words.text[opening] == ",":
            opening += 1
            while opening < min(n, last + 4) and words.title[opening]:
                opening += 1
        agency = _bracketed(words, opening)
        if agency is not None and _free(covered, *agency):
            yield agency[0], agency[1], ORG


def _bracketed(words: Words, opening: int) -> tuple[int, int] | None:
    """The words between a bracket at ``opening`` and its close, when a dash follows."""
    n = len(words)
    if opening >= n or words.text[opening] != "(":
        return None
    close = opening + 1
    while close < min(n, opening + 6) and words.text[close] != ")":
        close += 1
    dash = words.text[close + 1] if close + 1 < n else ""
    if close < n and words.text[close] == ")" and dash in _DATELINE_END and close > opening + 1:
        return opening + 1, close
    return None


def _regions(words: Words, covered: Sequence[bool]) -> Iterator[Found]:
    """Regions by their region word: "Bilozirka Oblast", "the Tesna region"."""
    for i, word in enumerate(words.lower):
        if word not in REGION_WORDS or i == 0 or covered[i]:
            continue
        first = i
        while first > 0 and first > i - 3 and _name_word(words, first - 1, covered):
            first -= 1
        if first < i:
            yield first, i + 1, PLACE


def _name_word(words: Words, i: int, covered: Sequence[bool]) -> bool:
    return (
        words.title[i]
        and not covered[i]
        and words.lower[i] not in _FUNCTION_WORDS
        and not is_demonym(words.text[i])
    )


def _organisations(words: Words, covered: Sequence[bool]) -> Iterator[Found]:
    """Capitalised phrases with an organisation word ("Center", "Headquarters") in them."""
    n, i = len(words), 0
    while i < n:
        if not words.title[i] or covered[i]:
            i += 1
            continue
        last = i
        while last < n and not covered[last] and _org_phrase_word(words, last):
            last += 1
        while last > i and words.lower[last - 1] in _CONNECTORS:
            last -= 1
        titled = [j for j in range(i, last) if words.title[j]]
        headline = any(words.lower[j] in _FUNCTION_WORDS for j in titled[1:])
        if len(titled) > 1 and not headline and any(words.lower[j] in ORG_WORDS for j in titled):
            yield i, last, ORG  # a headline capitalises its "For" and "In"; names do not
        i = max(last, i + 1)


def _org_phrase_word(words: Words, i: int) -> bool:
    """A capitalised word, or connectors before one ("for the Treatment of Prisoners")."""
    while i < len(words) and words.lower[i] in _CONNECTORS:
        i += 1
    return i < len(words) and words.title[i] and words.lower[i] not in CALENDAR


def _acronyms(words: Words, covered: Sequence[bool]) -> Iterator[Found]:
    """An acronym in brackets right after a name: "Bread and Water International (BWI)"."""
    for i in range(2, len(words) - 1):
        bracketed = words.text[i - 1] == "(" and words.text[i + 1] == ")"
        acronym = words.upper[i] and words.alpha[i] and len(words.text[i]) > 1
        if bracketed and acronym and covered[i - 2] and not covered[i]:
            yield i, i + 1, ORG


def _gazetteer_places(words: Words, covered: Sequence[bool]) -> Iterator[Found]:
    """Places the gazetteer knows, alone: not "Paris" in "Paris Hilton"."""
    first_words = place_first_words()
    i = 0
    while i < len(words):
        if words.lower[i] not in first_words or covered[i]:
            i += 1
            continue
        if not (words.title[i] or _shouted(words, i)):
            i += 1
            continue
        last = _longest_place(words, i, covered)
        if last and _alone(words, i, last):
            yield i, last, PLACE
            i = last
        else:
            i += 1


def _longest_place(words: Words, first: int, covered: Sequence[bool]) -> int:
    for last in range(min(len(words), first + _LONGEST_PLACE), first, -1):
        if _free(covered, first, last) and canonical_place(" ".join(words.text[first:last])):
            return last
    return 0


def _alone(words: Words, first: int, last: int) -> bool:
    """Whether no other capitalised word joins the name on either side."""
    if last < len(words) and words.title[last] and words.propn[last]:
        return False
    before = first - 1
    return not (
        before >= 0
        and words.title[before]
        and words.propn[before]
        and words.lower[before] not in _FUNCTION_WORDS
    )
