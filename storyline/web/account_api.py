"""Accounts through the API (sign-up, sign-in and out, the account, its browsers, tokens
and preferences, password resets by mail) and the operations the account pages share.

Each operation is written once, as a method of :class:`AccountOperations` that returns or
raises an ``HTTPException`` whose detail a reader can act on: an API call gets it as
``{"detail": …}``, and a page (:mod:`storyline.web.accounts`) shows it beside its form,
with the same status. Both answer with the same view dicts.

What protects an account here:

- the session cookie is HttpOnly, SameSite=Lax, and Secure over https; every sign-in
  starts a new server-side session (a cookie planted before it never becomes signed in)
  and gets a new CSRF token;
- sign-in and every password confirmation (which a banned reader passes too, to delete
  their account) are throttled per account and per address: the client's address as the
  server sees it, since an ``X-Forwarded-For`` header is anybody's to write;
- a password-reset request gets the same answer whether or not the address has an
  account, and the mail is sent after the answer, so neither text nor timing tells;
- an API token can do what its owner can, except make more tokens: a stolen token
  must not outlive its revocation through a copy of itself.

Argon2 is slow on purpose (a tenth of a second of CPU at the default cost), so the
handlers that hash are plain functions, which FastAPI runs in its thread pool, off the
event loop; and no hash is made inside a write transaction, whose writer lock every other
writer (on SQLite, in every process) waits for. A sign-in or a password confirmation is
three steps (:func:`accounts.record_attempt`, :func:`accounts.check_password` with no
transaction open, :func:`accounts.finish_attempt`), and a new password is hashed before
the write that stores it opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, BackgroundTasks, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from storyline.readers import accounts
from storyline.readers.accounts import MAX_PASSWORD, AccountError, SignInThrottled
from storyline.readers.digest import KINDS as DIGEST_KINDS
from storyline.readers.mail import Mailer, MailError, password_reset_mail
from storyline.readers.notifications import NOTIFICATION_KINDS, unread_count
from storyline.readers.notifications import wants as wants_notification
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import MAX_ID, ApiToken, PasswordReset, User
from storyline.views import iso
from storyline.web import csrf
from storyline.web.auth import SESSION_COOKIE, Viewer, check_write, current_viewer, require_viewer
from storyline.web.schemas import Problem

log = logging.getLogger(__name__)

T = TypeVar("T")
P = TypeVar("P")
DIGEST_CHOICES = ("off", *DIGEST_KINDS)
# One reset mail per account per this long, so the form cannot fill somebody's inbox.
RESET_MAIL_GAP = timedelta(minutes=1)
TAGS: list[str | Enum] = ["account"]
MAX_SECRET = 100  # longest session token, reset token or invitation code taken
SENT = (
    "If an account uses that address, a link to choose a new password is on its way. "
    "It works once, within an hour."
)
NO_MAIL = (
    "Password reset by mail is not available here: this site sends no mail. Ask an admin "
    "for a reset link (they run `storyline users reset-link EMAIL` on the server)."
)
WRONG_PASSWORD = "The password is not right."
EXPIRED = "That reset link has expired or was used; ask for a new one."


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUpIn(_In):
    email: str = Field(max_length=320, examples=["ines@example.org"])
    name: str = Field(max_length=100, description="Shown beside your comments: 2 to 40 letters.")
    password: str = Field(max_length=MAX_PASSWORD, description="10 characters or more.")
    invite: str | None = Field(None, max_length=MAX_SECRET, description="If sign-up is by invite.")


class SignInIn(_In):
    email: str = Field(max_length=320)
    password: str = Field(max_length=MAX_PASSWORD)


class PasswordIn(_In):
    current: str = Field(max_length=MAX_PASSWORD)
    new: str = Field(max_length=MAX_PASSWORD)


class PasswordOnly(_In):
    password: str = Field(max_length=MAX_PASSWORD)


class EmailIn(_In):
    email: str = Field(max_length=320)


class TokenIn(_In):
    name: str = Field(min_length=1, max_length=100, description="What will use it, e.g. an app.")


class PreferencesIn(_In):
    """Only what is sent changes."""

    notify: dict[Literal["development", "reply", "moderation"], bool] | None = None
    digest: Literal["off", "daily", "weekly"] | None = None


class PreferencesOut(BaseModel):
    notify: dict[str, bool] = Field(description="Each notification kind, on or off.")
    digest: str = Field(description="off, daily or weekly.")


class AccountOut(BaseModel):
    id: int
    name: str
    email: str
    role: str = Field(description="reader, moderator or admin.")
    status: str = Field(description="active, suspended or banned.")
    suspended_until: str | None
    created_at: str
    preferences: PreferencesOut
    unread: int = Field(description="Unread notifications.")


class SessionOut(BaseModel):
    id: str
    current: bool = Field(description="Whether this request comes through this session.")
    created_at: str
    last_seen_at: str
    user_agent: str | None
    address: str | None


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: str
    last_used_at: str | None = Field(
        description="When an API call last came with it, to within ten minutes; null: never."
    )


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret, shown this once: `Authorization: Bearer …`.")


class InviteOut(BaseModel):
    code: str = Field(description="Shown this once.")
    link: str = Field(description="The sign-up page with the code filled in.")


class Notice(BaseModel):
    detail: str


def preferences_view(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """The stored preferences with every notification kind and the digest spelled out."""
    stored = dict(raw or {})
    digest = stored.get("digest")
    return {
        **stored,
        "notify": {kind: wants_notification(stored, kind) for kind in NOTIFICATION_KINDS},
        "digest": digest if digest in DIGEST_CHOICES else "off",
    }


def account_view(user: User, unread: int) -> dict[str, Any]:
    """The account as ``/api/account`` gives it and the account page shows it."""
    return {
        **accounts.user_view(user),
        "preferences": preferences_view(user.preferences),
        "unread": unread,
    }


def session_view(info: accounts.SessionInfo, current: str | None) -> dict[str, Any]:
    return {
        "id": info.id,
        "current": info.id == current,
        "created_at": iso(info.created_at),
        "last_seen_at": iso(info.last_seen_at),
        "user_agent": info.user_agent,
        "address": info.address,
    }


def token_view(row: ApiToken) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "created_at": iso(row.created_at),
        "last_used_at": iso(row.last_used_at),
    }


def user_of(session: Session, viewer: Viewer) -> User:
    """The viewer's account row; 401 if it was deleted since the request began."""
    user = session.get(User, viewer.id)
    if user is None:
        raise HTTPException(401, "this account no longer exists")
    return user


