"""What the story digest reads of each article, and how sources are cited.

A :class:`DigestArticle` is one article of a story with its analysis as the store keeps it
(:func:`storyline.store.analysis.read_analysis`, shown by
:func:`storyline.views.analysis_fields`) or as the understanding stage returns it
(:class:`storyline.understand.analyze.Analysis`); both constructors give the same record.
Offsets are character offsets into the article's ``text``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from storyline.understand.analyze import Analysis

ArticleId = int | str


@dataclass(frozen=True)
class DigestQuote:
    """A quote as stored: ``text[start:end]`` is the quoted content.

    ``speaker_key`` identifies the speaker across the corpus when the speaker is a known
    entity (its entity key, or ``entity:<id>`` for a stored entity id), else ``None``.
    """

    text: str
    start: int
    end: int
    kind: str
    speaker: str | None
    speaker_key: str | None = None
    role: str | None = None
    cue: str | None = None


@dataclass(frozen=True)
class DigestEvent:
    """A timeline event as stored: a sentence ``text[start:end]`` and its date ``value``."""

    text: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class DigestEntity:
    """An entity the article names: ``key`` is its corpus-wide identity, ``mentions`` the
    ``(start, end)`` of each place the article names it."""

    name: str
    type: str
    key: str
    mentions: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class DigestArticle:
    """One article of a story, with what the understanding stage found in it."""

    article_id: ArticleId
    outlet: str
    url: str
    title: str
    published_at: datetime | None
    text: str
    quotes: tuple[DigestQuote, ...] = ()
    timeline: tuple[DigestEvent, ...] = ()
    entities: tuple[DigestEntity, ...] = ()
    hashtags: tuple[str, ...] = ()
    key_phrases: tuple[str, ...] = ()

    @classmethod
    def from_analysis(
        cls,
        article_id: ArticleId,
        outlet: str,
        url: str,
        title: str,
        published_at: datetime | None,
        text: str,
        analysis: Analysis,
    ) -> DigestArticle:
        """An article analysed by :func:`storyline.understand.analyze.analyze_articles`."""
        quotes = tuple(
            DigestQuote(q.text, q.start, q.end, q.kind, q.speaker, key, q.role, q.cue)
            for q, key in zip(analysis.quotes, analysis.speaker_keys, strict=True)
        )
        return cls(
            article_id=article_id,
            outlet=outlet,
            url=url,
            title=title,
            published_at=published_at,
            text=text,
            quotes=quotes,
            timeline=tuple(DigestEvent(e.text, e.start, e.end, e.value) for e in analysis.timeline),
            entities=tuple(
                DigestEntity(e.name, e.type, e.key, tuple((m.start, m.end) for m in e.mentions))
                for e in analysis.entities
            ),
            hashtags=tuple(analysis.hashtags),
            key_phrases=tuple(k.text for k in analysis.key_phrases),
        )

    @classmethod
    def from_fields(
        cls,
        article_id: ArticleId,
        outlet: str,
        url: str,
        title: str,
        published_at: datetime | None,
        text: str,
        fields: Mapping[str, Any],
    ) -> DigestArticle:
        """An article with its stored analysis in the shape of ``views.analysis_fields``.

        ``fields["quotes"]`` are the dicts of ``read_analysis`` (``speaker_id`` is the
        entity id after merges); ``fields["entities"]`` are dicts with ``name``, ``type``
        and ``id`` and, when the caller has it, ``key``; ``timeline`` holds the stored
        event dicts; ``hashtags`` and ``key_phrases`` are strings.
        """
        entities = tuple(
            DigestEntity(
                str(e["name"]),
                str(e["type"]),
                _entity_key(e),
                tuple((int(m["start"]), int(m["end"])) for m in e.get("mentions", [])),
            )
            for e in fields.get("entities", [])
        )
        quotes = tuple(
            DigestQuote(
                text=str(q["text"]),
                start=int(q["start"]),
                end=int(q["end"]),
                kind=str(q.get("kind") or "indirect"),
                speaker=q.get("speaker"),
                speaker_key=(
                    f"entity:{q['speaker_id']}" if q.get("speaker_id") is not None else None
                ),
                role=q.get("role"),
                cue=q.get("cue"),
            )
            for q in fields.get("quotes", [])
        )
        timeline = tuple(
            DigestEvent(str(e["text"]), int(e["start"]), int(e["end"]), str(e["value"]))
            for e in fields.get("timeline", [])
        )
        return cls(
            article_id=article_id,
            outlet=outlet,
            url=url,
            title=title,
            published_at=published_at,
            text=text,
            quotes=quotes,
            timeline=timeline,
            entities=entities,
            hashtags=tuple(str(tag) for tag in fields.get("hashtags", [])),
            key_phrases=tuple(_phrase(p) for p in fields.get("key_phrases", [])),
        )


def _entity_key(entity: Mapping[str, Any]) -> str:
    if entity.get("id") is not None:
        return f"entity:{entity['id']}"
    return str(entity.get("key") or f"{entity['type']}:{str(entity['name']).casefold()}")


def _phrase(phrase: Any) -> str:
    return str(phrase["text"]) if isinstance(phrase, Mapping) else str(phrase)


@dataclass(frozen=True)
class SourceRef:
    """Where a digest item comes from: an article and a span of its text.

    ``start``/``end`` delimit ``text`` (a sentence, a quote or an event) in the article.
    """

    article_id: ArticleId
    outlet: str
    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "outlet": self.outlet,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a time without a zone is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def published_order(article: DigestArticle) -> tuple[bool, datetime, str]:
    """Sort key: by publication time (unknown last), then id."""
    when = utc(article.published_at) if article.published_at else datetime.max.replace(tzinfo=UTC)
    return (article.published_at is None, when, str(article.article_id))


class _FromOutlet(Protocol):
    @property
    def outlet(self) -> str: ...


def outlets_of(sources: Iterable[_FromOutlet]) -> tuple[str, ...]:
    """The distinct outlets of ``sources``, in order of first appearance."""
    return tuple(dict.fromkeys(source.outlet for source in sources))


def iso(moment: datetime | None) -> str | None:
    return utc(moment).isoformat() if moment else None
