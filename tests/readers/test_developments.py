"""Developments of a story: a new outlet, a new story in the storyline, a first quote.

Most tests build invented stories straight in the store (a :class:`Newsroom`), so each
case is exact; one places invented articles through the real pipeline (spaCy analysis,
the embedding model, copy detection and clustering) and reads what the placer recorded.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storyline.analysis import analyze_backlog
from storyline.model import ArticleDraft, Block, BlockKind
from storyline.placement import place_backlog
from storyline.readers.developments import record_developments
from storyline.settings import Settings
from storyline.store import Database, save_article
from storyline.store.schema import Entity, Outlet, Placement, QuoteRow, StoryDevelopment
from storyline.store.stories import (
    merge_story,
    save_placement,
    save_story,
    save_storyline,
    story_article_ids,
)

START = datetime(2026, 3, 5, 6, 0, tzinfo=UTC)


class Newsroom:
    """Invented storylines, stories, articles, speakers and quotes, written straight to
    the store the way placing writes them: a story opened by an article is made at the
    moment that article is placed; every later step is a minute on."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.clock = START
        self.speakers: dict[str, int] = {}

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def storyline(self) -> int:
        now = self.tick()
        return save_storyline(
            self.session,
            None,
            title="Harbour troubles in Port Alvesk",
            first_at=now,
            last_at=now,
            story_count=0,
            state=b"{}",
            created_at=now,
            updated_at=now,
        )

    def open_story(
        self,
        outlet: str,
        title: str,
        *,
        storyline_id: int | None = None,
        quotes: tuple[tuple[str, str], ...] = (),
    ) -> tuple[int, int]:
        """A story opened by an article (returns both ids), as the placer opens one."""
        now = self.tick()
        story_id = save_story(
            self.session,
            None,
            storyline_id=storyline_id,
            title=title,
            first_at=now,
            last_at=now,
            article_count=1,
            outlet_count=1,
            state=b"{}",
            created_at=now,
            updated_at=now,
        )
        return story_id, self._article(story_id, outlet, title, quotes, now)

    def join(
        self,
        story_id: int,
        outlet: str,
        title: str,
        *,
        quotes: tuple[tuple[str, str], ...] = (),
        copy_of: int | None = None,
        relation: str | None = None,
    ) -> int:
        """An article joining a story a minute later; ``quotes`` are (speaker, words)."""
        return self._article(story_id, outlet, title, quotes, self.tick(), copy_of, relation)

    def speaker(self, name: str, merged_into: str | None = None) -> int:
        if name not in self.speakers:
            entity = Entity(
                key=name.lower(),
                name=name,
                type="PERSON",
                merged_into_id=self.speakers[merged_into] if merged_into else None,
            )
            self.session.add(entity)
            self.session.flush()
            self.speakers[name] = entity.id
        return self.speakers[name]

    def _article(
        self,
        story_id: int,
        outlet: str,
        title: str,
        quotes: tuple[tuple[str, str], ...],
        now: datetime,
        copy_of: int | None = None,
        relation: str | None = None,
    ) -> int:
        draft = ArticleDraft(
            title=title,
            outlet=outlet,
            url=f"https://{outlet.lower().replace(' ', '-')}.test/{now:%H%M}",
            published_at=now,
            blocks=(Block(BlockKind.PARAGRAPH, f"{title}. Invented for the tests."),),
        )
        article_id = save_article(
            self.session, draft, source_kind="file", source_locator="newsroom", now=now
        ).article_id
        for position, (name, words) in enumerate(quotes):
            self.session.add(
                QuoteRow(
                    article_id=article_id,
                    position=position,
                    text=words,
                    start=0,
                    end=len(words),
                    kind="direct",
                    speaker=name,
                    entity_id=self.speaker(name),
                )
            )
        save_placement(
            self.session,
            article_id,
            version=1,
            revision=1,
            story_id=story_id,
            signature=None,
            copy_group_id=copy_of or article_id,
            copy_of_id=copy_of,
            copy_relation=relation,
            explanation={},
            now=now,
        )
        return article_id


