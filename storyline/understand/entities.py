"""People, organisations and places in an article, each under one canonical name.

Within an article, every mention of one thing is grouped: a surname with the full name given
elsewhere ("Zelensky" with "Volodymyr Zelensky"), spellings of one place ("the U.S.", "US",
"United States"; "Kursk Oblast", "the Kursk region"), an institution however its country is
written ("Russia's Defense Ministry", "the Russian Defence Ministry"). The longest proper
full name of a group is its canonical name; :func:`entity_key` turns a canonical name into
the identity the corpus knows it by, and :func:`link_entities` resolves an article's names
against the names the corpus has already seen.

An adjective of nationality is not a mention of the place: "Ukrainian forces" are forces,
and counting every "Russian" and "Ukrainian" as the country would put the two countries at
the top of every war story for words that are about something else. A possessive is a
mention ("Ukraine's retreat" names Ukraine).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache

from spacy.tokens import Doc

from storyline.understand.mentions import Candidate, find_candidates
from storyline.understand.names import (
    CALENDAR,
    COMPANY_SUFFIXES,
    ORG,
    PARTICLES,
    PERSON,
    PLACE,
    display_case,
    fold,
    is_capitalised,
    is_proper,
    is_title,
    key_words,
    person_key_words,
    surname,
    word_set,
)
from storyline.understand.places import canonical_place, demonym_of, region_key_word
from storyline.understand.types import Entity, Mention
from storyline.understand.votes import Votes, add_votes, new_votes, winner
from storyline.understand.words import Words

__all__ = ["article_entities", "entity_aliases", "entity_key", "link_entities"]

_SURNAME_VOTE = 5.0  # per mention: a surname of someone named in full is that person
_KEY_LENGTH = 300  # the store's column
_POSSESSOR = re.compile(r"^(.+?)'s (.+)$")
_ACRONYM = re.compile(r"^(?:[A-Z]{2,6}|(?:[A-Z]\.){2,6})$")
_WORD_BEFORE = re.compile(r"(\S+) $")
_WORD_AFTER = re.compile(r" (\w+)")
_CONNECTORS = frozenset({"of", "the", "and", "for", "on", "in", "&"})
_OF = frozenset({"of", "for", "on"})
_FUNCTION_WORDS = word_set("the a an in on at for from to of by with and but as after")


def article_entities(doc: Doc) -> list[Entity]:
    """The people, organisations and places of one article, most mentioned first.

    1. find every mention spaCy saw, cut to the name it holds (:mod:`.mentions`);
    2. give every name one type, from the votes of all its mentions and of surnames;
    3. group mentions: places and organisations by key, a surname with its full name, an
       acronym with the name it abbreviates;
    4. add later mentions of a group's names that spaCy missed;
    5. name each group by its longest proper name and rank the groups.
    """
    words = Words.of(doc)
    text = words.joined()  # doc.text would read every token again
    candidates = find_candidates(doc, words)
    types = _resolve_types(candidates)
    groups = _group(candidates, types)
    _add_missed(text, groups)
    return _merged([_entity(text, kind, members) for kind, members in groups])


def entity_key(name: str, type: str) -> str:
    """The corpus-wide identity of the canonical ``name`` of an entity of ``type``.

    Case, accents, dots, "the" and spelling variants do not count ("the U.S." and "US",
    "Defence" and "Defense", "Zelenskyy" and "Zelensky"); places go through the gazetteer
    and every region word is one ("Kursk Oblast" is "Kursk region"); a person's middle
    initials drop out; "Russia's Defense Ministry" is the "Russian Defense Ministry".
    """
    words: list[str]
    if type == PLACE:
        words = [region_key_word(w) for w in key_words(canonical_place(name) or name)]
    elif type == PERSON:
        words = person_key_words(name)
    else:
        words = _org_key_words(name)
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return f"{type}:{' '.join(words)}"[:_KEY_LENGTH]


def entity_aliases(entity: Entity) -> list[str]:
    """The keys the corpus should know ``entity`` under, its own key first.

    A person is known by the full name and the surname ("PERSON:zelensky"), an organisation
    also by the acronyms the article wrote for it; spellings of a place already share its
    key. A person named only by a surname gets no alias: the surname is the alias of the
    full name the corpus knows or will know, and a second holder would make it ambiguous.
    Callers keep aliases shared by several entities out of the map :func:`link_entities` reads.
    """
    if entity.type == PERSON:
        family = surname(entity.name)
        return [entity.key, entity_key(family, PERSON)] if family else []
    aliases = [entity.key]
    if entity.type == ORG:
        aliases.extend(entity_key(m.text, ORG) for m in entity.mentions if _ACRONYM.match(m.text))
    return list(dict.fromkeys(aliases))


def link_entities(entities: Sequence[Entity], known: Mapping[str, str]) -> list[Entity]:
    """``entities`` renamed to the canonical names the corpus knows, most mentioned first.

    ``known`` maps an alias key (:func:`entity_aliases`) to the canonical name of the one
    entity known under it. A bare "Zelensky" becomes "Volodymyr Zelensky" when the corpus
    knows exactly one such person; a surname it does not know, or knows for several people
    (and so leaves out of ``known``), stays as it is. Entities that become one are merged.
    """
    renamed = []
    for entity in entities:
        name = known.get(entity.key, entity.name)
        renamed.append(Entity(name, entity.type, entity_key(name, entity.type), entity.mentions))
    return _merged(renamed)


def _org_key_words(name: str) -> list[str]:
    """Key words of an organisation: the possessor's adjective, "Ministry of X" as "X Ministry"."""
    match = _POSSESSOR.match(fold(name))
    if match and demonym_of(match.group(1)):
        name = f"{demonym_of(match.group(1))} {match.group(2)}"
    words = list(key_words(name))
    if "ministry" in words:
        at = words.index("ministry")
        if words[at + 1 : at + 2] == ["of"]:
            words = [*words[:at], *words[at + 2 :], "ministry"]
    return words


