"""The attribution gate: how well ``tag_attributions`` finds PolNeAR's sources, cues and contents.

PolNeAR (Newell, Margolin and Ruths, LREC 2018) annotates every attribution in political news as
brat standoff: ``Source``, ``Cue`` and ``Content`` spans, tied into one attribution by an ``E``
line. The metric is the field's (CofeNet, COLING 2022): an annotation is a tag sequence, each
unbroken run of one role is a span, and a predicted span counts only when it matches a gold span
of the same role exactly. Counts are summed over all documents (micro-averaged) and give a
precision, recall and F1 per role. Hence:

- A discontinuous span (a content split around "he said") is one span per fragment, as its
  tag sequence has one run per fragment.
- Spans are compared after trimming whitespace, and an edge that falls inside a word is moved to
  the word's edge, on both sides alike: a tag sequence labels whole tokens, so a gold span that
  starts one letter into a name still labels the whole name.
- Most articles have one annotator; a few were annotated by six, as a check on agreement. Each
  annotator's file is scored as its own document (the tagger runs once per article), so every
  annotation counts and none is chosen over another.

``python quality/polnear.py`` scores the tagger on the dev split (exact match, and overlap as
a lenient figure) and reports its cost beside spaCy's. Only the ``train`` split is for
learning; ``dev`` is for measuring.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storyline.shared_data import shared_dir

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from storyline.understand.types import Attribution

REPO = Path(__file__).resolve().parents[1]
DATASET = shared_dir() / "datasets" / "quotes" / "polnear"
FLOORS = Path(__file__).resolve().parent / "floors.json"
ROLES = ("source", "cue", "content")

Span = tuple[int, int]

# brat lines: "T12<TAB>Content 10 20;25 30<TAB>text" and "E4<TAB>Attribution:T13 Content:T12 ..."
_TEXT_BOUND = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t")
_EVENT = re.compile(r"^E\d+\t(.*)$")
# A brat role name to the role it is scored as ("Content2" is a second content of one cue).
_ROLE_OF = {"Source": "source", "Cue": "cue", "Content": "content", "Content2": "content"}


@dataclass(frozen=True)
class GoldAttribution:
    """One annotated attribution: each role is its fragments, empty when the role is absent."""

    content: tuple[Span, ...]
    source: tuple[Span, ...] = ()
    cue: tuple[Span, ...] = ()

    def role(self, name: str) -> tuple[Span, ...]:
        spans: tuple[Span, ...] = getattr(self, name)
        return spans


@dataclass(frozen=True)
class PolnearDoc:
    """One annotator's annotation of one article; ``name`` is ``<article>_<annotator>``."""

    name: str
    article: str
    annotator: str
    text: str
    attributions: tuple[GoldAttribution, ...]

    def gold_spans(self, role: str) -> set[Span]:
        """The normalised gold spans of ``role``, one per fragment."""
        spans = (span for item in self.attributions for span in item.role(role))
        return _normalised(self.text, spans)


@dataclass(frozen=True)
class RoleScore:
    """Exact-match counts of one role, summed over documents."""

    true_positive: int
    false_positive: int
    false_negative: int

    @property
    def precision(self) -> float:
        predicted = self.true_positive + self.false_positive
        return self.true_positive / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        gold = self.true_positive + self.false_negative
        return self.true_positive / gold if gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def load_polnear(split: str, dataset: Path = DATASET) -> list[PolnearDoc]:
    """Every annotator file of ``split`` (``train`` or ``dev``) as a document, read in place."""
    folder = dataset / split
    if not (folder / "attributions").is_dir():
        raise FileNotFoundError(f"{folder} holds no PolNeAR attributions")
    texts: dict[str, str] = {}
    docs = []
    for path in sorted((folder / "attributions").glob("*.ann")):
        article, _, annotator = path.stem.rpartition("_")
        if article not in texts:
            texts[article] = (folder / "text" / f"{article}.txt").read_text(encoding="utf-8")
        attributions = parse_brat(path.read_text(encoding="utf-8"))
        docs.append(PolnearDoc(path.stem, article, annotator, texts[article], attributions))
    return docs


