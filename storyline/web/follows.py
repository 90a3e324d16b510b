"""The reader's own pages: "For you", what they follow and mute, saved articles, and
notifications, with their ``/api/`` twins; the personal Atom feed; the follow and
reading buttons other pages show.

Everything here but the Atom feed is for a signed-in reader (a redirect to sign in on a
page, 401 on the API), and every change is checked by
:func:`~storyline.web.auth.check_write`: forms carry the CSRF token, API calls with the
session cookie the ``X-CSRF-Token`` header, API calls with a personal token nothing.
Forms answer with a redirect (``303``) to the page they came from (``next``, a local
path) so that they work without JavaScript.

Pages that other routers serve (an outlet, an entity, a hashtag, a story) show a follow
button without their routes knowing about readers: the router installs two template
functions, ``follow_state`` and ``reading_state``, that the button partial calls. Each
is one indexed read, made only when someone is signed in.

The Atom feed's address carries the reader's ``feed_secret`` instead of a session, for
feed readers hold no cookies; replacing the secret revokes the old address.

Building the feed reads a day of stories (tens of milliseconds at 100,000 articles, see
``bench/personal_feed.py``), so unlike the short indexed reads of the other pages it
runs in the thread pool, where it does not hold up the requests behind it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storyline.readers import feed as personal
from storyline.readers import follows, notifications
from storyline.readers.accounts import new_secret
from storyline.settings import Settings
from storyline.store import Database, ListCursor
from storyline.store.schema import MAX_ID, User
from storyline.web import notices, schemas
from storyline.web.auth import Viewer, check_write, current_viewer, local_path, require_viewer
from storyline.web.rendering import Pages

MAX_LIMIT = 200
_ERRORS = schemas.problems(
    {
        400: "A target, mode or cursor that is wrong.",
        401: "Sign in, or send a personal API token.",
        403: "The CSRF token is missing or wrong.",
        404: "Nothing of yours has that id.",
    }
)
TAGS: list[str | Enum] = ["reader"]


class FollowIn(BaseModel):
    mode: Literal["follow", "mute"] = "follow"
    kind: Literal["outlet", "story", "storyline", "entity", "hashtag", "word"]
    target: str = Field(
        min_length=1,
        max_length=200,
        description="An outlet's slug or name, an id, a hashtag (with or without #), a word.",
    )


class FollowOut(BaseModel):
    id: int
    mode: str = Field(description="follow or mute.")
    kind: str
    target: str = Field(description="As stored: a slug, an id, a hashtag's key, a word.")
    name: str = Field(description="What the pages call it.")
    url: str | None = Field(description="Its page, when it has one.")
    created_at: str | None


class ReadingOut(BaseModel):
    article_id: int
    read: bool
    saved: bool


class NotificationsRead(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, max_length=1000, description="The notifications to mark; null: all."
    )


class NotificationsReadOut(BaseModel):
    marked: int = Field(description="How many were unread.")
    unread: int = Field(description="How many are unread now.")


class FeedSecretOut(BaseModel):
    feed_url: str = Field(description="The new address of the personal Atom feed.")


def feed_path(secret: str) -> str:
    """Where the reader with this ``feed_secret`` finds their Atom feed."""
    return f"/feeds/for-you/{secret}.atom"


def build_follows_router(settings: Settings, database: Database, pages: Pages) -> APIRouter:
    router = APIRouter()
    page_size = max(1, min(settings.page_size, MAX_LIMIT))

    def follow_state(kind: str, target: object) -> str | None:
        viewer = current_viewer()
        if viewer is None:
            return None
        with database.read() as session:
            return follows.follow_modes(session, viewer.id, [(kind, str(target))]).get(
                (kind, str(target))
            )

    def reading_state(article_id: int) -> dict[str, Any] | None:
        viewer = current_viewer()
        if viewer is None:
            return None
        with database.read() as session:
            return follows.reading_state(session, viewer.id, article_id)

    pages.environment.globals.update(follow_state=follow_state, reading_state=reading_state)

    def _page(request: Request, template: str, **context: Any) -> Response:
        page = pages.render(template, message=notices.take(request), **context)
        return notices.shown(request, HTMLResponse(page))

    # --- For you ---------------------------------------------------------------------------

    def _for_you(viewer: Viewer, offset: int, unread: bool) -> dict[str, Any]:
        with database.read() as session:
            view = personal.personal_feed(
                session,
                viewer.id,
                now=datetime.now(UTC),
                limit=personal.PAGE,
                offset=offset,
                unread_only=unread,
            )
            secret = session.execute(select(User.feed_secret).where(User.id == viewer.id))
            view["feed_url"] = settings.public_url + feed_path(secret.scalar_one())
        return view

    @router.get("/for-you", response_class=HTMLResponse, include_in_schema=False)
    async def for_you_page(
        request: Request,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        unread: bool = False,
    ) -> Response:
        view = await run_in_threadpool(_for_you, require_viewer(request), offset, unread)
        return _page(request, "for_you.html", feed=view)

    @router.get("/api/for-you", responses=_ERRORS, tags=TAGS)
    async def api_for_you(
        request: Request,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        unread: Annotated[bool, Query(description="Leave out stories read to the end.")] = False,
    ) -> JSONResponse:
        """Stories of the last week from what the reader follows, best first, 30 a page,
        each with the reasons it is there and which of its articles were read. Muted
        outlets' articles are left out (and a story left with none), as are stories
        carrying a muted hashtag, entity or word. ``feed_url`` is the personal Atom feed."""
        viewer = require_viewer(request)
        return JSONResponse(await run_in_threadpool(_for_you, viewer, offset, unread))

    @router.get(
        "/feeds/for-you/{feed_secret}.atom",
        response_class=Response,
        responses={
            200: {"content": {"application/atom+xml": {}}, "description": "An Atom 1.0 feed."},
            404: {"description": "No feed has this address (any more)."},
        },
        tags=TAGS,
    )
    async def atom(feed_secret: str) -> Response:
        """The reader's "For you" stories as an Atom feed, at a secret address (shown on
        the "For you" page); anyone with the address can read it until it is replaced."""
        body = await run_in_threadpool(_atom, feed_secret)
        return Response(
            body,
            media_type="application/atom+xml; charset=utf-8",
            headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"},
        )

    def _atom(feed_secret: str) -> bytes:
        now = datetime.now(UTC)
        with database.read() as session:
            user_id = session.execute(
                select(User.id).where(User.feed_secret == feed_secret)
            ).scalar_one_or_none()
            if user_id is None:
                raise HTTPException(404, "no feed at this address; it may have been replaced")
            view = personal.personal_feed(session, user_id, now=now)
        return personal.atom_feed(
            view,
            title=f"For you · {pages.environment.globals['site_name']}",
            feed_url=settings.public_url + feed_path(feed_secret),
            site_url=settings.public_url,
            now=now,
        )

    def _new_secret(viewer: Viewer) -> str:
        secret = new_secret()
        with database.write() as session:
            session.execute(update(User).where(User.id == viewer.id).values(feed_secret=secret))
        return settings.public_url + feed_path(secret)

    @router.post("/account/feed-secret", include_in_schema=False)
    async def form_feed_secret(
        request: Request,
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form(max_length=2000)] = "/for-you",
    ) -> RedirectResponse:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        _new_secret(viewer)
        message = "Your feed has a new address; the old one no longer works."
        return _back(request, next, "/for-you", message)

    @router.post(
        "/api/account/feed-secret", response_model=FeedSecretOut, responses=_ERRORS, tags=TAGS
    )
    async def api_feed_secret(request: Request) -> JSONResponse:
        """Give the personal Atom feed a new secret address; the old one stops working."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        return JSONResponse({"feed_url": _new_secret(viewer)})

    # --- Follows and mutes -----------------------------------------------------------------

    def _follows(viewer: Viewer) -> list[dict[str, Any]]:
        with database.read() as session:
            return [item.to_json() for item in follows.list_follows(session, viewer.id)]

    def _follow(viewer: Viewer, mode: str, kind: str, target: str) -> dict[str, Any]:
        try:
            with database.write() as session:
                item = follows.follow(session, viewer.id, kind, target, _now(), mode=mode)
        except follows.TargetNotFound as error:
            raise HTTPException(404, str(error)) from error
        except follows.FollowError as error:
            raise HTTPException(400, str(error)) from error
        return item.to_json()

    @router.get("/following", response_class=HTMLResponse, include_in_schema=False)
    async def following_page(request: Request) -> Response:
        items = _follows(require_viewer(request))
        return _page(
            request,
            "following.html",
            follows=[i for i in items if i["mode"] == "follow"],
            mutes=[i for i in items if i["mode"] == "mute"],
            limit=follows.MAX_FOLLOWS,
        )

    @router.get("/api/follows", response_model=list[FollowOut], responses=_ERRORS, tags=TAGS)
    async def api_follows(request: Request) -> JSONResponse:
        """What the reader follows and mutes, newest first."""
        return JSONResponse(_follows(require_viewer(request)))

    @router.post(
        "/api/follows",
        status_code=201,
        response_model=FollowOut,
        responses=_ERRORS,
        tags=TAGS,
    )
    async def api_follow(request: Request, body: FollowIn) -> JSONResponse:
        """Follow or mute something (doing it twice is doing it once). Following unmutes
        and muting unfollows; a merged story, storyline or entity is followed as the one
        it was merged into. At most 1,000 follows and mutes per account."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        return JSONResponse(_follow(viewer, body.mode, body.kind, body.target), status_code=201)

    @router.delete("/api/follows/{follow_id:int}", status_code=204, responses=_ERRORS, tags=TAGS)
    async def api_unfollow(request: Request, follow_id: int) -> Response:
        """Stop a follow or a mute, by its id."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        with database.write() as session:
            removed = follow_id <= MAX_ID and follows.remove_follow(session, viewer.id, follow_id)
        if not removed:
            raise HTTPException(404, f"you have no follow or mute with id {follow_id}")
        return Response(status_code=204)

    @router.post("/follow", include_in_schema=False)
    async def form_follow(
        request: Request,
        kind: Annotated[str, Form(max_length=20)],
        target: Annotated[str, Form(max_length=200)],
        mode: Annotated[str, Form(max_length=10)] = "follow",
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form(max_length=2000)] = "/following",
    ) -> RedirectResponse:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        try:
            item = _follow(viewer, mode, kind, target)
        except HTTPException as error:
            return _back(request, "/following", "/following", f"Not done: {error.detail}")
        verb = "You follow" if mode == "follow" else "You muted"
        return _back(request, next, "/following", f"{verb} {item['name']}.")

    @router.post("/unfollow", include_in_schema=False)
    async def form_unfollow(
        request: Request,
        kind: Annotated[str, Form(max_length=20)],
        target: Annotated[str, Form(max_length=200)],
        mode: Annotated[str, Form(max_length=10)] = "follow",
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form(max_length=2000)] = "/following",
    ) -> RedirectResponse:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        with database.write() as session:
            follows.unfollow(session, viewer.id, kind, target, mode=mode)
        done = "No longer followed." if mode == "follow" else "No longer muted."
        return _back(request, next, "/following", done)

    # --- Reading marks ---------------------------------------------------------------------

    def _mark(viewer: Viewer, article_id: int, action: str) -> dict[str, Any]:
        with database.write() as session:
            if article_id > MAX_ID or not _set_mark(session, viewer.id, article_id, action):
                raise HTTPException(404, f"no article with id {article_id}")
            return follows.reading_state(session, viewer.id, article_id)

    def _mark_route(method: str, mark: str, action: str, summary: str) -> None:
        async def route(request: Request, article_id: int) -> JSONResponse:
            viewer = require_viewer(request)
            check_write(request, viewer)
            return JSONResponse(_mark(viewer, article_id, action))

        router.add_api_route(
            f"/api/articles/{{article_id:int}}/{mark}",
            route,
            methods=[method],
            name=f"api_{action}",
            description=summary,
            response_model=ReadingOut,
            responses=_ERRORS,
            tags=TAGS,
        )

    for method, mark, action, summary in (
        ("POST", "read", "read", "Mark an article read, on every device signed in to the account."),
        ("DELETE", "read", "unread", "Mark an article unread."),
        ("POST", "save", "save", "Save an article for later (`/api/saved` lists them)."),
        ("DELETE", "save", "unsave", "Take an article off the saved list."),
    ):
        _mark_route(method, mark, action, summary)

    @router.post("/articles/{article_id:int}/reading", include_in_schema=False)
    async def form_reading(
        request: Request,
        article_id: int,
        action: Annotated[Literal["read", "unread", "save", "unsave"], Form()],
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form(max_length=2000)] = "/saved",
    ) -> RedirectResponse:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        _mark(viewer, article_id, action)
        return _back(request, next, "/saved", None)

    def _saved(viewer: Viewer, limit: int, after: str | None) -> tuple[list[Any], str | None]:
        try:
            cursor = ListCursor.decode(after) if after else None
        except ValueError as error:
            raise HTTPException(400, f"{error}; use the `after` of a `Link` header") from error
        with database.read() as session:
            items, more = follows.saved_articles(session, viewer.id, limit=limit, before=cursor)
        return items, more.encode() if more else None

    @router.get("/saved", response_class=HTMLResponse, include_in_schema=False)
    async def saved_page(request: Request, after: str | None = None) -> Response:
        items, more = _saved(require_viewer(request), page_size, after)
        next_url = f"/saved?after={quote(more)}" if more else None
        return _page(
            request,
            "saved.html",
            articles=items,
            next_url=next_url,
            is_first_page=after is None,
        )

    @router.get("/api/saved", responses=_ERRORS, tags=TAGS)
    async def api_saved(
        request: Request,
        limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT)] = None,
        after: Annotated[str | None, Query(description="cursor from a `Link` header")] = None,
    ) -> JSONResponse:
        """Articles saved for later, newest saved first, each with ``saved_at`` and
        ``read``; a ``Link: <…>; rel="next"`` header gives the next page."""
        items, more = _saved(require_viewer(request), limit or page_size, after)
        response = JSONResponse(items)
        if more:
            next_url = request.url.include_query_params(after=more)
            response.headers["link"] = f'<{next_url}>; rel="next"'
        return response

    # --- Notifications ---------------------------------------------------------------------

    def _notifications(viewer: Viewer, limit: int, before: int | None) -> dict[str, Any]:
        with database.read() as session:
            items = notifications.list_notifications(
                session, viewer.id, limit=limit + 1, before_id=before
            )
            unread = notifications.unread_count(session, viewer.id)
        more = len(items) > limit
        items = items[:limit]
        return {
            "notifications": items,
            "unread": unread,
            "next_before": items[-1]["id"] if more else None,
        }

    def _mark_notifications(viewer: Viewer, ids: list[int] | None) -> dict[str, int]:
        with database.write() as session:
            marked = notifications.mark_read(session, viewer.id, ids, _now())
            unread = notifications.unread_count(session, viewer.id)
        return {"marked": marked, "unread": unread}

    @router.get("/notifications", response_class=HTMLResponse, include_in_schema=False)
    async def notifications_page(
        request: Request, before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
    ) -> Response:
        view = _notifications(require_viewer(request), page_size, before)
        return _page(
            request,
            "notifications.html",
            **view,
            is_first_page=before is None,
        )

    @router.get("/notifications/{notification_id:int}", include_in_schema=False)
    async def open_notification(request: Request, notification_id: int) -> RedirectResponse:
        """Follow a notification's link: it counts as read."""
        viewer = require_viewer(request)
        with database.write() as session:
            url = None
            if notification_id <= MAX_ID:
                url = notifications.open_notification(session, viewer.id, notification_id, _now())
        if url is None:
            raise HTTPException(404, f"no notification with id {notification_id}")
        return RedirectResponse(local_path(url), status_code=303)

    @router.get("/api/notifications", responses=_ERRORS, tags=TAGS)
    async def api_notifications(
        request: Request,
        limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT)] = None,
        before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    ) -> JSONResponse:
        """The reader's notifications, newest first, and how many are unread;
        ``next_before`` pages back (``?before=…``)."""
        return JSONResponse(_notifications(require_viewer(request), limit or page_size, before))

    @router.post(
        "/api/notifications/read",
        response_model=NotificationsReadOut,
        responses=_ERRORS,
        tags=TAGS,
    )
    async def api_notifications_read(request: Request, body: NotificationsRead) -> JSONResponse:
        """Mark notifications read: those of ``ids``, or all of them (``null``)."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        return JSONResponse(_mark_notifications(viewer, body.ids))

    @router.post("/notifications/read", include_in_schema=False)
    async def form_notifications_read(
        request: Request,
        id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form(max_length=2000)] = "/notifications",
    ) -> RedirectResponse:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        result = _mark_notifications(viewer, None if id is None else [id])
        message = None if id is not None else f"{result['marked']} marked read."
        return _back(request, next, "/notifications", message)

    return router


def _now() -> datetime:
    return datetime.now(UTC)


def _set_mark(session: Session, user_id: int, article_id: int, action: str) -> bool:
    """Apply a reading action; False when there is no such article."""
    now = _now()
    if action == "read":
        return bool(follows.mark_read(session, user_id, [article_id], now))
    if action == "unread":
        return bool(follows.mark_unread(session, user_id, [article_id], now))
    if action == "save":
        return follows.save(session, user_id, article_id, now)
    return follows.unsave(session, user_id, article_id, now)


def _back(request: Request, next_path: str, default: str, message: str | None) -> RedirectResponse:
    """A 303 to ``next_path`` (when it is a path here, else ``default``) that shows
    ``message`` there (:mod:`storyline.web.notices`)."""
    return notices.redirect(request, local_path(next_path, default), message)
