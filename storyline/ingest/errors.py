"""The one error a parsing stage raises: it carries the reason a person will read."""

from __future__ import annotations


class ParseError(ValueError):
    """A file (or one line of it) cannot be turned into articles; the message says why."""
