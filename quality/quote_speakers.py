"""The quote-speakers gate: PolNeAR's direct quotes, each given to the right person.

PolNeAR (read with :func:`quality.polnear.load_polnear`, every annotator file its own
document) marks attributions, not quote records, so this gate defines its own direct quotes:

- A gold direct quote is an attribution whose content holds words inside double quote marks
  (straight or curly; the marks may sit just outside the content span). Only attributions
  with a source can say who spoke; one without is left out of both sides of the score.
- A predicted quote is a ``find_quotes`` record of kind ``direct`` with a speaker (one
  without a speaker names nobody and claims nothing). It matches every gold attribution
  whose content overlaps it by at least one character.
- Its speaker is right for a matched attribution when its source mention overlaps the gold
  source span, or when the gold source names the same person: the gold source's last
  capitalised word (its surname, "PENCE" or "Caddell") is one of the words of the speaker's
  full name, compared case-insensitively. A gold source that is a pronoun or a description
  ("he", "the New York businessman") is matched by overlapping the mention that
  ``find_quotes`` resolved, or, for "he" and "she", by naming the person of the latest
  gold source before it that has a capitalised word (PolNeAR has no coreference, so this
  stands in for it).
- A gold source span equal to its cue span ("said" marked as both) is an annotation slip
  and counts as no source.

Precision is the share of predicted quotes that match some attribution with the right
speaker; predicted quotes that overlap no attribution are wrong, those that overlap only
sourceless ones are not counted. Recall is the share of gold direct quotes matched by a
predicted quote with the right speaker.

``python quality/quote_speakers.py`` scores the dev split and lists the misses.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quality.polnear import GoldAttribution, PolnearDoc
    from storyline.understand.types import Quote

REPO = Path(__file__).resolve().parents[1]
FLOORS = Path(__file__).resolve().parent / "floors.json"
Span = tuple[int, int]
_QUOTED = re.compile(r"[\"“][^\"“”]*\w[^\"“”]*[\"”]")
_CAPITALISED = re.compile(r"[A-Z][\w'’.-]*")
_PERSONAL = frozenset({"he", "she", "him", "her"})
_SAYING = frozenset({"said", "says", "say", "told", "tells", "added", "asked", "wrote"})
_TITLES = frozenset(["mr", "mrs", "ms", "dr", "sen", "gov", "rep", "gen", "president", "the"])


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    predicted: int
    gold: int
    misses: tuple[str, ...]
    quotes_seconds: float
    spacy_seconds: float

    def as_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall}

    def describe(self) -> str:
        share = self.quotes_seconds / self.spacy_seconds if self.spacy_seconds else 0.0
        return (
            f"precision={self.precision:.4f} recall={self.recall:.4f} "
            f"({self.predicted} predicted, {self.gold} gold); find_quotes "
            f"{share:.1%} of spaCy's time"
        )


def is_direct(text: str, attribution: GoldAttribution) -> bool:
    """Whether the attribution's content holds quoted words (marks up to 2 characters out)."""
    start = max(0, attribution.content[0][0] - 2)
    end = attribution.content[-1][1] + 2
    return _QUOTED.search(text, start, end) is not None


def surname(source: str) -> str | None:
    """The last capitalised word of a gold source, without a possessive; None if it has none."""
    source = re.sub(r"\([^)]*\)", " ", source)  # "(D-Mo.)" is a party, not a name
    words = [w.rstrip(".") for w in _CAPITALISED.findall(source)]
    words = [w.removesuffix("’s").removesuffix("'s") for w in words]
    words = [w for w in words if w.casefold() not in _TITLES]
    return words[-1].casefold() if words else None


def gold_surname(doc: PolnearDoc, attribution: GoldAttribution) -> str | None:
    """The surname a gold source names; "he" or "she" names the latest named source before it."""
    spans = source_spans(doc, attribution)
    source = " ".join(doc.text[a:b] for a, b in spans)
    name = surname(source)
    if name is not None or source.strip().casefold() not in _PERSONAL:
        return name
    earlier = [
        (a.source[0][0], surname(" ".join(doc.text[s:e] for s, e in source_spans(doc, a))))
        for a in doc.attributions
        if source_spans(doc, a) and a.source[0][0] < spans[0][0]
    ]
    named = [pair for pair in earlier if pair[1] is not None]
    return max(named)[1] if named else None


