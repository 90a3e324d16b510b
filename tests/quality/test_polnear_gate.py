"""The attribution gate: ``tag_attributions`` on PolNeAR's dev split must not fall below its floors.

The articles are read in place from ``../shared/datasets/quotes/polnear`` and their spaCy parses
cached outside the repository (``~/.cache/storyline/quality``), so later runs skip spaCy. The
floors (precision, recall and F1 of sources, cues and contents) are pinned in
``quality/floors.json`` under ``polnear`` and only ever rise; until they are pinned the gate
reports only. The scores, the lenient overlap F1 and the tagger's cost beside spaCy's are
printed on every run and written into the failure message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quality.polnear import (
    as_dict,
    describe,
    load_floors,
    load_polnear,
    normalise_span,
    overlap_scores,
    parse_brat,
    score_documents,
    tag_documents,
    time_per_article,
)
from storyline.understand.types import Attribution

_TEXT = "“The ferry,” Maia Korhon said, “was late again.” Critics claim it is slow."
_STANDOFF = (
    "T1\tSource 13 24\tMaia Korhon\n"
    "T2\tCue 25 29\tsaid\n"
    "T3\tContent 0 12;31 48\t“The ferry,” “was late again.”\n"
    "T4\tAttribution 25 29\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "#1\tAnnotatorNotes T3\ta note that runs\n"
    "over two lines\n"
    "T5\tCue 57 62\tclaim\n"
    "T6\tDiscuss 63 73\tit is slow\n"
    "E2\tAttribution-no-source:T5 Cue:T5\n"
)


@pytest.fixture(scope="module")
def dataset(shared_dir: Path) -> Path:
    path = shared_dir / "datasets" / "quotes" / "polnear"
    if not (path / "dev" / "attributions").is_dir():
        pytest.fail(f"{path} is missing: the attribution gate reads PolNeAR's dev split there")
    return path


def test_attribution_meets_its_floors(dataset: Path) -> None:
    docs = load_polnear("dev", dataset)
    pairs = list(zip(docs, tag_documents(docs), strict=True))
    scores = score_documents(pairs)
    lenient = overlap_scores(pairs)
    parse, tag = time_per_article(docs, sample=6)
    floors = load_floors()
    report = (
        f"PolNeAR dev, {len(docs)} annotator files: {describe(scores)}; overlap F1 "
        + ", ".join(f"{role} {f1:.4f}" for role, (_, _, f1) in lenient.items())
        + f"; tagger {tag * 1000:.0f} ms/article, {tag / parse:.1%} of spaCy's parse; "
        f"floors: {floors or 'none pinned yet (report only)'}"
    )
    print(report)
    assert all(score.true_positive > 0 for score in scores.values()), report
    below = {name: value for name, value in as_dict(scores).items() if value < floors.get(name, 0)}
    assert not below, f"below the floor: {below}; {report}"


def test_every_annotator_file_is_a_document(dataset: Path) -> None:
    docs = load_polnear("dev", dataset)
    by_article: dict[str, list[str]] = {}
    for doc in docs:
        by_article.setdefault(doc.article, []).append(doc.annotator)
    assert max(len(annotators) for annotators in by_article.values()) > 1
    assert len(docs) == sum(len(annotators) for annotators in by_article.values())
    for doc in docs:
        for item in doc.attributions:
            for start, end in item.content:
                assert 0 <= start < end <= len(doc.text)


def test_standoff_roles_come_from_event_lines() -> None:
    """Fragments stay apart, notes and stray labels are skipped, content-less events dropped."""
    (only,) = parse_brat(_STANDOFF)
    assert only.source == ((13, 24),)
    assert only.cue == ((25, 29),)
    assert only.content == ((0, 12), (31, 48))


def test_spans_are_trimmed_and_widened_to_whole_words() -> None:
    text = "Officials in Brackley said  the dam held."
    assert normalise_span(text, (26, 41)) == (28, 41)
    assert normalise_span(text, (1, 9)) == (0, 9)
    assert normalise_span(text, (26, 28)) is None


def test_the_scorer_matches_spans_exactly_per_role(tmp_path: Path) -> None:
    root = tmp_path / "dev"
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "ferry.txt").write_text(_TEXT, encoding="utf-8")
    (root / "attributions" / "ferry_aa01.ann").write_text(_STANDOFF, encoding="utf-8")
    (doc,) = load_polnear("dev", tmp_path)
    assert (doc.article, doc.annotator) == ("ferry", "aa01")
    whole = Attribution(content=(0, 48), source=(13, 24), cue=(25, 29))
    stray = Attribution(content=(63, 73), cue=(57, 62))
    scores = score_documents([(doc, [whole, stray])])
    assert scores["source"].precision == scores["source"].recall == 1.0
    assert (scores["cue"].true_positive, scores["cue"].false_positive) == (1, 1)
    assert (scores["content"].true_positive, scores["content"].false_negative) == (0, 2)
    first = Attribution(content=(0, 12), source=(13, 24), cue=(25, 29))
    second = Attribution(content=(31, 48), source=(13, 24), cue=(25, 29))
    scores = score_documents([(doc, [second, first])])
    assert all(score.f1 == 1.0 for score in scores.values())
    assert scores["source"].true_positive == 1
    lenient = overlap_scores([(doc, [whole, stray])])
    assert lenient["content"] == (0.5, 1.0, 2 / 3)  # the whole overlaps both fragments
    assert lenient["cue"] == (0.5, 1.0, 2 / 3)
