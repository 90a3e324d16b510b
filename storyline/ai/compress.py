"""Sentence compression that keeps citations exact: a sentence trimmed to a contiguous span.

A trimmed sentence is still a slice of its article (``text == article.text[start:end]``),
so it cites exactly the words it shows. What is trimmed (:func:`trimmed_span`):

1. a caption fused onto the sentence it restates, which the splitter could not cut for
   want of a full stop ("Wanted: Police have issued a warrant for ... Police in
   Maryland have launched a manhunt ..."): the caption goes, the sentence stays;
2. a caption label ("Fighter ace: Douglas Bader's story ...");
3. an opening discourse marker or attribution ("However, ", "According to the survey, ");
4. a closing attribution (", police said."), the slice ending before its comma.

Each trim leaves at least :data:`MIN_KEPT_WORDS` words, or is not made. Quoted words are
the speaker's, so no fused caption is cut after a quotation mark, no label naming speech
("He said: ") goes and no closing attribution is cut from a sentence with quotation marks.
Measured on CNN/DailyMail (``python quality/summaries.py``), the trims lift the summary's
cross-validated ROUGE-1 from 41.82 to 42.43. Pure: no model, no DB.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from storyline.ai.passages import Passage
from storyline.ai.sentence_groups import SentenceGroup
from storyline.stories.digest_text import content_words

# A trim that would leave fewer words than this leaves the sentence whole.
MIN_KEPT_WORDS = 6

_SAY = (
    r"(?:said|says|told|added|reported|reports|claimed|claims|explained|confirmed|"
    r"revealed|stated|announced|wrote|insisted|warned|reads|read|adds|explains)"
)
# A caption run into the sentence after it: a word with no stop, then a capitalised
# opener followed by a lower-case word ("... a colleague The cost of divorce ...").
_FUSED = re.compile(
    r"(?<=[a-z0-9’'\"”)%])\s+(?=(?:The|A|An|It|He|She|They|His|Her|Their|This|These|"
    r"Those|In|On|At|When|After|Police|Officials|Now|More|Some|Two|Three|Its|There)"
    r"\s+[a-z0-9])"
)
# A caption label: up to four words and a colon, then a capitalised word (not a quote).
_LABEL = re.compile(r"^[A-Z][\w’'-]*(?:\s+[\w’'-]+){0,3}:\s+(?=[A-Z])")
_LABEL_SPEECH = re.compile(rf"\b{_SAY}\b", re.IGNORECASE)
_OPENER = re.compile(
    r"^(?:However|Meanwhile|But|And|Yet|Still|Also|In addition|Instead|Indeed|Moreover|"
    r"Furthermore),\s+"
)
_ACCORDING = re.compile(r"^According to [^,\"“”‘’]{1,100},\s+")
# ", police said." / ", the ministry said on Sunday." / ", according to the survey."
_CLOSING_SAID = re.compile(
    rf",\s+[^,.;:\"“”‘’]{{1,60}}?\s+{_SAY}(?:\s+[^,.;:\"“”‘’]{{0,40}})?\.\s*$"
)
_CLOSING_ACCORDING = re.compile(r",\s+according to\s+[^,;:\"“”‘’]{1,100}\.\s*$")
_QUOTE_MARK = re.compile(r"[\"“”‘]|(?<!\w)'|'(?!\w)")

RULES: tuple[str, ...] = ("fused", "label", "opener", "according", "closing")


def trimmed_span(text: str, rules: Sequence[str] = RULES) -> tuple[int, int]:
    """``(start, end)`` of the part of sentence ``text`` worth showing; ``(0, len(text))``
    when nothing is trimmed. The numbered trims of the module docstring, in order."""
    start, end = 0, len(text)
    if "fused" in rules:
        cuts = [
            m.end() for m in _FUSED.finditer(text) if not _QUOTE_MARK.search(text, 0, m.start())
        ]
        if cuts and _kept(text, cuts[-1], end):
            start = cuts[-1]
    if "label" in rules:
        label = _LABEL.match(text, start)
        if label and not _LABEL_SPEECH.search(label.group()) and _kept(text, label.end(), end):
            start = label.end()
    for name, pattern in (("opener", _OPENER), ("according", _ACCORDING)):
        if name in rules:
            found = pattern.match(text, start)
            if found and _kept(text, found.end(), end):
                start = found.end()
    if "closing" in rules and not _QUOTE_MARK.search(text, start):
        closing = _CLOSING_SAID.search(text, start) or _CLOSING_ACCORDING.search(text, start)
        if closing and _kept(text, start, closing.start()):
            end = closing.start()
    return start, end


def trimmed_passage(passage: Passage, rules: Sequence[str] = RULES) -> Passage:
    """``passage`` cut to :func:`trimmed_span`, its offsets moved to match."""
    start, end = trimmed_span(passage.text, rules)
    if (start, end) == (0, len(passage.text)):
        return passage
    return replace(
        passage,
        start=passage.start + start,
        end=passage.start + end,
        text=passage.text[start:end],
    )


def trimmed_groups(
    groups: Sequence[SentenceGroup], rules: Sequence[str] = RULES
) -> list[SentenceGroup]:
    """Every group with each copy trimmed and its words those of the trimmed shown copy."""
    out = []
    for group in groups:
        copies = tuple(trimmed_passage(copy, rules) for copy in group.copies)
        if copies == group.copies:
            out.append(group)
            continue
        out.append(replace(group, copies=copies, words=frozenset(content_words(copies[0].text))))
    return out


def _kept(text: str, start: int, end: int) -> bool:
    return len(text[start:end].split()) >= MIN_KEPT_WORDS
