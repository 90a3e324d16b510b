"""Reading the app's HTML in tests: lxml with XPath, and a class-name shorthand."""

from __future__ import annotations

from typing import Any

import lxml.html


def parse(text: str) -> Any:
    return lxml.html.fromstring(text)


def cls(name: str) -> str:
    """An XPath predicate for "has the class ``name``"."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def find(node: Any, xpath: str) -> list[Any]:
    result: list[Any] = node.xpath(xpath)
    return result


def one(node: Any, xpath: str) -> Any:
    found = find(node, xpath)
    assert len(found) == 1, f"{xpath}: {len(found)} matches"
    return found[0]


def text(node: Any) -> str:
    """The node's text with runs of white space folded, as a reader sees it."""
    return " ".join(node.text_content().split())
