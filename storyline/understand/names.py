"""How news writes names: titles before them, particles inside them, spellings that vary.

These are word lists and small functions on plain strings; :mod:`storyline.understand.mentions`
applies them to spaCy's spans and :mod:`storyline.understand.entities` to canonical names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The three kinds of entity: spaCy's GPE, LOC and FAC are all places.
PERSON, ORG, PLACE = "PERSON", "ORG", "PLACE"


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: word lists stay readable in the source."""
    return frozenset(text.split())


# Words that stand before a person's name as a title ("Lt. Gen.", "Vice President", "Mayor").
HONORIFICS = word_set(
    """
    president premier chancellor minister secretary senator sen. sen representative rep.
    congressman congresswoman governor gov. gov mayor ambassador envoy judge justice chairman
    chairwoman chairperson commissioner spokesperson spokesman spokeswoman director ceo
    general gen. gen lieutenant lt. lt colonel col. col major maj. captain capt. sergeant sgt.
    admiral adm. commander cmdr. brig. marshal corporal cpl. private pvt.
    mr. mr mrs. mrs ms. ms miss dr. dr prof. professor sir dame lord lady
    pope king queen prince princess emperor empress sultan emir sheikh ayatollah
    rev. reverend father patriarch metropolitan bishop archbishop cardinal rabbi imam
    speaker leader officer attorney prosecutor sheriff inspector
    """
)
# Words that qualify a title without being one ("Deputy Foreign", "Acting", "former").
TITLE_MODIFIERS = word_set(
    """
    vice prime deputy acting interim former first chief senior foreign defense defence interior
    finance health justice economy energy state national regional federal crown supreme
    attorney general lieutenant -elect elect ex- ex of for the and
    """
)
# Titles that belong to the name when only one name follows ("Pope Francis", "King Charles").
REGNAL = word_set("pope king queen prince princess emperor empress sultan emir")
# Lower-case roles that, right before a capitalised name, mark it as a person.
ROLE_WORDS = word_set(
    """
    spokesperson spokesman spokeswoman expert analyst officer official governor mayor minister
    president lawmaker commander chief reporter correspondent founder co-founder author
    journalist activist lawyer attorney prosecutor researcher professor director leader
    colleague photographer economist strategist adviser advisor aide envoy ambassador
    senator general colonel sergeant soldier resident historian politician head deputy
    candidate secretary chairman ceo executive coordinator manager organizer organiser
    negotiator member fellow editor producer chair chairwoman commissioner vice-president
    president-elect director-general founder owner partner physician doctor nurse teacher
    student farmer worker engineer scientist pilot driver lawmaker legislator mother father
    son daughter wife husband brother sister
    """
)
# Lower-case words inside a person's name ("Ursula von der Leyen", "Mohammed bin Salman").
PARTICLES = word_set("von van der den de da del della di du la le bin ibn al el dos das ter")
_SUFFIXES = word_set("jr. jr sr. sr ii iii iv")
# Legal forms of companies, which news drops after the first mention ("Rhenwerk AG" and
# then "Rhenwerk").
COMPANY_SUFFIXES = word_set(
    "co. co corp. corp inc. inc ltd. ltd llc llp lp plc oyj ag sa gmbh nv ab asa spa"
)
# Words that make a name an organisation ("... Ministry", "... Group", "... Independent").
ORG_WORDS = COMPANY_SUFFIXES | word_set(
    """
    ministry agency council committee commission group network company corporation
    bank fund party army navy forces force service services guard
    office department directorate bureau institute university college school foundation
    association union federation alliance organization organisation parliament senate congress
    court tribunal police news times post journal independent press media broadcasting
    society club league movement front legion museum hospital airlines airways herald
    tribune gazette initiative project wire headquarters exchange shipping holdings industries
    partners technologies logistics petroleum securities campaign coalition chamber
    radio tv television staff command brigade battalion regiment division corps center centre
    authority administration cabinet government assembly duma rada kremlin pentagon
    """
)
# Words that end the names of places ("Syvash River", "Freedom Square").
PLACE_WORDS = word_set(
    """
    river sea lake ocean mountains mount bay gulf strait island islands valley desert peninsula
    square street avenue boulevard bridge dam canal park forest coast plain plateau
    """
)
# Words of generic institution names that say whose they are only through a possessive:
# "Russia's Defense Ministry" is the "Russian Defense Ministry", "Ukraine's Naftogaz" is not.
INSTITUTION_WORDS = word_set(
    """
    ministry defense defence foreign affairs interior justice finance health economy economic
    energy emergency emergencies situations general staff security service intelligence
    federal agency national guard air force forces armed navy army border central bank
    supreme court constitutional parliament embassy prosecutor prosecutor's office investigative
    committee council main directorate military of for and the transport state department
    government cabinet police
    """
)
# Names spaCy takes for entities that are calendar words.
CALENDAR = word_set(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    """
)
# British and American spellings of the words institutions are named with.
_SPELLINGS = {
    "defence": "defense",
    "centre": "center",
    "organisation": "organization",
    "programme": "program",
}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^\w']+")
_INITIAL = re.compile(r"^\w\.?$")
_CONSONANT_RUN = re.compile(r"[^AEIOUY]{4}")
# Transliterated Slavic endings: "Zelenskyy", "Zelenskiy" and "Zelensky" are one name.
_SLAVIC_ENDING = re.compile(r"(?:yy|iy|yi|ii)$")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower-case ``text`` without accents, with straight apostrophes and single spaces."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return " ".join(_COMBINING.sub("", text).lower().split())


@lru_cache(maxsize=8192)
def key_words(name: str) -> tuple[str, ...]:
    """The folded words of ``name`` as keys compare them: no dots, no possessive, US spelling.

    "U.S." becomes "us", "Defence" "defense", "Zelenskyy" "zelensky". Names repeat within
    and across articles, so the words are cached.
    """
    folded = fold(name).replace(".", "")
    if folded.endswith("'s"):
        folded = folded[:-2]
    words = []
    for word in _NON_WORD.split(folded):
        word = word.strip("'")
        if word:
            word = _SPELLINGS.get(word, word)
            words.append(_SLAVIC_ENDING.sub("y", word) if len(word) > 5 else word)
    return tuple(words)


def is_title(word: str) -> bool:
    """Whether ``word`` is a title or a word of one ("President", "Gen.", "Deputy")."""
    lowered = word.lower()
    return lowered in HONORIFICS or lowered in TITLE_MODIFIERS


def is_honorific(word: str) -> bool:
    """Whether ``word`` is itself a title ("Mayor"), not only a qualifier of one ("Deputy")."""
    return word.lower() in HONORIFICS


def is_capitalised(word: str) -> bool:
    """Whether ``word`` starts with a capital letter, as names in English do."""
    return word[:1].isupper()


def surname(name: str) -> str | None:
    """The family name of a person's full name, or None for a single name.

    Particles stay with it ("von der Leyen"); "Jr." and roman numerals are skipped.
    """
    words = [w for w in name.split() if w.lower() not in _SUFFIXES]
    if len(words) < 2 or all(w.lower() in PARTICLES for w in words[:-1]):
        return None  # "Putin", "Van der Berg"
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return " ".join(words[start:])


def person_key_words(name: str) -> list[str]:
    """A person's key words without middle initials: "Donald J. Trump" is "Donald Trump"."""
    words = list(key_words(name))
    if len(words) > 2:
        words = [words[0], *(w for w in words[1:-1] if not _INITIAL.match(w)), words[-1]]
    return words


def display_case(name: str) -> str:
    """``name`` in title case when written in capitals ("KESTREL BAY" -> "Kestrel Bay").

    Acronyms stay ("NATO", "MSNBC"): a name is recased only when one of its words reads
    as a word, and then its short words with a vowel are recased too.
    """
    letters = [c for c in name if c.isalpha()]
    words = name.split()
    if not letters or not all(c.isupper() for c in letters) or not any(map(_is_word, words)):
        return name
    return " ".join(_recased(w) for w in words)


def _recased(word: str) -> str:
    if word.lower() in ("of", "for", "and", "the"):
        return word.lower()
    if word.isalpha() and any(c in "AEIOUY" for c in word):
        return word.capitalize()
    return word


def _is_word(word: str) -> bool:
    """Whether a word in capitals reads as a word ("KESTREL") rather than an acronym
    ("MSNBC", "UNHCR"): long enough, with two vowels and no four consonants in a row."""
    if len(word) < 5 or not word.isalpha():
        return False
    return sum(c in "AEIOUY" for c in word) >= 2 and not _CONSONANT_RUN.search(word)


def is_proper(name: str) -> bool:
    """Whether every word of ``name`` but particles and connectors is capitalised."""
    return all(
        is_capitalised(w) or w in PARTICLES or w in ("of", "for", "and", "the")
        for w in name.split()
    )


def is_institution(name: str) -> bool:
    """Whether ``name`` is a generic institution that needs its country ("Defense Ministry")."""
    words = fold(name).split()
    return bool(words) and all(w in INSTITUTION_WORDS for w in words)