def _name_id(name: str) -> str:
    return " ".join(key_words(name))


def _resolve_types(candidates: Sequence[Candidate]) -> dict[str, str | None]:
    """One type per name: the sum of its mentions' votes, with surnames of people voting
    person ("according to Kevliuk" after "Viktor Kevliuk")."""
    votes: dict[str, Votes] = defaultdict(new_votes)
    mentions: Counter[str] = Counter()
    for candidate in candidates:
        add_votes(votes[_name_id(candidate.name)], candidate.votes)
        mentions[_name_id(candidate.name)] += 1
    first = {name: winner(v) for name, v in votes.items()}
    surnames: set[str] = set()
    for candidate in candidates:
        if first[_name_id(candidate.name)] == PERSON:
            surnames.update(_surname_ids(candidate.name))
    for name in surnames & votes.keys():
        votes[name][PERSON] += _SURNAME_VOTE * mentions[name]
    return {name: winner(v) for name, v in votes.items()}


def _group(
    candidates: Sequence[Candidate], types: Mapping[str, str | None]
) -> list[tuple[str, list[Candidate]]]:
    """Mentions grouped by what they name, in order of first mention."""
    groups: dict[str, list[Candidate]] = {}
    kinds: dict[str, str] = {}
    single_people: list[Candidate] = []
    for candidate in candidates:
        kind = types.get(_name_id(candidate.name))
        if kind is None:
            continue
        if kind == PERSON and surname(candidate.name) is None:
            single_people.append(candidate)
            continue
        key = entity_key(candidate.name, kind)
        groups.setdefault(key, []).append(candidate)
        kinds[key] = kind
    _merge_partial_names(groups, kinds)
    people = _People(groups, kinds)
    for candidate in single_people:
        key = people.full_name_key(candidate) or entity_key(candidate.name, PERSON)
        groups.setdefault(key, []).append(candidate)
        kinds[key] = PERSON
    _merge_acronyms(groups, kinds)
    ordered = sorted(groups.items(), key=lambda item: min(c.start for c in item[1]))
    return [(kinds[key], members) for key, members in ordered]


