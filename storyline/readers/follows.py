"""What a reader follows and mutes, and what they have read or saved for later.

A :class:`~storyline.store.schema.Follow` row names its target as the pages do: an
outlet by its slug, a story, storyline or entity by its id, a hashtag by its key (the tag
lower-cased, without ``#``), a muted word as the reader typed it, folded. Targets are
normalised on the way in, so one thing is one row however it was named, and checked:
nobody follows a story that does not exist. Following a story, storyline or entity that
was merged into another stores the one it now reads as, and the reads treat a follow of
a thing merged *later* as a follow of the survivor (:func:`follow_modes`, the feed).

Following something unmutes it, and muting it unfollows it: a reader cannot do both at
once. An account holds at most :data:`MAX_FOLLOWS` follows and mutes.

Reading marks are one :class:`~storyline.store.schema.ReadingMark` per reader and
article, holding when it was first read and when it was saved for later; a row with
neither is deleted, so the table holds only what a reader did. The marks live in the
database, so every device signed in to the account sees the same state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, literal, or_, select, update
from sqlalchemy.orm import Session

from storyline.store.articles import ListCursor, insert_ignore, slugify
from storyline.store.reads import read_articles_by_ids
from storyline.store.schema import (
    MAX_ID,
    Article,
    Entity,
    Follow,
    Hashtag,
    Outlet,
    ReadingMark,
    Story,
    Storyline,
)
from storyline.understand.hashtags import hashtag_key
from storyline.views import article_summary, iso

MODES = ("follow", "mute")
KINDS = ("outlet", "story", "storyline", "entity", "hashtag", "word")
MAX_FOLLOWS = 1000
MAX_WORD = 100
# Kinds whose target is a row id that a merge can redirect.
_MERGEABLE: dict[str, Any] = {"story": Story, "storyline": Storyline, "entity": Entity}
_NAMES = {"story": Story.title, "storyline": Storyline.title, "entity": Entity.name}
_PAGES = {"story": "/stories/", "storyline": "/storylines/", "entity": "/entities/"}


class FollowError(ValueError):
    """A follow or mute that cannot be done; the message says why, to the reader."""


class TargetNotFound(FollowError):
    """The story, outlet, entity, storyline or hashtag named does not exist."""


@dataclass(frozen=True)
class FollowItem:
    """One follow or mute, with what the pages show of its target."""

    id: int
    mode: str
    kind: str
    target: str
    name: str
    url: str | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mode": self.mode,
            "kind": self.kind,
            "target": self.target,
            "name": self.name,
            "url": self.url,
            "created_at": iso(self.created_at),
        }


def resolve_target(session: Session, mode: str, kind: str, target: str) -> tuple[str, str]:
    """``(target as stored, name shown)`` for what a reader asked to follow or mute.

    Raises :class:`FollowError` for a mode, kind or target that makes no sense, and
    :class:`TargetNotFound` for one that names nothing stored.
    """
    if mode not in MODES:
        raise FollowError(f"Choose to follow or to mute, not {mode!r}.")
    if kind not in KINDS:
        raise FollowError(
            f"One can follow an outlet, a story, a storyline, an entity or a "
            f"hashtag, and mute those or a word; not a {kind!r}."
        )
    if "\x00" in target:  # no name holds one, and PostgreSQL refuses it in text
        raise FollowError("That name holds a character no name has (U+0000).")
    if kind == "word":
        if mode != "mute":
            raise FollowError("Words can be muted, not followed: follow a hashtag instead.")
        word = " ".join(target.split()).casefold()
        if not 1 <= len(word) <= MAX_WORD:
            raise FollowError(f"Mute a word or phrase of 1 to {MAX_WORD} characters.")
        return word, f"“{word}”"
    if kind == "outlet":
        return _outlet(session, target)
    if kind == "hashtag":
        return _hashtag(session, target)
    return _row(session, kind, target)


def _outlet(session: Session, target: str) -> tuple[str, str]:
    name = target.strip()
    for slug in dict.fromkeys((name.lower(), slugify(name))):
        found = session.execute(select(Outlet.name).where(Outlet.slug == slug)).scalar()
        if found is not None:
            return slug, found
    raise TargetNotFound(f"No outlet is called {name!r} here.")


def _hashtag(session: Session, target: str) -> tuple[str, str]:
    key = hashtag_key(target.strip().lstrip("#"))
    found = session.execute(select(Hashtag.tag).where(Hashtag.key == key)).scalar() if key else None
    if found is None:
        raise TargetNotFound(f"No article carries the hashtag {target.strip()!r} yet.")
    return key, found


def _row(session: Session, kind: str, target: str) -> tuple[str, str]:
    row_id = _as_id(target)
    if row_id is None:
        raise FollowError(f"A {kind} is named by its number, not {target!r}.")
    model = _MERGEABLE[kind]
    found = session.execute(
        select(model.id, model.merged_into_id, _NAMES[kind]).where(model.id == row_id)
    ).first()
    seen: set[int] = set()
    while found is not None and found[1] is not None and found[0] not in seen:
        seen.add(found[0])
        found = session.execute(
            select(model.id, model.merged_into_id, _NAMES[kind]).where(model.id == found[1])
        ).first()
    if found is None:
        raise TargetNotFound(f"There is no {kind} number {row_id}.")
    return str(found[0]), found[2]


def _as_id(target: str | int) -> int | None:
    try:
        number = int(str(target).strip())
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


def follow(
    session: Session, user_id: int, kind: str, target: str, now: datetime, *, mode: str = "follow"
) -> FollowItem:
    """Follow (or, with ``mode="mute"``, mute) a target; doing it twice is doing it once.

    The opposite mode's row for the same target goes: following unmutes, muting
    unfollows. Raises :class:`FollowError` past :data:`MAX_FOLLOWS`.
    """
    stored, name = resolve_target(session, mode, kind, target)
    session.execute(
        delete(Follow).where(
            Follow.user_id == user_id,
            Follow.kind == kind,
            Follow.target.in_(_lookup_forms(session, kind, stored)),
            Follow.mode != mode,
        )
    )
    existing = _find(session, user_id, mode, kind, stored)
    if existing is None:
        count = session.execute(
            select(func.count()).select_from(Follow).where(Follow.user_id == user_id)
        ).scalar_one()
        if count >= MAX_FOLLOWS:
            raise FollowError(
                f"You follow and mute {MAX_FOLLOWS} things, the most one account may: "
                "unfollow or unmute something first."
            )
        values = {"user_id": user_id, "mode": mode, "kind": kind, "target": stored}
        insert_ignore(session, Follow, {**values, "created_at": now}, list(values))
        existing = _find(session, user_id, mode, kind, stored)
        assert existing is not None
    return FollowItem(
        existing.id, mode, kind, stored, name, _url(kind, stored), existing.created_at
    )


def mute(session: Session, user_id: int, kind: str, target: str, now: datetime) -> FollowItem:
    return follow(session, user_id, kind, target, now, mode="mute")


def _find(session: Session, user_id: int, mode: str, kind: str, target: str) -> Follow | None:
    return session.execute(
        select(Follow).where(
            Follow.user_id == user_id,
            Follow.mode == mode,
            Follow.kind == kind,
            Follow.target == target,
        )
    ).scalar_one_or_none()


def unfollow(
    session: Session, user_id: int, kind: str, target: str, *, mode: str = "follow"
) -> bool:
    """Stop following (or muting) a target, and anything merged into it; returns whether
    there was something to stop. Works for targets deleted since."""
    if kind not in KINDS or mode not in MODES:
        return False
    targets = set(_lookup_forms(session, kind, target))
    if not targets:
        return False
    result = session.execute(
        delete(Follow).where(
            Follow.user_id == user_id,
            Follow.mode == mode,
            Follow.kind == kind,
            Follow.target.in_(targets),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def unmute(session: Session, user_id: int, kind: str, target: str) -> bool:
    return unfollow(session, user_id, kind, target, mode="mute")


def remove_follow(session: Session, user_id: int, follow_id: int) -> bool:
    """Delete follow ``follow_id`` if it is this reader's; returns whether it was."""
    result = session.execute(
        delete(Follow).where(Follow.id == follow_id, Follow.user_id == user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _lookup_forms(session: Session, kind: str, target: str) -> list[str]:
    """Every stored form a target may have: itself normalised, and for a mergeable kind
    the ids merged into it."""
    if kind == "word":
        return [" ".join(target.split()).casefold()]
    if kind == "outlet":
        return list(dict.fromkeys((target.strip().lower(), slugify(target))))
    if kind == "hashtag":
        return [hashtag_key(target.strip().lstrip("#"))]
    row_id = _as_id(target)
    if row_id is None:
        return []
    return sorted({str(row_id)} | {str(i) for i in _merged_into(session, kind, [row_id])[row_id]})


def _merged_into(session: Session, kind: str, ids: Collection[int]) -> dict[int, set[int]]:
    """For each id, the ids of the rows merged into it (one level: merges repoint)."""
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    model = _MERGEABLE[kind]
    for row_id, merged_into in session.execute(
        select(model.id, model.merged_into_id).where(model.merged_into_id.in_(list(ids)))
    ):
        found[merged_into].add(row_id)
    return found


def list_follows(session: Session, user_id: int, mode: str | None = None) -> list[FollowItem]:
    """The reader's follows and mutes, newest first, named: one query per kind."""
    query = select(Follow).where(Follow.user_id == user_id)
    if mode is not None:
        query = query.where(Follow.mode == mode)
    rows = list(session.execute(query.order_by(Follow.id.desc())).scalars())
    by_kind: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_kind[row.kind].add(row.target)
    names = {kind: _names(session, kind, targets) for kind, targets in by_kind.items()}
    return [
        FollowItem(
            row.id,
            row.mode,
            row.kind,
            row.target,
            names[row.kind].get(row.target, row.target),
            _url(row.kind, row.target),
            row.created_at,
        )
        for row in rows
    ]


def _names(session: Session, kind: str, targets: set[str]) -> dict[str, str]:
    if kind == "word":
        return {t: f"“{t}”" for t in targets}
    if kind == "outlet":
        query = select(Outlet.slug, Outlet.name).where(Outlet.slug.in_(targets))
    elif kind == "hashtag":
        query = select(Hashtag.key, Hashtag.tag).where(Hashtag.key.in_(targets))
    else:
        ids = [i for i in (_as_id(t) for t in targets) if i is not None]
        model = _MERGEABLE[kind]
        query = select(model.id, _NAMES[kind]).where(model.id.in_(ids))
    return {str(key): name for key, name in session.execute(query)}


def _url(kind: str, target: str) -> str | None:
    if kind == "outlet":
        return f"/outlets/{target}"
    if kind == "hashtag":
        return f"/tags/{target}"
    if kind in _PAGES:
        return _PAGES[kind] + target
    return None


def is_following(
    session: Session, user_id: int, kind: str, target: str, *, mode: str = "follow"
) -> bool:
    """Whether the reader follows (or mutes) ``target`` or something merged into it."""
    return follow_modes(session, user_id, [(kind, target)]).get((kind, str(target))) == mode


def follow_modes(
    session: Session, user_id: int, items: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """For a page's buttons at once: ``(kind, target) -> "follow" | "mute"`` for the
    items the reader follows or mutes, directly or through something merged into them.
    One query per mergeable kind asked about, and one for the follows."""
    wanted = {(kind, str(target)) for kind, target in items if kind in KINDS}
    forms: dict[tuple[str, str], tuple[str, str]] = {}
    for kind, target in wanted:
        if kind not in _MERGEABLE:
            forms.update(
                {(kind, form): (kind, target) for form in _lookup_forms(session, kind, target)}
            )
    for kind in _MERGEABLE:
        ids = {i: t for k, t in wanted if k == kind and (i := _as_id(t)) is not None}
        for row_id, merged in _merged_into(session, kind, list(ids)).items():
            forms.update({(kind, str(m)): (kind, ids[row_id]) for m in merged})
        forms.update({(kind, str(i)): (kind, t) for i, t in ids.items()})
    if not forms:
        return {}
    rows = session.execute(
        select(Follow.kind, Follow.target, Follow.mode).where(
            Follow.user_id == user_id,
            or_(*(and_(Follow.kind == k, Follow.target == t) for k, t in forms)),
        )
    )
    return {forms[(kind, target)]: mode for kind, target, mode in rows}


# --- Reading marks ------------------------------------------------------------------------


def _existing_articles(session: Session, article_ids: Iterable[int]) -> list[int]:
    wanted = sorted({i for i in article_ids if 0 < i <= MAX_ID})
    if not wanted:
        return []
    return list(session.execute(select(Article.id).where(Article.id.in_(wanted))).scalars())


def _at(moment: datetime) -> Any:
    """A moment as a bound value of the marks' timestamp type (stored as naive UTC)."""
    return literal(moment, ReadingMark.__table__.c.read_at.type)


def _set_marks(
    session: Session, user_id: int, article_ids: Iterable[int], now: datetime, **values: Any
) -> list[int]:
    """Set columns of the reader's marks of the existing ``article_ids`` (a row is made
    when missing); a row left with neither mark is deleted. Returns the ids marked."""
    found = _existing_articles(session, article_ids)
    for article_id in found:
        insert_ignore(
            session,
            ReadingMark,
            {"user_id": user_id, "article_id": article_id, "updated_at": now},
            ["user_id", "article_id"],
        )
    if found:
        session.execute(
            update(ReadingMark)
            .where(ReadingMark.user_id == user_id, ReadingMark.article_id.in_(found))
            .values(updated_at=now, **values)
        )
        session.execute(
            delete(ReadingMark).where(
                ReadingMark.user_id == user_id,
                ReadingMark.article_id.in_(found),
                ReadingMark.read_at.is_(None),
                ReadingMark.saved_at.is_(None),
            )
        )
    return found


def mark_read(
    session: Session, user_id: int, article_ids: Iterable[int], now: datetime
) -> list[int]:
    """Mark articles read (the first reading's moment is kept); returns the ids that
    exist."""
    return _set_marks(
        session, user_id, article_ids, now, read_at=func.coalesce(ReadingMark.read_at, _at(now))
    )


def mark_unread(
    session: Session, user_id: int, article_ids: Iterable[int], now: datetime
) -> list[int]:
    return _set_marks(session, user_id, article_ids, now, read_at=None)


def save(session: Session, user_id: int, article_id: int, now: datetime) -> bool:
    """Save an article for later (saving it again keeps its place); False when there is
    no such article."""
    return bool(
        _set_marks(
            session,
            user_id,
            [article_id],
            now,
            saved_at=func.coalesce(ReadingMark.saved_at, _at(now)),
        )
    )


def unsave(session: Session, user_id: int, article_id: int, now: datetime) -> bool:
    return bool(_set_marks(session, user_id, [article_id], now, saved_at=None))


def reading_state(session: Session, user_id: int, article_id: int) -> dict[str, Any]:
    """``{"article_id", "read", "saved"}`` of one article for the reader."""
    mark = session.get(ReadingMark, (user_id, article_id))
    return {
        "article_id": article_id,
        "read": mark is not None and mark.read_at is not None,
        "saved": mark is not None and mark.saved_at is not None,
    }


def read_ids(session: Session, user_id: int, article_ids: Iterable[int]) -> set[int]:
    """Which of ``article_ids`` the reader has read: for marking list pages."""
    wanted = sorted(set(article_ids))
    if not wanted:
        return set()
    return set(
        session.execute(
            select(ReadingMark.article_id).where(
                ReadingMark.user_id == user_id,
                ReadingMark.article_id.in_(wanted),
                ReadingMark.read_at.is_not(None),
            )
        ).scalars()
    )


def saved_articles(
    session: Session, user_id: int, *, limit: int = 50, before: ListCursor | None = None
) -> tuple[list[dict[str, Any]], ListCursor | None]:
    """The reader's saved articles, newest saved first, as article summaries with
    ``saved_at`` and ``read``; and the cursor of the next page, if any. The cursor is a
    (saved_at, article id) pair, shaped like the article list's."""
    query = select(ReadingMark.article_id, ReadingMark.saved_at, ReadingMark.read_at).where(
        ReadingMark.user_id == user_id, ReadingMark.saved_at.is_not(None)
    )
    if before is not None:
        query = query.where(
            or_(
                ReadingMark.saved_at < before.listed_at,
                and_(
                    ReadingMark.saved_at == before.listed_at,
                    ReadingMark.article_id < before.article_id,
                ),
            )
        )
    rows = session.execute(
        query.order_by(ReadingMark.saved_at.desc(), ReadingMark.article_id.desc()).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    records = {r.id: r for r in read_articles_by_ids(session, [row.article_id for row in rows])}
    out = [
        {
            **article_summary(records[row.article_id]),
            "saved_at": iso(row.saved_at),
            "read": row.read_at is not None,
        }
        for row in rows
        if row.article_id in records
    ]
    cursor = ListCursor(rows[-1].saved_at, rows[-1].article_id) if more else None
    return out, cursor
