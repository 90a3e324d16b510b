"""Fetching from the web: safe, bounded, polite HTTP."""

from storyline.fetch.client import Fetcher, FetchError, FetchPolicy, Response, parse_retry_after
from storyline.fetch.guard import BlockedAddressError, is_public_address

__all__ = [
    "BlockedAddressError",
    "FetchError",
    "FetchPolicy",
    "Fetcher",
    "Response",
    "is_public_address",
    "parse_retry_after",
]
