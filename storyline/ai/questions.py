"""What a reader's question asks for: its kind, the answer it expects and its key words.

:func:`read_question` turns "How many bodies were to be exchanged?" into a
:class:`Question` of kind ``count`` whose key words are *bodies* and *exchanged*. The
kind is read from the question's first words (spaCy's small model parses questions
poorly, so no dependency of the question is trusted); the key words come from the
tagger. A key word carries its stems (of the word and of its lemma, so "gave" meets
"give") and a weight: the question's content verb weighs most (it is what separates
"how many were injured" from "how many died"), then names, nouns and figures, then
adjectives and adverbs; light verbs ("make", "take") count little. Names are also
required outright by the retrieval (:mod:`storyline.ai.retrieval`).

Kinds and what answers them:

========== ======================================== ==================================
kind       asked as                                 answered by
========== ======================================== ==================================
person     who / whom / whose (not "who is X?")     a person's (or body's) name
role       who is / was X? what is X? (X a name)    X's role: apposition or title
date       when / what day, year, time…             a date or time
place      where                                    a place or facility
count      how many X                               a number
amount     how much (X) / by how much               money, a percentage, a measure
age        how old                                  an age next to the person
length     how long / far / high / big …            a measure or a duration
reason     why                                      a because / due to clause
which      which X / what X / what is the name of X a name or noun phrase of kind X
what       what + verb                              an argument of the question's verb
yesno      is / does / did / can …                  not answered ("does not say"):
                                                    no span of the text says yes
========== ======================================== ==================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.stories.digest_text import content_words, word_set

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Token

KINDS = (
    "person",
    "role",
    "date",
    "place",
    "count",
    "amount",
    "age",
    "length",
    "reason",
    "which",
    "what",
    "yesno",
)
MAX_QUESTION_CHARS = 500

_AUXILIARIES = word_set(
    "is are was were am be been do does did has have had can could will would should shall may "
    "might must"
)
_PREPOSITIONS = word_set("in on at from for by to of with during since until into about")
_MEASURES = word_set("long far high tall deep big large wide heavy fast tall short")
_DATE_NOUNS = word_set("day date year month time week hour season decade century")
# Words that say what kind of answer is wanted, not what it is about.
_TYPE_WORDS = word_set("many much old name named called kind type sort")
_LIGHT_VERBS = word_set("be have do make get take give go come put set use")
_WH = word_set("who whom whose what which when where why how")

# the question needs its words' tags and lemmas only
_UNUSED = ("parser", "ner")
NAME_WEIGHT = 1.5
VERB_WEIGHT = 2.0
_POS_WEIGHTS = {
    "PROPN": NAME_WEIGHT,
    "NUM": 1.5,
    "NOUN": 1.5,
    "VERB": 1.5,
    "ADJ": 1.0,
    "ADV": 0.5,
}


@dataclass(frozen=True)
class Term:
    """A key word of the question: ``forms`` are its stems, ``name`` marks a proper name.

    ``group`` numbers the name a word belongs to ("Marcus Ovell" is one group), so that a
    sentence naming "Ovell" alone still names him.
    """

    text: str
    forms: frozenset[str]
    weight: float
    name: bool = False
    group: int = -1


@dataclass(frozen=True)
class Question:
    """A question as the answerer reads it.

    ``target`` is the lemma of the noun the question asks about ("airport" in "which
    airports…", "body" in "how many bodies…"), ``target_forms`` its stems; ``subject``
    is the name a role question asks about ("Mykhailo Samus"); ``verb`` is the lemma of
    the question's content verb;
    ``subject_first`` tells a question that asks for the verb's subject ("what can
    overheat?", "which country mediated…", "who led…") from one that asks for its object
    ("what did she call it?");
    ``preposition`` is the one the answer hangs from ("from" in "which club did he join
    Rovers from?", "in" in "in which journal…"); ``named`` asks for a proper name
    ("what is the name of the bakery?").
    """

    text: str
    kind: str
    terms: tuple[Term, ...]
    target: str | None = None
    target_forms: frozenset[str] = frozenset()
    subject: str | None = None
    verb: str | None = None
    subject_first: bool = False
    named: bool = False
    preposition: str | None = None

    @property
    def forms(self) -> frozenset[str]:
        """Every stem of every key word (and of the target)."""
        return frozenset(form for term in self.terms for form in term.forms) | self.target_forms


def check_question(question: str) -> str:
    """``question`` stripped; :class:`ValueError` when it is empty or too long."""
    if not isinstance(question, str):
        raise ValueError("the question must be a string")
    text = " ".join(question.split())
    if not text:
        raise ValueError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise ValueError(
            f"the question is {len(text)} characters long; at most {MAX_QUESTION_CHARS} are read"
        )
    return text


def read_question(question: str, nlp: Language) -> Question:
    """The kind, target and key words of ``question`` (see the module's table)."""
    text = check_question(question)
    tokens = [t for t in nlp(text, disable=_UNUSED) if not t.is_punct]
    kind, target, subject_first = _kind(tokens)
    named = False
    if kind == "which" and target is not None and _lemma(target) in ("name", "call"):
        target, named = _named_target(tokens, target), True
    if kind == "which" and target is not None and _lemma(target) in _DATE_NOUNS:
        kind = "date"
    subject = _role_subject(tokens) if kind in ("person", "what") else None
    if subject is not None:
        kind = "role"
    verb = next(
        (
            _lemma(t)
            for t in tokens
            if t.pos_ == "VERB"
            and _lemma(t) not in _LIGHT_VERBS
            and _lower(t) not in _WH
            and (target is None or t.i != target.i)
        ),
        None,
    )
    if (
        verb is None
        and len(tokens) > 2
        and tokens[-1].pos_ in ("VERB", "NOUN")
        and tokens[-2].pos_ in ("NOUN", "PROPN")
        and _lemma(tokens[-1]) not in _LIGHT_VERBS
    ):
        # "how much will the shelter cost?", "what does the tram line link?": a verb the
        # tagger took for a noun, ending the question after its subject
        verb = _lemma(tokens[-1])
    lemma = _lemma(target) if target is not None else None
    target_forms = (
        frozenset(content_words(target.text)) | frozenset(content_words(lemma or ""))
        if target is not None
        else frozenset()
    )
    terms = _terms(tokens, lemma, verb)
    words = [_lower(t) for t in tokens]
    preposition = None
    if len(words) > 1 and words[0] in _PREPOSITIONS and words[1] in _WH:
        preposition = words[0]
    elif words and words[-1] in _PREPOSITIONS:
        preposition = words[-1]
    return Question(
        text, kind, terms, lemma, target_forms, subject, verb, subject_first, named, preposition
    )


def _lower(token: Token) -> str:
    return str(token.text).casefold()


def _lemma(token: Token) -> str:
    return str(token.lemma_).casefold()


def _kind(tokens: list[Token]) -> tuple[str, Token | None, bool]:
    """The kind, the target noun, and whether the wh-word is the verb's subject."""
    words = [_lower(t) for t in tokens]
    start = 0
    while start < len(words) - 1 and words[start] in _PREPOSITIONS and words[start + 1] in _WH:
        start += 1
    if not words:
        return "what", None, False
    first = words[start]
    following = words[start + 1] if start + 1 < len(words) else ""
    if first == "how":
        if following in ("many", "much"):
            kind = "count" if following == "many" else "amount"
            return kind, _noun_run(tokens, start + 2), False
        if following == "old":
            return "age", None, False
        if following in _MEASURES:
            return "length", None, False
        return "what", None, False
    simple = {"when": "date", "where": "place", "why": "reason"}
    if first in simple:
        return simple[first], None, False
    if first in ("who", "whom", "whose"):
        return "person", None, following not in _AUXILIARIES or first == "whose"
    if first in ("which", "what"):
        if following and following not in _AUXILIARIES and following not in _PREPOSITIONS:
            noun = (
                _noun_run(tokens, start + 1)
                if first == "which" or _is_noun(tokens, start + 1)
                else None
            )
            if noun is not None:
                # "which country mediated…": the noun is the verb's subject
                after = noun.i + 1 - tokens[0].i
                verb_next = after < len(tokens) and tokens[after].pos_ == "VERB"
                return "which", noun, verb_next
        if following in ("is", "was", "are", "were") and "name" in words[start + 2 : start + 4]:
            return "which", tokens[words.index("name", start + 2)], False
        if words[-1] in ("called", "named"):
            return "which", tokens[-1], False
        subject_first = bool(following) and following not in ("did", "does", "do", "will", "is")
        return "what", None, subject_first
    if first in _AUXILIARIES:
        return "yesno", None, False
    return "what", None, False


def _noun_run(tokens: list[Token], index: int) -> Token | None:
    """The noun a "which X" / "how many X" phrase asks about: in the run of nouns and
    adjectives from ``index``, the noun before a possessive ("which airline's app"),
    else the run's last noun ("what pay rise", "how many buses a day"). The word right
    after "which" is taken as a noun whatever its tag ("which airports suspended…")."""
    nouns: list[Token] = []
    for position, token in enumerate(tokens[index : index + 5]):
        if token.tag_ == "POS" or _lower(token) in ("'s", "’s"):
            break
        if _lower(token) in _AUXILIARIES or _lower(token) in _WH:
            break
        if token.pos_ in ("NOUN", "PROPN") or (position == 0 and token.pos_ != "ADJ"):
            nouns.append(token)
        elif token.pos_ != "ADJ" or nouns:
            break
    return nouns[-1] if nouns else None


def _is_noun(tokens: list[Token], index: int) -> bool:
    return index < len(tokens) and tokens[index].pos_ in ("NOUN", "PROPN", "ADJ")


def _named_target(tokens: list[Token], word: Token) -> Token | None:
    """The noun of "what is the name of the X…" (the first noun after "name") or of
    "what is the X called?" (the last noun before "called")."""
    nouns = [t for t in tokens if t.pos_ in ("NOUN", "PROPN") and t.i != word.i]
    if _lemma(word) == "name":
        return next((t for t in nouns if t.i > word.i), None)
    before = [t for t in nouns if t.i < word.i]
    return before[-1] if before else None


def _role_subject(tokens: list[Token]) -> str | None:
    """X of "who is X?" when X is a name (capitalised words)."""
    if len(tokens) < 3 or _lower(tokens[1]) not in ("is", "was", "are", "were"):
        return None
    rest = tokens[2:]
    if not all(t.text[:1].isupper() or t.text in ("-", "'", ".") for t in rest):
        return None
    start, end = rest[0].idx, rest[-1].idx + len(rest[-1].text)
    return str(rest[0].doc.text[start:end])


def _terms(tokens: list[Token], target: str | None, verb: str | None) -> tuple[Term, ...]:
    out: list[Term] = []
    group = -1
    previous_name = False
    for position, token in enumerate(tokens):
        word, lemma = _lower(token), _lemma(token)
        skip = (
            word in _WH
            or word in _TYPE_WORDS
            or (word in _MEASURES and position == 1)
            or (word in _PREPOSITIONS and position in (0, len(tokens) - 1))
        )
        forms = frozenset(content_words(token.text)) | frozenset(content_words(lemma))
        if skip or not forms:
            previous_name = False
            continue
        name = position > 0 and token.text[:1].isupper()
        if name and not previous_name:
            group += 1
        previous_name = name
        if name:
            weight = NAME_WEIGHT
        elif token.pos_ in ("VERB", "AUX") and lemma in _LIGHT_VERBS:
            weight = 0.5
        elif lemma == verb and (token.pos_ == "VERB" or position == len(tokens) - 1):
            weight = VERB_WEIGHT
        else:
            weight = _POS_WEIGHTS.get(token.pos_, 1.0)
        if target is not None and lemma == target:
            weight = max(weight, 1.5)
        out.append(Term(token.text, forms, weight, name, group if name else -1))
    return tuple(out)
