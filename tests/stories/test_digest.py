"""The story digest of invented articles, analysed by the real understanding pipeline.

The fixtures (``tests/fixtures/stories/digest``, see its README) are five outlets'
reports of one invented drone attack: a wire story, a verbatim copy and a rewrite of it,
and two outlets' own reporting with other figures, a denial and other speakers.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storyline.settings import Settings
from storyline.stories.copies import CopyCandidate, provenance
from storyline.stories.digest import (
    Disagreement,
    StoryDigest,
    build_digest,
    coverage_svg,
)
from storyline.stories.digest_coverage import story_coverage
from storyline.stories.digest_figures import figure_disagreements
from storyline.stories.digest_types import DigestArticle
from storyline.understand.analyze import Analysis, ArticleInput, analyze_articles
from storyline.understand.pipeline import load_pipeline

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "digest"
WIRE, COPY, REWRITE = (
    "wire-meridian",
    "wire-meridian--copy-harbor",
    "wire-meridian--rewrite-northfield",
)
VALLEY, EASTBROOK = "valley-post", "eastbrook-times"


def _meta() -> dict[str, dict[str, str]]:
    loaded: dict[str, dict[str, str]] = json.loads((FIXTURES / "articles.json").read_text())
    return loaded


@pytest.fixture(scope="module")
def analysed() -> list[tuple[str, str, Analysis]]:
    """Each fixture's id, text and analysis by the real pipeline (one spaCy pass)."""
    meta = _meta()
    texts = {key: (FIXTURES / "articles" / f"{key}.txt").read_text() for key in meta}
    inputs = [
        ArticleInput(texts[key], datetime.fromisoformat(meta[key]["published"])) for key in meta
    ]
    results = analyze_articles(load_pipeline(Settings()), inputs, lambda aliases: {})
    return [(key, texts[key], result) for key, result in zip(meta, results, strict=True)]


@pytest.fixture(scope="module")
def articles(analysed: list[tuple[str, str, Analysis]]) -> list[DigestArticle]:
    meta = _meta()
    return [
        DigestArticle.from_analysis(
            key,
            meta[key]["outlet"],
            meta[key]["url"],
            meta[key]["title"],
            datetime.fromisoformat(meta[key]["published"]),
            text,
            analysis,
        )
        for key, text, analysis in analysed
    ]


@pytest.fixture(scope="module")
def digest(articles: list[DigestArticle]) -> StoryDigest:
    return build_digest(articles)


def _texts(articles: list[DigestArticle]) -> dict[str, str]:
    return {str(a.article_id): a.text for a in articles}


# --- Carriage and the article list ------------------------------------------------------


def test_wire_copy_rewrite_and_own_reporting(digest: StoryDigest) -> None:
    (story,) = digest.carriage.carried
    assert story.original.outlet == "Meridian Wire"
    assert [ref.outlet for ref in story.copies] == ["Harbor Gazette"]
    assert [ref.outlet for ref in story.rewrites] == ["Northfield Courier"]
    assert {ref.outlet for ref in digest.carriage.own} == {"Valley Post", "Eastbrook Times"}
    roles = {entry.article_id: entry.carriage for entry in digest.articles}
    assert roles == {
        WIRE: "original",
        COPY: "copy",
        REWRITE: "rewrite",
        VALLEY: "own",
        EASTBROOK: "own",
    }
    times = [entry.published_at for entry in digest.articles]
    assert times == sorted(t for t in times if t is not None)


def test_copy_groups_from_the_store_are_used(articles: list[DigestArticle]) -> None:
    wire = [a for a in articles if a.article_id in (WIRE, COPY)]
    group = provenance(
        [CopyCandidate(str(a.article_id), a.outlet, a.published_at, a.text) for a in wire]
    )
    digest = build_digest(articles, copy_groups=[group])
    (story,) = digest.carriage.carried
    assert [ref.article_id for ref in story.copies] == [COPY]
    assert story.rewrites == ()  # the store did not group the rewrite: its own
    assert {ref.article_id for ref in digest.carriage.own} == {REWRITE, VALLEY, EASTBROOK}
    assert build_digest(articles, copy_groups=[]).carriage.carried == ()


# --- Title and gist ---------------------------------------------------------------------


