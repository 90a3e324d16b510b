"""Words and sentences as the story digest compares them.

Two sentences say the same thing when their content words (stemmed, stop words and
figures aside) overlap: :func:`content_words` and :func:`overlap`. Sentences are cut by
the cleaning stage's splitter, which keeps offsets, so every digest item can cite the
exact span it comes from.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import Stemmer

from storyline.clean.sentences import sentence_spans
from storyline.stories.shingles import normalised_words


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one string, which keeps long vocabularies readable."""
    return frozenset(words.split())


_STOP = word_set(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say told tell according mr mrs ms dr st per via since
    still yet across upon amid among whose shall may might must"""
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_stemmer = Stemmer.Stemmer("english")
# A dateline opening a wire story: "BRESKA (Meridian Wire) —", "HARBOR CITY, June 9 -".
_DATELINE = re.compile(
    r"[A-Z][A-Z .,'’-]{1,40}(?:\([^)\n]{1,40}\))?(?:,[^—–\n-]{1,20})?\s*[—–-]{1,2}\s+"
)


@functools.lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lower-case word."""
    return str(_stemmer.stemWord(word))


def content_words(text: str) -> list[str]:
    """The stemmed content words of ``text``: no stop words, figures or one-letter words."""
    return [
        stem(word)
        for word in _WORD.findall(" ".join(normalised_words(text)))
        if len(word) > 1 and word not in _STOP
    ]


def overlap(a: Iterable[str], b: Iterable[str]) -> float:
    """Share of the smaller word set found in the other (0 when either is empty)."""
    first, second = set(a), set(b)
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


def dice(a: Iterable[str], b: Iterable[str]) -> float:
    """Dice coefficient of two word sets: ``2|A∩B| / (|A| + |B|)``."""
    first, second = set(a), set(b)
    total = len(first) + len(second)
    return 2 * len(first & second) / total if total else 0.0


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, paragraph breaks always cutting."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in re.split(r"(\n\s*\n)", text):
        if paragraph.strip() and not paragraph.isspace():
            spans.extend((offset + s, offset + e) for s, e in sentence_spans(paragraph))
        offset += len(paragraph)
    return spans


def sentence_at(spans: Sequence[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    """The span of ``spans`` that holds ``offset``."""
    for start, end in spans:
        if start <= offset < end:
            return start, end
    return None


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``/``end`` without surrounding whitespace and a dangling quote mark."""
    segment = text[start:end]
    lead = re.match(r"[\"”’'\s]*(?=\S)", segment)
    if lead and ("\n" in lead.group() or lead.group().strip() in {"", "”", "’"}):
        start += len(lead.group())
    else:
        start += len(segment) - len(segment.lstrip())
    segment = text[start:end]
    return start, start + len(segment.rstrip())


def without_dateline(text: str, start: int, end: int) -> int:
    """``start`` moved past a wire dateline that opens ``text[start:end]``, if any."""
    found = _DATELINE.match(text, start, end)
    if found and found.end() < end and sum(c.isupper() for c in found.group()) >= 3:
        return found.end()
    return start


class Idf:
    """Smoothed inverse document frequencies of words over a set of documents."""

    def __init__(self, documents: Iterable[Iterable[str]]) -> None:
        self.frequency: Counter[str] = Counter()
        self.count = 0
        for words in documents:
            self.frequency.update(set(words))
            self.count += 1

    def vector(self, words: Iterable[str]) -> dict[str, float]:
        """The unit-length TF-IDF vector of ``words``."""
        weights = {
            word: (1 + math.log(n)) * (math.log((1 + self.count) / (1 + self.frequency[word])) + 1)
            for word, n in Counter(words).items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {word: w / norm for word, w in weights.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())
