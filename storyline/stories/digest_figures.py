"""Different figures for one quantity: "23 drones shot down" against "19 drones shot down".

:func:`figure_disagreements`:

1. figures: in every sentence, a number (digits, or words up to "ninety-nine", "a dozen",
   with "thousand"/"million") followed by what it counts ("23 Shahed drones", "four
   people"); not a year, a clock time, a date, a sum of money or a span of time, and not
   the old value of a change ("up from 12", "from 12 to 14");
2. quantity: what is counted (the noun, singular: ``drone``, ``people``) and what happened
   to it (the predicate nearest the figure in its clause: "shot down", "killed",
   "launched"; synonyms folded: "downed" and "intercepted" are "shot down", "dead" and
   "died" are "killed"). "A death toll of 14" counts people killed;
3. range: the qualifier makes the figure a range: "at least 4" is [4, ∞), "about 20"
   is [17, 23], "nearly 20" is [16, 20], "up to 9" is [0, 9];
4. conflict: two figures for one quantity conflict when their ranges do not meet, they
   come from different outlets or parties, and the events they date from lie within
   :data:`SAME_EVENT_DAYS` of each other (one story may recall an earlier attack's toll);
5. every quantity with a conflict is one :class:`Disagreement`, a side per figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storyline.stories.digest_claims import ClaimSource, Disagreement, Side, claim_source, party_at
from storyline.stories.digest_text import sentences, stem, word_set
from storyline.stories.digest_timeline import normalise_date
from storyline.stories.digest_types import DigestArticle

SAME_EVENT_DAYS = 2

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_TENS_WORDS, _UNIT_WORDS = "|".join(_TENS), "|".join(_UNITS)
_WORD_NUMBER = rf"(?:(?:{_TENS_WORDS})(?:[- ](?:{_UNIT_WORDS}))?|{_UNIT_WORDS}|a dozen|dozen)"
_SCALE_WORDS = "|".join(_SCALES)
_NUMBER = re.compile(
    r"(?<![\w$€£.,:/-])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + _WORD_NUMBER
    + rf")(?:\s+(?P<scale>{_SCALE_WORDS}))?(?![\w%:/]|\.\d|,\d)",
    re.IGNORECASE,
)
# Qualifiers before a figure, as the range they make of it: (low factor, high factor).
_QUALIFIERS = [
    (re.compile(r"\b(?:at least|no fewer than|no less than|a minimum of)\s+$", re.I), (1.0, None)),
    (re.compile(r"\b(?:more than|over|upwards of|in excess of|above)\s+$", re.I), (1.0001, None)),
    (re.compile(r"\b(?:nearly|almost|close to|just under)\s+$", re.I), (0.8, 1.0)),
    (re.compile(r"\b(?:fewer than|less than|under|below)\s+$", re.I), (0.0, 0.9999)),
    (re.compile(r"\b(?:up to|as many as|at most|no more than)\s+$", re.I), (0.0, 1.0)),
    (
        re.compile(
            r"\b(?:about|around|roughly|some|approximately|an estimated|estimated)\s+$", re.I
        ),
        (0.85, 1.15),
    ),
]  # fmt: skip
_OLD_VALUE = re.compile(r"\b(?:from|up from|down from|compared with|previously|earlier)\s+$", re.I)
_NEGATED = re.compile(r"\b(?:not|no)\s+$", re.I)
_CURRENCY = re.compile(r"[$€£¥]\s*$|\b(?:USD|EUR|GBP)\s*$")
_CLAUSE = re.compile(r"[,;:()—–]|\s-\s|\b(?:and that|while|whereas|but|after|when)\b")
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Words that end the run of words naming what a figure counts.
_RUN_STOPS = word_set(
    """a an the and or of in on at to by for from with into over under as than that this
    these those which who were was are is be been being had has have will would could
    may might can should did do does not no nor overnight yesterday today tonight
    earlier later ago last since while when after before during still also only just
    each per"""
)
_TIME_UNITS = word_set("second minute hour day week month year decade century time am pm percent")
_MONTHS = word_set(
    """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
    thursday friday saturday sunday"""
)
_PREDICATES = {
    **dict.fromkeys(word_set("killed kill kills killing dead died die dies death deaths fatalities perished"), "killed"),  # noqa: E501
    **dict.fromkeys(word_set("injured injuring injure wounded wounding hurt injuries"), "injured"),
    **dict.fromkeys(word_set("downed intercepted destroyed"), "shot down"),
    **dict.fromkeys(word_set("launched fired sent"), "launched"),
    **dict.fromkeys(word_set("arrested detained held"), "arrested"),
    **dict.fromkeys(word_set("missing unaccounted"), "missing"),
    **dict.fromkeys(word_set("evacuated displaced"), "evacuated"),
}  # fmt: skip
_NOT_PREDICATES = word_set(
    """said told reported announced claimed added stated confirmed estimated noted
    according based expected planned scheduled called named described used"""
)
_PEOPLE = word_set("people persons person civilians")


@dataclass(frozen=True)
class _Figure:
    quantity: tuple[str, str]
    noun: str
    label: str
    low: float
    high: float | None
    day: date | None
    source: ClaimSource


def figure_disagreements(articles: Sequence[DigestArticle]) -> list[Disagreement]:
    """Quantities the story's sources give different figures for (see the docstring)."""
    by_quantity: dict[tuple[str, str], list[_Figure]] = {}
    for article in articles:
        for figure in find_figures(article):
            by_quantity.setdefault(figure.quantity, []).append(figure)
    found = []
    for figures in by_quantity.values():
        kept = _conflicting(figures)
        if not kept:
            continue
        sides: dict[tuple[float, float | None], list[_Figure]] = {}
        for figure in kept:
            sides.setdefault((figure.low, figure.high), []).append(figure)
        ordered = sorted(sides.values(), key=lambda side: (side[0].low, side[0].high or 0))
        noun, predicate = kept[0].noun, kept[0].quantity[1]
        found.append(
            Disagreement(
                kind="figures",
                subject=f"{noun} {predicate}".strip(),
                sides=tuple(Side(side[0].label, tuple(f.source for f in side)) for side in ordered),
            )
        )
    return found


