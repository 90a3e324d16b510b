"""Direct and indirect quotes of an article, each with its speaker, role and cue.

:func:`find_quotes` works in five steps:

1. Passages: the words inside quote marks (:mod:`storyline.understand.quotemarks`), and the
   turns of an interview (:mod:`storyline.understand.interviews`).
2. Cues: every verb of saying and "according to", with its source and, for indirect
   speech, its content (:mod:`storyline.understand.cues`).
3. Direct quotes: a passage takes the cue of its frame, the words between it and the end
   of its sentence ("'...,' Mykula said") or between the sentence start and it ("Zelensky
   said that the command is '...'"); the parts of a quote split around "he said" or run over
   several paragraphs share one cue. A passage that opens its sentence and has no cue
   continues the latest speaker of its own or the previous paragraph.
4. Indirect quotes: cues whose content lies mostly outside quote marks.
5. The attribution tagger (:mod:`storyline.understand.attribution`): its attributions with
   a source and a cue add the indirect quotes the cues missed ("Varnak stressed her support
   for the tram"), and give a direct quote that has no cue of its own the source its tagged
   content has (a quote that opens its sentence falls back on the latest speaker).
6. Speakers: sources are resolved in text order (:mod:`storyline.understand.speakers`),
   so that "he" and "Samus" become the full name given earlier or anywhere in the article.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import ORTH
from spacy.strings import get_string_id

from storyline.understand.attribution import tag_attributions
from storyline.understand.cues import SPEECH_VERBS, Cue, find_cues
from storyline.understand.interviews import ANSWER, QUESTION, Turn, find_turns
from storyline.understand.quotemarks import Passage, find_passages
from storyline.understand.speakers import Speaker, Speakers
from storyline.understand.types import Attribution, Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_PARAGRAPH_BREAK = re.compile(r"\n+")
_SENTENCE_END = frozenset({".", "!", "?"})
_SENTENCE_END_HASHES = numpy.array([get_string_id(m) for m in _SENTENCE_END], dtype=numpy.uint64)
_MIN_INDIRECT_WORDS = 3
_TITLE_WORDS = 8
_DASHES = "―—–"
_INTERVIEWER = "interviewer"
# The parts of speech of a source that names a speaker: a name, or a pronoun pointing at one.
_NAMING_POS = frozenset({"PROPN", "PRON"})


@dataclass
class _Event:
    """A quote waiting for its speaker: content offsets, kind, and the cue it takes."""

    start: int
    end: int
    kind: str
    cue: Cue | None
    speaker: Speaker | None = None
    inherits: bool = False
    tagged: bool = False  # the cue is the attribution tagger's


def find_quotes(doc: Doc) -> list[Quote]:
    """Every direct quote and every attributed indirect quote of ``doc``, in text order.

    Offsets are into ``doc.text``; a direct quote's offsets leave its quote marks out.
    """
    text = doc.text
    turns = find_turns(text)
    passages = [p for p in find_passages(text) if not _inside_turn(p, turns)]
    quoted = [(p.start, p.end) for p in passages]
    cues = find_cues(doc)
    events = _direct_events(doc, text, passages, cues) + _indirect_events(doc, cues, quoted)
    events += _tagged_events(doc, tag_attributions(doc), events, quoted)
    speakers = Speakers(doc, quoted)
    _resolve(doc, text, events, speakers)
    quotes = [_quote(doc, text, event) for event in events if _kept(event)]
    quotes.extend(_turn_quotes(text, turns, speakers))
    return sorted(quotes, key=lambda q: (q.start, q.kind))


# Direct quotes ----------------------------------------------------------------------


def _direct_events(
    doc: Doc, text: str, passages: Sequence[Passage], cues: Sequence[Cue]
) -> list[_Event]:
    """One event per passage; the parts of one quote (split or multi-paragraph) share a cue."""
    frames = _Frames(doc, text, passages)
    events: list[_Event] = []
    groups = _quote_groups(text, passages)
    for group in groups:
        if all(_is_title(text[p.start : p.end]) for p in group):
            continue  # "Face the Nation", a show's or a book's name, not someone's words
        cue = next((c for p in group if (c := frames.cue_for(p, cues)) is not None), None)
        if cue is None:
            cue = frames.introduced(group[0], cues)
        inherits = cue is None and frames.opens_sentence(group[0])
        events.extend(
            _Event(p.start, _without_comma(text, p), "direct", cue, inherits=inherits)
            for p in group
        )
    return events


def _is_title(words: str) -> bool:
    """Whether quoted words are a title: every long word capitalised, no sentence inside."""
    tokens = re.findall(r"[\w'’-]+", words)
    long_words = [t for t in tokens if len(t) > 3 or t[:1].isupper()]
    if not long_words or len(tokens) > _TITLE_WORDS or len(tokens) < 2:
        return False
    return all(t[:1].isupper() or t[:1].isdigit() for t in long_words)


def _without_comma(text: str, passage: Passage) -> int:
    """The end of a passage's words without the comma the attribution after it brings."""
    end = passage.end
    while end > passage.start and text[end - 1] in ", ":
        end -= 1
    return end


