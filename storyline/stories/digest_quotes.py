"""Who said what across a story's outlets.

:func:`who_said_what`:

1. speakers: a quote belongs to its entity when the analysis linked its speaker to one
   (the entity key is corpus-wide, so "Fenwick" in one outlet and "Aldo Fenwick" in
   another are one speaker); an unlinked speaker ("the defence ministry") is known by its
   name, and a name of two words or more that ends another unlinked name ("defence
   ministry", "Varenian defence ministry") or that is a linked entity's name joins it;
2. quotes: a speaker's quotes whose words are nearly the same (at least
   :data:`SAME_QUOTE` of the shorter one's words in the other, as when a wire quote is
   carried by several outlets, or trimmed by one) are one quote listing every outlet;
3. order: speakers carried by the most outlets first, then by number of quotes; a
   speaker's quotes in the order they were first published. Quotes nobody is named for
   are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from storyline.stories.digest_text import overlap
from storyline.stories.digest_types import DigestArticle, SourceRef, outlets_of, published_order
from storyline.stories.shingles import normalised_words

# Two quotes of one speaker are one when this share of the shorter one's words is in the
# longer: a carried quote is identical, a trimmed or extended one contains the other.
SAME_QUOTE = 0.8
_MIN_QUOTE_WORDS = 3


@dataclass(frozen=True)
class QuoteItem:
    """One thing a speaker said, with every article that carries it.

    ``text`` and ``kind`` are the first source's; each source cites the quote's span in
    its own article.
    """

    text: str
    kind: str
    sources: tuple[SourceRef, ...]

    @property
    def outlets(self) -> tuple[str, ...]:
        return outlets_of(self.sources)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "outlets": list(self.outlets),
            "sources": [source.to_json() for source in self.sources],
        }


@dataclass(frozen=True)
class SpeakerQuotes:
    """A speaker and what they said. ``key`` is the entity key when the speaker is one."""

    key: str | None
    name: str
    type: str | None
    role: str | None
    quotes: tuple[QuoteItem, ...]

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o for quote in self.quotes for o in quote.outlets))

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "type": self.type,
            "role": self.role,
            "outlets": list(self.outlets),
            "quotes": [quote.to_json() for quote in self.quotes],
        }


@dataclass
class _Said:
    words: list[str]
    kind: str
    sources: list[SourceRef]


@dataclass
class _Speaker:
    key: str | None
    names: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    said: list[_Said] = field(default_factory=list)


def who_said_what(articles: Sequence[DigestArticle]) -> list[SpeakerQuotes]:
    """The story's speakers and their quotes, merged across outlets (see the docstring)."""
    entities = {e.key: e for article in articles for e in article.entities}
    speakers: dict[str, _Speaker] = {}
    for article in sorted(articles, key=published_order):
        for quote in article.quotes:
            if not quote.speaker:
                continue
            identity = quote.speaker_key or f"name:{_name_key(quote.speaker)}"
            speaker = speakers.setdefault(identity, _Speaker(quote.speaker_key))
            speaker.names[quote.speaker] += 1
            if quote.role:
                speaker.roles[quote.role] += 1
            source = SourceRef(
                article.article_id, article.outlet, quote.start, quote.end, quote.text
            )
            _add(speaker, normalised_words(quote.text), quote.kind, source)
    _join_names(speakers, entities)
    found = [_finished(speaker, entities) for speaker in speakers.values() if speaker.said]
    position = {id(s): i for i, s in enumerate(found)}
    return sorted(found, key=lambda s: (-len(s.outlets), -len(s.quotes), position[id(s)]))


def _name_key(name: str) -> str:
    words = normalised_words(name)
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _add(speaker: _Speaker, words: list[str], kind: str, source: SourceRef) -> None:
    for said in speaker.said:
        if _same_quote(said.words, words):
            if all(s.article_id != source.article_id for s in said.sources):
                said.sources.append(source)
            return
    speaker.said.append(_Said(words, kind, [source]))


def _same_quote(a: list[str], b: list[str]) -> bool:
    if min(len(a), len(b)) < _MIN_QUOTE_WORDS:
        return a == b
    return overlap(a, b) >= SAME_QUOTE


def _join_names(speakers: dict[str, _Speaker], entities: dict[str, Any]) -> None:
    """Merge unlinked speakers into the speaker whose name theirs ends, or an entity's."""
    by_entity_name = {_name_key(entities[key].name): key for key in speakers if key in entities}
    unlinked = sorted(
        (identity for identity in speakers if identity.startswith("name:")),
        key=lambda identity: len(identity),
    )
    for identity in unlinked:
        name = identity.removeprefix("name:").split()
        target = by_entity_name.get(" ".join(name))
        if target is None and len(name) >= 2:
            longer = [
                other
                for other in speakers
                if other != identity
                and other.startswith("name:")
                and other.removeprefix("name:").split()[-len(name) :] == name
            ]
            target = longer[0] if len(longer) == 1 else None
        if target is not None and target != identity:
            _merge(speakers[target], speakers.pop(identity))


def _merge(into: _Speaker, speaker: _Speaker) -> None:
    into.names.update(speaker.names)
    into.roles.update(speaker.roles)
    for said in speaker.said:
        for source in said.sources:
            _add(into, said.words, said.kind, source)


def _finished(speaker: _Speaker, entities: dict[str, Any]) -> SpeakerQuotes:
    entity = entities.get(speaker.key) if speaker.key else None
    if entity is not None:
        name, type_ = entity.name, entity.type
    else:  # the fullest form: "Varenian defence ministry" over "defence ministry"
        name = max(speaker.names, key=lambda n: (len(n), speaker.names[n]))
        type_ = None
    role = speaker.roles.most_common(1)[0][0] if speaker.roles else None
    quotes = tuple(
        QuoteItem(said.sources[0].text, said.kind, tuple(said.sources)) for said in speaker.said
    )
    return SpeakerQuotes(speaker.key, name, type_, role, quotes)
