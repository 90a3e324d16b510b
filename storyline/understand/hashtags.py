"""Hashtags: three to eight tags per article, the same tag for the same thing in every article.

A tag is written as readers write them (``#KurskOblast``, ``#Zelensky``, ``#NATO``,
``#FiberOpticDrones``); its identity is :func:`hashtag_key`, which ignores case, spaces,
punctuation, accents and a plural ending, so ``#KurskOblast``, ``#kurskoblast`` and
"Kursk Oblast" are one tag and "drone strikes" is the tag of "drone strike".

:func:`choose_hashtags` takes tags in this order, skipping any that names what an earlier
tag names:

1. The five people, places and organisations mentioned most often (at least twice), most
   mentioned first: a person by surname, the others by name.
2. The article's key phrases in rank order, when they read as a topic: at most three
   words, not a number, not a piece of an entity's name ("Port" of "Velmora Port Trust"),
   not an everyday word ("#Thursday", "#Officials", "#Said") and not a lone verb form,
   adverb or adjective ("#Expected", "#Quickly", "#Environmental").
3. The other entities mentioned at least twice.
4. Only while fewer than ``minimum`` tags are taken: entities mentioned once.

A short article may not have ``minimum`` tags that pass these rules; it then gets fewer
rather than filler.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

from wordfreq import zipf_frequency

from storyline.understand.types import Entity, KeyPhrase


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one string, which keeps long vocabularies readable."""
    return frozenset(words.split())


_MOST_WORDS = 3
_TOP_ENTITIES = 5  # entity tags taken before key phrases get a turn
# Words at least this common say too little on their own to group articles by (Zipf scale:
# "year" 6.0, "government" 5.4, "question" 5.3 are out; "election" 5.08, "inflation" 4.1 in).
_EVERYDAY_ZIPF = 5.1
# Proper names this common ("American", "British") are adjectives more than topics.
_EVERYDAY_NAME_ZIPF = 5.0
_SHORTEST_ROOT = 4
_LONGEST_ENDING = 4  # "Ukraine" / "Ukrainian", "Iraq" / "Iraqi", "Japan" / "Japanese"
_NAME_SUFFIXES = _word_set("jr sr ii iii iv")
_SURNAME_PARTICLES = _word_set("al bin da de del der di du la le van von")
_SPLIT = re.compile(r"[\s\-‐‑–—/]+")
_NOT_TAG_CHARACTER = re.compile(r"[^\w]|_")
# Endings of verb forms, adverbs and adjectives ("expected", "quickly", "environmental"); "-ing"
# is left alone because news topics are often gerunds ("#Dredging", "#Doping").
_NOT_A_TOPIC = re.compile(r"(?:ly|ed|ous|ive|ful|able|ible|ical|ional|ental)$")


# News copy's boilerplate: words every article has, which tag nothing.
_GENERIC = _word_set(
    """monday tuesday wednesday thursday friday saturday sunday weekend today yesterday
    tomorrow tonight january february march april may june july august september october
    november december year years month months week weeks day days hour hours time times
    official officials spokesman spokeswoman spokesperson statement statements report reports
    reporter reporters news people person man men woman women percent number numbers part
    thing things way lot source sources member members comment comments photo photos video
    videos image images picture pictures story stories article articles update updates
    said says told added according including another other many several"""
)
# Credit lines that the entity stage may see as organisations: they name no topic.
_AGENCIES = _word_set("ap apphoto associatedpress reuters afp afpphoto upi gettyimages")


def hashtag_for(phrase: str) -> str:
    """The tag of a name or phrase: "Kursk Oblast" -> "#KurskOblast", "NATO" -> "#NATO".

    Words are joined without spaces, lowercase words capitalised and others kept as written
    ("iPhone"), punctuation dropped ("U.S." -> "#US"). A phrase without a letter or digit
    has no tag: the result is then the empty string.
    """
    words = [_NOT_TAG_CHARACTER.sub("", word) for word in _SPLIT.split(phrase.lstrip("#"))]
    body = "".join(word[:1].upper() + word[1:] if word.islower() else word for word in words)
    return f"#{body}" if body else ""


def hashtag_key(tag_or_phrase: str) -> str:
    """The identity of a tag: the same for ``#DroneStrikes``, "drone strike", ``#dronestrikes``.

    Lowercase, without accents, spaces or punctuation, and with a plural ending taken off
    the end of the whole (Harman's S-stemmer, on the last word since that is where English
    inflects a phrase).
    """
    return _singular(_bare(tag_or_phrase))


def choose_hashtags(
    entities: Sequence[Entity],
    phrases: Sequence[KeyPhrase],
    minimum: int = 3,
    maximum: int = 8,
) -> list[str]:
    """Up to ``maximum`` tags for an article, best first (see the module's rules).

    ``minimum`` is how many the article should have: entities mentioned only once are taken
    to reach it, but no tag that fails the rules, so a short article may get fewer.
    """
    ranked = sorted(entities, key=lambda e: (-len(e.mentions), _first_mention(e)))
    recurring = [e for e in ranked if len(e.mentions) > 1]
    once = [e for e in ranked if len(e.mentions) <= 1]
    chosen: list[_Tag] = []
    _take(chosen, (_entity_tag(e) for e in recurring), min(maximum, _TOP_ENTITIES))
    names = [frozenset(hashtag_key(word) for word in _SPLIT.split(e.name)) for e in entities]
    _take(chosen, (_phrase_tag(p.text, names) for p in phrases), maximum)
    _take(chosen, (_entity_tag(e) for e in recurring), maximum)
    _take(chosen, (_entity_tag(e) for e in once), min(maximum, max(minimum, len(chosen))))
    return [tag.text for tag in chosen]


