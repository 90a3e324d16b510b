"""Invented news articles for the benchmarks: realistic in shape, fictional in content.

Every outlet, person, place and event here is made up. An article depends only on the seed
and its index (each index gets its own ``random.Random``), so article 73,512 is the same
on every machine and a half-finished seeding can be re-run without changing what is there.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from storyline.model import ArticleDraft, Block, BlockKind, Link

# The newest article is published at this moment; the oldest about 90 days before it.
NEWEST = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)
SPREAD = timedelta(days=90)

# fmt: off
# Vocabulary tables stay packed: one word per line would make them ten times as long.
_PLACES = (
    "Velmora", "Quillon", "Ashgrove Fen", "Dunmarra", "Tesselport", "Orrin Vale", "Kestrow",
    "Brannock", "Merrowgate", "Cavell Reach", "Stonemere", "Halvik", "Yarrowby", "Pellinor",
    "Corvane", "Edrith", "Fennick Bay", "Solmara", "Tarnwick", "Lowen Cross",
)
_OUTLET_KINDS = ("Courier", "Ledger", "Evening Post", "Herald", "Dispatch", "Observer", "Daily")
_FIRST_NAMES = (
    "Ilse", "Tomas", "Marguerite", "Oren", "Halina", "Desmond", "Priya", "Anselm", "Leocadia",
    "Ruben", "Sigrun", "Matthias", "Noor", "Casimir", "Eleni", "Bartholomew", "Yuki", "Florin",
    "Adaeze", "Teodor", "Wren", "Ottilie", "Kasper", "Mireille",
)
_LAST_NAMES = (
    "Varga", "Ostrander", "Pell", "Quennell", "Drabek", "Marlowe-Finch", "Sorensby", "Achterberg",
    "Lindqvist", "Okonkwo-Hale", "Ferrand", "Tillery", "Brisco", "Vantongeren", "Halloran",
    "Czerwin", "Abernathy-Soto", "Mbeki-Lorne", "Rautio", "Delacourt",
)
_ROLES = (
    "the council's finance chair", "a spokesperson for the port authority",
    "head of the regional water board", "a senior engineer on the project",
    "the union's local secretary", "an economist at Halvik Polytechnic",
    "the mayor of {place}", "director of the {place} hospital trust",
    "a researcher at the Tesselport Institute", "the transport minister",
    "a lawyer for the residents' association", "chief executive of Corvane Freight",
)
_SUBJECTS = (
    "harbour dredging", "the northern tram extension", "a new water tariff",
    "the flood barrier upgrade", "night-time freight on the ring road", "the library merger",
    "a wind farm off {place}", "the hospital's maternity wing", "rent controls for students",
    "the grain terminal lease", "a ferry timetable overhaul", "the old mill redevelopment",
    "school bus contracts", "the district heating network", "a ban on lake fishing",
)
_HEADLINE_VERBS = (
    "delays vote on", "approves", "faces questions over", "reopens talks on", "scraps plan for",
    "wins backing for", "splits over", "sets deadline for", "orders review of", "defends",
)
_HEADLINE_TAILS = (
    "as costs climb", "after months of protest", "despite warnings", "ahead of winter",
    "in late-night session", "amid budget squeeze", "after court ruling", "",
)
_BODIES = ("council", "port authority", "regional assembly", "water board", "transport agency")
_NOUNS = (
    "budget", "contract", "timetable", "survey", "tender", "report", "petition", "hearing",
    "inspection", "audit", "shortfall", "proposal", "deadline", "consultation", "estimate",
)
_ADJECTIVES = (
    "revised", "provisional", "independent", "long-delayed", "disputed", "final", "internal",
    "unexpected", "modest", "detailed", "preliminary", "leaked",
)
_VERBS = (
    "expects", "questioned", "warned about", "welcomed", "rejected", "described",
    "is reviewing", "will publish", "pushed back on", "has asked for",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("March", "April", "May", "June", "July", "September", "October")
_SENTENCES = (
    '"We have been clear from the start that the {noun} has to add up," said {person}, {role}.',
    "{person}, {role}, said the {adjective} {noun} would be ready by {month}.",
    "The {body} met on {weekday} to discuss {subject}, which has been debated for {n} months.",
    "According to the {adjective} {noun}, about {n},{m}00 households in {place} would be "
    "affected.",
    "Officials in {place} {verb} the {noun}, saying it left too many questions open.",
    "The cost of {subject} has risen by {n} percent since the first {noun} was drawn up.",
    "Opposition members {verb} the {adjective} {noun} and asked for a public {noun2}.",
    "A {noun} published on {weekday} showed that {n} of the {m}0 sites had not been inspected.",
    "Residents of {place} gathered outside the town hall, some holding signs about {subject}.",
    "The {body} said it {verb} the {noun} and would respond in writing within {n} days.",
    "{person} told reporters that {subject} was \"not a question of if, but of when\".",
    "Work on {subject} is due to begin in {month}, {n} weeks later than first planned.",
    "In {place}, the {adjective} {noun} drew more than {n}00 written comments.",
    "Neither the {body} nor the contractor would say how much of the {noun} remained unpaid.",
)
_HEADINGS = (
    "What happens next", "Costs and delays", "Reaction in {place}", "A long dispute",
    "The numbers", "Who pays", "Voices from {place}",
)
# fmt: on


def outlet_names() -> tuple[str, ...]:
    """The 40 invented outlets, always in the same order."""
    return tuple(
        f"{place} {kind}"
        for place, kind in zip(
            (p for p in _PLACES for _ in range(2)),
            (_OUTLET_KINDS[i % len(_OUTLET_KINDS)] for i in range(len(_PLACES) * 2)),
            strict=True,
        )
    )


OUTLETS = outlet_names()


def make_article(seed: int, index: int) -> ArticleDraft:
    """Article number ``index`` of the synthetic corpus ``seed``."""
    rng = random.Random(f"storyline-bench:{seed}:{index}")
    outlet = OUTLETS[rng.randrange(len(OUTLETS))]
    place = rng.choice(_PLACES)
    subject = rng.choice(_SUBJECTS).format(place=rng.choice(_PLACES))
    published_at = NEWEST - timedelta(seconds=rng.randrange(int(SPREAD.total_seconds())))
    title = _title(rng, place, subject)
    byline = _person(rng)
    blocks = _body(rng, place, subject, outlet)
    slug = "-".join(word.strip(",.'").lower() for word in title.split()[:8])
    host = outlet.lower().replace(" ", "")
    url = f"https://{host}.example/{published_at:%Y/%m/%d}/{slug}-{index}"
    related = _title(rng, rng.choice(_PLACES), rng.choice(_SUBJECTS).format(place=place))
    link = Link(
        text=f"Read also: {related}",
        url=f"https://{host}.example/{published_at:%Y/%m}/related-{rng.randrange(10**6)}",
    )
    return ArticleDraft(
        title=title,
        blocks=blocks,
        outlet=outlet,
        url=url,
        byline=byline,
        published_at=published_at,
        language="en",
        links=(link,),
        site_name=outlet,
    )


def _title(rng: random.Random, place: str, subject: str) -> str:
    body = rng.choice(_BODIES)
    tail = rng.choice(_HEADLINE_TAILS)
    return " ".join(
        part for part in (place, body, rng.choice(_HEADLINE_VERBS), subject, tail) if part
    )


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"


def _body(rng: random.Random, place: str, subject: str, outlet: str) -> tuple[Block, ...]:
    """10-30 paragraphs, a caption after the first, and one or two headings further down."""
    count = rng.randint(10, 30)
    paragraphs = [Block(BlockKind.PARAGRAPH, _paragraph(rng, place, subject)) for _ in range(count)]
    photographer = _person(rng)
    caption = (
        f"{rng.choice(_PLACES)} residents outside the {rng.choice(_BODIES)} offices on "
        f"{rng.choice(_WEEKDAYS)}. Photo: {photographer} / {outlet}"
    )
    blocks = [paragraphs[0], Block(BlockKind.CAPTION, caption)]
    heading_at = set(rng.sample(range(3, count), rng.randint(1, 2)))
    for position, paragraph in enumerate(paragraphs[1:], start=1):
        if position in heading_at:
            heading = rng.choice(_HEADINGS).format(place=place)
            blocks.append(Block(BlockKind.HEADING, heading))
        blocks.append(paragraph)
    return tuple(blocks)


def _paragraph(rng: random.Random, place: str, subject: str) -> str:
    templates = rng.sample(_SENTENCES, rng.randint(1, 3))
    return " ".join(_sentence(rng, template, place, subject) for template in templates)


def _sentence(rng: random.Random, template: str, place: str, subject: str) -> str:
    role = rng.choice(_ROLES).format(place=rng.choice(_PLACES))
    return template.format(
        person=_person(rng),
        role=role,
        place=rng.choice((place, place, rng.choice(_PLACES))),
        subject=subject,
        noun=rng.choice(_NOUNS),
        noun2=rng.choice(_NOUNS),
        adjective=rng.choice(_ADJECTIVES),
        verb=rng.choice(_VERBS),
        body=rng.choice(_BODIES),
        weekday=rng.choice(_WEEKDAYS),
        month=rng.choice(_MONTHS),
        n=rng.randint(2, 40),
        m=rng.randint(1, 9),
    )
