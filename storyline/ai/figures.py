"""Figures in a parsed sentence: numbers with what they count or measure.

spaCy's small model cuts figures unevenly ("between 30 million" and "45 million" as two
numbers, "euros" left out), so :func:`find_figures` rebuilds them from tokens: a run of
number words joined by "and"/"to" when a range, the hedge before it ("about", "more
than", "between", "$") and the unit after it ("percent", "crowns", "-kilometre"). Each
figure has a :data:`CATEGORIES` value that says which questions it can answer, and
:func:`figure_fit` how surely it answers a given one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.ai.questions import Question
from storyline.stories.digest_text import stem, word_set

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

CATEGORIES = ("count", "money", "percent", "measure", "duration", "age", "year")

_CURRENCIES = word_set(
    "dollar dollars euro euros pound pounds crown crowns franc francs yen yuan rupee rupees "
    "peso pesos krona kronor krone kroner lira rouble roubles ruble rubles dinar dinars cent "
    "cents"
)
_SYMBOLS = frozenset("$€£¥")
_PERCENT = word_set("percent per % percentage")
_MEASURES = word_set(
    "metre metres meter meters kilometre kilometres kilometer kilometers km millimetre "
    "millimetres millimeter millimeters mm centimetre centimetres cm mile miles foot feet inch "
    "inches yard yards tonne tonnes ton tons kilogram kilograms kg gram grams litre litres "
    "liter liters gallon gallons degree degrees hectare hectares acre acres mph kmh knots"
)
_DURATIONS = word_set(
    "second seconds minute minutes hour hours day days week weeks month months year years "
    "decade decades"
)
_MULTIPLIERS = word_set("hundred thousand million billion trillion dozen")
_HEDGES = word_set(
    "about around roughly nearly almost some approximately over under between only just"
)
_PAIRED_HEDGES = frozenset(
    {
        ("more", "than"),
        ("fewer", "than"),
        ("less", "than"),
        ("at", "least"),
        ("at", "most"),
        ("up", "to"),
    }
)
_NUMBER_WORDS = word_set(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion trillion dozen"
)
_MONEY_WORDS = word_set(
    "cost costs pay paid spend spent earn earned price fee budget profit revenue worth charge "
    "fine salary wage wages fund funding raise raised sell sold buy bought loss"
)
_YEAR = re.compile(r"(1[89]|20)\d\d")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Figure:
    """Tokens ``start``…``end - 1`` of a sentence; ``number`` is the index of its last
    number word, ``head`` the noun it counts (``None`` when none)."""

    start: int
    end: int
    category: str
    number: int
    head: int | None


def find_figures(doc: Doc) -> list[Figure]:
    """Every figure of ``doc``, left to right."""
    figures: list[Figure] = []
    i = 0
    tokens = list(doc)
    while i < len(tokens):
        if not _is_number(tokens[i]):
            i += 1
            continue
        start = i
        end = i + 1
        while end < len(tokens) and (
            _is_number(tokens[end])
            or (
                # "six hundred and thirty-one", "thirty-one"
                tokens[end].lower_ in ("and", "-")
                and end + 1 < len(tokens)
                and _is_number(tokens[end + 1])
                and not _DIGIT.search(tokens[end + 1].text)
                and (tokens[end - 1].lower_ in _MULTIPLIERS or tokens[end].lower_ == "-")
            )
        ):
            end += 1
        # a range: "30 million and 45 million", "5 to 7", "5-7"
        if (
            end + 1 < len(tokens)
            and tokens[end].lower_ in ("and", "to", "-", "–", "or")
            and _is_number(tokens[end + 1])
            and (tokens[end].lower_ != "and" or _hedged(tokens, start, "between"))
        ):
            end += 2
            while end < len(tokens) and _is_number(tokens[end]):
                end += 1
        figures.append(_figure(tokens, start, end))
        i = end
    return figures


def _figure(tokens: list[Token], start: int, end: int) -> Figure:
    number = end - 1
    category = "count"
    if _YEAR.fullmatch(tokens[start].text) and end - start == 1:
        category = "year"
    # the unit after: "3.2 million crowns", "9 percent", "7.4-kilometre", "34-year-old"
    after = end
    if after < len(tokens) and tokens[after].text in ("-", "–"):
        after += 1
    unit = tokens[after].lower_ if after < len(tokens) else ""
    if unit in _CURRENCIES:
        category, end = "money", after + 1
    elif unit in _PERCENT:
        category, end = "percent", after + (2 if unit == "per" else 1)
    elif unit in _MEASURES:
        category, end = "measure", after + 1
    elif unit in ("year", "years") and _followed(tokens, after + 1, "old"):
        category, end = "age", after + 3 if tokens[after + 1].text in ("-", "–") else after + 2
    elif unit in _DURATIONS and category != "year":
        category, end = "duration", after + 1
    while start > 0 and tokens[start - 1].text in _SYMBOLS:
        start -= 1
        category = "money"
    while start > 0:
        if start > 1 and (tokens[start - 2].lower_, tokens[start - 1].lower_) in _PAIRED_HEDGES:
            start -= 2
        elif tokens[start - 1].lower_ in _HEDGES:
            start -= 1
        else:
            break
    head = _counted(tokens, number, end)
    return Figure(start, min(end, len(tokens)), category, number, head)


def _counted(tokens: list[Token], number: int, end: int) -> int | None:
    """The noun the figure counts: its syntactic head when that is a noun, or the noun
    of an "of" that follows ("31 of the 37 patients")."""
    token = tokens[number]
    if token.head.pos_ in ("NOUN", "PROPN") and token.head.i != token.i:
        return int(token.head.i)
    if end < len(tokens) and tokens[end].lower_ == "of":
        for child in tokens[end].children:
            if child.dep_ == "pobj":
                return int(child.i)
    return None


def _is_number(token: Token) -> bool:
    text = token.lower_
    if _DIGIT.search(text):
        return bool(re.fullmatch(r"[\d.,:]+|\d+(st|nd|rd|th)?", text)) and not text.endswith(
            ("st", "nd", "rd", "th")
        )
    return text in _NUMBER_WORDS or (text in _MULTIPLIERS)


def _hedged(tokens: list[Token], start: int, word: str) -> bool:
    return start > 0 and tokens[start - 1].lower_ == word


def _followed(tokens: list[Token], index: int, word: str) -> bool:
    for offset in (0, 1):
        if index + offset < len(tokens) and tokens[index + offset].lower_ == word:
            return True
    return False


def figure_fit(question: Question, doc: Doc, figure: Figure, dated: set[int]) -> float:
    """How surely ``figure`` is of the kind ``question`` asks for: 1 when it counts the
    question's noun (or, for money, when the question asks a price), less when it only
    stands in the sentence."""
    kind, category = question.kind, figure.category
    counts = _counts_target(question, doc, figure)
    if kind == "count":
        if category != "count" or figure.number in dated or _fraction(doc, figure):
            return 0.0
        return 1.0 if counts else 0.6
    if kind == "amount":
        priced = bool(_MONEY_WORDS & set(re.findall(r"\w+", question.text.casefold())))
        fits = (
            {"money": 1.0, "percent": 0.6, "measure": 0.2}
            if priced
            else {"money": 1.0, "percent": 1.0, "measure": 0.8}
        )
        base = fits.get(category, 0.0)
        if question.target_forms and not counts:
            base /= 2  # "how much profit": a figure that is not the profit
        millions = any(
            doc[i].lower_ in ("million", "billion") for i in range(figure.start, figure.end)
        )
        if category == "count" and millions:
            base = 0.5
        return min(1.0, base + (0.2 if counts else 0.0)) if base else 0.0
    if kind == "age":
        return _age_fit(doc, figure)
    if kind == "length":
        return {"measure": 1.0, "duration": 1.0}.get(category, 0.0)
    return 0.0


def _counts_target(question: Question, doc: Doc, figure: Figure) -> bool:
    """Whether ``figure`` counts the question's noun: the noun is its head, or the
    first noun after it ("49 exploding drones")."""
    if figure.head is not None and _is_target(question, doc[figure.head]):
        return True
    for token in doc[figure.end : figure.end + 4]:
        if token.pos_ in ("NOUN", "PROPN"):
            return _is_target(question, token)
        if token.pos_ not in ("ADJ", "VERB", "ADV"):
            return False
    return False


def _age_fit(doc: Doc, figure: Figure) -> float:
    """An age: "34-year-old", "aged 54", or a bare number set off after a name
    ("Anselm Tiery, 38,")."""
    if figure.category == "age":
        return 1.0
    if figure.category != "count" or figure.end - figure.start != 1:
        return 0.0
    number = doc[figure.number]
    if figure.start and doc[figure.start - 1].lower_ == "aged":
        return 1.0
    before = doc[figure.start - 1] if figure.start else None
    after = doc[figure.end] if figure.end < len(doc) else None
    set_off = before is not None and before.text == "," and after is not None and after.text == ","
    named = figure.start >= 2 and doc[figure.start - 2].pos_ == "PROPN"
    return 0.9 if set_off and named and number.text.isdigit() else 0.0


def _fraction(doc: Doc, figure: Figure) -> bool:
    """ "A third", "half": a share, not a count."""
    return not any(c.isdigit() for c in doc[figure.start : figure.end].text) and doc[
        figure.number
    ].lower_ in ("half", "third", "quarter")


def _is_target(question: Question, token: Token) -> bool:
    forms = question.target_forms or question.forms
    return bool({stem(token.lower_), stem(token.lemma_.casefold())} & forms)
