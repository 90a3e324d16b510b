"""The entities gate: canonical names, mentions and their grouping against an invented gold set.

No public data set scores what Storyline needs (one canonical name per person, organisation
and place, with every mention grouped under it), so the gold is our own:
``tests/fixtures/understand/entities-gold.json``, invented news articles with the entities a
careful reader lists (its ``guidelines`` say how). Three scores, each precision, recall, F1:

* names: the set of canonical ``(name, type)`` pairs of each article, exact match;
* mentions: a predicted mention is found when it overlaps a gold one (one to one);
* grouping: B-cubed over the mentions found, i.e. whether mentions of one thing end up in
  one entity and mentions of different things in different ones.

``python quality/entities.py`` prints the scores per batch of gold articles and those of
spaCy's own entities grouped by their words (the baseline), what was missed and what was
invented per article, and the cost of entities and language detection as a share of spaCy's
own time over the gold texts and PolNeAR's development texts (read in place when present).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storyline.shared_data import shared_dir

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from storyline.understand.types import Entity

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "fixtures" / "understand" / "entities-gold.json"
POLNEAR = shared_dir() / "datasets" / "quotes" / "polnear" / "dev" / "text"
FLOORS = Path(__file__).resolve().parent / "floors.json"
_NTH = re.compile(r"^(.*)#(\d+)$")

Span = tuple[int, int]


@dataclass(frozen=True)
class GoldEntity:
    name: str
    type: str
    mentions: tuple[Span, ...]


@dataclass(frozen=True)
class GoldArticle:
    id: str
    text: str
    entities: tuple[GoldEntity, ...]
    batch: int  # when it was written; see the gold's guidelines


@dataclass
class Counts:
    """True positives, false positives and false negatives, summed over articles."""

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn


@dataclass
class BCubed:
    """Sums of per-mention B-cubed precision and recall, and the number of mentions."""

    precision_sum: float = 0.0
    recall_sum: float = 0.0
    mentions: int = 0

    @property
    def precision(self) -> float:
        return self.precision_sum / self.mentions if self.mentions else 0.0

    @property
    def recall(self) -> float:
        return self.recall_sum / self.mentions if self.mentions else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: BCubed) -> None:
        self.precision_sum += other.precision_sum
        self.recall_sum += other.recall_sum
        self.mentions += other.mentions


@dataclass(frozen=True)
class Scores:
    names: Counts
    mentions: Counts
    grouping: BCubed

    def as_dict(self) -> dict[str, float]:
        return {
            "names_f1": self.names.f1,
            "mentions_f1": self.mentions.f1,
            "grouping_f1": self.grouping.f1,
        }

    def describe(self) -> str:
        return "  ".join(
            f"{label} p={c.precision:.3f} r={c.recall:.3f} F1={c.f1:.3f}"
            for label, c in (
                ("names", self.names),
                ("mentions", self.mentions),
                ("grouping", self.grouping),
            )
        )


def load_gold(path: Path = GOLD) -> list[GoldArticle]:
    """The gold articles, with each mention string resolved to character spans."""
    data = json.loads(path.read_text(encoding="utf-8"))
    articles = []
    for article in data["articles"]:
        text = article["text"]
        specs = [(e["name"], e["type"], e["mentions"]) for e in article["entities"]]
        spans = locate_mentions(text, [mentions for _, _, mentions in specs])
        entities = tuple(
            GoldEntity(name, kind, tuple(sorted(found)))
            for (name, kind, _), found in zip(specs, spans, strict=True)
        )
        articles.append(GoldArticle(article["id"], text, entities, article["batch"]))
    return articles


def locate_mentions(text: str, specs: Sequence[Sequence[str]]) -> list[list[Span]]:
    """Spans of each entity's mention strings: "X#n" is the n-th whole-word occurrence of X
    and is placed first; then each string claims every free occurrence, longest first."""
    taken: list[Span] = []
    found: list[list[Span]] = [[] for _ in specs]
    plain: list[tuple[str, int]] = []
    for index, strings in enumerate(specs):
        for string in strings:
            nth = _NTH.match(string)
            if nth is None:
                plain.append((string, index))
                continue
            spans = _occurrences(text, nth.group(1))
            span = spans[int(nth.group(2)) - 1]
            found[index].append(span)
            taken.append(span)
    for string, index in sorted(plain, key=lambda item: -len(item[0])):
        for span in _occurrences(text, string):
            if not any(s < span[1] and span[0] < e for s, e in taken):
                found[index].append(span)
                taken.append(span)
    for strings, spans in zip(specs, found, strict=True):
        if not spans:
            raise ValueError(f"gold mentions {strings} are not in the text")
    return found


def _occurrences(text: str, string: str) -> list[Span]:
    pattern = re.compile(r"(?<!\w)" + re.escape(string) + r"(?!\w)")
    return [m.span() for m in pattern.finditer(text)]


def score_articles(pairs: Iterable[tuple[GoldArticle, Sequence[Entity]]]) -> Scores:
    """Names, mentions and grouping over ``(gold article, predicted entities)`` pairs."""
    names, mentions, grouping = Counts(), Counts(), BCubed()
    for gold, predicted in pairs:
        names.add(score_names(gold, predicted))
        found, matched = _match_mentions(gold, predicted)
        mentions.add(found)
        grouping.add(_bcubed(gold, predicted, matched))
    return Scores(names, mentions, grouping)


def score_names(gold: GoldArticle, predicted: Sequence[Entity]) -> Counts:
    """Exact canonical ``(name, type)`` pairs of one article."""
    truth = {(e.name, e.type) for e in gold.entities}
    guess = {(e.name, e.type) for e in predicted}
    return Counts(len(truth & guess), len(guess - truth), len(truth - guess))


def _match_mentions(
    gold: GoldArticle, predicted: Sequence[Entity]
) -> tuple[Counts, dict[Span, Span]]:
    """One-to-one overlaps of predicted and gold mentions: counts, and predicted -> gold."""
    gold_spans = sorted(span for e in gold.entities for span in e.mentions)
    free = set(gold_spans)
    matched: dict[Span, Span] = {}
    for span in sorted((m.start, m.end) for e in predicted for m in e.mentions):
        hit = next((g for g in gold_spans if g in free and g[0] < span[1] and span[0] < g[1]), None)
        if hit is not None:
            free.discard(hit)
            matched[span] = hit
    found = len(matched)
    total = sum(len(e.mentions) for e in predicted)
    return Counts(found, total - found, len(gold_spans) - found), matched


def _bcubed(gold: GoldArticle, predicted: Sequence[Entity], matched: dict[Span, Span]) -> BCubed:
    """B-cubed over matched mentions: per mention, the share of its predicted entity that is
    in its gold entity (precision) and the share of its gold entity that is in its predicted
    one (recall)."""
    gold_of = {span: i for i, e in enumerate(gold.entities) for span in e.mentions}
    predicted_of = {
        matched[(m.start, m.end)]: i
        for i, e in enumerate(predicted)
        for m in e.mentions
        if (m.start, m.end) in matched
    }
    result = BCubed(mentions=len(predicted_of))
    for span, guess in predicted_of.items():
        same_guess = {s for s, g in predicted_of.items() if g == guess}
        same_truth = {s for s in predicted_of if gold_of[s] == gold_of[span]}
        overlap = len(same_guess & same_truth)
        result.precision_sum += overlap / len(same_guess)
        result.recall_sum += overlap / len(same_truth)
    return result


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    floors: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return floors["entities"]


def parse(texts: Sequence[str]) -> list[Doc]:
    """spaCy docs of ``texts`` with the pipeline Storyline is configured with."""
    from storyline.settings import Settings
    from storyline.understand.pipeline import load_pipeline

    nlp = load_pipeline(Settings())
    return list(nlp.pipe(texts))


def predict(articles: Sequence[GoldArticle]) -> list[list[Entity]]:
    from storyline.understand.entities import article_entities

    return [article_entities(doc) for doc in parse([a.text for a in articles])]


def spacy_entities(doc: Doc) -> list[Entity]:
    """The baseline: spaCy's own entities, grouped by their words without "the", typed as
    Storyline types them (GPE, LOC and FAC are places), each named as written."""
    from storyline.understand.types import Entity, Mention

    kinds = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE"}
    groups: dict[tuple[str, str], Entity] = {}
    for ent in doc.ents:
        kind = kinds.get(ent.label_)
        if kind is None:
            continue
        span = ent[1:] if ent[0].lower_ == "the" and len(ent) > 1 else ent
        entity = groups.setdefault((span.text, kind), Entity(span.text, kind, span.text))
        entity.mentions.append(Mention(span.start_char, span.end_char, span.text))
    return list(groups.values())


def cost_share(texts: Sequence[str]) -> tuple[float, float]:
    """Time of entities and of language detection as shares of spaCy's time on ``texts``."""
    from storyline.settings import Settings
    from storyline.understand.entities import article_entities
    from storyline.understand.language import detect_language
    from storyline.understand.pipeline import load_pipeline

    nlp = load_pipeline(Settings())
    detect_language(texts[0])  # load the model outside the clock
    spacy_time = entity_time = language_time = 0.0
    for text in texts:
        started = time.perf_counter()
        doc = nlp(text)
        parsed = time.perf_counter()
        article_entities(doc)
        found = time.perf_counter()
        detect_language(text)
        spacy_time += parsed - started
        entity_time += found - parsed
        language_time += time.perf_counter() - found
    return entity_time / spacy_time, language_time / spacy_time


