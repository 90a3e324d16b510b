"""The email digest: what changed, once a day or once a week, in the stories a reader follows.

A reader sets ``preferences["digest"]`` to ``off`` (the default), ``daily`` or
``weekly``. Periods are UTC days (``2026-11-26``) and ISO weeks (``2026-W48``, starting
on Monday); a reader's digest goes out at the first run of the period, soon after it
starts.

A digest covers the stories the reader follows, and the stories of the storylines the
reader follows (merged ones followed to where they went), that changed between ``since``
and the run's moment: the story took in articles (``updated_at``) or something notable
happened to it (a :class:`StoryDevelopment`). ``since`` is the reader's last digest,
sent or found empty, but never further back than the start of the previous period: a
reader who turns the digest on hears about the last full period and the current one so
far, and a worker that was down for a month does not send a month.

:func:`send_due_digests` sends each reader's digest once per period, however many
workers run it and however often:

1. one query lists the readers who want a digest, are not suspended or banned, and have
   none done for the period;
2. each reader's ``(user, period)`` row of ``digest_deliveries`` is claimed: the row is
   inserted if missing, then a conditional UPDATE takes a 10-minute lease on it when it
   is not done and no lease is in force; only the worker whose UPDATE changed the row
   goes on;
3. the digest is composed; with nothing to report the period is marked done, no mail;
4. it is sent, and only then is ``sent_at`` written.

A worker that dies between 2 and 4, or a send that fails because of the mail server,
leaves a lease that runs out; a later run claims the row again and sends. One window is
left, and it cannot be closed, as mail and the database share no transaction: a worker
that dies after the mail server accepted the message but before ``sent_at`` is written
leaves the period open, and that reader gets the digest a second time.

A reader whose address cannot take mail (malformed, refused by the server) is skipped
and the others go on. Their period is marked done with ``stories`` = :data:`REFUSED`
and a warning is logged: an operator can find it, and it is not tried again every few
minutes until the period ends. Their next digest reaches back to the last one delivered
(no further than the previous period, as always).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jinja2 import Environment, StrictUndefined
from sqlalchemy import Select, and_, case, exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, aliased

from storyline.readers.mail import Mailer, MailError, RecipientRefused
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.articles import insert_ignore
from storyline.store.schema import (
    DigestDelivery,
    Follow,
    Story,
    StoryDevelopment,
    Storyline,
    User,
)

KINDS = ("daily", "weekly")
PERIOD_LENGTH = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
MAX_STORIES = 20
MAX_DEVELOPMENTS = 5  # per story, the latest
LEASE = timedelta(minutes=10)
# ``digest_deliveries.stories`` of a period whose mail the reader's address could not
# take: done (not tried again), but no digest that a later one should count from.
REFUSED = -1

log = logging.getLogger(__name__)

_HTML = Environment(autoescape=True, undefined=StrictUndefined)


@dataclass(frozen=True)
class DigestStory:
    id: int
    title: str
    outlets: int
    articles: int
    url: str
    developments: tuple[str, ...]


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    html: str
    stories: tuple[DigestStory, ...]


def digest_kind(user: User) -> str:
    """``daily``, ``weekly`` or ``off``: what the reader asked for."""
    kind = (user.preferences or {}).get("digest")
    return kind if kind in KINDS else "off"


def period_of(now: datetime, kind: str) -> str:
    """The period ``now`` falls in: ``YYYY-MM-DD`` (daily) or ``YYYY-Www`` (weekly), UTC."""
    moment = now.astimezone(UTC)
    if kind == "daily":
        return moment.strftime("%Y-%m-%d")
    if kind == "weekly":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    raise ValueError(f"no digest period for {kind!r}: one of {', '.join(KINDS)}")


def period_start(now: datetime, kind: str) -> datetime:
    """When the period ``now`` falls in began (midnight UTC; Monday for a week)."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "weekly":
        return midnight - timedelta(days=midnight.weekday())
    if kind == "daily":
        return midnight
    raise ValueError(f"no digest period for {kind!r}: one of {', '.join(KINDS)}")


# --- Composing ---------------------------------------------------------------------------


def compose_digest(
    session: Session,
    user: User,
    since: datetime,
    settings: Settings,
    *,
    until: datetime | None = None,
) -> Digest | None:
    """The digest of what changed after ``since`` (up to ``until``, when given) in the
    stories ``user`` follows, newest first, at most :data:`MAX_STORIES`; None when
    nothing did."""
    story_ids, storyline_ids = _followed(session, user.id)
    if not story_ids and not storyline_ids:
        return None
    rows = _changed_stories(session, story_ids, storyline_ids, since, until)
    if not rows:
        return None
    developments = _developments(session, [row.id for row in rows], since, until)
    site = settings.public_url
    stories = tuple(
        DigestStory(
            id=row.id,
            title=row.title,
            outlets=row.outlet_count,
            articles=row.article_count,
            url=f"{site}/stories/{row.id}",
            developments=tuple(developments.get(row.id, [])),
        )
        for row in rows
    )
    return _render(user, digest_kind(user), since, stories, site)


