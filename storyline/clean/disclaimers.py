"""Notes about how the text was made: AI features in beta, machine translation.

Aggregators paste their own notices into the article they show ("<Brand> AI is in
beta.", "Translations may contain inaccuracies—please refer to the original content.")
and outlets add "This article was generated with the help of AI." These describe the
page, not the news, so they go, sentence by sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from storyline.clean.sentences import remove_sentences
from storyline.model import Block

_PIECE = r"(?:article|story|summary|text|content|report|page|piece|post|translation|transcript)"
_MACHINE = r"(?:\bai\b|artificial intelligence|machine|automated|automatically|language model)"
_PATTERNS = (
    # "<Brand> AI is in beta.", "This AI feature is experimental."
    r"(?:[\w&.'’-]+ ){0,4}ai(?: [\w-]+)? (?:is|are) (?:currently |still )?"
    r"(?:in beta|(?:an )?experimental|a beta (?:feature|product))[.!]?$",
    r"(?:machine |automatic |automated |ai[- ])?translations? (?:may|might|can|could|will)"
    r" (?:contain|include|have|produce) (?:errors|inaccuracies|mistakes)",
    r"(?:please )?refer to the original (?:content|article|text|language|version)\b",
    rf"this {_PIECE} (?:was|has been|is|may have been) (?:partly |partially |fully |"
    r"automatically |machine[- ])?(?:generated|translated|summari[sz]ed)\b",
    rf"(?=.*{_MACHINE})this {_PIECE} (?:was|has been|is|may have been) (?:partly |partially |"
    r"fully )?(?:written|produced|created|drafted|assisted|edited|prepared|compiled)\b",
    r"(?:ai|machine)[- ](?:generated|translated|assisted|written) (?:content|summary|text|"
    rf"translation|{_PIECE})",
    r"(?:summary|translation|text) (?:generated|provided|produced|created) (?:by|with|using)"
    rf" .{{0,40}}{_MACHINE}",
    r"(?:auto-?translated|automatically translated|machine[- ]translated)\b",
    r"this (?:is )?an? (?:automated|automatic|machine|ai) (?:translation|summary)\b",
)
_DISCLAIMER = re.compile(r"^(?:" + "|".join(f"(?:{p})" for p in _PATTERNS) + ")", re.IGNORECASE)


def is_disclaimer(sentence: str) -> bool:
    """Whether a sentence is a notice about AI or translation rather than news."""
    return bool(_DISCLAIMER.match(sentence.lstrip("\"'“‘(")))


def drop_disclaimers(blocks: Iterable[Block]) -> list[Block]:
    """The blocks without AI and translation disclaimers."""
    return remove_sentences(blocks, is_disclaimer)
