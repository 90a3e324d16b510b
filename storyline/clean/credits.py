"""Photo credits: "Jane Doe/AFP via Getty Images", "Photo: Reuters", "(AP Photo/John Roe)".

A credit names who took or supplied a picture. It belongs with the picture's caption,
and it has no sentence end, so in text copied from a page it runs straight into
whatever follows; :func:`credit_length` therefore measures a credit at the start of a
longer text.
"""

from __future__ import annotations

import re

_CAP = r"[A-Z][\w'’.&-]*"
_JOIN = r"(?:of|the|de|da|del|di|van|von|der|for|and|la|le|al|bin|y)"
# "Jane Doe", "Office of the Mayor of Linden".
_NAMES = rf"{_CAP}(?:\s+(?:{_JOIN}\s+)*{_CAP})*"
_KNOWN = (
    r"(?:Getty Images|Shutterstock|Alamy|AP|AFP|Reuters|EPA-EFE|EPA|Bloomberg|Sipa USA|"
    r"ZUMA Wire|Anadolu|Xinhua|TASS|Imago|NurPhoto|SOPA Images|LightRocket|Pool)"
)
_PICTURE_DESK = r"(?:Images|Press|Photos?|Pictures|Wire|Agency|Pool)"
# After a slash anything capitalised may be the agency: "Jane Doe/The Linden Herald".
_AGENCY = rf"(?:{_KNOWN}|{_CAP}(?:\s+{_CAP}){{0,3}})"
_VIA = rf"\s+via\s+(?:{_KNOWN}|{_CAP}\s+{_PICTURE_DESK})"
_STRONG_FORMS = (
    # "(AP Photo/John Roe)", "(Photo by Jane Doe/Getty Images)"
    r"\([^()]{0,80}\b(?:Photo|Photograph|Image|Picture|Credit)s?\b[^()]{0,80}\)",
    # "Photo: Reuters", "Photo credit: Jane Doe/AFP", "Photograph by Jane Doe"
    r"(?:Photo|Photograph|Image|Picture|Photo credit|Image credit|Credit)s?"
    rf"(?:\s*:\s*|\s+by\s+)(?:{_NAMES})(?:\s*/\s*{_AGENCY})?(?:{_VIA})?",
    # "Jane Doe/AFP via Getty Images", "Jane Doe/Getty Images"
    rf"{_NAMES}\s*/\s*{_AGENCY}(?:{_VIA})?",
    # "Office of the Mayor of Linden via Getty Images"
    rf"{_NAMES}{_VIA}",
)
_STRONG = re.compile("|".join(f"(?:{form})" for form in _STRONG_FORMS))
# "Getty Images", "Reuters", "AP Photo": a credit only where a credit is expected.
_BARE = re.compile(rf"{_KNOWN}(?:\s+Photo)?")
_WORD_END = re.compile(r"\S+")
# The longest credit worth considering; anything longer is prose.
_MAX_WORDS = 14


def credit_length(text: str, *, bare: bool = False) -> int:
    """The length of the photo credit ``text`` starts with, or 0 if it starts with none.

    Only the unmistakable forms count (a slash, "via", "Photo:", a parenthesised credit),
    unless ``bare`` allows a lone agency name too ("Reuters"): the caller allows it only
    where a credit is expected, right after a caption, since "Reuters reported …" is prose.
    The credit is the longest run of whole words that has a credit's form and is not
    followed by a lower-case word (a credit is followed by a new sentence or by nothing).
    """
    ends = [match.end() for match in _WORD_END.finditer(text)][:_MAX_WORDS]
    for end in reversed(ends):
        candidate = text[:end]
        if not (_STRONG.fullmatch(candidate) or (bare and _BARE.fullmatch(candidate))):
            continue
        if not text[end:].lstrip()[:1].islower():
            return end
    return 0


def is_credit(text: str) -> bool:
    """Whether all of ``text`` is a photo credit (a whole line, so bare agencies count)."""
    stripped = text.strip()
    if not stripped or stripped[-1] in ".!?:":
        return False
    return credit_length(stripped, bare=True) == len(stripped)