def speaker_is_right(doc: PolnearDoc, quote: Quote, attribution: GoldAttribution) -> bool:
    """Whether ``quote``'s speaker is the person the attribution's source names."""
    if quote.source_start is not None and quote.source_end is not None:
        mention = (quote.source_start, quote.source_end)
        if any(_overlap(mention, source) for source in source_spans(doc, attribution)):
            return True
    name = gold_surname(doc, attribution)
    words = {w.casefold() for w in re.findall(r"[\w’'-]+", quote.speaker or "")}
    return name is not None and name in words


def source_spans(doc: PolnearDoc, attribution: GoldAttribution) -> tuple[Span, ...]:
    """The attribution's source, mending the annotators' slips: a source equal to its cue
    is no source, and a source that is only a verb of saying beside a cue that is not one
    had its labels swapped, so the cue span is the source."""
    if attribution.source == attribution.cue:
        return ()
    words = " ".join(doc.text[a:b] for a, b in attribution.source).strip().casefold()
    if words in _SAYING and attribution.cue:
        return attribution.cue
    return attribution.source


def has_source(doc: PolnearDoc, attribution: GoldAttribution) -> bool:
    return bool(source_spans(doc, attribution))


def score_document(
    doc: PolnearDoc, quotes: Sequence[Quote]
) -> tuple[int, int, int, int, list[str]]:
    """(right predictions, counted predictions, recalled gold, gold, misses) of one file."""
    sourced = [a for a in doc.attributions if has_source(doc, a)]
    gold = [a for a in sourced if is_direct(doc.text, a)]
    predicted = [q for q in quotes if q.kind == "direct" and q.speaker is not None]
    right = counted = 0
    recalled: set[int] = set()
    misses = []
    for quote in predicted:
        span = (quote.start, quote.end)
        matched = [a for a in sourced if any(_overlap(span, c) for c in a.content)]
        sourceless = any(
            any(_overlap(span, c) for c in a.content)
            for a in doc.attributions
            if not has_source(doc, a)
        )
        if not matched and sourceless:
            continue
        counted += 1
        good = [a for a in matched if speaker_is_right(doc, quote, a)]
        if good:
            right += 1
            recalled.update(id(a) for a in good)
        else:
            sources = [" ".join(doc.text[s:e] for s, e in source_spans(doc, a)) for a in matched]
            misses.append(
                f"{doc.name} {quote.start}: said {quote.speaker!r}, gold {sources or 'none'}: "
                f"{quote.text[:60]!r}"
            )
    for attribution in gold:
        if id(attribution) not in recalled:
            source = " ".join(doc.text[s:e] for s, e in source_spans(doc, attribution))
            start = attribution.content[0][0]
            misses.append(
                f"{doc.name} {start}: missed {source!r}: {doc.text[start : start + 60]!r}"
            )
    return right, counted, len([a for a in gold if id(a) in recalled]), len(gold), misses


def score_split(split: str = "dev", docs: Sequence[PolnearDoc] | None = None) -> Scores:
    """Parse each article of ``split`` once, find its quotes, and score every annotator file."""
    from quality.polnear import load_polnear
    from storyline.settings import Settings
    from storyline.understand.pipeline import load_pipeline
    from storyline.understand.quotes import find_quotes

    docs = load_polnear(split) if docs is None else docs
    nlp = load_pipeline(Settings())
    articles = {doc.article: doc.text for doc in docs}
    started = time.perf_counter()
    parsed = dict(zip(articles, nlp.pipe(articles.values(), batch_size=16), strict=True))
    spacy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    found = {article: find_quotes(parsed_doc) for article, parsed_doc in parsed.items()}
    quotes_seconds = time.perf_counter() - started
    totals = [0, 0, 0, 0]
    misses: list[str] = []
    for doc in docs:
        *counts, doc_misses = score_document(doc, found[doc.article])
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        misses.extend(doc_misses)
    right, counted, recalled, gold = totals
    return Scores(
        precision=right / counted if counted else 0.0,
        recall=recalled / gold if gold else 0.0,
        predicted=counted,
        gold=gold,
        misses=tuple(misses),
        quotes_seconds=quotes_seconds,
        spacy_seconds=spacy_seconds,
    )


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    floors: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return floors["quote_speakers"]


def main() -> int:
    split = sys.argv[1] if len(sys.argv) > 1 else "dev"
    scores = score_split(split)
    print(f"PolNeAR {split} direct quotes with speakers: {scores.describe()}")
    for miss in scores.misses:
        print(f"  {miss}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