def no_store(response: Response) -> Response:
    response.headers["cache-control"] = "no-store"
    return response


def signed_out(response: Response, request: Request) -> Response:
    """``response``, clearing the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return no_store(response)


def _refusal(error: AccountError, status: int = 400, message: str | None = None) -> HTTPException:
    """The answer to a refused account operation: 429 with ``Retry-After`` when sign-in
    is throttled, else ``status`` with the reason (or ``message``)."""
    if isinstance(error, SignInThrottled):
        return HTTPException(429, str(error), {"Retry-After": str(error.retry_after)})
    return HTTPException(status, message or str(error))


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _mailed_lately(session: Session, user_id: int, now: datetime) -> bool:
    recent = select(PasswordReset.digest).where(
        PasswordReset.user_id == user_id, PasswordReset.created_at > now - RESET_MAIL_GAP
    )
    return session.scalar(recent.limit(1)) is not None


class AccountOperations:
    """What can be done to an account, for the API and the pages alike."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.mailer = Mailer(settings)

    # Cookies and sessions ---------------------------------------------------------------

    def signed_in(self, response: Response, request: Request, token: str) -> Response:
        """Give the browser its new session, and a new CSRF token with it (also in an
        ``X-CSRF-Token`` header, for API callers)."""
        secure = request.url.scheme == "https"
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=self.settings.session_days * 24 * 3600,
            path="/",
            secure=secure,
            httponly=True,
            samesite="lax",
        )
        fresh = csrf.new_csrf_token()
        csrf.remember(response, fresh, secure=secure)
        response.headers["x-csrf-token"] = fresh
        return no_store(response)

    def _start(self, session: Session, request: Request, user: User) -> str:
        """A new session for ``user``; the one this browser had (anybody's) ends."""
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            accounts.end_session(session, previous)
        agent = request.headers.get("user-agent")
        return accounts.start_session(
            session, user, self.settings, user_agent=agent, address=_address(request)
        )

    def end_this_session(self, request: Request) -> None:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            with self.database.write() as session:
                accounts.end_session(session, token)

    # Operations: each returns, or raises HTTPException with the reason ------------------

    def sign_up(self, request: Request, form: SignUpIn) -> tuple[dict[str, Any], str]:
        """The new account's view and its session token."""
        if self.settings.registration == "closed":
            raise HTTPException(403, "This site is not taking new accounts.")
        # Hashed before the write opens (the form's other checks come in their order inside).
        password_hash = accounts.hash_password(form.password, self.settings)
        try:
            with self.database.write() as session:
                user = accounts.register(
                    session,
                    self.settings,
                    email=form.email,
                    name=form.name,
                    password=form.password,
                    invite=form.invite,
                    password_hash=password_hash,
                )
                return account_view(user, 0), self._start(session, request, user)
        except AccountError as error:
            raise _refusal(error) from error

    def sign_in(self, request: Request, email: str, password: str) -> tuple[dict[str, Any], str]:
        """The account's view and a new session token."""
        try:
            with self.database.write() as session:
                attempt = accounts.record_attempt(
                    session,
                    self.settings,
                    email=email,
                    user=accounts.get_user_by_email(session, email),
                    address=_address(request),
                    now=datetime.now(UTC),
                )
            rehash = accounts.check_password(attempt, password, self.settings)  # no lock held
            with self.database.write() as session:
                user = accounts.finish_attempt(session, attempt, rehash)
                if user is not None:
                    account = account_view(user, unread_count(session, user.id))
                    return account, self._start(session, request, user)
            raise AccountError(accounts.NO_MATCH)  # deleted, or a new password, meanwhile
        except AccountError as error:
            raise _refusal(error, 401) from error

    def _confirmed(
        self,
        request: Request,
        viewer: Viewer,
        password: str,
        then: Callable[[Session, User, P], T],
        prepare: Callable[[], P],
    ) -> T:
        """``then(session, user, prepare())`` once ``password`` is the viewer's, checked
        and throttled as a sign-in is (a banned reader may confirm too). ``prepare`` runs
        once the password matched, with no transaction open: the place to hash."""
        try:
            with self.database.write() as session:
                user = user_of(session, viewer)
                attempt = accounts.record_attempt(
                    session,
                    self.settings,
                    email=user.email,
                    user=user,
                    address=_address(request),
                    now=datetime.now(UTC),
                )
            rehash = accounts.check_password(attempt, password, self.settings)  # no lock held
        except AccountError as error:
            raise _refusal(error, 401, WRONG_PASSWORD) from error
        prepared = prepare()
        refused: AccountError | None = None
        with self.database.write() as session:
            confirmed = accounts.finish_attempt(session, attempt, rehash)
            if confirmed is not None:
                try:
                    # Refused, ``then``'s work is undone, and the password still counts
                    # as right: its failure is forgotten all the same.
                    with session.begin_nested():
                        return then(session, confirmed, prepared)
                except AccountError as error:
                    refused = error
        if refused is not None:
            raise _refusal(refused) from refused
        raise HTTPException(401, WRONG_PASSWORD)  # deleted, or a new password, meanwhile

    def change_password(
        self, request: Request, viewer: Viewer, current: str, new: str
    ) -> str | None:
        """Set a new password. Every session ends; a browser (not an API token) gets a
        new one, whose token is returned. API tokens keep working: their owner changed the
        password, knowing the old one (a reset, which does not need it, revokes them)."""
        try:
            accounts.check_password_rules(new, viewer.email)
        except AccountError as error:
            raise _refusal(error) from error

        def new_hash() -> str:
            return accounts.hash_password(new, self.settings)

        def change(session: Session, user: User, password_hash: str) -> str | None:
            accounts.set_password(session, user, new, password_hash=password_hash)
            return None if viewer.session_id is None else self._start(session, request, user)

        return self._confirmed(request, viewer, current, change, new_hash)

    def delete(self, request: Request, viewer: Viewer, password: str) -> None:
        """Delete the viewer's account, confirmed by its password; the last admin's is
        refused (400), since without an admin the operator pages are everyone's."""

        def remove(session: Session, user: User, _: None) -> None:
            accounts.delete_user(session, user)

        self._confirmed(request, viewer, password, remove, lambda: None)

    def account(self, viewer: Viewer) -> dict[str, Any]:
        with self.database.read() as session:
            return account_view(user_of(session, viewer), unread_count(session, viewer.id))

    def preferences(self, viewer: Viewer, change: PreferencesIn) -> dict[str, Any]:
        with self.database.write() as session:
            user = user_of(session, viewer)
            stored = dict(user.preferences or {})
            if change.notify is not None:
                stored["notify"] = {**(stored.get("notify") or {}), **change.notify}
            if change.digest is not None:
                stored["digest"] = change.digest
            user.preferences = stored  # a new dict: a JSON column misses changes inside one
            return preferences_view(stored)

    def new_token(self, viewer: Viewer, name: str) -> dict[str, Any]:
        if viewer.session_id is None:
            raise HTTPException(403, "an API token cannot make tokens: sign in to make one")
        try:
            with self.database.write() as session:
                row, secret = accounts.create_api_token(session, user_of(session, viewer), name)
                return {**token_view(row), "token": secret}
        except AccountError as error:
            raise _refusal(error) from error

    def revoke_token(self, viewer: Viewer, token_id: int) -> None:
        # An id past the database's range names no token (and would fail in the query).
        with self.database.write() as session:
            if not (
                0 < token_id <= MAX_ID and accounts.revoke_api_token(session, viewer.id, token_id)
            ):
                raise HTTPException(404, f"you have no API token {token_id}")

    def end_session(self, viewer: Viewer, session_id: str) -> None:
        # Session ids are sha256 digests in hex: anything else (U+0000, which PostgreSQL
        # cannot take in a query, among it) names no session.
        if accounts.SESSION_ID.fullmatch(session_id) is None:
            raise HTTPException(404, "you have no such signed-in browser")
        with self.database.write() as session:
            if not accounts.end_session_by_id(session, viewer.id, session_id):
                raise HTTPException(404, "you have no such signed-in browser")

    def end_all(self, viewer: Viewer) -> None:
        with self.database.write() as session:
            accounts.end_all_sessions(session, viewer.id)

    def invite(self, viewer: Viewer) -> dict[str, str]:
        if not viewer.is_admin:
            raise HTTPException(403, "only admins may invite")
        with self.database.write() as session:
            code = accounts.create_invite(session, user_of(session, viewer))
        return {"code": code, "link": f"{self.settings.public_url}/signup?invite={code}"}

    def ask_reset(self, email: str, background: BackgroundTasks) -> None:
        if not self.mailer.configured:
            raise HTTPException(503, NO_MAIL)
        background.add_task(self._send_reset, email)

    def _send_reset(self, email: str) -> None:
        """Mail a reset link if ``email`` has an account (run once the answer is sent)."""
        now = datetime.now(UTC)
        with self.database.write() as session:
            user = accounts.get_user_by_email(session, email)
            if user is None or _mailed_lately(session, user.id, now):
                return
            token = accounts.create_reset(session, user, now)
            user_id, name, address = user.id, user.name, user.email
        link = f"{self.settings.public_url}/reset/{token}"
        subject, text, html = password_reset_mail(
            self.settings, name, link, accounts.RESET_LIFETIME
        )
        try:
            self.mailer.send(address, subject, text, html)
        except MailError as error:
            log.warning("password reset mail to account %s not sent: %s", user_id, error)

    def reset_is_valid(self, token: str) -> bool:
        with self.database.read() as session:
            return accounts.reset_is_valid(session, token)

    def use_reset(self, request: Request, token: str, password: str) -> tuple[dict[str, Any], str]:
        """The account's view and a new session token, once the new password is set."""
        if not self.reset_is_valid(token):
            raise HTTPException(410, EXPIRED)
        password_hash = accounts.hash_password(password, self.settings)  # before the write
        try:
            with self.database.write() as session:
                user = accounts.use_reset(session, token, password, password_hash=password_hash)
                return account_view(user, 0), self._start(session, request, user)
        except AccountError as error:
            raise _refusal(error) from error

    def export(self, viewer: Viewer) -> Response:
        """Everything kept about the viewer, as a JSON attachment."""
        with self.database.read() as session:
            data = accounts.export_user(session, user_of(session, viewer))
        name = f"storyline-account-{viewer.id}-{datetime.now(UTC):%Y-%m-%d}.json"
        disposition = {"content-disposition": f'attachment; filename="{name}"'}
        return no_store(JSONResponse(data, headers=disposition))


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": Problem} for status in statuses}


