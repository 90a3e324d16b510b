"""A reader's whole visit in headless Chromium, as issue #7 says it is done.

One served site, three browsers: a reader signs up, comments on the model page's Kursk
article and replies to herself, follows its story; a new outlet's article on the same
event arrives through the real importer and the worker's fan-out tells her so; a second
reader reports her comment, a moderator hides it from the queue and she is told why;
she asks for a daily digest and it arrives at a real SMTP server on 127.0.0.1, naming
the story. No date is faked: what the notifications and the digest go by is the moment
each step happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy import select

from storyline.analysis import analyze_backlog
from storyline.ingest import import_paths
from storyline.placement import place_backlog
from storyline.readers.accounts import create_user
from storyline.readers.digest import send_due_digests
from storyline.readers.mail import Mailer
from storyline.readers.notifications import fan_out_developments
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import Article, Outlet
from storyline.store.stories import stories_of_articles
from tests.conftest import FIXTURES
from tests.support.app_server import served_app
from tests.support.smtp_server import SmtpServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

EVENTS = FIXTURES / "stories" / "seed-events" / "articles.jsonl"
LATE_REPORT = FIXTURES / "readers" / "kursk-late-report.jsonl"
AS_OF = datetime(2025, 6, 8, 15, tzinfo=UTC)
PASSWORD = "quiet harbour lanterns"
DESKTOP: ViewportSize = {"width": 1000, "height": 900}
PHONE = 375


@dataclass(frozen=True)
class Site:
    url: str
    settings: Settings
    database: Database
    smtp: SmtpServer


@pytest.fixture
def site(
    settings: Settings, sqlite_database: Database, seed_page: Path, smtp_server: SmtpServer
) -> Iterator[Site]:
    # The served site and the digest job share one configuration, as a deployment's web
    # process and worker do; automatic pre-moderation keeps its default rules.
    mailing = replace(settings, smtp_url=smtp_server.url)
    _import(sqlite_database, mailing, [seed_page, EVENTS])
    # The worker fans out what placing the seed recorded before anyone signs up: with no
    # followers yet it tells nobody, and those developments are not news to later readers.
    with sqlite_database.write() as session:
        assert fan_out_developments(session, datetime.now(UTC)) == 0
    with served_app(mailing, sqlite_database) as url:
        # The digest's links lead to where the site is served, known once it is.
        yield Site(url, replace(mailing, base_url=url), sqlite_database, smtp_server)


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


def test_a_readers_visit_comments_follows_notifications_moderation_and_digest(
    site: Site, browser: Browser
) -> None:
    ada = browser.new_context(viewport=DESKTOP).new_page()
    _sign_up(ada, site.url, "Ada Pellworth", "ada@readers.example")
    comment_id, reply_id = _comment_and_reply(ada, site.url)
    story_id = _follow_the_story(ada, site.url)
    _fits_a_phone(ada, f"{site.url}/articles/1#comments")

    _a_new_outlet_reports(site, story_id)
    _told_of_the_development(ada, site.url, story_id)
    _fits_a_phone(ada, f"{site.url}/notifications")

    reason = "Please keep personal remarks out of the thread."
    _report(browser, site, comment_id)
    _hide_from_the_queue(browser, site, comment_id, reason)
    _hidden_from_others(browser, site.url, comment_id, reply_id)
    _told_of_the_moderation(ada, site.url, comment_id, reply_id, reason)

    _ask_for_a_daily_digest(ada, site.url)
    mail = _the_digest(site)
    _names_the_story(mail, site, story_id, ada)


# --- The steps ----------------------------------------------------------------------------


def _sign_up(page: Page, site: str, name: str, email: str) -> None:
    page.goto(f"{site}/signup")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(re.compile(r"/account\b"))
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name=name)).to_be_visible()
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()


def _comment_and_reply(page: Page, site: str) -> tuple[int, int]:
    """Ada's comment on the Kursk article and her reply to it; returns both ids."""
    page.goto(f"{site}/articles/1")
    expect(page.locator("h1")).to_contain_text("Kursk")
    page.get_by_label("Add a comment").fill(
        "The **supply road** detail matters more than the settlement count."
    )
    page.get_by_role("button", name="Post comment").click()
    first = page.locator(".comments > .comment-list > li.comment").first
    expect(first.locator(".comment__text strong")).to_have_text("supply road")
    comment_id = _id_of(first)
    expect(page).to_have_url(re.compile(rf"/articles/1#comment-{comment_id}$"))

    first.locator(":scope > .comment__actions > details > summary", has_text="Reply").click()
    reply_box = page.get_by_label("Reply to Ada Pellworth")
    expect(reply_box).to_be_visible()
    reply_box.fill("Adding to my own point: the convoys moved at night.")
    first.get_by_role("button", name="Post reply").click()

    replies = page.locator(f"#comment-{comment_id} > .comment-list--replies > li.comment")
    expect(replies).to_have_count(1)
    reply = replies.first
    expect(reply.locator(".comment__text")).to_contain_text("convoys moved at night")
    expect(reply.locator(":scope > .comment__meta .comment__author")).to_have_text("Ada Pellworth")
    expect(first.locator(":scope > .comment__meta .comment__author")).to_have_text("Ada Pellworth")
    expect(page.locator(".comments__count")).to_have_text("(2)")
    return comment_id, _id_of(reply)


