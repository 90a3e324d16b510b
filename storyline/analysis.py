"""Run the understanding stage over stored articles and store what it finds.

The stage itself (:mod:`storyline.understand.analyze`) is pure; this module feeds it from
the store and writes its results back, a batch at a time. Every batch is one write
transaction, so an interrupted run loses at most the batch in flight, and the next run
starts from the articles still without a current analysis: ``storyline analyze`` is
resumable by construction, and re-running it after an upgrade (a new
:data:`~storyline.understand.analyze.ANALYZER_VERSION`) redoes everything once.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from storyline.settings import Settings
from storyline.store import Database
from storyline.store.analysis import (
    articles_to_analyze,
    count_unanalyzed,
    known_aliases,
    save_analysis,
)
from storyline.store.schema import Article
from storyline.understand.analyze import (
    ANALYZER_VERSION,
    Analysis,
    ArticleInput,
    KnownAliases,
    analyze_articles,
)
from storyline.understand.pipeline import load_pipeline

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalyzeReport:
    analyzed: int
    remaining: int


def analyze_stored(database: Database, settings: Settings, article_ids: Sequence[int]) -> int:
    """Analyse the given stored articles (in batches); returns how many were analysed.

    An article is skipped when it was deleted meanwhile. Its current revision is the one
    analysed; a revision stored while the batch runs is picked up by the next run, because
    its analysis then records the older revision.
    """
    nlp = load_pipeline(settings)
    size = max(1, settings.nlp_batch_size)
    done = 0
    for offset in range(0, len(article_ids), size):
        batch = list(article_ids[offset : offset + size])
        with database.read() as session:
            rows = session.execute(
                select(
                    Article.id,
                    Article.revision,
                    Article.text,
                    Article.published_at,
                    Article.fetched_at,
                )
                .where(Article.id.in_(batch))
                .order_by(Article.id)
            ).all()
            # Relative dates ("on Sunday") count from the publication time, else from when
            # Storyline first saw the article, which for a crawled article is hours later.
            inputs = [ArticleInput(row.text, row.published_at or row.fetched_at) for row in rows]
            results = _analyze_safely(
                nlp, inputs, lambda keys: known_aliases(session, keys), size, rows
            )
        with database.write() as session:
            for row, result in zip(rows, results, strict=True):
                save_analysis(session, row.id, row.revision, ANALYZER_VERSION, result)
        done += len(rows)
    return done


def _analyze_safely(
    nlp: Language,
    inputs: list[ArticleInput],
    aliases: KnownAliases,
    size: int,
    rows: Sequence[Any],
) -> list[Analysis]:
    """The batch's analyses; when the batch fails, each article alone, so one article that
    breaks a component is recorded with the error and does not hold up the others."""
    try:
        return analyze_articles(nlp, inputs, aliases, batch_size=size)
    except Exception:
        if len(inputs) == 1:
            log.exception("analysis of article %s failed", rows[0].id)
            return [Analysis(language="und", error=traceback.format_exc(limit=1).strip())]
    results: list[Analysis] = []
    for one, row in zip(inputs, rows, strict=True):
        results += _analyze_safely(nlp, [one], aliases, 1, [row])
    return results


def analyze_backlog(
    database: Database,
    settings: Settings,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> AnalyzeReport:
    """Analyse every article whose analysis is missing or stale, oldest id first.

    ``limit`` caps how many are done in this call; ``progress`` is told the running count
    after each batch.
    """
    size = max(1, settings.nlp_batch_size)
    done = 0
    after = 0
    while limit is None or done < limit:
        take = size if limit is None else min(size, limit - done)
        with database.read() as session:
            ids = articles_to_analyze(session, ANALYZER_VERSION, take, after_id=after)
        if not ids:
            break
        done += analyze_stored(database, settings, ids)
        after = ids[-1]
        if progress is not None:
            progress(done)
    with database.read() as session:
        remaining = count_unanalyzed(session, ANALYZER_VERSION)
    return AnalyzeReport(analyzed=done, remaining=remaining)