def _followed(session: Session, user_id: int) -> tuple[set[int], set[int]]:
    """The live ids of the stories and storylines ``user_id`` follows."""
    rows = session.execute(
        select(Follow.kind, Follow.target).where(
            Follow.user_id == user_id,
            Follow.mode == "follow",
            Follow.kind.in_(("story", "storyline")),
        )
    ).all()
    wanted: dict[str, set[int]] = {"story": set(), "storyline": set()}
    for kind, target in rows:
        if target.isdigit():
            wanted[kind].add(int(target))
    return _live(session, Story, wanted["story"]), _live(session, Storyline, wanted["storyline"])


def _live(session: Session, model: Any, ids: set[int]) -> set[int]:
    """``ids`` with merged rows replaced by their survivors (kept one level deep by the
    merges); ids that no longer exist are dropped."""
    if not ids:
        return set()
    query = select(func.coalesce(model.merged_into_id, model.id)).where(model.id.in_(ids))
    return set(session.execute(query).scalars())


def _changed_stories(
    session: Session,
    story_ids: set[int],
    storyline_ids: set[int],
    since: datetime,
    until: datetime | None,
) -> list[Story]:
    merged = aliased(Story)
    developed = (
        select(func.coalesce(merged.merged_into_id, merged.id))
        .join(StoryDevelopment, StoryDevelopment.story_id == merged.id)
        .where(_within(StoryDevelopment.created_at, since, until))
    )
    query = (
        select(Story)
        .where(Story.merged_into_id.is_(None))
        .where(or_(Story.id.in_(story_ids), Story.storyline_id.in_(storyline_ids)))
        .where(or_(_within(Story.updated_at, since, until), Story.id.in_(developed)))
        .order_by(Story.last_at.desc(), Story.id.desc())
        .limit(MAX_STORIES)
    )
    return list(session.execute(query).scalars())


def _developments(
    session: Session, story_ids: list[int], since: datetime, until: datetime | None
) -> dict[int, list[str]]:
    """Story id -> the texts of its latest developments in the window, oldest first
    (those of stories merged into it included)."""
    live = func.coalesce(Story.merged_into_id, Story.id)
    rows = session.execute(
        select(live, StoryDevelopment.text)
        .join(Story, Story.id == StoryDevelopment.story_id)
        .where(live.in_(story_ids))
        .where(_within(StoryDevelopment.created_at, since, until))
        .order_by(StoryDevelopment.created_at, StoryDevelopment.id)
    ).all()
    found: dict[int, list[str]] = {}
    for story_id, text in rows:
        found.setdefault(story_id, []).append(text)
    return {story_id: texts[-MAX_DEVELOPMENTS:] for story_id, texts in found.items()}


def _within(column: Any, since: datetime, until: datetime | None) -> Any:
    if until is None:
        return column > since
    return and_(column > since, column <= until)


_DIGEST_HTML = _HTML.from_string(
    """<!doctype html>
<html lang="en"><body>
<p>Hello {{ name }},</p>
<p>What changed since {{ when }} in the stories you follow:</p>
<ol>
{%- for story, size in stories %}
<li><p><a href="{{ story.url }}">{{ story.title }}</a><br>{{ size }}</p>
{%- if story.developments %}
<ul>{% for text in story.developments %}<li>{{ text }}</li>{% endfor %}</ul>
{%- endif %}</li>
{%- endfor %}
</ol>
<p>You get this mail because you asked for a {{ label }}digest of the stories you follow.
<a href="{{ settings_url }}">Change it or stop it</a>.</p>
</body></html>
"""
)


def _render(
    user: User, kind: str, since: datetime, stories: tuple[DigestStory, ...], site: str
) -> Digest:
    label = f"{kind} " if kind in KINDS else ""
    count = _counted(len(stories), "story", "stories")
    subject = f"Your {label}Storyline digest: {count} with news"
    moment = since.astimezone(UTC)
    when = f"{moment.day} {moment:%B %Y, %H:%M} UTC"
    settings_url = f"{site}/account#preferences"
    lines = [
        f"Hello {user.name},",
        "",
        f"What changed since {when} in the stories you follow:",
    ]
    for number, story in enumerate(stories, 1):
        lines += ["", f"{number}. {story.title}", f"   {_size(story)}"]
        lines += [f"   - {text}" for text in story.developments]
        lines.append(f"   {story.url}")
    lines += [
        "",
        f"You get this mail because you asked for a {label}digest of the stories you follow.",
        f"To change it or stop it: {settings_url}",
        "",
    ]
    html = _DIGEST_HTML.render(
        name=user.name,
        when=when,
        stories=[(story, _size(story)) for story in stories],
        label=label,
        settings_url=settings_url,
    )
    return Digest(subject=subject, text="\n".join(lines), html=html, stories=stories)


