"""JSON Lines: one article per line, as other tools export them.

Each line is checked on its own, so one bad line (not JSON, a missing field, a date that
is not ISO-8601) is reported with its line number and the other lines still import. The
full schema is in ``docs/import-formats.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from storyline.ingest.errors import ParseError
from storyline.ingest.plaintext import split_paragraphs
from storyline.ingest.timeparse import to_utc
from storyline.model import ArticleDraft, Block, BlockKind, Link

REQUIRED_FIELDS = ("url", "title", "text", "outlet", "published_at")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}")
_MAX_OUTLET_CHARS = 200
_MAX_KIND_CHARS = 20
_BLOCK_KINDS = ", ".join(kind.value for kind in BlockKind)


@dataclass(frozen=True)
class JsonLine:
    """One non-empty line: the article it holds, or why it holds none."""

    number: int
    draft: ArticleDraft | None = None
    guid: str | None = None
    error: str | None = None


def parse_json_lines(text: str) -> Iterator[JsonLine]:
    """Every non-empty line of ``text``, parsed on its own, in file order."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            draft, guid = parse_json_line(line)
        except ParseError as error:
            yield JsonLine(number, error=str(error))
        else:
            yield JsonLine(number, draft=draft, guid=guid)


def parse_json_line(line: str) -> tuple[ArticleDraft, str | None]:
    """One line's article and its ``guid`` (the id the exporting system gave it)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ParseError(f"not JSON: {error.msg} at column {error.colno}") from error
    except RecursionError as error:
        raise ParseError("not JSON this program can read: nested too deeply") from error
    if not isinstance(record, dict):
        raise ParseError(f"not a JSON object but {_json_type(record)}")
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if "blocks" in record and "text" in missing:
        missing.remove("text")  # blocks stand in for the text
    if missing:
        raise ParseError("missing field" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
    blocks = _blocks(record)
    if not blocks:
        raise ParseError("the article has no text")
    guid = record.get("guid")
    if guid is not None and not isinstance(guid, str | int):
        raise ParseError(f"guid must be a string, not {_json_type(guid)}")
    draft = ArticleDraft(
        title=_required_text(record, "title"),
        blocks=blocks,
        outlet=_outlet(record),
        url=_url(record),
        published_at=_published_at(record),
        links=_links(record),
        byline=_optional_text(record, "byline"),
        language=_language(record),
        site_name=_optional_text(record, "site_name"),
        image_url=_optional_text(record, "image_url"),
    )
    return draft, None if guid is None else str(guid)


def _blocks(record: dict[str, Any]) -> tuple[Block, ...]:
    if "blocks" not in record:
        return tuple(
            Block(BlockKind.PARAGRAPH, p) for p in split_paragraphs(_required_text(record, "text"))
        )
    raw = record["blocks"]
    if not isinstance(raw, list):
        raise ParseError(f"blocks must be a list, not {_json_type(raw)}")
    blocks = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ParseError(f'blocks[{position}] must be an object with a "text" string')
        kind = item.get("kind", BlockKind.PARAGRAPH.value)
        if kind not in {k.value for k in BlockKind}:
            raise ParseError(f"blocks[{position}].kind {kind!r} is not one of {_BLOCK_KINDS}")
        text = " ".join(item["text"].split())
        if text:
            blocks.append(Block(BlockKind(kind), text))
    return tuple(blocks)


def _links(record: dict[str, Any]) -> tuple[Link, ...]:
    raw = record.get("links", [])
    if not isinstance(raw, list):
        raise ParseError(f"links must be a list, not {_json_type(raw)}")
    links = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ParseError(f'links[{position}] must be an object with a "text" string')
        url = item.get("url")
        if url is not None and not (isinstance(url, str) and _is_web_url(url)):
            raise ParseError(f"links[{position}].url must be an absolute http(s) URL")
        kind = item.get("kind", "read-also")
        if not isinstance(kind, str) or not 0 < len(kind) <= _MAX_KIND_CHARS:
            raise ParseError(
                f"links[{position}].kind must be a string of 1 to {_MAX_KIND_CHARS} characters"
            )
        links.append(Link(text=item["text"].strip(), url=url, kind=kind))
    return tuple(links)


def _published_at(record: dict[str, Any]) -> datetime:
    value = record["published_at"]
    if not isinstance(value, str):
        raise ParseError(f"published_at must be an ISO-8601 string, not {_json_type(value)}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise ParseError(f"published_at {value!r} is not an ISO-8601 time") from error
    return to_utc(moment)


def _outlet(record: dict[str, Any]) -> str:
    outlet = _required_text(record, "outlet")
    if len(outlet) > _MAX_OUTLET_CHARS:
        raise ParseError(f"outlet is longer than {_MAX_OUTLET_CHARS} characters")
    return outlet


def _language(record: dict[str, Any]) -> str | None:
    language = _optional_text(record, "language")
    if language is not None and not _LANGUAGE_TAG.fullmatch(language):
        raise ParseError(f"language {language!r} is not a language tag such as 'en' or 'pt-BR'")
    return language


def _url(record: dict[str, Any]) -> str:
    url = _required_text(record, "url")
    if not _is_web_url(url):
        raise ParseError(f"url {url!r} is not an absolute http(s) URL")
    return url


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _required_text(record: dict[str, Any], name: str) -> str:
    value = record[name]
    if not isinstance(value, str):
        raise ParseError(f"{name} must be a string, not {_json_type(value)}")
    if not value.strip():
        raise ParseError(f"{name} is empty")
    return value.strip() if name == "text" else " ".join(value.split())


def _optional_text(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"{name} must be a string, not {_json_type(value)}")
    return " ".join(value.split()) or None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)
