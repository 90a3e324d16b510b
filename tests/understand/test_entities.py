"""Entities: one canonical name per person, organisation and place, in an article and across
the corpus. The texts are invented; they run through the real spaCy pipeline."""

from __future__ import annotations

import pytest
from spacy.language import Language

from storyline.settings import Settings
from storyline.understand.entities import (
    article_entities,
    entity_aliases,
    entity_key,
    link_entities,
)
from storyline.understand.pipeline import load_pipeline
from storyline.understand.types import Entity, Mention


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(Settings())


def entities_of(nlp: Language, text: str) -> list[Entity]:
    found = article_entities(nlp(text))
    for entity in found:
        for mention in entity.mentions:
            assert text[mention.start : mention.end] == mention.text
    return found


def named(entities: list[Entity], name: str) -> Entity:
    matches = [e for e in entities if e.name == name]
    assert matches, f"{name!r} not in {[(e.name, e.type) for e in entities]}"
    return matches[0]


def texts(entity: Entity) -> list[str]:
    return [m.text for m in entity.mentions]


def test_a_surname_joins_the_full_name_without_title_or_possessive(nlp: Language) -> None:
    text = (
        "Ukraine's President Mykola Danylenko visited the front on Friday. "
        "Danylenko said the army needed more shells. Later, Danylenko met soldiers."
    )
    entities = entities_of(nlp, text)
    person = named(entities, "Mykola Danylenko")
    assert person.type == "PERSON"
    assert texts(person) == ["Mykola Danylenko", "Danylenko", "Danylenko"]
    assert not [e for e in entities if e.name in ("Danylenko", "President Mykola Danylenko")]
    assert named(entities, "Ukraine").type == "PLACE"


def test_spellings_of_one_country_are_one_place(nlp: Language) -> None:
    text = (
        "The United States sent a delegation to Oskoriv on Monday. The U.S. envoy met the "
        "mayor, and officials said the US would pay for the new bridge."
    )
    country = named(entities_of(nlp, text), "United States")
    assert country.type == "PLACE"
    assert texts(country) == ["United States", "U.S.", "US"]
    assert country.key == entity_key("America", "PLACE")


def test_an_oblast_and_its_region_are_one_place_and_not_the_city(nlp: Language) -> None:
    text = (
        "Shelling hit three villages in Bilozirka Oblast overnight. Officials in the "
        "Bilozirka region said the regional capital, Bilozirka, was not hit."
    )
    entities = entities_of(nlp, text)
    region = named(entities, "Bilozirka Oblast")
    assert region.type == "PLACE"
    assert texts(region) == ["Bilozirka Oblast", "Bilozirka region"]
    assert named(entities, "Bilozirka").key != region.key


def test_a_possessive_country_names_its_institution(nlp: Language) -> None:
    text = (
        "Russia's Defense Ministry said it had shot down 12 drones. Later the Russian "
        "Defence Ministry said two more had been destroyed over the Tesna region."
    )
    entities = entities_of(nlp, text)
    ministry = named(entities, "Russian Defense Ministry")
    assert ministry.type == "ORG"
    assert texts(ministry) == ["Defense Ministry", "Russian Defence Ministry"]
    assert named(entities, "Russia").type == "PLACE"


def test_an_adjective_of_nationality_is_not_a_mention(nlp: Language) -> None:
    text = "Ukrainian forces pulled back from Tarnivka, and Russian units entered the village."
    entities = entities_of(nlp, text)
    assert [e.name for e in entities if e.type == "PLACE"] == ["Tarnivka"]


def test_a_title_between_place_and_person_splits_them(nlp: Language) -> None:
    text = "Damage was worse than expected, according to Oskoriv Mayor Irina Belousova."
    entities = entities_of(nlp, text)
    assert named(entities, "Irina Belousova").type == "PERSON"
    assert named(entities, "Oskoriv").type != "PERSON"


def test_a_capital_is_a_place_and_a_surname_a_person(nlp: Language) -> None:
    text = (
        "Military analyst Taras Melnychuk spoke on Tuesday. Kyiv had postponed the exchange, "
        "according to Melnychuk, and Kyiv did not comment."
    )
    entities = entities_of(nlp, text)
    assert named(entities, "Kyiv").type == "PLACE"
    assert texts(named(entities, "Taras Melnychuk")) == ["Taras Melnychuk", "Melnychuk"]


def test_an_acronym_joins_the_name_it_abbreviates(nlp: Language) -> None:
    text = (
        "Two employees of Bread and Water International (BWI) were detained in Port Calder. "
        "BWI said its staff had done nothing wrong."
    )
    group = named(entities_of(nlp, text), "Bread and Water International")
    assert group.type == "ORG"
    assert texts(group) == ["Bread and Water International", "BWI", "BWI"]


def test_a_dateline_in_capitals_is_a_place_with_a_readable_name(nlp: Language) -> None:
    text = "KESTREL BAY, Norland (Harbor Line) — A fire halted exports at the port on Monday."
    entities = entities_of(nlp, text)
    assert named(entities, "Kestrel Bay").type == "PLACE"
    assert named(entities, "Norland").type == "PLACE"
    assert named(entities, "Harbor Line").type == "ORG"


