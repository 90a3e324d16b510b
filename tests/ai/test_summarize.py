"""The offline summary and key points, with the real embedding model, on invented articles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storyline.ai.compress import trimmed_span
from storyline.ai.key_points import fact_score
from storyline.ai.sentence_groups import group_sentences
from storyline.ai.summarize import TUNING, Tuning, choose_summary, is_quote, shown, summarize
from storyline.ai.types import CitedSentence
from storyline.stories.digest_types import DigestArticle, DigestQuote
from storyline.stories.embeddings import Embedder

HARBOUR = "\n\n".join(
    [
        "VELMORA (Northgate Wire) — The Velmora harbour bridge will close for eight months "
        "from 3 March while engineers replace its corroded steel deck, the city council said "
        "on Tuesday.",
        "The closure will divert about 41,000 vehicles a day onto the Orlin ring road, which "
        "the council expects to add up to 25 minutes to a crossing at peak hours.",
        '"We have no safe alternative to a full closure," said council engineer Tamsin Okoro.',
        "The repairs will cost 96 million crowns, of which the national transport fund pays "
        "two thirds.",
        "A free ferry will run every ten minutes between the fish market and Kestrel Point "
        "during the works.",
        "Shopkeepers on Quay Street fear the loss of passing trade, and their association has"
        " asked the council for a rent holiday.",
        "The bridge opened in 1974 and last closed for two weeks in 2009, when a barge struck"
        " one of its piers.",
        "Inspectors found cracks in 14 of its 60 deck beams last autumn, and a weight limit "
        "of 7.5 tonnes has applied since November.",
        "Cyclists and pedestrians will keep a narrow lane on the eastern side until June, "
        "when it too must close.",
        "The council will hold a public meeting about the works at the Velmora library on 12 "
        "February.",
    ]
)

LONG_SENTENCES = (
    "The regional water board of the Dunmere valley announced on Friday that it will build "
    "a reservoir of eleven million cubic metres above the village of Harrowgate, flooding "
    "four farms and a stretch of the old drovers' road that walkers have used for centuries. "
    "Board chair Imogen Vasquez said the reservoir was the only way to keep the valley's "
    "taps running through the longer dry summers that forecasters now expect, and that the "
    "farmers would be paid the full market value of their land plus a relocation grant. "
    "Campaigners from the Friends of Harrowgate group said they would challenge the plan in "
    "the courts, arguing that the board had never properly studied cheaper alternatives such "
    "as repairing the leaking mains that lose a fifth of the valley's water every year. "
    "Construction would begin in 2027 at the earliest."
)

SHORT_SENTENCES = (
    "A grey seal swam into the Brennick canal on Sunday. Lock keepers spotted it at dawn. "
    "It stayed near the lower lock for six hours. Rescuers from the Brennick marine trust "
    "arrived by noon. They guided it back to the estuary with a small boat. Nobody was hurt. "
    "The trust said seals rarely travel this far inland. It asked boaters to keep their "
    "distance if the seal returns."
)


def article(
    text: str, article_id: int = 1, outlet: str = "Velmora Courier", hours: int = 0
) -> DigestArticle:
    return DigestArticle(
        article_id=article_id,
        outlet=outlet,
        url=f"https://example.test/{article_id}",
        title="",
        published_at=datetime(2026, 1, 20, 8, tzinfo=UTC) + timedelta(hours=hours),
        text=text,
    )


def assert_exact(sentences: tuple[CitedSentence, ...], articles: list[DigestArticle]) -> None:
    """Every sentence cites spans that are exactly its text, in articles it names (a
    trimmed span shown with the capital and full stop the trim took away)."""
    by_id = {a.article_id: a for a in articles}
    for sentence in sentences:
        assert sentence.citations, sentence
        for citation in sentence.citations:
            cited = by_id[citation.article_id].text[citation.start : citation.end]
            assert shown(cited) == sentence.text


def test_an_article_summary_is_two_to_four_exact_sentences_in_source_order(
    embedder: Embedder,
) -> None:
    source = article(HARBOUR)
    summary, _ = summarize([source], embedder)
    assert 2 <= len(summary) <= 4
    assert_exact(summary, [source])
    assert summary[0].text.startswith("The Velmora harbour bridge will close")  # dateline left out
    starts = [s.citations[0].start for s in summary]
    assert starts == sorted(starts)
    assert sum(len(s.text.split()) for s in summary[:-1]) <= TUNING.budget


def test_a_direct_quote_is_passed_over_for_the_summary(embedder: Embedder) -> None:
    summary, _ = summarize([article(HARBOUR)], embedder)
    assert all("no safe alternative" not in s.text for s in summary)
    assert any(s.text.startswith("The repairs will cost") for s in summary)


def test_a_quote_the_analysis_found_counts_as_a_quote() -> None:
    text = (
        "The ferry company will raise fares by a tenth in April. "
        "Olu Brandt called the rise painful but unavoidable for a small firm that has held "
        "its fares for six years. "
        "Fuel now costs twice what it did three years ago. "
        "Season tickets will keep their price until the summer."
    )
    start = text.index("painful")
    end = text.index("six years") + len("six years")
    # The page set the quote apart by its style, which the text lost; the analysis kept it.
    quote = DigestQuote(text[start:end], start, end, "direct", "Olu Brandt")
    quoted = DigestArticle(1, "Isle Post", "", "", None, text, quotes=(quote,))
    plain = DigestArticle(1, "Isle Post", "", "", None, text)
    tuning = Tuning(budget=30)

    def chosen(source: DigestArticle) -> list[str]:
        groups = group_sentences([source])
        return [groups[i].text for i in choose_summary(groups, tuning, [source])]

    assert chosen(plain)[1].startswith("Olu Brandt")
    assert chosen(quoted)[1].startswith("Fuel now costs")


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ('"We will rebuild the pier by summer," the mayor said.', True),
        ('The mayor said: "We will rebuild the pier by summer."', True),
        ("The mayor told reporters: 'We will rebuild it.'", True),
        ('Makes my skin crawl even being near the pier."', True),  # a quote's last sentence
        ("The mayor called it “a day of shame for everyone in this town”.", True),
        ('Officials called the plan to rebuild the pier "reckless."', False),
        ("The mayor's office will reopen the pier on Monday.", False),
        ("Divers' unions backed the plan on Tuesday.", False),
    ],
)
def test_quote_marks_tell_a_quote(text: str, quote: bool) -> None:
    (group,) = group_sentences([article(text)])
    assert is_quote(group, {}) is quote


def test_the_summary_stops_at_its_word_budget(embedder: Embedder) -> None:
    long_summary, _ = summarize([article(LONG_SENTENCES)], embedder)
    short_summary, _ = summarize([article(SHORT_SENTENCES)], embedder)
    assert len(long_summary) == 2
    assert len(short_summary) == 4


def test_key_points_are_three_to_six_distinct_facts_not_in_the_summary(
    embedder: Embedder,
) -> None:
    source = article(HARBOUR)
    summary, points = summarize([source], embedder)
    assert 3 <= len(points) <= 6
    assert_exact(points, [source])
    texts = [p.text for p in points]
    assert len(set(texts)) == len(texts)
    assert not set(texts) & {s.text for s in summary}
    starts = [p.citations[0].start for p in points]
    assert starts == sorted(starts)
    # Facts first: the sentences with figures and places, not the quote.
    assert all("no safe alternative" not in t for t in texts)
    assert sum(any(ch.isdigit() for ch in t) for t in texts) >= 2


def test_a_retelling_of_a_summary_sentence_is_left_out(embedder: Embedder) -> None:
    text = (
        "Storm Halvard cut power to 30,000 homes across the Serrin coast on Monday night. "
        "Winds of 140 km/h brought down lines between Port Adley and Quenby. "
        "Engineers from Serrin Power worked through the night to restore supply. "
        "Storm Halvard knocked out electricity to 30,000 houses on the Serrin coast Monday night. "
        "Schools in Quenby stayed closed on Tuesday. "
        "The coastguard rescued two fishermen whose boat lost its engine off Port Adley. "
        "Forecasters expect calmer weather from Thursday. "
        "The ferry to the Holm islands will resume on Wednesday morning. "
        "Insurers said claims could reach 12 million crowns."
    )
    summary, points = summarize([article(text)], embedder)
    assert summary[0].text.startswith("Storm Halvard cut power")
    assert all(not s.text.startswith("Storm Halvard knocked out") for s in summary + points)
    assert len(points) >= 3


def test_a_story_brief_folds_wire_copies_and_cites_every_copy(embedder: Embedder) -> None:
    wire = HARBOUR
    copy = "Drivers face months of delays in Velmora.\n\n" + HARBOUR.split("\n\n", 1)[1].replace(
        "on Tuesday", "this week"
    )
    # The copy has its own opening, then the wire text from its second paragraph on.
    own = (
        "The Velmora harbour bridge will shut for most of the year for repairs, leaving "
        "commuters to use the Orlin ring road. Ferry crews are preparing extra boats. "
        "The council's engineers say the deck is beyond patching. "
        "Local traders want help with their rents during the closure."
    )
    articles = [
        article(wire, 1, "Northgate Wire", 0),
        article(copy, 2, "Harbor Daily", 2),
        article(own, 3, "Coastal Times", 5),
    ]
    summary, points = summarize(articles, embedder, story=True)
    assert 2 <= len(summary) <= 4
    assert_exact(summary, articles)
    assert_exact(points, articles)
    texts = [s.text for s in summary + points]
    assert len(set(texts)) == len(texts)
    cited_by_both = [
        s for s in summary if {c.article_id for c in s.citations} >= {1, 2}
    ]  # sentences both the wire and its copy carry
    assert cited_by_both, [s.to_json() for s in summary]
    diversion = [s for s in summary + points if s.text.startswith("The closure will divert")]
    assert len(diversion) <= 1
    # The wire's opening is in; the Coastal Times' retelling of it is not.
    assert any(s.text.startswith("The Velmora harbour bridge will close") for s in summary)
    assert all(not s.text.startswith("The Velmora harbour bridge will shut") for s in summary)
    for sentence in summary + points:
        ids = [c.article_id for c in sentence.citations]
        assert len(ids) == len(set(ids))


def test_a_story_prefers_what_several_outlets_report(embedder: Embedder) -> None:
    shared = "Firefighters contained the blaze at the Tarrow paper mill after nine hours."
    lone = [
        "A local choir will sing at the reopening of the Tarrow town hall next spring.",
        "The Tarrow marathon drew a record field of 4,200 runners on Sunday.",
        "Tarrow's oldest bakery has changed hands after ninety years in one family.",
        "Council tax in Tarrow will rise by four percent from April.",
        "A rare orchid has flowered in the Tarrow botanical garden for the first time.",
    ]
    outlets = ("Tarrow Echo", "Valley News", "Mill Town Post", "Riverside Herald", "Kiln FM")
    articles = [
        article(
            f"{opening} {shared} No one was injured in the fire, which began in a store room.",
            number,
            outlet,
            number,
        )
        for number, (opening, outlet) in enumerate(zip(lone, outlets, strict=True), start=1)
    ]
    summary, _ = summarize(articles, embedder, story=True)
    # Each outlet's own opening comes first in its article; the fire, second in all
    # five, is what the story is about.
    assert shared in [s.text for s in summary]
    cited = next(s for s in summary if s.text == shared)
    assert {c.article_id for c in cited.citations} == {1, 2, 3, 4, 5}


def test_empty_and_tiny_articles(embedder: Embedder) -> None:
    assert summarize([article("")], embedder) == ((), ())
    assert summarize([article("   \n\n  ")], embedder) == ((), ())
    assert summarize([], embedder) == ((), ())
    one = article("The Brennick library reopened on Monday after a two-year rebuild.")
    summary, points = summarize([one], embedder)
    assert [s.text for s in summary] == [one.text]
    assert points == ()
    two = article(
        "The Brennick library reopened on Monday after a two-year rebuild. "
        "Its new wing holds 80,000 books."
    )
    summary, points = summarize([two], embedder)
    assert len(summary) == 2
    assert_exact(summary, [two])
    assert points == ()


def test_fragments_and_non_news_text(embedder: Embedder) -> None:
    fragments = article("Road shut. Ferry late.")
    summary, _ = summarize([fragments], embedder)
    assert [s.text for s in summary] == ["Road shut.", "Ferry late."]
    assert_exact(summary, [fragments])
    recipe = article(
        "Ingredients\n\n2 cups flour\n\n1 egg\n\nMethod\n\n"
        "Mix the flour and the egg in a large bowl until smooth. "
        "Rest the dough for thirty minutes under a cloth. "
        "Roll it out thinly and cut it into ribbons. "
        "Boil the ribbons in salted water for three minutes. "
        "Serve them at once with butter and herbs."
    )
    summary, points = summarize([recipe], embedder)
    assert 2 <= len(summary) <= 4
    assert_exact(summary + points, [recipe])
    assert len({s.text for s in summary + points}) == len(summary) + len(points)


def test_copies_fold_into_one_group_and_count_their_outlets() -> None:
    first = article("Engineers will replace the corroded deck of the Velmora bridge in March.", 1)
    edited = article(
        "Engineers will replace the corroded deck of the Velmora bridge from March.",
        2,
        "Harbor Daily",
    )
    other = article("A free ferry will run every ten minutes during the works.", 3, "Isle Post")
    groups = group_sentences([first, edited, other])
    assert [len(g.copies) for g in groups] == [2, 1]
    assert groups[0].support == 2
    assert [c.article_id for c in groups[0].citations()] == [1, 2]
    assert groups[1].support == 1


@pytest.mark.parametrize("story", [False, True])
def test_the_result_is_deterministic(embedder: Embedder, story: bool) -> None:
    articles = [article(HARBOUR, 1), article(LONG_SENTENCES, 2, "Dunmere Gazette", 1)]
    chosen = articles if story else articles[:1]
    assert summarize(chosen, embedder, story=story) == summarize(chosen, embedder, story=story)


def test_facts_score_above_quotes_questions_and_fragments() -> None:
    def score(text: str) -> float:
        (group,) = group_sentences([article(text)])
        return fact_score(group, 0.2, {})

    plain = score("The harbour board will review the timetable for the crossing in spring.")
    assert score("The harbour board will review 14 timetables for the crossing on 3 March.") > (
        plain
    )
    for worse in (
        "the harbour board will review the timetable for the crossing in spring.",
        '"The harbour board will review the timetable for the crossing in spring."',
        "Will the harbour board review the timetable for the crossing in spring?",
    ):
        assert score(worse) < plain, worse


FUSED_CAPTION = (
    "Shut: the Orlin ferry terminal will close for a month The ferry terminal at Orlin "
    "will close for four weeks from Monday while its ramps are rebuilt, the harbour board said. "
    "Ferries will berth at the fish market quay instead. Tickets bought for the terminal "
    "stay valid at the quay. The board expects the work to cost four million crowns."
)


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        (
            "Wanted: Police in Drellby have issued a warrant for a 30-year-old baker "
            "Police in Drellby have launched a search for a baker who vanished on Friday.",
            "Police in Drellby have launched a search for a baker who vanished on Friday.",
        ),
        (
            "Fighter ace: Captain Ilse Brandvik's story is to be told in a film about her war.",
            "Captain Ilse Brandvik's story is to be told in a film about her war.",
        ),
        (
            "However, the Kestrel Point lighthouse will reopen to visitors in the spring.",
            "the Kestrel Point lighthouse will reopen to visitors in the spring.",
        ),
        (
            "According to the Velmora tourist board, hotel bookings fell by a fifth in May.",
            "hotel bookings fell by a fifth in May.",
        ),
        (
            "Hotel bookings in Velmora fell by a fifth in May, the tourist board said on Sunday.",
            "Hotel bookings in Velmora fell by a fifth in May",
        ),
        (
            "Hotel bookings in Velmora fell by a fifth, according to the tourist board.",
            "Hotel bookings in Velmora fell by a fifth",
        ),
        # Left whole: a quote, and a trim that would leave too little.
        (
            '"We will reopen in the spring," the lighthouse keeper, Anton Velde, said.',
            '"We will reopen in the spring," the lighthouse keeper, Anton Velde, said.',
        ),
        (
            "Bookings fell sharply, the tourist board said.",
            "Bookings fell sharply, the tourist board said.",
        ),
    ],
)
def test_a_sentence_is_trimmed_to_an_exact_span(sentence: str, kept: str) -> None:
    start, end = trimmed_span(sentence)
    assert sentence[start:end] == kept


def test_a_trimmed_summary_sentence_cites_its_exact_span(embedder: Embedder) -> None:
    articles = [article(FUSED_CAPTION)]
    summary, points = summarize(articles, embedder)
    assert_exact(summary, articles)
    assert_exact(points, articles)
    first = summary[0]
    # The closing attribution is trimmed; the sentence is shown with its full stop back.
    assert first.text == (
        "The ferry terminal at Orlin will close for four weeks from Monday while its "
        "ramps are rebuilt."
    )
    citation = first.citations[0]
    assert FUSED_CAPTION[citation.start : citation.end] == first.text[:-1]
