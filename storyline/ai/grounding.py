"""The grounding check: does what a sentence says come from the sentences it cites?

An LLM is shown numbered source sentences and must cite them after each sentence it
writes. :func:`check_sentence` then tests one written sentence against the text of the
sentences it cites:

1. a sentence that cites nothing is unsupported;
2. every number in it (``6,000``, ``6000``, ``12%``, ``twelve``, ``sixty-one``,
   ``2.4 million``) must be among the cited sentences' numbers;
3. every date word in it (months, weekdays, seasons, ``yesterday``) must be among theirs;
4. every name in it (spaCy's named entities, and capitalised words that do not open the
   sentence) must be there too, word by word: a possessive ``'s`` is dropped, a surname
   matches a full name, a demonym matches its country ("Ukrainian", "Ukraine");
5. what it says must be close to them: the cosine of its embedding to the nearest cited
   sentence (or to all of them together) at least :data:`MIN_SIMILARITY`, which is
   what catches a claim the sources do not make.

:func:`ground` runs the check over an engine's sentences and drops (or marks) the ones
that fail, with a reason for each. Both are pure: no database, no network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import numpy as np
from wordfreq import zipf_frequency

from storyline.ai.passages import Passage
from storyline.ai.types import Citation, CitedSentence, Encoder
from storyline.stories.digest_text import word_set
from storyline.stories.digest_types import DigestArticle

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

# Tuned on the dev half of tests/fixtures/ai/grounding.jsonl (quality/grounding.py).
MIN_SIMILARITY = 0.616


def _numbered(words: str, first: int = 0, step: int = 1) -> dict[str, int]:
    """``{"word": number}`` for words written in order, numbered from ``first``."""
    return {word: first + step * n for n, word in enumerate(words.split())}


_NAME_LABELS = word_set("PERSON ORG GPE LOC NORP FAC EVENT PRODUCT WORK_OF_ART LAW LANGUAGE")
_SMALL = _numbered(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen"""
)
_UNITS = "|".join(w for w, n in _SMALL.items() if 0 < n < 10)
_TENS = _numbered("twenty thirty forty fifty sixty seventy eighty ninety", 20, 10)
_OTHER = {"twice": 2, "dozen": 12}
_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
_NUMBER_WORD = "|".join(sorted({*_SMALL, *_TENS, *_OTHER}, key=len, reverse=True))
_NUMBER = re.compile(
    r"(?<![\w.])(?:(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:st|nd|rd|th|s)?"
    rf"|(?P<tens>{'|'.join(_TENS)})[\s-](?P<unit>{_UNITS})"
    rf"|(?P<word>{_NUMBER_WORD}))"
    rf"(?:[\s-](?P<scale>{'|'.join(_SCALES)}))?(?!\w)",
    re.IGNORECASE,
)
_MONTHS = {
    **_numbered(
        "january february march april may june july august september october november december",
        1,
    ),
    **_numbered("jan feb mar apr may jun jul aug sep oct nov dec", 1),
    "sept": 9,
}
_WEEKDAYS = _numbered("monday tuesday wednesday thursday friday saturday sunday")
_DATE_WORDS = word_set("spring summer autumn winter today yesterday tomorrow tonight")
_TITLES = word_set("mr mrs ms mx miss")
_QUOTES = frozenset("\"'“‘«:")
_DEMONYM = re.compile(r"(?:ians?|ans?|ese|ish|is)$")
_WORD = re.compile(r"[^\W\d_]+")
# Where a sentence splits into clauses that may be cited on their own.
_CLAUSE = re.compile(r",\s+(?:and|but|while|whereas|although)\s+|;\s+|:\s+")
_CLAUSE_WORDS = 4
# Zipf frequency from which a capitalised sentence opener is taken for a common word.
_COMMON = 4.0


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence is supported by the sentences it cites, and if not, why.

    ``similarity`` is the embedding cosine to the nearest cited text (0 when nothing is
    cited).
    """

    supported: bool
    reasons: tuple[str, ...]
    similarity: float = 0.0


def check_sentence(sentence: str, cited: Sequence[str], encoder: Encoder, nlp: Language) -> Verdict:
    """The grounding check of one sentence against the texts of the sentences it cites."""
    return check_sentences([(sentence, cited)], encoder, nlp)[0]


def check_sentences(
    items: Sequence[tuple[str, Sequence[str]]],
    encoder: Encoder,
    nlp: Language,
    *,
    min_similarity: float = MIN_SIMILARITY,
) -> list[Verdict]:
    """:func:`check_sentence` for many sentences, with one embedding batch and one parse.

    1. Sentences and cited texts are embedded together;
    2. each sentence is parsed for its named entities;
    3. numbers, dates, names and closeness are checked sentence by sentence.
    """
    texts: dict[str, int] = {}
    for sentence, cited in items:
        for text in (sentence, *_comparable(cited)):
            texts.setdefault(text, len(texts))
    vectors = encoder.encode(list(texts)) if texts else np.zeros((0, 1), dtype=np.float32)
    docs = list(nlp.pipe([sentence for sentence, _ in items]))
    verdicts = []
    for (sentence, cited), doc in zip(items, docs, strict=True):
        if not cited:
            verdicts.append(Verdict(False, ("no citation",)))
            continue
        source = " ".join(cited)
        reasons = [*_missing_numbers(sentence, source), *_missing_dates(doc, source)]
        reasons += _missing_names(doc, source)
        own = vectors[texts[sentence]]
        similarity = max(float(vectors[texts[t]] @ own) for t in _comparable(cited))
        if similarity < min_similarity:
            reasons.append(f"too far from its sources (cosine {similarity:.2f})")
        verdicts.append(Verdict(not reasons, tuple(reasons), similarity))
    return verdicts


Sources = Mapping[int, str] | Sequence[DigestArticle] | Sequence[Passage]


def ground(
    generated: Sequence[tuple[str, Sequence[Citation]]],
    sources: Sources,
    encoder: Encoder,
    nlp: Language,
    *,
    mark: bool = False,
) -> tuple[list[CitedSentence], list[str]]:
    """The sentences that pass the check, and a reason for each one that did not.

    ``sources`` gives the cited text: each article's text by id, the articles, or the
    passages that were shown (then only a citation of one of them counts). A citation of
    nothing in ``sources`` is left out. With ``mark`` a failing sentence is kept with
    ``unsupported`` set instead of dropped (its reason is still reported).
    """
    texts = _cited_texts(sources, [c for _, citations in generated for c in citations])
    valid = [tuple(c for c in citations if c in texts) for _, citations in generated]
    cited = [[texts[c] for c in citations] for citations in valid]
    verdicts = check_sentences(
        [(sentence, c) for (sentence, _), c in zip(generated, cited, strict=True)], encoder, nlp
    )
    kept: list[CitedSentence] = []
    dropped: list[str] = []
    for (sentence, _), citations, verdict in zip(generated, valid, verdicts, strict=True):
        if not verdict.supported:
            dropped.append(f"{sentence!r}: {'; '.join(verdict.reasons)}")
        if verdict.supported or mark:
            kept.append(CitedSentence(sentence, citations, unsupported=not verdict.supported))
    return kept, dropped


def _comparable(cited: Sequence[str]) -> list[str]:
    """What a sentence's embedding is compared with: each cited sentence, each of their
    clauses (a sentence may rest on half of one), and all of them together."""
    clauses = [
        c for t in cited for c in _CLAUSE.split(t) if c != t and len(c.split()) >= _CLAUSE_WORDS
    ]
    return list(dict.fromkeys([*cited, *clauses, " ".join(cited)]))


def find_numbers(text: str) -> set[Decimal]:
    """The numbers ``text`` states, as values: "6,000", "6000" and "six thousand" are one."""
    found: set[Decimal] = set()
    for match in _NUMBER.finditer(text):
        value = _number_value(match)
        if value is not None:
            found.add(value)
    return found


def find_dates(text: str) -> set[str]:
    """The calendar words of ``text``, normalised: ``month:6``, ``weekday:0``, ``summer``."""
    found: set[str] = set()
    for word in _WORD.findall(text):
        lower = word.lower()
        if lower in _WEEKDAYS:
            found.add(f"weekday:{_WEEKDAYS[lower]}")
        elif lower in _DATE_WORDS:
            found.add(lower)
        elif lower in _MONTHS and word[0].isupper() and (len(lower) > 3 or lower == "may"):
            found.add(f"month:{_MONTHS[lower]}")
    return found


def _number_value(match: re.Match[str]) -> Decimal | None:
    if match.group("digits"):
        try:
            value = Decimal(match.group("digits").replace(",", ""))
        except InvalidOperation:
            return None
    elif match.group("tens"):
        value = Decimal(_TENS[match.group("tens").lower()] + _SMALL[match.group("unit").lower()])
    else:
        word = match.group("word").lower()
        if word == "one" and not match.group("scale"):
            # A pronoun as often as a count ("one of the victims"): it proves nothing.
            return None
        value = Decimal(_SMALL.get(word, _TENS.get(word, _OTHER.get(word, 0))))
    if match.group("scale"):
        value *= _SCALES[match.group("scale").lower()]
    return value.normalize()


def _missing_numbers(sentence: str, source: str) -> list[str]:
    known = find_numbers(source)
    return [
        f"number {_show(value)} not in the cited sentences"
        for value in sorted(find_numbers(sentence) - known)
    ]


def _show(value: Decimal) -> str:
    return f"{value:,f}" if value == value.to_integral_value() else str(value)


def _missing_dates(doc: Doc, source: str) -> list[str]:
    known = find_dates(source)
    missing = []
    for token in doc:
        # "May" opening a sentence is the verb more often than the month.
        if token.is_sent_start and token.lower_ == "may":
            continue
        found = find_dates(token.text)
        if found and not found & known:
            missing.append(f"date '{token.text}' not in the cited sentences")
    return list(dict.fromkeys(missing))


def _missing_names(doc: Doc, source: str) -> list[str]:
    """A reason for each name of ``doc`` with a word that the cited text lacks."""
    known = {w.lower() for w in _WORD.findall(source)}
    capitals = {w.lower() for w in _WORD.findall(source) if w[0].isupper()}
    missing = []
    for name in _names(doc):
        words = [w for w in _WORD.findall(name) if w[0].isupper() and w.lower() not in _TITLES]
        if any(not _is_known(w, known, capitals) for w in words):
            missing.append(f"name '{_without_possessive(name)}' not in the cited sentences")
    return list(dict.fromkeys(missing))


def _names(doc: Doc) -> list[str]:
    """Named entities, and runs of capitalised words that are neither sentence openers,
    nor words after a quotation mark, nor dates or numbers."""
    entities = [
        e
        for e in doc.ents
        if e.label_ in _NAME_LABELS
        and not (len(e) == 1 and _by_position(e[0]) and not _is_proper(e[0], either=True))
    ]
    names = [e.text for e in entities]
    in_entity = {t.i for e in entities for t in e}
    run: list[Token] = []
    for token in [*doc, None]:
        if token is not None and token.i not in in_entity and _is_capitalised_name(token):
            run.append(token)
            continue
        if run:
            names.append(doc[run[0].i : run[-1].i + 1].text)
            run = []
    return names


def _is_capitalised_name(token: Token) -> bool:
    text = token.text
    if not text[:1].isupper() or not text.isalpha() or text == "I" or find_dates(text):
        return False
    if _by_position(token):
        return _is_proper(token, either=False)
    return not token.is_stop and not _NUMBER.fullmatch(text)


def _by_position(token: Token) -> bool:
    """Capitalised because it opens a sentence or a quotation."""
    return token.is_sent_start or (token.i > 0 and token.doc[token.i - 1].text in _QUOTES)


def _is_proper(token: Token, *, either: bool) -> bool:
    """Tagged a proper noun and (or, with ``either``) rare as a common word."""
    tagged = token.tag_ in ("NNP", "NNPS")
    rare = zipf_frequency(token.text.lower(), "en") < _COMMON
    return (tagged or rare) if either else (tagged and rare)


def _is_known(word: str, known: set[str], capitals: set[str]) -> bool:
    """``word`` is in the cited text, or a demonym of a name there, or the reverse
    ("Ukrainian" and "Ukraine", "Canada" and "Canadian")."""
    lower = _without_possessive(word).lower()
    return lower in known or any(_is_demonym_pair(lower, c) for c in capitals)


def _is_demonym_pair(a: str, b: str) -> bool:
    if not (_DEMONYM.search(a) or _DEMONYM.search(b)):
        return False
    shorter = min(len(a), len(b))
    shared = next((i for i in range(shorter) if a[i] != b[i]), shorter)
    return shared >= 4 and shared >= 0.7 * shorter


def _without_possessive(text: str) -> str:
    return re.sub(r"(?:['’]s|['’])$", "", text)


def _cited_texts(sources: Sources, citations: Sequence[Citation]) -> dict[Citation, str]:
    """The text each citation that ``sources`` can resolve points at."""
    if isinstance(sources, Mapping):
        articles = {int(k): v for k, v in sources.items()}
    else:
        shown = [s for s in sources if isinstance(s, Passage)]
        if shown:
            return {p.citation(): p.text for p in shown}
        articles = {int(a.article_id): a.text for a in sources if isinstance(a, DigestArticle)}
    return {
        c: articles[c.article_id][c.start : c.end]
        for c in citations
        if c.article_id in articles and 0 <= c.start < c.end <= len(articles[c.article_id])
    }
