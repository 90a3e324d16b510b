"""ECB+ through the whole product: store, analyse and place the documents as Storyline does.

The gate (``tests/quality/test_ecbplus_gate.py``) scores the clustering functions through
the in-memory driver :class:`~storyline.stories.cluster_online.OnlineClusterer`. This
script checks that the product's own path, :mod:`storyline.placement` over a real SQLite
store (stored entities, the nearest-neighbour index, wire-copy groups), gives the same kind
of result: the documents are stored in a shuffled order, analysed by the understanding
stage, placed, and the stories and storylines scored against events and topics.

    .venv/bin/python quality/ecbplus_product.py [--seed 1]

It takes a few minutes (spaCy over 772 documents), so it is a measurement, not a CI gate.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import select  # noqa: E402

from quality.ecbplus import load_documents, score_assignment  # noqa: E402
from storyline.analysis import analyze_backlog  # noqa: E402
from storyline.model import ArticleDraft, Block, BlockKind  # noqa: E402
from storyline.placement import place_backlog  # noqa: E402
from storyline.settings import load_settings  # noqa: E402
from storyline.store import Database, save_article  # noqa: E402
from storyline.store.schema import Placement, Story  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="shuffle of the storing order")
    args = parser.parse_args()
    documents = load_documents()
    order = list(range(len(documents)))
    random.Random(args.seed).shuffle(order)
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(environ={"STORYLINE_HOME": home})
        database = Database.from_settings(settings)
        position: dict[int, int] = {}
        with database.write() as session:
            for index in order:
                document = documents[index]
                paragraphs = [p for p in document.text.split("\n") if p.strip()] or [document.text]
                draft = ArticleDraft(
                    title=document.title,
                    outlet=f"ECB+ {document.name}",  # one outlet each: no "updates"
                    url=f"https://ecbplus.example/{document.name}",
                    published_at=None,
                    blocks=tuple(Block(BlockKind.PARAGRAPH, p) for p in paragraphs),
                )
                saved = save_article(session, draft, source_kind="file", source_locator="ecbplus")
                position[saved.article_id] = index
        started = time.perf_counter()
        analyze_backlog(database, settings)
        analysed = time.perf_counter()
        report = place_backlog(database, settings)
        placed = time.perf_counter()
        with database.read() as session:
            rows = session.execute(
                select(Placement.article_id, Placement.story_id, Story.storyline_id).join(
                    Story, Story.id == Placement.story_id
                )
            ).all()
        database.dispose()
    stories = {position[a]: story for a, story, _ in rows}
    storylines = {position[a]: line or -story for a, story, line in rows}
    scores = score_assignment(stories, storylines, documents)
    print(
        f"ECB+ through the product, seed {args.seed}: {report.placed} placed; "
        f"{scores.describe()}; analysis {analysed - started:.0f} s, placing "
        f"{placed - analysed:.0f} s ({(placed - analysed) / max(1, report.placed) * 1000:.1f} "
        "ms/article)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
