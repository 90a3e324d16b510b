"""Names in a parsed sentence, and how well each kind of name answers "which X".

spaCy's small model misses or mislabels invented names ("Ilona March" a date, "Maridia"
an organisation, "Calloway" without its "Town"), so :func:`find_names` pools three
sources: spaCy's entities, the entities the understanding stage found in the article
(``DigestArticle.entities`` with their mentions), and runs of two or more proper nouns,
labelled ``NAME``; a name is extended over the capitalised words that follow it when
no entity claims them. :func:`label_fits` says how well a name of each label answers
a question about a noun ("which country": places fully, organisations in part).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.ai.passages import Passage
from storyline.stories.digest_text import word_set
from storyline.stories.digest_types import DigestArticle

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

DATE_LABELS = frozenset({"DATE", "TIME"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "PLACE"})
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PLACE", "PRODUCT", "NAME"})
PERSON_FITS = {"PERSON": 1.0, "ORG": 0.6, "NAME": 0.6, "NORP": 0.3, "GPE": 0.3, "PLACE": 0.3}
FACILITIES = word_set(
    "airport airports bridge stadium hospital school station museum plant factory port "
    "harbour harbor road highway street building prison centre center cave caves library "
    "university college church square park market crossing base camp hotel mine"
)
_PLACE_NOUNS = word_set(
    "city town village country nation region province state capital district area island "
    "county neighbourhood neighborhood place location border territory municipality"
)
_ORG_NOUNS = word_set(
    "company firm consultancy agency organisation organization group union party club team "
    "side ministry department council university institute bank airline carrier supplier "
    "manufacturer maker newspaper journal magazine outlet broadcaster government authority "
    "court operator charity network association federation league committee bakery shop "
    "store restaurant cafe pub bar brand business publisher studio label"
)
_PERSON_NOUNS = word_set(
    "person man woman official minister player striker midfielder defender goalkeeper "
    "president leader spokesman spokeswoman spokesperson manager coach chief director "
    "mayor governor envoy mediator judge engineer doctor researcher scientist author"
)


def find_names(doc: Doc, passage: Passage, article: DigestArticle) -> list[tuple[Span, str]]:
    """The names of the sentence ``doc`` (the parse of ``passage``) with their labels:
    spaCy's, the article's entity types (PERSON, ORG, PLACE), or ``NAME``."""
    found: list[tuple[Span, str]] = [(ent, str(ent.label_)) for ent in doc.ents]
    for entity in article.entities:
        for start, end in entity.mentions:
            if passage.start <= start and end <= passage.end:
                span = doc.char_span(
                    start - passage.start, end - passage.start, alignment_mode="expand"
                )
                if span is not None:
                    found.append((span, entity.type))
    spans = [(_extend(doc, span), label) for span, label in found]
    named = {t.i for span, label in spans if label not in DATE_LABELS for t in span}
    spans.extend((run, "NAME") for run in _proper_runs(doc) if not all(t.i in named for t in run))
    return spans


def label_fits(target: str) -> dict[str, float]:
    """How well a name of each entity label answers "which <target>": its own class
    fully, the classes a small tagger confuses it with in part ("Maridia" tagged ORG
    for a country), a person's name for a place not at all."""
    if target in _PLACE_NOUNS:
        return {"GPE": 1.0, "LOC": 1.0, "PLACE": 1.0, "FAC": 0.5, "ORG": 0.5, "NAME": 0.5}
    if target in FACILITIES:
        return {"FAC": 1.0, "ORG": 1.0, "GPE": 0.7, "LOC": 0.7, "PLACE": 0.7, "NAME": 0.5}
    if target in _ORG_NOUNS:
        return {"ORG": 1.0, "GPE": 0.5, "PLACE": 0.5, "NORP": 0.5, "FAC": 0.5, "NAME": 0.5}
    if target in _PERSON_NOUNS:
        return {"PERSON": 1.0, "NAME": 0.6, "ORG": 0.4, "NORP": 0.2}
    return {label: 0.2 if label == "PERSON" else 0.5 for label in NAME_LABELS}


def _proper_runs(doc: Doc) -> list[Span]:
    """Runs of two or more capitalised proper nouns ("Deputy Fire Chief Ilona March")."""
    runs: list[Span] = []
    start: int | None = None
    for i in range(len(doc) + 1):
        proper = i < len(doc) and doc[i].pos_ == "PROPN" and doc[i].text[:1].isupper()
        if proper and start is None:
            start = i
        elif not proper and start is not None:
            if i - start >= 2:
                runs.append(doc[start:i])
            start = None
    return runs


def _extend(doc: Doc, span: Span) -> Span:
    """``span`` with the capitalised name words that follow it and that no entity
    claims ("Calloway" + "Town")."""
    end = span.end
    while end < len(doc) and doc[end].pos_ == "PROPN" and not doc[end].ent_type_:
        end += 1
    return doc[span.start : end] if end > span.end else span
