"""The AI features' API: ``/api/articles/{id}/ai…`` and ``/api/stories/{id}/ai…``.

``…/ai`` is the panel's JSON twin (summary and key points, background, perspectives);
``…/ai/{feature}`` one feature; ``…/ai/ask?q=`` an answer. Features run in the thread
pool: a result not yet cached costs up to a few hundred milliseconds of CPU, which must
not hold up the event loop that serves every other page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from storyline.ai.engine import MAX_QUESTION_CHARS
from storyline.ai.material import Material
from storyline.ai.types import FEATURES
from storyline.ai_views import AiService, article_material, story_material
from storyline.store import Database
from storyline.store.schema import MAX_ID

_log = logging.getLogger(__name__)
Question = Annotated[
    str,
    Query(min_length=1, max_length=MAX_QUESTION_CHARS, description="The question, in plain words."),
]
_READERS: dict[str, Callable[[Session, int], Material | None]] = {
    "article": article_material,
    "story": story_material,
}


def read_material(database: Database, kind: str, target_id: int) -> Material:
    """The article's or story's material; ``404`` when there is none with that id."""
    material = None
    if target_id <= MAX_ID:
        with database.read() as session:
            material = _READERS[kind](session, target_id)
    if material is None:
        raise HTTPException(404, f"no {kind} with id {target_id}")
    return material


async def panel_for(
    service: AiService, kind: str, target_id: int, question: str | None = None
) -> dict[str, Any] | None:
    """The "AI features" panel of a page (see :meth:`AiService.panel`); ``None`` when it
    failed, which is logged: the page is still served, without its panel."""
    try:
        material = await run_in_threadpool(read_material, service.database, kind, target_id)
        return await run_in_threadpool(service.panel, material, question)
    except Exception:
        _log.exception("the AI panel of %s %s failed", kind, target_id)
        return None


def build_ai_router(service: AiService) -> APIRouter:
    router = APIRouter()

    async def _run(kind: str, target_id: int, feature: str, question: str | None) -> JSONResponse:
        if feature not in FEATURES:
            raise HTTPException(404, f"no AI feature {feature!r}; one of {', '.join(FEATURES)}")
        material = await run_in_threadpool(read_material, service.database, kind, target_id)
        try:
            result = await run_in_threadpool(service.run, material, feature, question)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        return JSONResponse(result)

    for kind, prefix in (("article", "/api/articles"), ("story", "/api/stories")):
        _add_routes(router, kind, prefix, service, _run)
    return router


def _add_routes(
    router: APIRouter,
    kind: str,
    prefix: str,
    service: AiService,
    run: Callable[[str, int, str, str | None], Any],
) -> None:
    tags: list[str | Enum] = ["ai"]

    @router.get(f"{prefix}/{{target_id:int}}/ai", tags=tags, name=f"{kind}_ai_panel")
    async def panel(target_id: int) -> JSONResponse:
        """Summary and key points, background and perspectives, each sentence citing the
        article and character offsets it comes from; ``sources`` names the cited articles."""
        material = await run_in_threadpool(read_material, service.database, kind, target_id)
        return JSONResponse(await run_in_threadpool(service.panel, material))

    @router.get(f"{prefix}/{{target_id:int}}/ai/ask", tags=tags, name=f"{kind}_ai_ask")
    async def ask(target_id: int, q: Question) -> JSONResponse:
        """The answer to ``q`` from the text, with its supporting sentences; ``answer`` is
        ``null`` when the coverage does not say."""
        response: JSONResponse = await run(kind, target_id, "ask", q)
        return response

    @router.get(f"{prefix}/{{target_id:int}}/ai/{{feature}}", tags=tags, name=f"{kind}_ai_feature")
    async def feature(target_id: int, feature: str) -> JSONResponse:
        """One feature: ``summary`` (with ``key_points``), ``background`` or
        ``perspectives``."""
        if feature == "ask":
            raise HTTPException(422, "ask needs a question: …/ai/ask?q=…")
        response: JSONResponse = await run(kind, target_id, feature, None)
        return response