class _Tag:
    """A tag with what it takes to tell whether it names what another tag names."""

    __slots__ = ("key", "named", "text", "words")

    def __init__(self, text: str, words: Iterable[str], named: bool) -> None:
        self.text = text
        self.key = hashtag_key(text)
        self.words = frozenset(hashtag_key(word) for word in words) - {""}
        self.named = named  # an entity's tag, as opposed to a key phrase's

    def overlaps(self, other: _Tag) -> bool:
        """Same thing: the same key or, beside a key phrase, a derived form ("Ukrainian") or
        a part of the other ("drones" and "drone strikes"). Two entities differ unless their
        keys are one: "Velmora" the town is not "Velmora Port Trust"."""
        if self.key == other.key:
            return True
        if self.named and other.named:
            return False
        if _derived(self.key, other.key):
            return True
        return self.words <= other.words or other.words <= self.words


def _take(chosen: list[_Tag], offered: Iterable[_Tag | None], limit: int) -> None:
    """Append offered tags that add something new, until ``chosen`` holds ``limit``."""
    for tag in offered:
        if len(chosen) >= limit:
            return
        if tag is not None and not any(tag.overlaps(other) for other in chosen):
            chosen.append(tag)


def _entity_tag(entity: Entity) -> _Tag | None:
    name = _surname(entity.name) if entity.type == "PERSON" else _short_name(entity)
    if name is None or name.casefold() in _GENERIC or _bare(name) in _AGENCIES:
        return None
    text = hashtag_for(name)
    return _Tag(text, _SPLIT.split(name), named=True) if text else None


def _surname(name: str) -> str | None:
    """How readers tag a person: "Volodymyr Zelensky" -> "Zelensky", "de Gaulle" kept whole."""
    words = [w for w in name.split() if w.strip(".,").casefold() not in _NAME_SUFFIXES]
    if not words:
        return None
    last = len(words) - 1
    while last > 0 and words[last - 1].casefold() in _SURNAME_PARTICLES:
        last -= 1
    return " ".join(words[last:])


def _short_name(entity: Entity) -> str | None:
    """The entity's name, or its shortest mention when the name is over three words long."""
    if len(entity.name.split()) <= _MOST_WORDS:
        return entity.name
    short = [m.text for m in entity.mentions if len(m.text.split()) <= _MOST_WORDS]
    return min(short, key=len) if short else None


def _phrase_tag(phrase: str, names: Sequence[frozenset[str]]) -> _Tag | None:
    """The tag of a key phrase that reads as a topic and is not a piece of a name ("Port")."""
    words = _SPLIT.split(phrase.strip())
    if not words or len(words) > _MOST_WORDS or not any(ch.isalpha() for ch in phrase):
        return None
    if len(words) == 1 and _everyday(words[0]):
        return None
    if all(_zipf(word.casefold()) >= _EVERYDAY_ZIPF for word in words):
        return None  # "last week", "new people"
    text = hashtag_for(phrase)
    tag = _Tag(text, words, named=False) if text else None
    if tag is None or any(tag.words < name for name in names):
        return None
    return tag


def _everyday(word: str) -> bool:
    """A lone word that tags nothing: boilerplate, a very common word, a verb form, an adverb."""
    lowered = word.casefold()
    if lowered in _GENERIC:
        return True
    if word[:1].isupper():
        return _zipf(lowered) >= _EVERYDAY_NAME_ZIPF
    return _zipf(lowered) >= _EVERYDAY_ZIPF or _NOT_A_TOPIC.search(lowered) is not None


def _derived(one: str, other: str) -> bool:
    """Whether one key is the other plus a short ending: "ukraine" and "ukrainian"."""
    short, long = sorted((one, other), key=len)
    root = short.rstrip("aeiouy") or short
    return (
        len(root) >= _SHORTEST_ROOT
        and long.startswith(root)
        and len(long) - len(root) <= _LONGEST_ENDING
    )


def _bare(text: str) -> str:
    """Casefolded letters and digits only, accents taken off: "Sánchez's" -> "sanchezs"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))


def _singular(key: str) -> str:
    """Harman's S-stemmer: "strikes" -> "strike", "policies" -> "policy", "bus" kept."""
    if len(key) <= 3:
        return key
    if key.endswith("ies") and not key.endswith(("eies", "aies")):
        return key[:-3] + "y"
    if key.endswith("es") and not key.endswith(("aes", "ees", "oes")):
        return key[:-1]
    if key.endswith("s") and not key.endswith(("us", "ss")):
        return key[:-1]
    return key


def _first_mention(entity: Entity) -> int:
    return min((m.start for m in entity.mentions), default=0)


@functools.lru_cache(maxsize=1 << 14)
def _zipf(word: str) -> float:
    return float(zipf_frequency(word, "en"))
