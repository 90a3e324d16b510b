"""Storyline: a self-hostable AI news aggregator and reading platform."""

__version__ = "0.1.0.dev0"
