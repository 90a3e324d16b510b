"""What an AI feature reads: an article or a story, with the coverage around it.

A :class:`Material` is built from the store by :mod:`storyline.ai_views` and is all a
feature sees, so every feature is a pure function of it (and of the models). Offsets in
every citation are into the ``text`` of the article they name.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from storyline.stories.digest_types import DigestArticle


@dataclass(frozen=True)
class EarlierStory:
    """A story of the same storyline that began before this one, with its gist sentence
    (``article_id``'s text from ``start`` to ``end``) when it has one."""

    story_id: int
    title: str
    first_at: datetime
    gist: str | None = None
    article_id: int | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Material:
    """The target of a feature and the coverage it may cite.

    ``kind`` is ``article`` or ``story``. ``articles`` is what the target says: the one
    article, or all of the story's articles in publication order. ``story`` is the
    coverage of the target's story (for a story, the same articles), which perspectives
    and background compare; ``carried`` holds the ids of articles that only copy
    another's text (wire copies), so nothing counts twice; ``earlier`` the storyline's
    stories that came before.
    """

    kind: str
    id: int
    title: str
    articles: tuple[DigestArticle, ...]
    story: tuple[DigestArticle, ...] = ()
    story_id: int | None = None
    story_title: str | None = None
    carried: frozenset[int] = frozenset()
    earlier: tuple[EarlierStory, ...] = ()
    since: datetime | None = None

    @functools.cached_property
    def fingerprint(self) -> str:
        """A digest of everything the features read: equal inputs, equal answers
        (computed once; a panel asks for it once per feature)."""
        parts = {
            "kind": self.kind,
            "id": self.id,
            "articles": [_article_key(a) for a in self.articles],
            "story": [_article_key(a) for a in self.story],
            "carried": sorted(self.carried),
            "since": self.since.isoformat() if self.since else None,
            "earlier": [
                (e.story_id, e.title, e.first_at.isoformat(), e.article_id, e.start, e.end)
                for e in self.earlier
            ],
        }
        encoded = json.dumps(parts, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()


def _article_key(article: DigestArticle) -> tuple[object, ...]:
    text = hashlib.sha256(article.text.encode()).hexdigest()
    analysis = hashlib.sha256(
        repr((article.quotes, article.timeline, article.entities)).encode()
    ).hexdigest()
    published = article.published_at.isoformat() if article.published_at else None
    return (article.article_id, article.outlet, article.title, published, text, analysis)
