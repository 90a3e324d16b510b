"""Following, muting, reading marks and notifications through the web: pages, forms and
their ``/api/`` twins, CSRF checks, one reader's state seen from two browsers, and the
follow buttons on other pages; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest
from fastapi import FastAPI

from storyline.readers import notifications
from storyline.readers.accounts import create_api_token, start_session
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import User
from storyline.web.follows import FollowOut, ReadingOut
from tests.readers.test_feed import NOW, World
from tests.web.conftest import TestClient, create_app
from tests.web.html import cls, find, one, parse, text

CSRF = "storyline_csrf"


class Browser:
    """A TestClient signed in as one reader, with this browser's CSRF token at hand."""

    def __init__(self, client: TestClient, database: Database, settings: Settings, user_id: int):
        with database.write() as session:
            user = session.get(User, user_id)
            assert user is not None
            client.cookies.set("storyline_session", start_session(session, user, settings))
        self.client = client
        self.user_id = user_id
        assert client.get("/following").status_code == 200  # sets the CSRF cookie
        self.token = str(client.cookies.get(CSRF))

    def form(self, path: str, **data: object) -> Any:  # the TestClient's response
        fields = {"csrf_token": self.token, **{k: str(v) for k, v in data.items()}}
        return self.client.post(path, data=fields, follow_redirects=False)

    def api(self, method: str, path: str, json: object = None) -> Any:  # the TestClient's response
        headers = {"X-CSRF-Token": self.token}
        return self.client.request(method, path, json=json, headers=headers)


@pytest.fixture
def world(database: Database) -> World:
    return World(database, now=datetime.now(UTC))  # the pages rank against the clock


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database)


@pytest.fixture
def clients(app: FastAPI) -> Iterator[list[TestClient]]:
    with TestClient(app) as first, TestClient(app) as second:
        yield [first, second]


@pytest.fixture
def ada(world: World, clients: list[TestClient], settings: Settings) -> Browser:
    world.article("Lantern Post", 2, people=["Ilse Marrow"], tags=["#BrackenFerry"])
    return Browser(clients[0], world.database, settings, world.reader("Ada Quill"))


