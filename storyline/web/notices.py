"""One-time notices after a form: "Subscribed to …", "No longer followed.".

A form is answered with a ``303`` to a page, and the notice travels with it in a cookie
that lives a minute and is sent only to that page's path; the page shows it once and
clears it. It never travels in the address: a ``?message=`` shown as the site's own words
would let anyone link to a page of this site saying whatever they liked ("Your account is
locked: re-enter your password at …").
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

COOKIE = "storyline_notice"
MAX_AGE = 60  # seconds: long enough for the redirect, not enough to surprise a later visit
MAX_CHARS = 500
# Browsers drop a cookie of more than 4 KB without a word, and percent-encoding makes a
# character of three or four UTF-8 bytes nine or twelve: 500 of them would not fit.
MAX_ENCODED = 3000


def redirect(request: Request, target: str, notice: str | None) -> RedirectResponse:
    """A ``303`` to ``target`` (a path on this site) that shows ``notice`` there."""
    response = RedirectResponse(target, status_code=303)
    if notice:
        response.set_cookie(
            COOKIE,
            _encoded(notice),
            max_age=MAX_AGE,
            path=urlsplit(target).path or "/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def _encoded(notice: str) -> str:
    """``notice`` as the cookie carries it: percent-encoded, cut short (with "…") so that
    the encoded form stays within :data:`MAX_ENCODED` bytes."""
    text = notice[:MAX_CHARS]
    value = quote(text)
    while len(value) > MAX_ENCODED:
        # A character encodes to 12 bytes at most, so dropping a twelfth of the excess in
        # characters (one at least) never cuts more than it must.
        text = text[: len(text) - max(1, (len(value) - MAX_ENCODED) // 12)]
        value = quote(text + "…")
    return value


def take(request: Request) -> str | None:
    """The notice sent to this page, if any; :func:`shown` clears it."""
    value = request.cookies.get(COOKIE)
    return unquote(value) if value else None


def shown(request: Request, response: Response) -> Response:
    """``response``, clearing the notice this page has shown."""
    if COOKIE in request.cookies:
        response.delete_cookie(COOKIE, path=request.url.path)
    return response
