"""The ingest stage: files in, article drafts out, cleaned and saved.

``import_paths`` is the stage's one orchestrating function (see its docstring for the
steps). The parsers (``webpage``, ``jsonlines``, ``plaintext``, ``aggregator``) and the
readers of times (``timeparse``) and of outlets (``attribution``) are pure.

``import_paths`` is loaded on first use, so importing a parser module does not also load
the store and the cleaner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storyline.ingest.errors import ParseError
from storyline.ingest.formats import ImportFormat, detect_format

if TYPE_CHECKING:
    from storyline.ingest.importer import FileReport, ImportReport, import_paths

__all__ = [
    "FileReport",
    "ImportFormat",
    "ImportReport",
    "ParseError",
    "detect_format",
    "import_paths",
]

_LAZY = {"FileReport", "ImportReport", "import_paths"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from storyline.ingest import importer

        return getattr(importer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
