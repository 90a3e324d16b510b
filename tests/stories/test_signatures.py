"""Signatures are compact, stable across processes, and find copies through shared keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.stories.signatures import Signature, band_keys, text_signature

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "copies" / "articles"


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in ARTICLES.glob("flood-*.txt")}


def test_a_signature_survives_its_stored_form_in_265_bytes(texts: dict[str, str]) -> None:
    signature = text_signature(texts["flood-meridian"])
    stored = signature.to_bytes()
    assert len(stored) == 265
    assert Signature.from_bytes(stored) == signature
    with pytest.raises(ValueError):
        Signature.from_bytes(b"\x09" + stored[1:])


def test_keys_are_32_signed_64_bit_integers_that_fit_a_bigint(texts: dict[str, str]) -> None:
    keys = band_keys(text_signature(texts["flood-meridian"]))
    assert len(keys) == 32
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert len(set(keys)) == 32


def test_keys_do_not_change_between_processes_or_versions() -> None:
    """Stored keys must keep matching: these values were computed in another process.

    Python salts ``hash`` per process, so nothing here may depend on it; a change of the
    hashing or of datasketch's permutations fails this test, and would mean recomputing
    every stored signature and key.
    """
    signature = text_signature(
        "The Brisbury council voted on Tuesday to close the old swing bridge to cars, "
        "and repairs will start in June."
    )
    keys = band_keys(signature)
    assert signature.shingles == 17
    assert signature.text[:2] == (422528963, 338591795)
    assert keys[:2] == [-8543070703972269434, -8684487184717881999]
    assert keys[-1] == -3917100286805426441


def test_a_copy_in_other_wrapping_has_the_same_signature(texts: dict[str, str]) -> None:
    carried = texts["flood-saltmarsh--copy-orrinbay"]  # other byline, quotes and tail
    assert text_signature(carried) == text_signature(texts["flood-saltmarsh"])


def test_a_trimmed_copy_shares_keys_and_its_estimated_figures_are_close(
    texts: dict[str, str],
) -> None:
    full = text_signature(texts["flood-meridian"])
    trimmed = text_signature(texts["flood-meridian--trim-tamsin"])
    assert set(band_keys(full)) & set(band_keys(trimmed))
    assert 0.4 <= full.jaccard(trimmed) <= 0.8  # exactly 0.60
    assert full.containment(trimmed) >= 0.8  # exactly 1.00


def test_independent_reports_of_one_event_share_no_key(texts: dict[str, str]) -> None:
    wire = text_signature(texts["flood-meridian"])
    local = text_signature(texts["flood-saltmarsh"])
    assert not set(band_keys(wire)) & set(band_keys(local))
    assert wire.jaccard(local) < 0.1


def test_an_empty_story_has_no_keys() -> None:
    empty = text_signature("   \n\n ")
    assert empty.empty
    assert band_keys(empty) == []
    assert empty.jaccard(text_signature("Some words of a story here.")) == 0.0
