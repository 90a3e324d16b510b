"""The time-expression gate: TempEval-3 task A over TimeBank and AQUAINT (TBAQ-cleaned).

Each TimeML file gives a news text, its document creation time (the DCT, which plays the
publication date) and the ``TIMEX3`` spans a person marked in it with their type and
normalised value. Storyline's ``find_timexes`` runs over the text of the ``<TEXT>`` element
with the DCT as anchor, and is scored as TempEval-3 scores task A:

- span F1, *strict* (the same characters) and *relaxed* (any overlap), a gold and a found
  expression being paired at most once;
- value F1: relaxed F1 times the share of paired expressions whose value is right, and the
  same for the type.

``python quality/timex.py`` prints the scores of TimeBank, of AQUAINT and of the two pooled,
then the time per article beside a tagger-only spaCy pass over the same texts.
"""

from __future__ import annotations

import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from storyline.shared_data import shared_dir

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from storyline.understand.types import Timex

REPO = Path(__file__).resolve().parents[1]
DATASET = shared_dir() / "datasets" / "timex" / "TBAQ-cleaned"
FLOORS = Path(__file__).resolve().parent / "floors.json"
CORPORA = ("TimeBank", "AQUAINT")
# The tagger is all find_timexes reads of a Doc; the parser and the entity recogniser would
# triple the gate's time without changing a single tag.
TAGGER_ONLY = ("tok2vec", "tagger")
SPEED_SAMPLE = 4  # every fourth article is timed beside a full spaCy pass


@dataclass(frozen=True)
class GoldTimex:
    start: int
    end: int
    type: str
    value: str


@dataclass(frozen=True)
class Document:
    """One TimeML file: the text of ``<TEXT>``, its creation time and its gold expressions."""

    name: str
    corpus: str
    text: str
    anchor: datetime | date
    timexes: tuple[GoldTimex, ...]


@dataclass(frozen=True)
class Counts:
    """What one comparison found; counts add up over documents."""

    gold: int = 0
    found: int = 0
    strict: int = 0
    relaxed: int = 0
    value: int = 0
    type: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.gold + other.gold,
            self.found + other.found,
            self.strict + other.strict,
            self.relaxed + other.relaxed,
            self.value + other.value,
            self.type + other.type,
        )


@dataclass(frozen=True)
class Scores:
    strict_f1: float
    relaxed_f1: float
    precision: float
    recall: float
    value_accuracy: float
    value_f1: float
    type_accuracy: float
    type_f1: float

    @classmethod
    def of(cls, counts: Counts) -> Scores:
        precision = counts.relaxed / counts.found if counts.found else 0.0
        recall = counts.relaxed / counts.gold if counts.gold else 0.0
        relaxed = _f1(precision, recall)
        strict = _f1(
            counts.strict / counts.found if counts.found else 0.0,
            counts.strict / counts.gold if counts.gold else 0.0,
        )
        value_accuracy = counts.value / counts.relaxed if counts.relaxed else 0.0
        type_accuracy = counts.type / counts.relaxed if counts.relaxed else 0.0
        return cls(
            strict_f1=strict,
            relaxed_f1=relaxed,
            precision=precision,
            recall=recall,
            value_accuracy=value_accuracy,
            value_f1=relaxed * value_accuracy,
            type_accuracy=type_accuracy,
            type_f1=relaxed * type_accuracy,
        )

    def as_dict(self) -> dict[str, float]:
        return {
            "strict_f1": self.strict_f1,
            "relaxed_f1": self.relaxed_f1,
            "value_f1": self.value_f1,
            "type_f1": self.type_f1,
        }

    def describe(self) -> str:
        return (
            f"strict F1={self.strict_f1:.4f} relaxed F1={self.relaxed_f1:.4f} "
            f"(P={self.precision:.4f} R={self.recall:.4f}) value F1={self.value_f1:.4f} "
            f"(accuracy {self.value_accuracy:.4f}) type F1={self.type_f1:.4f} "
            f"(accuracy {self.type_accuracy:.4f})"
        )


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def compare(gold: Sequence[GoldTimex], found: Sequence[Timex]) -> Counts:
    """Pair found expressions with gold ones in text order, each at most once, and count.

    A pair needs overlapping spans (relaxed); it is strict when the spans are the same.
    Exact pairs are made first so that a near miss never steals a strict match.
    """
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for exact in (True, False):
        for g, expected in enumerate(gold):
            if g in pairs:
                continue
            for f, timex in enumerate(found):
                if f in taken:
                    continue
                same = (timex.start, timex.end) == (expected.start, expected.end)
                overlap = timex.start < expected.end and expected.start < timex.end
                if same if exact else overlap:
                    pairs[g] = f
                    taken.add(f)
                    break
    strict = sum(
        (found[f].start, found[f].end) == (gold[g].start, gold[g].end) for g, f in pairs.items()
    )
    return Counts(
        gold=len(gold),
        found=len(found),
        strict=strict,
        relaxed=len(pairs),
        value=sum(found[f].value == gold[g].value for g, f in pairs.items()),
        type=sum(found[f].type == gold[g].type for g, f in pairs.items()),
    )


