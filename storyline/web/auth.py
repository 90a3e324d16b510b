"""Who is asking: the signed-in reader of a request, and the checks on what they send.

:class:`ReaderContext` is an ASGI middleware that resolves the reader once per request:
from the session cookie on pages and API calls, or from a personal API token
(``Authorization: Bearer sl_…``) on ``/api/`` calls. The reader and this browser's CSRF
token are put in context variables, so every page render shows the right header (the
account, the notification bell) without each route passing them along.

State-changing requests are checked by :func:`check_write`: a form must carry the CSRF
token (:mod:`storyline.web.csrf`); an API call authenticated by the session cookie must
carry it in an ``X-CSRF-Token`` header (a page's script reads it from the form it
enhances); an API call authenticated by a bearer token needs neither, since a browser
never attaches that header to a cross-site request by itself.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request
from sqlalchemy import func, select, update
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyline.readers.accounts import (
    SEEN_EVERY,
    has_admin,
    session_user,
    token_user,
    touch_session,
)
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import ApiToken, Notification, User
from storyline.web.csrf import COOKIE as CSRF_COOKIE
from storyline.web.csrf import check_form, check_origin, new_csrf_token, same_token

SESSION_COOKIE = "storyline_session"
CSRF_HEADER = "x-csrf-token"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Viewer:
    """The signed-in reader of one request."""

    id: int
    name: str
    email: str
    role: str
    status: str
    suspended_until: datetime | None
    created_at: datetime
    preferences: dict[str, Any] = field(default_factory=dict)
    session_id: str | None = None  # None: signed in by an API token
    unread: int = 0

    @property
    def is_moderator(self) -> bool:
        return self.role in {"moderator", "admin"}

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def sanction(self, now: datetime | None = None) -> str | None:
        """Why this reader may not post now, or None."""
        moment = now or datetime.now(UTC)
        if self.status == "banned":
            return "Your account is banned from posting."
        if self.status == "suspended" and (
            self.suspended_until is None or self.suspended_until > moment
        ):
            until = self.suspended_until
            when = f" until {until:%d %B %Y, %H:%M} UTC" if until else ""
            return f"Your account is suspended from posting{when}."
        return None


_viewer: ContextVar[Viewer | None] = ContextVar("storyline_viewer", default=None)
_csrf: ContextVar[str | None] = ContextVar("storyline_csrf", default=None)


def current_viewer() -> Viewer | None:
    """The reader of the request being served (None: nobody is signed in)."""
    return _viewer.get()


def current_csrf() -> str:
    """This browser's CSRF token for the forms of the page being rendered."""
    return _csrf.get() or ""


class SignInRequired(Exception):
    """Raised by :func:`require_viewer` on a page: answered with a redirect to sign in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def require_viewer(request: Request) -> Viewer:
    """The signed-in reader, or 401 (API) / a redirect to the sign-in page."""
    viewer = _viewer.get()
    if viewer is not None:
        return viewer
    if request.url.path.startswith("/api/"):
        raise HTTPException(
            401, "sign in, or send a personal API token", {"WWW-Authenticate": "Bearer"}
        )
    raise SignInRequired(local_path(request.url.path + _query(request)))


def require_moderator(request: Request) -> Viewer:
    """A moderator (or admin) in good standing: one who is suspended or banned has no
    more say over others' comments than over their own."""
    viewer = require_viewer(request)
    if not viewer.is_moderator:
        raise HTTPException(403, "only moderators may do that")
    if viewer.sanction() is not None:
        raise HTTPException(403, "a suspended or banned moderator cannot moderate")
    return viewer


def require_admin(request: Request) -> Viewer:
    viewer = require_viewer(request)
    if not viewer.is_admin:
        raise HTTPException(403, "only admins may do that")
    return viewer


def require_operator(request: Request, database: Database) -> None:
    """Operator actions (feeds, entity corrections) are open on an installation without an
    admin account, as on a laptop run by one person, and admin-only once one exists."""
    viewer = _viewer.get()
    if viewer is not None and viewer.is_admin:
        return
    with database.read() as session:
        if not has_admin(session):
            return
    if viewer is None:
        require_viewer(request)
    raise HTTPException(403, "only admins may change feeds and corrections here")