def _follow_the_story(page: Page, site: str) -> int:
    page.goto(f"{site}/articles/1")
    expect(_bell(page)).to_have_count(0)  # a reply to one's own comment tells nobody
    header = page.locator(".story__header")
    header.get_by_role("button", name=re.compile(r"^Follow this story")).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(site)}/articles/1(\?|$)"))
    expect(header.locator(".follow__state")).to_have_text("Following")
    expect(header.get_by_role("button", name=re.compile(r"^Unfollow"))).to_be_visible()
    target = header.locator("form[action='/unfollow'] input[name='target']")
    return int(target.get_attribute("value") or "0")


def _a_new_outlet_reports(site: Site, story_id: int) -> None:
    """The Lakeshore Bulletin's article arrives and joins the followed story; then the
    worker's fan-out job runs once."""
    _import(site.database, site.settings, [LATE_REPORT])
    with site.database.read() as session:
        late = session.execute(
            select(Article.id).join(Outlet).where(Outlet.name == "Lakeshore Bulletin")
        ).scalar_one()
        stories = stories_of_articles(session, [1, late])
    assert stories == {1: story_id, late: story_id}, (stories, story_id)
    with site.database.write() as session:
        assert fan_out_developments(session, datetime.now(UTC)) == 2  # Ada follows, alone


def _told_of_the_development(page: Page, site: str, story_id: int) -> None:
    """The bell counts the two developments the Lakeshore article brought: a new outlet
    and a newly quoted person."""
    page.goto(f"{site}/articles/1")
    expect(_bell(page)).to_have_text("2")
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(page).to_have_url(f"{site}/notifications")
    expect(page.locator(".notification--unread")).to_have_count(2)
    quoted = page.locator(".notification a", has_text="Oksana Dereviana is quoted")
    expect(quoted).to_have_attribute("href", re.compile(r"^/notifications/\d+$"))
    news = page.locator(".notification a", has_text="Lakeshore Bulletin now covers this story")
    expect(news).to_contain_text("Sudzha supply road")
    news.click()  # opening a notification reads it
    expect(page).to_have_url(f"{site}/stories/{story_id}")
    expect(page.locator(".story-articles li", has_text="Lakeshore Bulletin")).to_have_count(1)
    expect(_bell(page)).to_have_text("1")


