"""Which outlets carried a wire story, which rewrote it, and which reported on their own.

The store finds copy groups through band keys and hands them over as
:class:`~storyline.stories.copies.Provenance` records; without them,
:func:`find_copy_groups` finds the groups within the story's own articles: signatures
first (a pair whose estimated containment is under :data:`CANDIDATE_CONTAINMENT` cannot
be the same text), then :func:`~storyline.stories.copies.compare_texts` on the rest, then
:func:`~storyline.stories.copies.provenance` per connected group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storyline.stories.copies import CopyCandidate, Provenance, compare_texts, provenance
from storyline.stories.digest_types import ArticleId, DigestArticle
from storyline.stories.signatures import text_signature

# Well under the same-text cut (0.341): the estimate from 48 minimum hashes is rough.
CANDIDATE_CONTAINMENT = 0.15


@dataclass(frozen=True)
class ArticleRef:
    article_id: ArticleId
    outlet: str

    def to_json(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "outlet": self.outlet}


@dataclass(frozen=True)
class CarriedStory:
    """A text several outlets published: its original and who carried it how."""

    original: ArticleRef
    copies: tuple[ArticleRef, ...]
    rewrites: tuple[ArticleRef, ...]
    updates: tuple[ArticleRef, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "original": self.original.to_json(),
            "copies": [a.to_json() for a in self.copies],
            "rewrites": [a.to_json() for a in self.rewrites],
            "updates": [a.to_json() for a in self.updates],
        }


@dataclass(frozen=True)
class Carriage:
    """The story's carried texts, and the articles that are their outlet's own."""

    carried: tuple[CarriedStory, ...]
    own: tuple[ArticleRef, ...]

    def role_of(self, article_id: ArticleId) -> str:
        """``original``, ``copy``, ``rewrite``, ``update`` or ``own``."""
        key = str(article_id)
        for story in self.carried:
            if str(story.original.article_id) == key:
                return "original"
            for role, refs in (("copy", story.copies), ("rewrite", story.rewrites)):
                if any(str(ref.article_id) == key for ref in refs):
                    return role
            if any(str(ref.article_id) == key for ref in story.updates):
                return "update"
        return "own"

    def to_json(self) -> dict[str, Any]:
        return {
            "carried": [story.to_json() for story in self.carried],
            "own": [a.to_json() for a in self.own],
        }


def story_carriage(
    articles: Sequence[DigestArticle], copy_groups: Sequence[Provenance]
) -> Carriage:
    """The carried texts among ``articles`` per ``copy_groups``; the rest are own reporting.

    Group members that are not among ``articles`` are left out, and a group left with one
    article is that article's own reporting.
    """
    by_id = {str(a.article_id): a for a in articles}
    carried: list[CarriedStory] = []
    placed: set[str] = set()
    for group in copy_groups:
        members = [c for c in group.carriages if c.id in by_id and c.role != "separate"]
        if len(members) < 2:
            continue
        first = next((c for c in members if c.role == "original"), members[0])
        refs: dict[str, list[ArticleRef]] = {"copy": [], "rewrite": [], "update": []}
        for carriage in members:
            if carriage is not first:
                article = by_id[carriage.id]
                role = carriage.role if carriage.role in refs else "rewrite"
                refs[role].append(ArticleRef(article.article_id, article.outlet))
        original = by_id[first.id]
        carried.append(
            CarriedStory(
                ArticleRef(original.article_id, original.outlet),
                tuple(refs["copy"]),
                tuple(refs["rewrite"]),
                tuple(refs["update"]),
            )
        )
        placed.update(c.id for c in members)
    own = tuple(
        ArticleRef(a.article_id, a.outlet) for a in articles if str(a.article_id) not in placed
    )
    return Carriage(tuple(carried), own)


def find_copy_groups(articles: Sequence[DigestArticle]) -> list[Provenance]:
    """Groups of same-text articles among ``articles`` (see the module docstring)."""
    signatures = [text_signature(a.text) for a in articles]
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            if root(i) == root(j):
                continue
            if signatures[i].containment(signatures[j]) < CANDIDATE_CONTAINMENT:
                continue
            if compare_texts(
                articles[i].text, articles[j].text, signatures[i], signatures[j]
            ).same_text:
                parent[root(j)] = root(i)
    members: dict[int, list[int]] = {}
    for i in range(len(articles)):
        members.setdefault(root(i), []).append(i)
    groups = []
    for indices in members.values():
        if len(indices) < 2:
            continue
        candidates = [
            CopyCandidate(
                str(articles[i].article_id),
                articles[i].outlet,
                articles[i].published_at,
                articles[i].text,
                signatures[i],
            )
            for i in indices
        ]
        groups.append(provenance(candidates))
    return groups
