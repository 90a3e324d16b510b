"""The comment thread on article and story pages, its forms, and its ``/api/`` twins.

Readers are signed in with a real server-side session (its cookie set on the client);
forms carry the browser's real CSRF token, read from the cookie a page set.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from time import monotonic, sleep
from typing import Any, get_args

import httpx2
import pytest
from sqlalchemy import select

from storyline.readers import accounts
from storyline.readers.moderation import REPORT_REASONS
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.ai_cache import AnswerCache
from storyline.store.schema import Notification, User
from storyline.web.auth import SESSION_COOKIE
from storyline.web.comments import ReportReason
from storyline.web.csrf import COOKIE as CSRF_COOKIE
from tests.readers.test_comments import SHORTENED, make_story, make_user
from tests.support.llm_server import ChatStub, served_chat_stub
from tests.web.conftest import Seeded, TestClient, create_app
from tests.web.html import cls, find, one, parse, text

COOKIE_DOMAIN = "testserver.local"  # where the TestClient keeps the app's cookies


@dataclass
class Site:
    """The app over a seeded database, and a browser that signs in as anyone."""

    client: TestClient
    database: Database
    settings: Settings
    seeded: Seeded

    @property
    def article(self) -> int:
        return self.seeded.ids["ferry"]

    def user(self, name: str, role: str = "reader") -> int:
        return make_user(self.database, name, role=role)

    def sign_in(self, user_id: int) -> None:
        with self.database.write() as session:
            user = session.get(User, user_id)
            assert user is not None
            token = accounts.start_session(session, user, self.settings)
        self.client.cookies.set(SESSION_COOKIE, token, domain=COOKIE_DOMAIN)

    def sign_out(self) -> None:
        self.client.cookies.delete(SESSION_COOKIE, domain=COOKIE_DOMAIN)

    def csrf(self) -> str:
        """This browser's CSRF token (a page sets its cookie the first time)."""
        if not self.client.cookies.get(CSRF_COOKIE):
            assert self.client.get("/outlets").status_code == 200
        return str(self.client.cookies.get(CSRF_COOKIE))

    def form(self, path: str, **fields: Any) -> httpx2.Response:
        data = {"csrf_token": self.csrf(), **fields}
        return self.client.post(path, data=data, follow_redirects=False)

    def api(self, method: str, path: str, body: Any = None) -> httpx2.Response:
        """An API call from the browser: session cookie plus its CSRF header."""
        headers = {"X-CSRF-Token": self.csrf()}
        return self.client.request(method, path, json=body, headers=headers)

    def page(self, path: str, status: int = 200) -> Any:
        response = self.client.get(path)
        assert response.status_code == status, response.text[:500]
        return parse(response.text)

    def post_comment(self, body: str, parent: int | None = None, target: str = "") -> int:
        answer = self.api(
            "POST",
            f"{target or f'/api/articles/{self.article}'}/comments",
            {
                "body": body,
                "parent_id": parent,
            },
        )
        assert answer.status_code == 201, answer.text
        comment_id: int = answer.json()["id"]
        return comment_id


SiteFactory = Callable[..., Site]


@pytest.fixture(name="make_site")
def make_site_fixture(
    settings: Settings, database: Database, seeded: Seeded
) -> Iterator[SiteFactory]:
    """Sites with settings changed from the defaults (``comment_rate`` is generous unless
    given, so that only the tests about it meet it)."""
    with ExitStack() as stack:

        def build(**overrides: Any) -> Site:
            chosen = dataclasses.replace(settings, **{"comment_rate": "1000/60", **overrides})
            client = stack.enter_context(TestClient(create_app(chosen, database)))
            return Site(client, database, chosen, seeded)

        yield build


@pytest.fixture(name="site")
def site_fixture(make_site: SiteFactory) -> Site:
    return make_site()


def comment_ids(page: Any) -> list[int]:
    return [int(li.get("id").split("-")[1]) for li in find(page, f"//li[{cls('comment')}]")]


def test_anonymous_readers_see_the_thread_and_a_way_to_sign_in(site: Site) -> None:
    page = site.page(f"/articles/{site.article}")
    section = one(page, "//section[@id='comments']")
    assert text(one(section, ".//h2")) == "Comments"
    link = one(section, ".//a[text()='Sign in to comment']")
    assert link.get("href") == f"/signin?next=/articles/{site.article}%23comments"
    assert text(one(section, f".//p[{cls('comments__empty')}]")) == "No comments yet."
    assert not find(section, ".//form")


