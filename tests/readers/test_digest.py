"""The email digest on SQLite and PostgreSQL, mailed to a real SMTP server: what it holds,
its periods, and that each reader gets it once per period, however many workers send and
whatever dies on the way."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from huey import MemoryHuey
from sqlalchemy import select

from storyline.crawl import Crawler
from storyline.readers.accounts import create_user
from storyline.readers.digest import (
    MAX_STORIES,
    REFUSED,
    compose_digest,
    due_readers,
    has_due_digests,
    period_of,
    period_start,
    send_due_digests,
)
from storyline.readers.mail import Mailer
from storyline.settings import Settings, load_settings
from storyline.store import Database
from storyline.store.schema import DigestDelivery, Follow, StoryDevelopment, User
from storyline.store.stories import merge_story, save_story, save_storyline
from storyline.worker import Background
from storyline.worker.tasks import register_jobs
from tests.conftest import QUICK_HASH
from tests.support.smtp_server import SmtpServer, free_port

NOW = datetime(2026, 11, 26, 6, 30, tzinfo=UTC)  # a Thursday
LONG_AGO = NOW - timedelta(days=30)
YESTERDAY = NOW - timedelta(days=1)


def _settings(tmp_path: Path, smtp_url: str) -> Settings:
    return load_settings(
        environ={
            "STORYLINE_HOME": str(tmp_path / "home"),
            "STORYLINE_SMTP_URL": smtp_url,
            "STORYLINE_MAIL_FROM": "digest@larkfield.example",
            "STORYLINE_BASE_URL": "https://news.larkfield.example/",
            "STORYLINE_DEFAULT_OPML": "none",
        }
    )


def _reader(
    database: Database,
    name: str,
    digest: str = "daily",
    status: str = "active",
    *,
    email: str | None = None,
    suspended_until: datetime | None = None,
) -> User:
    with database.write() as session:
        user = create_user(
            session,
            email=email or f"{name.lower()}@larkfield.example",
            name=name,
            password="a long enough password",
            now=LONG_AGO,
            settings=QUICK_HASH,
        )
        user.preferences = {"digest": digest, "replies": True}
        user.status = status
        user.suspended_until = suspended_until
        return user


def _storyline(database: Database, title: str) -> int:
    with database.write() as session:
        return save_storyline(
            session,
            None,
            title=title,
            first_at=LONG_AGO,
            last_at=LONG_AGO,
            story_count=0,
            state=b"{}",
            created_at=LONG_AGO,
            updated_at=LONG_AGO,
        )


def _story(
    database: Database,
    title: str,
    changed: datetime,
    *,
    storyline: int | None = None,
    last_at: datetime | None = None,
    outlets: int = 2,
    articles: int = 3,
) -> int:
    with database.write() as session:
        return save_story(
            session,
            None,
            storyline_id=storyline,
            title=title,
            first_at=LONG_AGO,
            last_at=last_at or changed,
            article_count=articles,
            outlet_count=outlets,
            state=b"{}",
            created_at=LONG_AGO,
            updated_at=changed,
        )


def _follow(database: Database, user: User, kind: str, target: int) -> None:
    with database.write() as session:
        session.add(
            Follow(user_id=user.id, mode="follow", kind=kind, target=str(target), created_at=NOW)
        )


def _development(database: Database, story: int, text: str, at: datetime) -> None:
    with database.write() as session:
        session.add(
            StoryDevelopment(
                key=f"test:{story}:{text}",
                kind="new_outlet",
                story_id=story,
                text=text,
                created_at=at,
            )
        )


def _deliveries(database: Database) -> dict[tuple[int, str], DigestDelivery]:
    with database.read() as session:
        rows = session.execute(select(DigestDelivery)).scalars()
        return {(row.user_id, row.period): row for row in rows}


# --- Periods -----------------------------------------------------------------------------


def test_periods_are_utc_days_and_iso_weeks() -> None:
    assert period_of(NOW, "daily") == "2026-11-26"
    assert period_of(NOW, "weekly") == "2026-W48"
    evening_west = datetime(2026, 11, 26, 21, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert period_of(evening_west, "daily") == "2026-11-27"  # already Friday in UTC
    new_year = datetime(2027, 1, 1, 12, tzinfo=UTC)  # ISO week 53 of 2026
    assert period_of(new_year, "weekly") == "2026-W53"
    assert period_start(NOW, "daily") == datetime(2026, 11, 26, tzinfo=UTC)
    assert period_start(NOW, "weekly") == datetime(2026, 11, 23, tzinfo=UTC)  # Monday
    assert period_start(new_year, "weekly") == datetime(2026, 12, 28, tzinfo=UTC)
    with pytest.raises(ValueError, match="daily, weekly"):
        period_of(NOW, "hourly")


# --- Composing ---------------------------------------------------------------------------


def test_a_digest_holds_the_followed_stories_that_changed(
    database: Database, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, "")
    reader = _reader(database, "Wren")
    ferry = _story(database, "Ferry <b>strike</b> & talks", NOW - timedelta(hours=2), outlets=4)
    quiet = _story(database, "Lighthouse repainted", LONG_AGO)
    developed = _story(database, "Harbour dredging", LONG_AGO, last_at=NOW - timedelta(hours=9))
    line = _storyline(database, "Larkfield council budget")
    in_line = _story(database, "Budget vote delayed", NOW - timedelta(hours=5), storyline=line)
    _story(database, "Old budget hearing", LONG_AGO, storyline=line)
    survivor = _story(database, "Bridge closure", NOW - timedelta(hours=1))
    merged = _story(database, "Bridge closed for repairs", LONG_AGO)
    _story(database, "Not followed: fair opens", NOW - timedelta(hours=1))
    with database.write() as session:
        merge_story(session, merged, survivor, LONG_AGO)
    for story in (ferry, quiet, developed, merged):
        _follow(database, reader, "story", story)
    _follow(database, reader, "storyline", line)
    _development(database, developed, "Saltmarsh Gazette now covers it", NOW - timedelta(hours=3))
    _development(database, developed, "An old development", LONG_AGO)
    _development(database, merged, "Quay Radio now covers it", NOW - timedelta(minutes=50))
    with database.read() as session:
        digest = compose_digest(session, reader, YESTERDAY, settings, until=NOW)
    assert digest is not None
    assert [story.id for story in digest.stories] == [survivor, ferry, in_line, developed]
    first, second, _, fourth = digest.stories
    assert first.developments == ("Quay Radio now covers it",)
    assert fourth.developments == ("Saltmarsh Gazette now covers it",)
    assert second.url == f"https://news.larkfield.example/stories/{ferry}"
    assert (second.outlets, second.articles) == (4, 3)
    assert digest.subject == "Your daily Storyline digest: 4 stories with news"
    assert "Hello Wren," in digest.text
    assert "since 25 November 2026, 06:30 UTC" in digest.text
    assert "Ferry <b>strike</b> & talks" in digest.text and "4 outlets, 3 articles" in digest.text
    assert "Lighthouse" not in digest.text and "fair opens" not in digest.text
    assert "Old budget hearing" not in digest.text
    assert "https://news.larkfield.example/account#preferences" in digest.text
    assert "Ferry &lt;b&gt;strike&lt;/b&gt; &amp; talks" in digest.html
    assert "<b>strike</b>" not in digest.html
    assert f'href="https://news.larkfield.example/stories/{ferry}"' in digest.html
    assert 'href="https://news.larkfield.example/account#preferences"' in digest.html
    assert "<li>Saltmarsh Gazette now covers it</li>" in digest.html


def test_nothing_changed_or_nothing_followed_is_no_digest(
    database: Database, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, "")
    follower, loner = _reader(database, "Finch"), _reader(database, "Plover")
    story = _story(database, "Lighthouse repainted", LONG_AGO)
    _follow(database, follower, "story", story)
    _story(database, "Fair opens", NOW - timedelta(hours=1))
    later = _story(database, "After the run", NOW + timedelta(minutes=5))
    _follow(database, follower, "story", later)  # changed after `until`: the next digest's
    with database.read() as session:
        assert compose_digest(session, follower, YESTERDAY, settings, until=NOW) is None
        assert compose_digest(session, loner, YESTERDAY, settings, until=NOW) is None


def test_a_digest_has_at_most_twenty_stories_the_newest(database: Database, tmp_path: Path) -> None:
    reader = _reader(database, "Heron", digest="weekly")
    line = _storyline(database, "Storm season")
    stories = [
        _story(database, f"Storm update {n}", NOW - timedelta(hours=n), storyline=line)
        for n in range(1, MAX_STORIES + 6)
    ]
    _follow(database, reader, "storyline", line)
    with database.read() as session:
        digest = compose_digest(session, reader, YESTERDAY, _settings(tmp_path, ""), until=NOW)
    assert digest is not None
    assert [story.id for story in digest.stories] == stories[:MAX_STORIES]
    assert digest.subject.startswith("Your weekly Storyline digest: 20 stories")


# --- Sending -----------------------------------------------------------------------------


def test_due_digests_go_once_to_readers_who_want_them(
    database: Database, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    settings = _settings(tmp_path, smtp_server.url)
    story = _story(database, "Ferry strike", NOW - timedelta(hours=2))
    daily, weekly = _reader(database, "Daily"), _reader(database, "Weekly", digest="weekly")
    off = _reader(database, "Never", digest="off")
    idle = _reader(database, "Idle")  # follows nothing that changed
    suspended = _reader(database, "Muted", status="suspended")
    banned = _reader(database, "Gone", status="banned")
    for user in (daily, weekly, off, suspended, banned):
        _follow(database, user, "story", story)
    _follow(database, idle, "story", _story(database, "Lighthouse repainted", LONG_AGO))
    mailer = Mailer(settings)
    assert send_due_digests(database, settings, NOW, mailer) == 2
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == [
        "daily@larkfield.example",
        "weekly@larkfield.example",
    ]
    assert {m["Subject"] for m in messages} == {
        "Your daily Storyline digest: 1 story with news",
        "Your weekly Storyline digest: 1 story with news",
    }
    rows = _deliveries(database)
    assert set(rows) == {
        (daily.id, "2026-11-26"),
        (weekly.id, "2026-W48"),
        (idle.id, "2026-11-26"),
    }
    assert rows[(idle.id, "2026-11-26")].sent_at == NOW  # done, with nothing to say
    assert rows[(idle.id, "2026-11-26")].stories == 0
    assert rows[(daily.id, "2026-11-26")].stories == 1
    assert send_due_digests(database, settings, NOW + timedelta(hours=3), mailer) == 0
    # The next day only what changed since the last digest is told, to the daily reader.
    _story(database, "Ferry strike ends", NOW + timedelta(hours=5))
    _follow(database, daily, "story", _story(database, "Ferry talks", NOW + timedelta(hours=6)))
    tomorrow = NOW + timedelta(days=1)
    assert send_due_digests(database, settings, tomorrow, mailer) == 1
    latest = smtp_server.wait_for(3)[-1]
    assert latest["To"] == "daily@larkfield.example"
    body = latest.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Ferry talks" in text and "Ferry strike\n" not in text
    assert "since 26 November 2026, 06:30 UTC" in text


def test_two_workers_at_once_send_each_digest_once(
    database: Database, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    settings = _settings(tmp_path, smtp_server.url)
    story = _story(database, "Ferry strike", NOW - timedelta(hours=2))
    readers = [_reader(database, f"Reader{n}") for n in range(6)]
    for reader in readers:
        _follow(database, reader, "story", story)
    start = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        start.wait()
        counts.append(send_due_digests(database, settings, NOW, Mailer(settings)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == len(readers)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(r.email for r in readers)


def test_a_claim_left_by_a_failed_send_is_taken_again_once_its_lease_runs_out(
    database: Database, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    settings = _settings(tmp_path, smtp_server.url)
    story = _story(database, "Ferry strike", NOW - timedelta(hours=2))
    reader = _reader(database, "Tern")
    _follow(database, reader, "story", story)
    down = _settings(tmp_path, f"smtp+plain://127.0.0.1:{free_port()}")  # nothing listens
    assert send_due_digests(database, down, NOW, Mailer(down)) == 0
    held = _deliveries(database)[(reader.id, "2026-11-26")]
    assert held.sent_at is None and held.lease_until == NOW + timedelta(minutes=10)
    mailer = Mailer(settings)
    assert send_due_digests(database, settings, NOW + timedelta(minutes=5), mailer) == 0
    assert smtp_server.messages == []  # the lease still stands
    assert send_due_digests(database, settings, NOW + timedelta(minutes=11), mailer) == 1
    assert send_due_digests(database, settings, NOW + timedelta(minutes=30), mailer) == 0
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "tern@larkfield.example"


@pytest.mark.parametrize(
    "address",
    [
        "refused",  # the server says 550 at RCPT TO
        "<avocet>@larkfield.example",  # the email package cannot parse it (HeaderParseError)
        "avocet@larkfield@example.org",  # two @: likewise
        "jörg@larkfield.example",  # a non-ASCII local part, which it cannot write
    ],
)
def test_an_address_that_cannot_take_mail_does_not_hold_up_the_others(
    database: Database,
    tmp_path: Path,
    smtp_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
    address: str,
) -> None:
    """Accounts take such addresses (sign-up checks little more than an @ and a dot), so
    one of them must skip its reader, not stop or kill the job for everyone after it."""
    settings = _settings(tmp_path, smtp_server.url)
    story = _story(database, "Ferry strike", NOW - timedelta(hours=2))
    odd = _reader(database, "Avocet", email=None if address == "refused" else address)
    others = [_reader(database, "Bittern"), _reader(database, "Curlew", digest="weekly")]
    for reader in (odd, *others):
        _follow(database, reader, "story", story)
    if address == "refused":
        smtp_server.refused.add(odd.email)
    mailer = Mailer(settings)
    with caplog.at_level(logging.WARNING, logger="storyline.readers.digest"):
        assert send_due_digests(database, settings, NOW, mailer) == 2
    assert sorted(m["To"] for m in smtp_server.wait_for(2)) == [r.email for r in others]
    # Done for the period, marked so an operator can find it, and logged.
    refused = _deliveries(database)[(odd.id, "2026-11-26")]
    assert (refused.sent_at, refused.lease_until, refused.stories) == (NOW, None, REFUSED)
    assert f"digest 2026-11-26 for user {odd.id} not sent" in caplog.text
    # Not tried again every few minutes once its lease would have run out; nothing is due.
    caplog.clear()
    later = NOW + timedelta(minutes=15)
    with caplog.at_level(logging.WARNING, logger="storyline.readers.digest"):
        assert send_due_digests(database, settings, later, mailer) == 0
    assert caplog.text == ""
    with database.read() as session:
        assert not has_due_digests(session, later)
    # Once the address is mended, the next digest reaches back past the refused period.
    with database.write() as session:
        mended = session.get(User, odd.id)
        assert mended is not None
        mended.email = "avocet.mended@larkfield.example"
    smtp_server.refused.clear()
    assert send_due_digests(database, settings, NOW + timedelta(days=1), mailer) >= 1
    [late] = [m for m in smtp_server.wait_for(3) if m["To"] == "avocet.mended@larkfield.example"]
    body = late.get_body(("plain",))
    assert body is not None and "since 26 November 2026, 00:00 UTC" in body.get_content()
    assert "Ferry strike" in body.get_content()


def test_a_server_that_fails_stops_the_run_for_everyone(
    database: Database, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """Unlike an address, a server without STARTTLS behind ``smtp://`` would fail every
    send: the run stops at the first, and the others wait for the next run."""
    story = _story(database, "Ferry strike", NOW - timedelta(hours=2))
    readers = [_reader(database, "Dunlin"), _reader(database, "Eider")]
    for reader in readers:
        _follow(database, reader, "story", story)
    no_tls = _settings(tmp_path, f"smtp://127.0.0.1:{smtp_server.port}")
    assert send_due_digests(database, no_tls, NOW, Mailer(no_tls)) == 0
    assert smtp_server.messages == []
    rows = _deliveries(database)
    assert set(rows) == {(readers[0].id, "2026-11-26")}  # the second was never claimed
    assert rows[(readers[0].id, "2026-11-26")].sent_at is None


def test_suspended_and_banned_readers_are_never_due(
    database: Database, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """``has_due_digests`` decides whether the job is queued: a sanctioned reader counted
    as due, then skipped, would queue it every few minutes forever."""
    settings = _settings(tmp_path, smtp_server.url)
    story = _story(database, "Ferry strike", NOW - timedelta(hours=2))
    banned = _reader(database, "Gone", status="banned")
    open_ended = _reader(database, "Muted", status="suspended")
    for_a_week = _reader(
        database, "Paused", status="suspended", suspended_until=NOW + timedelta(days=7)
    )
    lapsed = _reader(database, "Back", status="suspended", suspended_until=NOW - timedelta(hours=1))
    for user in (banned, open_ended, for_a_week, lapsed):
        _follow(database, user, "story", story)
    assert [user.id for user in due_readers(database, NOW)] == [lapsed.id]
    assert send_due_digests(database, settings, NOW, Mailer(settings)) == 1
    assert [m["To"] for m in smtp_server.wait_for(1)] == [lapsed.email]
    with database.read() as session:
        assert not has_due_digests(session, NOW)
        assert not has_due_digests(session, NOW + timedelta(hours=1))
        # A suspension that runs out makes its reader due again.
        assert has_due_digests(session, NOW + timedelta(days=8))
    assert [u.id for u in due_readers(database, NOW + timedelta(days=8))] == [
        for_a_week.id,
        lapsed.id,
    ]


# --- Worker glue -------------------------------------------------------------------------


def test_the_worker_job_sends_due_digests_and_is_quiet_without_mail(
    database: Database, tmp_path: Path, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime.now(UTC)
    story = _story(database, "Ferry strike", now - timedelta(hours=2))
    _follow(database, _reader(database, "Gannet"), "story", story)
    without_mail = Crawler(_settings(tmp_path, ""), database)
    idle = register_jobs(MemoryHuey(immediate=True), lambda: without_mail)
    with caplog.at_level(logging.INFO, logger="storyline.worker.tasks"):
        assert idle.enqueue_digests()
        assert idle.enqueue_digests()
    assert caplog.text.count("digests are not sent: no mail server") == 1
    assert smtp_server.messages == []
    crawler = Crawler(_settings(tmp_path, smtp_server.url), database)
    jobs = register_jobs(MemoryHuey(immediate=True), lambda: crawler)
    assert jobs.enqueue_digests()
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["gannet@larkfield.example"]
    assert not jobs.enqueue_digests()  # done for the day: nothing is queued
    without_mail.close()
    crawler.close()


def test_the_ticker_looks_for_digests_once_every_few_minutes(
    database: Database, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    story = _story(database, "Ferry strike", now - timedelta(hours=2))
    _follow(database, _reader(database, "Shag"), "story", story)
    background = Background(_settings(tmp_path, ""), database, role="worker")
    try:
        background.tick()
        background.tick()
        queued = [task.name for task in background.jobs.queue.pending()]
        assert queued.count("send_digests") == 1
    finally:
        background.jobs.queue.flush()
        background.stop()
