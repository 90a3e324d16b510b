"""The questions gate: answers to a gold set of questions on invented articles.

The gold set (``tests/fixtures/ai/questions``, see its README) is ten invented news
articles and questions about them, each asked of one article or of a story (two
articles on one event), with the accepted answers or ``null`` when the articles do not
say. Each question belongs to the ``dev`` half (the answerer's thresholds were chosen
on it) or the ``test`` half; scores are reported for both halves and for all.

**Exact-or-contained.** Both answers are normalised: case folded, curly quotes made
straight, every character other than a letter, a digit or an apostrophe inside a word
made a space (so "6,000" becomes "6 000" on both sides), the articles "a", "an" and
"the" dropped. A predicted answer of more than :data:`MAX_ANSWER_WORDS` words is never
right, whatever it contains (returning whole sentences earns nothing). Otherwise it is
right when, for some accepted answer,

* it equals the accepted answer, or
* it contains the accepted answer as a run of whole words and is at most
  :data:`MAX_EXTRA_WORDS` words longer ("a 5 percent rise" for "5 percent"), or
* it is a run of whole words of the accepted answer holding at least
  :data:`MIN_SHARE` of its words ("judge Marcus Ovell" for "retired judge Marcus Ovell").

**Scores.** *Accuracy* over all questions: an answerable question is right when its
answer matches, an unanswerable one when the answer is ``None``. *"Does not say"
precision*: of the questions answered ``None``, the share the gold marks unanswerable;
*recall*: of the unanswerable questions, the share answered ``None``.

``python quality/questions.py`` prints the scores, every miss and the time per answer.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from storyline.stories.digest_types import DigestArticle  # noqa: E402 (after the path set-up)

if TYPE_CHECKING:
    from spacy.language import Language

    from storyline.ai.types import Encoder

GOLD_DIR = REPO / "tests" / "fixtures" / "ai" / "questions"
FLOORS = Path(__file__).resolve().parent / "floors.json"
SPLITS = ("dev", "test", "all")
MAX_ANSWER_WORDS = 12
MAX_EXTRA_WORDS = 3
MIN_SHARE = 0.6
_ARTICLES = frozenset({"a", "an", "the"})
_NOT_WORD = re.compile(r"[^\w']+|_")


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    split: str
    articles: tuple[int, ...]
    question: str
    answers: tuple[str, ...] | None


@dataclass(frozen=True)
class Outcome:
    """What the answerer said to one gold question, and how long it took."""

    gold: GoldQuestion
    answer: str | None
    seconds: float

    @property
    def right(self) -> bool:
        if self.gold.answers is None:
            return self.answer is None
        return self.answer is not None and matches(self.answer, self.gold.answers)


@dataclass(frozen=True)
class Scores:
    questions: int
    unanswerable: int
    accuracy: float
    answerable_accuracy: float
    dns_precision: float
    dns_recall: float

    def as_dict(self) -> dict[str, float]:
        return {
            "accuracy": self.accuracy,
            "dns_precision": self.dns_precision,
            "dns_recall": self.dns_recall,
        }

    def describe(self) -> str:
        return (
            f"{self.questions} questions ({self.unanswerable} unanswerable): "
            f"accuracy={self.accuracy:.3f} answerable accuracy={self.answerable_accuracy:.3f} "
            f"does-not-say precision={self.dns_precision:.3f} recall={self.dns_recall:.3f}"
        )


def normalise(text: str) -> list[str]:
    """The words of ``text`` as the metric compares them (see the module docstring)."""
    folded = text.casefold().replace("’", "'").replace("‘", "'")
    words = [w.strip("'") for w in _NOT_WORD.sub(" ", folded).split()]
    return [w for w in words if w and w not in _ARTICLES]


def matches(predicted: str, answers: Sequence[str]) -> bool:
    """Whether ``predicted`` is exact-or-contained for one of ``answers``."""
    words = normalise(predicted)
    if not words or len(predicted.split()) > MAX_ANSWER_WORDS:
        return False
    for answer in answers:
        gold = normalise(answer)
        if not gold:
            continue
        if words == gold:
            return True
        if _contains(words, gold) and len(words) - len(gold) <= MAX_EXTRA_WORDS:
            return True
        if _contains(gold, words) and len(words) >= MIN_SHARE * len(gold):
            return True
    return False


def _contains(outer: Sequence[str], inner: Sequence[str]) -> bool:
    size = len(inner)
    return any(list(outer[i : i + size]) == list(inner) for i in range(len(outer) - size + 1))


def load_gold(folder: Path = GOLD_DIR) -> list[GoldQuestion]:
    data: dict[str, Any] = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    return [
        GoldQuestion(
            id=str(q["id"]),
            split=str(q["split"]),
            articles=tuple(int(a) for a in q["articles"]),
            question=str(q["question"]),
            answers=None if q["answers"] is None else tuple(str(a) for a in q["answers"]),
        )
        for q in data["questions"]
    ]


def load_articles(nlp: Language, folder: Path = GOLD_DIR) -> dict[int, DigestArticle]:
    """The gold set's articles, analysed by the real understanding stage."""
    from storyline.understand.analyze import ArticleInput, analyze_articles

    meta: list[dict[str, Any]] = json.loads((folder / "articles.json").read_text("utf-8"))
    texts = [(folder / "articles" / str(m["file"])).read_text("utf-8") for m in meta]
    dates = [datetime.fromisoformat(str(m["published"])) for m in meta]
    inputs = [ArticleInput(text, date) for text, date in zip(texts, dates, strict=True)]
    analyses = analyze_articles(nlp, inputs, lambda aliases: {})
    return {
        int(m["id"]): DigestArticle.from_analysis(
            int(m["id"]), str(m["outlet"]), str(m["url"]), str(m["title"]), date, text, analysis
        )
        for m, text, date, analysis in zip(meta, texts, dates, analyses, strict=True)
    }