def _report_errors(
    articles: Sequence[GoldArticle], predictions: Sequence[Sequence[Entity]]
) -> None:
    for gold, predicted in zip(articles, predictions, strict=True):
        truth = {(e.name, e.type) for e in gold.entities}
        guess = {(e.name, e.type) for e in predicted}
        if truth != guess:
            print(f"  {gold.id}: missed {sorted(truth - guess)}; invented {sorted(guess - truth)}")


def main() -> int:
    articles = load_gold()
    predictions = predict(articles)
    pairs = list(zip(articles, predictions, strict=True))
    print(f"articles: {len(articles)}, gold entities: {sum(len(a.entities) for a in articles)}")
    print(f"all: {score_articles(pairs).describe()}")
    baseline = [spacy_entities(doc) for doc in parse([a.text for a in articles])]
    print(f"spaCy alone: {score_articles(zip(articles, baseline, strict=True)).describe()}")
    for batch in sorted({a.batch for a in articles}):
        chosen = [(a, p) for a, p in pairs if a.batch == batch]
        print(f"batch {batch} ({len(chosen)}): {score_articles(chosen).describe()}")
    if FLOORS.exists():
        print(f"floors: {load_floors()}")
    print("differences in canonical names:")
    _report_errors(articles, predictions)
    texts = [a.text for a in articles]
    if POLNEAR.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(POLNEAR.glob("*.txt"))]
    entities_share, language_share = cost_share(texts)
    print(
        f"cost over {len(texts)} texts, as a share of spaCy's time: entities "
        f"{entities_share:.1%}, language {language_share:.1%}, both "
        f"{entities_share + language_share:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
