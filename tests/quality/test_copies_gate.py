"""The copies gate: "same text" through band keys and comparison must not fall below its floors.

The gold pairs are ours, in ``tests/fixtures/stories/copies``; the real news that checks
the band keys against comparing every pair is read in place from ``../shared/datasets``.
The floors are pinned in ``quality/floors.json`` and only ever rise. The scores are
printed on every run and written into the failure message.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from quality.copies import (
    FIXTURES,
    Pair,
    candidate_pairs,
    gold_relation,
    load_articles,
    load_floors,
    load_news,
    load_pairs,
    score_fixtures,
    score_news,
)
from quality.copies_tune import fixture_examples, learn_cut, learn_thresholds
from storyline.stories.copies import COPY_JACCARD, SAME_CONTAINMENT, text_signature


@pytest.fixture(scope="module")
def fixtures() -> Path:
    if not (FIXTURES / "pairs.json").is_file():
        pytest.fail(f"{FIXTURES} is missing: the copies gate reads its gold pairs there")
    return FIXTURES


@pytest.fixture(scope="module")
def datasets(shared_dir: Path) -> Path:
    path = shared_dir / "datasets"
    for needed in ("keyphrases/500N-KPCrowd/docsutf8", "summaries/cnndm"):
        if not (path / needed).is_dir():
            pytest.fail(f"{path / needed} is missing: the copies gate reads real news there")
    return path


def test_copies_meet_their_floors(fixtures: Path) -> None:
    articles, pairs = load_articles(fixtures), load_pairs(fixtures)
    started = time.perf_counter()
    scores = score_fixtures(articles, pairs)
    elapsed = time.perf_counter() - started
    floors = load_floors()
    report = (
        f"copies over {len(pairs)} pairs of {len(articles)} articles: {scores.describe()} "
        f"({elapsed:.1f} s); floors: {floors}; wrong: {list(scores.errors)}"
    )
    print(report)
    below = {name: value for name, value in scores.as_dict().items() if value < floors[name]}
    assert not below, f"below the floor: {below}; {report}"


def test_band_keys_find_what_comparing_every_pair_finds_in_real_news(datasets: Path) -> None:
    scores = score_news(load_news(datasets))
    floor = load_floors()["news_lsh_recall"]
    report = f"real news: {scores.describe()}; floor: {floor}"
    print(report)
    assert scores.same_text_pairs > 50, report
    assert scores.lsh_recall >= floor, f"below the floor; {report}"


def test_the_thresholds_are_the_ones_the_tuning_script_learns(fixtures: Path) -> None:
    """``quality/copies_tune.py`` learns them from the fixtures; the code must agree."""
    same, copy = learn_thresholds(fixture_examples()[0])
    assert (round(same, 3), round(copy, 3)) == (SAME_CONTAINMENT, COPY_JACCARD)


def test_the_gold_pairs_label_every_pair_of_a_family_and_of_an_event(fixtures: Path) -> None:
    articles = load_articles(fixtures)
    labelled = {frozenset((p.a, p.b)): p.same for p in load_pairs(fixtures)}
    for a, b in itertools.combinations(sorted(articles), 2):
        first, second = articles[a], articles[b]
        if first.family is not None and first.family == second.family:
            assert labelled[frozenset((a, b))] is True, (a, b)
        elif set(first.event.split("+")) & set(second.event.split("+")):
            assert labelled[frozenset((a, b))] is False, (a, b)


def test_the_scorer_needs_a_shared_key_and_learns_the_widest_gap() -> None:
    text = "The Brisbury council voted on Tuesday to close the old swing bridge to cars."
    other = "Lifeboats from Saltby took 212 ferry passengers ashore after it ran aground."
    found = candidate_pairs(
        {"a": text_signature(text), "b": text_signature(text), "c": text_signature(other)}
    )
    assert found == {frozenset(("a", "b"))}
    assert gold_relation(Pair("a", "b", True, "copy/original")) == "copy"
    assert gold_relation(Pair("a", "b", True, "original/trim")) == "rewrite"
    assert gold_relation(Pair("a", "b", False, "same-event")) == "different"
    assert learn_cut([(0.1, False), (0.2, False), (0.6, True), (0.9, True)]) == 0.4
