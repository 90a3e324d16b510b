"""The web app: server-rendered pages with JSON twins, and the server that runs it.

``create_app`` is loaded on first use, so that the library modules the app is built on
(comment rendering reuses :mod:`storyline.web.sanitize`) can be imported on their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storyline.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from storyline.web.app import create_app

        return create_app
    raise AttributeError(f"module 'storyline.web' has no attribute {name!r}")