def _conflicting(figures: Sequence[_Figure]) -> list[_Figure]:
    """The figures in conflict with another, and those that agree with one of them."""
    conflicted: set[int] = set()
    for i, a in enumerate(figures):
        for j in range(i + 1, len(figures)):
            if _conflict(a, figures[j]):
                conflicted.update((i, j))
    kept = [figures[i] for i in sorted(conflicted)]
    for i, figure in enumerate(figures):
        if i not in conflicted and any(
            (figure.low, figure.high) == (k.low, k.high) and _near(figure, k) for k in kept
        ):
            kept.append(figure)
    return kept


def _conflict(a: _Figure, b: _Figure) -> bool:
    apart = (a.high is not None and a.high < b.low) or (b.high is not None and b.high < a.low)
    same_voice = a.source.outlet == b.source.outlet and a.source.party == b.source.party
    return apart and not same_voice and _near(a, b)


def _near(a: _Figure, b: _Figure) -> bool:
    if a.day is None or b.day is None:
        return True
    return abs((a.day - b.day).days) <= SAME_EVENT_DAYS


def find_figures(article: DigestArticle) -> list[_Figure]:
    """The counted figures of ``article`` (steps 1 to 3 of the module docstring)."""
    text = article.text
    figures = []
    for sentence in sentences(text):
        for match in _NUMBER.finditer(text, *sentence):
            figure = _figure(article, sentence, match)
            if figure is not None:
                figures.append(figure)
    return figures


