"""A rule-based sentence splitter for news text.

Cleaning works sentence by sentence (an appeal or a disclaimer inside a paragraph goes,
the rest stays), so the splitter must not cut at the full stops that news copy is full of:
"U.S. officials", "Lt. Gen. Alexander Zorin", "John F. Kennedy", "St. Peter's". It also
must cut after closing quotes (``said.'``, ``?"``), since quotes end many sentences.

The splitter only ever cuts at whitespace, so joining its sentences with single spaces
gives back a whitespace-normalised text unchanged: dropping a sentence leaves the others
exactly as they were.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from storyline.model import Block

# End punctuation, optional closing quotes or brackets, then the whitespace to cut at.
_ENDING = re.compile(r"(?P<punct>[.!?…]+)(?P<close>[\"'”’)\]]*)(?P<space>\s+)")
_OPENERS = "\"'“‘([«"
_LONGEST_WORD = 40
_ATTRIBUTION = re.compile(
    r"(?:[A-Z][\w'’.-]*\s+){1,3}(?:said|says|asked|asks|replied|added|told|wrote|shouted|"
    r"explained|recalled|continued|insisted|wondered)\b"
)


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one string, which keeps long vocabularies readable."""
    return frozenset(words.split())


# Abbreviations that are followed by a name or a number, never by a new sentence.
_NEVER_FINAL = _word_set(
    """mr mrs ms mx dr gov lt gen sen rep reps col maj capt sgt cpl pvt adm cmdr cdr
    st mt ft prof rev fr msgr hon pres supt det insp atty gens sens vs v cf al approx
    est dept univ ave blvd jan feb mar apr jun jul aug sep sept oct nov dec fig vol
    ch sec art para pp"""
)
# Written in lower case ("vs."); the others count only capitalised, so "art." may end one.
_LOWER_ABBREVIATIONS = _word_set("vs v cf approx pp")
# "No. 5" and "Nos. 3" are abbreviations; "said no." is a sentence end.
_NEVER_FINAL_EXACT = frozenset({"No", "Nos", "p"})
# Abbreviations that may or may not end a sentence ("in Washington, D.C." does).
_MAYBE_FINAL = _word_set("jr sr inc ltd co corp bros llc plc etc")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_INITIAL = re.compile(r"^[A-Z]$")
# Words that start sentences far more often than they follow an abbreviation. After an
# ambiguous abbreviation ("U.S.", "D.C.", an initial) a cut is made only before one of them.
_STARTERS = _word_set(
    """the a an he she it they we i you but and or so yet this that these those there
    here his her its their our my your in on at after before during when while if as
    however meanwhile still then also although though because since some many most
    one two three several officials police according no not what why how who where"""
)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order, each stripped of surrounding whitespace."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of each sentence of ``text``."""
    return list(_spans(text))


# Several cleaning stages split the same blocks: remember the last few hundred splits.
@functools.lru_cache(maxsize=256)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start = _skip_space(text, 0)
    for match in _ENDING.finditer(text):
        end = match.end("close")
        following = match.end()
        if end <= start or following >= len(text):
            continue
        if _is_boundary(text, match, following):
            spans.append((start, end))
            start = following
    tail = text[start:].rstrip()
    if tail:
        spans.append((start, start + len(tail)))
    return tuple(spans)


def remove_sentences(blocks: Iterable[Block], is_unwanted: Callable[[str], bool]) -> list[Block]:
    """Blocks without the sentences ``is_unwanted`` picks; blocks left empty are dropped."""
    kept: list[Block] = []
    for block in blocks:
        sentences = split_sentences(block.text)
        remaining = [sentence for sentence in sentences if not is_unwanted(sentence)]
        if len(remaining) == len(sentences):
            kept.append(block)
        elif remaining:
            kept.append(Block(block.kind, " ".join(remaining)))
    return kept


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _is_boundary(text: str, match: re.Match[str], following: int) -> bool:
    """Whether the end punctuation in ``match`` ends a sentence."""
    first = _first_letter(text, following)
    if first is None:
        return False
    if first.islower():
        return False
    punct, close = match["punct"], match["close"]
    if punct != ".":
        # "?", "!", "…", "...": a new sentence if what follows is not lower case, unless a
        # quoted question is followed by its speaker: '"Why not?" Vell asked.'
        return not (close and "." not in punct and _ATTRIBUTION.match(text, following))
    if close:
        # An abbreviation rarely sits right before a closing quote: `said.'`, `D.C."`.
        return True
    token = _word_before(text, match.start("punct"))
    next_word = _next_word(text, following)
    if token in _NEVER_FINAL_EXACT or (
        token.lower() in _NEVER_FINAL and (token[:1].isupper() or token in _LOWER_ABBREVIATIONS)
    ):
        return False
    if token.lower() in _MAYBE_FINAL or _DOTTED.match(token) or _INITIAL.match(token):
        return text[following] in _OPENERS or next_word.lower() in _STARTERS
    return True


def _word_before(text: str, end: int) -> str:
    """The word that ends at ``end``, without opening quotes or brackets: "U.S", "Gov"."""
    start = end
    while start > 0 and not text[start - 1].isspace() and end - start < _LONGEST_WORD:
        start -= 1
    return text[start:end].lstrip(_OPENERS)


def _first_letter(text: str, index: int) -> str | None:
    """The first character of the next sentence, past any opening quote or bracket.

    None when what follows cannot start a sentence (for example a dash or a comma).
    """
    while index < len(text) and text[index] in _OPENERS:
        index += 1
    if index >= len(text):
        return None
    char = text[index]
    if char.isalpha() or char.isdigit() or char in "$£€#@":
        return char
    return None


def _next_word(text: str, index: int) -> str:
    match = re.match(r"[\"'“‘(\[«]*(?P<word>[\w’'-]+)", text[index:])
    return match["word"] if match else ""