def test_a_comment_lives_and_dies_through_the_forms(site: Site) -> None:
    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    url = f"/articles/{site.article}"
    site.sign_in(ada)
    assert find(site.page(url), f"//form[@action='{url}/comments']//textarea")
    posted = site.form(f"{url}/comments", body="The ferry should run **hourly**.")
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert location.startswith("/comments/")
    first = int(location.rsplit("/", 1)[1])
    permalink = site.client.get(location, follow_redirects=False)
    assert (permalink.status_code, permalink.headers["location"]) == (303, f"{url}#comment-{first}")

    site.sign_in(bo)
    replied = site.form(f"{url}/comments", body="Agreed, at least in summer.", parent_id=first)
    assert replied.status_code == 303
    reply = int(replied.headers["location"].rsplit("/", 1)[1])
    voted = site.form(f"/comments/{first}/vote", value="1")
    assert (voted.status_code, voted.headers["location"]) == (303, f"/comments/{first}")
    page = site.page(url)
    assert comment_ids(page) == [first, reply]
    top = one(page, f"//li[@id='comment-{first}']")
    assert text(one(top, f"./p[{cls('comment__meta')}]/span[{cls('comment__author')}]")) == (
        "Ada Quill"
    )
    assert one(top, "./div[@class='comment__text']/p/strong").text == "hourly"
    actions = one(top, f"./div[{cls('comment__actions')}]")
    assert text(one(actions, f".//span[{cls('comment__score')}]")) == "1 point"
    assert one(actions, ".//button[@aria-label='Vote up']").get("aria-pressed") == "true"
    assert one(page, f"//li[@id='comment-{first}']/ol/li").get("id") == f"comment-{reply}"
    assert text(one(page, "//h2[@id='comments-title']")) == "Comments (2)"

    site.sign_in(ada)
    edit = site.page(f"/comments/{first}/edit")
    assert one(edit, "//textarea[@name='body']").text == "The ferry should run **hourly**."
    saved = site.form(f"/comments/{first}/edit", body="The ferry should run *every hour*.")
    assert (saved.status_code, saved.headers["location"]) == (303, f"/comments/{first}")
    top = one(site.page(url), f"//li[@id='comment-{first}']")
    assert text(one(top, "./div[@class='comment__text']")) == "The ferry should run every hour."
    assert text(one(top, f"./p/span[{cls('comment__edited')}]")) == "edited"

    deleted = site.form(f"/comments/{first}/delete")
    assert (deleted.status_code, deleted.headers["location"]) == (303, f"{url}#comments")
    page = site.page(url)
    placeholder = one(page, f"//li[@id='comment-{first}']")
    assert text(one(placeholder, "./p")) == "[deleted]"
    assert "Ada Quill" not in text(placeholder) and "every hour" not in text(page)
    assert "Agreed, at least in summer." in text(placeholder)
    with site.database.read() as session:
        [note] = session.query(Notification).all()
    assert (note.user_id, note.key) == (ada, f"reply:{reply}")


def test_the_same_life_through_the_api_with_a_personal_token(site: Site) -> None:
    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    with site.database.write() as session:
        user = session.get(User, ada)
        assert user is not None
        _, secret = accounts.create_api_token(session, user, "reader app")
    bearer = {"Authorization": f"Bearer {secret}"}
    base = f"/api/articles/{site.article}/comments"
    made = site.client.post(base, json={"body": "Timetables *matter*."}, headers=bearer)
    assert made.status_code == 201
    comment = made.json()
    assert comment["html"] == "<p>Timetables <em>matter</em>.</p>"
    assert comment["body"] == "Timetables *matter*." and comment["mine"]
    assert (comment["target_kind"], comment["target_id"]) == ("article", site.article)
    cid = comment["id"]

    site.sign_in(bo)
    voted = site.api("POST", f"/api/comments/{cid}/vote", {"value": -1})
    assert voted.json() == {"id": cid, "score": -1, "upvotes": 0, "downvotes": 1, "my_vote": -1}
    assert site.api("POST", f"/api/comments/{cid}/vote", {"value": 5}).status_code == 422
    thread = site.client.get(base).json()
    assert thread["count"] == 1 and thread["comments"][0]["my_vote"] == -1
    assert thread["post_url"] == f"/articles/{site.article}/comments"

    changed = site.client.patch(
        f"/api/comments/{cid}", json={"body": "Timetables matter a lot."}, headers=bearer
    )
    assert changed.status_code == 200
    assert changed.json()["edited_at"] is not None
    assert site.client.delete(f"/api/comments/{cid}", headers=bearer).status_code == 204
    assert site.client.get(f"/api/comments/{cid}").status_code == 404
    assert site.client.get(base).json()["comments"] == []
    assert site.client.get("/api/articles/999999/comments").json() == {
        "detail": "no article with id 999999"
    }


