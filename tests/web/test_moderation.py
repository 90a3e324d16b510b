"""The moderators' queue, their actions from the queue and from a thread, and the log,
through the pages and the API."""

from __future__ import annotations

from sqlalchemy import select

from storyline.store.schema import ModerationAction, Notification, User
from tests.readers.test_comments import SHORTENED
from tests.web.html import cls, find, one, parse, text
from tests.web.test_comments import (  # noqa: F401  (fixtures used by name)
    Site,
    comment_ids,
    make_site_fixture,
    site_fixture,
)


def _moderator(site: Site) -> int:
    mod = site.user("Mira Holt", role="moderator")
    site.sign_in(mod)
    return mod


def test_a_false_hold_is_released_with_one_click(site: Site) -> None:
    ada, bo = site.user("Ada Quill"), site.user("Bo Tarrant")
    site.sign_in(ada)
    held = site.post_comment(SHORTENED)
    _moderator(site)
    queue = site.page("/moderation")
    item = one(queue, f"//li[@id='queue-{held}']")
    assert "shortener" in text(one(item, f".//ul[{cls('queue-item__reasons')}]"))
    release = one(item, f".//form[@action='/moderation/comments/{held}/approve']")
    fields = [f.get("name") for f in find(release, ".//input | .//textarea | .//select")]
    assert fields == ["csrf_token"]  # nothing to fill in: one click
    answer = site.form(f"/moderation/comments/{held}/approve")
    assert (answer.status_code, answer.headers["location"]) == (303, "/moderation?done=approve")
    after = site.page(answer.headers["location"])
    assert "The comment is shown" in text(one(after, "//*[@role='status']"))
    assert not find(after, f"//li[@id='queue-{held}']")
    site.sign_in(bo)
    assert comment_ids(site.page(f"/articles/{site.article}")) == [held]
    with site.database.read() as session:
        [note] = session.scalars(select(Notification).where(Notification.user_id == ada)).all()
        [entry] = session.scalars(
            select(ModerationAction).where(ModerationAction.action == "approve")
        ).all()
    assert note.key == f"moderation:{entry.id}"


def test_reports_are_grouped_and_hiding_tells_the_author_why(site: Site) -> None:
    ada, bo, cy = (site.user(n) for n in ("Ada Quill", "Bo Tarrant", "Cy Penrose"))
    site.sign_in(ada)
    cid = site.post_comment("Let us talk about football instead.")
    for reporter in (bo, cy):
        site.sign_in(reporter)
        site.api("POST", f"/api/comments/{cid}/report", {"reason": "off-topic", "note": "again"})
    mod = _moderator(site)
    queue = site.client.get("/api/moderation/queue").json()
    [item] = queue["reported"]
    assert item["reports"]["count"] == 2
    assert item["reports"]["reasons"] == [{"reason": "off-topic", "label": "Off-topic", "count": 2}]
    page = site.page("/moderation")
    assert text(one(page, f"//li[@id='queue-{cid}']//h4")) == "2 reports"

    missing = site.form(f"/moderation/comments/{cid}/hide", reason="")
    assert missing.status_code == 400
    assert "Give a reason" in text(one(parse(missing.text), "//*[@role='alert']"))
    hidden = site.form(f"/moderation/comments/{cid}/hide", reason="off-topic")
    assert (hidden.status_code, hidden.headers["location"]) == (303, "/moderation?done=hide")
    assert site.client.get("/api/moderation/queue").json()["reported"] == []

    site.sign_in(ada)
    own = one(site.page(f"/articles/{site.article}"), f"//li[@id='comment-{cid}']")
    assert text(one(own, f"./p[{cls('comment__notice')}]")) == (
        "Hidden by a moderator: off-topic. Only you can see it."
    )
    with site.database.read() as session:
        [note] = session.scalars(select(Notification).where(Notification.user_id == ada)).all()
    assert (note.kind, note.text) == ("moderation", "A moderator hid your comment: off-topic")
    assert note.url == f"/comments/{cid}"
    site.sign_in(bo)
    assert comment_ids(site.page(f"/articles/{site.article}")) == []

    site.sign_in(mod)
    log = site.client.get("/api/moderation/log").json()
    assert [(e["action"], e["moderator"], e["user"], e["reason"]) for e in log["entries"]] == [
        ("hide", "Mira Holt", "Ada Quill", "off-topic")
    ]
    entry = one(site.page("/moderation/log"), f"//li[{cls('moderation-log__entry')}]")
    assert "Mira Holt hid comment" in text(entry) and "by Ada Quill" in text(entry)
    assert one(entry, ".//a").get("href") == f"/comments/{cid}"


