"""Protection of forms and state-changing API calls against cross-site requests.

Two checks. A browser sends ``Origin`` (or at least ``Referer``) with every cross-site POST,
so a state-changing request whose origin is another site is refused, whatever it carries.
Forms also carry a token equal to a random, HttpOnly, SameSite=Lax cookie (the
double-submit pattern), so a form post without the page it came from is refused too.
Requests with neither header (curl, scripts, reader apps) are not cross-site requests from
a browser and pass the first check; they are API calls, which take no form token.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, Response

COOKIE = "storyline_csrf"
FIELD = "csrf_token"


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """This browser's token: the cookie's value, the one :class:`~storyline.web.auth.
    ReaderContext` is setting with this response, or a new one (set it with
    :func:`remember`)."""
    return (
        request.cookies.get(COOKIE)
        or request.scope.get("state", {}).get("csrf")
        or new_csrf_token()
    )


def remember(response: Response, token: str, *, secure: bool = False) -> None:
    # Lax, not Strict: a Strict cookie is not sent when a reader arrives from another site
    # (a link in the digest mail), so the page would set a new token and the forms open in
    # their other tabs would all have expired. Lax is still never sent with a cross-site
    # POST, and the Origin check holds whatever the cookie does.
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", path="/", secure=secure)


def check_origin(request: Request) -> None:
    """Refuse a state-changing request that a browser sent from another site."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return
    if source == "null" or urlsplit(source).netloc != request.url.netloc:
        raise HTTPException(403, "cross-site request refused")


def same_token(expected: str | None, sent: str | None) -> bool:
    """Whether both are there and equal, compared in constant time. As bytes: a token
    with a character outside ASCII is simply wrong (``compare_digest`` refuses such
    strings with an error)."""
    if not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def check_form(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose token does not match this browser's cookie."""
    check_origin(request)
    if not same_token(request.cookies.get(COOKIE), submitted):
        raise HTTPException(403, "the form has expired or came from elsewhere; reload the page")