def test_title_and_gist_cite_their_article(
    digest: StoryDigest, articles: list[DigestArticle]
) -> None:
    titles = {a.article_id: a.title for a in articles}
    assert digest.title_article_id is not None
    assert digest.title == titles[digest.title_article_id]
    gist = digest.gist
    assert gist is not None
    assert _texts(articles)[str(gist.article_id)][gist.start : gist.end] == gist.text
    assert "23 drones" in gist.text
    assert not gist.text.startswith("BRESKA")  # the wire's dateline is left out


# --- Timeline ---------------------------------------------------------------------------


def test_timeline_merges_one_event_reported_by_several_outlets(
    digest: StoryDigest, articles: list[DigestArticle]
) -> None:
    texts = _texts(articles)
    for item in digest.timeline:
        for source in item.sources:
            assert texts[str(source.article_id)][source.start : source.end] == source.text
    downed = [item for item in digest.timeline if "shot down 23 drones" in item.text]
    assert len(downed) == 1
    assert set(downed[0].outlets) == {"Meridian Wire", "Harbor Gazette", "Northfield Courier"}
    assert downed[0].date == "2025-09-13" and downed[0].label == "13 September 2025"
    warehouse = [i for i in digest.timeline if i.text.startswith("Two people were killed")]
    assert len(warehouse) == 1 and len(warehouse[0].sources) == 3
    built = [i for i in digest.timeline if "built to do" in i.text]
    assert len(built) == 1 and "Valley Post" in built[0].outlets
    dates = [item.date for item in digest.timeline]
    assert dates == sorted(dates)


def test_timeline_keeps_different_events_of_one_day_apart(digest: StoryDigest) -> None:
    ferry = [item for item in digest.timeline if "ferry terminal" in item.text]
    assert len(ferry) == 2  # closed on Sunday, reopened on Monday: two events
    for item in digest.timeline:
        assert len({s.article_id for s in item.sources}) == len(item.sources)


# --- Who said what ----------------------------------------------------------------------


def test_quotes_of_one_speaker_merged_across_outlets(
    digest: StoryDigest, articles: list[DigestArticle]
) -> None:
    texts = _texts(articles)
    first = digest.speakers[0]
    assert first.name == "Aldo Fenwick" and first.key == "PERSON:aldo fenwick"
    assert first.role == "Defence Minister"
    built = [q for q in first.quotes if "built to do" in q.text]
    assert len(built) == 1
    assert set(built[0].outlets) == {
        "Meridian Wire",
        "Harbor Gazette",
        "Northfield Courier",
        "Valley Post",
    }
    launched = [q for q in first.quotes if "launched from across the Kessar border" in q.text]
    assert len(launched) == 1 and "Eastbrook Times" in launched[0].outlets  # extended there
    for speaker in digest.speakers:
        for quote in speaker.quotes:
            for source in quote.sources:
                assert texts[str(source.article_id)][source.start : source.end] == source.text
    baker = next(s for s in digest.speakers if s.name == "Mira Castellan")
    assert baker.outlets == ("Valley Post",) and len(baker.quotes) == 3


def test_unlinked_speaker_names_join_the_fuller_name(digest: StoryDigest) -> None:
    names = [speaker.name for speaker in digest.speakers]
    assert "city's emergency service" in names
    assert "emergency service" not in names  # Valley Post's shorter form joined it


# --- Disagreements ----------------------------------------------------------------------


def _kind(digest: StoryDigest, kind: str) -> list[Disagreement]:
    return [d for d in digest.disagreements if d.kind == kind]


def test_differing_figures_side_by_side(digest: StoryDigest, articles: list[DigestArticle]) -> None:
    figures = {d.subject: d for d in _kind(digest, "figures")}
    assert set(figures) == {"drones shot down", "people killed"}  # not the 40 launched
    downed = figures["drones shot down"]
    assert [side.stance for side in downed.sides] == ["19", "23"]
    assert downed.sides[0].parties == ("Kessar border command",)
    assert downed.sides[0].outlets == ("Valley Post",)
    assert set(downed.sides[1].outlets) == {"Meridian Wire", "Harbor Gazette", "Northfield Courier"}
    assert any("defence ministry" in party for party in downed.sides[1].parties)
    killed = figures["people killed"]
    assert [side.stance for side in killed.sides] == ["Two", "at least four"]
    assert killed.sides[1].parties == ("hospital officials",)
    texts = _texts(articles)
    for disagreement in digest.disagreements:
        for side in disagreement.sides:
            for source in side.sources:
                text = texts[str(source.article_id)]
                assert text[source.start : source.end] == source.sentence
                assert source.start <= source.span_start < source.span_end <= source.end
    assert texts[VALLEY][downed.sides[0].sources[0].span_start :].startswith("19 drones")


