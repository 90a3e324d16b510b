"""Perspectives: how the outlets covering a story differ.

Offline and template-based over the story digest (:func:`~storyline.stories.digest.
build_digest`): each sentence is either a source sentence, unchanged, or a short template
filled with the digest's structured claims, and cites every sentence it rests on.
:func:`perspectives`:

1. figures that differ: one sentence per quantity the outlets give different numbers for,
   each figure with the outlets (and the parties they attribute it to) that give it;
2. claims only one side makes: assertions another party denies, claims the reporting
   outlet says it could not verify, and speakers only one outlet quotes;
3. what each outlet stresses: for every outlet with reporting of its own, its sentence
   least covered by the other outlets (rare words the others do not use, weighted by
   inverse document frequency, favouring the top of the article); an outlet that only
   carries another's text (a wire copy) is named as carrying it.

With one outlet there is nothing to compare, and the result says so in ``notice``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from storyline.ai.material import Material
from storyline.ai.passages import Passage, passages
from storyline.ai.types import AiResult, Citation, CitedSentence, Section
from storyline.stories.digest import Disagreement, SpeakerQuotes, build_digest
from storyline.stories.digest_carriage import Carriage
from storyline.stories.digest_claims import ClaimSource, Side
from storyline.stories.digest_text import Idf, content_words, word_set
from storyline.stories.digest_types import DigestArticle

# Sentences per outlet in "what each outlet stresses", and how far down an article a
# sentence may be to be its outlet's emphasis.
STRESSED = 1
STRESS_POSITIONS = 12
_NUMBER_WORDS = word_set(
    """one two three four five six seven eight nine ten eleven twelve dozens hundreds
    thousands several some about around nearly almost more less at"""
)
# A stressed sentence needs at least this many words the other outlets do not use.
MIN_DISTINCT_WORDS = 2


def perspectives(material: Material) -> AiResult:
    """The outlets' differences over the target's story (see the module docstring)."""
    coverage = list(material.story or material.articles)
    outlets = {a.outlet for a in coverage}
    if len(outlets) < 2:
        only = next(iter(outlets), "one outlet")
        return AiResult(
            feature="perspectives",
            sentences=(),
            notice=f"Only {only} covers this story so far: there are no other outlets to compare.",
        )
    digest = build_digest(coverage)
    figures = [_figures(d) for d in digest.disagreements if d.kind == "figures"]
    one_sided = [
        *(_denial(d) for d in digest.disagreements if d.kind == "denial"),
        *(_unverified(d) for d in digest.disagreements if d.kind == "unverified"),
        *_only_one_outlet_quotes(digest.speakers, coverage),
    ]
    stressed = _stresses(coverage, digest.carriage)
    return AiResult.of_sections(
        "perspectives",
        (
            Section("Figures that differ", tuple(figures)),
            Section("Claims only one side makes", tuple(one_sided)),
            Section("What each outlet stresses", tuple(stressed)),
        ),
    )


def _cite(sources: Sequence[ClaimSource]) -> tuple[Citation, ...]:
    return tuple(dict.fromkeys(Citation(int(s.article_id), s.start, s.end) for s in sources))


def _who(side: Side) -> str:
    """ "hospital officials (Eastbrook Times)", or the outlets alone for their own word."""
    outlets = _join(side.outlets)
    parties = _distinct_parties(side.parties)
    return f"{_join(parties)} ({outlets})" if parties else outlets


def _distinct_parties(parties: Sequence[str]) -> list[str]:
    """Parties without one that another contains ("defence ministry" beside "Varenian
    defence ministry"), a leading article lower-cased for use inside a sentence."""
    lowered = [_mid_sentence(p) for p in parties]
    return [
        p
        for i, p in enumerate(lowered)
        if not any(
            j != i and p.casefold() in q.casefold() and p != q for j, q in enumerate(lowered)
        )
    ]


def _mid_sentence(phrase: str) -> str:
    first, _, rest = phrase.partition(" ")
    if first in ("A", "An", "The") or (first.isalpha() and first.lower() in _NUMBER_WORDS):
        return f"{first.lower()} {rest}".strip()
    return phrase


def _figures(disagreement: Disagreement) -> CitedSentence:
    stances = "; ".join(
        f"{_mid_sentence(side.stance)} according to {_who(side)}" for side in disagreement.sides
    )
    return CitedSentence(
        text=f"The outlets give different figures for {disagreement.subject}: {stances}.",
        citations=_cite([s for side in disagreement.sides for s in side.sources]),
        label="figures",
    )


def _denial(disagreement: Disagreement) -> CitedSentence:
    asserted = [side for side in disagreement.sides if side.stance != "denied"]
    denied = [side for side in disagreement.sides if side.stance == "denied"]
    by = "; ".join(_who(side) for side in asserted)
    against = "; ".join(_who(side) for side in denied) or "another party"
    said = f"Asserted by {by}, denied by {against}" if by else f"Denied by {against}"
    return CitedSentence(
        text=f"{said}: “{_clip(disagreement.subject)}”",
        citations=_cite([s for side in disagreement.sides for s in side.sources]),
        label="denial",
    )


def _unverified(disagreement: Disagreement) -> CitedSentence:
    claimed = disagreement.sides[0]
    flagged = disagreement.sides[-1]
    parties = _distinct_parties(claimed.parties)
    by = f" by {_join(parties)}" if parties else ""
    they = "it" if len(flagged.outlets) == 1 else "they"
    return CitedSentence(
        text=(
            f"{_join(claimed.outlets)} report{'s' if len(claimed.outlets) == 1 else ''} a claim"
            f"{by} that {they} could not verify: “{_clip(disagreement.subject)}”"
        ),
        citations=_cite([*claimed.sources, *flagged.sources]),
        label="unverified",
    )


def _only_one_outlet_quotes(
    speakers: Sequence[SpeakerQuotes], coverage: Sequence[DigestArticle]
) -> list[CitedSentence]:
    out = []
    for speaker in speakers:
        # Named people and organisations only: "a spokesman" or "officials" is no side.
        if len(speaker.outlets) != 1 or not speaker.quotes or speaker.key is None:
            continue
        quote = max(speaker.quotes, key=lambda q: (q.kind == "direct", len(q.text)))
        first = quote.sources[0]
        role = f", {speaker.role}" if speaker.role else ""
        out.append(
            CitedSentence(
                text=(
                    f"Only {speaker.outlets[0]} quotes {speaker.name}{role}: “{_clip(quote.text)}”"
                ),
                citations=(Citation(int(first.article_id), first.start, first.end),),
                label="only one outlet",
            )
        )
    return out


def _stresses(coverage: Sequence[DigestArticle], carriage: Carriage) -> list[CitedSentence]:
    """Each outlet's most distinctive sentence, or what it carries."""
    copied = {
        str(ref.article_id): story.original
        for story in carriage.carried
        for ref in (*story.copies, *story.rewrites)
    }
    own: dict[str, list[Passage]] = defaultdict(list)
    carried_from: dict[str, set[str]] = defaultdict(set)
    for article in coverage:
        original = copied.get(str(article.article_id))
        if original is not None and original.outlet != article.outlet:
            carried_from[article.outlet].add(original.outlet)
            continue
        own[article.outlet].extend(passages([article]))
    words = {o: [set(content_words(p.text)) for p in found] for o, found in own.items()}
    idf = Idf([w for found in words.values() for w in found])
    out: list[CitedSentence] = []
    for outlet, found in own.items():
        others = set().union(*(w for o, ws in words.items() if o != outlet for w in ws))
        scored = []
        for passage, sentence_words in zip(found, words[outlet], strict=True):
            if passage.position >= STRESS_POSITIONS:
                continue
            distinct = sentence_words - others
            if len(distinct) < MIN_DISTINCT_WORDS:
                continue
            weight = sum(_idf(idf, w) for w in distinct) / math.sqrt(len(sentence_words))
            scored.append((weight / (1 + 0.1 * passage.position), passage))
        for _, passage in sorted(scored, key=lambda pair: -pair[0])[:STRESSED]:
            out.append(
                CitedSentence(text=passage.text, citations=(passage.citation(),), label=outlet)
            )
    for outlet, originals in sorted(carried_from.items()):
        if outlet in own:
            continue
        source = next(a for a in coverage if a.outlet == outlet)
        first = passages([source])[:1]
        if first:
            out.append(
                CitedSentence(
                    text=(
                        f"{outlet} carries {_join(sorted(originals))}’s text: "
                        f"“{_clip(first[0].text)}”"
                    ),
                    citations=(first[0].citation(),),
                    label=outlet,
                )
            )
    return out


def _idf(idf: Idf, word: str) -> float:
    return math.log((1 + idf.count) / (1 + idf.frequency[word])) + 1


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _clip(text: str, words: int = 30) -> str:
    split = text.split()
    return text.strip() if len(split) <= words else " ".join(split[:words]) + " …"
