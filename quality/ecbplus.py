"""The ECB+ clustering gate: online stories against gold events, storylines against topics.

ECB+ (``../shared/datasets/clustering/ecbplus``, read in place) holds news documents as token
XML in topics 1-35; each topic holds two distinct but similar events, documents
``<t>_<n>ecb.xml`` about one and ``<t>_<n>ecbplus.xml`` about the other. Every
``*ecbplus.xml`` file starts with its source URL as sentence 0, which alone would tell the
two events apart, so it is dropped. A document's title is its first remaining sentence.

Each document becomes a :class:`~storyline.stories.clustering.ClusterDoc` the way the
product makes one: the sentence embedding of title and lead
(:class:`~storyline.stories.embeddings.Embedder` with its default backend), term weights
(:func:`~storyline.stories.clustering.term_weights`), and the people, organisations and
places that :func:`~storyline.understand.entities.article_entities` finds in spaCy's parse.
ECB+ has no publication dates, so ``published_at`` is ``None`` and time is neutral.

The documents go through :class:`~storyline.stories.clustering.OnlineClusterer` in a
shuffled order (fixed seeds); each document's story is scored against its gold event
(topic plus ecb/ecbplus) and its storyline against its topic, with B-cubed precision,
recall and F1 (Bagga and Baldwin 1998), averaged over the seeds.

Parses and vectors are cached under ``~/.cache/storyline/quality`` (``XDG_CACHE_HOME``),
keyed by the texts and the model, so a warm run takes seconds.

``python quality/ecbplus.py`` prints the scores.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from storyline.shared_data import shared_dir

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from storyline.stories.cluster_features import ClusterDoc, term_weights  # noqa: E402
from storyline.stories.cluster_online import OnlineClusterer  # noqa: E402
from storyline.stories.clustering import PARAMS, ClusterParams  # noqa: E402

DATASET = shared_dir() / "datasets" / "clustering" / "ecbplus"
FLOORS = Path(__file__).resolve().parent / "floors.json"
SEEDS = (1, 2, 3)
_GLUE_BEFORE = re.compile(r" ([,.;:!?%)\]}]|'s|'re|'ve|'ll|'d|'m|n't)(?=\s|$)")
_GLUE_AFTER = re.compile(r"([(\[{$]) ")


@dataclass(frozen=True)
class Document:
    """One ECB+ document: its name, title, text and gold labels."""

    name: str
    title: str
    text: str
    topic: str
    event: str


@dataclass(frozen=True)
class Features:
    """What the product's understanding stage gives a document: entities and a vector."""

    people: tuple[str, ...]
    places: tuple[str, ...]
    vector: np.ndarray


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def describe(self) -> str:
        return f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f}"


@dataclass(frozen=True)
class Scores:
    """B-cubed of stories against events and of storylines against topics."""

    event: BCubed
    topic: BCubed
    stories: int
    storylines: int

    def as_dict(self) -> dict[str, float]:
        return {
            "event_f1": round(self.event.f1, 4),
            "event_precision": round(self.event.precision, 4),
            "event_recall": round(self.event.recall, 4),
            "topic_f1": round(self.topic.f1, 4),
            "topic_precision": round(self.topic.precision, 4),
            "topic_recall": round(self.topic.recall, 4),
        }

    def describe(self) -> str:
        return (
            f"events {self.event.describe()} ({self.stories} stories); "
            f"topics {self.topic.describe()} ({self.storylines} storylines)"
        )


def load_documents(dataset: Path = DATASET) -> list[Document]:
    """Every document of the dataset, in file-name order, URL sentences dropped."""
    documents = []
    for path in sorted(dataset.glob("*/*.xml")):
        sentences: dict[int, list[str]] = defaultdict(list)
        for token in ElementTree.parse(path).getroot().iter("token"):
            sentences[int(token.get("sentence", "0"))].append(token.text or "")
        plus = path.name.endswith("ecbplus.xml")
        kept = [
            _detokenise(words)
            for number, words in sorted(sentences.items())
            if not (plus and number == 0) and words
        ]
        if not kept:
            continue
        topic = path.parent.name
        event = f"{topic}-{'ecbplus' if plus else 'ecb'}"
        documents.append(Document(path.stem, kept[0], " ".join(kept), topic, event))
    if not documents:
        raise FileNotFoundError(f"no ECB+ documents under {dataset}")
    return documents


def _detokenise(words: Sequence[str]) -> str:
    """Tokens back into running text: no space before punctuation and clitics."""
    return _GLUE_AFTER.sub(r"\1", _GLUE_BEFORE.sub(r"\1", " ".join(words)))