def load_documents(dataset: Path = DATASET) -> list[Document]:
    """The TimeML files of both corpora, read in place (never copied into the repository)."""
    documents = []
    for corpus in CORPORA:
        for path in sorted((dataset / corpus).glob("*.tml")):
            documents.append(read_document(path, corpus))
    return documents


def read_document(path: Path, corpus: str) -> Document:
    root = ElementTree.parse(path).getroot()
    dct = root.find("DCT/TIMEX3")
    body = root.find("TEXT")
    if dct is None or body is None:
        raise ValueError(f"{path} has no DCT or no TEXT")
    parts: list[str] = []
    timexes: list[GoldTimex] = []
    _flatten(body, parts, timexes)
    return Document(
        path.stem, corpus, "".join(parts), _anchor(dct.get("value", "")), tuple(timexes)
    )


def _flatten(element: ElementTree.Element, parts: list[str], timexes: list[GoldTimex]) -> None:
    """Append the element's text to ``parts``, recording where each ``TIMEX3`` lies."""
    start = sum(map(len, parts))
    parts.append(element.text or "")
    for child in element:
        _flatten(child, parts, timexes)
        parts.append(child.tail or "")
    if element.tag == "TIMEX3":
        end = sum(map(len, parts))
        timexes.append(GoldTimex(start, end, element.get("type", ""), element.get("value", "")))


def _anchor(value: str) -> datetime | date:
    """The DCT as a datetime when it carries a time of day, else as a date."""
    if "T" in value:
        return datetime.fromisoformat(value)
    return date.fromisoformat(value)


def score_documents(
    documents: Iterable[Document],
    find: Callable[[Document], Sequence[Timex]],
) -> dict[str, Counts]:
    """Counts per corpus of ``find`` over ``documents``."""
    counts: dict[str, Counts] = {}
    for document in documents:
        found = find(document)
        counts[document.corpus] = counts.get(document.corpus, Counts()) + compare(
            document.timexes, found
        )
    return counts


def tagged_docs(documents: Sequence[Document], nlp: Language) -> list[Doc]:
    """spaCy over each text with only the components whose output find_timexes reads."""
    disabled = [name for name in nlp.pipe_names if name not in TAGGER_ONLY]
    return list(nlp.pipe((d.text for d in documents), disable=disabled, batch_size=16))


def storyline_timexes(
    documents: Sequence[Document], docs: Sequence[Doc | None]
) -> list[list[Timex]]:
    from storyline.understand.timex import find_timexes

    return [
        find_timexes(document.text, document.anchor, doc)
        for document, doc in zip(documents, docs, strict=True)
    ]


def score(documents: Sequence[Document], found: Sequence[Sequence[Timex]]) -> dict[str, Scores]:
    """Scores per corpus and pooled (``"combined"``)."""
    counts: dict[str, Counts] = {}
    for document, timexes in zip(documents, found, strict=True):
        counts[document.corpus] = counts.get(document.corpus, Counts()) + compare(
            document.timexes, timexes
        )
    counts["combined"] = sum(counts.values(), Counts())
    return {name: Scores.of(total) for name, total in counts.items()}


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    import json

    floors: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return floors["timex"]


def main() -> int:
    from storyline.settings import Settings
    from storyline.understand.pipeline import load_pipeline

    documents = load_documents()
    nlp = load_pipeline(Settings())
    found = storyline_timexes(documents, tagged_docs(documents, nlp))
    print(
        f"documents: {len(documents)}, gold expressions: {sum(len(d.timexes) for d in documents)}"
    )
    for name, scores in score(documents, found).items():
        print(f"{name}: {scores.describe()}")
    print(describe_cost(documents[::SPEED_SAMPLE], nlp))
    return 0


def describe_cost(documents: Sequence[Document], nlp: Language) -> str:
    """Time of find_timexes and build_timeline beside a full spaCy pass over the same texts.

    The understanding stage shares its budget with quotes, entities and key phrases, so the
    two are measured as shares of spaCy's own time, in one run on one machine.
    """
    from storyline.understand.timeline import build_timeline
    from storyline.understand.timex import find_timexes

    started = time.perf_counter()
    docs = list(nlp.pipe(d.text for d in documents))
    parsing = time.perf_counter() - started
    started = time.perf_counter()
    found = [find_timexes(d.text, d.anchor, doc) for d, doc in zip(documents, docs, strict=True)]
    finding = time.perf_counter() - started
    started = time.perf_counter()
    for document, doc, timexes in zip(documents, docs, found, strict=True):
        build_timeline(doc, timexes, document.anchor)
    ordering = time.perf_counter() - started
    count = len(documents)
    return (
        f"over {count} articles: spaCy {parsing / count * 1000:.1f} ms/article, find_timexes "
        f"{finding / count * 1000:.2f} ms ({finding / parsing:.1%} of spaCy), build_timeline "
        f"{ordering / count * 1000:.2f} ms ({ordering / parsing:.1%})"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
