"""The seed-quotes gate: every quote of the seed page's first article, with its speaker.

The gold (``tests/fixtures/understand/seed-article-1-quotes.json``) was annotated by hand
on the article's text as Storyline stores it; it holds offsets and a sha256 of each quote,
never the words. The text is rebuilt at run time by importing the seed page (read in place
from ``../shared/seed``) with the real importer into a temporary Storyline home, and a
changed text is reported as drift rather than scored.

Matching: a predicted quote matches a gold quote of the same kind (direct or indirect)
when their content spans overlap by at least one character. It is right when it matches
a gold quote whose speaker equals its own, compared case-insensitively with spacing
normalised ("Ukraine's General staff" equals "Ukraine's General Staff"). Precision is the
share of predicted quotes that are right (a quote without a speaker is never right);
recall is the share of gold quotes that some right prediction matches. Role accuracy, the
share of recalled direct quotes whose role equals the gold role, is reported alongside.

``python quality/seed_quotes.py`` prints the scores and every miss.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from storyline.shared_data import shared_dir

REPO = Path(__file__).resolve().parents[1]
SEED_PAGE = shared_dir() / "seed" / "daily8-article-page.txt"
GOLD = REPO / "tests" / "fixtures" / "understand" / "seed-article-1-quotes.json"
FLOORS = Path(__file__).resolve().parent / "floors.json"
KINDS = ("direct", "indirect")


class SeedDrift(RuntimeError):
    """The stored text of the seed article is not the text the gold was annotated on."""


@dataclass(frozen=True)
class GoldQuote:
    start: int
    end: int
    kind: str
    speaker: str
    role: str | None
    cue: str | None


@dataclass(frozen=True)
class KindScore:
    """Scores of one kind of quote; ``misses`` describes every wrong or missed quote."""

    kind: str
    precision: float
    recall: float
    role_accuracy: float | None
    misses: tuple[str, ...]


def load_gold(path: Path = GOLD) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def seed_text(seed_page: Path, gold: dict[str, Any]) -> str:
    """The seed article's ``text`` as Storyline stores it, imported into a temporary home."""
    from storyline.ingest import import_paths
    from storyline.settings import load_settings
    from storyline.store import Database, get_article

    as_of = datetime.fromisoformat(gold["as_of"].replace("Z", "+00:00"))
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(environ={"STORYLINE_HOME": home, "STORYLINE_DEFAULT_OPML": "none"})
        database = Database.from_settings(settings)
        try:
            report = import_paths(database, settings, [seed_page], as_of=as_of)
            if report.errors:
                raise SeedDrift(f"importing {seed_page} failed: {report.errors}")
            with database.read() as session:
                article = get_article(session, gold["article_id"])
                if article is None:
                    raise SeedDrift(f"{seed_page} stored no article {gold['article_id']}")
                return str(article.text)
        finally:
            database.dispose()


def gold_quotes(gold: dict[str, Any], text: str) -> list[GoldQuote]:
    """The gold quotes, after checking that ``text`` is the text they were annotated on."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    quotes = [GoldQuote(**{k: q[k] for k in GoldQuote.__annotations__}) for q in gold["quotes"]]
    drifted = [
        q
        for q, raw in zip(quotes, gold["quotes"], strict=True)
        if hashlib.sha256(text[q.start : q.end].encode("utf-8")).hexdigest() != raw["sha256"]
    ]
    if digest != gold["text_sha256"] or drifted:
        raise SeedDrift(
            f"the stored seed text changed ({len(text)} characters, gold annotated "
            f"{gold['text_length']}; {len(drifted)} of {len(quotes)} quotes moved): "
            "re-annotate the gold offsets"
        )
    return quotes


def same_speaker(predicted: str | None, gold: str) -> bool:
    return predicted is not None and _normal(predicted) == _normal(gold)


def _normal(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("’", "'")).strip().casefold()


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_kind(kind: str, gold: Sequence[GoldQuote], predicted: Sequence[Any]) -> KindScore:
    """Precision, recall and role accuracy of ``predicted`` quotes of ``kind``."""
    gold = [g for g in gold if g.kind == kind]
    predicted = [p for p in predicted if p.kind == kind]
    misses: list[str] = []
    right = 0
    recalled: dict[int, Any] = {}
    for p in predicted:
        matches = [i for i, g in enumerate(gold) if _overlap((p.start, p.end), (g.start, g.end))]
        good = [i for i in matches if same_speaker(p.speaker, gold[i].speaker)]
        if good:
            right += 1
            for i in good:
                recalled.setdefault(i, p)
        else:
            expected = ", ".join(repr(gold[i].speaker) for i in matches) or "no quote"
            misses.append(f"{kind} at {p.start}-{p.end}: said {p.speaker!r}, gold {expected}")
    for i, g in enumerate(gold):
        if i not in recalled:
            misses.append(f"{kind} at {g.start}-{g.end} by {g.speaker!r}: missed")
    roles = [(recalled[i].role, gold[i].role) for i in recalled if gold[i].role is not None]
    role_accuracy = (
        sum(_normal(p or "") == _normal(g or "") for p, g in roles) / len(roles) if roles else None
    )
    return KindScore(
        kind,
        precision=right / len(predicted) if predicted else 0.0,
        recall=len(recalled) / len(gold) if gold else 0.0,
        role_accuracy=role_accuracy,
        misses=tuple(misses),
    )


def score_seed(seed_page: Path = SEED_PAGE, gold_path: Path = GOLD) -> dict[str, KindScore]:
    """Import the seed, run :func:`find_quotes` on the article, and score each kind."""
    from storyline.settings import Settings
    from storyline.understand.pipeline import load_pipeline
    from storyline.understand.quotes import find_quotes

    gold = load_gold(gold_path)
    text = seed_text(seed_page, gold)
    expected = gold_quotes(gold, text)
    predicted = find_quotes(load_pipeline(Settings())(text))
    return {kind: score_kind(kind, expected, predicted) for kind in KINDS}


def as_scores(scores: dict[str, KindScore]) -> dict[str, float]:
    """The gated figures: precision and recall of each kind."""
    flat = {}
    for kind, score in scores.items():
        flat[f"{kind}_precision"] = score.precision
        flat[f"{kind}_recall"] = score.recall
    return flat


def describe(scores: dict[str, KindScore]) -> str:
    parts = []
    for kind, score in scores.items():
        roles = "-" if score.role_accuracy is None else f"{score.role_accuracy:.3f}"
        parts.append(
            f"{kind}: precision={score.precision:.3f} recall={score.recall:.3f} roles={roles}"
        )
    return "; ".join(parts)


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    floors: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return floors["seed_quotes"]


def main() -> int:
    scores = score_seed()
    print(f"seed article 1 quotes: {describe(scores)}")
    for score in scores.values():
        for miss in score.misses:
            print(f"  {miss}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