def b_cubed(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> BCubed:
    """B-cubed precision and recall of a clustering, one label per item in both lists.

    An item's precision is the share of its predicted cluster that shares its gold
    cluster, its recall the share of its gold cluster that shares its predicted cluster;
    both are averaged over items.
    """
    if len(predicted) != len(gold):
        raise ValueError("one predicted and one gold label per item")
    if not gold:
        return BCubed(0.0, 0.0)
    both = Counter(zip(predicted, gold, strict=True))
    sizes_predicted = Counter(predicted)
    sizes_gold = Counter(gold)
    precision = sum(n * n / sizes_predicted[p] for (p, _), n in both.items())
    recall = sum(n * n / sizes_gold[g] for (_, g), n in both.items())
    return BCubed(precision / len(gold), recall / len(gold))


def load_features(documents: Sequence[Document]) -> list[Features]:
    """Entities and vectors of the documents, from the cache when it holds these texts."""
    from storyline.settings import Settings
    from storyline.stories.embeddings import DEFAULT_MODEL, Embedder

    settings = Settings()
    embedder = Embedder(DEFAULT_MODEL)
    digest = hashlib.sha256()
    for document in documents:
        digest.update(f"{document.title}\0{document.text}\0".encode())
    key = digest.hexdigest()[:16]
    folder = _cache_dir()
    entities_file = folder / f"ecbplus-{settings.nlp_model}-{key}-entities.json"
    vectors_file = folder / f"ecbplus-{embedder.backend}-{key}-vectors.npy"
    folder.mkdir(parents=True, exist_ok=True)
    if entities_file.is_file():
        entities = json.loads(entities_file.read_text(encoding="utf-8"))
    else:
        entities = _entities(documents, settings)
        entities_file.write_text(json.dumps(entities), encoding="utf-8")
    if vectors_file.is_file():
        vectors = np.load(vectors_file)
    else:
        vectors = _vectors(documents, embedder)
        np.save(vectors_file, vectors)
    return [
        Features(tuple(found["people"]), tuple(found["places"]), vector)
        for found, vector in zip(entities, vectors, strict=True)
    ]


def _entities(documents: Sequence[Document], settings: object) -> list[dict[str, list[str]]]:
    """Each document's people and organisations, and its places: entity keys, once a mention."""
    from storyline.settings import Settings
    from storyline.understand.entities import article_entities
    from storyline.understand.names import PLACE
    from storyline.understand.pipeline import load_pipeline

    assert isinstance(settings, Settings)
    nlp = load_pipeline(settings)
    found = []
    for doc in nlp.pipe((d.text for d in documents), batch_size=32):
        people: list[str] = []
        places: list[str] = []
        for entity in article_entities(doc):
            target = places if entity.type == PLACE else people
            target.extend([entity.key] * max(1, len(entity.mentions)))
        found.append({"people": people, "places": places})
    return found


def _vectors(documents: Sequence[Document], embedder: object) -> np.ndarray:
    from storyline.stories.embeddings import Embedder, article_text_for_embedding

    assert isinstance(embedder, Embedder)
    texts = [article_text_for_embedding(d.title, d.text) for d in documents]
    return embedder.embed(texts)


def _cache_dir() -> Path:
    """Where parses and vectors are kept between runs: the user's cache, never the repository."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "storyline" / "quality"


def cluster_docs(documents: Sequence[Document], features: Sequence[Features]) -> list[ClusterDoc]:
    """The documents as the clusterer sees them; ids are positions in ``documents``."""
    return [
        ClusterDoc(
            article_id=index,
            published_at=None,
            vector=found.vector,
            terms=term_weights(document.title, document.text),
            people=Counter(found.people),
            places=Counter(found.places),
            title=document.title,
            outlet="",
        )
        for index, (document, found) in enumerate(zip(documents, features, strict=True))
    ]


def run_online(
    docs: Sequence[ClusterDoc],
    documents: Sequence[Document],
    seed: int,
    params: ClusterParams = PARAMS,
) -> Scores:
    """One shuffled pass of the online clusterer, scored against the gold labels."""
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    clusterer = OnlineClusterer(params)
    for index in order:
        clusterer.add(docs[index])
    return score_assignment(
        clusterer.story_of_article(), clusterer.storyline_of_article(), documents
    )


def score_assignment(
    stories: dict[int, int], storylines: dict[int, int], documents: Sequence[Document]
) -> Scores:
    """B-cubed of the stories and storylines of the documents (keyed by position)."""
    ids = sorted(stories)
    event = b_cubed([stories[i] for i in ids], [documents[i].event for i in ids])
    topic = b_cubed([storylines[i] for i in ids], [documents[i].topic for i in ids])
    return Scores(event, topic, len(set(stories.values())), len(set(storylines.values())))


def average(scores: Sequence[Scores]) -> Scores:
    """The mean of several runs' scores."""
    n = len(scores)
    return Scores(
        BCubed(sum(s.event.precision for s in scores) / n, sum(s.event.recall for s in scores) / n),
        BCubed(sum(s.topic.precision for s in scores) / n, sum(s.topic.recall for s in scores) / n),
        round(sum(s.stories for s in scores) / n),
        round(sum(s.storylines for s in scores) / n),
    )


def score_online(
    docs: Sequence[ClusterDoc],
    documents: Sequence[Document],
    seeds: Sequence[int] = SEEDS,
    params: ClusterParams = PARAMS,
) -> Scores:
    """The online clusterer's scores, averaged over shuffles with ``seeds``."""
    return average([run_online(docs, documents, seed, params) for seed in seeds])


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    """The ECB+ floors; empty (report only) before they are first pinned."""
    floors: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return floors.get("ecbplus", {})


def main() -> int:
    documents = load_documents()
    started = time.perf_counter()
    docs = cluster_docs(documents, load_features(documents))
    prepared = time.perf_counter() - started
    print(
        f"documents: {len(documents)}, events: {len({d.event for d in documents})}, "
        f"topics: {len({d.topic for d in documents})} (features {prepared:.1f} s)"
    )
    started = time.perf_counter()
    scores = score_online(docs, documents)
    elapsed = (time.perf_counter() - started) / len(SEEDS)
    print(f"online, seeds {SEEDS}: {scores.describe()} ({elapsed:.1f} s a pass)")
    floors = load_floors()
    print(f"floors: {floors or 'none pinned (report only)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
