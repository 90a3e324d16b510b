"""Text encodings of bytes from the web and from files: one policy for every reader.

Feeds, pages and imported files all lie about their encoding in the same ways, so the
same rules read them: a byte-order mark decides; otherwise a detector guesses, and when its
guess is one of the single-byte Western code pages (which it cannot tell apart on a few
accented letters) the answer is Windows-1252, as browsers read such text (WHATWG Encoding
Standard). Each reader adds what only it knows (a feed's XML declaration and HTTP charset,
a page's ``<meta charset>``, a file's binary check) around these two functions.
"""

from __future__ import annotations

import codecs

import charset_normalizer

# UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WESTERN = frozenset(
    {"cp1252", "cp1250", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_3",
     "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15",
     "iso8859_16", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish", "cp850", "cp858",
     "cp437", "ascii"}
)  # fmt: skip
_DETECT_BYTES = 1 << 20


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` names, if there is one."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def guess_encoding(data: bytes) -> str:
    """The detector's encoding for ``data``; Windows-1252 for Western text (ISO-8859-1 when
    the bytes do not decode as Windows-1252)."""
    best = charset_normalizer.from_bytes(data[:_DETECT_BYTES]).best()
    guess = _codec(best.encoding) if best is not None else None
    if guess is None or guess in _WESTERN:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            return "latin_1"
        return "cp1252"
    return guess


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return None
