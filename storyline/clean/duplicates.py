"""Sentences and paragraphs that the body carries twice.

Copied pages repeat things: a paragraph pasted twice, a pull quote shown once bare and
once in the text with its attribution ("'…,' Okafor said."). Each is kept once: the
fuller copy (the one with more text, which has the attribution), where it stands; the
other copy is dropped. Two sentences are copies when they are equal once spacing,
case, punctuation and a trailing or leading attribution are set aside, or when they
differ by only a few characters. Short sentences ("He said no.") may legitimately
repeat and are never compared.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from storyline.clean.sentences import split_sentences
from storyline.model import Block, BlockKind, normalize_for_fingerprint

_MIN_WORDS = 6
_NEAR_RATIO = 0.95
# Near copies are looked for among sentences and short paragraphs; long ones must be equal.
_MAX_NEAR_CHARS = 2_000
# A cheap first test: near copies share most of their words.
_SHARED_WORDS = 0.75
_SPEECH = (
    r"(?:said|says|added|adds|explained|explains|noted|notes|wrote|writes|stated|states|"
    r"argued|argues|continued|insisted|warned|warns|recalled|told [^,.;]{1,60}?)"
)
_SPEAKER = r"(?:[\w'’.-]+\s+){0,5}?"
_TRAILING = re.compile(
    rf"[,;]?\s*[\"'”’]?,?\s+(?:according to [^,.;]{{1,60}}|{_SPEAKER}{_SPEECH}"
    rf"(?:\s+(?:on|in|at|during|last|this|after|before)\s+[^,.;]{{1,40}})?"
    rf"|{_SPEECH}\s+{_SPEAKER}[\w'’.-]+(?:,\s+[^.;]{{1,80}})?)\s*\.?\s*$",
    re.IGNORECASE,
)
_LEADING = re.compile(rf"^{_SPEAKER}{_SPEECH}(?:\s+that)?\s*[:,]?\s+", re.IGNORECASE)
# Both patterns need a speech cue: most sentences have none and skip them (a fast path).
# The look-ahead on the cues' first letters only makes most positions fail sooner.
_CUE = re.compile(
    r"\b(?=[saenwcirt])(?:said|says|added|adds|explained|explains|noted|notes|wrote|writes|"
    r"stated|states|argued|argues|continued|insisted|warned|warns|recalled|told|according to)\b",
    re.IGNORECASE,
)
_TEXT_KINDS = (BlockKind.PARAGRAPH, BlockKind.BLOCKQUOTE, BlockKind.CAPTION)


@dataclass(frozen=True)
class _Sentence:
    block: int
    position: int
    text: str
    key: str


def drop_duplicates(blocks: Sequence[Block]) -> list[Block]:
    """The blocks with each repeated paragraph, then each repeated sentence, kept once.

    Paragraphs are compared whole first, so that a repeated quote of several sentences
    goes entirely, short sentences ("Nobody asked us.") included.
    """
    return _drop_repeated_sentences(_drop_repeated_paragraphs(blocks))


def _drop_repeated_paragraphs(blocks: Sequence[Block]) -> list[Block]:
    candidates = [
        _Sentence(index, 0, block.text, comparison_key(block.text))
        for index, block in enumerate(blocks)
        if block.kind in _TEXT_KINDS
    ]
    dropped = _find_dropped(candidates, blocks)
    return [block for index, block in enumerate(blocks) if (index, 0) not in dropped]


def _drop_repeated_sentences(blocks: Sequence[Block]) -> list[Block]:
    sentences_by_block = [
        split_sentences(block.text) if block.kind in _TEXT_KINDS else [block.text]
        for block in blocks
    ]
    candidates = [
        _Sentence(index, position, sentence, comparison_key(sentence))
        for index, block in enumerate(blocks)
        if block.kind in _TEXT_KINDS
        for position, sentence in enumerate(sentences_by_block[index])
    ]
    dropped = _find_dropped(candidates, blocks)
    result: list[Block] = []
    for index, block in enumerate(blocks):
        kept = [
            sentence
            for position, sentence in enumerate(sentences_by_block[index])
            if (index, position) not in dropped
        ]
        if len(kept) == len(sentences_by_block[index]):
            result.append(block)
        elif kept:
            result.append(Block(block.kind, " ".join(kept)))
    return result


# A paragraph of one sentence is compared as a paragraph, then as a sentence: the key is
# kept rather than computed twice (the attribution patterns are the costly part of cleaning).
@functools.lru_cache(maxsize=1024)
def comparison_key(sentence: str) -> str:
    """What a sentence says, for comparing: without attribution, case or punctuation."""
    stripped = sentence
    if _CUE.search(sentence):
        stripped = _LEADING.sub("", _TRAILING.sub("", sentence))
    key = normalize_for_fingerprint(stripped)
    # Attribution stripping must not hollow a sentence out ("He said he had told them.").
    if len(key.split()) < _MIN_WORDS:
        key = normalize_for_fingerprint(sentence)
    return key


def _find_dropped(candidates: Sequence[_Sentence], blocks: Sequence[Block]) -> set[tuple[int, int]]:
    """The (block, position) of every copy that goes: all of a group of copies but the fullest.

    Candidates are compared in order of key length, each only with those a near copy
    could be (no more than a few percent longer), so long articles stay fast.
    """
    eligible = [c for c in candidates if len(c.key.split()) >= _MIN_WORDS]
    words = [frozenset(c.key.split()) for c in eligible]
    order = sorted(range(len(eligible)), key=lambda i: len(eligible[i].key))
    group = list(range(len(eligible)))
    for rank, first in enumerate(order):
        for second in order[rank + 1 :]:
            if len(eligible[first].key) < _NEAR_RATIO * len(eligible[second].key):
                break
            if _comparable(eligible[first], eligible[second], blocks) and _same(
                eligible[first].key, eligible[second].key, words[first], words[second]
            ):
                _join(group, first, second)
    members: dict[int, list[int]] = {}
    for index in range(len(eligible)):
        members.setdefault(_root(group, index), []).append(index)
    dropped: set[tuple[int, int]] = set()
    for copies in members.values():
        # The fullest copy stays; between equals, the first one.
        keep = max(copies, key=lambda i: (len(eligible[i].text), -i))
        dropped.update((eligible[i].block, eligible[i].position) for i in copies if i != keep)
    return dropped


def _comparable(first: _Sentence, second: _Sentence, blocks: Sequence[Block]) -> bool:
    """A caption may restate a sentence of the text: captions are compared among themselves."""
    kinds = {blocks[first.block].kind, blocks[second.block].kind}
    return len(kinds) == 1 or BlockKind.CAPTION not in kinds


def _same(
    first: str, second: str, first_words: frozenset[str], second_words: frozenset[str]
) -> bool:
    """Equal keys, or near-equal ones that state the same numbers (a changed figure is news)."""
    if first == second:
        return True
    shared = len(first_words & second_words)
    if shared < _SHARED_WORDS * max(len(first_words), len(second_words)):
        return False
    if {w for w in first_words if _has_digit(w)} != {w for w in second_words if _has_digit(w)}:
        return False
    if max(len(first), len(second)) > _MAX_NEAR_CHARS:
        return False
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    return matcher.quick_ratio() >= _NEAR_RATIO and matcher.ratio() >= _NEAR_RATIO


def _has_digit(word: str) -> bool:
    return any(char.isdigit() for char in word)


def _root(group: list[int], index: int) -> int:
    while group[index] != index:
        group[index] = group[group[index]]
        index = group[index]
    return index


def _join(group: list[int], first: int, second: int) -> None:
    group[_root(group, second)] = _root(group, first)