def parse_brat(standoff: str) -> tuple[GoldAttribution, ...]:
    """The attributions of one ``.ann`` file: the roles each ``E`` line ties together.

    Spans no ``E`` line uses are left out, as they are from PolNeAR's tag sequences; an
    attribution without content (a few annotation slips) has nothing to attribute and is dropped.
    """
    spans: dict[str, tuple[str, tuple[Span, ...]]] = {}
    events: list[list[tuple[str, str]]] = []
    for line in standoff.splitlines():
        bound = _TEXT_BOUND.match(line)
        if bound:
            pieces = (piece.split() for piece in bound.group(3).split(";"))
            spans[bound.group(1)] = (bound.group(2), tuple((int(a), int(b)) for a, b in pieces))
            continue
        event = _EVENT.match(line)
        if event:
            parts = (arg.partition(":") for arg in event.group(1).split())
            events.append([(label, ref) for label, _, ref in parts])
    attributions = []
    for args in events:
        roles: dict[str, list[Span]] = {role: [] for role in ROLES}
        for label, ref in args:
            role = _ROLE_OF.get(label)
            if role is not None and ref in spans:
                roles[role].extend(spans[ref][1])
        if roles["content"]:
            attributions.append(
                GoldAttribution(
                    content=tuple(sorted(roles["content"])),
                    source=tuple(sorted(roles["source"])),
                    cue=tuple(sorted(roles["cue"])),
                )
            )
    return tuple(sorted(attributions, key=lambda item: item.content))


def normalise_span(text: str, span: Span) -> Span | None:
    """``span`` without surrounding whitespace and with partial words widened; None if empty."""
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return None
    while start > 0 and text[start].isalnum() and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def predicted_spans(text: str, attributions: Iterable[Attribution], role: str) -> set[Span]:
    """The normalised spans of ``role`` in a tagger's output (a shared source counts once)."""
    found = (getattr(item, role) for item in attributions)
    return _normalised(text, (span for span in found if span is not None))


def score_documents(
    pairs: Iterable[tuple[PolnearDoc, Sequence[Attribution]]],
) -> dict[str, RoleScore]:
    """Micro-averaged exact-match scores per role of ``(gold document, predictions)`` pairs."""
    counts = {role: [0, 0, 0] for role in ROLES}
    for doc, attributions in pairs:
        for role in ROLES:
            gold = doc.gold_spans(role)
            predicted = predicted_spans(doc.text, attributions, role)
            hits = len(gold & predicted)
            counts[role][0] += hits
            counts[role][1] += len(predicted) - hits
            counts[role][2] += len(gold) - hits
    return {role: RoleScore(*counts[role]) for role in ROLES}


def as_dict(scores: dict[str, RoleScore]) -> dict[str, float]:
    """Flat ``{"source_f1": ..., "cue_precision": ...}``, the shape the floors are pinned in."""
    flat = {}
    for role, score in scores.items():
        flat[f"{role}_precision"] = score.precision
        flat[f"{role}_recall"] = score.recall
        flat[f"{role}_f1"] = score.f1
    return flat


def describe(scores: dict[str, RoleScore]) -> str:
    return "; ".join(
        f"{role} P={s.precision:.4f} R={s.recall:.4f} F1={s.f1:.4f}" for role, s in scores.items()
    )


def overlap_scores(
    pairs: Iterable[tuple[PolnearDoc, Sequence[Attribution]]],
) -> dict[str, tuple[float, float, float]]:
    """Per role, the lenient (precision, recall, F1) often reported beside exact match: a
    predicted span is right when it overlaps a gold span of its role by one character, and a
    gold span is found when a predicted one overlaps it."""
    counts = {role: [0, 0, 0, 0] for role in ROLES}
    for doc, attributions in pairs:
        for role in ROLES:
            gold_spans = doc.gold_spans(role)
            found_spans = predicted_spans(doc.text, attributions, role)
            tally = counts[role]
            tally[0] += sum(any(_overlap(p, g) for g in gold_spans) for p in found_spans)
            tally[1] += len(found_spans)
            tally[2] += sum(any(_overlap(g, p) for p in found_spans) for g in gold_spans)
            tally[3] += len(gold_spans)
    scores = {}
    for role, (right, predicted, found, gold) in counts.items():
        precision = right / predicted if predicted else 0.0
        recall = found / gold if gold else 0.0
        total = precision + recall
        scores[role] = (precision, recall, 2 * precision * recall / total if total else 0.0)
    return scores