def _merge_partial_names(groups: dict[str, list[Candidate]], kinds: dict[str, str]) -> None:
    """Fold a shorter name into the one longer name that contains it: a person's two
    surnames ("Guajardo Villarreal" in "Ildefonso Guajardo Villarreal"), an organisation
    before its "of"/"for" ("Peterson Institute" in "Peterson Institute for International
    Economics")."""
    words = {key: key.split(":", 1)[1].split() for key in groups}
    for key in sorted(groups, key=lambda k: len(words[k])):
        short = words[key]
        if len(short) < 2:
            continue
        n = len(short)
        longer = [
            other
            for other in groups
            if kinds[other] == kinds[key]
            and len(words[other]) > n
            and (
                (kinds[key] == PERSON and words[other][-n:] == short)
                or (kinds[key] == ORG and words[other][:n] == short and words[other][n] in _OF)
            )
        ]
        if len(longer) == 1:
            groups[longer[0]].extend(groups.pop(key))


class _People:
    """The full names of an article's people, to find whose surname a single name is."""

    def __init__(self, groups: Mapping[str, list[Candidate]], kinds: Mapping[str, str]) -> None:
        self._surnames: dict[str, set[str]] = defaultdict(set)
        self._first_names: dict[str, set[str]] = defaultdict(set)
        self._rank: dict[str, tuple[int, int]] = {}
        for key, members in groups.items():
            if kinds[key] != PERSON:
                continue
            self._rank[key] = (len(members), -min(c.start for c in members))
            for member in members:
                for surname_id in _surname_ids(member.name):
                    self._surnames[surname_id].add(key)
                self._first_names[key_words(member.name)[0]].add(key)

    def full_name_key(self, candidate: Candidate) -> str | None:
        """The group of the full name whose surname ``candidate`` is; when two people share
        it ("Hillary Clinton", "Chelsea Clinton"), the one named most, then first. A first
        name ("Hillary") joins the one full name that starts with it."""
        name = _name_id(candidate.name)
        matches = self._surnames.get(name)
        if matches:
            return max(matches, key=self._rank.__getitem__)
        firsts = self._first_names.get(name, set())
        return next(iter(firsts)) if len(firsts) == 1 else None


@lru_cache(maxsize=4096)
def _surname_ids(name: str) -> frozenset[str]:
    """The ways a person's surname is written alone: "van der Berg" or "Berg"."""
    family = surname(name)
    if family is None:
        return frozenset()
    words = list(key_words(family))
    ids = {" ".join(words)}
    while len(words) > 1 and words[0] in PARTICLES:
        words.pop(0)
        ids.add(" ".join(words))
    return frozenset(ids)


def _merge_acronyms(groups: dict[str, list[Candidate]], kinds: dict[str, str]) -> None:
    """Fold an organisation's short forms into the name written in full: its acronym ("BWI",
    "U.N.") and its first word alone ("Halvard" for "Halvard Shipping")."""
    long_forms: dict[str, set[str]] = defaultdict(set)
    for key, members in groups.items():
        words = members[0].name.split()
        if kinds[key] == ORG and len(words) > 1:
            initials = "".join(w[0] for w in words if w.lower() not in _CONNECTORS)
            long_forms[initials.upper()].add(key)
            long_forms[words[0]].add(key)
    for key in [k for k in groups if kinds[k] == ORG]:
        short = groups[key][0].name
        if " " in short:
            continue
        spelled = short.replace(".", "")
        if spelled.isalpha() and len(spelled) > 2:
            spelled = spelled.upper() if spelled.upper() in long_forms else spelled  # "Nafta"
        targets = long_forms.get(spelled, set()) - {key}
        if len(targets) == 1:
            groups[targets.pop()].extend(groups.pop(key))