def _quote_groups(text: str, passages: Sequence[Passage]) -> list[list[Passage]]:
    """Passages grouped into quotes: a paragraph's continuation joins the part before it."""
    groups: list[list[Passage]] = []
    for passage in passages:
        if passage.continues and groups:
            groups[-1].append(passage)
        else:
            groups.append([passage])
    return groups


class _Frames:
    """The words around each passage up to its sentence's edges, where its cue may stand."""

    def __init__(self, doc: Doc, text: str, passages: Sequence[Passage]) -> None:
        self.doc = doc
        self.text = text
        self.passages = passages
        self._index = {p.start: i for i, p in enumerate(passages)}
        self.opens = [p.start - 1 for p in passages]
        self.closes = [p.end + 1 if p.closed else p.end for p in passages]
        orth = doc.to_array([ORTH])
        ends = numpy.flatnonzero(numpy.isin(orth, _SENTENCE_END_HASHES))
        self.ends = [doc[int(i)].idx for i in ends if not self._quoted(doc[int(i)].idx)]

    def _quoted(self, at: int) -> bool:
        index = bisect.bisect_right(self.opens, at) - 1
        return index >= 0 and self.opens[index] <= at < self.closes[index]

    def before(self, passage: Passage) -> tuple[int, int]:
        """From the sentence start (or the last quote's close) to the opening mark."""
        start = self.text.rfind("\n", 0, passage.start) + 1
        index = self._index[passage.start]
        if index > 0:
            start = max(start, self.closes[index - 1])
            previous = self.passages[index - 1]
            if self.text[previous.start : previous.end].rstrip()[-1:] in _SENTENCE_END:
                start = max(start, self.closes[index - 1])
        end_index = bisect.bisect_left(self.ends, passage.start - 1) - 1
        if end_index >= 0:
            start = max(start, self.ends[end_index] + 1)
        return start, passage.start - 1

    def after(self, passage: Passage) -> tuple[int, int]:
        """From the closing mark to the sentence end, the next quote, or the paragraph end.

        A quote that ends its own sentence with a full stop has no frame after it, unless a
        dash signs it with a name.
        """
        start = self.closes[self._index[passage.start]]
        ended = self.text[passage.start : passage.end].rstrip()[-1:] == "."
        signed = self.text[start : start + 3].lstrip()[:1] in _DASHES
        if not passage.closed or (ended and not signed):
            return start, start
        end = self.text.find("\n", start)
        end = len(self.text) if end < 0 else end
        index = self._index[passage.start]
        if index + 1 < len(self.passages):
            end = min(end, self.opens[index + 1])
        end_index = bisect.bisect_left(self.ends, start)
        if end_index < len(self.ends):
            end = min(end, self.ends[end_index])
        return start, end

    def opens_sentence(self, passage: Passage) -> bool:
        start, end = self.before(passage)
        return not self.text[start:end].strip(" \t\n—–-(")

    def cue_for(self, passage: Passage, cues: Sequence[Cue]) -> Cue | None:
        """The cue of ``passage``: after it when it opens its sentence, else before it first.

        Before a passage, a cue whose reported clause holds the passage wins over a nearer
        one ("Zelensky said that forces continue ..., while the command is '...'").
        """
        before = self._cues_within(self.before(passage), cues)
        after = self._cues_within(self.after(passage), cues)
        holding = [c for c in before if c.content and _covers(self.doc, c.content, passage)]
        before_best = (holding or before)[-1:]
        ordered = [*after[:1], *before_best]
        if not self.opens_sentence(passage):
            ordered = [*before_best, *after[:1]]
        return ordered[0] if ordered else self._signed(passage)

    def _signed(self, passage: Passage) -> Cue | None:
        """A quote signed with a dash and a name after it ("'...' ― Jane Doe")."""
        start, end = self.after(passage)
        span = self.doc.char_span(start, end, alignment_mode="expand")
        tokens = [t for t in span or () if not t.is_space]
        if len(tokens) < 2 or tokens[0].text not in _DASHES or tokens[1].pos_ != "PROPN":
            return None
        return Cue(tokens[0].i, tokens[0].i + 1, _phrase_head(tokens[1]).i, None)

    def introduced(self, passage: Passage, cues: Sequence[Cue]) -> Cue | None:
        """The cue of a paragraph that ends with a colon, for a quote opening the next one."""
        paragraph_start = self.text.rfind("\n", 0, passage.start) + 1
        if self.text[paragraph_start : passage.start - 1].strip():
            return None
        previous_end = len(self.text[:paragraph_start].rstrip())
        if previous_end == 0 or self.text[previous_end - 1] != ":":
            return None
        previous_start = self.text.rfind("\n", 0, previous_end) + 1
        end_index = bisect.bisect_left(self.ends, previous_end) - 1
        if end_index >= 0:
            previous_start = max(previous_start, self.ends[end_index] + 1)
        found = self._cues_within((previous_start, previous_end), cues)
        return found[-1] if found else None

    def _cues_within(self, frame: tuple[int, int], cues: Sequence[Cue]) -> list[Cue]:
        """The cues in ``frame`` with a source outside quote marks, found in the frame
        itself when the parse gave the cue none (quotes often confuse it)."""
        start, end = frame
        found = []
        for cue in cues:
            if not start <= self.doc[cue.start].idx < end:
                continue
            source = cue.source
            if source is None or self._quoted(self.doc[source].idx):
                source = self._frame_source(cue, frame)
            if source is not None:
                found.append(cue if source == cue.source else replace(cue, source=source))
        return found

    def _frame_source(self, cue: Cue, frame: tuple[int, int]) -> int | None:
        """The nominal nearest the cue in the frame: before it, else just after it."""
        span = self.doc.char_span(frame[0], frame[1], alignment_mode="contract")
        if span is None:
            return None
        names = [t for t in span if t.pos_ in ("PROPN", "PRON") and not t.is_space]
        before = [t for t in names if t.i < cue.start and t.idx >= frame[0]]
        after = [t for t in names if t.i >= cue.end]
        if before and before[0].i == span.start + _leading_punctuation(span):
            return _phrase_head(before[0]).i  # "'...,' Samus, an expert, told"
        if after and after[0].i == cue.end:
            return _phrase_head(after[0]).i  # "'...,' said Samus"
        return None


