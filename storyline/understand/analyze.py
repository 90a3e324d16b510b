"""The understanding stage: every component over a batch of articles, in one pass of spaCy.

Pure: texts in, :class:`Analysis` records out. The only outside knowledge is the corpus's
known entity names, asked for once per batch through ``known_aliases`` so that a bare
"Zelensky" in one article links to the "Volodymyr Zelensky" of others.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from storyline.understand.entities import article_entities, entity_aliases, link_entities
from storyline.understand.hashtags import choose_hashtags, hashtag_key
from storyline.understand.keyphrases import find_key_phrases
from storyline.understand.language import detect_language
from storyline.understand.quotes import find_quotes
from storyline.understand.timeline import build_timeline
from storyline.understand.timex import find_timexes
from storyline.understand.types import Entity, KeyPhrase, Quote, TimelineEvent, Timex

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Raise when a change to any component changes what it finds: `storyline analyze` then
# redoes every article analysed by an older version.
ANALYZER_VERSION = 2  # 2: quotes found with the attribution tagger

# Languages the pipeline's components are written for; other articles are stored and
# shown with their detected language and no entity, quote or date analysis.
ANALYSED_LANGUAGES = frozenset({"en"})

KnownAliases = Callable[[Collection[str]], Mapping[str, str]]


@dataclass(frozen=True)
class ArticleInput:
    """What the stage reads of an article."""

    text: str
    published_at: datetime | None


@dataclass
class Analysis:
    """Everything the stage found in one article; offsets point into its ``text``.

    ``speaker_keys[i]`` is the entity key of ``quotes[i]``'s speaker when the speaker is
    one of ``entities``, so the store can list an entity's quotes. ``aliases`` maps each
    entity key to the alias keys the corpus should know it by, and ``hashtag_keys[i]`` is
    the identity of ``hashtags[i]``.
    """

    language: str
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    speaker_keys: list[str | None] = field(default_factory=list)
    timexes: list[Timex] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    key_phrases: list[KeyPhrase] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    hashtag_keys: list[str] = field(default_factory=list)
    error: str | None = None  # why the analysis failed, when it did


def analyze_articles(
    nlp: Language,
    articles: Sequence[ArticleInput],
    known_aliases: KnownAliases,
    batch_size: int = 32,
) -> list[Analysis]:
    """Analyse ``articles``, returning one :class:`Analysis` each, in order.

    1. Language: detected from the text; only languages in :data:`ANALYSED_LANGUAGES`
       go further, the rest keep an analysis with just their language.
    2. Parse: one ``nlp.pipe`` pass over the analysed texts, in batches.
    3. Entities: people, organisations and places with one canonical name per article.
    4. Link: the batch's alias keys are looked up once in the corpus, and a surname-only
       mention becomes the full name the corpus knows.
    5. Quotes: direct and indirect, speakers named as the linked entities are.
    6. Dates: time expressions resolved against the publication date, then the timeline.
    7. Key phrases, and hashtags from the entities and key phrases.
    """
    results = [Analysis(language=detect_language(article.text)[0]) for article in articles]
    chosen = [i for i, result in enumerate(results) if result.language in ANALYSED_LANGUAGES]
    docs = list(nlp.pipe((articles[i].text for i in chosen), batch_size=batch_size))
    entities = [article_entities(doc) for doc in docs]
    known = known_aliases(
        {alias for found in entities for e in found for alias in entity_aliases(e)}
    )
    for i, doc, found in zip(chosen, docs, entities, strict=True):
        _complete(results[i], doc, link_entities(found, known), articles[i].published_at)
    return results


def _complete(
    result: Analysis, doc: Doc, entities: list[Entity], published_at: datetime | None
) -> None:
    """Steps 5-7 of :func:`analyze_articles` for one parsed article."""
    result.entities = entities
    result.quotes, result.speaker_keys = _named_speakers(find_quotes(doc), entities)
    result.timexes = find_timexes(doc.text, published_at, doc)
    result.timeline = build_timeline(doc, result.timexes, published_at)
    result.key_phrases = find_key_phrases(doc)
    result.hashtags = choose_hashtags(entities, result.key_phrases)
    result.aliases = {e.key: entity_aliases(e) for e in entities}
    result.hashtag_keys = [hashtag_key(tag) for tag in result.hashtags]


def _named_speakers(
    quotes: Sequence[Quote], entities: Sequence[Entity]
) -> tuple[list[Quote], list[str | None]]:
    """Each quote's speaker as the entity it names, when it names one.

    A quote belongs to an entity when its source mention is one of the entity's mentions,
    or failing that when the speaker's name is the entity's name; its speaker then reads
    as the entity's canonical (possibly corpus-linked) name.
    """
    by_start = {m.start: e for e in entities for m in e.mentions}
    by_name = {e.name: e for e in entities}
    named: list[Quote] = []
    keys: list[str | None] = []
    for quote in quotes:
        entity = None
        if quote.source_start is not None:
            entity = by_start.get(quote.source_start) or _overlapping(quote, entities)
        if entity is None and quote.speaker is not None:
            entity = by_name.get(quote.speaker)
        if entity is not None and entity.type in ("PERSON", "ORG"):
            named.append(_renamed(quote, entity.name))
            keys.append(entity.key)
        else:
            named.append(quote)
            keys.append(None)
    return named, keys


def _overlapping(quote: Quote, entities: Sequence[Entity]) -> Entity | None:
    assert quote.source_start is not None and quote.source_end is not None
    for entity in entities:
        for mention in entity.mentions:
            if mention.start < quote.source_end and quote.source_start < mention.end:
                return entity
    return None


def _renamed(quote: Quote, speaker: str) -> Quote:
    return quote if quote.speaker == speaker else replace(quote, speaker=speaker)
