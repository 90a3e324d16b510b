"""The AI features as the pages, the API and the CLI show them.

:func:`article_material` and :func:`story_material` read an article or a story, with the
coverage around it, from the store into a :class:`~storyline.ai.material.Material`;
:class:`AiService` runs a feature on it (:func:`~storyline.ai.engine.run_feature`) and
keeps the result in the AI cache, keyed by a digest of everything the feature read, so
a page shows the same answer until the coverage changes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storyline.ai.engine import AI_VERSION, Engine, OfflineEngine, check_question, run_feature
from storyline.ai.material import EarlierStory, Material
from storyline.ai.passages import article_passages
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.ai_cache import cache_key, read_cached, write_cached
from storyline.store.reads import read_article, read_articles_by_ids
from storyline.store.schema import Placement, Story
from storyline.stories.digest_types import DigestArticle, utc
from storyline.stories.embeddings import Embedder
from storyline.story_views import DIGEST_ARTICLES, digest_article, live_story
from storyline.understand.pipeline import load_pipeline

# Earlier stories of the storyline read for background.
EARLIER_STORIES = 5
# The newest articles of an article's story its perspectives and background compare (a
# story's own panel reads up to DIGEST_ARTICLES): an article page stays a bounded read.
ARTICLE_COVERAGE = 40
# What the panel shows without being asked.
PANEL_FEATURES = ("summary", "background", "perspectives")


def article_material(session: Session, article_id: int) -> Material | None:
    """An article, its story's coverage and its storyline's earlier stories."""
    record = read_article(session, article_id)
    if record is None:
        return None
    article = digest_article(session, record)
    placement = session.get(Placement, article_id)
    story = (
        live_story(session, placement.story_id)
        if placement is not None and placement.version
        else None
    )
    if story is None:
        return Material(
            kind="article",
            id=article_id,
            title=record.title,
            articles=(article,),
            story=(article,),
            since=article.published_at,
        )
    coverage, carried = _coverage(session, story, ARTICLE_COVERAGE, keep=article)
    return Material(
        kind="article",
        id=article_id,
        title=record.title,
        articles=(article,),
        story=coverage,
        story_id=story.id,
        story_title=story.title,
        carried=carried,
        earlier=_earlier(session, story),
        since=article.published_at,
    )


def story_material(session: Session, story_id: int) -> Material | None:
    """A live story's articles and its storyline's earlier stories (``None`` when the
    story does not exist; a merged story reads as the story it was merged into)."""
    story = live_story(session, story_id)
    if story is None:
        return None
    coverage, carried = _coverage(session, story, DIGEST_ARTICLES)
    return Material(
        kind="story",
        id=story.id,
        title=story.title,
        articles=coverage,
        story=coverage,
        story_id=story.id,
        story_title=story.title,
        carried=carried,
        earlier=_earlier(session, story),
        since=story.first_at,
    )


def _coverage(
    session: Session, story: Story, limit: int, keep: DigestArticle | None = None
) -> tuple[tuple[DigestArticle, ...], frozenset[int]]:
    """The story's newest ``limit`` articles in publication order (``keep`` always among
    them), and the ids of those that copy or rewrite another's text."""
    rows = session.execute(
        select(Placement.article_id, Placement.copy_relation)
        .where(Placement.story_id == story.id)
        .order_by(Placement.article_id.desc())
        .limit(limit)
    ).all()
    ids = [row.article_id for row in rows]
    carried = frozenset(r.article_id for r in rows if r.copy_relation in ("copy", "rewrite"))
    articles = [
        keep
        if keep is not None and record.id == keep.article_id
        else digest_article(session, record)
        for record in read_articles_by_ids(session, ids)
    ]
    if keep is not None and all(a.article_id != keep.article_id for a in articles):
        articles.append(keep)
    articles.sort(key=lambda a: (_moment(a.published_at), int(a.article_id)))
    return tuple(articles), carried


def _moment(value: datetime | None) -> datetime:
    return utc(value) if value is not None else datetime.min.replace(tzinfo=UTC)


def _earlier(session: Session, story: Story) -> tuple[EarlierStory, ...]:
    """The storyline's stories that began before ``story``, the latest ones, each with
    the lead sentence of the article its title comes from."""
    if story.storyline_id is None:
        return ()
    stories = list(
        session.execute(
            select(Story)
            .where(Story.storyline_id == story.storyline_id)
            .where(Story.merged_into_id.is_(None))
            .where(Story.id != story.id)
            .where(Story.first_at < story.first_at)
            .order_by(Story.first_at.desc())
            .limit(EARLIER_STORIES)
        ).scalars()
    )
    return tuple(_earlier_story(session, s) for s in reversed(stories))


