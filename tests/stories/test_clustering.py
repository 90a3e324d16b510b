"""Stories form, merge, split and explain themselves; stories gather into storylines.

The articles are invented: three events in invented places, each with its own people. Their
vectors stand in for sentence embeddings: each event has a random direction and each
article is that direction plus noise (cosine about 0.85 within an event, about 0 across);
the two events of one subject share half their direction, as two floods of one river
season would.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from storyline.stories.cluster_features import (
    ClusterDoc,
    StorySummary,
    absorb,
    summarise,
    term_weights,
)
from storyline.stories.cluster_online import CentroidIndex, OnlineClusterer, batch_cluster
from storyline.stories.clustering import (
    PARAMS,
    assign,
    assign_storyline,
    should_merge,
    split_if_drifted,
    story_hashtags,
    story_title,
)

NOON = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
_RNG = np.random.default_rng(7)


def _direction(rng: np.random.Generator = _RNG) -> np.ndarray:
    vector = rng.normal(size=384)
    return vector / np.linalg.norm(vector)


FLOOD = _direction()
RIVER_SEASON = _direction()
SECOND_FLOOD = (RIVER_SEASON + FLOOD) / np.linalg.norm(RIVER_SEASON + FLOOD)
FIRST_FLOOD = (RIVER_SEASON + _direction()) / np.linalg.norm(RIVER_SEASON + _direction())
STRIKE = _direction()

EVENTS = {
    "flood": (
        FLOOD,
        ["PERSON:odile varga", "ORG:tamsk river authority"],
        ["PLACE:tamsk"],
        [
            "River Tamsk bursts its banks and floods the old town of Tamsk",
            "Tamsk evacuates riverside streets as floodwater rises past the levee",
            "Mayor Odile Varga asks Tamsk residents to leave flooded homes",
            "Floodwater reaches the Tamsk market square; pumps fail overnight",
            "Tamsk river authority says the flood crest will pass on Thursday",
            "Volunteers fill sandbags along the Tamsk embankment as the river rises",
        ],
    ),
    "strike": (
        STRIKE,
        ["PERSON:bertil onsager", "ORG:korvel dockworkers union"],
        ["PLACE:korvel"],
        [
            "Korvel dockworkers walk out over night-shift pay",
            "Cranes stand idle at Korvel port as the dockworkers strike enters its second day",
            "Union leader Bertil Onsager says the Korvel strike will go on until Friday",
            "Ships queue off Korvel as the port strike halts container loading",
            "Korvel port operator offers a new night-shift pay deal to striking dockworkers",
            "Korvel dockworkers vote on the pay offer that could end the strike",
        ],
    ),
}


def _doc(
    article_id: int,
    base: np.ndarray,
    title: str,
    people: list[str],
    places: list[str],
    at: datetime | None,
    rng: random.Random,
    outlet: str = "The Orrin Courier",
) -> ClusterDoc:
    noise = np.random.default_rng(article_id).normal(size=384)
    vector = base + 0.45 * noise / np.linalg.norm(noise)
    vector = (vector / np.linalg.norm(vector)).astype(np.float32)
    named = {key: float(rng.randint(1, 4)) for key in people}
    return ClusterDoc(
        article_id=article_id,
        published_at=at,
        vector=vector,
        terms=term_weights(title, title + ". " + title),
        people=named,
        places={key: 2.0 for key in places},
        title=title,
        outlet=outlet,
    )


def _event_docs(name: str, first_id: int, start: datetime | None = NOON) -> list[ClusterDoc]:
    base, people, places, titles = EVENTS[name]
    rng = random.Random(first_id)
    return [
        _doc(
            first_id + i,
            base,
            title,
            people,
            places,
            None if start is None else start + timedelta(hours=3 * i),
            rng,
        )
        for i, title in enumerate(titles)
    ]


def test_term_weights_favour_rare_words_and_are_a_unit_vector() -> None:
    weights = term_weights("Korvel dockworkers strike", "The strike at the port of Korvel.")
    assert weights["korvel"] > weights["strike"] > weights.get("port", 0.0)
    assert "the" not in weights
    assert sum(w * w for w in weights.values()) == pytest.approx(1.0)


def test_an_article_joins_the_story_it_shares_people_places_and_words_with() -> None:
    flood, strike = _event_docs("flood", 1), _event_docs("strike", 100)
    stories = [summarise(10, flood[:4]), summarise(20, strike[:4])]
    decision = assign(flood[4], stories)
    assert decision.story_id == 10
    assert decision.explanation is not None
    sentence = decision.explanation.sentence()
    assert sentence.startswith("grouped because: shared people ")
    assert "Odile Varga" in sentence and "place Tamsk" in sentence
    assert f"similarity {decision.explanation.similarity:.2f}" in sentence
    assert "3 hours apart" in sentence  # the fourth article was 3 hours before the fifth
    assert [story_id for story_id, _ in decision.ranked] == [10, 20]


def test_an_unrelated_article_or_one_far_apart_in_time_starts_a_new_story() -> None:
    flood, strike = _event_docs("flood", 1), _event_docs("strike", 100)
    assert assign(strike[0], [summarise(10, flood)]).story_id is None
    later = dataclasses.replace(flood[5], published_at=NOON + timedelta(days=60))
    assert assign(later, [summarise(10, flood[:5])]).story_id is None


def test_time_is_neutral_when_an_article_is_undated() -> None:
    flood = _event_docs("flood", 1)
    story = summarise(10, flood[:3])
    same_time = dataclasses.replace(flood[3], published_at=flood[2].published_at)
    undated = dataclasses.replace(flood[3], published_at=None)
    dated = assign(same_time, [story])
    assert assign(undated, [story]).score == pytest.approx(dated.score)
    assert dated.score > assign(flood[3], [story]).score  # 3 hours later costs a little


def test_two_stories_of_one_event_merge_and_two_events_do_not() -> None:
    flood, strike = _event_docs("flood", 1), _event_docs("strike", 100)
    assert should_merge(summarise(1, flood[:3]), summarise(2, flood[3:]))
    assert not should_merge(summarise(1, flood), summarise(2, strike))


def test_a_story_that_drifted_splits_and_a_coherent_one_does_not() -> None:
    flood, strike = _event_docs("flood", 1), _event_docs("strike", 100)
    mixed = flood + strike
    groups = split_if_drifted(summarise(5, mixed), mixed)
    assert groups is not None
    assert {frozenset(d.article_id for d in group) for group in groups} == {
        frozenset(d.article_id for d in flood),
        frozenset(d.article_id for d in strike),
    }
    assert split_if_drifted(summarise(6, flood), flood) is None


def test_stories_of_one_subject_share_a_storyline() -> None:
    _, people, places, titles = EVENTS["flood"]
    rng = random.Random(3)
    spring = [
        _doc(300 + i, FIRST_FLOOD, t.replace("flood", "spring flood"), people, places, NOON, rng)
        for i, t in enumerate(titles[:3])
    ]
    later = NOON + timedelta(days=20)
    autumn = [
        _doc(400 + i, SECOND_FLOOD, title, people, places, later, rng)
        for i, title in enumerate(titles[3:])
    ]
    line = summarise(900, spring)
    decision = assign_storyline(summarise(2, autumn), [line])
    assert decision.story_id == 900
    assert assign_storyline(summarise(3, _event_docs("strike", 100)), [line]).story_id is None


def test_the_online_clusterer_finds_the_events_in_any_order() -> None:
    docs = _event_docs("flood", 1) + _event_docs("strike", 100)
    for seed in range(3):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        clusterer = OnlineClusterer()
        for doc in shuffled:
            clusterer.add(doc)
        assert _groups(clusterer.story_of_article()) == _groups(_gold(docs))
        assert len(clusterer.storylines) == 2


def test_articles_that_each_start_a_story_are_merged_into_one() -> None:
    params = dataclasses.replace(
        PARAMS, story=dataclasses.replace(PARAMS.story, join=10.0, merge=PARAMS.story.merge)
    )
    docs = _event_docs("flood", 1) + _event_docs("strike", 100)
    clusterer = OnlineClusterer(params)
    for doc in docs:
        clusterer.add(doc)
    assert clusterer.merges >= len(docs) - 2
    assert _groups(clusterer.story_of_article()) == _groups(_gold(docs))


def test_a_story_that_took_in_two_events_splits_as_it_grows() -> None:
    """Every article joins the nearest story here, so the first story takes both events."""
    params = dataclasses.replace(PARAMS, story=dataclasses.replace(PARAMS.story, join=-5.0))
    flood, strike = _event_docs("flood", 1), _event_docs("strike", 100)
    clusterer = OnlineClusterer(params)
    for pair in zip(flood, strike, strict=True):
        for doc in pair:
            clusterer.add(doc)
    assert clusterer.splits == 1
    assert _groups(clusterer.story_of_article()) == _groups(_gold(flood + strike))


def test_the_batch_rebuild_gives_the_same_stories() -> None:
    docs = _event_docs("flood", 1) + _event_docs("strike", 100, start=None)
    rebuilt = batch_cluster(reversed(docs))
    assert _groups(rebuilt.story_of_article()) == _groups(_gold(docs))


def test_a_clusterer_restarted_from_stored_summaries_goes_on_where_it_stopped() -> None:
    flood, strike = _event_docs("flood", 1), _event_docs("strike", 100)
    first = OnlineClusterer()
    for doc in flood[:5] + strike[:5]:
        first.add(doc)
    stored = [StorySummary.from_json(s.to_json()) for s in first.stories.values()]
    lines = [StorySummary.from_json(s.to_json()) for s in first.storylines.values()]
    again = OnlineClusterer()
    again.load(stored, lines, dict(first.storyline_of))
    again.add(flood[5])
    again.add(strike[5])
    assert _groups(again.story_of_article()) == _groups(_gold(flood + strike))
    assert set(again.stories) == set(first.stories)


def test_a_story_has_a_title_hashtags_outlets_a_time_span_and_survives_json() -> None:
    flood = _event_docs("flood", 1)
    story = summarise(10, flood)
    assert story_title(story) in {d.title for d in flood}
    assert "Tamsk" in story_title(story)
    tags = story_hashtags(story)
    assert "#OdileVarga" in tags and "#Tamsk" in tags
    assert story.outlets == {"The Orrin Courier": 6}
    assert (story.first_at, story.last_at) == (NOON, NOON + timedelta(hours=15))
    copy = StorySummary.from_json(story.to_json())
    assert copy.article_ids == story.article_ids and copy.terms == story.terms
    assert np.allclose(copy.vector_sum, story.vector_sum)
    assert copy.first_at == story.first_at and copy.titles == story.titles
    grown = absorb(copy, _event_docs("strike", 100)[0])
    assert grown.count == 7 and story.count == 6


def test_the_centroid_index_finds_re_indexed_stories_and_forgets_dropped_ones() -> None:
    index = CentroidIndex()
    directions = [_direction(np.random.default_rng(i)).astype(np.float32) for i in range(1500)]
    for story_id, vector in enumerate(directions):
        index.put(story_id, vector)
    assert index.search(directions[42], 3)[0] == 42
    index.put(42, directions[7])  # story 42 moved
    assert set(index.search(directions[7], 2)) == {7, 42}
    for story_id in range(1200):
        index.drop(story_id)  # past the rebuild point
    assert len(index) == 300
    assert index.search(directions[1300], 1) == [1300]
    assert 42 not in index.search(directions[7], 5)


def _gold(docs: list[ClusterDoc]) -> dict[int, int]:
    return {d.article_id: 0 if d.article_id < 100 else 1 for d in docs}


def _groups(labels: dict[int, int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for article_id, label in labels.items():
        groups.setdefault(label, set()).add(article_id)
    return {frozenset(g) for g in groups.values()}