def build_account_api_router(settings: Settings, database: Database) -> APIRouter:
    """The ``/api/`` calls about accounts."""
    router = APIRouter(tags=TAGS)
    ops = AccountOperations(settings, database)

    @router.post(
        "/api/signup", status_code=201, response_model=AccountOut, responses=_problems(400, 403)
    )
    def api_signup(request: Request, form: SignUpIn) -> Response:
        """Create an account and sign in: sets the session cookie, and gives this browser's
        CSRF token for later writes in an ``X-CSRF-Token`` header."""
        csrf.check_origin(request)
        account, token = ops.sign_up(request, form)
        return ops.signed_in(JSONResponse(account, status_code=201), request, token)

    @router.post("/api/signin", response_model=AccountOut, responses=_problems(401, 403, 429))
    def api_signin(request: Request, form: SignInIn) -> Response:
        """Sign in: sets the session cookie and gives the CSRF token in an ``X-CSRF-Token``
        header. Repeated failures are throttled: 429, with ``Retry-After``."""
        csrf.check_origin(request)
        account, token = ops.sign_in(request, form.email, form.password)
        return ops.signed_in(JSONResponse(account), request, token)

    @router.post("/api/signout", status_code=204, responses=_problems(400, 403))
    async def api_signout(request: Request) -> Response:
        """End this session and clear its cookie."""
        viewer = current_viewer()
        check_write(request, viewer)
        if viewer is not None and viewer.session_id is None:
            raise HTTPException(400, "an API token is not a session: revoke it to end it")
        ops.end_this_session(request)
        return signed_out(Response(status_code=204), request)

    @router.get("/api/account", response_model=AccountOut, responses=_problems(401))
    async def api_account(request: Request) -> Response:
        """The signed-in account (by session cookie or personal API token)."""
        return no_store(JSONResponse(ops.account(require_viewer(request))))

    @router.patch(
        "/api/account/preferences", response_model=PreferencesOut, responses=_problems(401, 403)
    )
    async def api_preferences(request: Request, change: PreferencesIn) -> Response:
        """Switch notification kinds on or off, and choose the mail digest."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        return JSONResponse(ops.preferences(viewer, change))

    @router.get("/api/account/tokens", response_model=list[TokenOut], responses=_problems(401))
    async def api_tokens(request: Request) -> Response:
        """Your personal API tokens, with when each was last used (their secrets are never
        shown again)."""
        viewer = require_viewer(request)
        with database.read() as session:
            rows = accounts.list_api_tokens(session, viewer.id)
            return no_store(JSONResponse([token_view(row) for row in rows]))

    @router.post(
        "/api/account/tokens",
        status_code=201,
        response_model=NewTokenOut,
        responses=_problems(400, 401, 403),
    )
    async def api_new_token(request: Request, form: TokenIn) -> Response:
        """Make a personal API token; its secret is in this answer only. Needs a signed-in
        session: a token cannot make tokens."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        return no_store(JSONResponse(ops.new_token(viewer, form.name), status_code=201))

    @router.delete(
        "/api/account/tokens/{token_id:int}", status_code=204, responses=_problems(401, 403, 404)
    )
    async def api_revoke_token(request: Request, token_id: int) -> Response:
        """Revoke a personal API token: it is refused from now on."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        ops.revoke_token(viewer, token_id)
        return Response(status_code=204)

    @router.get("/api/account/sessions", response_model=list[SessionOut], responses=_problems(401))
    async def api_sessions(request: Request) -> Response:
        """The browsers signed in to your account, the most recently used first."""
        viewer = require_viewer(request)
        with database.read() as session:
            infos = accounts.list_sessions(session, viewer.id, datetime.now(UTC))
        return no_store(JSONResponse([session_view(i, viewer.session_id) for i in infos]))

    @router.delete(
        "/api/account/sessions/{session_id}", status_code=204, responses=_problems(401, 403, 404)
    )
    async def api_end_session(
        request: Request, session_id: Annotated[str, Path(max_length=64)]
    ) -> Response:
        """Sign one browser out."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        ops.end_session(viewer, session_id)
        if session_id == viewer.session_id:
            return signed_out(Response(status_code=204), request)
        return Response(status_code=204)

    @router.delete("/api/account/sessions", status_code=204, responses=_problems(401, 403))
    async def api_end_all(request: Request) -> Response:
        """Sign out everywhere, this browser too. API tokens stay valid."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        ops.end_all(viewer)
        return signed_out(Response(status_code=204), request)

    @router.post(
        "/api/account/password", response_model=AccountOut, responses=_problems(400, 401, 403, 429)
    )
    def api_password(request: Request, form: PasswordIn) -> Response:
        """Change the password. Every session ends; a session-cookie caller gets a new one.
        API tokens keep working (a password reset revokes them)."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        token = ops.change_password(request, viewer, form.current, form.new)
        data = JSONResponse(ops.account(viewer))
        return data if token is None else ops.signed_in(data, request, token)

    @router.get("/api/account/export", responses=_problems(401))
    async def api_export(request: Request) -> Response:
        """Everything Storyline keeps about you, as a JSON attachment."""
        return ops.export(require_viewer(request))

    @router.delete("/api/account", status_code=204, responses=_problems(400, 401, 403, 429))
    def api_delete(request: Request, form: PasswordOnly) -> Response:
        """Delete your account, confirmed by its password (a banned account too). Comments
        with replies keep their place as "[deleted]"; everything else the account owned
        goes. The only admin account is refused (400): make another account admin first."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        ops.delete(request, viewer, form.password)
        return signed_out(Response(status_code=204), request)

    @router.post(
        "/api/account/invites",
        status_code=201,
        response_model=InviteOut,
        responses=_problems(401, 403),
    )
    async def api_invite(request: Request) -> Response:
        """Make an invitation code (admins only), for sign-up by invitation."""
        viewer = require_viewer(request)
        check_write(request, viewer)
        return no_store(JSONResponse(ops.invite(viewer), status_code=201))

    @router.post("/api/reset", status_code=202, response_model=Notice, responses=_problems(503))
    async def api_reset(request: Request, form: EmailIn, background: BackgroundTasks) -> Response:
        """Ask for a password-reset link by mail. The answer is the same whether or not an
        account uses the address; 503 when this site sends no mail."""
        csrf.check_origin(request)
        ops.ask_reset(form.email, background)
        return JSONResponse({"detail": SENT}, status_code=202)

    @router.post(
        "/api/reset/{token}", response_model=AccountOut, responses=_problems(400, 403, 410)
    )
    def api_use_reset(
        request: Request, token: Annotated[str, Path(max_length=MAX_SECRET)], form: PasswordOnly
    ) -> Response:
        """Set a new password with a reset link's token (it works once), and sign in. Every
        other session ends, and every API token of the account is revoked."""
        csrf.check_origin(request)
        account, session_token = ops.use_reset(request, token, form.password)
        return ops.signed_in(JSONResponse(account), request, session_token)

    return router
