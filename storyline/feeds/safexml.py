"""XML parsing that untrusted documents cannot abuse.

lxml is set to resolve no entities, load no DTD, read nothing from the network and refuse
trees deeper than libxml2's default limit (256 levels), which also protects feedparser:
its lenient parser takes seconds on a document nested a hundred thousand levels deep.
"""

from __future__ import annotations

import contextlib

from lxml import etree

from storyline.feeds.decoding import as_utf8_xml
from storyline.feeds.entry import FeedParseError

_TRUNCATION_SIGNS = ("premature end", "not finished", "endtag: '</' not found")


def safe_xml_parser(*, recover: bool = False) -> etree.XMLParser:
    """An lxml parser that cannot expand entities, fetch DTDs or grow a huge tree."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def parse_xml(text: str, *, what: str) -> tuple[etree._Element, str | None]:
    """The root element of ``text``, and a warning when only a damaged document could be
    read (lxml's recovery keeps what came before the damage)."""
    data = as_utf8_xml(text)
    try:
        return etree.fromstring(data, safe_xml_parser()), None
    except etree.XMLSyntaxError as error:
        line = error.lineno
        message = str(error).lower()
        truncated = any(sign in message for sign in _TRUNCATION_SIGNS)
        problem = "truncated XML" if truncated else "malformed XML"
        try:
            root = etree.fromstring(data, safe_xml_parser(recover=True))
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            raise FeedParseError(f"{problem} at line {line}: not a readable {what}") from error
        return root, f"{problem} at line {line}: read what came before it"


def refuse_excessive_nesting(text: str) -> None:
    """Raise when ``text`` nests elements deeper than any feed does (a resource attack)."""
    parser = safe_xml_parser(recover=True)
    with contextlib.suppress(etree.XMLSyntaxError):  # the format's reader judges damage
        etree.fromstring(as_utf8_xml(text), parser)
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            raise FeedParseError(f"XML nested too deeply at line {error.line}: refused")
