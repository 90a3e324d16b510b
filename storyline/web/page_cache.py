"""A few seconds of memory for the pages signed-out readers see.

An article or story page carries its AI panel, its story, its related coverage and a page
of its comment thread; building it costs tens of milliseconds, and a popular page is
asked for many times a second. A signed-out reader's page holds nothing of theirs (no
form tokens, no votes, no follow buttons), so it is the same for every signed-out reader
and can be kept for ``STORYLINE_PAGE_CACHE_SECONDS``: the classic micro-cache.

Three rules keep it both fresh and quick under load:

- **One build at a time per page** (single flight): when many readers ask for a page
  that is not kept, one request builds it and the others wait for that build instead of
  each building their own; they get its page, or its error.
- **Stale while revalidating**: a page that has expired, or that a change has made stale
  (:meth:`PageCache.mark_stale`), is rebuilt by the first request that finds it so; the
  requests that arrive while that build runs get the stale copy at once. A stale copy is
  thus served only for as long as one build takes, and never once it is more than
  :data:`STALE_LIMIT` seconds past its time.
- **A change here shows within a second**: a comment posted, edited or moderated through
  this process marks every kept page stale, and the next request after the page is
  :data:`CHANGE_DELAY` old starts a rebuild; a page whose build began before the change is
  stored already stale. One posted through another process shows after at most
  ``STORYLINE_PAGE_CACHE_SECONDS``.

Each process keeps its own. Signed-in readers are never served from it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import NamedTuple
from urllib.parse import urlencode

from starlette.requests import Request

MAX_PAGES = 1000
# Seconds past its time that a kept page may still be served while it is being rebuilt.
STALE_LIMIT = 30.0
# Seconds a page stays as built after a change, at most: a page of a busy thread is
# rebuilt at most once per CHANGE_DELAY however fast comments arrive, since every rebuild
# takes the interpreter away from answering the kept pages for tens of milliseconds.
CHANGE_DELAY = 1.0

Build = Callable[[], Awaitable[str]]
_clock = time.monotonic  # one name for it, which tests can move forward


class _Kept(NamedTuple):
    built_at: float  # _clock() when its build began
    generation: int  # PageCache._generation when its build began
    page: str


def page_key(request: Request, **choices: object) -> str:
    """What a page's kept copy is filed by: its path and the choices that shape it (the
    route's parsed parameters), never the raw query, so that made-up parameters
    (``?x=1``, ``?x=2``…) neither fill the cache with copies nor get past it."""
    query = urlencode({name: value for name, value in choices.items() if value is not None})
    return f"{request.url.path}?{query}" if query else request.url.path


class PageCache:
    """Rendered pages by URL, each fresh for ``seconds`` (0: nothing is kept)."""

    def __init__(
        self, seconds: float, max_pages: int = MAX_PAGES, change_delay: float | None = None
    ) -> None:
        self.seconds = seconds
        self.change_delay = min(CHANGE_DELAY, seconds) if change_delay is None else change_delay
        self.max_pages = max_pages
        self._pages: OrderedDict[str, _Kept] = OrderedDict()
        self._generation = 0
        self._lock = threading.Lock()  # mark_stale may run in the thread pool
        # Builds under way, by URL; only the event loop reads and writes it.
        self._building: dict[str, asyncio.Future[str]] = {}

    async def serve(self, url: str, build: Build) -> str:
        """The page at ``url``: kept and fresh, else stale while another request rebuilds
        it, else from the build already under way (its page, or its error: a missing
        article is missing for everyone waiting), else built (by ``build``) and kept."""
        if self.seconds <= 0:
            return await build()
        while True:
            kept, fresh = self._look_up(url)
            if kept is not None and fresh:
                return kept.page
            flight = self._building.get(url)
            if flight is None:
                return await self._build(url, build)
            if kept is not None:
                return kept.page
            try:
                # Shielded: a waiter that goes away must not cancel the others' build.
                return await asyncio.shield(flight)
            except asyncio.CancelledError:
                if not flight.cancelled():
                    raise  # this request itself was cancelled
                # The request that was building went away; the next one builds.

    def mark_stale(self) -> None:
        """Something every page may show has changed: each kept page is rebuilt by the
        next request for it, and a build under way is stored as stale."""
        with self._lock:
            self._generation += 1

    def _look_up(self, url: str) -> tuple[_Kept | None, bool]:
        """The kept page at ``url`` (None when absent or too old to serve even while it is
        rebuilt) and whether it is fresh."""
        now = _clock()
        with self._lock:
            kept = self._pages.get(url)
            if kept is None:
                return None, False
            age = now - kept.built_at
            if age > self.seconds + STALE_LIMIT:
                del self._pages[url]
                return None, False
            self._pages.move_to_end(url)
            if age > self.seconds:
                return kept, False
            # A change makes a page stale, but one built moments ago waits out the rest of
            # CHANGE_DELAY first: comments posted twice a second rebuild it once a second.
            return kept, kept.generation == self._generation or age < self.change_delay

    async def _build(self, url: str, build: Build) -> str:
        flight: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._building[url] = flight
        with self._lock:
            generation = self._generation
        began = _clock()
        try:
            page = await build()
        except asyncio.CancelledError:
            flight.cancel()
            raise
        except BaseException as error:
            flight.set_exception(error)
            flight.exception()  # marked seen: asyncio need not warn when nobody waited
            raise
        finally:
            if self._building.get(url) is flight:
                del self._building[url]
        with self._lock:
            self._pages[url] = _Kept(began, generation, page)
            self._pages.move_to_end(url)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        flight.set_result(page)
        return page
