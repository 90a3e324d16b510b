"""The tokens of a spaCy doc as plain Python lists, read once.

spaCy makes a new Python object each time a token is read, and the entity rules read the
tokens around every name many times; reading the words and flags into lists with one
``Doc.to_array`` call makes those reads list lookups. The flags are spaCy's own
(``IS_PUNCT``, ``IS_TITLE``, ...), so the rules see what they would on the tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

from spacy.attrs import (
    ENT_IOB,
    IS_ALPHA,
    IS_DIGIT,
    IS_LOWER,
    IS_PUNCT,
    IS_SPACE,
    IS_TITLE,
    IS_UPPER,
    ORTH,
    POS,
    SPACY,
    TAG,
)
from spacy.symbols import PROPN
from spacy.tokens import Doc

_ATTRS = [ORTH, SPACY, POS, TAG, ENT_IOB, IS_ALPHA, IS_DIGIT, IS_LOWER, IS_PUNCT, IS_SPACE]
_FLAGS = [IS_TITLE, IS_UPPER]
_OUTSIDE = 2  # ENT_IOB of a token in no entity ("O")


@dataclass(frozen=True)
class Words:
    """Each token's text, the whitespace after it, where it starts, and its flags."""

    text: list[str]
    space: list[str]
    lower: list[str]
    offset: list[int]
    title: list[bool]  # "Kyiv"
    upper: list[bool]  # "KYIV", "U.S."
    alpha: list[bool]
    digit: list[bool]
    lower_case: list[bool]  # "region"
    punct: list[bool]
    blank: list[bool]  # a token of whitespace ("\n\n")
    propn: list[bool]
    plural_proper: list[bool]  # tagged NNPS ("Latinos")
    outside: list[bool]  # in no entity of spaCy's
    opens_paragraph: list[bool]

    @classmethod
    def of(cls, doc: Doc) -> Words:
        strings = doc.vocab.strings
        rows = doc.to_array(_ATTRS).tolist() if len(doc) else []
        flags = doc.to_array(_FLAGS).tolist() if len(doc) else []
        text = [strings[row[0]] for row in rows]
        space = [" " if row[1] else "" for row in rows]
        nnps = strings.add("NNPS")
        return cls(
            text=text,
            space=space,
            lower=[word.lower() for word in text],
            offset=[0, *accumulate(len(w) + len(s) for w, s in zip(text, space, strict=True))],
            title=[bool(title) for title, _ in flags],
            upper=[bool(upper) for _, upper in flags],
            alpha=[bool(row[5]) for row in rows],
            digit=[bool(row[6]) for row in rows],
            lower_case=[bool(row[7]) for row in rows],
            punct=[bool(row[8]) for row in rows],
            blank=[bool(row[9]) for row in rows],
            propn=[row[2] == PROPN for row in rows],
            plural_proper=[row[3] == nnps for row in rows],
            outside=[row[4] == _OUTSIDE for row in rows],
            opens_paragraph=[True, *("\n" in word for word in text[:-1])][: len(text)],
        )

    def __len__(self) -> int:
        return len(self.text)

    def span(self, first: int, last: int) -> str:
        """The text of tokens ``first:last``, as ``doc[first:last].text`` gives it."""
        if last <= first:
            return ""
        inner = "".join(self.text[i] + self.space[i] for i in range(first, last - 1))
        return inner + self.text[last - 1]

    def end(self, i: int) -> int:
        """Where token ``i`` ends in the text."""
        return self.offset[i] + len(self.text[i])

    def joined(self) -> str:
        """The document's text, as ``doc.text`` gives it (which reads every token again)."""
        return "".join(w + s for w, s in zip(self.text, self.space, strict=True))

    def before(self, first: int, distance: int) -> str:
        """The text of the token ``distance`` tokens before ``first``, or ""."""
        return self.text[first - distance] if first >= distance else ""

    def at(self, i: int) -> str:
        """The text of token ``i``, or "" past the end."""
        return self.text[i] if 0 <= i < len(self.text) else ""
