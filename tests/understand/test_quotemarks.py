"""Quote marks read from the text alone: which marks open, close, or are apostrophes."""

from __future__ import annotations

from storyline.understand.quotemarks import find_passages


def _quoted(text: str) -> list[str]:
    return [text[p.start : p.end] for p in find_passages(text)]


def test_straight_and_curly_double_marks() -> None:
    text = 'She said "the ferry runs late" and he said “the bridge is shut” today.'
    assert _quoted(text) == ["the ferry runs late", "the bridge is shut"]


def test_straight_and_curly_single_marks() -> None:
    text = "'The dam held,' she said. ‘The valley is dry,’ he said."
    assert _quoted(text) == ["The dam held,", "The valley is dry,"]


def test_apostrophes_inside_words_are_not_marks() -> None:
    text = "'We don't know, and the mayor's office won't say,' the clerk said."
    assert _quoted(text) == ["We don't know, and the mayor's office won't say,"]


def test_a_plural_possessive_does_not_close_a_single_quote() -> None:
    text = "'The farmers' market opens at dawn,' the organiser said."
    assert _quoted(text) == ["The farmers' market opens at dawn,"]


def test_a_plural_possessive_closes_when_nothing_closes_later() -> None:
    text = "The crowd chanted 'free the sailors' until noon."
    assert _quoted(text) == ["free the sailors"]


def test_a_decade_is_not_an_opening_mark() -> None:
    text = "Back in the '90s the mill 'never closed,' she recalled."
    assert _quoted(text) == ["never closed,"]


def test_nested_quotes_belong_to_the_outer_one() -> None:
    text = "“He told me ‘stay home’ and left,” she said."
    assert _quoted(text) == ["He told me ‘stay home’ and left,"]


def test_a_quote_over_several_paragraphs_opens_on_each() -> None:
    text = "“The first part runs on.\n\n“The second part ends here,” she said.\n\nAfter."
    passages = find_passages(text)
    assert [text[p.start : p.end] for p in passages] == [
        "The first part runs on.",
        "The second part ends here,",
    ]
    assert [(p.continues, p.closed) for p in passages] == [(False, False), (True, True)]


def test_a_stray_mark_mid_paragraph_quotes_nothing() -> None:
    assert _quoted('The sign read 5" high and nothing more.') == []