def test_a_story_has_a_thread_too(site: Site) -> None:
    story = make_story(site.database)
    ada = site.user("Ada Quill")
    site.sign_in(ada)
    url = f"/stories/{story}"
    one(site.page(url), "//section[@id='comments']//textarea[@name='body']")
    posted = site.form(f"{url}/comments", body="Good summary of the harbour works.")
    assert posted.status_code == 303
    cid = int(posted.headers["location"].rsplit("/", 1)[1])
    assert comment_ids(site.page(url)) == [cid]
    api = site.client.get(f"/api/stories/{story}/comments").json()
    assert [c["url"] for c in api["comments"]] == [f"/stories/{story}#comment-{cid}"]
    assert site.client.get("/api/stories/424242/comments").status_code == 404


def test_sort_links_order_the_top_level_comments(site: Site) -> None:
    readers = [site.user(name) for name in ("Ada Quill", "Bo Tarrant", "Cy Penrose")]
    ids = []
    for reader in readers:
        site.sign_in(reader)
        ids.append(site.post_comment(f"Comment from reader {reader}."))
    site.sign_in(readers[0])
    site.api("POST", f"/api/comments/{ids[1]}/vote", {"value": 1})
    url = f"/articles/{site.article}"
    page = site.page(url)
    links = find(page, "//nav[@aria-label='Sort comments']//a")
    assert [(a.text, a.get("href")) for a in links] == [
        ("Oldest", "?sort=oldest#comments"),
        ("Newest", "?sort=newest#comments"),
        ("Best", "?sort=best#comments"),
    ]
    assert links[0].get("aria-current") == "true"
    assert comment_ids(page) == ids
    assert comment_ids(site.page(f"{url}?sort=newest")) == ids[::-1]
    assert comment_ids(site.page(f"{url}?sort=best")) == [ids[1], ids[2], ids[0]]
    assert site.client.get(f"/api/articles/{site.article}/comments?sort=loud").status_code == 422


def test_a_refused_comment_comes_back_with_its_text_and_why(make_site: SiteFactory) -> None:
    site = make_site(comment_rate="1/3600")
    site.sign_in(site.user("Ada Quill"))
    url = f"/articles/{site.article}"
    assert site.form(f"{url}/comments", body="First.").status_code == 303
    refused = site.form(f"{url}/comments", body="Second, too soon.")
    assert refused.status_code == 429
    page = parse(refused.text)
    alert = one(page, "//*[@role='alert']")
    assert "You can post again in 60 minutes" in text(alert)
    field = one(page, f"//form[@action='{url}/comments']//textarea")
    assert field.text == "Second, too soon."
    assert field.get("aria-describedby") == alert.get("id")
    by_api = site.api("POST", f"/api/articles/{site.article}/comments", {"body": "Third."})
    assert by_api.status_code == 429
    assert 3500 <= int(by_api.headers["retry-after"]) <= 3600
    assert "post again" in by_api.json()["detail"]
    empty = site.form(f"{url}/comments", body="   ")
    assert empty.status_code == 400
    assert "empty" in text(one(parse(empty.text), "//*[@role='alert']"))


def test_a_held_comment_is_shown_to_its_author_with_the_reasons(site: Site) -> None:
    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    site.sign_in(ada)
    url = f"/articles/{site.article}"
    posted = site.form(f"{url}/comments", body=SHORTENED)
    cid = int(posted.headers["location"].rsplit("/", 1)[1])
    own = one(site.page(url), f"//li[@id='comment-{cid}']")
    notice = text(one(own, f".//div[{cls('comment__notice')}]"))
    assert "Waiting for a moderator: only you can see this comment for now." in notice
    assert "shortener" in notice
    site.sign_in(bo)
    page = site.page(url)
    assert comment_ids(page) == []
    assert text(one(page, f"//p[{cls('comments__empty')}]")) == "No comments yet."
    assert site.client.get(f"/api/comments/{cid}").status_code == 404


