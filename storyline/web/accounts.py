"""Accounts on the web: the pages and forms for sign-up, sign-in and out, the account
page (password, browsers, API tokens, preferences, invitations, data, deletion) and
password resets by mail.

Every form calls the same operation as its ``/api/`` twin in
:mod:`storyline.web.account_api`, which also says what protects an account. A refusal
comes back as the page again, with its status and the reason beside the form, the fields
kept (never a password); a success answers ``303`` to the next page, so each form works
without JavaScript. Forms whose operation hashes a password are plain functions, which
FastAPI runs in its thread pool, off the event loop.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from storyline.readers import accounts
from storyline.readers.accounts import MAX_PASSWORD
from storyline.readers.notifications import NOTIFICATION_KINDS, NOTIFICATION_LABELS
from storyline.settings import Settings
from storyline.store import Database
from storyline.web import csrf
from storyline.web.account_api import (
    DIGEST_CHOICES,
    EXPIRED,
    MAX_SECRET,
    SENT,
    AccountOperations,
    PreferencesIn,
    SignUpIn,
    account_view,
    no_store,
    session_view,
    signed_out,
    token_view,
    user_of,
)
from storyline.web.auth import Viewer, check_write, current_viewer, local_path, require_viewer
from storyline.web.rendering import Pages

_NOTICES = {
    "welcome": "Welcome! Your account is ready, and you are signed in.",
    "password": (
        "Your password is changed. Every other browser is signed out; your API tokens keep working."
    ),
    "reset": (
        "Your new password is set and you are signed in. Every other browser is signed out, "
        "and every API token of the account is revoked."
    ),
    "session": "That browser is signed out.",
    "token": "The token is revoked: apps using it are refused from now on.",
    "preferences": "Your notification and digest choices are saved.",
    "signed-out": "You are signed out.",
    "everywhere": "You are signed out everywhere, this browser too.",
    "deleted": "Your account is deleted, with everything it owned.",
}


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def build_accounts_router(settings: Settings, database: Database, pages: Pages) -> APIRouter:
    """The account pages and their forms."""
    router = APIRouter()
    ops = AccountOperations(settings, database)

    def _page(
        template: str, error: HTTPException | None = None, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """``template`` rendered; with ``error``, its status, headers and reason."""
        body = pages.render(template, error=error.detail if error else None, **context)
        headers = dict(error.headers or {}) if error else None
        response = HTMLResponse(body, error.status_code if error else status, headers)
        no_store(response)
        return response

    def _account_page(
        viewer: Viewer,
        error: HTTPException | None = None,
        *,
        error_section: str | None = None,
        notice: str | None = None,
        new_token: dict[str, Any] | None = None,
        new_invite: dict[str, str] | None = None,
    ) -> HTMLResponse:
        """The account page; a secret just made (``new_token``, ``new_invite``) is shown
        on it this once."""
        now = datetime.now(UTC)
        with database.read() as session:
            user = user_of(session, viewer)
            sessions = accounts.list_sessions(session, viewer.id, now)
            context: dict[str, Any] = {
                "account": account_view(user, viewer.unread),
                "sessions": [session_view(info, viewer.session_id) for info in sessions],
                "tokens": [token_view(row) for row in accounts.list_api_tokens(session, user.id)],
                # The first account of a fresh install is told how to become its admin.
                "no_admin": not accounts.has_admin(session)
                and accounts.first_user_id(session) == user.id,
            }
        return _page(
            "account.html",
            error,
            error_section=error_section,
            notice=notice,
            new_token=new_token,
            new_invite=new_invite,
            registration=settings.registration,
            mail_configured=ops.mailer.configured,
            notification_labels=NOTIFICATION_LABELS,
            digest_choices=DIGEST_CHOICES,
            **context,
        )

    def _signup_page(error: HTTPException | None = None, **form: str) -> HTMLResponse:
        fields = {"email": "", "name": "", "invite": "", **form}
        return _page("signup.html", error, registration=settings.registration, form=fields)

    def _signin_page(
        target: str, error: HTTPException | None = None, email: str = "", done: str = ""
    ) -> HTMLResponse:
        return _page(
            "signin.html",
            error,
            notice=_NOTICES.get(done),
            next=target,
            email=email,
            registration=settings.registration,
        )

    def _reset_page(error: HTTPException | None = None, **shown: Any) -> HTMLResponse:
        defaults = {"mode": "ask", "sent": False, "token": ""}
        return _page(
            "reset.html",
            error,
            mail_configured=ops.mailer.configured,
            sent_text=SENT,
            **{**defaults, **shown},
        )

    @router.get("/signup", response_class=HTMLResponse, include_in_schema=False)
    async def signup_page(
        invite: Annotated[str | None, Query(max_length=MAX_SECRET)] = None,
    ) -> Response:
        if current_viewer() is not None:
            return _see("/account")
        return _signup_page(invite=invite or "")

    @router.post("/signup", response_class=HTMLResponse, include_in_schema=False)
    def signup_form(
        request: Request,
        email: Annotated[str, Form(max_length=320)],
        name: Annotated[str, Form(max_length=100)],
        password: Annotated[str, Form(max_length=MAX_PASSWORD)],
        invite: Annotated[str | None, Form(max_length=MAX_SECRET)] = None,
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        check_write(request, None, csrf_token)
        form = SignUpIn(email=email, name=name, password=password, invite=invite)
        try:
            _, token = ops.sign_up(request, form)
        except HTTPException as error:
            return _signup_page(error, email=email, name=name, invite=invite or "")
        return ops.signed_in(_see("/account?done=welcome"), request, token)

    @router.get("/signin", response_class=HTMLResponse, include_in_schema=False)
    async def signin_page(
        next: Annotated[str | None, Query(max_length=2000)] = None,
        done: Annotated[str, Query(max_length=20)] = "",
    ) -> Response:
        target = local_path(next)
        if current_viewer() is not None and not done:
            return _see(target)
        return _signin_page(target, done=done)

    @router.post("/signin", response_class=HTMLResponse, include_in_schema=False)
    def signin_form(
        request: Request,
        email: Annotated[str, Form(max_length=320)],
        password: Annotated[str, Form(max_length=MAX_PASSWORD)],
        next: Annotated[str | None, Form(max_length=2000)] = None,
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        check_write(request, None, csrf_token)
        target = local_path(next)
        try:
            _, token = ops.sign_in(request, email, password)
        except HTTPException as error:
            return _signin_page(target, error, email=email)
        return ops.signed_in(_see(target), request, token)

    @router.post("/signout", include_in_schema=False)
    async def signout_form(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        check_write(request, current_viewer(), csrf_token)
        ops.end_this_session(request)
        return signed_out(_see("/signin?done=signed-out"), request)

    @router.get("/reset", response_class=HTMLResponse, include_in_schema=False)
    async def reset_page() -> Response:
        return _reset_page()

    @router.post("/reset", response_class=HTMLResponse, include_in_schema=False)
    async def reset_form(
        request: Request,
        background: BackgroundTasks,
        email: Annotated[str, Form(max_length=320)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        check_write(request, None, csrf_token)
        try:
            ops.ask_reset(email, background)
        except HTTPException as error:
            return _reset_page(error)
        return _reset_page(sent=True)

    @router.get("/reset/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def reset_link_page(token: Annotated[str, Path(max_length=MAX_SECRET)]) -> Response:
        if not ops.reset_is_valid(token):
            return _reset_page(HTTPException(410, EXPIRED), mode="expired")
        return _reset_page(mode="set", token=token)

    @router.post("/reset/{token}", response_class=HTMLResponse, include_in_schema=False)
    def reset_link_form(
        request: Request,
        token: Annotated[str, Path(max_length=MAX_SECRET)],
        password: Annotated[str, Form(max_length=MAX_PASSWORD)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        check_write(request, None, csrf_token)
        try:
            _, session_token = ops.use_reset(request, token, password)
        except HTTPException as error:
            mode = "expired" if error.status_code == 410 else "set"
            return _reset_page(error, mode=mode, token=token)
        return ops.signed_in(_see("/account?done=reset"), request, session_token)

    @router.get("/account", response_class=HTMLResponse, include_in_schema=False)
    async def account_page(
        request: Request, done: Annotated[str, Query(max_length=20)] = ""
    ) -> Response:
        return _account_page(require_viewer(request), notice=_NOTICES.get(done))

    @router.post("/account/password", response_class=HTMLResponse, include_in_schema=False)
    def password_form(
        request: Request,
        current: Annotated[str, Form(max_length=MAX_PASSWORD)],
        new: Annotated[str, Form(max_length=MAX_PASSWORD)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        try:
            token = ops.change_password(request, viewer, current, new)
        except HTTPException as error:
            return _account_page(viewer, error, error_section="password")
        assert token is not None  # a page is always a browser's session
        return ops.signed_in(_see("/account?done=password"), request, token)

    @router.post("/account/preferences", response_class=HTMLResponse, include_in_schema=False)
    async def preferences_form(request: Request) -> Response:
        viewer = require_viewer(request)
        form = await request.form()
        token = form.get(csrf.FIELD)
        check_write(request, viewer, token if isinstance(token, str) else "")
        digest = form.get("digest", "off")
        if digest not in DIGEST_CHOICES:  # only a hand-made form sends another value
            refused = HTTPException(422, "Choose a digest: off, daily or weekly.")
            return _account_page(viewer, refused, error_section="preferences")
        notify = {kind: form.get(f"notify_{kind}") == "on" for kind in NOTIFICATION_KINDS}
        ops.preferences(viewer, PreferencesIn.model_validate({"notify": notify, "digest": digest}))
        return _see("/account?done=preferences#preferences")

    @router.post("/account/tokens", response_class=HTMLResponse, include_in_schema=False)
    async def token_form(
        request: Request,
        name: Annotated[str, Form(max_length=100)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        try:
            created = ops.new_token(viewer, name)
        except HTTPException as error:
            return _account_page(viewer, error, error_section="tokens")
        return _account_page(viewer, new_token=created)

    @router.post("/account/tokens/{token_id:int}/revoke", include_in_schema=False)
    async def revoke_form(
        request: Request, token_id: int, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        ops.revoke_token(viewer, token_id)  # 404 for an id no database holds
        return _see("/account?done=token#tokens")

    @router.post("/account/sessions/{session_id}/end", include_in_schema=False)
    async def end_session_form(
        request: Request,
        session_id: Annotated[str, Path(max_length=64)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        ops.end_session(viewer, session_id)
        if session_id == viewer.session_id:
            return signed_out(_see("/signin?done=signed-out"), request)
        return _see("/account?done=session#sessions")

    @router.post("/account/signout-everywhere", include_in_schema=False)
    async def everywhere_form(
        request: Request, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        ops.end_all(viewer)
        return signed_out(_see("/signin?done=everywhere"), request)

    @router.post("/account/invites", response_class=HTMLResponse, include_in_schema=False)
    async def invite_form(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        return _account_page(viewer, new_invite=ops.invite(viewer))

    @router.post("/account/delete", response_class=HTMLResponse, include_in_schema=False)
    def delete_form(
        request: Request,
        password: Annotated[str, Form(max_length=MAX_PASSWORD)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = require_viewer(request)
        check_write(request, viewer, csrf_token)
        try:
            ops.delete(request, viewer, password)
        except HTTPException as error:
            return _account_page(viewer, error, error_section="delete")
        return signed_out(_see("/signin?done=deleted"), request)

    @router.get("/account/export", include_in_schema=False)
    async def export_page(request: Request) -> Response:
        return ops.export(require_viewer(request))

    return router
