"""The web app: server-rendered pages with JSON twins, and the server that runs it."""

from storyline.web.app import create_app

__all__ = ["create_app"]
