"""Language detection: ISO 639-1 codes with a confidence, "und" when a text cannot tell."""

from __future__ import annotations

import pytest

from storyline.understand.language import detect_language

ARTICLES = {
    "en": (
        "The city council voted on Tuesday to close the old bridge over the river for repairs, "
        "saying engineers had found cracks in two of its supports during an inspection."
    ),
    "fr": (
        "Le conseil municipal a voté mardi la fermeture du vieux pont sur la rivière pour des "
        "travaux, après que des ingénieurs ont découvert des fissures dans deux piliers."
    ),
    "de": (
        "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss für "
        "Reparaturen zu schließen, nachdem Ingenieure Risse in zwei Pfeilern gefunden hatten."
    ),
    "uk": (
        "Міська рада у вівторок проголосувала за закриття старого мосту через річку на ремонт, "
        "після того як інженери знайшли тріщини у двох його опорах під час перевірки."
    ),
    "ru": (
        "Городской совет во вторник проголосовал за закрытие старого моста через реку на "
        "ремонт, после того как инженеры нашли трещины в двух его опорах во время проверки."
    ),
}


@pytest.mark.parametrize("code", sorted(ARTICLES))
def test_a_paragraph_is_told_with_confidence(code: str) -> None:
    language, confidence = detect_language(ARTICLES[code])
    assert language == code
    assert 0.9 <= confidence <= 1.0


def test_ukrainian_and_russian_are_told_apart_in_a_sentence() -> None:
    assert detect_language("Мер міста оголосив про закриття мосту через річку.")[0] == "uk"
    assert detect_language("Мэр города объявил о закрытии моста через реку.")[0] == "ru"


@pytest.mark.parametrize("text", ["", "   \n", "Kyiv", "the mayor said", "12 345 678 -- 90"])
def test_empty_or_very_short_text_is_undetermined(text: str) -> None:
    assert detect_language(text) == ("und", 0.0)


def test_a_few_words_are_enough_with_less_confidence() -> None:
    few = detect_language("the mayor said the bridge will close")
    paragraph = detect_language(ARTICLES["en"])
    assert few[0] == "en"
    assert 0.0 < few[1] < paragraph[1]


def test_only_the_opening_of_a_long_article_is_read() -> None:
    english = ARTICLES["en"] * 20
    assert detect_language(english + ARTICLES["fr"] * 40)[0] == "en"