def run_questions(
    questions: Sequence[GoldQuestion],
    articles: Mapping[int, DigestArticle],
    encoder: Encoder,
    nlp: Language,
) -> list[Outcome]:
    """Ask every question of its articles with :func:`answer_question`, timing each."""
    from storyline.ai.answer import answer_question

    outcomes = []
    for gold in questions:
        started = time.perf_counter()
        result = answer_question(gold.question, [articles[i] for i in gold.articles], encoder, nlp)
        outcomes.append(Outcome(gold, result.answer, time.perf_counter() - started))
    return outcomes


def score(outcomes: Sequence[Outcome]) -> Scores:
    unanswerable = [o for o in outcomes if o.gold.answers is None]
    answerable = [o for o in outcomes if o.gold.answers is not None]
    silent = [o for o in outcomes if o.answer is None]
    return Scores(
        questions=len(outcomes),
        unanswerable=len(unanswerable),
        accuracy=_share(sum(o.right for o in outcomes), len(outcomes)),
        answerable_accuracy=_share(sum(o.right for o in answerable), len(answerable)),
        dns_precision=_share(sum(o.gold.answers is None for o in silent), len(silent)),
        dns_recall=_share(sum(o.right for o in unanswerable), len(unanswerable)),
    )


def score_splits(outcomes: Sequence[Outcome]) -> dict[str, Scores]:
    return {
        split: score([o for o in outcomes if split == "all" or o.gold.split == split])
        for split in SPLITS
    }


def describe(scores: Mapping[str, Scores]) -> str:
    return "; ".join(f"{split}: {s.describe()}" for split, s in scores.items())


def misses(outcomes: Sequence[Outcome]) -> list[str]:
    return [
        f"{o.gold.id} ({o.gold.split}) {o.gold.question!r}: said {o.answer!r}, "
        f"gold {list(o.gold.answers) if o.gold.answers else None}"
        for o in outcomes
        if not o.right
    ]


def latency(outcomes: Sequence[Outcome]) -> str:
    times = sorted(o.seconds for o in outcomes)
    if not times:
        return "no questions"
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return f"p50={statistics.median(times) * 1000:.0f} ms p99={p99 * 1000:.0f} ms"


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    floors: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return floors["questions"]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def default_encoder() -> Encoder:
    """The product's default model (int8 ONNX), its export cached as the tests cache it."""
    from storyline.stories.embeddings import Embedder, model_cache_folder

    default = Path(tempfile.gettempdir()) / "storyline-test-home"
    home = Path(os.environ.get("STORYLINE_TEST_MODEL_CACHE", default))
    return Embedder(cache_dir=model_cache_folder(home))


def ask_story(
    questions: Sequence[GoldQuestion],
    articles: Mapping[int, DigestArticle],
    encoder: Encoder,
    nlp: Language,
) -> list[Outcome]:
    """Every question asked of all the gold articles at once (a ten-article story), to
    time story answers; these answers are not scored."""
    ids = tuple(articles)
    story = [GoldQuestion(g.id, g.split, ids, g.question, g.answers) for g in questions]
    return run_questions(story, articles, encoder, nlp)


def main() -> int:
    from storyline.settings import Settings
    from storyline.understand.pipeline import load_pipeline

    encoder = default_encoder()
    nlp = load_pipeline(Settings())
    articles = load_articles(nlp)
    gold = load_gold()
    run_questions(gold[:3], articles, encoder, nlp)  # load the models before timing
    outcomes = run_questions(gold, articles, encoder, nlp)
    for split, scores in score_splits(outcomes).items():
        print(f"{split}: {scores.describe()}")
    print(f"time per answer, of its own articles: {latency(outcomes)}")
    story = ask_story(gold, articles, encoder, nlp)
    print(f"time per answer, of all {len(articles)} articles: {latency(story)}")
    for line in misses(outcomes):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