def _earlier_story(session: Session, story: Story) -> EarlierStory:
    ids = list(
        session.execute(
            select(Placement.article_id)
            .where(Placement.story_id == story.id)
            .order_by(Placement.article_id)
            .limit(DIGEST_ARTICLES)
        ).scalars()
    )
    records = read_articles_by_ids(session, ids)
    titled = [r for r in records if r.title.strip() == story.title.strip()] or records
    for record in titled:
        lead = article_passages(
            DigestArticle(record.id, "", "", record.title, record.published_at, record.text)
        )[:1]
        if lead:
            return EarlierStory(
                story.id,
                story.title,
                story.first_at,
                lead[0].text,
                record.id,
                lead[0].start,
                lead[0].end,
            )
    return EarlierStory(story.id, story.title, story.first_at)


def result_view(result: dict[str, Any], material: Material) -> dict[str, Any]:
    """The JSON of one feature's result, with what it was about."""
    return {"target": {"type": material.kind, "id": material.id, "title": material.title}, **result}


def cited_articles(results: Sequence[dict[str, Any]]) -> list[int]:
    """The ids of every article the results cite, in order of first citation."""
    seen: dict[int, None] = {}
    for result in results:
        for key in ("sentences", "key_points"):
            for sentence in result.get(key, []):
                for citation in sentence["citations"]:
                    seen.setdefault(int(citation["article_id"]))
    return list(seen)


class AiService:
    """The AI features of one process: the engines, loaded on first use, and the cache.

    The LLM engine is used when ``STORYLINE_LLM_URL`` is set; when it cannot answer, the
    offline engine does and the result's ``notice`` says so (such a result is not cached,
    so the LLM is asked again next time).
    """

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self._offline: OfflineEngine | None = None
        self._llm: Engine | None = None
        self._lock = threading.Lock()

    @property
    def offline(self) -> OfflineEngine:
        with self._lock:
            return self._offline_unlocked()

    @property
    def llm(self) -> Engine | None:
        if not self.settings.llm_url:
            return None
        with self._lock:
            if self._llm is None:
                from storyline.ai.llm import LlmEngine

                offline = self._offline_unlocked()
                self._llm = LlmEngine(
                    self.settings, self.database, offline.encoder, offline.nlp_loader
                )
            return self._llm

    def _offline_unlocked(self) -> OfflineEngine:
        if self._offline is None:
            self._offline = OfflineEngine(
                Embedder.from_settings(self.settings), lambda: load_pipeline(self.settings)
            )
        return self._offline

    def run(self, material: Material, feature: str, question: str | None = None) -> dict[str, Any]:
        """One feature's JSON for ``material``, from the cache when the same input was
        answered before (``ValueError`` on an unknown feature or a bad question)."""
        if feature == "ask":
            question = check_question(question)
        llm = self.llm
        engine = "llm" if llm is not None else "offline"
        model = self.settings.llm_model if llm is not None else self.settings.embedding_model
        key = cache_key(
            feature, engine, model, str(AI_VERSION), material.fingerprint, question or ""
        )
        with self.database.read() as session:
            cached = read_cached(session, key)
        if cached is not None:
            return result_view(cached, material)
        result = run_feature(feature, material, self.offline, llm, question)
        value = result.to_json()
        if not result.notice or llm is None:
            with self.database.write() as session:
                write_cached(session, key, value)
        return result_view(value, material)

    def panel(self, material: Material, question: str | None = None) -> dict[str, Any]:
        """What the "AI features" panel shows: summary and key points, background and
        perspectives, the answer to ``question`` when one is asked, and the cited
        articles' outlets and titles (for the citation links)."""
        results = {feature: self.run(material, feature) for feature in PANEL_FEATURES}
        if question is not None and question.strip():
            try:
                results["ask"] = self.run(material, "ask", question)
            except ValueError as exc:
                results["ask"] = {"feature": "ask", "question": question, "error": str(exc)}
        return {
            "target": {"type": material.kind, "id": material.id, "title": material.title},
            **results,
            "sources": self._sources(material, list(results.values())),
        }

    def _sources(
        self, material: Material, results: Sequence[dict[str, Any]]
    ) -> dict[int, dict[str, Any]]:
        known = {int(a.article_id): a for a in (*material.articles, *material.story)}
        ids = cited_articles(results)
        missing = [i for i in ids if i not in known]
        found: dict[int, dict[str, Any]] = {
            i: {"outlet": known[i].outlet, "title": known[i].title} for i in ids if i in known
        }
        if missing:
            with self.database.read() as session:
                for record in read_articles_by_ids(session, missing):
                    outlet = record.outlet.name if record.outlet else record.site_name
                    found[record.id] = {"outlet": outlet, "title": record.title}
        return found