def _figure(
    article: DigestArticle, sentence: tuple[int, int], match: re.Match[str]
) -> _Figure | None:
    text = article.text
    before = text[max(sentence[0], match.start() - 30) : match.start()]
    if _OLD_VALUE.search(before) or _NEGATED.search(before) or _CURRENCY.search(before):
        return None
    value = _value(match.group("number"), match.group("scale"))
    if value is None or (match.group("scale") is None and _looks_like_year(match.group("number"))):
        return None
    clause = _clause(text, sentence, match.start(), match.end())
    after = _WORDS.findall(text[match.end() : clause[1]])
    noun, run = _counted(after)
    if noun is None or stem(noun) in _TIME_UNITS or noun.lower() in _MONTHS:
        return None
    left = _WORDS.findall(text[clause[0] : match.start()])
    predicate = _predicate(left, after[run:])
    if predicate is None and "toll" in (w.lower() for w in left):
        predicate = "killed"
    if predicate is None:
        return None
    if noun == "" or noun.lower() in _PEOPLE:
        noun = "people"
    low, qualifier = value, ""
    high: float | None = value
    for pattern, (low_factor, high_factor) in _QUALIFIERS:
        found = pattern.search(before)
        if found:
            qualifier = found.group().strip().lower() + " "
            low = value * low_factor
            high = value * high_factor if high_factor is not None else None
            break
    party = party_at(article, match.start(), match.end(), sentence)
    source = claim_source(article, sentence, (match.start(), match.end()), party)
    figure_text = text[match.start() : match.end()]
    return _Figure(
        quantity=("people" if noun == "people" else stem(noun), predicate),
        noun=noun.lower(),
        label=f"{qualifier}{figure_text}",
        low=low,
        high=high,
        day=_event_day(article, match.start()),
        source=source,
    )


def _value(number: str, scale: str | None) -> float | None:
    word = number.lower().replace("-", " ")
    if word[0].isdigit():
        value = float(word.replace(",", ""))
    elif word in ("a dozen", "dozen"):
        value = 12.0
    else:
        parts = word.split()
        value = float(_TENS.get(parts[0], 0) + sum(_UNITS.get(p, 0) for p in parts))
        value = value or float(_UNITS.get(parts[0], 0))
    if value == 0:
        return None
    return value * _SCALES[scale.lower()] if scale else value


def _looks_like_year(number: str) -> bool:
    return number.isdigit() and len(number) == 4 and 1800 <= int(number) <= 2100


def _clause(text: str, sentence: tuple[int, int], start: int, end: int) -> tuple[int, int]:
    left = sentence[0]
    for found in _CLAUSE.finditer(text, sentence[0], start):
        left = found.end()
    right_match = _CLAUSE.search(text, end, sentence[1])
    return left, right_match.start() if right_match else sentence[1]


def _counted(after: Sequence[str]) -> tuple[str | None, int]:
    """What the figure counts, and how many words after it name that.

    The run of words after the figure up to a stop word, at most three, ends at the first
    plural; a trailing participle is the predicate, not the noun ("4 people killed"), and
    a participle alone ("12 injured", "four dead") counts people.
    """
    run: list[str] = []
    for word in after[:3]:
        lower = word.lower()
        if lower in _RUN_STOPS:
            break
        run.append(word)
        if (lower.endswith("s") and not lower.endswith("ss")) or lower in _PEOPLE:
            break
    while run and _is_predicate(run[-1]) and len(run) > 1:
        run.pop()
    if not run:
        return None, 0
    if _is_predicate(run[-1]):
        return "", 0
    return run[-1], len(run)


def _is_predicate(word: str) -> bool:
    lower = word.lower()
    if lower in _NOT_PREDICATES:
        return False
    return lower in _PREDICATES or (lower.endswith("ed") and len(lower) > 4)


def _predicate(left: Sequence[str], right: Sequence[str]) -> str | None:
    """The predicate nearest the figure in its clause, right first at equal distance."""
    candidates: list[tuple[int, int, str]] = []
    for index in range(len(left)):
        found = _predicate_at(left, index)
        if found:
            candidates.append((len(left) - index, 1, found))
    for index in range(len(right)):
        found = _predicate_at(right, index)
        if found:
            candidates.append((index + 1, 0, found))
    return min(candidates)[2] if candidates else None


def _predicate_at(words: Sequence[str], index: int) -> str | None:
    lower = words[index].lower()
    if lower == "shot" and index + 1 < len(words) and words[index + 1].lower() == "down":
        return "shot down"
    if not _is_predicate(lower):
        return None
    return _PREDICATES.get(lower) or stem(lower)


def _event_day(article: DigestArticle, offset: int) -> date | None:
    for event in article.timeline:
        if event.start <= offset < event.end:
            found = re.match(r"\d{4}-\d{2}-\d{2}$", normalise_date(event.value))
            if found:
                return date.fromisoformat(found.group())
    return article.published_at.date() if article.published_at else None
