"""The extraction gate: how much of each page's article text the extractor gets right.

The metric is the scrapinghub article-extraction-benchmark's, so figures compare with the
published ones: texts become ``\\w+`` tokens (case kept), tokens become 4-gram shingles
counted as multisets, and each page gets a precision and a recall. Precision is averaged
over the pages where something was extracted, recall over the pages that have article
text, and F1 is taken of those two averages.

``python quality/extraction.py`` scores plain trafilatura (the baseline) and Storyline's
``extract_article`` in the same run, and lists the pages where Storyline does worst.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from storyline.shared_data import shared_dir

REPO = Path(__file__).resolve().parents[1]
DATASET = shared_dir() / "datasets" / "extraction"
FLOORS = Path(__file__).resolve().parent / "floors.json"
_TOKEN = re.compile(r"\w+", re.UNICODE)
_SHINGLE = 4


@dataclass(frozen=True)
class Page:
    """One gold page: its raw bytes and the article text a person marked in it."""

    id: str
    url: str
    html: bytes
    truth: str


@dataclass(frozen=True)
class PageScore:
    """One page's shingle counts; precision or recall is None where it is undefined."""

    id: str
    true_positive: int
    false_positive: int
    false_negative: int

    @property
    def precision(self) -> float | None:
        if self.true_positive + self.false_positive == 0:
            return None  # nothing extracted: the benchmark leaves the page out of precision
        return self.true_positive / (self.true_positive + self.false_positive)

    @property
    def recall(self) -> float | None:
        if self.true_positive + self.false_negative == 0:
            return None
        return self.true_positive / (self.true_positive + self.false_negative)

    @property
    def f1(self) -> float:
        precision, recall = self.precision or 0.0, self.recall or 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    per_page: tuple[PageScore, ...]

    def as_dict(self) -> dict[str, float]:
        return {"f1": self.f1, "precision": self.precision, "recall": self.recall}

    def describe(self) -> str:
        return f"precision={self.precision:.4f} recall={self.recall:.4f} F1={self.f1:.4f}"


def score_extraction(pages: Iterable[tuple[str, str, str | None]]) -> Scores:
    """Benchmark scores of ``(page id, true text, extracted text or None)`` triples."""
    per_page = tuple(score_page(page_id, truth, prediction) for page_id, truth, prediction in pages)
    precisions = [p.precision for p in per_page if p.precision is not None]
    recalls = [p.recall for p in per_page if p.recall is not None]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, per_page)


def score_page(page_id: str, truth: str, prediction: str | None) -> PageScore:
    true_shingles = _shingles(truth)
    predicted = _shingles(prediction or "")
    overlap = sum((true_shingles & predicted).values())
    return PageScore(
        page_id,
        true_positive=overlap,
        false_positive=sum(predicted.values()) - overlap,
        false_negative=sum(true_shingles.values()) - overlap,
    )


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    """4-gram shingles; a text shorter than four tokens is one shorter shingle, as upstream."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    count = max(1, len(tokens) - _SHINGLE + 1)
    return Counter(tuple(tokens[i : i + _SHINGLE]) for i in range(count))


def load_pages(dataset: Path = DATASET) -> list[Page]:
    """The gold pages, read in place (never copied into the repository)."""
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        with gzip.open(dataset / "html" / f"{page_id}.html.gz", "rb") as handle:
            html = handle.read()
        entry = truth[page_id]
        pages.append(Page(page_id, entry.get("url", ""), html, entry.get("articleBody", "")))
    return pages


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    floors: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return floors["extraction"]


def storyline_text(page: Page) -> str | None:
    """The article body Storyline's extractor keeps of one page.

    Captions are typed blocks of their own and the gold texts leave them out (they are the
    schema.org ``articleBody``), so the body without captions is what is compared.
    """
    from storyline.extract import extract_article

    result = extract_article(page.html, url=page.url)
    return result.body_text if result is not None else None


def trafilatura_text(page: Page) -> str | None:
    """The baseline: trafilatura's ``extract()`` with its default settings, as upstream runs it."""
    import trafilatura

    text: str | None = trafilatura.extract(page.html.decode("utf-8"), include_comments=False)
    return text


def run_extractor(
    extractor: Callable[[Page], str | None], pages: Sequence[Page], workers: int = 2
) -> tuple[Scores, float]:
    """Scores of ``extractor`` over ``pages`` and its time per page in seconds (CPU, per worker)."""
    started = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            texts = list(pool.map(extractor, pages, chunksize=4))
    else:
        texts = [extractor(page) for page in pages]
    elapsed = time.perf_counter() - started
    scores = score_extraction((p.id, p.truth, text) for p, text in zip(pages, texts, strict=True))
    return scores, elapsed * workers / max(1, len(pages))


def main() -> int:
    pages = load_pages()
    baseline, baseline_time = run_extractor(trafilatura_text, pages)
    ours, our_time = run_extractor(storyline_text, pages)
    print(f"pages: {len(pages)}")
    print(f"trafilatura extract(): {baseline.describe()}  ({baseline_time * 1000:.0f} ms/page)")
    print(f"storyline extract_article: {ours.describe()}  ({our_time * 1000:.0f} ms/page)")
    floors = load_floors() if FLOORS.exists() else {}
    if floors:
        print("floors: " + ", ".join(f"{k}={v:.3f}" for k, v in sorted(floors.items())))
    urls = {page.id: page.url for page in pages}
    print("worst pages for extract_article (F1, precision, recall, url):")
    for page in sorted(ours.per_page, key=lambda p: p.f1)[:10]:
        precision = "-" if page.precision is None else f"{page.precision:.3f}"
        recall = "-" if page.recall is None else f"{page.recall:.3f}"
        print(f"  {page.f1:.3f}  p={precision}  r={recall}  {page.id[:12]}  {urls[page.id]}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
