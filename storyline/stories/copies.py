"""Wire copies and rewrites: the same text published by several outlets.

An article page says "also published by …"; a story page shows which outlets carried a
wire story, which rewrote it, and which reported on their own. Two texts are the *same
text* when one is a copy of the other (the same words but for the outlet's wrapping, a
caption or a sentence) or a rewrite (a lightly edited copy: trimmed, a paragraph added
or cut, a new headline, a figure updated, sentences reworded); an update of an article
by its own outlet is the same text too. Independent articles on one event are not, even
when they share facts and a quote.

Pipeline, pure (no database, no network):

1. :func:`text_signature`: the story's wrapping (datelines, bylines, "Read more" tails,
   see :mod:`~storyline.stories.boilerplate`) is set aside, the rest normalised into
   words (:mod:`~storyline.stories.shingles`), and MinHash sketches are taken of its
   4-word shingles and of those of its lead (:mod:`~storyline.stories.signatures`);
2. :func:`band_keys`: the LSH keys the store indexes; articles that share one are
   candidates;
3. :func:`compare_texts`: the exact verdict on a candidate pair, from both texts;
4. :func:`provenance`: in a group of same-text articles, the original and how every
   other one relates to it.

The store's contract: keep ``text_signature(text).to_bytes()`` with the article (265
bytes) and each of its ``band_keys`` (32 signed 64-bit integers) as a row of an indexed
``(key BIGINT, article)`` table. The candidates for a new article are the articles that
share at least one of its keys (within a publication window, if the store wants one:
copies appear within days); ``Signature.containment`` can drop hopeless ones before any
text is read, and :func:`compare_texts` decides. An empty text has no keys.

Parameters, measured on the fixtures (``tests/fixtures/stories/copies``: 73 invented
articles, 448 labelled pairs, 145 of them same text) and on real news read in place
from ``../shared/datasets`` (591 articles; ``python quality/copies_tune.py`` reproduces
every figure below):

* Shingles of 4 words. For 3 to 6 words the gap between the most similar different pair
  and the least similar same-text pair is about as wide (0.10 to 0.11; containment 0.290
  to 0.392 at 4 words). What differs is how the band keys below fare: their recall is
  0.9986, 0.9964, 0.9930 and 0.9890 for 3, 4, 5 and 6 words (longer shingles lower the
  Jaccard similarity of rewrites), and their load 4.07, 0.75, 0.26 and 0.13 unrelated
  candidates per 100,000 articles (shorter ones are shared by chance). Only 4 words meets
  both the recall target (0.995) and the load budget (2 per 100,000).
* Same text when containment (the share of the shorter story's shingles found in the
  other) is at least ``SAME_CONTAINMENT = 0.341``; a copy when the Jaccard similarity is
  at least ``COPY_JACCARD = 0.948``. Both are learned as the middle of the widest gap;
  with leave-one-event-out cross-validation they score precision 1.0000, recall 0.9931
  and relation accuracy 1.0000 on events they were not learned from (the one miss: a
  localised copy against a rewrite of the same wire story, containment 0.392, when the
  flood event is held out and the cut learned without it is 0.393).
* Story bands: 24 bands of 2 rows (48 permutations). Two stories with Jaccard ``J`` share
  a key with probability ``1 - (1 - J**2)**24``: the S-curve's threshold
  ``(1/24)**(1/2)`` is 0.204, and the probability is 0.21 at J = 0.1, 0.62 at 0.2, 0.90
  at 0.3, 0.985 at 0.4 and 0.999 at 0.5. The rewrites in the fixtures have J from 0.348
  (false-negative rate 4.5% on story bands alone) to a median of 0.722 (2e-8).
* Lead bands: 8 bands of 2 rows (16 permutations) over the first 100 words. A trimmed or
  localised copy keeps its source's lead but not much of the rest (J down to 0.16 for a
  localised copy against a rewrite of the same wire story), so the lead finds it; with
  them, the rewrites' mean false-negative rate is 0.3% and the expected recall over all
  same-text pairs 0.9964.
* Load: of 174,215 pairs of unrelated real articles, the expected share that shares a
  key is 0.75 in 100,000; the fewest keys that reach expected recall 0.995 within a load
  of 2 in 100,000 is what was chosen.

Known limits: a short text carried inside a much longer one (a 130-word brief in the
middle of a 1,000-word roundup: containment 0.64, Jaccard 0.08) shares a key only if it
stands at the top; and a short piece that repeats one long passage of another can pass
the containment cut (a 145-word item sharing a 23-word run, containment 0.39). Speed
(``python quality/copies.py``, both timed in one run on a busy two-core machine): a
signature of a 1,000-word article took 2 to 3 ms, spaCy's ``en_core_web_sm`` pipeline
1.0 to 1.3 s over the same text, so the signature costs about 0.2% of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from storyline.stories.boilerplate import credits_outlet, split_boilerplate
from storyline.stories.shingles import sentence_keys, shingle_hashes, story_words
from storyline.stories.signatures import Signature, band_keys, text_signature

__all__ = [
    "Carriage",
    "CopyCandidate",
    "CopyMatch",
    "Provenance",
    "Signature",
    "band_keys",
    "compare_texts",
    "provenance",
    "text_signature",
]

Relation = Literal["copy", "rewrite", "different"]
Role = Literal["original", "copy", "rewrite", "update", "separate"]

# Learned by quality/copies_tune.py from the fixtures (see the module docstring); the gate
# test checks that the script still learns these values.
SAME_CONTAINMENT = 0.341
COPY_JACCARD = 0.948


@dataclass(frozen=True)
class CopyMatch:
    """How two texts relate, with the figures the relation was decided on.

    ``containment`` is the share of the shorter story's shingles found in the longer
    one, ``sentence_share`` the share of the shorter story's sentences (of six words or
    more) found verbatim in the other; ``jaccard`` is exact, ``estimated_jaccard`` is
    read off the two signatures, as the store can without the texts.
    """

    relation: Relation
    estimated_jaccard: float
    jaccard: float
    containment: float
    sentence_share: float

    @property
    def same_text(self) -> bool:
        return self.relation != "different"

    def as_dict(self) -> dict[str, object]:
        return {
            "relation": self.relation,
            "estimated_jaccard": round(self.estimated_jaccard, 4),
            "jaccard": round(self.jaccard, 4),
            "containment": round(self.containment, 4),
            "sentence_share": round(self.sentence_share, 4),
        }


@dataclass(frozen=True)
class CopyCandidate:
    """One article of a group found through shared band keys."""

    id: str
    outlet: str
    published: datetime | None
    text: str
    signature: Signature | None = None


@dataclass(frozen=True)
class Carriage:
    """How one article of a group relates to the text it was taken from.

    ``role`` is ``original`` for the group's source, ``copy`` or ``rewrite`` for another
    outlet's version, ``update`` for a later version by the source's own outlet, and
    ``separate`` for an article that is not the same text as any other in the group.
    ``source`` is the id of the article it was matched to: the original, or for an
    article that is the same text as another member but not as the original (a rewrite
    of a trimmed copy, say), that member.
    """

    id: str
    outlet: str
    role: Role
    source: str | None
    match: CopyMatch | None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "outlet": self.outlet,
            "role": self.role,
            "source": self.source,
            "match": self.match.as_dict() if self.match else None,
        }


@dataclass(frozen=True)
class Provenance:
    """A group of same-text articles: its original first, then the others in order."""

    original: str
    carriages: tuple[Carriage, ...]

    def as_dict(self) -> dict[str, object]:
        return {"original": self.original, "carriages": [c.as_dict() for c in self.carriages]}


@dataclass(frozen=True)
class _Story:
    """What comparing needs of one text, computed once."""

    shingles: frozenset[int]
    sentences: frozenset[str]
    signature: Signature


def compare_texts(
    a: str, b: str, sig_a: Signature | None = None, sig_b: Signature | None = None
) -> CopyMatch:
    """Whether ``a`` and ``b`` are the same text: a copy, a rewrite, or different.

    Same text when most of the shorter story's shingles are in the longer one
    (containment of at least :data:`SAME_CONTAINMENT`): a trimmed copy, a copy with a
    paragraph added, an update and a lightly edited rewrite all keep most of their
    source's word runs, while independent articles on one event share only their facts'
    phrases and a quote or two. A copy is the same text both ways, up to a sentence or
    so (Jaccard of at least :data:`COPY_JACCARD`); any other same text is a rewrite.
    """
    return _compare(_story(a, sig_a), _story(b, sig_b))


def provenance(items: Sequence[CopyCandidate]) -> Provenance:
    """Which of ``items`` is the original, and how each other one relates to it.

    1. order: by publication time (unknown times last), then the longer story first (a
       wire's full version before its trimmed copies), then id;
    2. original: the earliest article whose outlet another member credits in its
       wrapping ("(Meridian Wire) —", "Source: …", "first published by …"), since a
       credit names the source even when a copy was crawled before it; failing that,
       the earliest article;
    3. each other article is compared with the original; one that is not the same text
       as the original is compared with the members already placed and matched to the
       closest one that is; a later version by the source's own outlet is an ``update``.
    """
    if not items:
        raise ValueError("provenance needs at least one article")
    stories = {item.id: _story(item.text, item.signature) for item in items}
    ordered = sorted(items, key=lambda item: _order(item, stories[item.id]))
    original = _original(ordered)
    carriages = [Carriage(original.id, original.outlet, "original", None, None)]
    placed = [original]
    for item in ordered:
        if item is original:
            continue
        carriages.append(_place(item, placed, stories))
        placed.append(item)
    return Provenance(original.id, tuple(carriages))


def _story(text: str, signature: Signature | None) -> _Story:
    return _Story(
        shingles=frozenset(shingle_hashes(story_words(text))),
        sentences=frozenset(sentence_keys(text)),
        signature=signature if signature is not None else text_signature(text),
    )


def _compare(a: _Story, b: _Story) -> CopyMatch:
    shared = len(a.shingles & b.shingles)
    union = len(a.shingles | b.shingles)
    smaller = min(len(a.shingles), len(b.shingles))
    jaccard = shared / union if union else 0.0
    containment = shared / smaller if smaller else 0.0
    fewer = min(len(a.sentences), len(b.sentences))
    sentence_share = len(a.sentences & b.sentences) / fewer if fewer else 0.0
    relation: Relation = "different"
    if containment >= SAME_CONTAINMENT:
        relation = "copy" if jaccard >= COPY_JACCARD else "rewrite"
    return CopyMatch(
        relation=relation,
        estimated_jaccard=a.signature.jaccard(b.signature),
        jaccard=jaccard,
        containment=containment,
        sentence_share=sentence_share,
    )


def _order(item: CopyCandidate, story: _Story) -> tuple[bool, float, int, str]:
    return (item.published is None, _timestamp(item.published), -len(story.shingles), item.id)


def _timestamp(published: datetime | None) -> float:
    """Seconds since the epoch; a time without a zone is taken as UTC."""
    if published is None:
        return math.inf
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return published.timestamp()


def _original(ordered: Sequence[CopyCandidate]) -> CopyCandidate:
    wrappings = {item.id: split_boilerplate(item.text).wrapping for item in ordered}
    for item in ordered:
        if any(
            other.outlet != item.outlet and credits_outlet(wrappings[other.id], item.outlet)
            for other in ordered
        ):
            return item
    return ordered[0]


def _place(
    item: CopyCandidate, placed: Sequence[CopyCandidate], stories: dict[str, _Story]
) -> Carriage:
    """``item``'s carriage: matched to the original, or else to the closest member."""
    story = stories[item.id]
    source, match = placed[0], _compare(stories[placed[0].id], story)
    if not match.same_text:
        others = [(member, _compare(stories[member.id], story)) for member in placed[1:]]
        same = [(member, found) for member, found in others if found.same_text]
        if not same:
            return Carriage(item.id, item.outlet, "separate", None, match)
        source, match = max(same, key=lambda pair: pair[1].containment)
    role: Role = "copy" if match.relation == "copy" else "rewrite"
    if source.outlet == item.outlet:
        role = "update"
    return Carriage(item.id, item.outlet, role, source.id, match)
