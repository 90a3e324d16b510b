"""The entities gate: canonical names, mentions and grouping on the invented gold articles must
not fall below their floors, and real news text from the shared data must come through whole.

The gold is ``tests/fixtures/understand/entities-gold.json`` (no public data set scores
canonical names); the floors are pinned in ``quality/floors.json`` and only ever rise. The
scores are printed on every run and written into the failure message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quality.entities import (
    GOLD,
    GoldArticle,
    GoldEntity,
    load_floors,
    load_gold,
    locate_mentions,
    parse,
    predict,
    score_articles,
)
from storyline.understand.entities import article_entities, entity_key
from storyline.understand.types import Entity, Mention


@pytest.fixture(scope="module")
def gold() -> list[GoldArticle]:
    if not GOLD.is_file():
        pytest.fail(f"{GOLD} is missing: the entities gate reads its gold articles there")
    return load_gold(GOLD)


@pytest.fixture(scope="module")
def polnear_texts(shared_dir: Path) -> list[str]:
    path = shared_dir / "datasets" / "quotes" / "polnear" / "dev" / "text"
    if not path.is_dir():
        pytest.fail(f"{path} is missing: the entities gate reads real news texts there")
    return [p.read_text(encoding="utf-8") for p in sorted(path.glob("*.txt"))[:12]]


def test_entities_meet_their_floors(gold: list[GoldArticle]) -> None:
    scores = score_articles(zip(gold, predict(gold), strict=True))
    floors = load_floors()
    report = f"entities over {len(gold)} gold articles: {scores.describe()}; floors: {floors}"
    print(report)
    below = {name: value for name, value in scores.as_dict().items() if value < floors[name]}
    assert not below, f"below the floor: {below}; {report}"


def test_real_news_comes_through_with_consistent_records(polnear_texts: list[str]) -> None:
    """Every mention points at its words, every key is its name's, no name twice."""
    for text, doc in zip(polnear_texts, parse(polnear_texts), strict=True):
        entities = article_entities(doc)
        assert entities, "a political news article names someone"
        assert len({e.key for e in entities}) == len(entities)
        for entity in entities:
            assert entity.key == entity_key(entity.name, entity.type)
            assert entity.type in ("PERSON", "ORG", "PLACE")
            for mention in entity.mentions:
                assert text[mention.start : mention.end] == mention.text


def _gold(name: str, kind: str, *spans: tuple[int, int]) -> GoldEntity:
    return GoldEntity(name, kind, spans)


def _guess(name: str, kind: str, *spans: tuple[int, int]) -> Entity:
    return Entity(name, kind, entity_key(name, kind), [Mention(s, e, "") for s, e in spans])


def test_the_scorer_counts_names_mentions_and_grouping() -> None:
    article = GoldArticle(
        "a",
        "Ann Lee met Bo Tan. Lee left.",
        (_gold("Ann Lee", "PERSON", (0, 7), (20, 23)), _gold("Bo Tan", "PERSON", (12, 18))),
        1,
    )
    perfect = [_guess("Ann Lee", "PERSON", (0, 7), (20, 23)), _guess("Bo Tan", "PERSON", (12, 18))]
    assert score_articles([(article, perfect)]).as_dict() == {
        "names_f1": 1.0,
        "mentions_f1": 1.0,
        "grouping_f1": 1.0,
    }
    split = [
        _guess("Ann Lee", "PERSON", (0, 7)),
        _guess("Lee", "PERSON", (20, 23)),
        _guess("Bo Tan", "ORG", (12, 18)),
    ]
    scores = score_articles([(article, split)])
    assert (scores.names.tp, scores.names.fp, scores.names.fn) == (1, 2, 1)
    assert scores.mentions.f1 == 1.0
    assert scores.grouping.precision == 1.0
    assert scores.grouping.recall == pytest.approx((1 / 2 + 1 / 2 + 1) / 3)


def test_gold_mentions_are_found_longest_first_and_by_occurrence() -> None:
    text = "Kursk Oblast and Kursk; Kursk again."
    spans = locate_mentions(text, [["Kursk Oblast"], ["Kursk#3"], ["Kursk"]])
    assert spans == [[(0, 12)], [(24, 29)], [(17, 22)]]
    with pytest.raises(ValueError):
        locate_mentions(text, [["Orel"]])
