"""Which kind of file this is, told from its content (the name's suffix only helps).

Detection looks at structure, not at any site's name: markup is an HTML page, a first
line holding a JSON object is JSON Lines, a short heading followed by outlet / time /
title groups is an aggregator page, and any other text is a plain-text article.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from storyline.ingest.aggregator import find_related_section
from storyline.ingest.errors import ParseError


class ImportFormat(StrEnum):
    HTML = "HTML page"
    JSON_LINES = "JSON Lines"
    AGGREGATOR = "aggregator page"
    PLAIN_TEXT = "plain-text article"


_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
_JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|article|main|div|p|h1)\b", re.I)
_FEED_TAG = re.compile(r"<(?:rss|feed|rdf:rdf)\b", re.I)
_SNIFF_CHARS = 4096


def detect_format(path: Path, text: str) -> ImportFormat:
    """The format of ``text`` (read from ``path``), or a ParseError saying why none fits."""
    stripped = text.lstrip("\ufeff \t\n")
    if not stripped.strip():
        raise ParseError("the file is empty")
    head = stripped[:_SNIFF_CHARS]
    suffix = path.suffix.lower()
    if head.startswith("<") or suffix in _HTML_SUFFIXES:
        if _FEED_TAG.search(head):
            raise ParseError(
                "this is an RSS or Atom feed, not an article: subscribe to it with "
                "`storyline feeds add`"
            )
        if _HTML_TAG.search(head):
            return ImportFormat.HTML
        raise ParseError("markup that is not an HTML page")
    if head.startswith("["):
        if suffix in _JSON_SUFFIXES:
            raise ParseError("a JSON array: write one article object per line (JSON Lines)")
    elif head.startswith("{") or suffix in _JSON_SUFFIXES:
        return ImportFormat.JSON_LINES
    if find_related_section(stripped.split("\n")) is not None:
        return ImportFormat.AGGREGATOR
    return ImportFormat.PLAIN_TEXT
