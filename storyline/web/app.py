"""The web app: server-rendered pages, each with a JSON twin under ``/api/``.

:func:`create_app` wires the pieces once (database, compiled templates, routes, security
headers, static files) so that serving a request does no setup work. Errors are answered
in the language of the request: JSON for ``/api/`` and ``/healthz``, a page elsewhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyline import __version__
from storyline.ai_views import AiService
from storyline.settings import Settings
from storyline.store import Database
from storyline.web.account_api import build_account_api_router
from storyline.web.accounts import build_accounts_router
from storyline.web.ai import build_ai_router
from storyline.web.auth import ReaderContext, SignInRequired, sign_in_url
from storyline.web.comments import build_comments_router
from storyline.web.follows import build_follows_router
from storyline.web.headers import CachedStaticFiles, SecurityHeaders
from storyline.web.moderation import build_moderation_router
from storyline.web.operations import build_operations_router
from storyline.web.rendering import STATIC, Pages
from storyline.web.routes import build_router
from storyline.web.stories import build_stories_router
from storyline.web.understanding import build_understanding_router

_ERROR_TITLES = {
    400: "That address is not quite right",
    404: "Page not found",
    405: "Method not allowed",
    422: "That address is not quite right",
}


def create_app(settings: Settings, database: Database | None = None) -> FastAPI:
    """The Storyline web app over ``database`` (default: the one ``settings`` names).

    A database opened here is migrated first and disposed of when the app shuts down; one
    that is passed in belongs to the caller.
    """
    owned = database is None
    db = Database.from_settings(settings) if database is None else database
    pages = Pages(cache_seconds=settings.page_cache_seconds)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Storyline",
        version=__version__,
        description=(
            "Articles from many outlets. Every page of the web app has a JSON twin here, "
            "built by the same view code."
        ),
        docs_url=None,  # Swagger UI and ReDoc load scripts from CDNs; the CSP forbids that
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = db
    app.state.pages = pages
    ai = AiService(db, settings)
    app.state.ai = ai
    app.include_router(build_router(settings, db, pages, ai))
    app.include_router(build_operations_router(settings, db, pages))
    app.include_router(build_understanding_router(settings, db, pages))
    app.include_router(build_stories_router(settings, db, pages, ai))
    app.include_router(build_ai_router(ai))
    app.include_router(build_comments_router(settings, db, pages))
    app.include_router(build_moderation_router(settings, db, pages))
    app.include_router(build_accounts_router(settings, db, pages))
    app.include_router(build_account_api_router(settings, db))
    app.include_router(build_follows_router(settings, db, pages))
    app.mount("/static", CachedStaticFiles(directory=STATIC), name="static")
    app.add_middleware(ReaderContext, database=db, settings=settings)
    app.add_middleware(SecurityHeaders)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _error_response(pages, request, exc.status_code, str(exc.detail), exc.headers)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if _wants_json(request):
            return await request_validation_exception_handler(request, exc)
        return _error_response(pages, request, 422, "The address has a value out of range.")

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)

    app.add_exception_handler(SignInRequired, sign_in_first)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)

    return app


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in {"/api", "/healthz", "/openapi.json"}


def _error_response(
    pages: Pages,
    request: Request,
    status: int,
    detail: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    title = _ERROR_TITLES.get(status, "Something went wrong")
    body = pages.render("error.html", status=status, title=title, detail=detail)
    return HTMLResponse(body, status_code=status, headers=headers)
