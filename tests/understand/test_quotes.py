"""``find_quotes`` on invented articles: every case issue #4 lists, with the real pipeline.

The outlets, people, places and events are made up for these tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.language import Language

from storyline.settings import Settings
from storyline.understand.pipeline import load_pipeline
from storyline.understand.quotes import find_quotes
from storyline.understand.types import Quote

Find = Callable[[str], list[Quote]]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(Settings())


@pytest.fixture(scope="module")
def find(nlp: Language) -> Find:
    def run(text: str) -> list[Quote]:
        return find_quotes(nlp(text))

    return run


def _direct(quotes: list[Quote]) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in quotes if q.kind == "direct"]


def _indirect(quotes: list[Quote]) -> list[Quote]:
    return [q for q in quotes if q.kind == "indirect"]


def test_offsets_cue_source_and_role_of_a_direct_quote(find: Find) -> None:
    text = (
        "The ferry to Lindmoor was cancelled on Tuesday.\n\n"
        '"We had no choice but to stop the crossings," Marta Quillfeather, harbour master '
        "of the Lindmoor Port Authority, told the Harbour Ledger."
    )
    [quote] = find(text)
    assert quote.kind == "direct"
    assert text[quote.start : quote.end] == quote.text
    assert quote.text == "We had no choice but to stop the crossings"
    assert quote.speaker == "Marta Quillfeather"
    assert quote.role == "harbour master of the Lindmoor Port Authority"
    assert quote.cue == "told"
    assert quote.source_start is not None and quote.cue_start is not None
    assert text[quote.source_start : quote.source_end] == "Marta Quillfeather"
    assert text[quote.cue_start : quote.cue_end] == "told"


@pytest.mark.parametrize(("opening", "closing"), [('"', '"'), ("“", "”"), ("'", "'"), ("‘", "’")])
def test_every_kind_of_quote_mark(find: Find, opening: str, closing: str) -> None:
    text = (
        f"{opening}The tide gauge has never read this high,{closing} said Oskar Brennvik, "
        "a hydrologist at the Vastrand Institute."
    )
    assert _direct(find(text)) == [("The tide gauge has never read this high", "Oskar Brennvik")]


def test_apostrophes_are_not_quote_marks(find: Find) -> None:
    text = (
        "'The fishermen's boats can't leave and the dockers' union won't help,' "
        "Ilse Marrow told reporters in Lindmoor."
    )
    assert _direct(find(text)) == [
        ("The fishermen's boats can't leave and the dockers' union won't help", "Ilse Marrow")
    ]


def test_a_quote_split_around_he_said(find: Find) -> None:
    text = (
        "Deputy mayor Tomas Wendeler spoke after the vote.\n\n"
        "“The budget is fixed,” he said, “and the tram line will wait another year.”"
    )
    assert _direct(find(text)) == [
        ("The budget is fixed", "Tomas Wendeler"),
        ("and the tram line will wait another year.", "Tomas Wendeler"),
    ]


def test_a_quote_over_several_paragraphs(find: Find) -> None:
    text = (
        "Petra Anselm, who chairs the Lindmoor water board, gave a long answer.\n\n"
        "“We warned the council twice about the pumps.\n\n"
        "“Nobody listened until the cellars flooded,” Anselm said."
    )
    assert _direct(find(text)) == [
        ("We warned the council twice about the pumps.", "Petra Anselm"),
        ("Nobody listened until the cellars flooded", "Petra Anselm"),
    ]


def test_a_paragraph_that_is_only_a_quote_continues_the_speaker(find: Find) -> None:
    text = (
        "“The orchards lost half their blossom,” said Hanna Sollberg, a grower near Kettmere.\n\n"
        "“Next year will be better if the frost stays away.”\n\n"
        "Prices for apples rose in the spring."
    )
    assert _direct(find(text)) == [
        ("The orchards lost half their blossom", "Hanna Sollberg"),
        ("Next year will be better if the frost stays away.", "Hanna Sollberg"),
    ]


def test_surnames_and_pronouns_resolve_to_the_full_name(find: Find) -> None:
    text = (
        "Rurik Talvane, a retired ship engineer, studied the wreck for a decade.\n\n"
        "“The hull was never meant for winter seas,” Talvane said.\n\n"
        "“It cracked along every weld,” he added."
    )
    quotes = find(text)
    assert _direct(quotes) == [
        ("The hull was never meant for winter seas", "Rurik Talvane"),
        ("It cracked along every weld", "Rurik Talvane"),
    ]
    assert {q.role for q in quotes} == {"retired ship engineer"}


def test_a_surname_said_before_the_full_name_still_resolves(find: Find) -> None:
    text = (
        "“The lighthouse stays open,” Varga said on Monday.\n\n"
        "Elek Varga runs the coastal trust that owns the building."
    )
    assert _direct(find(text)) == [("The lighthouse stays open", "Elek Varga")]


def test_a_partial_quote_takes_the_speaker_of_its_sentence(find: Find) -> None:
    text = (
        "Mayor Linnea Ostrova said on Friday that the old granary would become a library, "
        "calling it “a gift to the children of Kettmere.”"
    )
    quotes = find(text)
    assert _direct(quotes) == [("a gift to the children of Kettmere.", "Linnea Ostrova")]
    assert quotes[0].role == "Mayor"


def test_indirect_quotes_with_said_that_and_according_to(find: Find) -> None:
    text = (
        "Ivo Randell, a spokesman for the Vastrand rail company, said that the night trains "
        "would return in May.\n\n"
        "According to Randell, the new carriages were built in Lindmoor.\n\n"
        "The old timetable will stay in force until then, engineers say."
    )
    found = _indirect(find(text))
    assert [(q.speaker, q.cue) for q in found] == [
        ("Ivo Randell", "said"),
        ("Ivo Randell", "According to"),
        ("engineers", "say"),
    ]
    assert found[0].text == "the night trains would return in May"
    assert found[1].text == "the new carriages were built in Lindmoor"
    assert found[2].text == "The old timetable will stay in force until then"
    assert found[0].role == "spokesman for the Vastrand rail company"


def test_institutions_and_groups_keep_their_names(find: Find) -> None:
    text = (
        "Vastrand's Transport Ministry said the bridge would reopen next week.\n\n"
        "Residents of the old town told the Harbour Ledger that the detour added an hour."
    )
    assert [q.speaker for q in _indirect(find(text))] == [
        "Vastrand's Transport Ministry",
        "residents",
    ]


def test_titles_and_unattributed_scare_quotes_are_not_quotes(find: Find) -> None:
    text = (
        "Greta Holm appeared on “Morning Tide Live” to discuss the harbour.\n\n"
        "The so-called “green corridor” remains a plan on paper."
    )
    assert find(text) == []


def test_a_question_and_answer_interview(find: Find) -> None:
    text = (
        "The Harbour Ledger spoke with Sigrun Dalvik, director of the Kettmere museum, "
        "about the flood.\n\n"
        "Q: How much of the collection was saved?\n\n"
        "A: Almost all of it. We moved the paintings upstairs in one night.\n\n"
        "Q: Will the museum reopen this year?\n\n"
        "A: Only the upper floor, in the autumn."
    )
    assert _direct(find(text)) == [
        ("How much of the collection was saved?", "interviewer"),
        ("Almost all of it. We moved the paintings upstairs in one night.", "Sigrun Dalvik"),
        ("Will the museum reopen this year?", "interviewer"),
        ("Only the upper floor, in the autumn.", "Sigrun Dalvik"),
    ]


def test_an_interview_with_named_turns(find: Find) -> None:
    text = (
        "Brita Lunde, the evening show's anchor, questioned councillor Jonas Eskerod.\n\n"
        "LUNDE: Why did the council sell the pier?\n\n"
        "ESKEROD: Because repairing it would have cost more than a new one.\n\n"
        "LUNDE: And the fishermen?"
    )
    assert _direct(find(text)) == [
        ("Why did the council sell the pier?", "Brita Lunde"),
        ("Because repairing it would have cost more than a new one.", "Jonas Eskerod"),
        ("And the fishermen?", "Brita Lunde"),
    ]


def test_a_signed_quote(find: Find) -> None:
    text = "“The harbour is the heart of this town.” ― Agnes Morvik\n\nThe vote is on Sunday."
    assert _direct(find(text)) == [("The harbour is the heart of this town.", "Agnes Morvik")]


def test_a_quote_without_a_speaker_keeps_none(find: Find) -> None:
    text = "“Nothing will be the same after this winter.”\n\nThe storm passed by midnight."
    assert _direct(find(text)) == [("Nothing will be the same after this winter.", None)]


def test_the_tagger_adds_an_indirect_quote_the_cues_miss(find: Find) -> None:
    """ "stressed her support for ..." governs no clause, so only the attribution tagger
    sees an indirect quote in it."""
    text = (
        "Mayor Ilse Varnak, the head of the Tarrow council, stressed her support for the new "
        "tram line through the old market."
    )
    [quote] = _indirect(find(text))
    assert quote.text.startswith("her support for the new tram line")
    assert (quote.speaker, quote.cue) == ("Ilse Varnak", "stressed")
    assert quote.source_start is not None
    assert text[quote.source_start : quote.source_end] == "Mayor Ilse Varnak"


def test_the_tagger_gives_an_uncued_direct_quote_its_speaker(find: Find) -> None:
    """ "demanded" and "attacked" are no verbs of saying for the cue rules; the tagger
    learned them from PolNeAR."""
    text = (
        "The Tarrow council met on Monday to discuss the ferry contract.\n\n"
        "“Why was the ferry contract never put out to tender, and who signed it?” "
        "Ade Bakare demanded.\n\n"
        "In a speech in June, Mayor Ilse Varnak attacked “the careless planning of the harbour "
        "board and all of its friends in the city.”"
    )
    assert _direct(find(text)) == [
        ("Why was the ferry contract never put out to tender, and who signed it?", "Ade Bakare"),
        (
            "the careless planning of the harbour board and all of its friends in the city.",
            "Ilse Varnak",
        ),
    ]


def test_tagged_plans_and_scare_quotes_are_no_quotes(find: Find) -> None:
    """PolNeAR's attributions include plans ("plan to meet") and words someone is known
    for; neither is a quote, and two quoted words in a longer attribution name nobody."""
    text = (
        "Officials of the Orley port authority plan to meet the ferry operators in the coming "
        "days to consider a new timetable.\n\n"
        "The operators' chief, Priya Dunne, has called the old one a “paper promise” for years."
    )
    quotes = find(text)
    assert _indirect(quotes) == []
    assert _direct(quotes) == [("paper promise", "Priya Dunne")]
