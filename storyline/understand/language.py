"""The language an article is written in, with py3langid.

py3langid's naive Bayes model has 140 labels; with ``norm_probs`` it scales its scores by
the length of the text before normalising them, so its probability is calibrated across
lengths and is the confidence returned here. Its labels are ISO 639-1 codes except for some
dialects and languages that have none: a dialect counts for its macrolanguage (Egyptian
Arabic for Arabic), and a language without a two-letter code gives way to the best that has
one, so callers always get ISO 639-1 or "und".

The opening of an article is enough to tell its language, and the model walks every byte in
Python, so only the first ``_SAMPLE`` characters are read.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

UNDETERMINED = ("und", 0.0)
_SAMPLE = 1200
_MIN_LETTERS = 20  # "Kyiv" or "the president said" is too short to tell a language by
# py3langid labels that are dialects of an ISO 639-1 language.
_MACROLANGUAGES = {
    "ary": "ar",
    "arz": "ar",
    "wuu": "zh",
    "yue": "zh",
    "uzs": "uz",
    "sdh": "ku",
    "gug": "gn",
    "kik": "ki",
    "fuv": "ff",
}
_NO_LANGUAGE = "zxx"  # numbers, symbols: no linguistic content


def detect_language(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of ``text``'s language and a confidence from 0 to 1.

    Empty or very short text (fewer than 20 letters) is ("und", 0.0).
    """
    sample = text[:_SAMPLE]
    if sum(c.isalpha() for c in sample) < _MIN_LETTERS:
        return UNDETERMINED
    scores: defaultdict[str, float] = defaultdict(float)
    for label, probability in _identifier().rank(sample):
        code = _MACROLANGUAGES.get(label, label)
        if len(code) == 2:
            scores[code] += probability
        elif code == _NO_LANGUAGE:
            scores["und"] += probability
    code, confidence = max(scores.items(), key=lambda item: item[1])
    if code == "und":
        return UNDETERMINED
    return code, min(1.0, max(0.0, confidence))


@cache
def _identifier() -> LanguageIdentifier:
    """The process's identifier, loaded on first use (about a second)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
