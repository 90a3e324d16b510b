"""The personal feed ("For you"): recent stories from what a reader follows, and why each.

A story is a candidate when it is live, its newest article is in the window (the last
``days`` days) and one of its articles listed in the window is by an outlet the reader
follows, names a followed entity (or one merged into it) or carries a followed hashtag;
or when the reader follows the story (or one merged into it) or its storyline.
Candidates are ranked by :func:`score`: recency (half-life :data:`HALF_LIFE`) times
growth (the story's articles listed in the last day) times a small boost per matching
follow. :func:`personal_feed` builds one page:

1. the reader's follows and mutes (one query), and the followed things' ids and names
   (one query per kind); growth, from the last day's articles (one range of
   ``ix_articles_listed_at``, whatever the number of candidates);
2. the candidates of the last day first: the stories whose newest article is in it, or
   that grew in it (a range of ``ix_stories_last_at``), with every outlet, entity and
   hashtag of their articles, in one statement. Ranked and read as in 4, they settle
   the page when its last story scores above what any older story could (no growth, a
   day old, the largest boost). Recency halves every 12 hours, so the first pages
   almost always settle here, at the cost of the last day's stories;
3. otherwise, the whole window: one indexed range scan per kind of follow, bounded by
   the window, each giving distinct (story, follow) pairs:

   * outlets: the outlets' articles listed in the window (``ix_articles_outlet_listed``);
   * entities and hashtags: their articles from the window's first article id on
     (``ix_article_entities_entity``, ``ix_article_hashtags_hashtag``), each checked
     for its listing time (an article imported late has a high id and an old date);
   * stories: the followed ones, or the ones they were merged into;
   * storylines: their stories (``stories.storyline_id``);
4. stories muted outright go (the story, its storyline, a muted word in its title), and
   the ranking is read a chunk at a time with each story's articles: articles of muted
   outlets are dropped, and a story left with none goes. So muting an outlet hides its
   own reports, but not another outlet's report of the same event. A story with an
   article carrying a muted hashtag or naming a muted entity goes; with ``unread_only``, a
   story whose articles the reader has all read goes. Reading stops once the page is full;
5. the page's stories as view dicts, each with its reasons ("you follow Harbour Daily").

:func:`atom_feed` writes a page as an Atom 1.0 document for feed readers.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lxml import etree
from sqlalchemy import and_, func, literal, select, union
from sqlalchemy.orm import Session

from storyline.readers.follows import read_ids
from storyline.store.schema import (
    Article,
    ArticleEntity,
    ArticleHashtag,
    Entity,
    Follow,
    Hashtag,
    Outlet,
    Placement,
    Story,
    Storyline,
)
from storyline.story_views import story_summary_view
from storyline.views import iso

DAYS = 7
PAGE = 30
HALF_LIFE = timedelta(hours=12)
GROWTH_WINDOW = timedelta(hours=24)
FOLLOW_BOOST = 0.25  # per matching follow beyond the first
MAX_BOOSTED = 4  # follows past the first that add to the score: at most doubled
ARTICLES_SHOWN = 3  # a story's newest articles listed under it
_CHUNK = 500  # ids per IN list
_WALK = 40  # stories read at a time while filling a page
# The order reasons are shown in: the most specific first.
_REASON_ORDER = {"story": 0, "storyline": 1, "entity": 2, "hashtag": 3, "outlet": 4}

ATOM = "http://www.w3.org/2005/Atom"


@dataclass
class _Reader:
    """What a reader follows and mutes, resolved to ids, and how to name each follow."""

    outlets: dict[int, str] = field(default_factory=dict)  # outlet id -> slug
    entities: dict[int, str] = field(default_factory=dict)  # member entity id -> followed id
    hashtags: dict[int, str] = field(default_factory=dict)  # hashtag id -> key
    stories: set[int] = field(default_factory=set)  # live story ids
    storylines: dict[int, str] = field(default_factory=dict)  # member storyline id -> followed
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    count: int = 0
    muted_outlets: set[int] = field(default_factory=set)
    muted_entities: set[int] = field(default_factory=set)
    muted_hashtags: set[int] = field(default_factory=set)
    muted_stories: set[int] = field(default_factory=set)
    muted_storylines: set[int] = field(default_factory=set)
    # One pattern for every muted word, matched against case-folded titles.
    muted_words: re.Pattern[str] | None = None


@dataclass
class _Candidate:
    id: int
    storyline_id: int | None
    title: str
    last_at: datetime
    follows: set[tuple[str, str]]
    growth: int = 0
    score: float = 0.0


def score(last_at: datetime, growth: int, matches: int, now: datetime) -> float:
    """Recency (halving every :data:`HALF_LIFE` since the story's newest article) times
    growth (``1 + log1p(articles listed in the last day)``) times ``1 + 0.25`` for every
    matching follow past the first, up to :data:`MAX_BOOSTED` of them."""
    age = max(0.0, (now - last_at) / HALF_LIFE)
    boosted = min(MAX_BOOSTED, max(0, matches - 1))
    return 0.5**age * (1 + math.log1p(growth)) * (1 + FOLLOW_BOOST * boosted)


def personal_feed(
    session: Session,
    user_id: int,
    *,
    now: datetime,
    days: int = DAYS,
    limit: int = PAGE,
    offset: int = 0,
    unread_only: bool = False,
) -> dict[str, Any]:
    """One page of the reader's feed (see the module): ``stories``, ``offset``, ``limit``,
    ``next_offset`` (None on the last page), ``days``, ``unread_only`` and ``following``
    (how many things the reader follows)."""
    since = now - timedelta(days=days)
    fresh_since = max(since, now - GROWTH_WINDOW)
    need = offset + limit + 1
    reader = _read_follows(session, user_id)
    growth, stale = _growth(session, now - GROWTH_WINDOW, fresh_since)
    fresh = _fresh_candidates(session, reader, since, fresh_since, stale)
    ranked = _rank(reader, fresh, growth, now)
    found = list(_walk(session, user_id, reader, ranked, unread_only, need))
    ceiling = score(fresh_since, 0, 1 + MAX_BOOSTED, now)
    if fresh_since > since and not (len(found) == need and found[-1].candidate.score > ceiling):
        ranked = _rank(reader, _candidates(session, reader, since), growth, now)
        found = list(_walk(session, user_id, reader, ranked, unread_only, need))
    page = found[offset : offset + limit]
    return {
        "stories": _views(session, reader, page),
        "offset": offset,
        "limit": limit,
        "next_offset": offset + limit if len(found) > offset + limit else None,
        "days": days,
        "unread_only": unread_only,
        "following": reader.count,
    }


# --- 1. Follows ---------------------------------------------------------------------------


def _read_follows(session: Session, user_id: int) -> _Reader:
    rows = session.execute(
        select(Follow.mode, Follow.kind, Follow.target).where(Follow.user_id == user_id)
    ).all()
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for mode, kind, target in rows:
        wanted[(mode, kind)].add(target)
    reader = _Reader(count=sum(1 for mode, _, _ in rows if mode == "follow"))
    for mode in ("follow", "mute"):
        _resolve_outlets(session, reader, mode, wanted[(mode, "outlet")])
        _resolve_entities(session, reader, mode, _ids(wanted[(mode, "entity")]))
        _resolve_hashtags(session, reader, mode, wanted[(mode, "hashtag")])
        stories = _live(session, Story, _ids(wanted[(mode, "story")]))
        lines = _families(
            session, Storyline, _live(session, Storyline, _ids(wanted[(mode, "storyline")]))
        )
        if mode == "follow":
            reader.stories = set(stories.values())
            reader.storylines = {member: str(live) for member, live in lines.items()}
        else:
            reader.muted_stories = set(stories.values())
            reader.muted_storylines = set(lines)
    # Muted words are stored case-folded, and titles are folded before the search:
    # IGNORECASE alone would not match "Straße" to a muted "strasse".
    words = sorted({word.casefold() for word in wanted[("mute", "word")]})
    if words:
        alternatives = "|".join(re.escape(word) for word in words)
        reader.muted_words = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    return reader


def _ids(targets: Collection[str]) -> set[int]:
    return {int(t) for t in targets if t.isdigit()}


def _resolve_outlets(session: Session, reader: _Reader, mode: str, slugs: set[str]) -> None:
    if not slugs:
        return
    for outlet_id, slug, name in session.execute(
        select(Outlet.id, Outlet.slug, Outlet.name).where(Outlet.slug.in_(slugs))
    ):
        if mode == "follow":
            reader.outlets[outlet_id] = slug
            reader.names[("outlet", slug)] = name
        else:
            reader.muted_outlets.add(outlet_id)


def _resolve_entities(session: Session, reader: _Reader, mode: str, ids: set[int]) -> None:
    """A followed entity counts with every entity merged into it (the rows of
    ``article_entities`` keep the ids the analysis gave)."""
    if not ids:
        return
    live = _live(session, Entity, ids)
    members = _families(session, Entity, live)
    if mode == "mute":
        reader.muted_entities = set(members)
        return
    reader.entities = {member: str(entity) for member, entity in members.items()}
    for entity_id, name in session.execute(
        select(Entity.id, Entity.name).where(Entity.id.in_(set(live.values())))
    ):
        reader.names[("entity", str(entity_id))] = name


def _resolve_hashtags(session: Session, reader: _Reader, mode: str, keys: set[str]) -> None:
    if not keys:
        return
    for hashtag_id, key, tag in session.execute(
        select(Hashtag.id, Hashtag.key, Hashtag.tag).where(Hashtag.key.in_(keys))
    ):
        if mode == "follow":
            reader.hashtags[hashtag_id] = key
            reader.names[("hashtag", key)] = tag
        else:
            reader.muted_hashtags.add(hashtag_id)


def _live(session: Session, model: Any, ids: Collection[int]) -> dict[int, int]:
    """Each id -> the id it reads as now (the row it was merged into, or itself)."""
    if not ids:
        return {}
    return {
        row_id: merged_into or row_id
        for row_id, merged_into in session.execute(
            select(model.id, model.merged_into_id).where(model.id.in_(list(ids)))
        )
    }


def _families(session: Session, model: Any, live: dict[int, int]) -> dict[int, int]:
    """Member id -> live id, for the live ids and every row merged into one of them."""
    heads = set(live.values())
    if not heads:
        return {}
    members = {head: head for head in heads}
    for row_id, merged_into in session.execute(
        select(model.id, model.merged_into_id).where(model.merged_into_id.in_(heads))
    ):
        members[row_id] = merged_into
    return members


# --- 2. Candidates ------------------------------------------------------------------------

_Found = dict[int, set[tuple[str, str]]]  # story id -> the follows that bring it in


def _candidates(session: Session, reader: _Reader, since: datetime) -> list[_Candidate]:
    """Every candidate of the window, found from the follows: one indexed range scan of
    each kind's articles, bounded by the window."""
    found: _Found = defaultdict(set)
    if reader.outlets:
        _record(
            session,
            found,
            select(Placement.story_id, Article.outlet_id)
            .join(Placement, Placement.article_id == Article.id)
            .where(Article.outlet_id.in_(list(reader.outlets)), Article.listed_at >= since),
            "outlet",
            reader.outlets,
        )
    if reader.entities or reader.hashtags:
        # ``id + 0``: with a plain ``min(id)`` both SQLite and PostgreSQL walk the primary
        # key from the oldest article up to the window, most of the table; this reads the
        # window's entries of ``ix_articles_listed_at`` instead.
        first_id = session.execute(
            select(func.min(Article.id + 0)).where(Article.listed_at >= since)
        ).scalar()
        for link, column, follows, kind in _tag_links(reader) if first_id is not None else ():
            for chunk in _chunks(list(follows)):
                query = (
                    select(Placement.story_id, column)
                    .join(Placement, Placement.article_id == link.article_id)
                    .join(Article, Article.id == link.article_id)
                    .where(column.in_(chunk), link.article_id >= first_id)
                    .where(Article.listed_at >= since)
                )
                _record(session, found, query, kind, follows)
    if reader.stories:
        query = select(Story.id, Story.id).where(Story.id.in_(reader.stories))
        _record(session, found, query, "story", None)
    if reader.storylines:
        query = select(Story.id, Story.storyline_id).where(
            Story.storyline_id.in_(list(reader.storylines)), _in_window(since)
        )
        _record(session, found, query, "storyline", reader.storylines)
    candidates = []
    for chunk in _chunks(sorted(found)):
        stories = select(*_STORY).where(Story.id.in_(chunk), _in_window(since))
        candidates += _with_follows(session, stories, found)
    return candidates


def _fresh_candidates(
    session: Session, reader: _Reader, since: datetime, fresh_since: datetime, stale: set[int]
) -> list[_Candidate]:
    """The candidates whose newest article is listed since ``fresh_since``, or that grew
    in the last day (``stale``): found from those stories (a range of
    ``ix_stories_last_at``), by what their articles listed in the window are by, name or
    carry. The same candidates, with the same follows, as :func:`_candidates` finds among
    them, for a fraction of the work."""
    scopes = [Story.last_at >= fresh_since] + ([Story.id.in_(sorted(stale))] if stale else [])
    candidates = []
    for scope in scopes:
        stories = session.execute(select(*_STORY).where(scope, _in_window(since))).all()
        found: _Found = defaultdict(set)
        for story_id, storyline_id, _, _ in stories:
            if story_id in reader.stories:
                found[story_id].add(("story", str(story_id)))
            if storyline_id in reader.storylines:
                found[story_id].add(("storyline", reader.storylines[storyline_id]))
        articles = (
            select(Placement.story_id, Placement.article_id, Article.outlet_id)
            .select_from(Story)
            .join(Placement, Placement.story_id == Story.id)
            .join(Article, Article.id == Placement.article_id)
            .where(scope, _in_window(since), Article.listed_at >= since)
            .cte("fresh_articles")
        )
        # Every outlet, entity and hashtag of these articles, in one statement that reads
        # them once; the followed ones are sorted out here. (Asked for the followed ones
        # only, SQLite reads the window of every followed outlet, or probes each article
        # for every followed entity.)
        names: dict[str, dict[int, str]] = {}
        parts = []
        if reader.outlets:
            names["outlet"] = reader.outlets
            parts.append(select(articles.c.story_id, literal("outlet"), articles.c.outlet_id))
        for link, column, follows, kind in _tag_links(reader):
            names[kind] = follows
            parts.append(
                select(articles.c.story_id, literal(kind), column).join(
                    link, link.article_id == articles.c.article_id
                )
            )
        if parts:
            for story_id, kind, target in session.execute(union(*parts)):
                if target in names[kind]:
                    found[story_id].add((kind, names[kind][target]))
        candidates += [
            _Candidate(story_id, storyline_id, title, last_at, found[story_id])
            for story_id, storyline_id, title, last_at in stories
            if story_id in found
        ]
    return candidates


def _tag_links(reader: _Reader) -> list[tuple[Any, Any, dict[int, str], str]]:
    """(link table, its followed column, followed id -> follow key, kind) of the
    entities and hashtags the reader follows."""
    return [
        (link, column, follows, kind)
        for link, column, follows, kind in (
            (ArticleEntity, ArticleEntity.entity_id, reader.entities, "entity"),
            (ArticleHashtag, ArticleHashtag.hashtag_id, reader.hashtags, "hashtag"),
        )
        if follows
    ]


def _record(
    session: Session, found: _Found, query: Any, kind: str, names: dict[int, str] | None
) -> None:
    """Record the follow of ``kind`` behind each (story id, target) row of ``query``;
    with ``names`` (followed id -> follow key), rows of other targets are passed over."""
    for story_id, target in session.execute(query.distinct()):
        if story_id is None:
            continue
        if names is None:
            found[story_id].add((kind, str(target)))
        elif target in names:
            found[story_id].add((kind, names[target]))


_STORY = (Story.id, Story.storyline_id, Story.title, Story.last_at)


def _with_follows(session: Session, stories: Any, found: _Found) -> list[_Candidate]:
    """The stories of the query that a follow brings in, as candidates."""
    return [
        _Candidate(story_id, storyline_id, title, last_at, found[story_id])
        for story_id, storyline_id, title, last_at in session.execute(stories)
        if story_id in found
    ]


def _in_window(since: datetime) -> Any:
    return and_(Story.merged_into_id.is_(None), Story.last_at >= since)


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


# --- 3. Ranking ---------------------------------------------------------------------------


def _rank(
    reader: _Reader, candidates: list[_Candidate], growth: Counter[int], now: datetime
) -> list[_Candidate]:
    """The candidates not muted outright, best first."""
    words = reader.muted_words
    kept = []
    for candidate in candidates:
        if candidate.id in reader.muted_stories:
            continue
        if candidate.storyline_id in reader.muted_storylines:
            continue
        if words is not None and words.search(candidate.title.casefold()):
            continue
        candidate.growth = growth.get(candidate.id, 0)
        candidate.score = score(candidate.last_at, candidate.growth, len(candidate.follows), now)
        kept.append(candidate)
    return sorted(kept, key=lambda c: (-c.score, -c.last_at.timestamp(), -c.id))


def _growth(
    session: Session, since: datetime, fresh_since: datetime
) -> tuple[Counter[int], set[int]]:
    """Story id -> its articles listed since ``since`` (one range of
    ``ix_articles_listed_at``, whatever the number of candidates); and the growing
    stories whose newest dated article is older than ``fresh_since`` (an undated
    article lists by when it was fetched). Counted here rather than by a GROUP BY,
    which SQLite answers by walking every placement in story order."""
    query = (
        select(Placement.story_id, Story.last_at)
        .select_from(Article)
        .join(Placement, Placement.article_id == Article.id)
        .join(Story, Story.id == Placement.story_id)
        .where(Article.listed_at >= since)
    )
    growth: Counter[int] = Counter()
    stale: set[int] = set()
    for story_id, last_at in session.execute(query):
        if story_id is None:
            continue
        growth[story_id] += 1
        if last_at < fresh_since:
            stale.add(story_id)
    return growth, stale


# --- 4. Filling the page ------------------------------------------------------------------


@dataclass(frozen=True)
class _Article:
    id: int
    title: str
    listed_at: datetime
    outlet: str | None
    outlet_slug: str | None
    read: bool


@dataclass(frozen=True)
class _Shown:
    candidate: _Candidate
    articles: list[_Article]  # newest first, muted outlets' left out


def _walk(
    session: Session,
    user_id: int,
    reader: _Reader,
    ranked: Sequence[_Candidate],
    unread_only: bool,
    need: int,
) -> Iterator[_Shown]:
    """The ranked stories that stay once their articles are known, at most ``need``."""
    shown = 0
    start = 0
    while start < len(ranked):
        # As many stories as are still needed (a few go to mutes and read ones), so that a
        # deep page is read in a few statements.
        size = min(_CHUNK, max(_WALK, need - shown))
        chunk = ranked[start : start + size]
        start += size
        rows = session.execute(
            select(
                Placement.story_id,
                Article.id,
                Article.title,
                Article.listed_at,
                Article.outlet_id,
                Outlet.name,
                Outlet.slug,
            )
            .join(Article, Article.id == Placement.article_id)
            .outerjoin(Outlet, Outlet.id == Article.outlet_id)
            .where(Placement.story_id.in_([c.id for c in chunk]))
        ).all()
        article_ids = [row.id for row in rows]
        banned = _muted_articles(session, reader, article_ids)
        read = read_ids(session, user_id, article_ids)
        by_story: dict[int, list[_Article]] = defaultdict(list)
        spoiled: set[int] = set()
        for row in rows:
            if row.id in banned:
                spoiled.add(row.story_id)
            if row.outlet_id in reader.muted_outlets:
                continue
            by_story[row.story_id].append(
                _Article(row.id, row.title, row.listed_at, row.name, row.slug, row.id in read)
            )
        for candidate in chunk:
            articles = by_story.get(candidate.id)
            if not articles or candidate.id in spoiled:
                continue
            if unread_only and all(a.read for a in articles):
                continue
            articles.sort(key=lambda a: (a.listed_at, a.id), reverse=True)
            yield _Shown(candidate, articles)
            shown += 1
            if shown >= need:
                return


def _muted_articles(session: Session, reader: _Reader, article_ids: Sequence[int]) -> set[int]:
    """Which of the articles carry a muted hashtag or name a muted entity."""
    found: set[int] = set()
    for link, column, muted in (
        (ArticleHashtag, ArticleHashtag.hashtag_id, reader.muted_hashtags),
        (ArticleEntity, ArticleEntity.entity_id, reader.muted_entities),
    ):
        if not muted:
            continue
        for chunk in _chunks(article_ids):
            found.update(
                session.execute(
                    select(link.article_id).where(link.article_id.in_(chunk), column.in_(muted))
                ).scalars()
            )
    return found


# --- 5. Views -----------------------------------------------------------------------------


def _views(session: Session, reader: _Reader, page: Sequence[_Shown]) -> list[dict[str, Any]]:
    ids = [shown.candidate.id for shown in page]
    stories = {s.id: s for s in session.execute(select(Story).where(Story.id.in_(ids))).scalars()}
    views = []
    for shown in page:
        articles = shown.articles
        reasons = [
            _reason(reader, kind, key)
            for kind, key in sorted(
                shown.candidate.follows, key=lambda f: (_REASON_ORDER[f[0]], f[1])
            )
        ]
        read = sum(1 for a in articles if a.read)
        view = story_summary_view(stories[shown.candidate.id], sorted(a.id for a in articles))
        view.update(
            {
                "outlets": sorted({a.outlet for a in articles if a.outlet}),
                "reason": reasons[0],
                "reasons": reasons,
                "growth": shown.candidate.growth,
                "score": round(shown.candidate.score, 6),
                "read_count": read,
                "unread_count": len(articles) - read,
                "all_read": read == len(articles),
                "articles": [
                    {
                        "id": a.id,
                        "title": a.title,
                        "outlet": a.outlet,
                        "outlet_slug": a.outlet_slug,
                        "listed_at": iso(a.listed_at),
                        "read": a.read,
                    }
                    for a in articles[:ARTICLES_SHOWN]
                ],
            }
        )
        views.append(view)
    return views


def _reason(reader: _Reader, kind: str, key: str) -> str:
    if kind == "story":
        return "you follow this story"
    if kind == "storyline":
        return "in a storyline you follow"
    return f"you follow {reader.names.get((kind, key), key)}"


# --- The Atom feed ------------------------------------------------------------------------


def atom_feed(
    feed: dict[str, Any], *, title: str, feed_url: str, site_url: str, now: datetime
) -> bytes:
    """A page of :func:`personal_feed` as an Atom 1.0 document: one entry per story, its
    id and link the story's address on ``site_url``, its summary the reasons it is there.
    ``feed_url`` (the secret address) is the document's ``self`` link."""
    stories = feed["stories"]
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _add(root, "id", f"{site_url}/for-you")
    _add(root, "title", title)
    updated = max((s["last_at"] for s in stories), default=None) or iso(now)
    _add(root, "updated", updated)
    author = _add(root, "author")
    _add(author, "name", title.rpartition(" · ")[2] or title)
    _add(root, "link", rel="self", type="application/atom+xml", href=feed_url)
    _add(root, "link", rel="alternate", type="text/html", href=f"{site_url}/for-you")
    _add(root, "generator", "Storyline")
    for story in stories:
        url = f"{site_url}/stories/{story['id']}"
        entry = _add(root, "entry")
        _add(entry, "id", url)
        _add(entry, "title", story["title"])
        _add(entry, "updated", story["last_at"])
        _add(entry, "published", story["first_at"])
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        articles = story["article_count"]
        outlets = story["outlet_count"]
        summary = (
            f"{story['reason'][:1].upper()}{story['reason'][1:]}. "
            f"{articles} article{'s' * (articles != 1)} from {outlets} outlet{'s' * (outlets != 1)}"
        )
        if story["outlets"]:
            summary += ": " + ", ".join(story["outlets"])
        _add(entry, "summary", summary + ".", type="text")
        for tag in story["hashtags"]:
            _add(entry, "category", term=tag.lstrip("#"), label=tag)
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return result


def _add(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element