def _leading_punctuation(span: Span) -> int:
    """How many punctuation or space tokens open ``span``."""
    count = 0
    for token in span:
        if not (token.is_punct or token.is_space):
            break
        count += 1
    return count


def _phrase_head(token: Token) -> Token:
    """The last word of the name or noun phrase ``token`` is in."""
    while (
        token.i + 1 < len(token.doc)
        and token.nbor(1).pos_ in ("PROPN", "NOUN")
        and token.dep_ in ("compound", "flat", "amod")
    ):
        token = token.nbor(1)
    return token


def _covers(doc: Doc, content: tuple[int, int], passage: Passage) -> bool:
    last = doc[content[1] - 1]
    return doc[content[0]].idx <= passage.start and passage.end <= last.idx + len(last) + 1


# Indirect quotes --------------------------------------------------------------------


def _indirect_events(
    doc: Doc, cues: Sequence[Cue], quoted: Sequence[tuple[int, int]]
) -> list[_Event]:
    """Cues that report a clause mostly in the writer's words, with a source."""
    events = []
    for cue in cues:
        if cue.content is None or cue.source is None:
            continue
        if _inside(doc[cue.start].idx, quoted) or _inside(doc[cue.source].idx, quoted):
            continue
        first, last = cue.content
        if _inside(doc[first].idx, quoted) or _inside(doc[first].idx + 1, quoted):
            continue  # the clause is a direct quote ("'...,' he said")
        own_words = [t for t in doc[first:last] if t.is_alpha and not _inside(t.idx, quoted)]
        if len(own_words) < _MIN_INDIRECT_WORDS:
            continue
        start, end = doc[first].idx, doc[last - 1].idx + len(doc[last - 1])
        events.append(_Event(start, end, "indirect", cue))
    return events


