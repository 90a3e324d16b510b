"""The moderators' pages: the queue, its actions, and the log, with their ``/api/`` twins.

Only moderators and admins reach any of it (``403`` for other readers). Each action is a
form of its own on the queue page (approving a held comment is one button, with no
reason to give) and on the comment in its thread; it answers with a ``303`` back to where
the moderator was (the comment's permalink, or its thread once it is deleted), or shows
the queue again with the reason it was refused.

The work itself, and who may do it, is :mod:`storyline.readers.moderation`'s; ids are
bounded to the database's 64-bit range here too, so that no request reaches the driver
with a number it cannot take.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from storyline.readers.comments import MAX_ID, CommentError, target_url
from storyline.readers.moderation import (
    MAX_SUSPENSION,
    act_on_comment,
    act_on_user,
    moderation_log,
    moderation_queue,
)
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import Comment, ModerationAction
from storyline.views import iso
from storyline.web.auth import Viewer, check_write, local_path, require_moderator
from storyline.web.rendering import Pages
from storyline.web.schemas import problems

TAGS: list[str | Enum] = ["moderation"]
CommentAction = Literal["approve", "hide", "delete"]
UserAction = Literal["warn", "suspend", "ban", "reinstate"]
# How the log and the notices say what was done.
ACTION_LABELS = {
    "hold": "held",
    "approve": "approved",
    "hide": "hid",
    "delete": "deleted",
    "warn": "warned",
    "suspend": "suspended",
    "ban": "banned",
    "reinstate": "reinstated",
}
_NOTICES = {
    "approve": "The comment is shown, and its reports are dismissed.",
    "hide": "The comment is hidden; its author is told why.",
    "delete": "The comment is deleted; its author is told why.",
    "warn": "The reader is warned.",
    "suspend": "The reader is suspended from posting.",
    "ban": "The reader is banned from posting.",
    "reinstate": "The reader may post again.",
}
ERRORS = problems(
    {
        400: "A reason is missing or too long, or the suspension is out of range.",
        401: "Not signed in: sign in, or send a personal API token.",
        403: "Not a moderator, the subject is an admin or yourself, or no CSRF token.",
        404: "No such comment or account.",
    }
)
_MAX_FORM_CHARS = 10_000  # a longer reason is refused before the library's own limit
# The longest suspension in each unit the forms take; the library checks the total.
_MAX_DAYS = MAX_SUSPENSION.days
_MAX_HOURS = _MAX_DAYS * 24
_TOO_LONG = "Suspend for at least an hour and at most a year."


class CommentActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(
        "", max_length=_MAX_FORM_CHARS, description="Told to the author; not needed to approve."
    )


class UserActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=_MAX_FORM_CHARS, description="Told to the reader.")
    hours: int | None = Field(None, ge=0, le=_MAX_HOURS, description="For `suspend`.")
    days: int | None = Field(None, ge=0, le=_MAX_DAYS, description="For `suspend`.")
    comment_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The comment that prompted it, if any."
    )


def build_moderation_router(settings: Settings, database: Database, pages: Pages) -> APIRouter:
    router = APIRouter()

    def _act(work: Callable[[Session, datetime], ModerationAction]) -> dict[str, Any]:
        try:
            with database.write() as session:
                entry = work(session, datetime.now(UTC))
                done = _entry(entry)
            pages.cache.mark_stale()  # signed-out readers see the change at once
            return done
        except CommentError as error:
            raise HTTPException(error.status, str(error)) from error

    def _on_comment(viewer: Viewer, comment_id: int, action: str, reason: str) -> dict[str, Any]:
        _known(comment_id)
        return _act(
            lambda session, now: act_on_comment(
                session,
                comment_id=comment_id,
                moderator_id=viewer.id,
                action=action,
                reason=reason,
                now=now,
            )
        )

    def _on_user(
        viewer: Viewer,
        user_id: int,
        action: str,
        reason: str,
        duration: timedelta | None,
        comment_id: int | None,
    ) -> dict[str, Any]:
        _known(user_id)
        return _act(
            lambda session, now: act_on_user(
                session,
                user_id=user_id,
                moderator_id=viewer.id,
                action=action,
                reason=reason,
                duration=duration,
                comment_id=comment_id,
                now=now,
            )
        )

    def _queue() -> dict[str, Any]:
        with database.read() as session:
            return moderation_queue(session)

    def _log(before: int | None) -> dict[str, Any]:
        with database.read() as session:
            return moderation_log(session, before_id=before)

    def _queue_page(
        *, notice: str | None = None, error: str | None = None, status: int = 200
    ) -> HTMLResponse:
        return HTMLResponse(
            pages.render(
                "moderation.html",
                queue=_queue(),
                notice=notice,
                error=error,
                max_days=_MAX_DAYS,
            ),
            status_code=status,
        )

    def _done(action: str, next_path: str) -> RedirectResponse:
        target = local_path(next_path, "") or f"/moderation?done={action}"
        return RedirectResponse(target, status_code=303)

    def _after_delete(comment_id: int, next_path: str) -> str:
        """Where to go after deleting from a thread: its permalink leads nowhere now (it is
        no longer shown), so back to the thread."""
        if next_path != f"/comments/{comment_id}":
            return next_path
        with database.read() as session:
            comment = session.get(Comment, comment_id)
            if comment is None:
                return next_path
            return f"{target_url(comment.target_kind, comment.target_id)}#comments"

    # Pages and their forms ----------------------------------------------------------------

    @router.get("/moderation", response_class=HTMLResponse, include_in_schema=False)
    async def queue_page(request: Request, done: str | None = None) -> HTMLResponse:
        require_moderator(request)
        return _queue_page(notice=_NOTICES.get(done or ""))

    @router.get("/moderation/log", response_class=HTMLResponse, include_in_schema=False)
    async def log_page(
        request: Request, before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
    ) -> HTMLResponse:
        require_moderator(request)
        return HTMLResponse(
            pages.render(
                "moderation_log.html",
                log=_log(before),
                labels=ACTION_LABELS,
                user_actions=get_args(UserAction),
            )
        )

    @router.post("/moderation/comments/{comment_id:int}/{action}", include_in_schema=False)
    async def comment_action_form(
        request: Request,
        comment_id: int,
        action: CommentAction,
        reason: Annotated[str, Form(max_length=_MAX_FORM_CHARS)] = "",
        next: Annotated[str, Form(max_length=2000)] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = require_moderator(request)
        check_write(request, viewer, csrf_token)
        try:
            _on_comment(viewer, comment_id, action, reason)
        except HTTPException as refused:
            return _queue_page(error=str(refused.detail), status=refused.status_code)
        return _done(action, _after_delete(comment_id, next) if action == "delete" else next)

    @router.post("/moderation/users/{user_id:int}/{action}", include_in_schema=False)
    async def user_action_form(
        request: Request,
        user_id: int,
        action: UserAction,
        reason: Annotated[str, Form(max_length=_MAX_FORM_CHARS)] = "",
        # Read only to suspend: to warn or ban with the field cleared (or anything in it)
        # is no error.
        duration: Annotated[str, Form(max_length=20)] = "",
        unit: Annotated[Literal["hours", "days"], Form()] = "days",
        comment_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
        next: Annotated[str, Form(max_length=2000)] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = require_moderator(request)
        check_write(request, viewer, csrf_token)
        try:
            length = _suspension(duration, unit) if action == "suspend" else None
            _on_user(viewer, user_id, action, reason, length, comment_id)
        except HTTPException as refused:
            return _queue_page(error=str(refused.detail), status=refused.status_code)
        return _done(action, next)

    # The API ------------------------------------------------------------------------------

    @router.get("/api/moderation/queue", tags=TAGS, responses=ERRORS)
    async def api_queue(request: Request) -> JSONResponse:
        """What waits for a moderator: ``held`` comments (automatic pre-moderation, with
        its reasons) and ``reported`` ones, each with its author and its open reports
        grouped by reason."""
        require_moderator(request)
        return JSONResponse(_queue())

    @router.get("/api/moderation/log", tags=TAGS, responses=ERRORS)
    async def api_log(
        request: Request,
        before: Annotated[
            int | None, Query(ge=1, le=MAX_ID, description="`older_than` of the last page")
        ] = None,
    ) -> JSONResponse:
        """Every moderation action, newest first, 50 a page."""
        require_moderator(request)
        return JSONResponse(_log(before))

    @router.post("/api/moderation/comments/{comment_id:int}/{action}", tags=TAGS, responses=ERRORS)
    async def api_comment_action(
        request: Request, comment_id: int, action: CommentAction, given: CommentActionIn
    ) -> JSONResponse:
        """``approve`` (show a held or hidden comment, dismiss its reports), ``hide`` or
        ``delete`` a comment. The author is notified; the answer is the log entry."""
        viewer = require_moderator(request)
        check_write(request, viewer)
        return JSONResponse(_on_comment(viewer, comment_id, action, given.reason))

    @router.post("/api/moderation/users/{user_id:int}/{action}", tags=TAGS, responses=ERRORS)
    async def api_user_action(
        request: Request, user_id: int, action: UserAction, given: UserActionIn
    ) -> JSONResponse:
        """``warn`` a reader, ``suspend`` them from posting for ``hours`` and/or ``days``,
        ``ban`` them, or ``reinstate`` them. The reader is notified; the answer is the
        log entry."""
        viewer = require_moderator(request)
        check_write(request, viewer)
        length = None
        if action == "suspend":
            length = timedelta(hours=given.hours or 0, days=given.days or 0)
        return JSONResponse(
            _on_user(viewer, user_id, action, given.reason, length, given.comment_id)
        )

    return router


def _entry(entry: ModerationAction) -> dict[str, Any]:
    return {
        "id": entry.id,
        "action": entry.action,
        "moderator_id": entry.moderator_id,
        "comment_id": entry.comment_id,
        "user_id": entry.user_id,
        "reason": entry.reason,
        "until": iso(entry.until),
        "created_at": iso(entry.created_at),
    }


def _known(item_id: int) -> None:
    if item_id > MAX_ID:
        raise HTTPException(404, f"nothing has id {item_id}")


def _suspension(duration: str, unit: str) -> timedelta:
    """The queue form's suspension length; a refusal says what to write."""
    try:
        count = int(duration.strip())
    except ValueError:
        raise HTTPException(400, f"Say how many {unit} to suspend for. {_TOO_LONG}") from None
    if not 1 <= count <= (_MAX_HOURS if unit == "hours" else _MAX_DAYS):
        raise HTTPException(400, _TOO_LONG)
    return timedelta(**{unit: count})
