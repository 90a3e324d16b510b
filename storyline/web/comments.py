"""Comments on the web: the thread under articles and stories, its forms, and the
``/api/`` calls that do the same.

The thread is built once per page by :func:`thread_for` (three or four indexed queries,
see :mod:`storyline.readers.comments`); the article and story pages include it, and
``GET /api/articles/{id}/comments`` returns the same dict. Forms post to routes here and
are answered with a ``303`` back to the comment in its thread, so they work without
JavaScript; a refused comment comes back in a form of its own, with the reason beside it
and the text kept.

Posting and editing run pre-moderation, whose classifier (and, when configured, the LLM)
costs more than a page may hold the event loop for: they run in the thread pool. Its
verdict is reached in a read session before the write transaction opens
(:func:`storyline.readers.comments.screen_post`): an LLM request of seconds must not hold
the store's writer, which on SQLite is every process's one writer.

A long thread comes a page of top-level comments at a time (``?page=``, each with all its
replies), so an article with hundreds of comments still builds and renders quickly; a
comment's permalink, ``/comments/{id}``, leads to the page that shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyline.readers import comments
from storyline.readers.automod import Automod, llm_moderation
from storyline.readers.comments import MAX_ID, CommentError, RateLimited, Reader
from storyline.readers.markdown import MAX_COMMENT_CHARS
from storyline.readers.moderation import MAX_NOTE, REPORT_REASONS, report_comment
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.ai_cache import AnswerCache
from storyline.store.schema import Comment
from storyline.web.auth import Viewer, check_write, current_viewer, require_viewer, sign_in_url
from storyline.web.rendering import Pages
from storyline.web.schemas import problems

T = TypeVar("T")
TAGS: list[str | Enum] = ["comments"]
SORT_LABELS = {"oldest": "Oldest", "newest": "Newest", "best": "Best"}
Sort = Annotated[
    Literal["oldest", "newest", "best"],
    Query(description="Top-level comments oldest first, newest first, or best voted first."),
]
ThreadPage = Annotated[
    int,
    Query(
        ge=1,
        le=100_000,
        description="Page of the thread: 50 top-level comments a page, each with its replies.",
    ),
]
ERRORS = problems(
    {
        400: "The comment is empty or too long, or the request is malformed.",
        401: "Not signed in: sign in, or send a personal API token.",
        403: "Not yours, suspended or banned, or the CSRF token is missing.",
        404: "No such article, story or comment (or not one you may see).",
        409: "Done already (a second report of one comment).",
        429: "Too many comments too fast; `Retry-After` says when to try again.",
    }
)
# A field longer than this is refused before the comment's own limit is checked.
_MAX_FORM_CHARS = 100_000
# A comment id in a form or a JSON body: a 64-bit id, as in the database.
ParentId = Annotated[int | None, Form(ge=1, le=MAX_ID)]


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(
        min_length=1,
        max_length=_MAX_FORM_CHARS,
        description="Markdown, at most the thread's `max_chars` characters.",
    )
    parent_id: int | None = Field(None, ge=1, le=MAX_ID, description="The comment this replies to.")


class CommentEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=_MAX_FORM_CHARS, description="The new Markdown.")


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Literal[-1, 0, 1] = Field(description="1 up, -1 down, 0 to take the vote back.")


ReportReason = Literal["spam", "abuse", "harassment", "misinformation", "off-topic", "other"]


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: ReportReason
    note: str | None = Field(
        None, max_length=_MAX_FORM_CHARS, description="Anything a moderator should know."
    )


def reader_of(viewer: Viewer | None) -> Reader | None:
    return None if viewer is None else Reader(viewer.id, viewer.is_moderator)


def thread_for(
    database: Database,
    settings: Settings,
    kind: str,
    target_id: int,
    sort: str = "oldest",
    page: int = 1,
) -> dict[str, Any]:
    """The comment thread of an article or story as the signed-in reader sees it, with
    what its page needs: where to post, where to sign in, why they may not post, and the
    neighbouring pages of a long thread."""
    viewer = current_viewer()
    with database.read() as session:
        thread = comments.comment_thread(
            session,
            kind,
            target_id,
            reader=reader_of(viewer),
            sort=sort,
            now=datetime.now(UTC),
            edit_minutes=settings.comment_edit_minutes,
            page=page,
        )
    base = comments.target_url(kind, target_id)

    def page_url(number: int) -> str | None:
        if not 1 <= number <= thread["pages"]:
            return None
        return f"{base}?sort={sort}&page={number}#comments"

    thread.update(
        previous_url=page_url(page - 1),
        next_url=page_url(page + 1),
        url=base,
        post_url=f"{base}/comments",
        sign_in_url=sign_in_url(f"{base}#comments"),
        sanction=viewer.sanction() if viewer is not None else None,
        sorts=SORT_LABELS,
        max_chars=MAX_COMMENT_CHARS,
    )
    return thread


def build_comments_router(settings: Settings, database: Database, pages: Pages) -> APIRouter:
    router = APIRouter()
    comments.parse_rate(settings.comment_rate)  # a bad setting stops the start, not a post
    automod = Automod(settings, llm=llm_moderation(settings, AnswerCache(database)))

    @contextmanager
    def _refusals() -> Iterator[None]:
        """A refusal of the readers' library becomes its HTTP status."""
        try:
            yield
        except RateLimited as error:
            raise HTTPException(429, str(error), {"Retry-After": str(error.retry_after)}) from error
        except CommentError as error:
            raise HTTPException(error.status, str(error)) from error

    def _write(work: Callable[[Session, datetime], T]) -> T:
        """Run ``work`` in a write transaction; a refusal becomes its HTTP status."""
        with _refusals():
            with database.write() as session:
                done = work(session, datetime.now(UTC))
            pages.cache.mark_stale()  # signed-out readers see the change at once
            return done

    def _screen(work: Callable[[Session, datetime], T]) -> T:
        """Run pre-moderation's ``work`` in a read session, outside any write transaction
        (see the module); a refusal becomes its HTTP status."""
        with _refusals(), database.read() as session:
            return work(session, datetime.now(UTC))

    def _post(viewer: Viewer, kind: str, target_id: int, body: str, parent: int | None) -> int:
        _known(target_id, kind)
        verdict = _screen(
            lambda session, now: comments.screen_post(
                session,
                settings,
                automod,
                user_id=viewer.id,
                target_kind=kind,
                target_id=target_id,
                body=body,
                parent_id=parent,
                now=now,
            )
        )
        return _write(
            lambda session, now: (
                comments.post_comment(
                    session,
                    settings,
                    user_id=viewer.id,
                    target_kind=kind,
                    target_id=target_id,
                    body=body,
                    parent_id=parent,
                    verdict=verdict,
                    now=now,
                ).id
            )
        )

    def _edit(viewer: Viewer, comment_id: int, body: str) -> str:
        _known(comment_id, "comment")
        verdict = _screen(
            lambda session, now: comments.screen_edit(
                session,
                settings,
                automod,
                comment_id=comment_id,
                user_id=viewer.id,
                body=body,
                now=now,
            )
        )
        return _write(
            lambda session, now: comments.comment_url(
                comments.edit_comment(
                    session,
                    settings,
                    comment_id=comment_id,
                    user_id=viewer.id,
                    body=body,
                    verdict=verdict,
                    now=now,
                )
            )
        )

    def _delete(viewer: Viewer, comment_id: int) -> str:
        """Delete the reader's comment; where its thread is."""
        _known(comment_id, "comment")

        def work(session: Session, now: datetime) -> str:
            gone = comments.delete_comment(
                session, comment_id=comment_id, user_id=viewer.id, now=now
            )
            return comments.target_url(gone.target_kind, gone.target_id)

        return _write(work)

    def _vote(viewer: Viewer, comment_id: int, value: int) -> dict[str, int]:
        _known(comment_id, "comment")
        return _write(
            lambda session, now: comments.vote(
                session, comment_id=comment_id, user_id=viewer.id, value=value, now=now
            )
        )

    def _report(viewer: Viewer, comment_id: int, reason: str, note: str | None) -> int:
        _known(comment_id, "comment")
        return _write(
            lambda session, now: (
                report_comment(
                    session,
                    comment_id=comment_id,
                    reporter_id=viewer.id,
                    reason=reason,
                    note=note,
                    now=now,
                ).id
            )
        )

    def _view(comment_id: int) -> dict[str, Any]:
        """The comment as the signed-in reader sees it; 404 when they may not."""
        _known(comment_id, "comment")
        with database.read() as session:
            view = comments.comment_view(
                session,
                comment_id,
                reader=reader_of(current_viewer()),
                now=datetime.now(UTC),
                edit_minutes=settings.comment_edit_minutes,
            )
        if view is None:
            raise HTTPException(404, f"no comment with id {comment_id}")
        return view

    def _thread(kind: str, target_id: int, sort: str, page: int) -> dict[str, Any]:
        _known(target_id, kind)
        with database.read() as session:
            if not comments.target_exists(session, kind, target_id):
                raise HTTPException(404, f"no {kind} with id {target_id}")
        return thread_for(database, settings, kind, target_id, sort, page)

    @router.get("/comments/{comment_id:int}", include_in_schema=False)
    async def permalink(comment_id: int) -> RedirectResponse:
        """A comment's lasting address: its page of its (oldest-first) thread as the reader
        sees it, scrolled to it; ``404`` when their thread does not show it, so that the
        address of a held or hidden comment tells nobody where it is."""
        _known(comment_id, "comment")
        with database.read() as session:
            comment = session.get(Comment, comment_id)
            page = None
            if comment is not None:
                page = comments.thread_page_of(session, comment, reader_of(current_viewer()))
            if comment is None or page is None:
                raise HTTPException(404, f"no comment with id {comment_id}")
            base = comments.target_url(comment.target_kind, comment.target_id)
        query = f"?page={page}" if page > 1 else ""
        return RedirectResponse(f"{base}{query}#comment-{comment_id}", status_code=303)

    # Pages and their forms ----------------------------------------------------------------

    def _form_page(
        *,
        status: int,
        title: str,
        action: str,
        back: str,
        body: str,
        error: str | None = None,
        parent_id: int | None = None,
        comment: dict[str, Any] | None = None,
    ) -> HTMLResponse:
        return HTMLResponse(
            pages.render(
                "comment_edit.html",
                title=title,
                action=action,
                back=back,
                body=body,
                error=error,
                parent_id=parent_id,
                comment=comment,
                max_chars=MAX_COMMENT_CHARS,
            ),
            status_code=status,
        )

    async def _post_form(
        request: Request, kind: str, target_id: int, body: str, parent: int | None, token: str
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, token)
        base = comments.target_url(kind, target_id)
        try:
            comment_id = await run_in_threadpool(_post, viewer, kind, target_id, body, parent)
        except HTTPException as refused:
            if refused.status_code == 404 and parent is None:
                raise
            return _form_page(
                status=refused.status_code,
                title="Your comment was not posted",
                action=f"{base}/comments",
                back=f"{base}#comments",
                body=body,
                error=str(refused.detail),
                parent_id=parent,
            )
        return RedirectResponse(f"/comments/{comment_id}", status_code=303)

    @router.post("/articles/{article_id:int}/comments", include_in_schema=False)
    async def article_comment_form(
        request: Request,
        article_id: int,
        body: Annotated[str, Form(max_length=_MAX_FORM_CHARS)],
        csrf_token: Annotated[str, Form()] = "",
        parent_id: ParentId = None,
    ) -> Response:
        return await _post_form(request, "article", article_id, body, parent_id, csrf_token)

    @router.post("/stories/{story_id:int}/comments", include_in_schema=False)
    async def story_comment_form(
        request: Request,
        story_id: int,
        body: Annotated[str, Form(max_length=_MAX_FORM_CHARS)],
        csrf_token: Annotated[str, Form()] = "",
        parent_id: ParentId = None,
    ) -> Response:
        return await _post_form(request, "story", story_id, body, parent_id, csrf_token)

    @router.get(
        "/comments/{comment_id:int}/edit", response_class=HTMLResponse, include_in_schema=False
    )
    async def edit_page(request: Request, comment_id: int) -> HTMLResponse:
        require_viewer(request)
        view = _view(comment_id)
        if not view["mine"]:
            raise HTTPException(403, "Only its author can edit a comment.")
        if not view["can_edit"]:
            raise HTTPException(
                403,
                f"Comments can be edited for {settings.comment_edit_minutes} minutes after "
                "posting; this one no longer can.",
            )
        return _form_page(
            status=200,
            title="Edit your comment",
            action=f"/comments/{comment_id}/edit",
            back=f"/comments/{comment_id}",  # the permalink finds its page of a long thread
            body=view["body"],
            comment=view,
        )

    @router.post("/comments/{comment_id:int}/edit", include_in_schema=False)
    async def edit_form(
        request: Request,
        comment_id: int,
        body: Annotated[str, Form(max_length=_MAX_FORM_CHARS)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        try:
            url = await run_in_threadpool(_edit, viewer, comment_id, body)
        except HTTPException as refused:
            if refused.status_code == 404:
                raise
            return _form_page(
                status=refused.status_code,
                title="Your comment was not changed",
                action=f"/comments/{comment_id}/edit",
                back=f"/comments/{comment_id}",
                body=body,
                error=str(refused.detail),
            )
        return RedirectResponse(url, status_code=303)

    @router.post("/comments/{comment_id:int}/delete", include_in_schema=False)
    async def delete_form(
        request: Request, comment_id: int, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        url = _delete(viewer, comment_id)
        return RedirectResponse(f"{url}#comments", status_code=303)

    @router.post("/comments/{comment_id:int}/vote", include_in_schema=False)
    async def vote_form(
        request: Request,
        comment_id: int,
        value: Annotated[int, Form(ge=-1, le=1)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        _vote(viewer, comment_id, value)
        # The permalink, not the thread's first page: the comment may be on a later one.
        return RedirectResponse(f"/comments/{comment_id}", status_code=303)

    @router.get(
        "/comments/{comment_id:int}/report", response_class=HTMLResponse, include_in_schema=False
    )
    async def report_page(request: Request, comment_id: int, sent: bool = False) -> HTMLResponse:
        require_viewer(request)
        return _report_page(_view(comment_id), sent=sent)

    @router.post("/comments/{comment_id:int}/report", include_in_schema=False)
    async def report_form(
        request: Request,
        comment_id: int,
        reason: Annotated[str, Form(max_length=30)] = "",
        note: Annotated[str, Form(max_length=_MAX_FORM_CHARS)] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        try:
            _report(viewer, comment_id, reason, note)
        except HTTPException as refused:
            if refused.status_code == 404:
                raise
            view = _view(comment_id)
            return _report_page(
                view,
                error=str(refused.detail),
                status=refused.status_code,
                reason=reason,
                note=note,
            )
        return RedirectResponse(f"/comments/{comment_id}/report?sent=true", status_code=303)

    def _report_page(
        view: dict[str, Any],
        *,
        sent: bool = False,
        error: str | None = None,
        status: int = 200,
        reason: str = "",
        note: str = "",
    ) -> HTMLResponse:
        return HTMLResponse(
            pages.render(
                "report.html",
                comment=view,
                reasons=REPORT_REASONS,
                sent=sent,
                error=error,
                reason=reason,
                note=note,
                max_note=MAX_NOTE,
            ),
            status_code=status,
        )

    # The API ------------------------------------------------------------------------------

    @router.get("/api/articles/{article_id:int}/comments", tags=TAGS, responses=ERRORS)
    async def api_article_comments(
        article_id: int, sort: Sort = "oldest", page: ThreadPage = 1
    ) -> JSONResponse:
        """The article's comments as the caller sees them: top-level comments in ``sort``
        order, 50 a page (``page`` of ``pages``; ``count`` counts them all), each with its
        ``replies`` nested (five levels at most; deeper replies sit at the fifth, with
        ``reply_to`` naming whom they answer)."""
        return JSONResponse(_thread("article", article_id, sort, page))

    @router.get("/api/stories/{story_id:int}/comments", tags=TAGS, responses=ERRORS)
    async def api_story_comments(
        story_id: int, sort: Sort = "oldest", page: ThreadPage = 1
    ) -> JSONResponse:
        """The story's comments, as for an article."""
        return JSONResponse(_thread("story", story_id, sort, page))

    async def _api_post(request: Request, kind: str, target_id: int, new: CommentIn) -> Any:
        viewer = require_viewer(request)
        check_write(request, viewer)
        comment_id = await run_in_threadpool(
            _post, viewer, kind, target_id, new.body, new.parent_id
        )
        return JSONResponse(_view(comment_id), status_code=201)

    @router.post(
        "/api/articles/{article_id:int}/comments", status_code=201, tags=TAGS, responses=ERRORS
    )
    async def api_post_article_comment(
        request: Request, article_id: int, new: CommentIn
    ) -> JSONResponse:
        """Post a comment (or, with ``parent_id``, a reply). A comment held by automatic
        pre-moderation comes back with ``status`` ``held`` and its ``held_reasons``: only
        its author and moderators see it until a moderator approves it."""
        result: JSONResponse = await _api_post(request, "article", article_id, new)
        return result

    @router.post(
        "/api/stories/{story_id:int}/comments", status_code=201, tags=TAGS, responses=ERRORS
    )
    async def api_post_story_comment(
        request: Request, story_id: int, new: CommentIn
    ) -> JSONResponse:
        """Post a comment on a story, as on an article."""
        result: JSONResponse = await _api_post(request, "story", story_id, new)
        return result

    @router.get("/api/comments/{comment_id:int}", tags=TAGS, responses=ERRORS)
    async def api_comment(comment_id: int) -> JSONResponse:
        """One comment as the caller sees it; its author also gets its Markdown ``body``
        and ``editable_until`` (the edit page's twin)."""
        return JSONResponse(_view(comment_id))

    @router.patch("/api/comments/{comment_id:int}", tags=TAGS, responses=ERRORS)
    async def api_edit_comment(
        request: Request, comment_id: int, change: CommentEditIn
    ) -> JSONResponse:
        """Change your comment's text, within ``STORYLINE_COMMENT_EDIT_MINUTES`` of posting;
        it is marked edited and checked by pre-moderation again."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        await run_in_threadpool(_edit, viewer, comment_id, change.body)
        return JSONResponse(_view(comment_id))

    @router.delete("/api/comments/{comment_id:int}", status_code=204, tags=TAGS, responses=ERRORS)
    async def api_delete_comment(request: Request, comment_id: int) -> Response:
        """Delete your comment. With replies it keeps its place as "[deleted]". Moderators
        delete other readers' comments with a reason: ``/api/moderation/comments/{id}/delete``."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        _delete(viewer, comment_id)
        return Response(status_code=204)

    @router.post("/api/comments/{comment_id:int}/vote", tags=TAGS, responses=ERRORS)
    async def api_vote(request: Request, comment_id: int, choice: VoteIn) -> JSONResponse:
        """Vote on someone else's comment; the answer has its new counts."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        return JSONResponse(_vote(viewer, comment_id, choice.value))

    @router.post(
        "/api/comments/{comment_id:int}/report", status_code=201, tags=TAGS, responses=ERRORS
    )
    async def api_report(request: Request, comment_id: int, report: ReportIn) -> JSONResponse:
        """Report a comment to the moderators, once, with a reason and an optional note."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        report_id = _report(viewer, comment_id, report.reason, report.note)
        return JSONResponse(
            {"id": report_id, "comment_id": comment_id, "reason": report.reason}, status_code=201
        )

    return router


def _known(item_id: int, kind: str) -> None:
    """Ids are 64-bit in the database; a longer number names nothing."""
    if item_id > MAX_ID:
        raise HTTPException(404, f"no {kind} with id {item_id}")
