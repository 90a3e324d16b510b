"""The ``/api/`` shapes as Pydantic models, for the OpenAPI document only.

:mod:`storyline.views` builds the dicts; routes return them as they are (no validation
pass on the hot path). These models describe the same keys for ``/openapi.json``, and a
test checks that the two agree, so the document cannot drift from what is served.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ArticleSummary(BaseModel):
    id: int
    title: str
    outlet: str | None = Field(description="The outlet's name.")
    outlet_slug: str | None = Field(description="The outlet's page: /outlets/{outlet_slug}.")
    published_at: str | None = Field(description="ISO-8601 in UTC, e.g. 2025-06-08T13:00:00Z.")
    url: str | None = Field(description="The article's canonical URL, when known.")
    byline: str | None
    language: str | None
    fetched_at: str | None
    updated_at: str | None
    revision: int = Field(description="1 for an article never changed since first seen.")
    excerpt: str = Field(description="The first paragraph, cut at about 280 characters.")


class BlockOut(BaseModel):
    id: str = Field(description="Anchor of the block on the article page: b0, b1, …")
    kind: str = Field(description="paragraph, heading, caption or blockquote.")
    text: str
    start: int = Field(description="Offset of the block's first character in `text`.")
    end: int = Field(description="Offset just past the block's last character in `text`.")


class LinkOut(BaseModel):
    kind: str = Field(description='What the link is, e.g. "read-also".')
    text: str
    url: str | None


class MentionOut(BaseModel):
    start: int
    end: int
    text: str


class EntityOut(BaseModel):
    id: int
    name: str = Field(description="Canonical name: the full name, without titles.")
    type: str = Field(description="PERSON, ORG or PLACE.")
    mentions: list[MentionOut]


class QuoteOut(BaseModel):
    text: str = Field(description="The quoted words, without quote marks: text[start:end].")
    kind: str = Field(description="direct or indirect.")
    speaker: str | None = Field(description="Full name, institution or group; null if unsaid.")
    speaker_id: int | None = Field(description="The speaker's entity id, when it is one.")
    role: str | None = Field(description="The speaker's role as the article gives it.")
    cue: str | None = Field(description='"said", "told", "according to", ...')
    start: int
    end: int
    source_start: int | None
    source_end: int | None
    cue_start: int | None
    cue_end: int | None


class TimexOut(BaseModel):
    text: str
    start: int
    end: int
    type: str = Field(description="DATE, TIME, DURATION or SET.")
    value: str = Field(description="ISO-8601 as TimeML writes it: 2025-03-07, P10D, 2024-08.")


class TimelineEventOut(BaseModel):
    text: str = Field(description="The sentence that reports the event.")
    start: int
    end: int
    value: str = Field(description="When it happened, ISO-8601.")
    timex_start: int | None
    timex_end: int | None


class RelatedOut(ArticleSummary):
    same_story: bool
    also_published_by: list[str | None] = Field(description="Outlets of folded wire copies.")


class CopyOut(BaseModel):
    id: int
    title: str
    outlet: str | None
    published_at: str | None
    relation: str = Field(description="original, copy, rewrite or update")


class ArticleDetail(ArticleSummary):
    site_name: str | None
    image_url: str | None
    notes: list[str]
    text: str = Field(description="The body as plain text, blocks separated by blank lines.")
    blocks: list[BlockOut]
    links: list[LinkOut]
    analyzed: bool = Field(description="Whether the current revision has been analysed yet.")
    entities: list[EntityOut] = Field(description="Most mentioned first; offsets into text.")
    quotes: list[QuoteOut]
    timexes: list[TimexOut]
    timeline: list[TimelineEventOut] = Field(description="Dated events, in order of date.")
    hashtags: list[str] = Field(description='Best first: "#KurskOblast".')
    key_phrases: list[str] = Field(description="Best first.")
    story_id: int | None = Field(description="The article's story, once it is placed.")
    storyline_id: int | None
    story_title: str | None
    grouped_because: str | None = Field(description="Why the article joined its story.")
    related: list[RelatedOut] = Field(
        description="Same story first, other outlets first, newest first; copies folded."
    )
    copies: list[CopyOut] = Field(description="Other outlets' copies of the same text.")


class OutletOut(BaseModel):
    name: str
    slug: str
    homepage_url: str | None


class OutletArticles(BaseModel):
    outlet: OutletOut
    articles: list[ArticleSummary]


class Health(BaseModel):
    status: str


class Problem(BaseModel):
    """An error: ``detail`` says what was wrong in words a person can act on."""

    detail: str


def problems(described: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for error statuses, each a :class:`Problem` with what it
    means on these routes."""
    return {
        status: {"model": Problem, "description": description}
        for status, description in described.items()
    }
