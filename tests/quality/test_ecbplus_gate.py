"""The ECB+ clustering gate: the product's online clustering against gold events and topics.

The documents are read in place from ``../shared/datasets/clustering/ecbplus`` and go
through :class:`~storyline.stories.cluster_online.OnlineClusterer` in shuffled orders (the
seeds of ``quality.ecbplus.SEEDS``); stories are scored against events (topic plus
ecb/ecbplus) and storylines against topics with B-cubed precision, recall and F1, averaged
over the seeds. The floors are pinned in ``quality/floors.json`` under ``"ecbplus"`` and
only ever rise; until they are pinned the gate reports its scores only. Parses and vectors
are cached under ``~/.cache/storyline/quality``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from quality.ecbplus import (
    SEEDS,
    Document,
    b_cubed,
    cluster_docs,
    load_documents,
    load_features,
    load_floors,
    score_online,
)


@pytest.fixture(scope="module")
def dataset(shared_dir: Path) -> Path:
    path = shared_dir / "datasets" / "clustering" / "ecbplus"
    if not (path / "1").is_dir():
        pytest.fail(f"{path} is missing: the ECB+ gate reads its documents there")
    return path


def test_online_stories_and_storylines_meet_their_floors(dataset: Path) -> None:
    documents = load_documents(dataset)
    docs = cluster_docs(documents, load_features(documents))
    started = time.perf_counter()
    scores = score_online(docs, documents, SEEDS)
    per_article = (time.perf_counter() - started) / (len(SEEDS) * len(docs))
    floors = load_floors()
    report = (
        f"ECB+ {len(documents)} documents, seeds {SEEDS}: {scores.describe()} "
        f"({per_article * 1000:.1f} ms/article); floors: {floors or 'none pinned'}"
    )
    print(report)
    measured = scores.as_dict()
    below = {name: measured[name] for name, floor in floors.items() if measured[name] < floor}
    assert not below, f"below the floor: {below}; {report}"


def test_the_loader_drops_the_url_line_and_labels_events_and_topics(dataset: Path) -> None:
    documents = load_documents(dataset)
    assert len(documents) > 700
    assert not any("http" in d.text.split(" ", 3)[0] for d in documents)
    plus = [d for d in documents if d.name.endswith("ecbplus")]
    assert plus and all(d.event == f"{d.topic}-ecbplus" for d in plus)
    assert len({d.event for d in documents}) == 2 * len({d.topic for d in documents})
    assert all(d.title and d.text.startswith(d.title) for d in documents)


def test_b_cubed_scores_each_item_against_its_clusters() -> None:
    """Bagga and Baldwin's example shape: one wrong item costs both precision and recall."""
    gold = ["a", "a", "a", "b", "b"]
    assert b_cubed([1, 1, 1, 2, 2], gold).f1 == pytest.approx(1.0)
    scores = b_cubed([1, 1, 2, 2, 2], gold)
    assert scores.precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert scores.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    assert b_cubed([1, 2, 3, 4, 5], gold).precision == pytest.approx(1.0)
    assert b_cubed([1, 1, 1, 1, 1], gold).recall == pytest.approx(1.0)


def test_documents_are_text_not_tokens() -> None:
    from quality.ecbplus import _detokenise

    words = ["Reid", ",", "33", ",", "checked", "into", "rehab", "(", "again", ")", "."]
    assert _detokenise(words) == "Reid, 33, checked into rehab (again)."
    assert Document("x", "t", "t", "1", "1-ecb").event == "1-ecb"
