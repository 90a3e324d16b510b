"""Copies, rewrites and independent articles are told apart, and a group gets its origin."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storyline.stories.copies import (
    CopyCandidate,
    compare_texts,
    provenance,
    text_signature,
)

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "copies" / "articles"
NOON = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
# Invented paragraphs for groups built in the tests: each is a sentence or two of its own.
P = [
    "The Fenwick ferry ran aground on a sandbank off Gull Point early on Monday with 212 "
    "passengers on board, the harbour authority said.",
    "Nobody was hurt, and lifeboats from Fenwick and Saltby took everyone ashore within "
    "three hours while the tide was still falling.",
    "The ship, the Marta Lind, had left Fenwick at 5:40 a.m. on its daily crossing to the "
    "island of Brenholm and was running twenty minutes late.",
    "Captain Ola Vest told the authority that a steering fault had pushed the vessel out of "
    "the marked channel in fog, according to a preliminary report.",
    "Divers inspected the hull in the afternoon and found a dent but no leak; the operator "
    "said it hoped to refloat the ferry on the evening high tide.",
    "Islanders on Brenholm depend on the crossing for supplies, and the island's only shop "
    "said it had bread and milk for about two more days.",
    "In Saltby, the lifeboat crew said it was the third grounding near Gull Point in five "
    "years and called again for the sandbank to be marked with a lit buoy.",
    "Coxswain Hanne Lyst said her volunteers had trained for exactly this kind of rescue "
    "and that the passengers had stayed calm throughout.",
    "The operator, Brenholm Lines, has offered refunds to all passengers and said a relief "
    "vessel would run the crossing from Wednesday.",
    "The transport inspectorate has opened an inquiry and asked the operator to keep the "
    "ship's voyage data recorder for its investigators.",
]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in ARTICLES.glob("*.txt")}


def join(*indices: int) -> str:
    return "\n\n".join(P[i] for i in indices)


def test_a_copy_in_other_wrapping_is_a_copy(texts: dict[str, str]) -> None:
    match = compare_texts(texts["strike-meridian"], texts["strike-meridian--copy-tamsin"])
    assert match.relation == "copy"
    assert match.jaccard == match.containment == match.sentence_share == 1.0


def test_a_trimmed_copy_and_an_update_are_rewrites(texts: dict[str, str]) -> None:
    trimmed = compare_texts(texts["strike-meridian"], texts["strike-meridian--trim-saltmarsh"])
    assert trimmed.relation == "rewrite"
    assert trimmed.containment == 1.0 and trimmed.jaccard < 0.6
    updated = compare_texts(texts["strike-meridian"], texts["strike-meridian--update"])
    assert updated.relation == "rewrite"
    assert updated.containment > 0.8


def test_independent_reports_with_a_shared_quote_are_different(texts: dict[str, str]) -> None:
    match = compare_texts(texts["strike-meridian"], texts["strike-orrinbay"])
    assert match.relation == "different"
    assert not match.same_text
    assert 0 < match.containment < 0.2  # the union leader's quote, and little else


def test_a_follow_up_reusing_background_paragraphs_is_different(texts: dict[str, str]) -> None:
    match = compare_texts(texts["strike-meridian"], texts["strike-meridian-followup"])
    assert match.relation == "different"
    assert match.sentence_share > 0.2  # three paragraphs are the same, the story is not


def test_signatures_passed_in_give_the_same_figures(texts: dict[str, str]) -> None:
    a, b = texts["breach-kestrel"], texts["breach-kestrel--rewrite-brackenford"]
    given = compare_texts(a, b, text_signature(a), text_signature(b))
    assert given == compare_texts(a, b)
    assert given.relation == "rewrite"
    assert abs(given.estimated_jaccard - given.jaccard) < 0.15
    assert json.loads(json.dumps(given.as_dict()))["relation"] == "rewrite"


def candidate(key: str, outlet: str, minutes: int | None, text: str) -> CopyCandidate:
    published = None if minutes is None else NOON + timedelta(minutes=minutes)
    return CopyCandidate(key, outlet, published, text)


def test_the_credited_source_is_the_original_even_when_seen_later() -> None:
    wire = candidate("wire", "Halcyon Wire", 30, join(0, 1, 2, 3, 4, 5))
    copy = candidate(
        "copy", "Fenwick Gazette", 0, "FENWICK (Halcyon Wire) — " + join(0, 1, 2, 3, 4, 5)
    )
    result = provenance([copy, wire])
    assert result.original == "wire"
    assert [(c.id, c.role, c.source) for c in result.carriages] == [
        ("wire", "original", None),
        ("copy", "copy", "wire"),
    ]


def test_without_credits_the_earliest_is_the_original_and_its_outlet_updates_it() -> None:
    first = candidate("first", "Saltby Post", 0, join(0, 1, 2, 3))
    later = candidate("later", "Saltby Post", 90, join(0, 1, 2, 3, 4, 5))
    trimmed = candidate("trimmed", "Brenholm News", 45, join(0, 1, 2))
    unknown = candidate("unknown", "Gull Point Radio", None, join(0, 1, 2, 3))
    result = provenance([unknown, later, trimmed, first])
    assert [(c.id, c.role) for c in result.carriages] == [
        ("first", "original"),
        ("trimmed", "rewrite"),
        ("later", "update"),
        ("unknown", "copy"),
    ]


def test_a_rewrite_of_a_member_is_matched_to_that_member() -> None:
    original = candidate("original", "Halcyon Wire", 0, join(0, 1, 2, 3, 4))
    localised = candidate("localised", "Saltby Post", 30, join(3, 4, 6, 7))
    # Nothing of the original, most of the localised copy's own paragraphs.
    retold = candidate("retold", "Brenholm News", 60, join(6, 7, 8))
    independent = candidate("independent", "Fenwick Gazette", 10, join(9, 5))
    result = provenance([retold, independent, localised, original])
    roles = {c.id: (c.role, c.source) for c in result.carriages}
    assert roles["localised"] == ("rewrite", "original")
    assert roles["retold"] == ("rewrite", "localised")
    assert roles["independent"][0] == "separate"
    assert json.loads(json.dumps(result.as_dict()))["original"] == "original"


def test_a_group_needs_an_article() -> None:
    with pytest.raises(ValueError):
        provenance([])
