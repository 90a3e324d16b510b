"""The operator's pages and their ``/api/`` twins: feeds, background work, revisions.

Feed management changes state, so its forms carry a CSRF token and its API calls are
refused when a browser sends them from another site (:mod:`storyline.web.csrf`).
Subscribing fetches the URL to discover its feeds, which is slow network work: it runs in
the thread pool, never on the event loop.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from storyline.crawl import Crawler
from storyline.crawl.subscribe import SubscribeError, export_opml, import_opml, subscribe
from storyline.feeds import FeedParseError
from storyline.monitor import feed_view, status_view
from storyline.settings import Settings
from storyline.store import Database, get_article, list_revisions
from storyline.store.feeds import delete_feed, list_feeds, set_feed_state
from storyline.views import revisions_view
from storyline.web import notices
from storyline.web.auth import require_operator
from storyline.web.csrf import FIELD, check_form, check_origin, csrf_token, remember
from storyline.web.rendering import Pages

MAX_OPML_BYTES = 5_000_000


class NewFeed(BaseModel):
    url: str = Field(min_length=1, max_length=2000, description="feed, site or article URL")
    folder: str | None = Field(default=None, max_length=200)


def build_operations_router(settings: Settings, database: Database, pages: Pages) -> APIRouter:
    router = APIRouter()
    crawler: list[Crawler] = []  # made on first use: most processes never subscribe

    def _crawler() -> Crawler:
        if not crawler:
            crawler.append(Crawler(settings, database))
        return crawler[0]

    def _feeds() -> list[dict[str, Any]]:
        with database.read() as session:
            return [feed_view(feed) for feed in list_feeds(session)]

    @router.get("/feeds", response_class=HTMLResponse, include_in_schema=False)
    async def feeds_page(request: Request) -> Response:
        token, message = csrf_token(request), notices.take(request)
        response = HTMLResponse(
            pages.render(
                "feeds.html", feeds=_feeds(), csrf_field=FIELD, csrf=token, message=message
            )
        )
        remember(response, token, secure=request.url.scheme == "https")
        return notices.shown(request, response)

    @router.get("/api/feeds", tags=["feeds"])
    async def api_feeds() -> JSONResponse:
        """Every feed with its state: last success, last error, next check, items per day."""
        return JSONResponse(_feeds())

    @router.post("/api/feeds", status_code=201, tags=["feeds"])
    async def api_add_feed(request: Request, new: NewFeed) -> JSONResponse:
        """Subscribe to a feed, to a site (its feeds discovered) or to a single page."""
        require_operator(request, database)
        check_origin(request)
        feed = await _subscribe(new.url, new.folder)
        return JSONResponse(feed, status_code=201)

    async def _subscribe(url: str, folder: str | None) -> dict[str, Any]:
        try:
            feed, _ = await run_in_threadpool(subscribe, _crawler(), url.strip(), folder=folder)
        except SubscribeError as error:
            raise HTTPException(400, str(error)) from error
        return feed_view(feed)

    @router.post("/api/feeds/{feed_id:int}/pause", tags=["feeds"])
    async def api_pause(request: Request, feed_id: int) -> JSONResponse:
        """Stop checking a feed."""
        require_operator(request, database)
        check_origin(request)
        return JSONResponse(_set_state(feed_id, paused=True))

    @router.post("/api/feeds/{feed_id:int}/resume", tags=["feeds"])
    async def api_resume(request: Request, feed_id: int) -> JSONResponse:
        """Check a paused feed again, from now."""
        require_operator(request, database)
        check_origin(request)
        return JSONResponse(_set_state(feed_id, paused=False))

    @router.delete("/api/feeds/{feed_id:int}", status_code=204, tags=["feeds"])
    async def api_remove(request: Request, feed_id: int) -> Response:
        """Unsubscribe; the feed's articles stay."""
        require_operator(request, database)
        check_origin(request)
        _remove(feed_id)
        return Response(status_code=204)

    @router.get("/api/feeds.opml", tags=["feeds"])
    async def api_export() -> Response:
        """Every feed as OPML 2.0, with folders."""
        return Response(
            export_opml(database),
            media_type="text/x-opml",
            headers={"Content-Disposition": 'attachment; filename="storyline-feeds.opml"'},
        )

    @router.post("/api/feeds.opml", tags=["feeds"])
    async def api_import(
        request: Request, opml: Annotated[bytes, Body(media_type="text/x-opml")]
    ) -> JSONResponse:
        """Subscribe to every feed of an OPML document, keeping its folders."""
        require_operator(request, database)
        check_origin(request)
        added, known = _import(opml)
        return JSONResponse({"added": added, "already_followed": known})

    @router.post("/feeds/add", include_in_schema=False)
    async def form_add(
        request: Request,
        url: Annotated[str, Form(max_length=2000)],
        csrf_token: Annotated[str | None, Form()] = None,
        folder: Annotated[str | None, Form(max_length=200)] = None,
    ) -> RedirectResponse:
        require_operator(request, database)
        check_form(request, csrf_token)
        try:
            feed = await _subscribe(url, folder or None)
        except HTTPException as error:
            return notices.redirect(request, "/feeds", f"Not subscribed: {error.detail}")
        return notices.redirect(request, "/feeds", f"Subscribed to {feed['title'] or feed['url']}.")

    @router.post("/feeds/import", include_in_schema=False)
    async def form_import(
        request: Request, opml: UploadFile, csrf_token: Annotated[str | None, Form()] = None
    ) -> RedirectResponse:
        require_operator(request, database)
        check_form(request, csrf_token)
        try:
            added, known = _import(await opml.read(MAX_OPML_BYTES + 1))
        except HTTPException as error:
            return notices.redirect(request, "/feeds", f"Not imported: {error.detail}")
        return notices.redirect(
            request, "/feeds", f"{added} feeds added, {known} already followed."
        )

    @router.post("/feeds/{feed_id:int}/{action}", include_in_schema=False)
    async def form_action(
        request: Request,
        feed_id: int,
        action: str,
        csrf_token: Annotated[str | None, Form()] = None,
    ) -> RedirectResponse:
        require_operator(request, database)
        check_form(request, csrf_token)
        if action == "pause":
            _set_state(feed_id, paused=True)
            return notices.redirect(request, "/feeds", f"Feed {feed_id} paused.")
        if action == "resume":
            _set_state(feed_id, paused=False)
            return notices.redirect(
                request, "/feeds", f"Feed {feed_id} resumed: it is checked at the next tick."
            )
        if action == "remove":
            _remove(feed_id)
            return notices.redirect(request, "/feeds", f"Unsubscribed from feed {feed_id}.")
        raise HTTPException(404, f"no feed action {action!r}")

    def _set_state(feed_id: int, *, paused: bool) -> dict[str, Any]:
        with database.write() as session:
            feed = set_feed_state(session, feed_id, paused=paused, now=datetime.now(UTC))
            if feed is None:
                raise HTTPException(404, f"no feed with id {feed_id}")
            session.flush()
            return feed_view(feed)

    def _remove(feed_id: int) -> None:
        with database.write() as session:
            if not delete_feed(session, feed_id):
                raise HTTPException(404, f"no feed with id {feed_id}")

    def _import(content: bytes) -> tuple[int, int]:
        if len(content) > MAX_OPML_BYTES:
            raise HTTPException(413, f"OPML over {MAX_OPML_BYTES:,} bytes")
        try:
            return import_opml(database, settings, content)
        except FeedParseError as error:
            raise HTTPException(400, f"not a usable OPML file: {error}") from error

    @router.get("/status", response_class=HTMLResponse, include_in_schema=False)
    async def status_page() -> HTMLResponse:
        status = await run_in_threadpool(status_view, settings, database)
        return HTMLResponse(pages.render("status.html", status=status))

    @router.get("/api/status", tags=["service"])
    async def api_status() -> JSONResponse:
        """Queue depth, live worker processes and failing feeds: ``storyline status --json``."""
        return JSONResponse(await run_in_threadpool(status_view, settings, database))

    @router.get(
        "/articles/{article_id:int}/revisions", response_class=HTMLResponse, include_in_schema=False
    )
    async def revisions_page(article_id: int) -> HTMLResponse:
        return HTMLResponse(pages.render("revisions.html", **_revisions(article_id)))

    @router.get("/api/articles/{article_id:int}/revisions", tags=["articles"])
    async def api_revisions(article_id: int) -> JSONResponse:
        """Every revision of an article, each with what changed since the one before."""
        return JSONResponse(_revisions(article_id))

    def _revisions(article_id: int) -> dict[str, Any]:
        with database.read() as session:
            article = get_article(session, article_id)
            if article is None:
                raise HTTPException(404, f"no article with id {article_id}")
            return revisions_view(article, list_revisions(session, article_id))

    return router