def _add_missed(text: str, groups: list[tuple[str, list[Candidate]]]) -> None:
    """Add mentions spaCy missed of names it found elsewhere in the article: the same words,
    a person's surname alone, or the name in capitals ("VALMORA" in a headline).

    A name is looked for only as a whole word not joined to another capitalised word
    ("Sumy" in "Sumy Oblast" is not the city), and only when one group owns it.
    """
    owners: dict[str, tuple[int, str]] = {}
    ambiguous: set[str] = set()
    for index, (kind, members) in enumerate(groups):
        for form, name in _forms(text, kind, members):
            if len(form) < 4 or form.lower() in CALENDAR:
                continue
            if owners.setdefault(form, (index, name))[0] != index:
                ambiguous.add(form)
    forms = sorted(owners.keys() - ambiguous, key=len, reverse=True)
    if not forms:
        return
    taken = sorted((m.start, m.end) for _, members in groups for m in members)
    starts = [start for start, _ in taken]
    pattern = re.compile(r"(?<![\w'’-])(?:" + "|".join(map(re.escape, forms)) + r")(?![\w-])")
    for match in pattern.finditer(text):
        start, end = match.span()
        if _overlaps(taken, starts, start, end) or _joined(text, start, end):
            continue
        index, name = owners[match.group()]
        groups[index][1].append(Candidate(-1, -1, start, end, name))


def _forms(text: str, kind: str, members: Sequence[Candidate]) -> Iterator[tuple[str, str]]:
    """``(words to look for, name they give)`` for one group's mentions."""
    for member in members:
        surface = text[member.start : member.end]
        yield surface, member.name
        yield surface.upper(), member.name
        family = surname(member.name) if kind == PERSON else None
        if family:
            yield family, family
        words = member.name.split()
        if kind == ORG and len(words) > 1 and words[-1].lower() in COMPANY_SUFFIXES:
            yield " ".join(words[:-1]), member.name  # "Rhenwerk" for "Rhenwerk AG"


def _overlaps(
    taken: Sequence[tuple[int, int]], starts: Sequence[int], start: int, end: int
) -> bool:
    """Whether ``start:end`` overlaps one of the sorted spans ``taken`` (``starts`` theirs)."""
    at = bisect_left(starts, end)
    return any(s < end and start < e for s, e in taken[max(0, at - 3) : at])


def _joined(text: str, start: int, end: int) -> bool:
    """Whether the match is part of a longer name: a capitalised word (not a title) right
    before it or right after it."""
    after = _WORD_AFTER.match(text, end)
    if after is not None and is_capitalised(after.group(1)) and not is_title(after.group(1)):
        return True  # "Sumy Oblast", but not "Memphis Mayor"
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before is None:
        return False
    word = before.group(1)
    if word.endswith((".", ":", '"', "”")) or is_title(word) or word.lower() in _FUNCTION_WORDS:
        return False  # the end of a sentence, a title, "In": not part of one name
    return is_capitalised(word)


def _entity(text: str, kind: str, members: list[Candidate]) -> Entity:
    name = _canonical_name(kind, members)
    mentions = sorted({Mention(m.start, m.end, text[m.start : m.end]) for m in members}, key=_at)
    return Entity(name, kind, entity_key(name, kind), mentions)


def _canonical_name(kind: str, members: Sequence[Candidate]) -> str:
    """The longest proper name of a group; the most frequent, then the first, breaks ties."""
    counts = Counter(display_case(m.name) for m in members)
    firsts: dict[str, int] = {}
    for member in members:
        firsts.setdefault(display_case(member.name), member.start)
    best = max(counts, key=lambda n: (is_proper(n), len(n.split()), counts[n], -firsts[n]))
    if kind == PLACE:
        return canonical_place(best) or best
    return best


def _at(mention: Mention) -> tuple[int, int]:
    return mention.start, mention.end


def _merged(entities: Sequence[Entity]) -> list[Entity]:
    """One entity per key (the first one's name), most mentioned first, then first named."""
    by_key: dict[str, Entity] = {}
    for entity in entities:
        if entity.key in by_key:
            kept = by_key[entity.key]
            kept.mentions = sorted({*kept.mentions, *entity.mentions}, key=_at)
        else:
            by_key[entity.key] = Entity(entity.name, entity.type, entity.key, list(entity.mentions))
    return sorted(
        by_key.values(), key=lambda e: (-len(e.mentions), e.mentions[0].start if e.mentions else 0)
    )