def test_denial_set_against_the_assertion(digest: StoryDigest) -> None:
    (denial,) = _kind(digest, "denial")
    asserted, denied = denial.sides
    assert asserted.stance == "asserted" and asserted.parties == ("Varenian officials",)
    assert denied.stance == "denied"
    assert set(denied.outlets) == {"Valley Post", "Eastbrook Times"}
    assert "A spokesman for the Kessar Front" in denied.parties


def test_unverified_claim_with_the_outlets_that_flag_it(digest: StoryDigest) -> None:
    (flagged,) = _kind(digest, "unverified")
    claimed, flags = flagged.sides
    assert claimed.parties == ("Kessar Front",)
    assert "40 drones" in claimed.sources[0].sentence
    assert set(flags.outlets) == {"Meridian Wire", "Harbor Gazette", "Northfield Courier"}
    assert all("could not be independently verified" in s.sentence for s in flags.sources)


def _plain(key: str, outlet: str, text: str, day: int = 14) -> DigestArticle:
    when = datetime(2025, 9, day, 9, 0, tzinfo=UTC)
    return DigestArticle(key, outlet, f"https://{key}.example/", key, when, text)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Twelve people were killed, police said.", "Twenty people were injured, police said."),
        ("About 20 people were killed in the blast.", "Police said 19 people were killed."),
        ("The toll rose from 12 to 14 people killed.", "Fourteen people were killed."),
        ("In 2024 the port was closed. It reopened at 3 a.m.", "In 2023 the port was closed."),
        ("Officials said 30 drones were launched.", "Officials said 18 drones were shot down."),
        ("The plant paid $40 million in fines.", "The plant paid $12 million in fines."),
    ],
)
def test_figures_that_do_not_conflict(first: str, second: str) -> None:
    pair = [_plain("a", "Lakeside Herald", first), _plain("b", "Ridgeway News", second)]
    assert figure_disagreements(pair) == []


@pytest.mark.parametrize(
    ("first", "second", "subject"),
    [
        ("Twelve people were killed, police said.", "20 people were killed.", "people killed"),
        (
            "Guards detained 40 protesters.",
            "Only 7 protesters were detained.",
            "protesters arrested",
        ),
        (
            "More than 300 homes were evacuated.",
            "Some 120 homes were evacuated.",
            "homes evacuated",
        ),
    ],
)
def test_figures_that_conflict(first: str, second: str, subject: str) -> None:
    pair = [_plain("a", "Lakeside Herald", first), _plain("b", "Ridgeway News", second)]
    (found,) = figure_disagreements(pair)
    assert found.subject == subject and len(found.sides) == 2


def test_figures_of_one_voice_or_far_apart_in_time_do_not_conflict() -> None:
    same_voice = [
        _plain("a", "Lakeside Herald", "Twelve people were killed."),
        _plain("b", "Lakeside Herald", "20 people were killed."),
    ]
    assert figure_disagreements(same_voice) == []
    far_apart = [
        _plain("a", "Lakeside Herald", "Twelve people were killed.", day=1),
        _plain("b", "Ridgeway News", "20 people were killed.", day=20),
    ]
    assert figure_disagreements(far_apart) == []


# --- Coverage ---------------------------------------------------------------------------


def test_coverage_counts_per_outlet_per_hour(digest: StoryDigest) -> None:
    coverage = digest.coverage
    assert coverage.unit == "hour"
    assert coverage.buckets[0] == datetime(2025, 9, 14, 7, tzinfo=UTC)
    assert coverage.buckets[-1] == datetime(2025, 9, 15, 9, tzinfo=UTC)
    assert len(coverage.buckets) == 27
    valley = next(o for o in coverage.outlets if o.outlet == "Valley Post")
    assert valley.counts[9] == 1 and valley.total == 1
    assert sum(o.total for o in coverage.outlets) == 5


