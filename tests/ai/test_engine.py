"""The engine interface: questions checked, copies folded, unknown features refused."""

from __future__ import annotations

import pytest

from storyline.ai.engine import check_question, fold_copies, run_feature
from storyline.ai.types import AiResult, Citation, CitedSentence


def test_questions_are_trimmed_and_bounded() -> None:
    assert check_question("  Who   chaired the talks? ") == "Who chaired the talks?"
    for bad in (None, "", "   ", "x" * 501):
        with pytest.raises(ValueError):
            check_question(bad)


def test_the_same_sentence_from_two_outlets_is_shown_once_citing_both() -> None:
    carried = "The ferry ran aground off Tarn Ness on Tuesday."
    result = AiResult(
        "ask",
        (
            CitedSentence(carried, (Citation(1, 0, 47),)),
            CitedSentence(
                "The ferry  ran aground off Tarn Ness on Tuesday.", (Citation(2, 30, 78),)
            ),
            CitedSentence("All 140 passengers were brought ashore.", (Citation(3, 0, 39),)),
        ),
        answer="Tarn Ness",
    )
    folded = fold_copies(result)
    assert [s.text for s in folded.sentences] == [
        carried,
        "All 140 passengers were brought ashore.",
    ]
    assert folded.sentences[0].citations == (Citation(1, 0, 47), Citation(2, 30, 78))
    assert folded.answer == "Tarn Ness"


def test_an_unknown_feature_is_refused_before_any_engine_runs() -> None:
    with pytest.raises(ValueError, match="unknown AI feature 'horoscope'"):
        run_feature("horoscope", None, None)  # type: ignore[arg-type]