def outlets(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {name: id_ for name, id_ in session.execute(select(Outlet.name, Outlet.id))}


def developments(database: Database) -> list[tuple[str, str, str]]:
    """(kind, key, text) of every recorded development, in id order."""
    with database.read() as session:
        rows = session.execute(select(StoryDevelopment).order_by(StoryDevelopment.id)).scalars()
        return [(row.kind, row.key, row.text) for row in rows]


def test_an_outlet_new_to_a_story_is_a_development_but_a_wire_copy_is_not(
    database: Database,
) -> None:
    with database.write() as session:
        room = Newsroom(session)
        story, first = room.open_story("Alvesk Harbour Wire", "Fire at the grain terminal")
        ids = [
            first,
            room.join(story, "The Dunmere Courier", "Families wait in sports hall"),
            room.join(story, "Alvesk Harbour Wire", "Silos saved, gallery lost"),
            room.join(
                story,
                "Calloway Evening Post",
                "Fire at the grain terminal",
                copy_of=first,
                relation="copy",
            ),
            room.join(
                story,
                "Saltgate Gazette",
                "Grain terminal fire: what we know",
                copy_of=first,
                relation="rewrite",
            ),
            room.join(story, "Northpier Radio", "Ferries moved to the northern pier"),
            room.join(story, "Northpier Radio", "Harbour road reopens"),
        ]
        assert record_developments(session, ids, room.tick()) == 3

    outlet = outlets(database)
    assert developments(database) == [
        (
            "new_outlet",
            f"outlet:{story}:{outlet['The Dunmere Courier']}",
            "The Dunmere Courier now covers this story: “Families wait in sports hall”",
        ),
        (
            "new_outlet",
            f"outlet:{story}:{outlet['Saltgate Gazette']}",
            "Saltgate Gazette now covers this story: “Grain terminal fire: what we know”",
        ),
        (
            "new_outlet",
            f"outlet:{story}:{outlet['Northpier Radio']}",
            "Northpier Radio now covers this story: “Ferries moved to the northern pier”",
        ),
    ]
    with database.write() as session:  # retried, or placed again: nothing new
        assert record_developments(session, ids, START + timedelta(hours=1)) == 0
    assert len(developments(database)) == 3


def test_the_copy_of_an_article_in_another_story_brings_its_outlet(database: Database) -> None:
    with database.write() as session:
        room = Newsroom(session)
        _, original = room.open_story("Alvesk Harbour Wire", "Council budget agreed")
        story, first = room.open_story("The Dunmere Courier", "Fire at the grain terminal")
        copy = room.join(
            story,
            "Calloway Evening Post",
            "Council budget agreed",
            copy_of=original,
            relation="copy",
        )
        assert record_developments(session, [original, first, copy], room.tick()) == 1
    calloway = outlets(database)["Calloway Evening Post"]
    assert [key for _, key, _ in developments(database)] == [f"outlet:{story}:{calloway}"]


def test_a_speaker_quoted_for_the_first_time_is_a_development(database: Database) -> None:
    long_quote = (
        "Two grain ships were due to load this week, and both have been told to wait at "
        "anchor outside the harbour until the quay is safe"
    )
    with database.write() as session:
        room = Newsroom(session)
        story, first = room.open_story(
            "Alvesk Harbour Wire",
            "Fire at the grain terminal",
            quotes=(("Ilse Marrow", "Grain dust burns like fuel."),),
        )
        room.speaker("I. Marrow", merged_into="Ilse Marrow")
        ids = [
            first,
            room.join(
                story,
                "The Dunmere Courier",
                "Families wait in sports hall",
                quotes=(("Ilse Marrow", "We have managed that."), ("Tomas Verhaege", long_quote)),
            ),
            room.join(
                story,
                "Calloway Evening Post",
                "Families wait in sports hall",
                quotes=(("Greta Lindqvist", "Thank you to every volunteer."),),
                copy_of=first,
                relation="copy",
            ),
            room.join(
                story,
                "Alvesk Harbour Wire",
                "Silos saved",
                quotes=(
                    ("I. Marrow", "The silos are intact."),
                    ("Tomas Verhaege", "Ships wait at anchor."),
                    ("Oskar Brenn", "The road reopens tonight."),
                    ("Port Authority", "The quay is closed."),
                    ("Ada Quist", "ferries would run late"),
                ),
            ),
        ]
        # Only people in their own words: not an organisation, not a paraphrase.
        session.execute(
            update(Entity).where(Entity.id == room.speakers["Port Authority"]).values(type="ORG")
        )
        session.execute(
            update(QuoteRow)
            .where(QuoteRow.entity_id == room.speakers["Ada Quist"])
            .values(kind="indirect")
        )
        assert record_developments(session, ids, room.tick()) == 3
    verhaege, brenn = room.speakers["Tomas Verhaege"], room.speakers["Oskar Brenn"]
    assert [row for row in developments(database) if row[0] == "new_claim"] == [
        (
            "new_claim",
            f"speaker:{story}:{verhaege}",
            "Tomas Verhaege is quoted for the first time: “Two grain ships were due to load "
            "this week, and both have been told to wait at anchor outside the…”",
        ),
        (
            "new_claim",
            f"speaker:{story}:{brenn}",
            "Oskar Brenn is quoted for the first time: “The road reopens tonight.”",
        ),
    ]


def test_a_new_story_in_a_storyline_is_a_development(database: Database) -> None:
    with database.write() as session:
        room = Newsroom(session)
        line = room.storyline()
        _, opener = room.open_story(
            "Alvesk Harbour Wire", "Fire at the grain terminal", storyline_id=line
        )
        later_story, later = room.open_story(
            "The Dunmere Courier", "Terminal owner fined over dust", storyline_id=line
        )
        follow_up = room.join(later_story, "The Dunmere Courier", "Owner to appeal the fine")
        _, lone = room.open_story("Northpier Radio", "Ferry timetable changes")
        ids = [opener, later, follow_up, lone]
        assert record_developments(session, ids, room.tick()) == 1
    assert developments(database) == [
        (
            "new_story",
            f"story:{line}:{later_story}",
            "A new development in the storyline: “Terminal owner fined over dust”",
        )
    ]
    with database.read() as session:
        row = session.execute(select(StoryDevelopment)).scalar_one()
        assert (row.story_id, row.storyline_id, row.article_id) == (later_story, line, later)


def test_an_article_placed_again_is_no_newcomer(database: Database) -> None:
    """The story's first article, revised and placed again after others joined, does not
    bring its outlet or its speakers as news."""
    with database.write() as session:
        room = Newsroom(session)
        story, first = room.open_story(
            "Alvesk Harbour Wire", "Fire at the grain terminal", quotes=(("Ilse Marrow", "Out."),)
        )
        other = room.join(story, "The Dunmere Courier", "Families wait in sports hall")
        assert record_developments(session, [first, other], room.tick()) == 1
    with database.write() as session:
        later = START + timedelta(hours=2)
        session.execute(
            update(Placement).where(Placement.article_id == first).values(placed_at=later)
        )
        assert record_developments(session, [first], later) == 0


def test_merged_stories_and_unplaced_articles(database: Database) -> None:
    with database.write() as session:
        room = Newsroom(session)
        kept, first = room.open_story("Alvesk Harbour Wire", "Fire at the grain terminal")
        gone, second = room.open_story("The Dunmere Courier", "Blaze at Dunmere terminal")
        merge_story(session, gone, kept, room.tick())
        assert story_article_ids(session, kept) == [first, second]
        reserved = room.join(kept, "Northpier Radio", "Harbour road closed")
        session.execute(update(Placement).where(Placement.article_id == reserved).values(version=0))
        assert record_developments(session, [first, second, reserved, 999_999], room.tick()) == 1
    courier = outlets(database)["The Dunmere Courier"]
    assert [key for _, key, _ in developments(database)] == [f"outlet:{kept}:{courier}"]


def test_two_workers_recording_at_once_record_each_development_once(database: Database) -> None:
    with database.write() as session:
        room = Newsroom(session)
        story, first = room.open_story("Alvesk Harbour Wire", "Fire at the grain terminal")
        ids = [first] + [
            room.join(story, f"Outlet {n}", f"Report {n}", quotes=((f"Speaker {n}", "Yes."),))
            for n in range(20)
        ]
    workers = [Database(database.url) for _ in range(2)]  # as two processes would have
    counts: list[int] = []
    start = threading.Barrier(2)

    def record(worker: Database) -> None:
        start.wait()
        with worker.write() as session:
            counts.append(record_developments(session, ids, START + timedelta(hours=1)))

    threads = [threading.Thread(target=record, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for worker in workers:
        worker.dispose()
    assert sorted(counts) == [0, 40]
    assert len(developments(database)) == 40


# --- Through the real pipeline ------------------------------------------------------------

# An invented event: a fire at the grain terminal of the invented town of Port Alvesk,
# reported by an invented wire service and an invented local paper, and carried as a wire
# copy by a third invented outlet.
FIRE_WIRE = """Fire at Port Alvesk grain terminal forces evacuation of dockside streets

A fire broke out at the Dunmere grain terminal in Port Alvesk early on Thursday, sending a \
column of black smoke over the harbour and forcing the evacuation of about 300 residents from \
the streets around the docks.

The blaze started shortly after 4 a.m. in a conveyor gallery that carries barley from the \
silos to the loading quay, according to the Alvesk fire service. Eleven engines and a fireboat \
were sent to the terminal, and crews spent most of the morning keeping the flames away from \
two silos holding about 40,000 tonnes of grain.

"The gallery is full of dust, and grain dust burns like fuel, so our first job was to stop the \
fire reaching the silos," said Ilse Marrow, the chief fire officer of Port Alvesk. "We have \
managed that, but the structure is badly damaged and we will be here for the rest of the day."

Nobody was injured, the fire service said. Two night-shift workers raised the alarm and left \
the building before the fire spread along the gallery.

Residents of Quay Row, Tanner Street and the Saltgate flats were taken to a sports hall on the \
edge of town, where the council handed out blankets and breakfast. Police closed the harbour \
road to traffic, and ferries to the islands were moved to the northern pier.

The terminal handles about a third of the grain exported from the Alvesk region. Its operator \
said it was too early to say when loading would resume.

Investigators from the fire service will examine the conveyor gallery once it has cooled. Dust \
explosions are a known risk at grain terminals, and the gallery's ventilation system was \
inspected in the spring, the operator said.
"""

FIRE_LOCAL = """Dockside families wait in sports hall as Alvesk grain terminal burns

Families from the streets around Port Alvesk harbour spent Thursday in a sports hall after a \
fire at the Dunmere grain terminal filled the docks with smoke and forced about 300 people \
from their homes.

The fire began before dawn in the conveyor gallery of the terminal, which carries barley from \
the silos to ships at the loading quay. Fire crews with eleven engines and a fireboat fought \
to keep it away from the silos, which hold tens of thousands of tonnes of grain.

Chief fire officer Ilse Marrow said the silos had been protected. "We have managed that, but \
the structure is badly damaged and we will be here for the rest of the day," she said.

Harbour master Tomas Verhaege said shipping had been moved away from the terminal as a \
precaution. "Two grain ships were due to load this week, and both have been told to wait at \
anchor outside the harbour until the fire service says the quay is safe," he said.

At the sports hall, residents of Quay Row and Tanner Street sat on folding chairs with \
children and pets. Many said they had woken to police knocking on their doors. Council \
volunteers handed out blankets, tea and breakfast.

Police closed the harbour road, and island ferries were sent to the northern pier for the \
day. Nobody was hurt in the fire, according to the fire service.

The terminal exports about a third of the region's grain. Fire investigators are expected to \
examine the gallery, where grain dust is a known fire risk, once it has cooled.
"""

FIRE_FOLLOW_UP = """Port Alvesk residents return home after grain terminal fire is put out

Residents evacuated from the streets around the Port Alvesk docks were allowed to return home \
on Thursday evening after firefighters put out a fire at the Dunmere grain terminal.

The fire, which started in a conveyor gallery before dawn, was declared out at about 6 p.m., \
the Alvesk fire service said. About 300 people from Quay Row, Tanner Street and the Saltgate \
flats had spent the day in a sports hall.

"The silos are intact and the grain in them is safe, but the conveyor gallery will have to be \
rebuilt," said Ilse Marrow, the chief fire officer of Port Alvesk. "Our investigators will \
start work tomorrow morning."

The mayor of Port Alvesk, Greta Lindqvist, thanked the fire crews and the volunteers who \
looked after evacuated families. "This could have been a disaster for the whole town, and it \
was not, because people did their jobs and looked after each other," she said.

The harbour road reopened in the evening, and ferries to the islands will return to their \
usual pier on Friday. The terminal's operator said loading would not resume for at least two \
weeks.

The terminal handles about a third of the grain exported from the Alvesk region. Nobody was \
injured in the fire.
"""

FIRE_COPY = FIRE_WIRE + "\nThis article first appeared on Alvesk Harbour Wire.\n"


def _store(session: Session, outlet: str, text: str, published: str, revision: str = "") -> int:
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    draft = ArticleDraft(
        title=paragraphs[0],
        outlet=outlet,
        url=f"https://{outlet.lower().replace(' ', '-')}.test/{published}",
        published_at=datetime.fromisoformat(f"{published}+00:00"),
        blocks=tuple(Block(BlockKind.PARAGRAPH, p) for p in paragraphs[1:])
        + ((Block(BlockKind.PARAGRAPH, revision),) if revision else ()),
    )
    return save_article(session, draft, source_kind="file", source_locator="fire").article_id


def test_placing_articles_records_their_developments(
    database: Database, settings: Settings
) -> None:
    """Two outlets' reports and a wire copy, placed one at a time as they arrive: the
    local paper is a new outlet with a new speaker, the wire's follow-up a new speaker,
    the copy nothing. Placing the first article again after a revision adds nothing."""
    with database.write() as session:
        wire = _store(session, "Alvesk Harbour Wire", FIRE_WIRE, "2026-03-05T06:10:00")
        local = _store(session, "The Dunmere Courier", FIRE_LOCAL, "2026-03-05T09:30:00")
        follow_up = _store(session, "Alvesk Harbour Wire", FIRE_FOLLOW_UP, "2026-03-05T18:40:00")
        copy = _store(session, "Calloway Evening Post", FIRE_COPY, "2026-03-05T07:00:00")
    analyze_backlog(database, settings)
    assert place_backlog(database, settings, batch=1).placed == 4

    with database.read() as session:
        placements = {p.article_id: p for p in session.execute(select(Placement)).scalars()}
        speakers = dict(session.execute(select(Entity.name, Entity.id)).all())
    assert len({p.story_id for p in placements.values()}) == 1
    assert (placements[copy].copy_of_id, placements[copy].copy_relation) == (wire, "copy")
    story = placements[wire].story_id
    found = developments(database)
    assert found == [
        (
            "new_outlet",
            f"outlet:{story}:{outlets(database)['The Dunmere Courier']}",
            "The Dunmere Courier now covers this story: “Dockside families wait in sports "
            "hall as Alvesk grain terminal burns”",
        ),
        (
            "new_claim",
            f"speaker:{story}:{speakers['Tomas Verhaege']}",
            "Tomas Verhaege is quoted for the first time: “Two grain ships were due to load "
            "this week, and both have been told to wait at anchor outside the…”",
        ),
        (
            "new_claim",
            f"speaker:{story}:{speakers['Greta Lindqvist']}",
            "Greta Lindqvist is quoted for the first time: “This could have been a disaster "
            "for the whole town, and it was not, because people did their jobs and…”",
        ),
    ]
    with database.read() as session:
        by = session.execute(select(StoryDevelopment.article_id).order_by(StoryDevelopment.id))
        assert list(by.scalars()) == [local, local, follow_up]

    with database.write() as session:
        revised = "Updated at 9 a.m. with the number of residents evacuated."
        _store(session, "Alvesk Harbour Wire", FIRE_WIRE, "2026-03-05T06:10:00", revised)
    analyze_backlog(database, settings)
    assert place_backlog(database, settings, batch=1).placed == 1
    assert developments(database) == found
