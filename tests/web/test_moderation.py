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
    # The permalink, which finds the comment's page of a long thread.
    assert one(tools, ".//input[@name='next']").get("value") == f"/comments/{cid}"
    hidden = site.form(f"/moderation/comments/{cid}/hide", reason="phone", next=f"/comments/{cid}")
    assert (hidden.status_code, hidden.headers["location"]) == (303, f"/comments/{cid}")
    back = site.client.get(f"/comments/{cid}", follow_redirects=False)
    assert back.headers["location"] == f"{url}#comment-{cid}"  # a moderator sees it still
    # Deleted, it has no permalink any more: back to its thread.
    answer = site.form(
        f"/moderation/comments/{cid}/delete", reason="personal details", next=f"/comments/{cid}"
    )
    assert (answer.status_code, answer.headers["location"]) == (303, f"{url}#comments")
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


def test_a_moderator_cannot_act_on_their_own_comment(site: Site) -> None:
    mod = _moderator(site)
    cid = site.post_comment("A moderator's own opinion.")
    for action in ("hide", "delete", "approve"):
        answer = site.api("POST", f"/api/moderation/comments/{cid}/{action}", {"reason": "x"})
        assert answer.status_code == 403 and "your own comment" in answer.json()["detail"]
    site.sign_in(site.user("Bo Tarrant"))
    site.api("POST", f"/api/comments/{cid}/report", {"reason": "abuse"})
    site.sign_in(mod)
    item = one(site.page("/moderation"), f"//li[@id='queue-{cid}']")
    assert "another moderator decides on it" in text(item)
    assert not find(item, ".//form")
    assert site.client.get(f"/api/comments/{cid}").json()["status"] == "visible"


def test_the_account_forms_take_a_cleared_duration_and_a_year_at_most(site: Site) -> None:
    ada = site.user("Ada Quill")
    site.sign_in(ada)
    held = site.post_comment(SHORTENED)
    _moderator(site)
    field = one(site.page("/moderation"), f"//input[@id='duration-{held}']")
    assert (field.get("min"), field.get("max")) == ("1", "365")
    user = f"/moderation/users/{ada}"
    for action, duration in (("warn", ""), ("warn", "0"), ("ban", ""), ("reinstate", "oops")):
        answer = site.form(f"{user}/{action}", reason="spam", duration=duration, unit="days")
        assert (answer.status_code, action) == (303, action)
    for duration, unit in (("", "days"), ("0", "days"), ("366", "days"), ("8761", "hours")):
        refused = site.form(f"{user}/suspend", reason="spam", duration=duration, unit=unit)
        assert refused.status_code == 400, (duration, unit)
        assert "at most a year" in text(one(parse(refused.text), "//*[@role='alert']"))
    for duration, unit in (("365", "days"), ("8760", "hours")):
        done = site.form(f"{user}/suspend", reason="spam", duration=duration, unit=unit)
        assert done.status_code == 303, (duration, unit)
    api = f"/api/moderation/users/{ada}/suspend"
    assert site.api("POST", api, {"reason": "spam", "days": 366}).status_code == 422
    assert site.api("POST", api, {"reason": "spam", "hours": 8761}).status_code == 422
    assert site.api("POST", api, {"reason": "spam", "days": 365}).status_code == 200


def test_ids_and_reasons_out_of_bounds_are_refused_not_failed(site: Site) -> None:
    ada = site.user("Ada Quill")
    site.sign_in(ada)
    cid = site.post_comment("Ferry passes, cheap.")
    _moderator(site)
    warn = f"/api/moderation/users/{ada}/warn"
    for huge in (2**63, 10**20):
        body = {"reason": "spam", "comment_id": huge}
        assert site.api("POST", warn, body).status_code == 422
        form = site.form(f"/moderation/users/{ada}/warn", reason="spam", comment_id=str(huge))
        assert form.status_code == 422
    too_long = "x" * 10_001
    assert site.api("POST", warn, {"reason": too_long}).status_code == 422
    hide = f"/api/moderation/comments/{cid}/hide"
    assert site.api("POST", hide, {"reason": too_long}).status_code == 422
    nul = site.api("POST", hide, {"reason": "spam\u0000"})
    assert nul.status_code == 400 and "NUL" in nul.json()["detail"]
    assert site.client.get(f"/api/comments/{cid}").json()["status"] == "visible"
