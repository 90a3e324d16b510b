"""How a time-expression rule is written, and how rules find their matches fast.

A :class:`Rule` is a lowercase regex, the words one of which every match contains (its
keys: a month name, a unit, "ago", "a.m"...), and a function that turns a match into a
TimeML type and value or refuses it. Rules run on the text lowercased (ASCII only, so
offsets do not move) and only in short windows around their keys: a regex tried at every
position of an article costs more than the rest of the work together, and most rules' keys
are absent from most articles.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from storyline.understand.timex_calendar import Point
from storyline.understand.timex_context import Context

# Underspecified values, for a grain when there is no anchor to count from.
UNKNOWN = {
    "day": "XXXX-XX-XX",
    "week": "XXXX-WXX",
    "weekend": "XXXX-WXX-WE",
    "month": "XXXX-XX",
    "season": "XXXX-XX",
    "quarter": "XXXX-QX",
    "half": "XXXX-HX",
    "year": "XXXX",
    "decade": "XXX",
    "century": "XX",
}


class Reading(NamedTuple):
    """What a rule made of a match: TimeML type and value.

    ``aside`` marks a comparison ("the year-earlier quarter") rather than a new point in
    the story: the expressions after it keep counting from the date named before it.
    """

    type: str
    value: str
    aside: bool = False


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_YEAR = re.compile(r"(?<!\d)(?:1\d|20)\d\d(?!\d)")
YEAR_KEY = "#year"  # the key of rules that need a four-digit year in the text
# How far an expression may reach before and after its key, in characters.
_REACH_BEFORE, _REACH_AFTER = 32, 40


@dataclass(frozen=True)
class Found:
    """One match of one rule: where it is and what its named groups caught (original case)."""

    text: str
    start: int
    end: int
    groups: dict[str, str | None]

    def __getitem__(self, name: str) -> str | None:
        return self.groups.get(name)

    def lower(self, name: str) -> str:
        """The group's text, lowercased with runs of spaces and hyphens made one space."""
        return " ".join((self.groups.get(name) or "").lower().replace("-", " ").split())


@dataclass(frozen=True)
class Rule:
    """A lowercase ``pattern``, its ``keys`` and the function that reads a match."""

    pattern: str
    build: Callable[[Found, Context], Reading | None]
    keys: frozenset[str]
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = re.compile(r"(?<![\w$£€/])(?:" + self.pattern + r")(?![\w/])")
        object.__setattr__(self, "regex", compiled)


def keys(*groups: Iterable[str]) -> frozenset[str]:
    """The keys of a rule, gathered from several word lists."""
    return frozenset(word for group in groups for word in group)


class Text:
    """An article's text as the rules read it: lowercased, with which keys it holds and where."""

    def __init__(self, text: str, keys: Iterable[str]) -> None:
        self.original = text
        self.lower = text.translate(_ASCII_LOWER)
        self._places: dict[str, list[int]] = {}
        self._windows: dict[frozenset[str], list[tuple[int, int]]] = {}
        self.present = frozenset(key for key in keys if self._holds(key))

    def _holds(self, key: str) -> bool:
        return (key == YEAR_KEY or key in self.lower) and bool(self.places(key))

    def places(self, key: str) -> list[int]:
        """Where ``key`` occurs as a word of its own (a year anywhere, for YEAR_KEY)."""
        found = self._places.get(key)
        if found is not None:
            return found
        if key == YEAR_KEY:
            found = [match.start() for match in _YEAR.finditer(self.lower)]
        else:
            found = []
            at = self.lower.find(key)
            while at >= 0:
                if self._whole(at, key):
                    found.append(at)
                at = self.lower.find(key, at + 1)
        self._places[key] = found
        return found

    def _whole(self, at: int, key: str) -> bool:
        """Whether the key found at ``at`` is not the inside of a longer word."""
        end = at + len(key)
        glued_before = at > 0 and key[0].isalpha() and self.lower[at - 1].isalpha()
        glued_after = end < len(self.lower) and key[-1].isalpha() and self.lower[end].isalpha()
        return not (glued_before or glued_after)

    def windows(self, keys: frozenset[str]) -> list[tuple[int, int]]:
        """Stretches of text around ``keys`` that a rule keyed on them has to search."""
        merged = self._windows.get(keys)
        if merged is None:
            merged = []
            for at in sorted(at for key in keys for at in self.places(key)):
                low, high = max(0, at - _REACH_BEFORE), self._word_end(at + _REACH_AFTER)
                if merged and low <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], high))
                else:
                    merged.append((low, high))
            self._windows[keys] = merged
        return merged

    def _word_end(self, position: int) -> int:
        """The end of the word at ``position``, so a window never ends inside a word."""
        space = self.lower.find(" ", position)
        return len(self.lower) if space < 0 else space


def scan(rules: Iterable[Rule], text: Text) -> Iterator[tuple[Rule, Found]]:
    """Every match of every rule whose keys occur in the text."""
    for rule in rules:
        present = rule.keys & text.present
        if not present:
            continue
        for low, high in text.windows(present):
            for match in rule.regex.finditer(text.lower, low, high):
                groups = {
                    name: None if span[0] < 0 else text.original[span[0] : span[1]]
                    for name, span in ((n, match.span(n)) for n in rule.regex.groupindex)
                }
                start, end = match.span()
                yield rule, Found(text.original[start:end], start, end, groups)


def at_grain(point: Point | None, grain: str) -> str:
    """``point`` written at ``grain``, or the underspecified value when it is unknown."""
    return point.at(grain).value if point is not None else UNKNOWN[grain]


def deictic(context: Context, unit: str, amount: int, grain: str | None = None) -> str:
    """A value counted from the publication date: "last month", "two years ago"."""
    today = context.today
    moved = today.shifted(unit, amount) if today is not None else None
    return at_grain(moved, grain or unit)


def anaphoric(context: Context, unit: str, amount: int, grain: str | None = None) -> str:
    """A value counted from the last date the text named: "a day later", "that year"."""
    base = context.base()
    moved = base.shifted(unit, amount) if base is not None else None
    return at_grain(moved, grain or unit)


def capitalised(word: str | None) -> bool:
    return word is not None and word[:1].isupper()
