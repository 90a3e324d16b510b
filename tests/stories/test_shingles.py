"""Differences a reader does not notice do not change the words that are compared."""

from __future__ import annotations

from storyline.stories.shingles import normalised_words, sentence_keys, shingle_hashes, story_words


def test_quotes_dashes_case_and_digit_groups_fold_away() -> None:
    curly = "“We won’t pay 1,200 calvos” — the MAYOR said."
    straight = '"We won\'t pay 1200 calvos" - the mayor said.'
    assert normalised_words(curly) == normalised_words(straight)
    assert normalised_words(curly) == [
        "we",
        "won",
        "t",
        "pay",
        "1200",
        "calvos",
        "the",
        "mayor",
        "said",
    ]


def test_story_words_leave_the_wrapping_out() -> None:
    plain = "Brisbury's bridge closes to cars in June, the council said on Tuesday."
    wrapped = f"BRISBURY (Halcyon Wire) — {plain}\n\nRead more: Other bridges"
    assert story_words(wrapped) == story_words(plain)


def test_shingles_are_runs_of_four_words_and_stable() -> None:
    words = ["the", "council", "voted", "to", "close", "the", "bridge"]
    hashes = shingle_hashes(words)
    assert len(hashes) == 4
    assert all(0 <= h < 2**32 for h in hashes)
    assert hashes == shingle_hashes(list(words))
    assert shingle_hashes(words[1:]) < hashes
    assert len(shingle_hashes(["too", "short"])) == 1
    assert shingle_hashes([]) == set()


def test_one_changed_word_changes_only_the_shingles_that_hold_it() -> None:
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    edited = [*words[:5], "SIX", *words[6:]]
    assert len(shingle_hashes(words) & shingle_hashes(edited)) == 7 - 4


def test_sentences_match_across_quote_styles_and_short_ones_do_not_count() -> None:
    a = sentence_keys("“The bridge is not safe,” Ida Marsh said. He agreed. It closes in June.")
    b = sentence_keys('"The bridge is not safe," Ida Marsh said. She left.')
    assert a & b == {"the bridge is not safe ida marsh said"}
    assert "he agreed" not in a
