"""Article extraction: from a fetched page's HTML to its main text and metadata."""

from storyline.extract.article import Extraction, extract_article

__all__ = ["Extraction", "extract_article"]
