"""Entity and hashtag pages with their ``/api/`` twins, and the entity corrections.

Merging and splitting entities changes what every page says about them, so those forms
carry a CSRF token and the API calls are refused when a browser sends them from another
site (:mod:`storyline.web.csrf`), as the feed forms are.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from storyline.settings import Settings
from storyline.store import Database
from storyline.store.analysis import (
    EntityError,
    hashtag_article_ids,
    merge_entities,
    read_entity_page,
    read_hashtag,
    split_entity,
    unmerge_entity,
)
from storyline.store.reads import read_articles_by_ids
from storyline.store.schema import MAX_ID, Entity
from storyline.story_views import stories_of
from storyline.views import entity_page_view, hashtag_view
from storyline.web import notices
from storyline.web.auth import require_operator
from storyline.web.csrf import FIELD, check_form, check_origin, csrf_token, remember
from storyline.web.rendering import Pages


class Merge(BaseModel):
    into: int = Field(ge=1, le=MAX_ID, description="id of the entity that stays")


class Split(BaseModel):
    articles: list[int] = Field(min_length=1, max_length=1000, description="article ids")
    name: str = Field(min_length=1, max_length=300, description="the other entity's full name")


def build_understanding_router(settings: Settings, database: Database, pages: Pages) -> APIRouter:
    router = APIRouter()
    limit = max(1, settings.page_size)

    def _entity(entity_id: int) -> dict[str, Any]:
        if entity_id > MAX_ID:
            raise HTTPException(404, f"no entity with id {entity_id}")
        with database.read() as session:
            page = read_entity_page(session, entity_id, limit)
            if page is None:
                raise HTTPException(404, f"no entity with id {entity_id}")
            view = entity_page_view(page)
            view["stories"] = stories_of(session, [a["id"] for a in view["articles"]])
            return view

    @router.get("/entities/{entity_id:int}", response_class=HTMLResponse, include_in_schema=False)
    async def entity_page(request: Request, entity_id: int) -> Response:
        token, message = csrf_token(request), notices.take(request)
        response = HTMLResponse(
            pages.render(
                "entity.html", **_entity(entity_id), csrf_field=FIELD, csrf=token, message=message
            )
        )
        remember(response, token, secure=request.url.scheme == "https")
        return notices.shown(request, response)

    @router.get("/api/entities/{entity_id:int}", tags=["entities"])
    async def api_entity(entity_id: int) -> JSONResponse:
        """An entity, the newest articles that mention it and its newest quotes."""
        return JSONResponse(_entity(entity_id))

    def _hashtag(name: str) -> dict[str, Any]:
        from storyline.understand.hashtags import hashtag_key

        key = hashtag_key(name)
        with database.read() as session:
            found = read_hashtag(session, key)
            if found is None:
                raise HTTPException(404, f"no hashtag #{name.lstrip('#')}")
            articles = read_articles_by_ids(session, hashtag_article_ids(session, key, limit))
            view = hashtag_view(found[0], found[1], articles)
            view["stories"] = stories_of(session, [a.id for a in articles])
            return view

    @router.get("/tags/{name}", response_class=HTMLResponse, include_in_schema=False)
    async def hashtag_page(name: str) -> HTMLResponse:
        return HTMLResponse(pages.render("hashtag.html", **_hashtag(name)))

    @router.get("/api/tags/{name}", tags=["entities"])
    async def api_hashtag(name: str) -> JSONResponse:
        """A hashtag (any spelling: ``KurskOblast``, ``kurskoblast``) and its newest articles."""
        return JSONResponse(_hashtag(name))

    def _correct(change: Any) -> None:
        try:
            with database.write() as session:
                change(session)
        except EntityError as error:
            raise HTTPException(400, str(error)) from error

    def _merge(entity_id: int, into: int) -> None:
        _correct(lambda session: merge_entities(session, entity_id, into))

    def _unmerge(entity_id: int) -> None:
        _correct(lambda session: unmerge_entity(session, entity_id))

    def _split(entity_id: int, article_ids: list[int], name: str) -> int:
        made: list[int] = []

        def change(session: Session) -> None:
            from storyline.understand.entities import entity_key

            found = session.get(Entity, entity_id)
            key = entity_key(name, found.type if found is not None else "PERSON")
            made.append(split_entity(session, entity_id, article_ids, name, key))

        _correct(change)
        return made[0]

    @router.post("/api/entities/{entity_id:int}/merge", tags=["entities"])
    async def api_merge(request: Request, entity_id: int, merge: Merge) -> JSONResponse:
        """Merge this entity into another: its mentions and quotes read as the other's."""
        require_operator(request, database)
        check_origin(request)
        _merge(entity_id, merge.into)
        return JSONResponse(_entity(merge.into))

    @router.post("/api/entities/{entity_id:int}/unmerge", tags=["entities"])
    async def api_unmerge(request: Request, entity_id: int) -> JSONResponse:
        """Undo a merge: the entity reads as itself again."""
        require_operator(request, database)
        check_origin(request)
        _unmerge(entity_id)
        return JSONResponse(_entity(entity_id))

    @router.post("/api/entities/{entity_id:int}/split", tags=["entities"])
    async def api_split(request: Request, entity_id: int, split: Split) -> JSONResponse:
        """Move this entity's mentions and quotes in some articles to another entity."""
        require_operator(request, database)
        check_origin(request)
        return JSONResponse(_entity(_split(entity_id, split.articles, split.name.strip())))

    @router.post("/entities/{entity_id:int}/merge", include_in_schema=False)
    async def form_merge(
        request: Request,
        entity_id: int,
        into: Annotated[int, Form(ge=1, le=MAX_ID)],
        csrf_token: Annotated[str | None, Form()] = None,
    ) -> RedirectResponse:
        require_operator(request, database)
        check_form(request, csrf_token)
        try:
            _merge(entity_id, into)
        except HTTPException as error:
            return notices.redirect(
                request, f"/entities/{entity_id}", f"Not merged: {error.detail}"
            )
        return notices.redirect(
            request, f"/entities/{into}", f"Entity {entity_id} merged into this one."
        )

    @router.post("/entities/{entity_id:int}/unmerge", include_in_schema=False)
    async def form_unmerge(
        request: Request, entity_id: int, csrf_token: Annotated[str | None, Form()] = None
    ) -> RedirectResponse:
        require_operator(request, database)
        check_form(request, csrf_token)
        try:
            _unmerge(entity_id)
        except HTTPException as error:
            return notices.redirect(
                request, f"/entities/{entity_id}", f"Not unmerged: {error.detail}"
            )
        return notices.redirect(
            request, f"/entities/{entity_id}", "This entity reads as itself again."
        )

    @router.post("/entities/{entity_id:int}/split", include_in_schema=False)
    async def form_split(
        request: Request,
        entity_id: int,
        articles: Annotated[str, Form(max_length=10_000)],
        name: Annotated[str, Form(min_length=1, max_length=300)],
        csrf_token: Annotated[str | None, Form()] = None,
    ) -> RedirectResponse:
        require_operator(request, database)
        check_form(request, csrf_token)
        try:
            article_ids = [int(part) for part in articles.replace(" ", "").split(",") if part]
        except ValueError:
            return notices.redirect(
                request,
                f"/entities/{entity_id}",
                "Not split: give article ids separated by commas.",
            )
        try:
            new_id = _split(entity_id, article_ids, name.strip())
        except HTTPException as error:
            return notices.redirect(request, f"/entities/{entity_id}", f"Not split: {error.detail}")
        return notices.redirect(
            request, f"/entities/{new_id}", f"Split off from entity {entity_id}."
        )

    return router
