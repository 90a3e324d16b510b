"""Word shingles of a story's text: the units near-duplicate detection counts.

Copies of one story differ in ways a reader does not notice: curly or straight quotes,
dashes, spacing, "1,200" or "1200", upper or lower case, and the outlet's wrapping
(datelines, bylines, "Read more" tails; see :mod:`storyline.stories.boilerplate`). The
wrapping is set aside and the rest folded away: text is NFKC-normalised and case-folded,
digit groups are joined, and only runs of word characters are kept, so every kind of
quote mark, dash and punctuation drops out. What is left is a list of words, and a
shingle is a run of :data:`SHINGLE_WORDS` consecutive words, hashed to 32 bits.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from storyline.clean.sentences import split_sentences
from storyline.stories.boilerplate import split_boilerplate

# Four words: long enough that independent articles on one event share few shingles
# beyond their shared quotes, short enough that a one-word edit spoils only four.
# Measured on the fixtures; see the module docstring of storyline.stories.copies.
SHINGLE_WORDS = 4
# A sentence needs this many words to count in the share of sentences two texts have in
# common: "He said no." is shared by chance.
SENTENCE_WORDS = 6
_WORD = re.compile(r"\w+")
# An odd 64-bit multiplier (from the golden ratio) for the polynomial over word hashes.
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
# "1,200", "1.200" and "1 200" are one number (NFKC has made no-break spaces plain).
_DIGIT_GROUP = re.compile(r"(?<=\d)[,. ](?=\d{3}\b)")


def story_words(text: str) -> list[str]:
    """The words of ``text``'s story, without its wrapping, normalised for comparison."""
    return normalised_words(split_boilerplate(text).body)


def normalised_words(text: str) -> list[str]:
    """The words of ``text``: NFKC, case-folded, digit groups joined ("1,200" is "1200")."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(_DIGIT_GROUP.sub("", folded))


def shingle_hashes(words: Sequence[str], size: int = SHINGLE_WORDS) -> set[int]:
    """The 32-bit hashes of the runs of ``size`` consecutive words.

    Each distinct word is hashed once with BLAKE2b, which is stable across processes and
    machines (Python's ``hash`` is salted per process), as a signature kept in a database
    needs; a shingle's hash is then a polynomial of its words' hashes modulo 2**64,
    finished with a 64-bit mixer, all vectorised. A text shorter than ``size`` words is one
    shorter shingle, so that a short text still has a signature.
    """
    if not words:
        return set()
    hashes = np.fromiter(map(_hash64, words), dtype=np.uint64, count=len(words))
    width = min(size, len(words))
    count = len(words) - width + 1
    combined = hashes[:count].copy()
    for offset in range(1, width):
        combined = combined * _MULTIPLIER + hashes[offset : offset + count]
    return {int(value) for value in np.unique(_mix32(combined))}


def sentence_keys(text: str) -> set[str]:
    """The story's sentences of at least :data:`SENTENCE_WORDS` words, normalised.

    Each sentence is its normalised words joined by spaces, so two sentences match when
    they differ only in case, quote marks, dashes or spacing.
    """
    keys = set()
    for paragraph in split_boilerplate(text).body.split("\n\n"):
        for sentence in split_sentences(paragraph):
            words = normalised_words(sentence)
            if len(words) >= SENTENCE_WORDS:
                keys.add(" ".join(words))
    return keys


# Most words recur from one article to the next: each is hashed once per process.
@functools.lru_cache(maxsize=1 << 17)
def _hash64(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest())


def _mix32(values: np.ndarray) -> np.ndarray:
    """The top 32 bits of the 64-bit finaliser of MurmurHash3 (``fmix64``)."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    values = values ^ (values >> np.uint64(33))
    return (values >> np.uint64(32)).astype(np.uint32)
