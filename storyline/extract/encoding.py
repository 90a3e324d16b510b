"""From a fetched page's bytes to text, whatever its charset label says.

Pages lie about their encoding: a Windows-1252 page declared as UTF-8, a UTF-8 page still
labelled ISO-8859-1 from an old template, or no label at all. Valid UTF-8 is almost never
anything else, so it is tried first; then the page's own declaration, if the bytes decode
under it; then detection. ISO-8859-1 and ASCII labels mean Windows-1252, as browsers read
them (WHATWG Encoding Standard).
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARATION = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9._:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-z0-9._:-]+)""",
    re.IGNORECASE,
)
_SNIFF_BYTES = 4096
_LATIN_GUESSES = {
    "cp1250",
    "cp1252",
    "cp1254",
    "cp1257",
    "latin_1",
    "iso8859_2",
    "iso8859_3",
    "iso8859_4",
    "iso8859_9",
    "iso8859_10",
    "iso8859_13",
    "iso8859_14",
    "iso8859_15",
    "iso8859_16",
    "mac_latin2",
    "mac_roman",
    "mac_iceland",
    "mac_turkish",
}
_BROWSER_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
}


def decode_html(html: bytes | str) -> str:
    """The page as text; never fails (undecodable bytes become U+FFFD as a last resort)."""
    if isinstance(html, str):
        return html
    for bom, encoding in _BOMS:
        if html.startswith(bom):
            return html.decode(encoding, errors="replace")
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_encoding(html)
    if declared and declared not in {"utf-8", "utf8"}:
        try:
            return html.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    best = charset_normalizer.from_bytes(html[: 1 << 20]).best()
    guess = best.encoding if best is not None else "cp1252"
    if guess in _LATIN_GUESSES or guess in {"utf_8", "ascii"}:
        # Detectors cannot tell Latin code pages apart on a few accented letters; browsers
        # fall back to Windows-1252, and so do we whenever it decodes the bytes.
        guess = "cp1252"
    for encoding in (guess, "cp1252"):
        try:
            return html.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return html.decode("cp1252", errors="replace")


def declared_encoding(html: bytes) -> str | None:
    """The charset the page names in a ``<meta>`` tag or XML declaration, browser-mapped."""
    match = _DECLARATION.search(html[:_SNIFF_BYTES])
    if match is None:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii", errors="ignore").lower()
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _BROWSER_ALIASES.get(name, _BROWSER_ALIASES.get(canonical, canonical))
