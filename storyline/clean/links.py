"""'Read also: …' lines: pointers to other articles, kept as links rather than body text.

Outlets break their copy with "Read also: <title>", "Related: <title>" or "See also:
<title>". The title belongs to another article, so it leaves the body and becomes a
:class:`Link` of kind ``read-also`` (the page text gives no address, so ``url`` is None).
The line is recognised at the start of a block, or as the last piece of a block that
runs several lines together; the label must be followed by a colon or a dash, so
"Read more about it in our archive." stays a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from storyline.model import Block, Link

READ_ALSO = "read-also"

_LABEL = (
    r"(?:read|see|also read|also see|read more|read next|related|related story|related article|"
    r"related coverage|more|more on this|more on this story|see also|read also|you may also like)"
)
_LINE = re.compile(rf"^{_LABEL}\s*(?::|：|\s[-–—])\s*(?P<title>\S.*)$", re.IGNORECASE)
_RUN_IN = re.compile(
    rf"(?<=[.!?\"'”’)])\s+(?P<label>{_LABEL})\s*(?::|：|\s[-–—])\s*(?P<title>\S.*)$",
    re.IGNORECASE,
)
_LABEL_ONLY = re.compile(rf"^{_LABEL}$", re.IGNORECASE)


def extract_read_also(blocks: Iterable[Block]) -> tuple[list[Block], list[Link]]:
    """The blocks without their "Read also" lines, and those lines as links, in order."""
    kept: list[Block] = []
    links: list[Link] = []
    for block in blocks:
        line = _LINE.match(block.text)
        if line is not None and _is_title(line["title"]):
            links.append(Link(text=_tidy_title(line["title"]), url=None, kind=READ_ALSO))
            continue
        run_in = _RUN_IN.search(block.text)
        if run_in is not None and _is_title(run_in["title"]):
            links.append(Link(text=_tidy_title(run_in["title"]), url=None, kind=READ_ALSO))
            kept.append(Block(block.kind, block.text[: run_in.start()].rstrip()))
            continue
        kept.append(block)
    return kept, links


def _is_title(text: str) -> bool:
    """A title: a short line that is not itself another label, and starts in upper case.

    The upper-case start keeps "more: the mayor said" style prose out; titles start with
    a capital or a quote in every outlet's style.
    """
    stripped = text.strip(" \"'“‘")
    return (
        bool(stripped)
        and (stripped[0].isupper() or stripped[0].isdigit())
        and len(text.split()) <= 30
        and not _LABEL_ONLY.match(text)
    )


def _tidy_title(text: str) -> str:
    return text.strip().rstrip(" -–—|")