def test_signed_out_readers_are_sent_to_sign_in(clients: list[TestClient]) -> None:
    client = clients[0]
    for path in ("/for-you", "/following", "/saved", "/notifications", "/for-you?unread=1"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/signin?next=" + path.split("?")[0])
    for method, path in (
        ("GET", "/api/for-you"),
        ("GET", "/api/follows"),
        ("POST", "/api/follows"),
        ("DELETE", "/api/follows/1"),
        ("GET", "/api/saved"),
        ("POST", "/api/articles/1/save"),
        ("GET", "/api/notifications"),
        ("POST", "/api/notifications/read"),
        ("POST", "/api/account/feed-secret"),
    ):
        answer = client.request(method, path, json={"kind": "word", "target": "x"})
        assert answer.status_code == 401, path
        assert "detail" in answer.json()


def test_following_an_outlet_from_its_page_and_unfollowing_it(ada: Browser) -> None:
    client = ada.client
    page = parse(client.get("/outlets/lantern-post").text)
    form = one(page, "//form[@action='/follow'][.//input[@name='mode'][@value='follow']]")
    assert one(form, ".//input[@name='kind']").get("value") == "outlet"
    assert one(form, ".//input[@name='target']").get("value") == "lantern-post"
    assert text(one(form, ".//button")) == "Follow Lantern Post"

    answer = ada.form(
        "/follow", mode="follow", kind="outlet", target="lantern-post", next="/outlets/lantern-post"
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/outlets/lantern-post"
    page = parse(client.get("/outlets/lantern-post").text)
    assert text(one(page, f"//*[{cls('follow__state')}]")) == "Following"
    assert text(one(page, "//form[@action='/unfollow']//button")) == "Unfollow Lantern Post"
    [item] = client.get("/api/follows").json()
    assert set(item) == set(FollowOut.model_fields)
    assert (item["mode"], item["kind"], item["name"]) == ("follow", "outlet", "Lantern Post")
    listing = parse(client.get("/following").text)
    assert text(one(listing, "//section[.//h2[@id='follows-title']]//li//a")) == "Lantern Post"
    [item_li] = listing.xpath("//section[.//h2[@id='follows-title']]//li")
    assert text(one(item_li, f".//*[{cls('follow-list__kind')}]")) == "Outlet"
    undo = one(item_li, ".//form[@action='/unfollow']")
    fields = {field.get("name"): field.get("value") for field in undo.xpath(".//input")}
    assert fields["csrf_token"]
    assert (fields["mode"], fields["target"]) == ("follow", "lantern-post")
    assert text(one(undo, ".//button")) == "Unfollow Lantern Post"

    answer = ada.form(
        "/unfollow", mode="follow", kind="outlet", target="lantern-post", next="/following"
    )
    assert answer.headers["location"] == "/following"
    assert "No longer followed." in client.get("/following").text
    assert client.get("/api/follows").json() == []


def test_the_following_page_adds_follows_and_mutes_and_says_what_went_wrong(
    ada: Browser,
) -> None:
    answer = ada.form("/follow", mode="mute", kind="word", target="Gossip", next="/following")
    page = ada.client.get(answer.headers["location"])
    assert "You muted “gossip”." in page.text
    answer = ada.form("/follow", mode="follow", kind="story", target="424242")
    page = parse(ada.client.get(answer.headers["location"]).text)
    assert "There is no story number 424242" in text(one(page, f"//*[{cls('notice')}]"))
    muted = parse(ada.client.get("/following").text)
    assert text(one(muted, "//section[.//h2[@id='mutes-title']]//li")).startswith("Word “gossip”")


def test_forms_and_cookie_api_calls_need_the_csrf_token(
    ada: Browser, world: World, settings: Settings
) -> None:
    client = ada.client
    fields = {"mode": "follow", "kind": "outlet", "target": "lantern-post"}
    assert client.post("/follow", data=fields).status_code == 403
    assert client.post("/follow", data={**fields, "csrf_token": "forged"}).status_code == 403
    body = {"kind": "outlet", "target": "lantern-post"}
    assert client.post("/api/follows", json=body).status_code == 403
    forged = client.post("/api/follows", json=body, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    cross_site = client.post(
        "/api/follows",
        json=body,
        headers={"X-CSRF-Token": ada.token, "Origin": "https://evil.example"},
    )
    assert cross_site.status_code == 403
    assert client.post("/articles/1/reading", data={"action": "save"}).status_code == 403
    assert client.post("/notifications/read", data={}).status_code == 403
    assert client.post("/account/feed-secret", data={}).status_code == 403
    assert client.get("/api/follows").json() == []

    assert ada.api("POST", "/api/follows", body).status_code == 201
    with world.database.write() as session:
        user = session.get(User, ada.user_id)
        assert user is not None
        _, secret = create_api_token(session, user, "reader app")
    by_token = TestClient(client.app).post(  # no cookies: a script with a personal token
        "/api/follows",
        json={"kind": "hashtag", "target": "#BrackenFerry"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert by_token.status_code == 201, by_token.text
    assert {f["kind"] for f in client.get("/api/follows").json()} == {"outlet", "hashtag"}


def test_api_errors_and_another_readers_follow_cannot_be_deleted(
    ada: Browser, world: World, clients: list[TestClient], settings: Settings
) -> None:
    missing = ada.api("POST", "/api/follows", {"kind": "story", "target": "99999"})
    assert missing.status_code == 404 and "no story" in missing.json()["detail"]
    word = ada.api("POST", "/api/follows", {"kind": "word", "target": "ferry"})
    assert word.status_code == 400 and "muted, not followed" in word.json()["detail"]
    assert ada.api("POST", "/api/follows", {"kind": "planet", "target": "x"}).status_code == 422
    for kind in ("word", "outlet", "hashtag", "story"):
        odd = ada.api("POST", "/api/follows", {"kind": kind, "target": "fer\x00ry", "mode": "mute"})
        assert odd.status_code == 400 and "U+0000" in odd.json()["detail"], kind
    huge = ada.api("POST", "/api/notifications/read", {"ids": [2**64]})
    assert huge.status_code == 422
    assert (
        ada.client.get(
            "/api/saved", params={"after": f"20310101T000000.000000Z_{2**64}"}
        ).status_code
        == 400
    )
    made = ada.api(
        "POST", "/api/follows", {"kind": "entity", "target": str(world.entities["Ilse Marrow"])}
    )
    follow_id = made.json()["id"]

    ben = Browser(clients[1], world.database, settings, world.reader("Ben Tarn"))
    refused = ben.api("DELETE", f"/api/follows/{follow_id}")
    assert refused.status_code == 404
    assert ben.api("DELETE", f"/api/follows/{2**70}").status_code == 404
    assert [f["id"] for f in ada.client.get("/api/follows").json()] == [follow_id]
    assert ada.api("DELETE", f"/api/follows/{follow_id}").status_code == 204
    assert ada.client.get("/api/follows").json() == []


def test_reading_marks_are_the_same_in_two_browsers(
    world: World, clients: list[TestClient], settings: Settings
) -> None:
    first, second = (world.article("Lantern Post", n) for n in (2, 3))
    reader = world.reader("Cai Morrow")
    phone = Browser(clients[0], world.database, settings, reader)
    laptop = Browser(clients[1], world.database, settings, reader)

    saved = phone.api("POST", f"/api/articles/{first}/save")
    assert saved.json() == {"article_id": first, "read": False, "saved": True}
    assert set(saved.json()) == set(ReadingOut.model_fields)
    phone.api("POST", f"/api/articles/{second}/save")
    assert [a["id"] for a in laptop.client.get("/api/saved").json()] == [second, first]

    answer = laptop.form(f"/articles/{first}/reading", action="read", next="/saved")
    assert answer.headers["location"] == "/saved"
    assert {a["id"]: a["read"] for a in phone.client.get("/api/saved").json()} == {
        first: True,
        second: False,
    }
    page = parse(phone.client.get("/saved").text)
    read_item = one(page, f"//li[.//a[@href='/articles/{first}']]")
    assert text(one(read_item, f".//*[{cls('badge')}]")) == "Read"
    title = text(one(read_item, ".//h2"))
    assert text(one(read_item, ".//button[@value='unread']")) == f"Mark unread: {title}"

    limited = phone.client.get("/api/saved?limit=1")
    assert [a["id"] for a in limited.json()] == [second]
    next_url = re.search(r"<([^>]+)>; rel=\"next\"", limited.headers["link"])
    assert next_url is not None
    assert [a["id"] for a in phone.client.get(next_url.group(1)).json()] == [first]
    assert phone.client.get("/api/saved?after=nonsense").status_code == 400

    assert laptop.api("DELETE", f"/api/articles/{second}/save").json()["saved"] is False
    assert laptop.api("DELETE", f"/api/articles/{first}/read").json()["read"] is False
    assert [a["id"] for a in phone.client.get("/api/saved").json()] == [first]
    assert phone.api("POST", "/api/articles/987654/read").status_code == 404
    assert phone.form("/articles/987654/reading", action="save").status_code == 404


def test_notifications_are_listed_and_marked_read(
    ada: Browser, world: World, clients: list[TestClient], settings: Settings
) -> None:
    with world.database.write() as session:
        for n in range(3):
            notifications.notify(
                session,
                ada.user_id,
                kind="development",
                key=f"test:{n}",
                text=f"Lantern Post now covers story {n}",
                url=f"/stories/{n + 1}",
                now=NOW,
            )
    listed = ada.client.get("/api/notifications").json()
    assert listed["unread"] == 3 and len(listed["notifications"]) == 3
    newest = listed["notifications"][0]
    assert newest["text"] == "Lantern Post now covers story 2" and not newest["read"]
    page = parse(ada.client.get("/notifications").text)
    assert len(find(page, f"//li[{cls('notification--unread')}]")) == 3
    assert text(one(page, f"//*[{cls('bell__count')}]")) == "3"

    answer = ada.form("/notifications/read", id=newest["id"], next="/notifications")
    assert answer.headers["location"] == "/notifications"
    assert ada.client.get("/api/notifications").json()["unread"] == 2
    second = listed["notifications"][1]
    one(page, f"//a[@href='/notifications/{second['id']}']")  # the page links there
    paged = ada.client.get("/api/notifications?limit=2").json()
    assert paged["next_before"] == paged["notifications"][1]["id"]
    older = ada.client.get(f"/api/notifications?before={paged['next_before']}").json()
    assert len(older["notifications"]) == 1

    ben = Browser(clients[1], world.database, settings, world.reader("Ben Tarn"))
    peek = ben.client.get(f"/notifications/{second['id']}", follow_redirects=False)
    assert peek.status_code == 404  # not Ben's to open
    opened = ada.client.get(f"/notifications/{second['id']}", follow_redirects=False)
    assert (opened.status_code, opened.headers["location"]) == (303, second["url"])
    assert ada.client.get("/api/notifications").json()["unread"] == 1  # opening reads it
    ids = [n["id"] for n in listed["notifications"]]
    assert ben.api("POST", "/api/notifications/read", {"ids": ids}).json() == {
        "marked": 0,
        "unread": 0,
    }
    assert ada.api("POST", "/api/notifications/read", {"ids": None}).json() == {
        "marked": 1,
        "unread": 0,
    }
    assert "All read." in ada.client.get("/notifications").text


def test_follow_buttons_on_entity_hashtag_and_storyline_pages(
    ada: Browser, world: World, clients: list[TestClient]
) -> None:
    line = world.storyline("The harbour dispute")
    world.story("Dockers vote", [world.article("Quarry Times", 3)], storyline=line)
    entity = world.entities["Ilse Marrow"]
    for path, kind, target in (
        (f"/entities/{entity}", "entity", str(entity)),
        ("/tags/brackenferry", "hashtag", "brackenferry"),
        (f"/storylines/{line}", "storyline", str(line)),
    ):
        page = parse(ada.client.get(path).text)
        form = one(page, "//form[@action='/follow'][.//input[@name='mode'][@value='follow']]")
        assert one(form, ".//input[@name='kind']").get("value") == kind, path
        assert one(form, ".//input[@name='target']").get("value") == target, path
        assert one(form, ".//input[@name='next']").get("value") == path, path
        answer = ada.form("/follow", mode="follow", kind=kind, target=target, next=path)
        assert answer.status_code == 303
        followed = parse(ada.client.get(path).text)
        assert text(one(followed, f"//*[{cls('follow__state')}]")) == "Following", path
        signed_out = parse(clients[1].get(path).text)
        link = one(signed_out, f"//*[{cls('follow')}]//a")
        assert link.get("href") == "/signin?next=" + path, path
    kinds = Counter(f["kind"] for f in ada.client.get("/api/follows").json())
    assert kinds == {"entity": 1, "hashtag": 1, "storyline": 1}


MY_PAGES = ("/for-you", "/following", "/saved", "/notifications")


def test_my_pages_are_accessible_html(ada: Browser, world: World) -> None:
    world.story("Ferry strike ends", [world.article("Lantern Post", 3)])
    ada.form("/follow", mode="follow", kind="outlet", target="lantern-post")
    for path in MY_PAGES:
        page = parse(ada.client.get(path).text)
        assert page.get("lang") == "en", path
        levels = [int(h.tag[1]) for h in find(page, "//h1|//h2|//h3|//h4|//h5|//h6")]
        assert levels.count(1) == 1 and levels[0] == 1, (path, levels)
        assert all(after <= before + 1 for before, after in pairwise(levels)), (path, levels)
        ids = Counter(node.get("id") for node in find(page, "//*[@id]"))
        assert all(count == 1 for count in ids.values()), (path, ids)
        for field in find(page, "//input[not(@type='hidden')]|//select"):
            assert one(page, f"//label[@for='{field.get('id')}']") is not None, path
        for link in find(page, "//a"):
            assert text(link) or link.get("aria-label"), (path, link.get("href"))
        for time in find(page, "//time"):
            assert time.get("datetime") and time.get("title"), path
        for button in find(page, "//button"):
            assert text(button), path
        assert find(page, "//*[@aria-live]"), path
        current = one(page, "//nav[@aria-label='Account']//a[@aria-current='page']")
        assert text(current) in {"For you", "Notifications"}, path


def test_openapi_documents_the_reader_api(ada: Browser) -> None:
    paths = ada.client.get("/openapi.json").json()["paths"]
    for path, methods in {
        "/api/for-you": {"get"},
        "/api/follows": {"get", "post"},
        "/api/follows/{follow_id}": {"delete"},
        "/api/saved": {"get"},
        "/api/articles/{article_id}/read": {"post", "delete"},
        "/api/articles/{article_id}/save": {"post", "delete"},
        "/api/notifications": {"get"},
        "/api/notifications/read": {"post"},
        "/api/account/feed-secret": {"post"},
        "/feeds/for-you/{feed_secret}.atom": {"get"},
    }.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            assert paths[path][method]["tags"] == ["reader"], (path, method)
    for page in ("/for-you", "/following", "/follow", "/saved", "/notifications"):
        assert page not in paths
