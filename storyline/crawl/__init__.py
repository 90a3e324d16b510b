"""Following the live web: checking feeds on schedule and storing their articles."""

from storyline.crawl.check import CheckOutcome, Crawler, EntryOutcome

__all__ = ["CheckOutcome", "Crawler", "EntryOutcome"]