def _report(browser: Browser, site: Site, comment_id: int) -> None:
    """A second reader, made by the account code and signed in through the form,
    reports Ada's comment."""
    with site.database.write() as session:
        create_user(
            session,
            email="boris@readers.example",
            name="Boris Tallow",
            password=PASSWORD,
            settings=site.settings,
        )
    context = browser.new_context(viewport=DESKTOP)
    page = _sign_in(context, site.url, "boris@readers.example", "/articles/1")
    comment = page.locator(f"#comment-{comment_id}")
    comment.locator(":scope > .comment__actions").get_by_role("link", name="Report").click()
    expect(page).to_have_url(f"{site.url}/comments/{comment_id}/report")
    expect(page.locator(".reported-comment")).to_contain_text("supply road")
    page.get_by_label("Harassment of a person").check()
    page.get_by_label("Anything a moderator should know").fill("Aimed at another reader.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_contain_text("A moderator will look at this comment")
    context.close()


def _hide_from_the_queue(browser: Browser, site: Site, comment_id: int, reason: str) -> None:
    with site.database.write() as session:
        create_user(
            session,
            email="mira@readers.example",
            name="Mira Kestel",
            password=PASSWORD,
            role="moderator",
            settings=site.settings,
        )
    context = browser.new_context(viewport=DESKTOP)
    page = _sign_in(context, site.url, "mira@readers.example", "/moderation")
    expect(page.locator("#reported-title")).to_have_text("Reported (1)")
    item = page.locator(f"#queue-{comment_id}")
    expect(item.locator(".queue-item__title")).to_contain_text("by Ada Pellworth")
    expect(item.locator(".queue-item__reasons")).to_contain_text("Harassment of a person")
    expect(item.locator(".queue-item__notes")).to_contain_text("Aimed at another reader.")
    item.get_by_label("Reason, told to the author").fill(reason)
    item.get_by_role("button", name="Hide", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        "The comment is hidden; its author is told why."
    )
    expect(page.locator("#reported-title")).to_have_text("Reported (0)")
    page.goto(f"{site.url}/articles/1")
    expect(page.locator(f"#comment-{comment_id} > .comment__notice")).to_contain_text(reason)
    context.close()


def _hidden_from_others(browser: Browser, site: str, comment_id: int, reply_id: int) -> None:
    """A visitor who is not signed in sees a placeholder where the hidden comment was,
    and the reply under it."""
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{site}/articles/1")
    comment = page.locator(f"#comment-{comment_id}")
    expect(comment.locator(":scope > .comment__placeholder")).to_be_visible()
    expect(page.locator("#comments")).not_to_contain_text("supply road")
    expect(comment.locator(f"#comment-{reply_id}")).to_contain_text("convoys moved at night")
    page.close()


def _told_of_the_moderation(
    page: Page, site: str, comment_id: int, reply_id: int, reason: str
) -> None:
    page.goto(f"{site}/articles/1")
    expect(_bell(page)).to_have_text("2")  # the quoted person, and this
    page.goto(f"{site}/notifications")
    news = page.locator(".notification--unread a", has_text="A moderator hid your comment")
    expect(news).to_have_count(1)
    expect(news).to_contain_text(reason)
    news.click()
    expect(page).to_have_url(re.compile(rf"/articles/1#comment-{comment_id}$"))
    comment = page.locator(f"#comment-{comment_id}")
    expect(comment).to_have_class(re.compile(r"\bcomment--hidden\b"))
    notice = comment.locator(":scope > .comment__notice")
    expect(notice).to_contain_text(f"Hidden by a moderator: {reason}")
    expect(notice).to_contain_text("Only you can see it.")
    expect(page.locator(f"#comment-{reply_id}")).to_have_class(re.compile(r"\bcomment--visible\b"))


def _ask_for_a_daily_digest(page: Page, site: str) -> None:
    page.goto(f"{site}/account")
    preferences = page.locator("form[action='/account/preferences']")
    expect(preferences).not_to_contain_text("sends no mail")
    preferences.get_by_label("Every day").check()
    preferences.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/account\?done=preferences#preferences$"))
    expect(page.get_by_role("status")).to_contain_text("digest choices are saved")
    expect(page.get_by_label("Every day")).to_be_checked()


def _the_digest(site: Site) -> EmailMessage:
    """The worker's digest job, run now. A digest lists the followed stories whose
    ``updated_at`` or whose developments' ``created_at`` fall after the start of
    yesterday (UTC) at the earliest. The seed's articles are dated 2025, but placing them,
    and the Lakeshore article, stamped both with the moment it ran, minutes ago: to this
    site it is today's news, so no date needs faking. A second run the same day sends
    nothing."""
    mailer = Mailer(site.settings)
    assert send_due_digests(site.database, site.settings, datetime.now(UTC), mailer) == 1
    (mail,) = site.smtp.wait_for(1)
    assert site.smtp.deliveries[0].recipients == ["ada@readers.example"]
    assert send_due_digests(site.database, site.settings, datetime.now(UTC), mailer) == 0
    assert len(site.smtp.messages) == 1
    return mail


def _names_the_story(mail: EmailMessage, site: Site, story_id: int, reader: Page) -> None:
    reader.goto(f"{site.url}/stories/{story_id}")
    title = reader.locator("h1").inner_text()
    assert mail["To"] == "ada@readers.example"
    assert "daily" in mail["Subject"], mail["Subject"]
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    text, markup = plain.get_content(), html.get_content()
    story_url = f"{site.url}/stories/{story_id}"
    assert "Hello Ada Pellworth" in text
    assert title in text and story_url in text, text
    assert "Lakeshore Bulletin now covers this story" in text, text
    assert title in markup and f'href="{story_url}"' in markup, markup
    reader.set_content(markup)
    reader.get_by_role("link", name=title).click()
    expect(reader).to_have_url(story_url)
    expect(reader.locator("h1")).to_have_text(title)


# --- Helpers ------------------------------------------------------------------------------


def _import(database: Database, settings: Settings, paths: list[Path]) -> None:
    """Through the real pipeline: import, analyse, place (which records developments)."""
    import_paths(database, settings, paths, as_of=AS_OF)
    analyze_backlog(database, settings)
    place_backlog(database, settings)


def _sign_in(context: BrowserContext, site: str, email: str, next_path: str) -> Page:
    page = context.new_page()
    page.goto(f"{site}/signin?next={next_path}")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{site}{next_path}")
    return page


def _bell(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Account").locator(".bell__count")


def _id_of(comment: Locator) -> int:
    element_id = comment.get_attribute("id") or ""
    assert element_id.startswith("comment-"), element_id
    return int(element_id.removeprefix("comment-"))


def _fits_a_phone(page: Page, url: str) -> None:
    """At 375 px the page does not scroll sideways."""
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{url} is {width}px wide at {PHONE}px"
    page.set_viewport_size(DESKTOP)
