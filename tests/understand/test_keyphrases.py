"""Key phrases of invented articles, ranked by the shipped ranker over a real spaCy parse."""

from __future__ import annotations

import numpy
import pytest
from spacy.language import Language

from storyline.settings import Settings
from storyline.understand.keyphrases import (
    FEATURES,
    Keyphraseness,
    Ranker,
    candidate_key,
    collect_candidates,
    describe_candidates,
    find_key_phrases,
    keyphraseness_features,
    load_ranker,
)
from storyline.understand.pipeline import load_pipeline

HARBOUR = (
    "Velmora dredging plan splits harbour town\n"
    "Dredging of the old harbour at Velmora will begin in March, the Velmora Port Trust said "
    "on Thursday, after a year in which silt closed two of the three berths. Fishermen say the "
    "dredging comes too late: the trawler fleet has already moved to Ostrava Bay, and the fish "
    "auction lost half its buyers. Marisol Quent, who chairs the trust, said the dredging would "
    'cost 14 million crowns and take eight months. "The harbour has silted up faster than any '
    'model predicted," Quent said. Environmental groups fear the dredging will stir up old '
    "industrial sediment. The trust said fiber-optic sensors would watch the water quality "
    "during the dredging, and that sediment would be shipped to a sealed site inland. Quent said "
    "fishermen would get lower berth fees once the harbour reopens."
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(Settings())


def test_the_article_s_subject_comes_first(nlp: Language) -> None:
    phrases = find_key_phrases(nlp(HARBOUR))
    texts = [p.text.casefold() for p in phrases]
    assert len(phrases) == 10
    assert "dredging" in texts[:3]
    assert {"harbour", "velmora"} <= set(texts)
    assert [p.score for p in phrases] == sorted((p.score for p in phrases), reverse=True)


def test_everyday_words_do_not_make_the_list(nlp: Language) -> None:
    texts = {p.text.casefold() for p in find_key_phrases(nlp(HARBOUR))}
    assert not texts & {"said", "thursday", "year", "the", "would"}


def test_forms_of_one_word_are_one_phrase(nlp: Language) -> None:
    doc = nlp("Drones flew at dawn. A drone fell near the dam, and the drones were recovered.")
    keys = [c.key for c in collect_candidates(doc).items]
    assert keys.count(candidate_key("drone")) == 1
    drone = next(c for c in collect_candidates(doc).items if c.key == candidate_key("drone"))
    assert drone.count == 3
    assert drone.text == "Drones"  # the most frequent written form, the first one on a tie


def test_hyphenated_compounds_are_one_word(nlp: Language) -> None:
    found = collect_candidates(nlp("Engineers laid fiber-optic cable under the fiber-optic hub."))
    texts = {c.text for c in found.items}
    assert "fiber-optic" in texts
    assert "fiber-optic cable" in texts
    assert "fiber" not in texts


def test_named_entities_are_candidates_whole(nlp: Language) -> None:
    found = collect_candidates(nlp(HARBOUR))
    names = {c.text for c in found.items if c.exact_entity}
    assert "Marisol Quent" in names


def test_limit_and_empty_text(nlp: Language) -> None:
    doc = nlp(HARBOUR)
    assert len(find_key_phrases(doc, limit=3)) == 3
    assert find_key_phrases(doc, limit=0) == []
    assert find_key_phrases(nlp("")) == []
    assert find_key_phrases(nlp("It was, and it is.")) == []


def test_one_feature_row_per_candidate(nlp: Language) -> None:
    found = collect_candidates(nlp(HARBOUR))
    ranker = load_ranker()
    features = numpy.hstack(
        [describe_candidates(found), keyphraseness_features(found.items, ranker.keyphraseness)]
    )
    assert features.shape == (len(found.items), len(FEATURES))
    assert numpy.isfinite(features).all()


def test_candidate_keys_ignore_case_inflection_and_hyphens() -> None:
    assert candidate_key("Drone Strikes") == candidate_key("drone strike")
    assert candidate_key("Fiber-optic") == candidate_key("fiberoptic")


def test_keyphraseness_leaves_a_training_article_s_own_share_out() -> None:
    table = Keyphraseness({"harbour": (3, 5), "silt": (1, 3), "tide": (2, 2)})
    assert table.lookup("harbour") == (3, 5)
    assert table.lookup("harbour", own=(1, 1)) == (2, 4)
    assert table.lookup("silt", own=(0, 1)) == (0, 0)  # two stories left: too few to count
    assert table.lookup("tide") == (0, 0)
    assert table.lookup("unseen") == (0, 0)


def test_the_ranker_survives_its_json_round_trip(nlp: Language) -> None:
    ranker = load_ranker()
    again = Ranker.from_json(ranker.to_json())
    found = collect_candidates(nlp(HARBOUR))
    features = numpy.hstack(
        [describe_candidates(found), keyphraseness_features(found.items, ranker.keyphraseness)]
    )
    assert numpy.allclose(ranker.score(features), again.score(features))
    stale = dict(ranker.to_json(), features=["log_count"])
    with pytest.raises(ValueError, match="retrain"):
        Ranker.from_json(stale)