def check_write(request: Request, viewer: Viewer | None, form_token: str | None = None) -> None:
    """Refuse a state-changing request that could have been forged by another site."""
    if form_token is not None:
        check_form(request, form_token)
        return
    if viewer is not None and viewer.session_id is None:
        return  # a bearer token: no browser sends it by itself
    check_origin(request)
    if not same_token(request.cookies.get(CSRF_COOKIE), request.headers.get(CSRF_HEADER)):
        raise HTTPException(
            403, "send this browser's CSRF token in an X-CSRF-Token header, or use an API token"
        )


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default``: what a ``next``
    parameter may redirect to (``//evil.example``, ``/\\evil``, ``https://…`` are not)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 32 or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def _query(request: Request) -> str:
    return f"?{request.url.query}" if request.url.query else ""


def sign_in_url(next_path: str) -> str:
    return f"/signin?next={quote(local_path(next_path), safe='/')}"


class ReaderContext:
    """Resolves the reader and the CSRF token of every HTTP request (see the module)."""

    def __init__(self, app: ASGIApp, database: Database, settings: Settings) -> None:
        self.app = app
        self.database = database
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        is_api = scope["path"].startswith("/api/") or scope["path"] == "/openapi.json"
        viewer = self._resolve(scope, cookies, is_api)
        csrf = cookies.get(CSRF_COOKIE)
        new_csrf = None
        if not csrf and not is_api:
            csrf = new_csrf = new_csrf_token()
        state = scope.setdefault("state", {})
        state["viewer"], state["csrf"] = viewer, csrf
        viewer_token = _viewer.set(viewer)
        csrf_token = _csrf.set(csrf)

        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookies_to_set = []
        if new_csrf:
            # Lax, for the reason given in storyline.web.csrf.remember.
            cookies_to_set.append(f"{CSRF_COOKIE}={new_csrf}; HttpOnly; Path=/; SameSite=lax")
        renewed = state.get("renew_session")
        if renewed:  # the server-side session was extended: so is the cookie
            max_age = self.settings.session_days * 24 * 3600
            cookies_to_set.append(
                f"{SESSION_COOKIE}={renewed}; HttpOnly; Max-Age={max_age}; Path=/; SameSite=lax"
            )
        headers = [(b"set-cookie", (cookie + secure).encode()) for cookie in cookies_to_set]

        async def send_with_cookie(message: Message) -> None:
            if headers and message["type"] == "http.response.start":
                names = {
                    value.split(b"=", 1)[0]
                    for name, value in message.get("headers", [])
                    if name.lower() == b"set-cookie"
                }
                kept = [h for h in headers if h[1].split(b"=", 1)[0] not in names]
                message["headers"] = [*message.get("headers", []), *kept]
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            _viewer.reset(viewer_token)
            _csrf.reset(csrf_token)

    def _resolve(self, scope: Scope, cookies: dict[str, str], is_api: bool) -> Viewer | None:
        token = cookies.get(SESSION_COOKIE)
        bearer = _bearer(scope) if is_api else None
        if not token and not bearer:
            return None
        now = datetime.now(UTC)
        stale = token_stale = False
        token_id = 0
        with self.database.read() as session:
            if bearer:
                found = token_user(session, bearer)
                if found is None:
                    return None
                user, session_id = found[0], None
                last_used = found[1].last_used_at
                token_stale = last_used is None or now - last_used > SEEN_EVERY
                token_id = found[1].id
            else:
                found_session = session_user(session, token or "", now)
                if found_session is None:
                    return None
                user, row = found_session
                session_id, stale = row.id, now - row.last_seen_at > SEEN_EVERY
            unread = 0 if is_api else _unread(session, user.id)
            viewer = _viewer_of(user, session_id, unread)
        if bearer and token_stale:
            with self.database.write() as session:
                session.execute(
                    update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
                )
        elif not bearer and stale and session_id is not None:
            with self.database.write() as session:
                touch_session(session, session_id, self.settings, now)
            scope.setdefault("state", {})["renew_session"] = token
        return viewer


def _viewer_of(user: User, session_id: str | None, unread: int) -> Viewer:
    return Viewer(
        id=user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        status=user.status,
        suspended_until=user.suspended_until,
        created_at=user.created_at,
        preferences=dict(user.preferences or {}),
        session_id=session_id,
        unread=unread,
    )


def _unread(session: Any, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
    return None
