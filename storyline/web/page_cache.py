"""A few seconds of memory for the pages signed-out readers see.

An article or story page carries its AI panel, its story, its related coverage and a page
of its comment thread; building it costs several milliseconds, and a popular page is
asked for many times a second. A signed-out reader's page holds nothing of theirs (no
form tokens, no votes, no follow buttons), so it is the same for every signed-out reader
and can be kept for ``STORYLINE_PAGE_CACHE_SECONDS``: the classic micro-cache.

Each process keeps its own. A comment posted through this process drops its page at once;
one posted through another process shows after at most those seconds. Signed-in readers
are never served from it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from starlette.requests import Request

MAX_PAGES = 1000


def page_key(request: Request) -> str:
    """The path and query of a page: what its kept copy is filed by."""
    query = request.url.query
    return f"{request.url.path}?{query}" if query else request.url.path


class PageCache:
    """Rendered pages by URL, each kept ``seconds`` (0: nothing is kept)."""

    def __init__(self, seconds: float, max_pages: int = MAX_PAGES) -> None:
        self.seconds = seconds
        self.max_pages = max_pages
        self._pages: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> str | None:
        if self.seconds <= 0:
            return None
        with self._lock:
            found = self._pages.get(url)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.seconds:
                del self._pages[url]
                return None
            self._pages.move_to_end(url)
            return found[1]

    def put(self, url: str, page: str) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._pages[url] = (time.monotonic(), page)
            self._pages.move_to_end(url)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        """Forget every page: something they show has changed."""
        with self._lock:
            self._pages.clear()