def test_a_suspended_reader_is_told_why_and_cannot_post(site: Site) -> None:
    ada = site.user("Ada Quill")
    with site.database.write() as session:
        user = session.get(User, ada)
        assert user is not None
        user.status = "suspended"
        user.suspended_until = datetime.now(UTC) + timedelta(days=1)
    site.sign_in(ada)
    url = f"/articles/{site.article}"
    section = one(site.page(url), "//section[@id='comments']")
    assert "suspended from posting until" in text(one(section, ".//p[@role='status']"))
    assert not find(section, ".//textarea")
    refused = site.api("POST", f"/api/articles/{site.article}/comments", {"body": "Hi."})
    assert refused.status_code == 403
    assert "suspended from posting" in refused.json()["detail"]
    page = site.form(f"{url}/comments", body="Hi.")
    assert page.status_code == 403
    assert "suspended" in text(one(parse(page.text), "//*[@role='alert']"))


def test_reporting_a_comment_once_through_its_page_and_the_api(site: Site) -> None:
    ada, bo, cy = (site.user(n) for n in ("Ada Quill", "Bo Tarrant", "Cy Penrose"))
    site.sign_in(ada)
    cid = site.post_comment("Ferry passes for sale, message me.")
    site.sign_in(bo)
    link = one(site.page(f"/articles/{site.article}"), "//a[text()='Report']")
    page = site.page(link.get("href"))
    reasons = [radio.get("value") for radio in find(page, "//input[@name='reason']")]
    assert reasons == list(REPORT_REASONS)
    for radio in find(page, "//input[@type='radio']"):
        one(page, f"//label[@for='{radio.get('id')}']")
    sent = site.form(f"/comments/{cid}/report", reason="spam", note="Selling tickets.")
    assert (sent.status_code, sent.headers["location"]) == (
        303,
        f"/comments/{cid}/report?sent=true",
    )
    thanks = site.page(sent.headers["location"])
    assert "A moderator will look" in text(one(thanks, "//*[@role='status']"))
    again = site.form(f"/comments/{cid}/report", reason="abuse")
    assert again.status_code == 409
    assert "already" in text(one(parse(again.text), "//*[@role='alert']"))
    site.sign_in(cy)
    assert site.api("POST", f"/api/comments/{cid}/report", {"reason": "spam"}).status_code == 201
    assert site.api("POST", f"/api/comments/{cid}/report", {"reason": "spam"}).status_code == 409
    assert site.api("POST", f"/api/comments/{cid}/report", {"reason": "rude"}).status_code == 422
    site.sign_in(ada)
    assert site.api("POST", f"/api/comments/{cid}/report", {"reason": "spam"}).status_code == 403


def test_the_report_reasons_of_the_api_are_the_library_s() -> None:
    assert set(get_args(ReportReason)) == set(REPORT_REASONS)


