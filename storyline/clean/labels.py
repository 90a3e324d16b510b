"""Fact-check and trust labels that a site pasted into the article text.

Some sites tag each story with a label ("Fact Check:", "Analysis:", "Opinion:", a
"Verified" badge) and a one-line definition of it ("Based on facts, either observed and
verified firsthand by the reporter, …"). Copied as text, label and definition land at
the top of the body. The rule is general, not a list of known sentences:

* the label words themselves, alone or as a prefix ending in a colon, at the start of
  a block, go (the rest of the block stays);
* a definition goes when it sits near the start of a block (one of its first three
  sentences, in one of the body's first blocks or at the top of an entry that runs a
  whole article into one paragraph), is made almost only of the vocabulary such labels
  use (facts, verified, sources, reporter, interpretation …), and carries no article
  facts: no digits, no quotes, no names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storyline.clean.sentences import split_sentences
from storyline.model import Block

_LABEL_WORDS = (
    r"fact[- ]?check(?:ed)?|fact[- ]?checking|news analysis|analysis|opinion|commentary|"
    r"perspective|editorial|explainer|verified|reported|first[- ]?person|satire|"
    r"sponsored|partner content|trust (?:indicator|label)|news"
)
_BADGE_MARKS = "✓✔☑✅"
_LABEL = rf"[{_BADGE_MARKS}]?\s*(?:{_LABEL_WORDS})\s*[{_BADGE_MARKS}]?"
_LABEL_ONLY = re.compile(rf"^{_LABEL}\s*:?$", re.IGNORECASE)
_LABEL_PREFIX = re.compile(rf"^{_LABEL}\s*[:|]\s*", re.IGNORECASE)
_BADGE_PREFIX = re.compile(
    rf"^[{_BADGE_MARKS}]?\s*verified\s*[{_BADGE_MARKS}]?\s+(?=[A-Z])", re.IGNORECASE
)


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one string, which keeps long vocabularies readable."""
    return frozenset(words.split())


# Words that labels and their definitions are made of.
_VOCABULARY = _word_set(
    """fact facts factual based observed observation observations verified verify verifying
    verification firsthand first-hand hand reporter reporters reported reporting report
    knowledgeable sources source evidence data interprets interpret interpretation
    interpretations interpreting news events event unfold unfolds unfolding past
    anticipating anticipates anticipate advocates advocate ideas idea draws draw
    conclusions conclusion author authors author's producer producer's producers
    perspective perspectives opinion opinions analysis analyses commentary editorial
    context expert experts expertise original reliable independently independent
    confirmed checked check claims claim accuracy accurate trust standards journalism
    journalistic reviewed label labels article articles story stories piece content
    information multiple directly witnessed account accounts rigorous rigorously
    rated rating ratings explains explain explained background views view personal
    argument arguments persuade persuasive point points values"""
)
_ANCHORS = _word_set(
    """fact facts factual verified verify verification sources source reporter evidence
    opinion opinions interpretation interprets analysis perspective author advocates"""
)
_FILLER = _word_set(
    """a an the and or nor but either neither by from of on to in as at for with how
    might may can could will would is are was were be been being this that these those
    it its which who whom whose what well including such both more most than so also
    not no all any each other their his her our its"""
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_QUOTE = re.compile(r"[\"“”«»]|(?<!\w)['‘’]|['‘’](?!\w)")
_NEAR_START_SENTENCES = 3
_NEAR_START_BLOCKS = 3
# A block this long (in sentences) is a whole article run into one paragraph.
_RUN_IN_ENTRY = 8


def drop_labels(blocks: Sequence[Block]) -> list[Block]:
    """The blocks without label words and label definitions near their start."""
    kept: list[Block] = []
    for index, block in enumerate(blocks):
        text = block.text
        if _LABEL_ONLY.match(text):
            continue
        text = _LABEL_PREFIX.sub("", text, count=1)
        text = _BADGE_PREFIX.sub("", text, count=1)
        sentences = split_sentences(text)
        near_start = index < _NEAR_START_BLOCKS or len(sentences) >= _RUN_IN_ENTRY
        if near_start:
            head = sentences[:_NEAR_START_SENTENCES]
            while head and is_label_definition(head[0]):
                head = head[1:]
                sentences = sentences[1:]
        if sentences:
            kept.append(Block(block.kind, " ".join(sentences)))
    return kept


def is_label_definition(sentence: str) -> bool:
    """Whether a sentence defines a trust label instead of reporting anything."""
    if any(char.isdigit() for char in sentence) or _QUOTE.search(sentence):
        return False
    words = _WORD.findall(sentence)
    if len(words) < 4:
        return False
    if any(word[0].isupper() and word.lower() not in _VOCABULARY for word in words[1:]):
        return False  # a name: the sentence is about someone or somewhere
    content = [word.lower() for word in words if word.lower() not in _FILLER]
    if len(content) < 3 or not any(word in _ANCHORS for word in content):
        return False
    known = sum(word in _VOCABULARY for word in content)
    return known / len(content) >= 0.75