def test_the_most_mentioned_entity_comes_first(nlp: Language) -> None:
    text = (
        "Elsa Brandt met Tomas Rieck in Valmora. Brandt said the talks went well. "
        "Brandt will meet him again. Rieck declined to comment."
    )
    entities = entities_of(nlp, text)
    assert [e.name for e in entities[:2]] == ["Elsa Brandt", "Tomas Rieck"]
    assert len(entities[0].mentions) == 3


def test_text_without_names_or_in_another_language_gives_what_it_can(nlp: Language) -> None:
    assert article_entities(nlp("")) == []
    assert article_entities(nlp("it rained all day and nobody went out")) == []
    for text in (
        "Le maire de Valmora a annoncé mardi la fermeture du pont.",
        "Мер міста оголосив про закриття мосту через річку.",
        "COALITION TALKS COLLAPSE IN VALMORA",
    ):
        for entity in entities_of(nlp, text):
            assert entity.key == entity_key(entity.name, entity.type)


def test_keys_ignore_spelling_case_and_region_words() -> None:
    assert entity_key("the U.S.", "PLACE") == entity_key("United States", "PLACE")
    assert entity_key("Kursk Oblast", "PLACE") == entity_key("the Kursk region", "PLACE")
    assert entity_key("Kursk Oblast", "PLACE") != entity_key("Kursk", "PLACE")
    assert entity_key("Kiev", "PLACE") == entity_key("Kyiv", "PLACE")
    assert entity_key("Volodymyr Zelenskyy", "PERSON") == entity_key("Volodymyr Zelensky", "PERSON")
    assert entity_key("Donald J. Trump", "PERSON") == entity_key("Donald Trump", "PERSON")
    assert entity_key("Russia's Defense Ministry", "ORG") == entity_key(
        "the Russian Defence Ministry", "ORG"
    )
    assert entity_key("Ministry of Defence", "ORG") == entity_key("Defense Ministry", "ORG")
    assert entity_key("Georgia", "PLACE") != entity_key("Georgia", "PERSON")


def test_aliases_are_the_full_name_the_surname_and_written_acronyms() -> None:
    person = Entity("Ursula van der Berg", "PERSON", entity_key("Ursula van der Berg", "PERSON"))
    assert entity_aliases(person) == [person.key, entity_key("van der Berg", "PERSON")]
    org = Entity(
        "Bread and Water International",
        "ORG",
        entity_key("Bread and Water International", "ORG"),
        [Mention(0, 29, "Bread and Water International"), Mention(31, 34, "BWI")],
    )
    assert entity_aliases(org) == [org.key, "ORG:bwi"]
    place = Entity("Kursk Oblast", "PLACE", entity_key("Kursk Oblast", "PLACE"))
    assert entity_aliases(place) == ["PLACE:kursk region"]


def test_a_bare_surname_is_no_alias_so_it_cannot_make_the_full_name_ambiguous() -> None:
    bare = Entity("Danylenko", "PERSON", entity_key("Danylenko", "PERSON"))
    full = Entity("Mykola Danylenko", "PERSON", entity_key("Mykola Danylenko", "PERSON"))
    assert entity_aliases(bare) == []
    assert bare.key in entity_aliases(full)


def _entity(name: str, type: str, *spans: tuple[int, int]) -> Entity:
    return Entity(
        name, type, entity_key(name, type), [Mention(s, e, "x" * (e - s)) for s, e in spans]
    )


def test_a_bare_surname_links_to_the_one_person_the_corpus_knows() -> None:
    bare = _entity("Zelensky", "PERSON", (0, 8), (40, 48))
    place = _entity("Kyiv", "PLACE", (20, 24))
    known = {entity_key("Zelensky", "PERSON"): "Volodymyr Zelensky"}
    linked = link_entities([bare, place], known)
    assert [(e.name, e.key) for e in linked] == [
        ("Volodymyr Zelensky", entity_key("Volodymyr Zelensky", "PERSON")),
        ("Kyiv", entity_key("Kyiv", "PLACE")),
    ]
    assert bare.name == "Zelensky"  # the input is left as it was


def test_a_surname_the_corpus_does_not_know_for_one_person_stays() -> None:
    bare = _entity("Okafor", "PERSON", (0, 6))
    assert [e.name for e in link_entities([bare], {})] == ["Okafor"]


def test_entities_that_link_to_one_name_are_merged() -> None:
    surname = _entity("Danylenko", "PERSON", (50, 59))
    full = _entity("Mykola Danylenko", "PERSON", (0, 16), (80, 89))
    known = {entity_key("Danylenko", "PERSON"): "Mykola Danylenko"}
    (merged,) = link_entities([full, surname], known)
    assert merged.name == "Mykola Danylenko"
    assert [(m.start, m.end) for m in merged.mentions] == [(0, 16), (50, 59), (80, 89)]


def test_the_corpus_spelling_of_a_name_wins() -> None:
    region = _entity("Kursk region", "PLACE", (0, 12))
    known = {entity_key("Kursk region", "PLACE"): "Kursk Oblast"}
    assert [e.name for e in link_entities([region], known)] == ["Kursk Oblast"]
