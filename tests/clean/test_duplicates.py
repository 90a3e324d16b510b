"""A sentence or paragraph found twice is kept once: the fuller copy, where it stands."""

from __future__ import annotations

from storyline.clean.duplicates import comparison_key, drop_duplicates
from tests.clean.drafts import paragraphs, texts

QUOTE = "'Nobody asked us. The plans were drawn up in a room we were never invited to"


def test_an_exact_duplicate_paragraph_is_kept_once() -> None:
    paragraph = "The engineers' report is due at the end of September, the clerk said."
    blocks = paragraphs(paragraph, "Work stopped on Friday.", paragraph)
    assert texts(drop_duplicates(blocks)) == [paragraph, "Work stopped on Friday."]


def test_a_bare_quote_and_the_same_quote_with_attribution_keep_the_fuller() -> None:
    bare = f"{QUOTE}.'"
    attributed = f"{QUOTE},' said Petra Okafor, who has lived on the street for 31 years."
    blocks = paragraphs(attributed, "The council adjourned.", bare)
    assert texts(drop_duplicates(blocks)) == [attributed, "The council adjourned."]
    blocks = paragraphs(bare, "The council adjourned.", attributed)
    assert texts(drop_duplicates(blocks)) == ["The council adjourned.", attributed]


def test_a_near_exact_copy_is_dropped() -> None:
    first = "The footbridge would carry about 1,200 cyclists a day past the old town's houses."
    second = "The footbridge would carry about 1,200 cyclists a day past the old towns houses."
    assert texts(drop_duplicates(paragraphs(first, second))) == [first]


def test_a_repeated_sentence_inside_a_paragraph_goes_and_the_rest_stays() -> None:
    sentence = "The council has asked for the report to be published in full."
    blocks = paragraphs(f"The report is due. {sentence}", f"{sentence} Nobody objected.")
    assert texts(drop_duplicates(blocks)) == [f"The report is due. {sentence}", "Nobody objected."]


def test_short_sentences_may_repeat() -> None:
    blocks = paragraphs("'No,' he said. The vote failed.", "'No,' he said. The vote passed.")
    assert texts(drop_duplicates(blocks)) == texts(blocks)


def test_different_sentences_about_the_same_thing_both_stay() -> None:
    first = '"It is important that we defend the harbour," Vell said.'
    second = 'For some these are numbers, but for me it is important that we defend the harbour."'
    assert texts(drop_duplicates(paragraphs(first, second))) == [first, second]


def test_comparison_keys_ignore_attribution() -> None:
    assert comparison_key(f"{QUOTE},' Okafor told the Ledger on Tuesday.") == comparison_key(
        f"{QUOTE}.'"
    )


def test_sentences_that_differ_in_a_figure_both_stay() -> None:
    first = "The council voted 7-2 on Tuesday to approve the Sable River footbridge plan."
    second = "The council voted 6-3 on Tuesday to approve the Sable River footbridge plan."
    assert texts(drop_duplicates(paragraphs(first, second))) == [first, second]


def test_sentences_that_differ_in_one_word_of_substance_both_stay() -> None:
    first = "The council voted on Tuesday to approve the Sable River footbridge plan."
    second = "The council voted on Tuesday to reject the Sable River footbridge plan."
    assert texts(drop_duplicates(paragraphs(first, second))) == [first, second]
