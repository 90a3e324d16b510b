"""Story and storyline pages with their ``/api/`` twins, and the stories front page.

A story merged into another redirects there (``301`` on the page, ``merged_into`` in the
JSON), so links to it keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, cast

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy.orm import Session

from storyline.ai.engine import MAX_QUESTION_CHARS
from storyline.ai_views import AiService
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import MAX_ID
from storyline.story_views import stories_list, story_view, storyline_view
from storyline.web.ai import panel_for
from storyline.web.comments import Sort as CommentSort
from storyline.web.comments import ThreadPage, thread_for
from storyline.web.page_cache import page_key
from storyline.web.rendering import Pages


class _Moved(Exception):
    """A story merged into another: its page redirects there."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def build_stories_router(
    settings: Settings, database: Database, pages: Pages, ai: AiService
) -> APIRouter:
    router = APIRouter()
    limit = max(1, settings.page_size)

    def _found(kind: str, item_id: int, read: Callable[[Session, int], Any]) -> dict[str, Any]:
        view = None
        if item_id <= MAX_ID:
            with database.read() as session:
                view = read(session, item_id)
        if view is None:
            raise HTTPException(404, f"no {kind} with id {item_id}")
        return cast(dict[str, Any], view)

    def _story(story_id: int) -> dict[str, Any]:
        return _found("story", story_id, story_view)

    def _storyline(storyline_id: int) -> dict[str, Any]:
        return _found("storyline", storyline_id, storyline_view)

    @router.get("/stories", response_class=HTMLResponse, include_in_schema=False)
    async def stories_page() -> HTMLResponse:
        with database.read() as session:
            stories = stories_list(session, limit=limit)
        return HTMLResponse(pages.render("stories.html", stories=stories))

    @router.get("/api/stories", tags=["stories"])
    async def api_stories(all: bool = False) -> JSONResponse:
        """Stories ranked by recency, outlets and growth, each with its article ids and
        ``storyline_id``; ``?all=true`` lists every story, newest first, as
        ``storyline stories --json`` does."""
        with database.read() as session:
            return JSONResponse(stories_list(session, limit=None if all else limit))

    @router.get("/stories/{story_id:int}", response_class=HTMLResponse, include_in_schema=False)
    async def story_page(
        request: Request,
        story_id: int,
        ask: Annotated[str | None, Query(max_length=MAX_QUESTION_CHARS)] = None,
        sort: CommentSort = "oldest",
        page: ThreadPage = 1,
    ) -> Any:
        """The story; ``ask`` asks the AI panel a question, ``sort`` and ``page`` choose its
        comments."""

        async def build() -> str:
            view = await run_in_threadpool(_story, story_id)
            if "merged_into" in view:
                raise _Moved(f"/stories/{view['merged_into']}")
            panel = await panel_for(ai, "story", story_id, ask)
            return await run_in_threadpool(_story_html, view, panel, sort, page)

        try:
            url = page_key(request, ask=ask, sort=sort, page=page)
            return HTMLResponse(await pages.kept(url, build))
        except _Moved as moved:
            return RedirectResponse(moved.url, status_code=301)

    def _story_html(view: dict[str, Any], panel: Any, sort: str, page: int) -> str:
        """The story page: its comment thread read and the whole rendered, in the thread
        pool, so that the event loop goes on serving kept pages meanwhile."""
        thread = thread_for(database, settings, "story", view["id"], sort, page)
        return pages.render("story.html", story=view, ai=panel, comments=thread)

    @router.get("/api/stories/{story_id:int}", tags=["stories"])
    async def api_story(story_id: int) -> JSONResponse:
        """One story: title, gist, merged timeline, who said what, disagreements, coverage,
        carriage of wire copies, and its articles with why each was grouped."""
        return JSONResponse(_story(story_id))

    @router.get(
        "/storylines/{storyline_id:int}", response_class=HTMLResponse, include_in_schema=False
    )
    async def storyline_page(storyline_id: int) -> Any:
        view = _storyline(storyline_id)
        if "merged_into" in view:
            return RedirectResponse(f"/storylines/{view['merged_into']}", status_code=301)
        return HTMLResponse(pages.render("storyline.html", storyline=view))

    @router.get("/api/storylines/{storyline_id:int}", tags=["stories"])
    async def api_storyline(storyline_id: int) -> JSONResponse:
        """A storyline and its stories in time order."""
        return JSONResponse(_storyline(storyline_id))

    return router
