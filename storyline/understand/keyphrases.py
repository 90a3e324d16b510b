"""Key phrases: the words and phrases that say what an article is about, best first.

A supervised ranker in the manner of Kea. :func:`find_key_phrases` works in four steps:

1. Words: spaCy's tokens, with hyphenated compounds ("fiber-optic") joined into one word, each
   keyed by its Porter stem so that "drone", "drones" and "Drones" are one candidate.
2. Candidates: single content words (nouns, proper nouns, adjectives, verbs, adverbs,
   numbers), two- and three-word stretches of adjectives and nouns that end in a noun, and
   named entities of up to five words.
3. Features: how often and where the candidate occurs, how rare its words are in general
   English (``wordfreq``, an IDF prior that needs no corpus), its part of speech, inflection,
   grammatical role, entity type and capitalisation, its rank within the article, and how
   often readers chose it as a key phrase when it occurred in the training articles (its
   "keyphraseness"). ``FEATURES`` names them in order.
4. Score: a logistic regression over those features, trained on the 500N-KPCrowd news set by
   ``quality/train_keyphrases.py`` and shipped as ``data/keyphrases-ranker.json``.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy
import Stemmer
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, IS_STOP, POS, SENT_START, SPACY, TAG
from spacy.strings import get_string_id
from wordfreq import get_frequency_dict, zipf_frequency

from storyline.understand.types import KeyPhrase

if TYPE_CHECKING:
    from spacy.tokens import Doc

RANKER_PATH = Path(__file__).resolve().parent / "data" / "keyphrases-ranker.json"

_SINGLE_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB", "ADV", "NUM"})
_PHRASE_POS = frozenset({"NOUN", "PROPN", "ADJ"})
_HEAD_POS = frozenset({"NOUN", "PROPN"})
_NAME_TAGS = frozenset({"PROPN", "ENTITY"})
_POS_TAGS = ("NOUN", "PROPN", "ADJ", "VERB", "ADV", "NUM", "ENTITY")
_ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}
)
_ENTITY_GROUPS = {"PERSON": 0, "ORG": 1, "GPE": 2, "LOC": 2, "FAC": 2, "NORP": 3}
_OTHER_ENTITY, _NO_ENTITY = 4, 5
_SUBJECT_IDS = frozenset(get_string_id(label) for label in ("nsubj", "nsubjpass"))
_FORMS = ("NNS", "NNPS", "VBD", "VBG", "VBN", "VBZ", "VB", "JJR", "JJS")
_FORM_INDEX = {get_string_id(tag): i for i, tag in enumerate(_FORMS)}
_ROLES = ("ROOT", "dobj", "pobj", "compound", "amod", "appos", "conj")
_ROLE_INDEX = {get_string_id(label): i for i, label in enumerate(_ROLES)}
_INSIDE, _BEGIN = 1, 3  # spaCy's ENT_IOB values
_ATTRIBUTES = [SPACY, SENT_START, IS_STOP, POS, ENT_TYPE, DEP, ENT_IOB, TAG]
_LONGEST_RUN_PHRASE = 3
_LONGEST_ENTITY = 5
_EARLY_WORDS = 25
# Zipf frequencies run from 0 (unknown) to about 8 ("the"), so 8 - zipf is an IDF-like rarity.
_TOP_ZIPF = 8.0
# A word a person would write: starts with a letter or digit, no spaces or brackets.
_WORDLIKE = re.compile(r"[^\W_][\w'’.&]*")
# What the dataset's key phrases never contain: punctuation other than apostrophes.
_PUNCTUATION = re.compile(r"[^\w\s'’]|_")
_MIN_SUPPORT = 3  # articles a candidate must have occurred in for its keyphraseness to count

FEATURES: tuple[str, ...] = (
    "log_count",
    "count_share",
    "tfidf",
    "once",
    "twice",
    "first",
    "last",
    "spread",
    "early",
    "log_first",
    "sentence_share",
    "one_word",
    "two_words",
    "more_words",
    "mean_rarity",
    "min_rarity",
    "max_rarity",
    "unknown_word",
    "in_entity",
    "capitalised",
    "subject",
    "exact_entity",
    "opens_entity",
    *(f"pos_{tag.lower()}" for tag in _POS_TAGS),
    *(f"pos_{tag.lower()}_x_log_count" for tag in _POS_TAGS),
    "entity_person",
    "entity_org",
    "entity_place",
    "entity_group",
    "entity_other",
    "entity_none",
    "first_sentence",
    "first_two_sentences",
    "log_key_length",
    "surface_forms",
    "all_caps",
    "rank_count",
    "rank_tfidf",
    "rank_first",
    "tfidf_gap",
    "log_count_gap",
    "log_article_words",
    *(f"role_{role.lower()}" for role in _ROLES),
    *(f"form_{form.lower()}" for form in _FORMS),
    "keyphraseness_log_chosen",
    "keyphraseness",
    "head_keyphraseness_log_chosen",
    "head_keyphraseness",
)
_KEYPHRASENESS_FEATURES = 4


@dataclass(slots=True)
class _Word:
    """One word of the article: a token, or a hyphenated compound of several.

    Only usable words (content words that may start or end a candidate) carry their part of
    speech and the rest; the others keep the defaults, which no candidate reads.
    """

    start: int  # token indexes
    end: int
    text: str
    key: str
    sentence: int
    capitalised: bool  # written with a capital where a sentence does not start
    usable: bool = False
    pos: str = ""
    entity: str = ""
    subject: bool = False
    form: int = len(_FORMS)  # index into _FORMS of the fine-grained tag, or past its end
    role: int = len(_ROLES)  # index into _ROLES of the dependency label, or past its end
    opens_entity: bool = False  # the first word of a longer name ("Stieg" of "Stieg Larsson")


@dataclass(slots=True)
class Candidate:
    """Every occurrence of one stemmed word or phrase, summed up."""

    key: str
    words: tuple[str, ...]  # lowercase, as first seen
    count: int = 0
    first: int = 0
    last: int = 0
    surfaces: dict[str, int] = field(default_factory=dict)  # written form -> occurrences
    tags: dict[str, int] = field(default_factory=dict)  # part of speech or "ENTITY"
    entity_labels: dict[str, int] = field(default_factory=dict)
    sentences: set[int] = field(default_factory=set)
    in_entity: int = 0
    capitalised: int = 0
    subject: int = 0
    exact_entity: int = 0
    opens_entity: int = 0
    roles: list[int] = field(default_factory=lambda: [0] * (len(_ROLES) + 1))
    forms: list[int] = field(default_factory=lambda: [0] * (len(_FORMS) + 1))

    @property
    def text(self) -> str:
        """The way the article most often writes it (first seen wins a tie)."""
        return _most_common(self.surfaces)


@dataclass(frozen=True)
class Candidates:
    """An article's candidates, in order of first occurrence, and the article's size."""

    items: list[Candidate]
    words: int
    sentences: int


@dataclass(frozen=True)
class Keyphraseness:
    """In how many training articles a candidate occurred, and in how many readers chose it."""

    counts: Mapping[str, tuple[int, int]]  # key -> (chosen, occurred)

    def lookup(self, key: str, own: tuple[int, int] = (0, 0)) -> tuple[int, int]:
        """Counts for ``key``, less ``own`` (an article's own share, when it is a training one).

        A key seen in fewer than ``_MIN_SUPPORT`` articles counts as unknown, so rare words
        are judged on their other features rather than on one or two readers' choices.
        """
        chosen, occurred = self.counts.get(key, (0, 0))
        chosen, occurred = chosen - own[0], occurred - own[1]
        return (chosen, occurred) if occurred >= _MIN_SUPPORT else (0, 0)


@dataclass(frozen=True)
class Ranker:
    """A logistic regression over standardised features, with its keyphraseness table."""

    mean: numpy.ndarray
    scale: numpy.ndarray
    weights: numpy.ndarray
    bias: float
    keyphraseness: Keyphraseness

    def score(self, features: numpy.ndarray) -> numpy.ndarray:
        """The log-odds of each row being a key phrase (higher is better)."""
        result: numpy.ndarray = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "weights": self.weights.round(6).tolist(),
            "bias": round(self.bias, 6),
            "keyphraseness": {key: list(pair) for key, pair in self.keyphraseness.counts.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ranker:
        if tuple(data["features"]) != FEATURES:
            raise ValueError("the key phrase ranker was trained on other features; retrain it")
        counts = {key: (int(pair[0]), int(pair[1])) for key, pair in data["keyphraseness"].items()}
        return cls(
            mean=numpy.array(data["mean"], dtype=float),
            scale=numpy.array(data["scale"], dtype=float),
            weights=numpy.array(data["weights"], dtype=float),
            bias=float(data["bias"]),
            keyphraseness=Keyphraseness(counts),
        )


def find_key_phrases(doc: Doc, limit: int = 10) -> list[KeyPhrase]:
    """The ``limit`` best key phrases of the article ``doc`` was parsed from, best first."""
    found = collect_candidates(doc)
    if not found.items or limit <= 0:
        return []
    ranker = load_ranker()
    features = numpy.hstack(
        [describe_candidates(found), keyphraseness_features(found.items, ranker.keyphraseness)]
    )
    scores = ranker.score(features)
    order = numpy.argsort(-scores, kind="stable")[:limit]
    return [KeyPhrase(_display(found.items[i]), round(float(scores[i]), 4)) for i in order]


def _display(candidate: Candidate) -> str:
    """The candidate as written, but in lowercase when only a sentence start capitalised it
    ("Environmental groups fear..." gives "environmental groups", "Velmora" stays)."""
    text = candidate.text
    if candidate.capitalised or _most_common(candidate.tags) in _NAME_TAGS or text.isupper():
        return text
    return text.lower()


@functools.cache
def load_ranker(path: Path = RANKER_PATH) -> Ranker:
    """The shipped ranker, read once per process."""
    return Ranker.from_json(json.loads(path.read_text(encoding="utf-8")))


def candidate_key(text: str) -> str:
    """The identity of a phrase: lowercase Porter stems of its words, punctuation dropped."""
    return " ".join(_stem(word.lower()) for word in text.split())


def collect_candidates(doc: Doc) -> Candidates:
    """Every candidate of ``doc``."""
    words = _words(doc)
    found: dict[str, Candidate] = {}
    for i, word in enumerate(words):
        if word.usable and word.pos in _SINGLE_POS:
            candidate = _add(found, words, i, i + 1, word.pos)
            if word.entity:
                _count(candidate.entity_labels, word.entity)
    for start, end in _phrase_runs(words):
        for i in range(start, end):
            for j in range(i + 2, min(end, i + _LONGEST_RUN_PHRASE) + 1):
                if words[j - 1].pos in _HEAD_POS:
                    _add(found, words, i, j, words[j - 1].pos)
    for start, end, label in _entity_spans(doc, words):
        candidate = _add(found, words, start, end, "ENTITY")
        candidate.exact_entity += 1
        _count(candidate.entity_labels, label)
    sentences = words[-1].sentence + 1 if words else 0
    return Candidates(list(found.values()), len(words), sentences)


def describe_candidates(found: Candidates) -> numpy.ndarray:
    """The features of each candidate but its keyphraseness, one row each (see ``FEATURES``)."""
    items = found.items
    if not items:
        return numpy.empty((0, len(FEATURES) - _KEYPHRASENESS_FEATURES))
    n_words, n_sentences = max(1, found.words), max(1, found.sentences)
    facts = numpy.array([_facts(c) for c in items], dtype=float)
    count, first, last, length, spread = facts[:, :5].T
    shares = facts[:, 5:10] / count[:, None]
    tags, groups = facts[:, 10], facts[:, 11]
    rarity = facts[:, 12:16]
    openings = facts[:, 16:21]
    roles_and_forms = facts[:, 21:] / count[:, None]
    log_count = numpy.log1p(count)
    tfidf = log_count * rarity[:, 0]
    tag_columns = (tags[:, None] == numpy.arange(len(_POS_TAGS))).astype(float)
    group_columns = (groups[:, None] == numpy.arange(_NO_ENTITY + 1)).astype(float)
    columns = [
        log_count,
        count / count.max(),
        tfidf,
        count == 1,
        count == 2,
        first / n_words,
        last / n_words,
        (last - first) / n_words,
        first < _EARLY_WORDS,
        numpy.log1p(first),
        spread / n_sentences,
        length == 1,
        length == 2,
        length >= 3,
        *rarity.T,
        *shares.T,
        *tag_columns.T,
        *(tag_columns * log_count[:, None]).T,
        *group_columns.T,
        *openings.T,
        _percentile(-log_count),
        _percentile(-tfidf),
        _percentile(first),
        tfidf - tfidf.max(),
        log_count - log_count.max(),
        numpy.full(len(items), math.log(n_words)),
        *roles_and_forms.T,
    ]
    return numpy.column_stack(columns).astype(float)


def _facts(c: Candidate) -> tuple[float, ...]:
    """One candidate's raw counts, in the order :func:`describe_candidates` slices them."""
    return (
        c.count,
        c.first,
        c.last,
        len(c.words),
        len(c.sentences),
        c.in_entity,
        c.capitalised,
        c.subject,
        c.exact_entity,
        c.opens_entity,
        _POS_TAGS.index(_most_common(c.tags)),
        _entity_group(c),
        *_rarities(c.words),
        *_openings(c),
        *c.roles[:-1],
        *c.forms[:-1],
    )


def keyphraseness_features(
    candidates: Sequence[Candidate],
    table: Keyphraseness,
    chosen: Iterable[str] | None = None,
) -> numpy.ndarray:
    """Keyphraseness of each candidate and of its last word, one row each.

    ``chosen`` holds the article's own key phrases when it is one of the training articles
    that ``table`` was counted from: its share is taken out (leave one out), so training
    sees the same kind of evidence an unseen article gets.
    """
    own_keys = {c.key for c in candidates} if chosen is not None else set()
    own_chosen = set(chosen or ())
    rows = []
    for candidate in candidates:
        head = candidate.key.rsplit(" ", 1)[-1]
        row: list[float] = []
        for key in (candidate.key, head):
            own = (int(key in own_chosen), int(key in own_keys))
            picked, occurred = table.lookup(key, own)
            row += [math.log1p(picked), (picked + 0.5) / (occurred + 2.0)]
        rows.append(row)
    return numpy.array(rows, dtype=float).reshape(len(candidates), _KEYPHRASENESS_FEATURES)


def _words(doc: Doc) -> list[_Word]:
    """The article's words, with "X-Y" compounds joined and sentence numbers attached.

    Token attributes are read as one array of ids, and ids become strings only for the
    tokens that end a word, which keeps this pass cheap beside spaCy's parse.
    """
    texts = [token.text for token in doc]
    columns = doc.to_array(_ATTRIBUTES).T.tolist()
    spaced, sentence_starts, stops, pos_ids, entity_ids, dep_ids, iobs, tag_ids = columns
    iobs.append(0)
    strings = doc.vocab.strings
    words: list[_Word] = []
    sentence = -1
    i = 0
    while i < len(texts):
        starts_sentence = i == 0 or sentence_starts[i] == 1
        sentence += starts_sentence
        end = _compound_end(texts, spaced, i) if texts[i + 1 : i + 2] == ["-"] else i + 1
        if end == i + 1:
            text = texts[i]
            usable = not stops[i] and (text.isalpha() or _wordlike(text))
        else:
            text = doc[i:end].text
            usable = True
        key = _stem(text.lower())
        capitalised = not starts_sentence and text[:1].isupper()
        if not usable or len(key) < 2:
            words.append(_Word(i, end, text, key, sentence, capitalised))
            i = end
            continue
        last = end - 1
        words.append(
            _Word(
                i,
                end,
                text,
                key,
                sentence=sentence,
                capitalised=capitalised,
                usable=True,
                pos=strings[pos_ids[last]],
                entity=strings[entity_ids[last]] if entity_ids[last] else "",
                subject=dep_ids[last] in _SUBJECT_IDS,
                role=_ROLE_INDEX.get(dep_ids[last], len(_ROLES)),
                form=_FORM_INDEX.get(tag_ids[last], len(_FORMS)),
                opens_entity=iobs[i] == _BEGIN and iobs[end] == _INSIDE,
            )
        )
        i = end
    return words


def _compound_end(texts: Sequence[str], spaced: Sequence[bool], start: int) -> int:
    """Where the word starting at ``start`` ends: after "fiber-optic", not after "fiber"."""
    end = start + 1
    while (
        end + 1 < len(texts)
        and texts[end] == "-"
        and not spaced[end - 1]
        and not spaced[end]
        and texts[end - 1].isalpha()
        and texts[end + 1].isalpha()
    ):
        end += 2
    return end


def _wordlike(text: str) -> bool:
    """A word a person would write ("U.S.", "AT&T", "2024"), not a symbol or a URL."""
    return _WORDLIKE.fullmatch(text) is not None


def _phrase_runs(words: Sequence[_Word]) -> Iterable[tuple[int, int]]:
    """Maximal stretches of usable adjectives and nouns, as ``(start, end)`` word indexes."""
    start = None
    for i, word in enumerate(words):
        inside = word.usable and word.pos in _PHRASE_POS
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            yield start, i
            start = None
    if start is not None:
        yield start, len(words)


def _entity_spans(doc: Doc, words: Sequence[_Word]) -> Iterable[tuple[int, int, str]]:
    """Named entities of two to five words as word spans, a leading "the" dropped."""
    starts = {word.start: i for i, word in enumerate(words)}
    ends = {word.end: i + 1 for i, word in enumerate(words)}
    for entity in doc.ents:
        if entity.label_ not in _ENTITY_LABELS:
            continue
        first = entity.start
        while first < entity.end and doc[first].pos_ == "DET":
            first += 1
        start, end = starts.get(first), ends.get(entity.end)
        if start is None or end is None or not 2 <= end - start <= _LONGEST_ENTITY:
            continue
        if words[start].usable and words[end - 1].usable:
            yield start, end, entity.label_


def _add(
    found: dict[str, Candidate], words: Sequence[_Word], i: int, j: int, tag: str
) -> Candidate:
    """Record the occurrence of ``words[i:j]`` as a candidate and return the candidate."""
    if j == i + 1:
        head = words[i]
        key, surface, capitalised = head.key, head.text, head.capitalised
    else:
        span = words[i:j]
        head = span[-1]
        key = " ".join([word.key for word in span])
        surface = " ".join([word.text for word in span])
        capitalised = any([word.capitalised for word in span])
    candidate = found.get(key)
    if candidate is None:
        candidate = found[key] = Candidate(key, tuple(surface.lower().split()), first=i)
    candidate.count += 1
    candidate.last = i
    _count(candidate.surfaces, surface)
    _count(candidate.tags, tag)
    candidate.sentences.add(words[i].sentence)
    candidate.in_entity += bool(head.entity)
    candidate.capitalised += capitalised
    candidate.subject += head.subject
    candidate.roles[head.role] += 1
    candidate.forms[head.form] += 1
    candidate.opens_entity += words[i].opens_entity and j == i + 1
    return candidate


def _rarities(words: Sequence[str]) -> tuple[float, float, float, float]:
    """Mean, lowest and highest rarity of the words, and whether one is unknown to wordfreq."""
    zipfs = [_zipf(word) for word in words]
    return (
        _TOP_ZIPF - sum(zipfs) / len(zipfs),
        _TOP_ZIPF - max(zipfs),
        _TOP_ZIPF - min(zipfs),
        float(min(zipfs) == 0.0),
    )


def _entity_group(candidate: Candidate) -> int:
    """The kind of entity the candidate most often is (person, organisation, place...)."""
    if not candidate.entity_labels:
        return _NO_ENTITY
    return _ENTITY_GROUPS.get(_most_common(candidate.entity_labels), _OTHER_ENTITY)


def _openings(c: Candidate) -> tuple[bool, bool, float, int, bool]:
    """Opening-sentence presence, key length, written variants and capitals of a candidate."""
    return (
        0 in c.sentences,
        0 in c.sentences or 1 in c.sentences,
        math.log(len(c.key) + 1),
        len(c.surfaces),
        c.text.isupper(),
    )


def _count(counts: dict[str, int], value: str) -> None:
    counts[value] = counts.get(value, 0) + 1


def _most_common(counts: dict[str, int]) -> str:
    """The most frequent value; of equally frequent ones, the first seen."""
    return max(counts, key=counts.__getitem__)


def _percentile(values: numpy.ndarray) -> numpy.ndarray:
    """0 for the smallest value, 1 for the largest; ties keep their order of first occurrence."""
    ranks = numpy.argsort(numpy.argsort(values, kind="stable"), kind="stable")
    result: numpy.ndarray = ranks / max(1, len(values) - 1)
    return result


_porter = Stemmer.Stemmer("porter")


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Porter stem of a lowercase word, its punctuation (but apostrophes) dropped."""
    stem: str = _porter.stemWord(_PUNCTUATION.sub("", word))
    return stem


@functools.lru_cache(maxsize=1 << 16)
def _zipf(word: str) -> float:
    """How common ``word`` is in general English, on wordfreq's Zipf scale (0 = unknown).

    A plain lowercase ASCII word is looked up in wordfreq's table directly, which gives what
    ``zipf_frequency`` gives (checked on every such word of 500N-KPCrowd) without its
    tokeniser, the main cost of a word not seen before; other words go through wordfreq.
    """
    if not (word.isascii() and word.isalpha() and word.islower()):
        return float(zipf_frequency(word, "en"))
    frequency = get_frequency_dict("en").get(word, 0.0)
    return round(math.log10(frequency) + 9.0, 2) if frequency else 0.0
