"""MinHash signatures of stories and the LSH band keys that find near-duplicates.

A signature is two MinHash sketches (datasketch's ``affine32`` scheme) of a story's
4-word shingles: one of the whole story, one of its lead (the first
:data:`LEAD_WORDS` words), and the number of distinct shingles. Band keys cut each
sketch into bands of a few rows and hash each band to a signed 64-bit integer, so that
the store can keep them in an indexed BIGINT column and find the articles that share a
key with a new one without comparing all pairs. Two stories share a whole-story key
with probability ``1 - (1 - J**r)**b`` for Jaccard similarity ``J`` (the LSH S-curve);
the lead keys catch trimmed copies, whose whole-story similarity is low (a copy cut to
a third of the story has ``J`` near 0.33) but whose lead is the original's.

The parameters were chosen by measuring (``python quality/copies_tune.py``); the
reasons are in the docstring of :mod:`storyline.stories.copies`.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from datasketch import MinHash

from storyline.stories.shingles import shingle_hashes, story_words

TEXT_PERMUTATIONS = 48
TEXT_ROWS = 2
LEAD_WORDS = 100
LEAD_PERMUTATIONS = 16
LEAD_ROWS = 2
_TEXT_SEED = 20_250_301
_LEAD_SEED = 20_250_302
# Part of every key: change it whenever the shingling, the sketches or the bands change,
# so that keys stored under the old ones can never meet the new.
_KEY_SALT = b"storyline-copies-v1"
_FORMAT = 1
_HEADER = struct.Struct("<BHHI")


@dataclass(frozen=True)
class Signature:
    """A story's MinHash sketches and shingle count; ``to_bytes`` is its stored form.

    With the default parameters it is 265 bytes: a 9-byte header (format, sketch
    lengths, shingle count) and 64 unsigned 32-bit minimum hashes (48 of the story,
    16 of its lead).
    """

    text: tuple[int, ...]
    lead: tuple[int, ...]
    shingles: int

    def to_bytes(self) -> bytes:
        header = _HEADER.pack(_FORMAT, len(self.text), len(self.lead), self.shingles)
        values = np.asarray(self.text + self.lead, dtype="<u4")
        return header + values.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        version, text_length, lead_length, shingles = _HEADER.unpack_from(data)
        if version != _FORMAT:
            raise ValueError(f"unknown signature format {version}")
        values = np.frombuffer(data, dtype="<u4", offset=_HEADER.size)
        if len(values) != text_length + lead_length:
            raise ValueError("signature length does not match its header")
        numbers = tuple(int(v) for v in values)
        return cls(numbers[:text_length], numbers[text_length:], shingles)

    @property
    def empty(self) -> bool:
        return self.shingles == 0

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two stories' shingle sets."""
        if self.empty or other.empty:
            return 0.0
        if len(self.text) != len(other.text):
            raise ValueError("signatures of different lengths cannot be compared")
        same = sum(a == b for a, b in zip(self.text, other.text, strict=True))
        return same / len(self.text)

    def containment(self, other: Signature) -> float:
        """Estimated share of the smaller story's shingles that the other one has.

        From Jaccard and the two set sizes: the intersection is ``J (|A| + |B|) / (1 + J)``.
        It lets the store drop weak candidates before loading any text.
        """
        smaller = min(self.shingles, other.shingles)
        if smaller == 0:
            return 0.0
        jaccard = self.jaccard(other)
        shared = jaccard * (self.shingles + other.shingles) / (1 + jaccard)
        return min(1.0, shared / smaller)


def text_signature(text: str) -> Signature:
    """The signature of ``text``'s story (its wrapping set aside, see ``shingles``)."""
    words = story_words(text)
    shingles = shingle_hashes(words)
    return Signature(
        text=minhash(shingles, TEXT_PERMUTATIONS, _TEXT_SEED),
        lead=minhash(shingle_hashes(words[:LEAD_WORDS]), LEAD_PERMUTATIONS, _LEAD_SEED),
        shingles=len(shingles),
    )


def band_keys(signature: Signature) -> list[int]:
    """The LSH keys of ``signature``: signed 64-bit integers, one per band.

    Two stories are candidate near-duplicates when they share at least one key. An
    empty story has no keys (its sketch would match every other empty story).
    """
    if signature.empty:
        return []
    return band_hashes(signature.text, TEXT_ROWS, b"text") + band_hashes(
        signature.lead, LEAD_ROWS, b"lead"
    )


def minhash(hashes: Iterable[int], permutations: int, seed: int) -> tuple[int, ...]:
    """The MinHash values of a set of 32-bit shingle hashes, ``permutations`` of them."""
    sketch = MinHash(
        num_perm=permutations,
        seed=seed,
        hashfunc=_already_hashed,
        permutations=_permutations(permutations, seed),
        scheme="affine32",
    )
    sketch.update_batch(list(hashes))
    return tuple(int(value) for value in sketch.hashvalues)


def band_hashes(values: Sequence[int], rows: int, part: bytes) -> list[int]:
    """One signed 64-bit key per band of ``rows`` values; the band's index is hashed in."""
    keys = []
    for band, start in enumerate(range(0, len(values) - rows + 1, rows)):
        packed = struct.pack(f"<H{rows}I", band, *values[start : start + rows])
        digest = hashlib.blake2b(_KEY_SALT + part + packed, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def _already_hashed(value: int) -> int:
    """Shingles arrive hashed to 32 bits (see ``shingles``); datasketch mixes them again."""
    return value


@cache
def _permutations(permutations: int, seed: int) -> np.ndarray:
    """The permutation parameters for a sketch size and seed, drawn once per process."""
    parameters: np.ndarray = MinHash(num_perm=permutations, seed=seed).permutations
    return parameters