def test_coverage_by_day_over_a_long_span_and_undated_articles() -> None:
    start = datetime(2025, 3, 1, 12, tzinfo=UTC)
    articles = [
        _plain("a", "Lakeside Herald", "x"),
        _plain("b", "Lakeside Herald", "x"),
        _plain("c", "Ridgeway News", "x"),
    ]
    articles = [
        DigestArticle(a.article_id, a.outlet, a.url, a.title, start + timedelta(days=n * 3), "x")
        for n, a in enumerate(articles)
    ] + [DigestArticle("d", "Ridgeway News", "u", "t", None, "x")]
    coverage = story_coverage(articles)
    assert coverage.unit == "day" and len(coverage.buckets) == 7
    ridgeway = next(o for o in coverage.outlets if o.outlet == "Ridgeway News")
    assert ridgeway.counts[6] == 1 and ridgeway.undated == 1 and ridgeway.total == 2


def test_coverage_svg_is_escaped_and_titled(digest: StoryDigest) -> None:
    articles = [
        DigestArticle("a", 'Fox & <Hound> "Daily"', "u", "t", datetime(2025, 1, 1, tzinfo=UTC), "x")
    ]
    svg = coverage_svg(story_coverage(articles), chart_id="story-7")
    root = ET.fromstring(svg)  # well-formed XML: every name escaped
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "story-7-title story-7-desc"
    assert root.find(f"{ns}title") is not None
    assert "Fox & <Hound>" in (root.find(f"{ns}desc").text or "")  # type: ignore[union-attr]
    chart = ET.fromstring(coverage_svg(digest.coverage))
    bars = [r for r in chart.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert len(bars) == 5


# --- JSON and the stored shape ----------------------------------------------------------


def test_to_json_is_plain_data(digest: StoryDigest) -> None:
    data = json.loads(json.dumps(digest.to_json()))
    assert set(data) >= {"title", "gist", "timeline", "speakers", "disagreements", "coverage"}
    assert data["carriage"]["carried"][0]["original"]["outlet"] == "Meridian Wire"
    assert data["articles"][0]["published_at"] == "2025-09-14T07:40:00+00:00"


def test_stored_shape_gives_the_same_digest(
    analysed: list[tuple[str, str, Analysis]], digest: StoryDigest
) -> None:
    """Articles read as ``views.analysis_fields`` shows a stored analysis."""
    meta = _meta()
    entity_ids: dict[str, int] = {}
    stored = []
    for key, text, analysis in analysed:
        for entity in analysis.entities:
            entity_ids.setdefault(entity.key, len(entity_ids) + 1)
        fields = {
            "entities": [
                {"id": entity_ids[e.key], "name": e.name, "type": e.type} for e in analysis.entities
            ],
            "quotes": [
                {
                    "text": q.text,
                    "kind": q.kind,
                    "speaker": q.speaker,
                    "speaker_id": entity_ids[k] if k else None,
                    "role": q.role,
                    "cue": q.cue,
                    "start": q.start,
                    "end": q.end,
                }
                for q, k in zip(analysis.quotes, analysis.speaker_keys, strict=True)
            ],
            "timeline": [
                {"text": e.text, "start": e.start, "end": e.end, "value": e.value}
                for e in analysis.timeline
            ],
            "hashtags": analysis.hashtags,
            "key_phrases": [k.text for k in analysis.key_phrases],
        }
        published = datetime.fromisoformat(meta[key]["published"])
        stored.append(
            DigestArticle.from_fields(
                key,
                meta[key]["outlet"],
                meta[key]["url"],
                meta[key]["title"],
                published,
                text,
                fields,
            )
        )
    again = build_digest(stored)
    fenwick = again.speakers[0]
    assert fenwick.name == "Aldo Fenwick"
    assert fenwick.key == f"entity:{entity_ids['PERSON:aldo fenwick']}"
    assert [q.outlets for q in fenwick.quotes] == [q.outlets for q in digest.speakers[0].quotes]
    assert again.disagreements == digest.disagreements
    assert again.timeline == digest.timeline