def _size(story: DigestStory) -> str:
    outlets = _counted(story.outlets, "outlet", "outlets")
    return f"{outlets}, {_counted(story.articles, 'article', 'articles')}"


def _counted(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


# --- Sending -----------------------------------------------------------------------------


def send_due_digests(database: Database, settings: Settings, now: datetime, mailer: Mailer) -> int:
    """Send every digest due at ``now`` that no other worker has claimed; returns how
    many mails went out. Stops at the first failure of the mail server itself (the
    others wait for the next run); an address that cannot take mail only skips its
    reader, whose period is marked done as :data:`REFUSED`."""
    sent = 0
    for user in due_readers(database, now):
        period = period_of(now, digest_kind(user))
        if not _claim(database, user.id, period, now):
            continue
        try:
            stories = _send(database, settings, mailer, user, now)
        except RecipientRefused as error:
            # Retrying would be refused again: the period is done, and the log says why.
            log.warning(
                "digest %s for user %s not sent, period skipped: %s", period, user.id, error
            )
            _mark_done(database, user.id, period, now, REFUSED)
            continue
        except MailError as error:
            log.warning("digests stopped at user %s: %s", user.id, error)
            break
        _mark_done(database, user.id, period, now, stories)
        sent += stories > 0
    return sent


def _send(database: Database, settings: Settings, mailer: Mailer, user: User, now: datetime) -> int:
    """Compose and send ``user``'s digest; returns how many stories it had (0: nothing
    to report, and nothing sent)."""
    with database.read() as session:
        since = _since(session, user.id, digest_kind(user), now)
        digest = compose_digest(session, user, since, settings, until=now)
    if digest is None:
        return 0
    mailer.send(user.email, digest.subject, digest.text, digest.html)
    return len(digest.stories)


def due_readers(database: Database, now: datetime) -> list[User]:
    """Readers who want a digest and have none done for the period ``now`` falls in,
    suspended and banned readers left out, in id order."""
    with database.read() as session:
        return list(session.execute(_due(now).order_by(User.id)).scalars())


def has_due_digests(session: Session, now: datetime) -> bool:
    """Whether some reader's digest is not done for the period: a cheap look first."""
    return session.execute(_due(now).limit(1)).first() is not None


def _due(now: datetime) -> Select[User]:
    """Readers who want a digest, have none done for the period, and may get one.

    Sanctions are left out here, not after the query: :func:`has_due_digests` asks the
    same question, and a banned reader counted as due would queue the job every few
    minutes forever."""
    kind = User.preferences["digest"].as_string()
    period = case((kind == "daily", period_of(now, "daily")), else_=period_of(now, "weekly"))
    done = exists().where(
        DigestDelivery.user_id == User.id,
        DigestDelivery.period == period,
        DigestDelivery.sent_at.is_not(None),
    )
    # The negation of :func:`storyline.readers.accounts.is_suspended`, in SQL.
    sanctioned = or_(
        User.status == "banned",
        and_(
            User.status == "suspended",
            or_(User.suspended_until.is_(None), User.suspended_until > now),
        ),
    )
    return select(User).where(kind.in_(KINDS)).where(~done).where(~sanctioned)


def _claim(database: Database, user_id: int, period: str, now: datetime) -> bool:
    """Take the lease on this reader's digest for ``period``; False when it is done or
    another worker holds it."""
    with database.write() as session:
        insert_ignore(
            session,
            DigestDelivery,
            {"user_id": user_id, "period": period, "stories": 0},
            ["user_id", "period"],
        )
        claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(DigestDelivery)
            .where(
                DigestDelivery.user_id == user_id,
                DigestDelivery.period == period,
                DigestDelivery.sent_at.is_(None),
                or_(DigestDelivery.lease_until.is_(None), DigestDelivery.lease_until < now),
            )
            .values(lease_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        return claimed.rowcount == 1


def _since(session: Session, user_id: int, kind: str, now: datetime) -> datetime:
    """The reader's last digest (sent, or found empty; not one their address refused),
    but not before the previous period began."""
    floor = period_start(now, kind) - PERIOD_LENGTH[kind]
    last = session.execute(
        select(func.max(DigestDelivery.sent_at)).where(
            DigestDelivery.user_id == user_id, DigestDelivery.stories != REFUSED
        )
    ).scalar_one()
    return floor if last is None else max(floor, last)


def _mark_done(database: Database, user_id: int, period: str, now: datetime, stories: int) -> None:
    with database.write() as session:
        session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.user_id == user_id, DigestDelivery.period == period)
            .values(sent_at=now, lease_until=None, stories=stories)
            .execution_options(synchronize_session=False)
        )
