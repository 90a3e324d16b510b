"""Readable differences between two revisions of an article."""

from __future__ import annotations

from storyline.revisions import compare_revisions, compare_words


def test_a_changed_figure_is_one_word_out_and_one_in() -> None:
    spans = compare_words("The toll rose to 12 people.", "The toll rose to 14 people.")
    assert [(s.kind, s.text) for s in spans if s.kind != "same"] == [
        ("removed", "12"),
        ("added", "14"),
    ]
    assert "".join(s.text for s in spans if s.kind != "removed") == "The toll rose to 14 people."


def test_paragraphs_added_removed_and_rewritten() -> None:
    old = "Ferries stopped at noon.\n\nThe port was closed.\n\nOfficials gave no reason."
    new = "Ferries stopped at 1 p.m.\n\nThe port was closed.\n\nA storm is expected tonight."
    diff = compare_revisions("Port closes", old, "Port closes early", new)
    assert diff.changed and diff.title_changed
    ops = [p.op for p in diff.paragraphs]
    assert ops.count("same") == 1
    assert "changed" in ops
    added = [p for p in diff.paragraphs if p.op == "added"]
    removed = [p for p in diff.paragraphs if p.op == "removed"]
    assert [p.spans[0].text for p in added] == ["A storm is expected tonight."]
    assert [p.spans[0].text for p in removed] == ["Officials gave no reason."]


def test_identical_revisions_have_no_changes() -> None:
    diff = compare_revisions("Same", "One.\n\nTwo.", "Same", "One.\n\nTwo.")
    assert not diff.changed
    assert diff.as_dict()["title_changed"] is False