def test_a_moderator_acts_from_the_thread_and_returns_to_it(site: Site) -> None:
    ada = site.user("Ada Quill")
    site.sign_in(ada)
    cid = site.post_comment("Call me on 555 0101.")
    _moderator(site)
    url = f"/articles/{site.article}"
    tools = one(site.page(url), f"//li[@id='comment-{cid}']//details[summary='Moderate']")
    assert one(tools, ".//input[@name='next']").get("value") == f"{url}#comment-{cid}"
    answer = site.form(
        f"/moderation/comments/{cid}/delete", reason="personal details", next=f"{url}#comment-{cid}"
    )
    assert (answer.status_code, answer.headers["location"]) == (303, f"{url}#comment-{cid}")
    assert comment_ids(site.page(url)) == []
    away = site.form(f"/moderation/comments/{cid}/delete", reason="x", next="//evil.example/")
    assert away.status_code == 404  # already deleted; and a foreign next is never followed
    assert "evil" not in away.headers.get("location", "")


def test_suspending_through_the_api_stops_posting_until_reinstated(site: Site) -> None:
    ada = site.user("Ada Quill")
    site.sign_in(ada)
    cid = site.post_comment("First comment.")
    mod = _moderator(site)
    suspend = f"/api/moderation/users/{ada}/suspend"
    answer = site.api("POST", suspend, {"reason": "insults", "hours": 12, "comment_id": cid})
    assert answer.status_code == 200
    entry = answer.json()
    assert (entry["action"], entry["user_id"], entry["comment_id"]) == ("suspend", ada, cid)
    assert entry["until"] is not None
    assert site.api("POST", suspend, {"reason": "no length"}).status_code == 400
    exile = site.api("POST", f"/api/moderation/users/{ada}/exile", {"reason": "x"})
    assert exile.status_code == 422
    comment = {"body": "Hello?"}
    site.sign_in(ada)
    refused = site.api("POST", f"/api/articles/{site.article}/comments", comment)
    assert refused.status_code == 403
    site.sign_in(mod)
    reinstated = site.form(f"/moderation/users/{ada}/reinstate", reason="appeal accepted")
    assert reinstated.status_code == 303
    site.sign_in(ada)
    assert site.api("POST", f"/api/articles/{site.article}/comments", comment).status_code == 201


def test_a_ban_from_the_queue_form_with_a_duration_field_left_as_is(site: Site) -> None:
    ada = site.user("Ada Quill")
    site.sign_in(ada)
    held = site.post_comment(SHORTENED)
    _moderator(site)
    form = one(site.page("/moderation"), f"//form[@action='/moderation/users/{ada}/warn']")
    labels = {label.get("for") for label in find(form, ".//label")}
    for field in find(form, ".//input[not(@type='hidden')] | .//select"):
        assert field.get("id") in labels
    banned = site.form(
        f"/moderation/users/{ada}/ban", reason="spam", duration="1", unit="days", comment_id=held
    )
    assert (banned.status_code, banned.headers["location"]) == (303, "/moderation?done=ban")
    with site.database.read() as session:
        user = session.get(User, ada)
        assert user is not None and user.status == "banned"
    item = one(site.page("/moderation"), f"//li[@id='queue-{held}']")
    assert "banned" in text(one(item, "./p[@class='meta']"))