def _inside(at: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(start <= at < end for start, end in ranges)


def _tagged_events(
    doc: Doc,
    attributions: Sequence[Attribution],
    events: list[_Event],
    quoted: Sequence[tuple[int, int]],
) -> list[_Event]:
    """What the attribution tagger adds: indirect quotes no cue found, and cues for direct
    quotes that have none (the direct events are given theirs in place).

    Only attributions with a source and a cue outside quote marks count; an indirect one
    must not overlap a quote already found and must have words of its own, as the cues'.
    """
    added = []
    taken = [(event.start, event.end) for event in events]
    for item in attributions:
        cue = _tagged_cue(doc, item, quoted)
        if cue is None:
            continue
        start, end = item.content
        # A direct quote without a cue takes the attribution that is mostly the quote: words
        # in quotes inside a longer attribution ("... he called the plan 'magic'") are not it.
        uncued = [
            e
            for e in events
            if e.kind == "direct"
            and e.cue is None
            and start < e.end
            and e.start < end
            and 2 * (e.end - e.start) >= end - start
            and len(doc.text[e.start : e.end].split()) >= _MIN_INDIRECT_WORDS
        ]
        if not _names_someone(doc[cue.source or 0], group=not uncued):
            continue  # "the chorus", "his returns": a quote wants someone named
        for event in uncued:
            event.cue, event.tagged = cue, True
        if uncued or any(start < b and a < end for a, b in taken):
            continue
        if not _reports_speech(doc, cue):
            continue  # PolNeAR's attributions also hold plans and references, not quotes
        first, last = cue.content or (0, 0)
        own_words = [t for t in doc[first:last] if t.is_alpha and not _inside(t.idx, quoted)]
        if len(own_words) >= _MIN_INDIRECT_WORDS and not _inside(start, quoted):
            added.append(_Event(start, end, "indirect", cue, tagged=True))
            taken.append((start, end))
    return added


def _tagged_cue(doc: Doc, item: Attribution, quoted: Sequence[tuple[int, int]]) -> Cue | None:
    """A tagged attribution as a cue: its cue's tokens, its source's head and its content."""
    if item.source is None or item.cue is None:
        return None
    cue = doc.char_span(*item.cue, alignment_mode="expand")
    source = doc.char_span(*item.source, alignment_mode="expand")
    content = doc.char_span(*item.content, alignment_mode="expand")
    if not cue or not source or not content:
        return None
    if _inside(cue.start_char, quoted) or _inside(source.start_char, quoted):
        return None
    return Cue(cue.start, cue.end, source.root.i, (content.start, content.end))


def _reports_speech(doc: Doc, cue: Cue) -> bool:
    """Whether a tagged cue is a verb of saying (or "according to") that the parse ties to
    its content: the one governs the other ("said [that ...]", "[...], experts say")."""
    first, last = cue.content or (0, 0)
    words = doc[cue.start : cue.end]
    root = words.root
    if not (root.lemma_.lower() in SPEECH_VERBS or words[0].lower_ == "according"):
        return False
    content = doc[first:last].root
    return cue.start <= content.head.i < cue.end or first <= root.head.i < last


def _names_someone(source: Token, group: bool) -> bool:
    """Whether a tagged source names a speaker: a name or a pronoun, a noun with a name in
    apposition ("the director, Priya Dunne"), or when ``group``, a plural ("critics")."""
    if source.pos_ in _NAMING_POS or (group and source.tag_ == "NNS"):
        return True
    return any(child.dep_ == "appos" and child.pos_ == "PROPN" for child in source.children)


# Speakers ---------------------------------------------------------------------------


def _resolve(doc: Doc, text: str, events: list[_Event], speakers: Speakers) -> None:
    """Resolve every event's speaker in text order of the mention it is resolved from."""

    def position(event: _Event) -> int:
        if event.cue is not None and event.cue.source is not None:
            return doc[event.cue.source].idx
        return event.start

    for event in sorted(events, key=position):
        if event.cue is not None and event.cue.source is not None:
            event.speaker = speakers.resolve(event.cue.source)
            if event.speaker is not None and not event.tagged:
                # The tagger's sources are less sure: a quote that continues the latest
                # speaker, or a pronoun, is better off not pointing at one.
                speakers.remember(event.speaker)
        if event.speaker is None and event.inherits:
            event.speaker = _continued(text, event.start, speakers)


def _continued(text: str, start: int, speakers: Speakers) -> Speaker | None:
    """The latest speaker, when it spoke in this paragraph or the one before."""
    speaker = speakers.last_before(start)
    if speaker is None:
        return None
    return speaker if _paragraph(text, start) - _paragraph(text, speaker.start) <= 1 else None


def _paragraph(text: str, at: int) -> int:
    """The index of the paragraph holding character ``at`` (blank lines do not count)."""
    return len(_PARAGRAPH_BREAK.findall(text, 0, at))


def _kept(event: _Event) -> bool:
    """Indirect quotes need a speaker; direct ones need one or a sentence of their own."""
    if event.speaker is not None:
        return True
    return event.kind == "direct" and event.inherits


def _quote(doc: Doc, text: str, event: _Event) -> Quote:
    speaker = event.speaker
    cue = event.cue
    cue_start = doc[cue.start].idx if cue is not None else None
    cue_end = doc[cue.end - 1].idx + len(doc[cue.end - 1]) if cue is not None else None
    return Quote(
        text=text[event.start : event.end],
        start=event.start,
        end=event.end,
        kind=event.kind,
        speaker=speaker.name if speaker else None,
        role=speaker.role if speaker else None,
        cue=text[cue_start:cue_end] if cue_start is not None else None,
        source_start=speaker.start if speaker else None,
        source_end=speaker.end if speaker else None,
        cue_start=cue_start,
        cue_end=cue_end,
    )


# Interviews -------------------------------------------------------------------------


def _inside_turn(passage: Passage, turns: Sequence[Turn]) -> bool:
    return any(turn.start <= passage.start < turn.end for turn in turns)


def _turn_quotes(text: str, turns: Sequence[Turn], speakers: Speakers) -> list[Quote]:
    """Each turn as a direct quote of its speaker: the interviewer, the guest, or the name."""
    if not turns:
        return []
    guest = speakers.most_named(turns[0].label_start)
    quotes = []
    for turn in turns:
        speaker = _turn_speaker(text, turn, speakers, guest)
        body_start, body_end = _unquoted(text, turn.start, turn.end)
        quotes.append(
            Quote(
                text=text[body_start:body_end],
                start=body_start,
                end=body_end,
                kind="direct",
                speaker=speaker.name if speaker else None,
                role=speaker.role if speaker else None,
                cue=None,
                source_start=turn.label_start,
                source_end=turn.label_end,
            )
        )
    return quotes


def _turn_speaker(
    text: str, turn: Turn, speakers: Speakers, guest: Speaker | None
) -> Speaker | None:
    label = turn.label.lower()
    if label in QUESTION:
        return Speaker(_INTERVIEWER, None, turn.label_start, turn.label_end, person=True)
    if label in ANSWER:
        return guest
    return speakers.named(turn.label, turn.label_start, turn.label_end)


def _unquoted(text: str, start: int, end: int) -> tuple[int, int]:
    """A turn's words without quote marks wrapped around all of them."""
    if end - start >= 2 and text[start] in "\"“'‘" and text[end - 1] in "\"”'’":
        return start + 1, end - 1
    return start, end