def parse_articles(docs: Sequence[PolnearDoc], cache: Path | None = None) -> dict[str, Doc]:
    """spaCy parses (with the token vectors the tagger reads) of the articles of ``docs``.

    They are kept in ``cache``, by default a file in the user's cache named for the spaCy
    model and a digest of the texts, never in the repository: later runs skip spaCy.
    """
    from spacy.tokens import DocBin

    from storyline.settings import Settings
    from storyline.understand.pipeline import load_pipeline

    nlp = load_pipeline(Settings())
    texts = {doc.article: doc.text for doc in docs}
    if cache is None:
        digest = hashlib.sha256()
        for name, text in sorted(texts.items()):
            digest.update(f"{name}\0{text}\0".encode())
        model = f"{nlp.meta.get('name')}-{nlp.meta.get('version')}"
        cache = _cache_dir() / f"polnear-{model}-{len(texts)}-{digest.hexdigest()[:16]}.spacy"
    if cache.is_file():
        parsed = {}
        for doc in DocBin().from_disk(cache).get_docs(nlp.vocab):
            doc.tensor = doc.user_data.pop("tensor")
            parsed[str(doc.user_data.pop("article"))] = doc
        if all(name in parsed and parsed[name].text == text for name, text in texts.items()):
            return parsed
    parsed = dict(zip(texts, nlp.pipe(texts.values(), batch_size=16), strict=True))
    store = DocBin(store_user_data=True)
    for name, doc in parsed.items():
        doc.user_data.update(article=name, tensor=doc.tensor)
        store.add(doc)
        doc.user_data.clear()
    cache.parent.mkdir(parents=True, exist_ok=True)
    store.to_disk(cache)
    return parsed


def _cache_dir() -> Path:
    """Where parses are kept between runs: the user's cache, never the repository."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "storyline" / "quality"


def tag_documents(
    docs: Sequence[PolnearDoc], tagger: Callable[[Doc], list[Attribution]] | None = None
) -> list[list[Attribution]]:
    """``tagger`` (default: ``tag_attributions``) run once per article, for each of ``docs``."""
    if tagger is None:
        from storyline.understand.attribution import tag_attributions

        tagger = tag_attributions
    parsed = parse_articles(docs)
    tagged = {article: tagger(doc) for article, doc in parsed.items()}
    return [tagged[doc.article] for doc in docs]


def time_per_article(docs: Sequence[PolnearDoc], sample: int = 12) -> tuple[float, float]:
    """Seconds per article of a fresh spaCy parse and of ``tag_attributions`` after it.

    Each of ``sample`` articles is parsed and then tagged before the next is parsed, so a
    busy machine slows both measures alike.
    """
    from storyline.settings import Settings
    from storyline.understand.attribution import tag_attributions
    from storyline.understand.pipeline import load_pipeline

    nlp = load_pipeline(Settings())
    texts = list({doc.article: doc.text for doc in docs}.values())[:sample]
    tag_attributions(nlp("Warm-up: the Orley harbour chief said the pier would reopen."))
    parse = tag = 0.0
    for text in texts:
        started = time.perf_counter()
        parsed = nlp(text)
        middle = time.perf_counter()
        tag_attributions(parsed)
        parse += middle - started
        tag += time.perf_counter() - middle
    return parse / len(texts), tag / len(texts)


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    """The pinned floors; none (report only) until ``polnear`` is pinned in the file."""
    floors: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return floors.get("polnear", {})


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _normalised(text: str, spans: Iterable[Span]) -> set[Span]:
    kept = (normalise_span(text, span) for span in spans)
    return {span for span in kept if span is not None}


def main() -> int:
    docs = load_polnear("dev")
    predictions = tag_documents(docs)
    pairs = list(zip(docs, predictions, strict=True))
    scores = score_documents(pairs)
    lenient = overlap_scores(pairs)
    articles = len({doc.article for doc in docs})
    print(f"PolNeAR dev: {articles} articles, {len(docs)} annotator files")
    for role, score in scores.items():
        precision, recall, f1 = lenient[role]
        print(
            f"  {role:8} P={score.precision:.4f} R={score.recall:.4f} F1={score.f1:.4f}  "
            f"(tp={score.true_positive} fp={score.false_positive} fn={score.false_negative}); "
            f"overlap P={precision:.4f} R={recall:.4f} F1={f1:.4f}"
        )
    parse, tag = time_per_article(docs)
    print(
        f"time: spaCy {parse * 1000:.1f} ms/article, tagger {tag * 1000:.1f} ms/article "
        f"({tag / parse:.1%} of spaCy)"
    )
    floors = load_floors()
    print("floors: " + (", ".join(f"{k}={v:.3f}" for k, v in sorted(floors.items())) or "none"))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
