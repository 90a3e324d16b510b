"""Ask, offline: answers from the seed page and from invented sentences, with citations.

The seed page (``../shared/seed``, read in place) is parsed by the real aggregator-page
parser, cleaned, and analysed by the real understanding stage; the engine runs with the
real spaCy pipeline and embedding model (``tests/ai/conftest.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from spacy.language import Language

from storyline.ai.answer import answer_question
from storyline.ai.figures import find_figures
from storyline.ai.questions import MAX_QUESTION_CHARS, read_question
from storyline.ai.types import DOES_NOT_SAY, AiResult, CitedSentence, Encoder
from storyline.clean import clean_article
from storyline.ingest.aggregator import parse_aggregator_page
from storyline.stories.digest_types import DigestArticle
from storyline.understand.analyze import ArticleInput, analyze_articles

AS_OF = datetime(2025, 6, 8, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed_articles(seed_page: Path, nlp: Language) -> list[DigestArticle]:
    """The seed page's articles as the digest reads them, numbered from 1."""
    if not seed_page.is_file():
        pytest.fail(f"{seed_page} is missing: the Ask tests read the seed page there")
    page = seed_page.read_text(encoding="utf-8")
    drafts = [clean_article(d) for d in parse_aggregator_page(page, as_of=AS_OF, outlet=None)]
    inputs = [ArticleInput(d.text, d.published_at) for d in drafts]
    analyses = analyze_articles(nlp, inputs, lambda aliases: {})
    return [
        DigestArticle.from_analysis(
            number, d.outlet or "", d.url or "", d.title, d.published_at, d.text, analysis
        )
        for number, (d, analysis) in enumerate(zip(drafts, analyses, strict=True), start=1)
    ]


@pytest.fixture(scope="module")
def samus_article(seed_articles: list[DigestArticle]) -> DigestArticle:
    return seed_articles[0]


@pytest.fixture(scope="module")
def bodies_article(seed_articles: list[DigestArticle]) -> DigestArticle:
    """The AP report (carried by the Los Angeles Times) of the planned exchange of bodies."""
    found = [a for a in seed_articles if "6,000 bodies" in a.text]
    assert len(found) == 1, [a.title for a in seed_articles]
    return found[0]


def _check_citations(result: AiResult, articles: list[DigestArticle]) -> None:
    texts = {int(a.article_id): a.text for a in articles}
    for sentence in result.sentences:
        for citation in sentence.citations:
            assert texts[citation.article_id][citation.start : citation.end] == sentence.text


def _ask(question: str, articles: list[DigestArticle], encoder: Encoder, nlp: Language) -> AiResult:
    result = answer_question(question, articles, encoder, nlp)
    assert result.feature == "ask" and result.question == question
    _check_citations(result, articles)
    if result.answer is not None:
        # the answer is a span of a cited sentence, and short
        assert result.sentences and all(s.citations for s in result.sentences)
        assert any(result.answer in s.text for s in result.sentences)
        assert len(result.answer.split()) <= 12
    return result


def test_who_is_answers_with_the_role(
    samus_article: DigestArticle, embedder: Encoder, nlp: Language
) -> None:
    result = _ask("Who is Mykhailo Samus?", [samus_article], embedder, nlp)
    assert result.answer is not None
    assert "military expert" in result.answer
    assert "New Geopolitics Research Network" in result.answer
    assert "Mykhailo Samus" in result.sentences[0].text


def test_how_many_answers_with_the_figure(
    bodies_article: DigestArticle, embedder: Encoder, nlp: Language
) -> None:
    result = _ask("How many bodies were to be exchanged?", [bodies_article], embedder, nlp)
    assert result.answer == "6,000"


def test_which_answers_with_every_name(
    bodies_article: DigestArticle, embedder: Encoder, nlp: Language
) -> None:
    result = _ask("Which airports suspended flights?", [bodies_article], embedder, nlp)
    assert result.answer is not None
    assert "Vnukovo" in result.answer and "Domodedovo" in result.answer


def test_a_question_the_text_cannot_answer_does_not_say(
    samus_article: DigestArticle, embedder: Encoder, nlp: Language
) -> None:
    result = _ask("How old is Mykhailo Samus?", [samus_article], embedder, nlp)
    assert result.answer is None
    assert result.sentences == (CitedSentence(DOES_NOT_SAY, ()),)
    assert result.to_json()["answer"] is None


