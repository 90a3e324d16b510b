"""Stored analyses: replace-whole saves, corpus-wide entities and hashtags, merges, splits and
leases, on SQLite and on PostgreSQL. The analyses are written by hand here; the stage that
makes them has its own tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storyline.model import ArticleDraft, Block, BlockKind
from storyline.store import Database, save_article
from storyline.store.analysis import (
    EntityError,
    articles_to_analyze,
    count_unanalyzed,
    has_analysis_work,
    known_aliases,
    merge_entities,
    read_analysis,
    read_entity_page,
    reserve_for_analysis,
    save_analysis,
    split_entity,
    unmerge_entity,
)
from storyline.store.schema import Entity, Hashtag
from storyline.understand.analyze import Analysis
from storyline.understand.types import Entity as Found
from storyline.understand.types import KeyPhrase, Mention, Quote, Timex

NOON = datetime(2031, 4, 2, 12, 0, tzinfo=UTC)
TEXT = "Mayor Ilse Varga opened the Velmora bridge. Varga said it was “a fine day”."


def _article(database: Database, title: str, text: str = TEXT) -> int:
    draft = ArticleDraft(
        title=title,
        outlet="Coastline Courier",
        published_at=NOON,
        blocks=(Block(BlockKind.PARAGRAPH, text),),
    )
    with database.write() as session:
        return save_article(session, draft, source_kind="file", source_locator=title).article_id


def _analysis(person: str = "Ilse Varga", key: str = "person:ilse varga") -> Analysis:
    varga = Found(
        name=person,
        type="PERSON",
        key=key,
        mentions=[Mention(6, 16, "Ilse Varga"), Mention(44, 49, "Varga")],
    )
    velmora = Found(name="Velmora", type="PLACE", key="place:velmora", mentions=[])
    quote = Quote(
        text="a fine day",
        start=63,
        end=73,
        kind="direct",
        speaker=person,
        role="Mayor",
        cue="said",
        source_start=44,
        source_end=49,
        cue_start=50,
        cue_end=54,
    )
    return Analysis(
        language="en",
        entities=[varga, velmora],
        quotes=[quote],
        speaker_keys=[key],
        timexes=[Timex("a fine day", 63, 73, "DATE", "2031-04-02")],
        key_phrases=[KeyPhrase("Velmora bridge", 1.0)],
        hashtags=["#Varga", "#Velmora"],
        aliases={key: [key, "person:varga"], "place:velmora": ["place:velmora"]},
        hashtag_keys=["varga", "velmora"],
    )


def _save(database: Database, article_id: int, analysis: Analysis, version: int = 1) -> None:
    with database.write() as session:
        save_analysis(session, article_id, 1, version, analysis)


def test_an_analysis_reads_back_with_entities_quotes_and_hashtags(database: Database) -> None:
    article_id = _article(database, "Bridge opens")
    _save(database, article_id, _analysis())
    with database.read() as session:
        record = read_analysis(session, article_id)
    assert record is not None
    assert [(e.name, spans) for e, spans in record.entities] == [
        ("Ilse Varga", [[6, 16], [44, 49]]),
        ("Velmora", []),
    ]
    assert record.quotes[0]["speaker"] == "Ilse Varga"
    assert record.quotes[0]["speaker_id"] == record.entities[0][0].id
    assert record.hashtags == [("#Varga", "varga"), ("#Velmora", "velmora")]
    assert record.data["timexes"][0]["value"] == "2031-04-02"


def test_saving_again_replaces_and_shares_corpus_rows(database: Database) -> None:
    first = _article(database, "Bridge opens")
    second = _article(database, "Bridge traffic", TEXT.replace("opened", "closed"))
    _save(database, first, _analysis())
    _save(database, first, _analysis())
    _save(database, second, _analysis())
    with database.read() as session:
        assert session.execute(select(func.count()).select_from(Entity)).scalar_one() == 2
        assert session.execute(select(func.count()).select_from(Hashtag)).scalar_one() == 2
        record = read_analysis(session, first)
        assert record is not None and len(record.quotes) == 1
        page = read_entity_page(session, record.entities[0][0].id, limit=10)
    assert page is not None
    assert sorted(a.id for a in page.articles) == [first, second]
    assert len(page.quotes) == 2


def test_known_aliases_names_only_unambiguous_ones(database: Database) -> None:
    _save(database, _article(database, "One"), _analysis())
    _save(
        database,
        _article(database, "Two", TEXT + " More."),
        _analysis("Petra Varga", "person:petra varga"),
    )
    with database.read() as session:
        known = known_aliases(session, ["person:ilse varga", "person:varga", "person:nobody"])
    assert known == {"person:ilse varga": "Ilse Varga"}  # "varga" names two people


def test_merge_makes_one_entity_read_as_another_and_unmerge_undoes_it(database: Database) -> None:
    one = _article(database, "One")
    two = _article(database, "Two", TEXT + " Again.")
    _save(database, one, _analysis())
    _save(database, two, _analysis("I. Varga", "person:i varga"))
    with database.write() as session:
        ids = {key: id_ for key, id_ in session.execute(select(Entity.key, Entity.id))}
        merge_entities(session, ids["person:i varga"], ids["person:ilse varga"])
        with pytest.raises(EntityError, match="already one entity"):
            merge_entities(session, ids["person:i varga"], ids["person:ilse varga"])
    with database.read() as session:
        record = read_analysis(session, two)
        assert record is not None
        assert record.entities[0][0].name == "Ilse Varga"
        assert record.quotes[0]["speaker"] == "Ilse Varga"
        page = read_entity_page(session, ids["person:ilse varga"], limit=10)
        assert page is not None and page.absorbed == [(ids["person:i varga"], "I. Varga")]
        assert len(page.articles) == 2
    _save(database, two, _analysis("I. Varga", "person:i varga"))  # re-analysis keeps it
    with database.read() as session:
        record = read_analysis(session, two)
        assert record is not None and record.entities[0][0].name == "Ilse Varga"
    with database.write() as session:
        unmerge_entity(session, ids["person:i varga"])
    with database.read() as session:
        record = read_analysis(session, two)
        assert record is not None and record.entities[0][0].name == "I. Varga"


def test_split_moves_one_articles_mentions_and_survives_reanalysis(database: Database) -> None:
    one = _article(database, "One")
    two = _article(database, "Two", TEXT + " Again.")
    _save(database, one, _analysis())
    _save(database, two, _analysis())
    with database.write() as session:
        varga = session.execute(
            select(Entity.id).where(Entity.key == "person:ilse varga")
        ).scalar_one()
        with pytest.raises(EntityError, match="not mentioned"):
            split_entity(session, varga, [one, 999], "Ilse Varga-Holm", "person:ilse varga-holm")
    with database.write() as session:
        new_id = split_entity(session, varga, [two], "Ilse Varga-Holm", "person:ilse varga-holm")
    _save(database, two, _analysis())
    with database.read() as session:
        record_two = read_analysis(session, two)
        record_one = read_analysis(session, one)
    assert record_two is not None and record_one is not None
    assert (record_two.entities[0][0].id, record_two.entities[0][0].name) == (
        new_id,
        "Ilse Varga-Holm",
    )
    assert record_two.quotes[0]["speaker"] == "Ilse Varga-Holm"
    assert record_one.entities[0][0].id == varga


def test_reservations_hand_each_article_to_one_worker_until_the_lease_ends(
    database: Database,
) -> None:
    ids = [_article(database, f"Article {n}", f"{TEXT} Number {n}.") for n in range(3)]
    lease = timedelta(minutes=5)
    with database.write() as session:
        first = reserve_for_analysis(session, 1, NOON, lease, limit=2)
        second = reserve_for_analysis(session, 1, NOON, lease, limit=5)
    assert first == ids[:2] and second == ids[2:]
    with database.read() as session:
        assert not has_analysis_work(session, 1, NOON)
        assert has_analysis_work(session, 1, NOON + lease + timedelta(seconds=1))
        assert read_analysis(session, ids[0]) is None  # reserved, not analysed
        assert count_unanalyzed(session, 1) == 3
    _save(database, ids[0], _analysis())
    with database.read() as session:
        assert articles_to_analyze(session, 1, limit=10) == ids[1:]
        assert articles_to_analyze(session, 2, limit=10) == ids  # a newer analyser redoes all
    with database.write() as session:
        later = reserve_for_analysis(session, 1, NOON + lease * 2, lease, limit=5)
    assert later == ids[1:]
