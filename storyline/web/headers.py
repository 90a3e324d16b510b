"""Security headers on every response, and long caching for static files.

Written as plain ASGI rather than Starlette's ``BaseHTTPMiddleware``: the headers are
encoded once, and a response only gets them appended as it starts, which keeps the
per-request cost to a list copy on the hot article page.
"""

from __future__ import annotations

import os

from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline scripts or styles anywhere: the pages work without JavaScript, and the one
# stylesheet is a static file. Images are our own or inline data; third-party images are
# not loaded, so reading an article tells no outlet or tracker who is reading it.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)
STATIC_CACHE_CONTROL = "public, max-age=31536000, immutable"


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response the wrapped app sends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS]
        self._names = {name for name, _ in self._headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", []) if h[0].lower() not in self._names]
                message["headers"] = kept + self._headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CachedStaticFiles(StaticFiles):
    """Static files cached for a year: their URLs carry a content hash (``?v=…``)."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = STATIC_CACHE_CONTROL
        return response