def test_story_questions_search_every_article(
    seed_articles: list[DigestArticle], embedder: Encoder, nlp: Language
) -> None:
    bodies = _ask("How many bodies were to be exchanged?", seed_articles, embedder, nlp)
    assert bodies.answer == "6,000"
    role = _ask("Who is Mykhailo Samus?", seed_articles, embedder, nlp)
    assert role.answer is not None and "military expert" in role.answer
    assert role.sentences[0].citations[0].article_id == 1
    assert _ask("How old is Mykhailo Samus?", seed_articles, embedder, nlp).answer is None


def _article(text: str, title: str = "Harbour works begin") -> DigestArticle:
    return DigestArticle(7, "Cove Gazette", "https://cove.example/a", title, AS_OF, text)


def test_invented_article_answers_and_silences(embedder: Encoder, nlp: Language) -> None:
    article = _article(
        "MARLOW BAY (Cove Gazette) — Work on the new Marlow Bay breakwater began on "
        "Tuesday, the harbour board said.\n\n"
        "The 600-metre wall will cost 41 million crowns and should be finished in 2027, "
        "said Petra Vollan, the board's chief engineer.\n\n"
        "About 120 workers will build it, and the harbour will stay open during the work."
    )
    articles = [article]
    assert _ask("How much will the breakwater cost?", articles, embedder, nlp).answer == (
        "41 million crowns"
    )
    assert _ask("How many workers will build it?", articles, embedder, nlp).answer == ("About 120")
    assert _ask("Who is Petra Vollan?", articles, embedder, nlp).answer == (
        "the board's chief engineer"
    )
    assert _ask("When did work on the breakwater begin?", articles, embedder, nlp).answer == (
        "Tuesday"
    )
    for unanswerable in (
        "How old is Petra Vollan?",
        "Who is the mayor of Marlow Bay?",
        "How many ships use the harbour?",
        "Will the harbour close during the work?",
    ):
        assert _ask(unanswerable, articles, embedder, nlp).answer is None, unanswerable


def test_nothing_to_read_does_not_say(embedder: Encoder, nlp: Language) -> None:
    result = answer_question("Who is Petra Vollan?", [], embedder, nlp)
    assert result.answer is None and result.sentences[0].text == DOES_NOT_SAY


@pytest.mark.parametrize("question", ["", "   \n ", "x" * (MAX_QUESTION_CHARS + 1)])
def test_an_empty_or_overlong_question_is_refused(
    question: str, embedder: Encoder, nlp: Language
) -> None:
    with pytest.raises(ValueError, match="question"):
        answer_question(question, [_article("Some words to read here.")], embedder, nlp)


@pytest.mark.parametrize(
    ("question", "kind", "target"),
    [
        ("How many bodies were to be exchanged?", "count", "body"),
        ("Which airports suspended flights?", "which", "airport"),
        ("Who is Mykhailo Samus?", "role", None),
        ("Who led the rescue?", "person", None),
        ("How old is the driver?", "age", None),
        ("How much will it cost?", "amount", None),
        ("When will the ferry start?", "date", None),
        ("Where was the beetle found?", "place", None),
        ("Why did the airport stay open?", "reason", None),
        ("In which journal was the study published?", "which", "journal"),
        ("What is the name of the bakery?", "which", "bakery"),
        ("What can overheat?", "what", None),
        ("Did the mayor resign?", "yesno", None),
    ],
)
def test_questions_are_read_by_kind(
    question: str, kind: str, target: str | None, nlp: Language
) -> None:
    read = read_question(question, nlp)
    assert (read.kind, read.target) == (kind, target)


def test_figures_keep_their_hedges_units_and_ranges(nlp: Language) -> None:
    doc = nlp(
        "It will cost between 30 million and 45 million euros, about a third of the "
        "budget; a 34-year-old driver and six hundred and thirty-one pupils waited "
        "more than 40 minutes."
    )
    found = [(doc[f.start : f.end].text, f.category) for f in find_figures(doc)]
    assert ("between 30 million and 45 million euros", "money") in found
    assert ("34-year-old", "age") in found
    assert ("six hundred and thirty-one", "count") in found
    assert ("more than 40 minutes", "duration") in found
