"""The attribution tagger on invented news sentences, with the real spaCy pipeline and model."""

from __future__ import annotations

import numpy as np
import pytest
from spacy.language import Language
from spacy.tokens import Doc

from storyline.settings import Settings
from storyline.understand.attribution import (
    decode_spans,
    paragraph_features,
    quote_states,
    tag_attributions,
)
from storyline.understand.pipeline import load_pipeline
from storyline.understand.types import Attribution


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(Settings())


def _texts(doc: Doc, item: Attribution) -> tuple[str, str | None, str | None]:
    """The content, source and cue of ``item`` as text."""
    source = doc.text[slice(*item.source)] if item.source else None
    cue = doc.text[slice(*item.cue)] if item.cue else None
    return doc.text[slice(*item.content)], source, cue


def _tag(nlp: Language, text: str) -> tuple[Doc, list[tuple[str, str | None, str | None]]]:
    doc = nlp(text)
    return doc, [_texts(doc, item) for item in tag_attributions(doc)]


def test_straight_quotes_before_said(nlp: Language) -> None:
    _, found = _tag(
        nlp, '"We will rebuild the pier before the summer," said Marta Olsen, the harbour chief.'
    )
    assert found == [
        (
            '"We will rebuild the pier before the summer,"',
            "Marta Olsen, the harbour chief",
            "said",
        )
    ]


def test_curly_quotes_and_told(nlp: Language) -> None:
    _, found = _tag(
        nlp, "“The vote on the new bus depot was rushed,” Councillor Ade Bakare told reporters."
    )
    content, source, cue = found[0]
    assert content == "“The vote on the new bus depot was rushed,”"
    assert source == "Councillor Ade Bakare"
    assert cue is not None and cue.startswith("told")


def test_according_to(nlp: Language) -> None:
    _, found = _tag(
        nlp,
        "According to the Tillbury water board, the reservoir is at its lowest level in forty "
        "years.",
    )
    assert found == [
        (
            "the reservoir is at its lowest level in forty years",
            "the Tillbury water board",
            "According to",
        )
    ]


def test_a_quote_split_around_she_said(nlp: Language) -> None:
    _, found = _tag(
        nlp, "“The ferry to Kellsey Island,” she said, “will run twice a day from June.”"
    )
    assert [content for content, _, _ in found] == [
        "“The ferry to Kellsey Island,”",
        "“will run twice a day from June.”",
    ]
    assert {(source, cue) for _, source, cue in found} == {("she", "said")}


def test_indirect_speech_with_that(nlp: Language) -> None:
    _, found = _tag(
        nlp,
        "Inspector Dalia Brennan said that the warehouse fire in Orley had been started "
        "deliberately.",
    )
    assert found == [
        (
            "that the warehouse fire in Orley had been started deliberately",
            "Inspector Dalia Brennan",
            "said",
        )
    ]


def test_apostrophes_are_not_quote_marks(nlp: Language) -> None:
    text = "The soldiers' families said the base's rules don't allow visits on Sundays."
    doc, found = _tag(nlp, text)
    assert set(quote_states(doc, 0, len(doc))) == {"out"}
    assert found == [
        ("the base's rules don't allow visits on Sundays", "The soldiers' families", "said")
    ]


def test_quote_marks_open_and_close(nlp: Language) -> None:
    doc = nlp("He said “no” and then 'maybe' to the ‘plan’ but not \"today\".")
    states = dict(zip((t.text for t in doc), quote_states(doc, 0, len(doc)), strict=True))
    assert (states["no"], states["maybe"], states["plan"], states["today"]) == (
        "in",
        "in1",
        "in1",
        "in",
    )
    assert (states["“"], states["”"], states["‘"], states["’"]) == (
        "open",
        "close",
        "open1",
        "close1",
    )
    assert states["then"] == states["but"] == "out"


def test_offsets_point_into_the_text_and_are_sorted(nlp: Language) -> None:
    text = (
        "The Lanmoor festival will close early this year.\n\n"
        "“We ran out of money,” said organiser Priya Dunne. Local traders said they "
        "would lose their best week.\n\n"
        "The council declined to comment."
    )
    doc = nlp(text)
    found = tag_attributions(doc)
    assert len(found) >= 2
    assert [item.content for item in found] == sorted(item.content for item in found)
    for item in found:
        for span in (item.content, item.source, item.cue):
            if span is not None:
                start, end = span
                assert 0 <= start < end <= len(text)
                assert text[start:end] == text[start:end].strip()
    contents = [_texts(doc, item)[0] for item in found]
    assert "“We ran out of money,”" in contents
    assert "they would lose their best week" in contents


def test_blank_texts_have_no_attributions(nlp: Language) -> None:
    for text in ("", "\n\n", '"\n\n"', "The harbour reopened."):
        assert tag_attributions(nlp(text)) == []


def test_a_pipeline_without_the_trained_vectors_still_tags(nlp: Language) -> None:
    """Another spaCy model has other token vectors (or none): the other features carry on."""
    doc = nlp('"The tide is late today," said Marta Olsen, the harbour chief.')
    doc.tensor = np.zeros((0,), dtype=np.float32)
    assert [_texts(doc, item) for item in tag_attributions(doc)] == [
        ('"The tide is late today,"', "Marta Olsen, the harbour chief", "said")
    ]


def test_paragraphs_split_on_line_breaks(nlp: Language) -> None:
    doc = nlp("One line here.\n\nAnother line.\nA third.")
    ranges = [(start, end) for start, end, _ in paragraph_features(doc, {})]
    assert [doc[start:end].text for start, end in ranges] == [
        "One line here.",
        "Another line.",
        "A third.",
    ]


def test_bio_runs_become_spans() -> None:
    labels = ["B-source", "I-source", "B-cue", "B-content", "I-content", "O", "I-content", "O"]
    assert decode_spans(labels) == {
        "source": [(0, 2)],
        "cue": [(2, 3)],
        "content": [(3, 5), (6, 7)],
    }
    assert decode_spans(["B-content", "B-content", "I-cue"]) == {
        "source": [],
        "cue": [(2, 3)],
        "content": [(0, 1), (1, 2)],
    }
