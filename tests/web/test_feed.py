"""The "For you" page and its JSON twin, the personal Atom feed at its secret address and
the secret's replacement; on SQLite and PostgreSQL. One browser test looks at the page
in Chromium on a phone-sized screen, in light and dark mode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import feedparser
import pytest
from sqlalchemy import select

from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import User
from tests.readers.test_feed import World
from tests.support.app_server import served_app
from tests.web.conftest import TestClient, create_app
from tests.web.html import cls, find, one, parse, text
from tests.web.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _contrast
from tests.web.test_follows import Browser


@pytest.fixture
def world(database: Database) -> World:
    return World(database, now=datetime.now(UTC))  # the pages rank against the clock


@pytest.fixture
def clients(settings: Settings, database: Database) -> Iterator[list[TestClient]]:
    app = create_app(settings, database)
    with TestClient(app) as first, TestClient(app) as second:
        yield [first, second]


def _news(world: World) -> dict[str, int]:
    """Two stories from a followed outlet (one of two articles, one read), one that
    names a followed person, and one nobody follows."""
    harbour = world.story(
        "Harbour dredging begins",
        [world.article("Lantern Post", 2), world.article("Quarry Times", 3)],
    )
    bakery = world.story("Bakery fire on Mill Lane", [world.article("Lantern Post", 5)])
    weir = world.story(
        "Ilse Marrow opens the weir", [world.article("Quarry Times", 4, people=["Ilse Marrow"])]
    )
    world.story("County fair results", [world.article("Gull Point Herald", 1)])
    return {"harbour": harbour, "bakery": bakery, "weir": weir}


def _follow_some(reader: Browser, world: World) -> None:
    for kind, target in (("outlet", "lantern-post"), ("entity", world.entities["Ilse Marrow"])):
        assert reader.form("/follow", mode="follow", kind=kind, target=target).status_code == 303


def test_for_you_shows_followed_stories_with_reasons_and_read_marks(
    world: World, clients: list[TestClient], settings: Settings
) -> None:
    stories = _news(world)
    reader = Browser(clients[0], world.database, settings, world.reader("Ada Quill"))
    _follow_some(reader, world)
    bakery_article = reader.client.get("/api/for-you").json()["stories"]
    bakery_article = next(s for s in bakery_article if s["id"] == stories["bakery"])["articles"][0]
    reader.api("POST", f"/api/articles/{bakery_article['id']}/read")

    feed = reader.client.get("/api/for-you").json()
    assert [s["id"] for s in feed["stories"]] == [
        stories["harbour"],
        stories["weir"],
        stories["bakery"],
    ]
    assert [s["reason"] for s in feed["stories"]] == [
        "you follow Lantern Post",
        "you follow Ilse Marrow",
        "you follow Lantern Post",
    ]
    assert feed["following"] == 2 and feed["feed_url"].endswith(".atom")
    assert feed["stories"][2]["all_read"] is True

    page = parse(reader.client.get("/for-you").text)
    items = find(page, f"//ol[{cls('for-you')}]/li")
    assert [text(one(li, ".//h2")) for li in items] == [s["title"] for s in feed["stories"]]
    assert text(one(items[0], f".//*[{cls('reason')}]")) == "You follow Lantern Post"
    assert [text(a) for a in find(items[0], f".//ul[{cls('feed-articles')}]//a")] == [
        a["title"] for a in feed["stories"][0]["articles"]
    ]
    read = one(items[2], f".//li[{cls('is-read')}]")
    assert text(one(read, f".//*[{cls('read-mark')}]")) == "read"
    assert "All read" in text(items[2])
    assert one(page, "//nav[@aria-label='Account']//a[@aria-current='page']").get("href") == (
        "/for-you"
    )

    unread = reader.client.get("/api/for-you?unread=true").json()
    assert stories["bakery"] not in [s["id"] for s in unread["stories"]]
    unread_page = parse(reader.client.get("/for-you?unread=1").text)
    assert len(find(unread_page, f"//ol[{cls('for-you')}]/li")) == 2
    assert (
        one(unread_page, "//nav[@aria-label='Which stories']//a[@aria-current='page']").get("href")
        == "/for-you?unread=1"
    )


def test_an_empty_for_you_page_explains_how_to_follow(
    world: World, clients: list[TestClient], settings: Settings
) -> None:
    _news(world)
    reader = Browser(clients[0], world.database, settings, world.reader("Ben Tarn"))
    page = parse(reader.client.get("/for-you").text)
    empty = one(page, f"//div[{cls('empty')}]")
    assert "You follow nothing yet" in text(empty)
    assert {a.get("href") for a in find(empty, ".//a")} == {"/stories", "/outlets"}
    assert reader.client.get("/api/for-you").json()["stories"] == []


def test_the_atom_feed_parses_and_a_new_secret_revokes_the_old_address(
    world: World, clients: list[TestClient], settings: Settings
) -> None:
    stories = _news(world)
    reader = Browser(clients[0], world.database, settings, world.reader("Cai Morrow"))
    _follow_some(reader, world)
    feed_url = reader.client.get("/api/for-you").json()["feed_url"]
    assert feed_url.startswith(settings.public_url + "/feeds/for-you/")
    path = feed_url.removeprefix(settings.public_url)
    anonymous = clients[1]
    answer = anonymous.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [entry.link for entry in parsed.entries] == [
        f"{settings.public_url}/stories/{stories[name]}" for name in ("harbour", "weir", "bakery")
    ]
    assert parsed.entries[1].summary.startswith("You follow Ilse Marrow.")
    assert any(link.rel == "self" and link.href == feed_url for link in parsed.feed.links)

    assert anonymous.get("/feeds/for-you/not-a-secret.atom").status_code == 404
    answer = reader.form("/account/feed-secret", next="/for-you")
    assert answer.headers["location"] == "/for-you"
    assert "the old one no longer works" in reader.client.get("/for-you").text
    assert anonymous.get(path).status_code == 404
    renewed = reader.client.get("/api/for-you").json()["feed_url"]
    assert renewed != feed_url
    assert anonymous.get(renewed.removeprefix(settings.public_url)).status_code == 200

    by_api = reader.api("POST", "/api/account/feed-secret").json()["feed_url"]
    with world.database.read() as session:
        secret = session.execute(select(User.feed_secret).where(User.id == reader.user_id))
        assert by_api.endswith(f"/{secret.scalar_one()}.atom")
    assert anonymous.get(renewed.removeprefix(settings.public_url)).status_code == 404


@pytest.mark.browser
def test_for_you_in_chromium_on_a_phone_in_light_and_dark(
    settings: Settings, sqlite_database: Database
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    from playwright.sync_api import ConsoleMessage, sync_playwright

    world = World(sqlite_database, now=datetime.now(UTC))
    _news(world)
    world.story(
        "A very long headline about the Saltmere causeway closure that goes on and on",
        [world.article("Lantern Post", 6)],
    )
    with TestClient(create_app(settings, sqlite_database)) as client:
        reader = Browser(client, sqlite_database, settings, world.reader("Dee Holm"))
        _follow_some(reader, world)
        session_cookie = str(client.cookies.get("storyline_session"))
    ARTIFACTS.mkdir(exist_ok=True)
    with served_app(settings, sqlite_database) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        for scheme in ("light", "dark"):
            context = browser.new_context(
                color_scheme=scheme, viewport={"width": 375, "height": 800}
            )
            context.add_cookies(
                [{"name": "storyline_session", "value": session_cookie, "url": url}]
            )
            page = context.new_page()
            errors: list[str] = []

            def collect(message: ConsoleMessage, seen: list[str] = errors) -> None:
                if message.type == "error":
                    seen.append(message.text)

            page.on("console", collect)
            page.goto(f"{url}/for-you")
            assert page.locator("h1").inner_text() == "For you"
            assert page.locator("ol.for-you > li").count() == 4
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            colours = page.evaluate(
                """() => ({
                  background: getComputedStyle(document.body).backgroundColor,
                  reason: getComputedStyle(document.querySelector('.reason')).color,
                  link: getComputedStyle(document.querySelector('.feed-articles a')).color,
                })"""
            )
            for name in ("reason", "link"):
                assert _contrast(colours[name], colours["background"]) >= 4.5, (scheme, colours)
            page.screenshot(path=str(ARTIFACTS / f"for-you-phone-{scheme}.png"), full_page=True)
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline == "solid"
            for path, name in (("/following", "following"), ("/outlets/lantern-post", "outlet")):
                page.goto(url + path)
                assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
                page.screenshot(path=str(ARTIFACTS / f"{name}-phone-{scheme}.png"), full_page=True)
            assert errors == []
            context.close()
        browser.close()