def test_the_comment_api_is_in_the_openapi_document(site: Site) -> None:
    paths = site.client.get("/openapi.json").json()["paths"]
    expected = {
        "/api/articles/{article_id}/comments": {"get", "post"},
        "/api/stories/{story_id}/comments": {"get", "post"},
        "/api/comments/{comment_id}": {"get", "patch", "delete"},
        "/api/comments/{comment_id}/vote": {"post"},
        "/api/comments/{comment_id}/report": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            assert paths[path][method]["tags"] == ["comments"], (path, method)
    assert "/comments/{comment_id}/edit" not in paths


def test_a_thread_page_is_labelled_and_its_ids_unique(site: Site) -> None:
    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    site.sign_in(ada)
    first = site.post_comment("A first thought.")
    site.sign_in(bo)
    site.post_comment("A reply.", parent=first)
    site.post_comment("Another thought.")
    page = site.page(f"/articles/{site.article}")
    ids = [node.get("id") for node in find(page, "//*[@id]")]
    assert len(ids) == len(set(ids))
    for field in find(page, "//textarea | //input[not(@type='hidden')] | //select"):
        one(page, f"//label[@for='{field.get('id')}']")
    levels = [int(h.tag[1]) for h in find(page, "//h1|//h2|//h3|//h4")]
    assert all(after <= before + 1 for before, after in pairwise(levels))
    for time in find(page, "//section[@id='comments']//time"):
        assert time.get("datetime") and time.get("title")
    for summary in find(page, "//details/summary"):
        assert text(summary) in {"Reply", "Delete"}


def test_a_long_thread_comes_a_page_at_a_time_and_permalinks_find_their_page(site: Site) -> None:
    from storyline.store.schema import Comment

    author = site.user("Ada Quill")
    with site.database.write() as session:
        for n in range(120):
            session.add(
                Comment(
                    target_kind="article",
                    target_id=site.article,
                    user_id=author,
                    body=f"Point {n}",
                    html=f"<p>Point {n}</p>",
                    created_at=datetime.now(UTC),
                )
            )
    url = f"/articles/{site.article}"
    first = site.page(url)
    assert len(comment_ids(first)) == 50
    assert text(one(first, "//h2[@id='comments-title']")) == "Comments (120)"
    more = one(first, "//nav[@aria-label='Pages of comments']//a[@rel='next']")
    assert more.get("href") == f"{url}?sort=oldest&page=2#comments"
    last = site.page(f"{url}?page=3")
    ids = comment_ids(last)
    assert len(ids) == 20 and one(last, "//a[@rel='prev']").get("href").endswith("page=2#comments")
    permalink = site.client.get(f"/comments/{ids[-1]}", follow_redirects=False)
    assert permalink.headers["location"] == f"{url}?page=3#comment-{ids[-1]}"
    api = site.client.get(f"/api/articles/{site.article}/comments?page=2").json()
    assert (api["page"], api["pages"], api["count"], len(api["comments"])) == (2, 3, 120, 50)
    beyond = site.page(f"{url}?page=9")
    assert "Back to the first page" in text(one(beyond, "//section[@id='comments']"))


@pytest.fixture
def chat() -> Iterator[ChatStub]:
    """A real OpenAI-compatible HTTP server that answers what a test sets."""
    with served_chat_stub() as served:
        yield served


def _llm_site(make_site: SiteFactory, chat: ChatStub) -> Site:
    return make_site(automod="llm", llm_url=chat.url, llm_model="tiny")


def test_the_llm_s_hold_is_applied_and_posting_stays_quick(
    make_site: SiteFactory, chat: ChatStub
) -> None:
    chat.content, chat.tokens = "HOLD: it threatens the ferry crew", 75
    site = _llm_site(make_site, chat)
    site.sign_in(site.user("Ada Quill"))
    started = monotonic()
    answer = site.api(
        "POST", f"/api/articles/{site.article}/comments", {"body": "The crew had better watch out."}
    )
    assert monotonic() - started < 5  # no wait on the writer's one connection
    assert answer.status_code == 201
    posted = answer.json()
    assert posted["status"] == "held"
    assert "it threatens the ferry crew" in posted["held_reasons"][0]
    assert AnswerCache(site.database).tokens_today() == 75
    chat.content = "HOLD: still a threat"
    changed = site.api("PATCH", f"/api/comments/{posted['id']}", {"body": "Watch out, crew."})
    assert changed.status_code == 200 and changed.json()["status"] == "held"
    assert len(chat.requests) == 2


def test_while_the_llm_thinks_the_store_takes_other_writes(
    make_site: SiteFactory, chat: ChatStub
) -> None:
    chat.content, chat.delay = "ALLOW", 2.0
    site = _llm_site(make_site, chat)
    site.sign_in(site.user("Ada Quill"))
    answers: list[httpx2.Response] = []
    body = {"body": "The new timetable suits me."}
    poster = threading.Thread(
        target=lambda: answers.append(
            site.api("POST", f"/api/articles/{site.article}/comments", body)
        )
    )
    poster.start()
    deadline = monotonic() + 5
    while not chat.requests and monotonic() < deadline:
        sleep(0.01)
    assert chat.requests, "the LLM was never asked"
    started = monotonic()
    site.user("Bo Tarrant")  # a write of its own, while the LLM is still thinking
    waited = monotonic() - started
    poster.join(10)
    assert waited < 1.0, f"a write waited {waited:.1f} s for the LLM"
    assert [a.status_code for a in answers] == [201]
    assert answers[0].json()["status"] == "visible"


def test_a_permalink_counts_only_what_its_reader_is_shown(site: Site) -> None:
    from storyline.store.schema import Comment

    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    with site.database.write() as session:
        for n in range(51):  # the first held: Bo's thread shows 50 top-level comments
            session.add(
                Comment(
                    target_kind="article",
                    target_id=site.article,
                    user_id=ada,
                    body=f"Point {n}",
                    html=f"<p>Point {n}</p>",
                    status="held" if n == 0 else "visible",
                    created_at=datetime.now(UTC),
                )
            )
    with site.database.read() as session:
        ids = list(session.scalars(select(Comment.id).order_by(Comment.id)))
    held, last = ids[0], ids[-1]
    url = f"/articles/{site.article}"

    def location(comment_id: int) -> str | int:
        answer = site.client.get(f"/comments/{comment_id}", follow_redirects=False)
        return answer.headers["location"] if answer.status_code == 303 else answer.status_code

    assert (location(held), location(last)) == (404, f"{url}#comment-{last}")  # signed out
    site.sign_in(bo)
    assert (location(held), location(last)) == (404, f"{url}#comment-{last}")
    assert last in comment_ids(site.page(url))
    site.sign_in(ada)
    assert (location(held), location(last)) == (
        f"{url}#comment-{held}",
        f"{url}?page=2#comment-{last}",
    )
    site.sign_in(bo)
    voted = site.form(f"/comments/{last}/vote", value="1")
    assert voted.headers["location"] == f"/comments/{last}"


def test_the_edit_page_leads_back_through_the_permalink(site: Site) -> None:
    site.sign_in(site.user("Ada Quill"))
    cid = site.post_comment("A first draft.")
    back = one(site.page(f"/comments/{cid}/edit"), "//a[text()='Back to the comments']")
    assert back.get("href") == f"/comments/{cid}"
    refused = site.form(f"/comments/{cid}/edit", body="   ")
    assert refused.status_code == 400
    back = one(parse(refused.text), "//a[text()='Back to the comments']")
    assert back.get("href") == f"/comments/{cid}"


def test_ids_and_texts_out_of_bounds_are_refused_not_failed(site: Site) -> None:
    site.sign_in(site.user("Ada Quill"))
    cid = site.post_comment("In range.")
    api = f"/api/articles/{site.article}/comments"
    form = f"/articles/{site.article}/comments"
    for huge in (2**63, 10**20):
        assert site.api("POST", api, {"body": "Hi.", "parent_id": huge}).status_code == 422
        assert site.form(form, body="Hi.", parent_id=str(huge)).status_code == 422
    assert site.api("POST", api, {"body": "Hi.", "parent_id": 0}).status_code == 422
    long = "x" * 100_001
    assert site.api("POST", api, {"body": long}).status_code == 422
    assert site.api("PATCH", f"/api/comments/{cid}", {"body": long}).status_code == 422
    site.sign_in(site.user("Bo Tarrant"))
    report = {"reason": "spam", "note": long}
    assert site.api("POST", f"/api/comments/{cid}/report", report).status_code == 422
    assert site.client.get(f"/api/comments/{cid}").json()["html"] == "<p>In range.</p>"


def test_a_nul_character_is_refused_with_a_reason(site: Site) -> None:
    site.sign_in(site.user("Ada Quill"))
    cid = site.post_comment("Tide tables.")
    api = f"/api/articles/{site.article}/comments"
    refused = site.api("POST", api, {"body": "Tide\u0000 tables."})
    assert refused.status_code == 400 and "NUL" in refused.json()["detail"]
    page = site.form(f"/articles/{site.article}/comments", body="Tide\u0000 tables.")
    assert page.status_code == 400
    assert "NUL" in text(one(parse(page.text), "//*[@role='alert']"))
    edited = site.api("PATCH", f"/api/comments/{cid}", {"body": "\u0000"})
    assert edited.status_code == 400
    site.sign_in(site.user("Bo Tarrant"))
    reported = site.api("POST", f"/api/comments/{cid}/report", {"reason": "spam", "note": "\u0000"})
    assert reported.status_code == 400 and "NUL" in reported.json()["detail"]
    assert site.client.get(api).json()["count"] == 1
