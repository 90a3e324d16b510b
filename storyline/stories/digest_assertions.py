"""Assertions one party makes and another denies, and claims no one could verify.

:func:`denials`:

1. a denial is a sentence whose verb denies ("denied", "rejected", "disputed",
   "refuted", "dismissed") something it names ("denied that …", "rejected claims …",
   "denied targeting …"); "was denied bail" is not one. What is denied is the denial
   quote's content when the analysis found one, else the words after the verb; who
   denies is the words before the verb ("A spokesman for the Kessar Front"), else the
   quote's speaker;
2. the assertion: any sentence of the story, not itself a denial, that reports someone
   saying it ("officials said …", "… claimed", "according to …") and holds at least
   :data:`SAME_CLAIM` of the denied words (two at least; "the group", "it" and the like
   are not counted, they stand for the denier);
3. denials of one assertion across articles are one :class:`Disagreement`: the
   assertions on one side, the denials on the other.

:func:`unverified_claims`: a sentence saying a claim "could not be independently
verified" (or "unverified", "without providing evidence") flags its own claim, or, when
it only points back ("The claim could not be verified."), the sentence before it; flags
of one claim across articles are one :class:`Disagreement`, the claim beside the flags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from storyline.stories.digest_claims import (
    ClaimSource,
    Disagreement,
    Side,
    claim_source,
    party_at,
    speaker_within,
)
from storyline.stories.digest_text import content_words, overlap, sentences
from storyline.stories.digest_types import DigestArticle, published_order

# An assertion and a denial (or two flagged claims) are about the same thing when this
# share of the smaller one's content words is in the other.
SAME_CLAIM = 0.6
_MIN_SHARED = 2

_DENIAL = re.compile(
    r"\b(?P<cue>den(?:ied|ies|y|ying)|reject(?:ed|s)?|disput(?:ed|es)|refut(?:ed|es)|"
    r"dismiss(?:ed|es))\s+(?P<object>(?:that|claims?|reports?|allegations?|accusations?|"
    r"suggestions?|charges?|having|any|responsibility|involvement|this|it|them|the\s+"
    r"(?:claims?|reports?|allegations?|accusations?|figures?|account)|\w+ing)\b.*)",
    re.IGNORECASE,
)
_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|be|get|got)\s+(?:\w+ly\s+)?$", re.I)
_REPORTED = re.compile(
    r"\b(?:said|says|say|told|claimed|claims|claim|accused|alleged|alleges|reported|"
    r"according to|insisted|announced|stated)\b",
    re.IGNORECASE,
)
_UNVERIFIED = re.compile(
    r"could not (?:be )?(?:independently )?(?:verif|confirm)\w*|"
    r"(?:can ?not|cannot|unable to|were unable to|was unable to) (?:be )?(?:independently )?"
    r"(?:verif|confirm)\w*|(?:was|were|is|are|has|have) not (?:been )?independently "
    r"(?:verified|confirmed)|\bunverified\b|without (?:providing |offering |giving )?(?:any )?"
    r"evidence",
    re.IGNORECASE,
)
_POINTS_BACK = re.compile(
    r"^(?:the|these|those|this|that|its|their|neither|none of)?\s*(?:claims?|figures?|"
    r"reports?|accounts?|numbers?|assertions?|allegations?|statements?|it|this|that|they)\b",
    re.IGNORECASE,
)
# Words that stand for a party rather than say what was claimed.
_STAND_INS = frozenset(
    content_words(
        "group groups it they them company government side spokesman spokeswoman "
        "spokesperson official officials ministry statement claim claims report reports"
    )
)


@dataclass(frozen=True)
class _Denial:
    words: frozenset[str]
    subject: str
    source: ClaimSource


def denials(articles: Sequence[DigestArticle]) -> list[Disagreement]:
    """Assertions and their denials across the story (see the module docstring)."""
    ordered = sorted(articles, key=published_order)
    found: list[_Denial] = []
    denial_spans: set[tuple[str, int]] = set()
    for article in ordered:
        for sentence in sentences(article.text):
            denial = _denial(article, sentence)
            if denial is not None:
                found.append(denial)
                denial_spans.add((str(article.article_id), sentence[0]))
    groups: list[list[_Denial]] = []
    for denial in found:
        for group in groups:
            if _same(group[0].words, denial.words):
                group.append(denial)
                break
        else:
            groups.append([denial])
    result = []
    for group in groups:
        words = frozenset().union(*(d.words for d in group))
        asserted = _assertions(ordered, words, denial_spans)
        sides = [Side("denied", tuple(d.source for d in group))]
        if asserted:
            sides.insert(0, Side("asserted", tuple(asserted)))
        result.append(Disagreement("denial", group[0].subject, tuple(sides)))
    return result


def _denial(article: DigestArticle, sentence: tuple[int, int]) -> _Denial | None:
    text = article.text
    found = _DENIAL.search(text, *sentence)
    if found is None or _PASSIVE.search(text[sentence[0] : found.start()]):
        return None
    content = (found.start("object"), sentence[1])
    party = None
    for quote in article.quotes:
        if sentence[0] <= quote.start and quote.end <= sentence[1] and quote.start >= found.start():
            content, party = (quote.start, quote.end), quote.speaker
            break
    subject = text[sentence[0] : found.start()].strip(' "“”,')
    if 0 < len(subject.split()) <= 8:
        party = subject
    words = frozenset(content_words(text[content[0] : content[1]])) - _STAND_INS
    if len(words) < _MIN_SHARED:
        return None
    source = claim_source(article, sentence, content, party)
    denied = re.sub(r"^that\s+", "", text[content[0] : content[1]].strip(" ."))
    return _Denial(words, denied, source)


def _assertions(
    articles: Sequence[DigestArticle], words: frozenset[str], excluded: set[tuple[str, int]]
) -> list[ClaimSource]:
    found = []
    for article in articles:
        for sentence in sentences(article.text):
            if (str(article.article_id), sentence[0]) in excluded:
                continue
            said = article.text[sentence[0] : sentence[1]]
            if not _REPORTED.search(said):
                continue
            if _same(words, frozenset(content_words(said)) - _STAND_INS):
                party = speaker_within(article, sentence, words) or party_at(
                    article, sentence[0], sentence[1], sentence
                )
                found.append(claim_source(article, sentence, sentence, party))
    return found


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    return len(a & b) >= _MIN_SHARED and overlap(a, b) >= SAME_CLAIM


def unverified_claims(articles: Sequence[DigestArticle]) -> list[Disagreement]:
    """Claims flagged as not independently verified, with the outlets that flag them."""
    groups: list[tuple[frozenset[str], list[ClaimSource], list[ClaimSource]]] = []
    for article in sorted(articles, key=published_order):
        spans = sentences(article.text)
        for index, sentence in enumerate(spans):
            flag = _UNVERIFIED.search(article.text, *sentence)
            if flag is None:
                continue
            claim = _flagged(article.text, spans, index, flag.start())
            claimed = article.text[claim[0] : claim[1]]
            if claim == sentence:  # the claim is what the sentence says before the flag
                claimed = article.text[claim[0] : flag.start()]
            words = frozenset(content_words(claimed)) - _STAND_INS
            if len(words) < _MIN_SHARED:
                continue
            party = speaker_within(article, claim) or party_at(article, *claim, claim)
            claim_at = claim_source(article, claim, claim, party)
            flag_at = claim_source(article, sentence, (flag.start(), flag.end()), None)
            for group_words, claims, flags in groups:
                if _same(group_words, words):
                    claims.append(claim_at)
                    flags.append(flag_at)
                    break
            else:
                groups.append((words, [claim_at], [flag_at]))
    return [
        Disagreement(
            "unverified",
            claims[0].sentence,
            (Side("claimed", tuple(claims)), Side("not verified", tuple(flags))),
        )
        for _, claims, flags in groups
    ]


def _flagged(
    text: str, spans: Sequence[tuple[int, int]], index: int, flag_start: int
) -> tuple[int, int]:
    """The sentence whose claim the flag in ``spans[index]`` is about."""
    sentence = spans[index]
    before = text[sentence[0] : flag_start]
    own = frozenset(content_words(before)) - _STAND_INS
    if index > 0 and (_POINTS_BACK.match(before.strip()) or len(own) < 3):
        return spans[index - 1]
    return sentence
