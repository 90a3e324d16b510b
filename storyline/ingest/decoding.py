"""From a file's bytes to text: bounded in size, decoded whatever the encoding.

Saved pages and exports come in UTF-8 (with or without a byte-order mark), UTF-16 from
some Windows tools, and legacy code pages such as Windows-1252. Anything else that is not
text (an image, an archive) is refused here, before any parser sees it.
"""

from __future__ import annotations

from pathlib import Path

from storyline.encoding import bom_encoding, guess_encoding
from storyline.ingest.errors import ParseError

_SNIFF_BYTES = 8192
# Text has few control characters besides tabs and line ends; binary data has many.
_MAX_CONTROL_SHARE = 0.01
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def read_text(path: Path, max_bytes: int) -> str:
    """The text of ``path``, refused when it is larger than ``max_bytes``."""
    if path.is_dir():
        raise ParseError("is a folder: name the files to import")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ParseError(_too_large(size, max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as error:
        raise ParseError("no such file") from error
    except OSError as error:
        raise ParseError(f"cannot be read: {error.strerror or error}") from error
    if len(data) > max_bytes:  # it grew while we looked
        raise ParseError(_too_large(len(data), max_bytes))
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """``data`` as text with ``\\n`` line ends: UTF-8 first, else a detected encoding."""
    text = _decode(data)
    controls = sum(1 for char in text[:_SNIFF_BYTES] if _is_control(char))
    if controls > _MAX_CONTROL_SHARE * min(len(text), _SNIFF_BYTES):
        raise ParseError("not a text file (binary content)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes) -> str:
    encoding = bom_encoding(data)
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            raise ParseError(f"not valid {encoding.upper()} text: {error.reason}") from error
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise ParseError("not a text file (binary content)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return data.decode(guess_encoding(data), errors="replace")


def _is_control(char: str) -> bool:
    return (char < " " and char not in _ALLOWED_CONTROLS) or "\x7f" <= char <= "\x9f"


def _too_large(size: int, limit: int) -> str:
    return (
        f"the file is {size:,} bytes, more than the import limit of {limit:,} bytes "
        "(STORYLINE_MAX_IMPORT_BYTES)"
    )
