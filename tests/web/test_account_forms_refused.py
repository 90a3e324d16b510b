"""Account forms sent with values no page offers (a hand-made request): the page again
with the reason, or a 404, never the generic error page or a server error; on SQLite and
PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from storyline.store import Database
from storyline.store.schema import ApiToken, User
from tests.web.html import one, parse, text
from tests.web.test_accounts import PASSWORD, csrf_header, make_user, post_form, sign_in


def test_a_digest_no_page_offers_shows_the_account_page_with_the_reason(
    empty_client: TestClient, database: Database
) -> None:
    user_id = make_user(database)
    sign_in(empty_client)
    answer = post_form(empty_client, "/account/preferences", digest="hourly")
    assert answer.status_code == 422
    page = parse(answer.text)
    alert = one(page, "//*[@role='alert']")
    assert "Choose a digest: off, daily or weekly." in text(alert)
    assert one(alert, ".//a").get("href") == "#preferences"
    form = one(page, "//form[@action='/account/preferences']")
    beside = one(form, ".//p[@id='preferences-error']")  # the reason beside the form too
    assert "Choose a digest: off, daily or weekly." in text(beside)
    with database.read() as session:
        user = session.get(User, user_id)
        assert user is not None and (user.preferences or {}).get("digest") is None


def test_revoking_a_token_id_no_database_holds_is_not_found(
    empty_client: TestClient, database: Database
) -> None:
    make_user(database)
    sign_in(empty_client)
    for token_id in ("99999999999999999999", str(2**63), "424242"):
        answer = post_form(empty_client, f"/account/tokens/{token_id}/revoke")
        assert answer.status_code == 404, token_id


def test_revoking_a_token_id_no_database_holds_through_the_api_is_not_found(
    empty_client: TestClient, database: Database
) -> None:
    make_user(database)
    sign_in(empty_client)
    for token_id in ("100000000000000000000", str(2**63), "424242"):
        answer = empty_client.delete(
            f"/api/account/tokens/{token_id}", headers=csrf_header(empty_client)
        )
        assert answer.status_code == 404, token_id
        assert answer.json()["detail"] == f"you have no API token {token_id}"


def test_u0000_and_other_control_characters_are_refused_with_a_reason(
    empty_client: TestClient, database: Database
) -> None:
    """PostgreSQL cannot store U+0000 in text, nor compare text with it: each field that
    reaches the database refuses it (or answers as for any value it does not know)."""
    make_user(database)
    for email in ("ana\x00@example.org", "ana@exam\x07ple.org", "ana\u200b@example.org"):
        signup = empty_client.post(
            "/api/signup", json={"email": email, "name": "Ana Brisk", "password": PASSWORD}
        )
        assert signup.status_code == 400 and "cannot be part of one" in signup.json()["detail"]
        signin = empty_client.post("/api/signin", json={"email": email, "password": PASSWORD})
        assert signin.status_code == 401 and "do not match" in signin.json()["detail"]
    sign_in(empty_client)
    named = empty_client.post(
        "/api/account/tokens", json={"name": "Pocket\x00reader"}, headers=csrf_header(empty_client)
    )
    assert named.status_code == 400 and "cannot be shown" in named.json()["detail"]
    page = post_form(empty_client, "/account/tokens", name="Pocket\x00reader")
    assert page.status_code == 400 and "cannot be shown" in text(
        one(parse(page.text), "//*[@role='alert']")
    )
    with database.read() as session:
        assert session.scalars(select(ApiToken)).all() == []


def test_ending_a_session_that_is_not_a_session_id_is_not_found(
    empty_client: TestClient, database: Database
) -> None:
    """Session ids are sha256 digests in hex; anything else, U+0000 among it, names none."""
    make_user(database)
    sign_in(empty_client)
    for session_id in ("%00", "a%00b", "not-a-session", "0" * 64, "A" * 64, "f" * 63):
        api = empty_client.delete(
            f"/api/account/sessions/{session_id}", headers=csrf_header(empty_client)
        )
        assert api.status_code == 404, session_id
        assert api.json()["detail"] == "you have no such signed-in browser"
        page = post_form(empty_client, f"/account/sessions/{session_id}/end")
        assert page.status_code == 404, session_id
    assert empty_client.get("/api/account").status_code == 200  # still signed in
