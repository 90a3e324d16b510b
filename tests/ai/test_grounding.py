"""The grounding check, with the real embedding model and spaCy pipeline.

Every source and written sentence here is invented (invented towns, people and events).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from spacy.language import Language

from storyline.ai.grounding import check_sentence, find_dates, find_numbers, ground
from storyline.ai.passages import passages
from storyline.ai.types import Citation
from storyline.stories.digest_types import DigestArticle
from storyline.stories.embeddings import Embedder

SOURCE = (
    "Olena Kovalenko, the mayor of Brisk Harbour, said on Tuesday that 6,000 homes had lost "
    "power after the storm. Repairs will cost about 2.4 million euros, and 12% of the town's "
    "streets are still closed. Ukrainian engineers from the Dniprel grid company arrived in "
    "March to rebuild the substation."
)
SENTENCES = [
    "Olena Kovalenko, the mayor of Brisk Harbour, said on Tuesday that 6,000 homes had lost "
    "power after the storm.",
    "Repairs will cost about 2.4 million euros, and 12% of the town's streets are still closed.",
    "Ukrainian engineers from the Dniprel grid company arrived in March to rebuild the substation.",
]


def test_numbers_are_compared_as_values() -> None:
    six_thousand = {Decimal(6000)}
    assert find_numbers("6,000 homes") == find_numbers("6000 homes") == six_thousand
    assert find_numbers("six thousand homes") == six_thousand
    assert find_numbers("sixty-one percent") == find_numbers("61%") == {Decimal(61)}
    assert find_numbers("2.4 million euros") == {Decimal(2_400_000)}
    assert find_numbers("a 15-year lease, the 71st minute") == {Decimal(15), Decimal(71)}
    assert find_numbers("won 3-1") == {Decimal(3), Decimal(1)}
    assert find_numbers("one of the engineers said") == set()
    assert find_numbers("he scored twice") == {Decimal(2)}


def test_dates_are_months_weekdays_and_seasons() -> None:
    assert find_dates("on Tuesday, 3 March, last winter") == {"weekday:1", "month:3", "winter"}
    assert find_dates("Sept. 24 and Monday") == {"month:9", "weekday:0"}
    assert find_dates("prices may march higher") == set()


@pytest.mark.parametrize(
    "sentence",
    [
        "Kovalenko said 6000 homes had lost power after the storm.",  # surname, no separator
        "Brisk Harbour's mayor said six thousand homes were left without power on Tuesday.",
        "Repairs are expected to cost roughly 2.4 million euros.",
        "Twelve percent of the streets in Brisk Harbour remain closed.",
        "Engineers from Ukraine arrived in March to rebuild the substation.",  # demonym
    ],
)
def test_a_faithful_sentence_is_supported(sentence: str, embedder: Embedder, nlp: Language) -> None:
    verdict = check_sentence(sentence, SENTENCES, embedder, nlp)
    assert verdict.supported, verdict.reasons
    assert verdict.similarity > 0.6


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Kovalenko said 7,000 homes had lost power.", "number 7,000 not in the cited sentences"),
        ("Repairs will cost about 4.2 million euros.", "number 4,200,000 not in the cited"),
        (
            "Mayor Petra Kovalenko said 6,000 homes had lost power.",
            "name 'Petra Kovalenko' not in the cited sentences",
        ),
        ("Halvorsen said 6,000 homes had lost power.", "name 'Halvorsen' not in the cited"),
        ("The mayor said on Friday that 6,000 homes had lost power.", "date 'Friday' not in"),
        ("Engineers arrived in April to rebuild the substation.", "date 'April' not in"),
        ("The storm cut power to 6,000 homes in Port Ellery.", "name 'Port Ellery' not in"),
        (
            "The mayor blamed the grid company for years of neglect.",
            "too far from its sources (cosine",
        ),
    ],
)
def test_what_the_sources_do_not_say_is_unsupported(
    sentence: str, reason: str, embedder: Embedder, nlp: Language
) -> None:
    verdict = check_sentence(sentence, SENTENCES, embedder, nlp)
    assert not verdict.supported
    assert any(r.startswith(reason) for r in verdict.reasons), verdict.reasons


def test_a_sentence_that_cites_nothing_is_unsupported(embedder: Embedder, nlp: Language) -> None:
    verdict = check_sentence(SENTENCES[0], [], embedder, nlp)
    assert (verdict.supported, verdict.reasons) == (False, ("no citation",))


def test_only_the_cited_sentences_count(embedder: Embedder, nlp: Language) -> None:
    """A fact stated elsewhere in the article is no support for a sentence citing another."""
    sentence = "Repairs will cost about 2.4 million euros, Kovalenko said."
    assert check_sentence(sentence, SENTENCES[:2], embedder, nlp).supported
    verdict = check_sentence(sentence, SENTENCES[1:2], embedder, nlp)
    assert verdict.reasons == ("name 'Kovalenko' not in the cited sentences",)


def test_ground_keeps_supported_sentences_with_their_offsets(
    embedder: Embedder, nlp: Language
) -> None:
    article = DigestArticle(4, "Harbour Post", "https://post.invalid/4", "Storm", None, SOURCE)
    shown = passages([article])
    assert [p.text for p in shown] == SENTENCES
    first, second, _ = (p.citation() for p in shown)
    generated = [
        ("Kovalenko said 6,000 homes had lost power after the storm.", [first]),
        ("Repairs will cost about 9 million euros.", [second]),
        ("Twelve percent of streets are still closed.", [Citation(4, 5000, 5100)]),
    ]
    for sources in ({4: SOURCE}, [article], shown):
        kept, dropped = ground(generated, sources, embedder, nlp)
        assert [(s.text, s.citations) for s in kept] == [(generated[0][0], (first,))]
        assert dropped == [
            "'Repairs will cost about 9 million euros.': "
            "number 9,000,000 not in the cited sentences",
            "'Twelve percent of streets are still closed.': no citation",
        ]
    marked, _ = ground(generated, [article], embedder, nlp, mark=True)
    assert [s.unsupported for s in marked] == [False, True, True]
    assert marked[2].citations == ()
