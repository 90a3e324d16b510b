"""The records article analysis produces.

Offsets are character offsets into the article's ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mention:
    """One place an entity is named: ``text[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass
class Entity:
    """A person, organisation or place, with one canonical name.

    ``type`` is ``PERSON``, ``ORG`` or ``PLACE``. ``key`` is the corpus-wide identity
    (the same thing in two articles gets the same key), built by
    :func:`storyline.understand.entities.entity_key`.
    """

    name: str
    type: str
    key: str
    mentions: list[Mention] = field(default_factory=list)


@dataclass(frozen=True)
class Quote:
    """A direct or indirect quote: the quoted words, who said them and how.

    ``start``/``end`` delimit the quoted content (without its quote marks). ``speaker`` is a
    full name or a named group or institution, ``None`` when the article does not say who.
    ``source_start``/``source_end`` delimit the speaker's mention the quote is attributed to
    (for a pronoun, the pronoun) and ``cue_start``/``cue_end`` the cue ("said", "according
    to"); each is ``None`` when absent.
    """

    text: str
    start: int
    end: int
    kind: str  # "direct" or "indirect"
    speaker: str | None
    role: str | None
    cue: str | None
    source_start: int | None = None
    source_end: int | None = None
    cue_start: int | None = None
    cue_end: int | None = None


@dataclass(frozen=True)
class Timex:
    """A time expression normalised against the publication date (TimeML ``TIMEX3`` style).

    ``type`` is ``DATE``, ``TIME``, ``DURATION`` or ``SET``; ``value`` is ISO-8601 as TimeML
    writes it (``2025-06-08``, ``2025-W23``, ``2024-08``, ``P10D``, ``PRESENT_REF``,
    ``XXXX-03-07``).
    """

    text: str
    start: int
    end: int
    type: str
    value: str


@dataclass(frozen=True)
class TimelineEvent:
    """A sentence that reports something happening, with the date it happened."""

    text: str
    start: int
    end: int
    value: str  # the resolved date, ISO-8601 (as a Timex value)
    timex_start: int | None = None
    timex_end: int | None = None


@dataclass(frozen=True)
class KeyPhrase:
    """A phrase that says what the article is about; higher ``score`` ranks first."""

    text: str
    score: float


@dataclass(frozen=True)
class Attribution:
    """Who (source) expressed what (content) through which words (cue), as spans of the text.

    This is PolNeAR's notion of an attribution: the content is required, source and cue may be
    missing. Each span is ``(start, end)`` into the article's ``text``. Quotes are built from
    attributions by resolving the source to a speaker.
    """

    content: tuple[int, int]
    source: tuple[int, int] | None = None
    cue: tuple[int, int] | None = None
