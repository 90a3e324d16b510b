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

from storyline.encoding import bom_encoding, guess_encoding

_DECLARATION = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9._:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-z0-9._:-]+)""",
    re.IGNORECASE,
)
_SNIFF_BYTES = 4096
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
    encoding = bom_encoding(html)
    if encoding is not None:
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
    try:
        return html.decode(guess_encoding(html))
    except (UnicodeDecodeError, LookupError):
        pass
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
