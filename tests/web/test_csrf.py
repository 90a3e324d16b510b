"""The CSRF checks hold against odd tokens and keep working for a reader who arrives from
another site; a suspended or banned moderator cannot moderate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import User
from storyline.web.csrf import COOKIE as CSRF_COOKIE
from storyline.web.csrf import same_token
from tests.web.test_accounts import (
    app_client,
    form_token,
    make_user,
    set_cookies,
    sign_in,
)


def test_tokens_compare_as_bytes_and_missing_ones_never_match() -> None:
    assert same_token("abc", "abc")
    assert not same_token("abc", "abd")
    assert not same_token("abc", "é")  # compare_digest would raise on the str
    assert not same_token(None, "abc") and not same_token("abc", "") and not same_token("", "")


@pytest.mark.parametrize("forged", ["é", "токен", "\u00ff" * 43])
def test_a_token_outside_ascii_is_refused_not_an_error(
    settings: Settings, database: Database, forged: str
) -> None:
    make_user(database)
    with app_client(settings, database) as client:
        form_token(client)
        answer = client.post(
            "/signin",
            data={"csrf_token": forged, "email": "x@example.org", "password": "y"},
            follow_redirects=False,
        )
        assert answer.status_code == 403
        sign_in(client)
        api = client.post(
            "/api/articles/1/comments",
            json={"body": "Hello there."},
            headers={"X-CSRF-Token": forged.encode()},  # read back as Latin-1
        )
        assert api.status_code == 403


def test_the_csrf_cookie_is_lax_so_a_reader_arriving_from_a_link_keeps_their_token(
    settings: Settings, database: Database
) -> None:
    with app_client(settings, database) as client:
        first = client.get("/signin")
        line = set_cookies(first)[CSRF_COOKIE].lower()
        assert "samesite=lax" in line and "httponly" in line
        # The cookie comes back with a visit from a link elsewhere (Lax sends it with
        # top-level navigations): the page keeps the token instead of setting a new one.
        token = client.cookies[CSRF_COOKIE]
        again = client.get("/signin", headers={"Referer": "https://mail.example/inbox"})
        assert CSRF_COOKIE not in set_cookies(again)
        assert client.cookies[CSRF_COOKIE] == token


@pytest.mark.parametrize("status", ["suspended", "banned"])
def test_a_sanctioned_moderator_cannot_moderate(
    settings: Settings, database: Database, status: str
) -> None:
    moderator = make_user(database, "mod@example.org", "Mara Quill", role="moderator")
    reader = make_user(database, "reader@example.org", "Odo Venn")
    with app_client(settings, database) as client:
        assert sign_in(client, "mod@example.org").status_code == 303
        with database.write() as session:  # sanctioned while signed in
            user = session.get(User, moderator)
            assert user is not None
            user.status = status
            user.suspended_until = (
                datetime.now(UTC) + timedelta(days=2) if status == "suspended" else None
            )
        token = form_token(client)
        assert client.get("/moderation").status_code == 403
        answer = client.post(
            f"/api/moderation/users/{reader}/ban",
            json={"reason": "Spam."},
            headers={"X-CSRF-Token": token},
        )
        assert answer.status_code == 403
        assert "suspended or banned" in answer.json()["detail"]
    with database.read() as session:
        target = session.get(User, reader)
        assert target is not None and target.status == "active"
