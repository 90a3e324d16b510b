"""Background and perspectives, offline, over invented articles.

Perspectives read the story digest fixtures (``tests/fixtures/stories/digest``: five
outlets on one invented drone attack, with differing figures, a denial, an unverified
claim, a wire copy and speakers only one outlet quotes), analysed by the real pipeline.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.ai.background import background, period_end
from storyline.ai.material import EarlierStory, Material
from storyline.ai.perspectives import perspectives
from storyline.ai.types import AiResult
from storyline.settings import Settings
from storyline.stories.digest_types import DigestArticle, DigestEvent
from storyline.understand.analyze import ArticleInput, analyze_articles
from storyline.understand.pipeline import load_pipeline

DIGEST = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "digest"


@pytest.fixture(scope="module")
def breska() -> list[DigestArticle]:
    meta: dict[str, dict[str, str]] = json.loads((DIGEST / "articles.json").read_text())
    texts = {key: (DIGEST / "articles" / f"{key}.txt").read_text() for key in meta}
    inputs = [
        ArticleInput(texts[key], datetime.fromisoformat(meta[key]["published"])) for key in meta
    ]
    analyses = analyze_articles(load_pipeline(Settings()), inputs, lambda aliases: {})
    return [
        DigestArticle.from_analysis(
            number,
            meta[key]["outlet"],
            meta[key]["url"],
            meta[key]["title"],
            datetime.fromisoformat(meta[key]["published"]),
            texts[key],
            analysis,
        )
        for number, (key, analysis) in enumerate(zip(meta, analyses, strict=True), start=1)
    ]


def _assert_citations_exact(result: AiResult, articles: list[DigestArticle]) -> None:
    texts = {int(a.article_id): a.text for a in articles}
    for sentence in result.sentences:
        assert sentence.citations, sentence
        for c in sentence.citations:
            cited = texts[c.article_id][c.start : c.end]
            assert cited.strip() == cited and len(cited.split()) >= 4, cited


def test_perspectives_compare_the_outlets(breska: list[DigestArticle]) -> None:
    material = Material("story", 1, "Breska", tuple(breska), story=tuple(breska))
    result = perspectives(material)
    titles = [section.title for section in result.sections]
    assert titles == [
        "Figures that differ",
        "Claims only one side makes",
        "What each outlet stresses",
    ]
    _assert_citations_exact(result, breska)
    figures = " ".join(s.text for s in result.sections[0].sentences)
    assert "23" in figures and "19" in figures, figures
    one_sided = " ".join(s.text for s in result.sections[1].sentences)
    assert "denied" in one_sided and "could not verify" in one_sided, one_sided
    assert "Only Valley Post quotes Mira Castellan" in one_sided, one_sided
    stressed = {s.label: s for s in result.sections[2].sentences}
    # The verbatim copy is named as carrying the wire's text, not as an emphasis of its own.
    assert "Harbor Gazette" in stressed
    assert stressed["Harbor Gazette"].text.startswith("Harbor Gazette carries Meridian Wire")
    assert {"Valley Post", "Eastbrook Times", "Meridian Wire"} <= set(stressed)
    valley = stressed["Valley Post"]
    cited = breska[3].text[valley.citations[0].start : valley.citations[0].end]
    assert valley.text == cited


def test_perspectives_of_one_outlet_say_there_is_nothing_to_compare(
    breska: list[DigestArticle],
) -> None:
    one = (breska[3],)
    result = perspectives(Material("article", 4, "Valley", one, story=one))
    assert result.sentences == () and result.sections == ()
    assert result.notice and "Only Valley Post covers this story" in result.notice


def _article(article_id: int, text: str, events: tuple[DigestEvent, ...]) -> DigestArticle:
    return DigestArticle(
        article_id,
        "Lakeside Ledger",
        "",
        "Dam talks resume",
        datetime(2025, 9, 14, 9, tzinfo=UTC),
        text,
        timeline=events,
    )


def test_background_lists_earlier_stories_and_events_before_the_target() -> None:
    text = (
        "Talks on the Orrin dam resumed on Sunday in Velto. "
        "The first round collapsed in March 2024 when the delegations walked out. "
        "Engineers inspected the spillway last week after heavy rain. "
        "A new round is planned for October."
    )
    spans = [(text.index(s), text.index(s) + len(s)) for s in text.split(". ")]

    def event(n: int, value: str) -> DigestEvent:
        start, end = spans[n]
        return DigestEvent(text[start:end], start, end, value)

    article = _article(
        7,
        text,
        (event(0, "2025-09-14"), event(1, "2024-03"), event(2, "2025-W36"), event(3, "2025-10")),
    )
    earlier = EarlierStory(
        3,
        "Orrin dam talks collapse",
        datetime(2024, 3, 2, tzinfo=UTC),
        "The delegations left Velto without an agreement.",
        2,
        0,
        48,
    )
    material = Material(
        "article", 7, "Dam talks resume", (article,), story=(article,), earlier=(earlier,)
    )
    result = background(material)
    assert [s.title for s in result.sections] == ["Earlier in this storyline", "Before this"]
    storyline, before = result.sections
    assert storyline.sentences[0].label == "2 March 2024 · Orrin dam talks collapse"
    assert storyline.sentences[0].citations[0].article_id == 2
    # Only what is wholly before the article: not the day itself, not October.
    assert [s.label for s in before.sentences] == ["March 2024", "week 36, 2025"]
    for sentence in before.sentences:
        c = sentence.citations[0]
        assert text[c.start : c.end] == sentence.text


def test_background_is_empty_when_nothing_came_before() -> None:
    article = _article(1, "Talks on the Orrin dam resumed on Sunday in Velto.", ())
    result = background(Material("article", 1, "t", (article,), story=(article,)))
    assert result.sections == () and result.sentences == ()


@pytest.mark.parametrize(
    ("value", "end"),
    [
        ("2025-09-14", "2025-09-14"),
        ("2025-09-14T22:00", "2025-09-14"),
        ("2025-W37", "2025-09-14"),
        ("2024-02", "2024-02-29"),
        ("2023", "2023-12-31"),
        ("PRESENT_REF", None),
        ("XXXX-03-07", None),
    ],
)
def test_period_end(value: str, end: str | None) -> None:
    found = period_end(value)
    assert (found.isoformat() if found else None) == end
