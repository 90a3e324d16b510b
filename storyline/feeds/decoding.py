"""From a response's bytes to XML text that is safe to parse, whatever the encoding.

Feeds in the wild are declared UTF-8 but written in Windows-1252, written in ISO-8859-1
with no declaration, or sent as UTF-16 with a byte-order mark; the HTTP ``charset`` and
the XML declaration disagree. Here the bytes become text once, by these rules, and the
declaration is rewritten so that no parser decodes them a second time. Entity declarations
(billion laughs, external entities) are refused before any parser sees the document.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from storyline.encoding import bom_encoding, guess_encoding
from storyline.feeds.entry import FeedParseError

_DECLARATION = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DECLARATION_BYTES = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_COMMENTS_AND_CDATA = re.compile(r"<!--.*?(-->|$)|<!\[CDATA\[.*?(\]\]>|$)", re.DOTALL)
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")


@dataclass(frozen=True)
class DecodedDocument:
    """The document as text, the encoding it was read in, and what was wrong with it."""

    text: str
    encoding: str
    warning: str | None = None


def decode_document(content: bytes, *, charset: str | None = None) -> DecodedDocument:
    """``content`` as text.

    1. a byte-order mark decides;
    2. bytes that are valid UTF-8 are UTF-8 (unless UTF-16/32 is declared), since legacy
       text is almost never valid UTF-8 by accident;
    3. else the declared encoding (HTTP ``charset``, then the XML declaration) when it
       decodes the bytes;
    4. else a detected encoding, Windows-1252 for Western text, with a warning.
    """
    encoding = bom_encoding(content)
    if encoding is not None:
        try:
            return DecodedDocument(content.decode(encoding), _name(encoding))
        except UnicodeDecodeError as error:
            raise FeedParseError(
                f"the byte-order mark says {_name(encoding)}, but the bytes are not: "
                f"{error.reason} at byte {error.start}"
            ) from error
    declared = [name for name in (_codec(charset), _codec(_declared(content))) if name]
    if content.startswith(b"<\x00?\x00"):  # UTF-16 without a byte-order mark
        declared.insert(0, "utf_16_le")
    elif content.startswith(b"\x00<\x00?"):
        declared.insert(0, "utf_16_be")
    wide = next((name for name in declared if name.startswith(("utf_16", "utf_32"))), None)
    if wide:
        try:
            return DecodedDocument(content.decode(wide), _name(wide))
        except UnicodeDecodeError:
            pass
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        warning = None
        if declared and declared[0] not in ("utf_8", "ascii") and not text.isascii():
            warning = f"declared {_name(declared[0])} but is UTF-8; read as UTF-8"
        return DecodedDocument(text, "UTF-8", warning)
    for name in declared:
        if name == "utf_8":
            continue
        try:
            return DecodedDocument(content.decode(name), _name(name))
        except UnicodeDecodeError:
            continue
    encoding = guess_encoding(content)
    said = (
        f"declared {_name(declared[0])} but is not"
        if declared
        else "no encoding declared and not UTF-8"
    )
    warning = f"{said}; read as {_name(encoding)}"
    return DecodedDocument(content.decode(encoding, errors="replace"), _name(encoding), warning)


def refuse_entity_declarations(text: str) -> None:
    """Raise on any ``<!ENTITY``: feeds never need one, and they are how XML bombs and
    external-entity reads work. Text inside comments and CDATA sections does not count."""
    if _ENTITY_DECLARATION.search(_COMMENTS_AND_CDATA.sub("", text)):
        raise FeedParseError("XML entity declarations are refused")


def as_utf8_xml(text: str) -> bytes:
    """``text`` as UTF-8 bytes whose XML declaration says UTF-8, for a parser to read."""
    declaration = _XML_DECLARATION.match(text)
    if declaration:
        fixed = re.sub(
            r"""encoding\s*=\s*["'][^"']*["']""", 'encoding="utf-8"', declaration.group(0)
        )
        text = fixed + text[declaration.end() :]
    return text.encode("utf-8")


def root_element(text: str) -> str | None:
    """The local name of the document's first element ("rss", "feed", "RDF", "html"...),
    looking past the declaration, comments, processing instructions and DOCTYPE."""
    head = _COMMENTS_AND_CDATA.sub("", text[:65536])
    head = _DOCTYPE.sub("", re.sub(r"<\?.*?\?>", "", head, flags=re.DOTALL))
    match = _ROOT.search(head)
    if match is None:
        return None
    return match.group(1).rsplit(":", 1)[-1]


def has_html_doctype(text: str) -> bool:
    return re.search(r"<!DOCTYPE\s+html", text[:4096], re.IGNORECASE) is not None


def _declared(content: bytes) -> str | None:
    match = _DECLARATION_BYTES.match(content[:1024])
    return match.group(1).decode("ascii") if match else None


def _codec(name: str | None) -> str | None:
    """Python's name for an encoding label, or None when the label is unknown."""
    if not name or not name.strip():
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name.replace("-", "_")
    except LookupError:
        return None


def _name(codec: str) -> str:
    """A label people recognise: "Windows-1252", "UTF-16", "ISO-8859-1"."""
    codec = (_codec(codec) or codec).replace("-", "_")
    special = {"latin_1": "ISO-8859-1", "utf_8_sig": "UTF-8", "ascii": "US-ASCII"}
    if codec in special:
        return special[codec]
    if codec.startswith("cp125"):
        return f"Windows-{codec[2:]}"
    if codec.startswith("iso8859_"):
        return f"ISO-8859-{codec[8:]}"
    return codec.upper().replace("_", "-")
