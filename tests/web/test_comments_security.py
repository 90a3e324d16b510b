"""What a hostile page, reader or script cannot do with comments: forge a form or an API
call, change someone else's comment, run a script through one, or moderate without the
role (or moderate an admin)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from storyline.store.schema import Comment
from tests.web.html import find, one, parse, text
from tests.web.test_comments import (  # noqa: F401  (fixtures used by name)
    Site,
    SiteFactory,
    make_site_fixture,
    site_fixture,
)

XSS = [
    "<script>alert('body')</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(document.cookie))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '"><svg onload=alert(1)>',
    "<a href=\"javascript:alert(2)\" onclick='alert(3)'>raw link</a>",
    "![pic](javascript:alert(4))",
    "<iframe src=https://evil.example></iframe>",
    "[ok](https://harbour.example/gauge 'title\" onmouseover=\"alert(5)')",
]
_ACTIVE = re.compile(r"<(script|iframe|svg|img|object|embed)\b", re.I)


def _inert(page_html: str) -> None:
    """No element, attribute or address in the served page can run a script."""
    assert not _ACTIVE.search(page_html), _ACTIVE.search(page_html)
    page = parse(page_html)
    for node in find(page, "//*"):
        for name, value in node.attrib.items():
            assert not name.lower().startswith("on"), (node.tag, name, value)
            lowered = re.sub(r"[\x00-\x20]+", "", value).lower()
            assert not lowered.startswith(("javascript:", "data:", "vbscript:")), (name, value)


def test_comment_forms_refuse_a_missing_or_wrong_csrf_token(site: Site) -> None:
    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    site.sign_in(bo)
    theirs = site.post_comment("Bo's comment.")
    site.sign_in(ada)
    mine = site.post_comment("Ada's comment.")
    site.csrf()
    posts: list[tuple[str, dict[str, Any]]] = [
        (f"/articles/{site.article}/comments", {"body": "Forged."}),
        (f"/comments/{mine}/edit", {"body": "Forged."}),
        (f"/comments/{mine}/delete", {}),
        (f"/comments/{theirs}/vote", {"value": "1"}),
        (f"/comments/{theirs}/report", {"reason": "spam"}),
    ]
    for path, fields in posts:
        for token in ({}, {"csrf_token": "not-the-token"}):
            answer = site.client.post(path, data={**fields, **token}, follow_redirects=False)
            assert answer.status_code == 403, (path, token)
    forged = site.client.post(
        f"/articles/{site.article}/comments",
        data={"body": "Forged.", "csrf_token": site.csrf()},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    thread = site.client.get(f"/api/articles/{site.article}/comments").json()
    assert [c["html"] for c in thread["comments"]] == [
        "<p>Bo's comment.</p>",
        "<p>Ada's comment.</p>",
    ]
    assert thread["comments"][0]["score"] == 0


def test_cookie_authenticated_api_calls_need_the_csrf_header(site: Site) -> None:
    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    site.sign_in(bo)
    theirs = site.post_comment("Bo's comment.")
    site.sign_in(ada)
    mine = site.post_comment("Ada's comment.")
    calls: list[tuple[str, str, Any]] = [
        ("POST", f"/api/articles/{site.article}/comments", {"body": "Forged."}),
        ("PATCH", f"/api/comments/{mine}", {"body": "Forged."}),
        ("DELETE", f"/api/comments/{mine}", None),
        ("POST", f"/api/comments/{theirs}/vote", {"value": 1}),
        ("POST", f"/api/comments/{theirs}/report", {"reason": "spam"}),
    ]
    for method, path, body in calls:
        for headers in ({}, {"X-CSRF-Token": "wrong"}):
            answer = site.client.request(method, path, json=body, headers=headers)
            assert answer.status_code == 403, (method, path, headers)
            assert "CSRF" in answer.json()["detail"]
        cross_site = site.client.request(
            method,
            path,
            json=body,
            headers={"X-CSRF-Token": site.csrf(), "Origin": "https://evil.example"},
        )
        assert cross_site.status_code == 403, (method, path)
    assert site.client.get(f"/api/comments/{mine}").json()["body"] == "Ada's comment."


def test_nobody_changes_or_deletes_someone_else_s_comment(site: Site) -> None:
    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    site.sign_in(ada)
    cid = site.post_comment("Ada wrote this.")
    site.sign_in(bo)
    assert site.client.get(f"/comments/{cid}/edit").status_code == 403
    assert site.form(f"/comments/{cid}/edit", body="Bo wrote this.").status_code == 403
    assert site.form(f"/comments/{cid}/delete").status_code == 403
    assert site.api("PATCH", f"/api/comments/{cid}", {"body": "Bo wrote this."}).status_code == 403
    assert site.api("DELETE", f"/api/comments/{cid}").status_code == 403
    assert site.api("POST", f"/api/comments/{cid}/vote", {"value": 1}).status_code == 200
    site.sign_out()
    assert site.api("PATCH", f"/api/comments/{cid}", {"body": "Anon."}).status_code == 401
    signed_out = site.form(f"/comments/{cid}/delete")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/signin?next=")
    with site.database.read() as session:
        stored = session.get(Comment, cid)
        assert stored is not None
        assert (stored.body, stored.status, stored.edited_at) == (
            "Ada wrote this.",
            "visible",
            None,
        )
    site.sign_in(ada)
    assert site.api("POST", f"/api/comments/{cid}/vote", {"value": 1}).status_code == 403
    assert site.client.get("/api/comments/99999999999999999999").status_code == 404


@pytest.mark.parametrize("payload", XSS)
def test_script_payloads_in_comments_render_inert(make_site: SiteFactory, payload: str) -> None:
    site = make_site(automod="none")
    ada, bo = site.user("<img src=x onerror=alert(9)>"), site.user("Bo Tarrant")
    site.sign_in(ada)
    cid = site.post_comment(payload)
    site.sign_in(bo)
    reported = site.api("POST", f"/api/comments/{cid}/report", {"reason": "abuse", "note": payload})
    assert reported.status_code == 201
    article = site.client.get(f"/articles/{site.article}")
    _inert(article.text)
    comment = one(parse(article.text), f"//li[@id='comment-{cid}']/div[@class='comment__text']")
    assert text(comment)  # the payload is shown, as text
    author = one(parse(article.text), f"//li[@id='comment-{cid}']//span[@class='comment__author']")
    assert text(author) == "<img src=x onerror=alert(9)>"
    for link in find(comment, ".//a"):
        assert link.get("rel") == "nofollow ugc noopener"
        assert link.get("href").startswith("https://")
    _inert(site.client.get(f"/comments/{cid}/report").text)
    site.sign_in(ada)
    edit = site.client.get(f"/comments/{cid}/edit")
    _inert(edit.text)
    assert one(parse(edit.text), "//textarea[@name='body']").text == payload
    site.sign_in(site.user("Mira Holt", role="moderator"))
    queue = site.client.get("/moderation")
    _inert(queue.text)
    assert payload in text(parse(queue.text))  # the reporter's note, as text


def test_readers_cannot_reach_the_moderation_queue_or_act(site: Site) -> None:
    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    site.sign_in(ada)
    cid = site.post_comment("A comment.")
    site.sign_in(bo)
    for path in ("/moderation", "/moderation/log", "/api/moderation/queue", "/api/moderation/log"):
        assert site.client.get(path).status_code == 403, path
    assert site.form(f"/moderation/comments/{cid}/hide", reason="mine now").status_code == 403
    assert site.form(f"/moderation/users/{ada}/ban", reason="mine now").status_code == 403
    hide = site.api("POST", f"/api/moderation/comments/{cid}/hide", {"reason": "x"})
    assert hide.status_code == 403
    ban = site.api("POST", f"/api/moderation/users/{ada}/ban", {"reason": "x"})
    assert ban.status_code == 403
    site.sign_out()
    assert site.client.get("/api/moderation/queue").status_code == 401
    page = site.client.get("/moderation", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/signin?next=/moderation")
    assert site.client.get(f"/api/comments/{cid}").json()["status"] == "visible"
    assert not find(
        parse(site.client.get(f"/articles/{site.article}").text), "//a[@href='/moderation']"
    )


def test_moderators_cannot_act_on_admins(site: Site) -> None:
    admin = site.user("Ada Quill", role="admin")
    site.sign_in(admin)
    cid = site.post_comment("House rules: be kind.")
    mod = site.user("Mira Holt", role="moderator")
    site.sign_in(mod)
    for action in ("hide", "delete"):
        answer = site.api("POST", f"/api/moderation/comments/{cid}/{action}", {"reason": "x"})
        assert answer.status_code == 403
        assert "admin" in answer.json()["detail"]
        form = site.form(f"/moderation/comments/{cid}/{action}", reason="x")
        assert form.status_code == 403
        assert "admin" in text(one(parse(form.text), "//*[@role='alert']"))
    for action in ("warn", "suspend", "ban"):
        body = {"reason": "x", "days": 1}
        answer = site.api("POST", f"/api/moderation/users/{admin}/{action}", body)
        assert answer.status_code == 403, action
    assert site.api("POST", f"/api/moderation/users/{mod}/ban", {"reason": "x"}).status_code == 403
    site.sign_in(admin)
    assert (
        site.api("POST", f"/api/moderation/users/{mod}/warn", {"reason": "be fair"}).status_code
        == 200
    )
    assert site.client.get(f"/api/comments/{cid}").json()["status"] == "visible"
