"""Hashtags: how tags are written, when two are the same tag, and which an article gets."""

from __future__ import annotations

import pytest

from storyline.understand.hashtags import choose_hashtags, hashtag_for, hashtag_key
from storyline.understand.types import Entity, KeyPhrase, Mention


def entity(name: str, kind: str, mentions: int, first: int = 0) -> Entity:
    """An entity named ``mentions`` times, 100 characters apart from ``first`` on."""
    spots = [Mention(first + 100 * i, first + 100 * i + len(name), name) for i in range(mentions)]
    return Entity(name, kind, name.casefold(), spots)


def phrases(*texts: str) -> list[KeyPhrase]:
    return [KeyPhrase(text, float(len(texts) - i)) for i, text in enumerate(texts)]


@pytest.mark.parametrize(
    ("phrase", "tag"),
    [
        ("Kursk Oblast", "#KurskOblast"),
        ("fiber-optic drones", "#FiberOpticDrones"),
        ("NATO", "#NATO"),
        ("U.S.", "#US"),
        ("iPhone", "#iPhone"),
        ("Velmora's harbour", "#VelmorasHarbour"),
        ("#KurskOblast", "#KurskOblast"),
        ("Sánchez", "#Sánchez"),
        ("COVID-19", "#COVID19"),
        ("?!", ""),
    ],
)
def test_tags_are_written_as_readers_write_them(phrase: str, tag: str) -> None:
    assert hashtag_for(phrase) == tag


def test_one_key_for_the_forms_of_one_tag() -> None:
    assert hashtag_key("#KurskOblast") == hashtag_key("#kurskoblast") == hashtag_key("Kursk Oblast")
    assert (
        hashtag_key("drone strikes") == hashtag_key("drone strike") == hashtag_key("#DroneStrike")
    )
    assert hashtag_key("#dronestrikes") == hashtag_key("Drone-Strikes")
    assert hashtag_key("policies") == hashtag_key("policy")
    assert hashtag_key("Sánchez") == hashtag_key("Sanchez")
    assert hashtag_key("#Velmora") != hashtag_key("#Velmorian")
    assert hashtag_key("bus") == "bus"


def test_most_mentioned_entities_first_then_topical_phrases() -> None:
    entities = [
        entity("Velmora Port Trust", "ORG", 2, first=5),
        entity("Marisol Quent", "PERSON", 4, first=40),
        entity("Velmora", "PLACE", 3, first=0),
        entity("Ostrava Bay", "PLACE", 1, first=300),
    ]
    tags = choose_hashtags(entities, phrases("dredging", "harbour silt", "fishermen", "sediment"))
    assert tags == [
        "#Quent",
        "#Velmora",
        "#VelmoraPortTrust",
        "#Dredging",
        "#HarbourSilt",
        "#Fishermen",
        "#Sediment",
    ]


def test_generic_and_inflected_words_never_become_tags() -> None:
    offered = phrases(
        "Thursday", "officials", "said", "expected", "quickly", "environmental", "last week", "12"
    )
    assert choose_hashtags([entity("Marisol Quent", "PERSON", 2)], offered) == ["#Quent"]


def test_no_two_tags_for_one_thing() -> None:
    entities = [
        entity("Velmoria", "PLACE", 5),
        entity("Marisol Quent", "PERSON", 3),
        entity("Anton Quent", "PERSON", 2),
    ]
    offered = phrases("Velmorian", "Quent", "Marisol Quent", "drones", "drone strikes", "Drones")
    tags = choose_hashtags(entities, offered)
    assert tags == ["#Velmoria", "#Quent", "#Drones"]
    assert len({hashtag_key(tag) for tag in tags}) == len(tags)


def test_pieces_of_names_are_not_tags() -> None:
    entities = [entity("Velmora Port Trust", "ORG", 2), entity("Ostrava", "PLACE", 2)]
    tags = choose_hashtags(entities, phrases("Port", "trust", "dredging", "Ostrava"))
    assert tags == ["#VelmoraPortTrust", "#Ostrava", "#Dredging"]


def test_people_are_tagged_by_surname() -> None:
    entities = [
        entity("Amaury de Valcourt", "PERSON", 3),
        entity("Tomas Brell Jr.", "PERSON", 2),
        entity("Quent", "PERSON", 2),
    ]
    assert choose_hashtags(entities, []) == ["#DeValcourt", "#Brell", "#Quent"]


def test_long_names_use_a_short_mention_or_none() -> None:
    long_name = "North Velmora Fisheries Cooperative Association"
    with_short = Entity(
        long_name, "ORG", "nvfca", [Mention(0, 47, long_name), Mention(90, 95, "NVFCA")]
    )
    without = entity("Ostrava Bay Harbour Workers Union", "ORG", 3)
    tags = choose_hashtags([with_short, without], phrases("dredging", "sediment"))
    assert tags == ["#NVFCA", "#Dredging", "#Sediment"]


def test_credit_lines_are_not_tags() -> None:
    entities = [entity("AP Photo", "ORG", 3), entity("Reuters", "ORG", 2)]
    assert choose_hashtags(entities, phrases("dredging")) == ["#Dredging"]


def test_single_mentions_only_fill_up_to_the_minimum() -> None:
    entities = [entity(name, "PLACE", 1, first=i) for i, name in enumerate(("Ostrava", "Lune"))]
    assert choose_hashtags(entities, phrases("dredging", "silt", "sediment")) == [
        "#Dredging",
        "#Silt",
        "#Sediment",
    ]
    assert choose_hashtags(entities, phrases("dredging")) == ["#Dredging", "#Ostrava", "#Lune"]


def test_at_most_the_maximum_and_entities_leave_room_for_topics() -> None:
    entities = [entity(f"Velmora{letter}", "PLACE", 9 - i) for i, letter in enumerate("ABCDEFG")]
    offered = phrases("dredging", "sediment", "fishermen", "harbour silt")
    tags = choose_hashtags(entities, offered, maximum=8)
    assert len(tags) == 8
    assert tags[:5] == ["#VelmoraA", "#VelmoraB", "#VelmoraC", "#VelmoraD", "#VelmoraE"]
    assert tags[5:] == ["#Dredging", "#Sediment", "#Fishermen"]


def test_too_little_text_gives_fewer_tags_rather_than_filler() -> None:
    assert choose_hashtags([], phrases("said", "Thursday")) == []
    assert choose_hashtags([], []) == []
