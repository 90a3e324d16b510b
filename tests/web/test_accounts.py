"""The account pages and their API, through the real app on SQLite and PostgreSQL: sign-up,
sign-in and out, the account page (password, browsers, tokens, preferences, invitations,
data, deletion) and password reset by mail through a real SMTP server."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import select

from storyline.readers import accounts
from storyline.readers.moderation import act_on_user
from storyline.readers.notifications import wants
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import SignInFailure, User
from storyline.web import create_app
from storyline.web.account_api import AccountOut, SessionOut, TokenOut
from storyline.web.auth import SESSION_COOKIE
from storyline.web.csrf import COOKIE as CSRF_COOKIE
from tests.conftest import QUICK_HASH
from tests.support.smtp_server import served_smtp
from tests.web.html import find, one, parse, text

PASSWORD = "violet harbour lantern"
NEW_PASSWORD = "seventeen paper kites"
EMAIL = "mira@example.org"
COOKIE_DOMAIN = "testserver.local"  # where the TestClient keeps the app's cookies
NAME = "Mira Okonkwo"


# Helpers shared with test_accounts_security ---------------------------------------------


def make_user(
    database: Database, email: str = EMAIL, name: str = NAME, role: str = "reader"
) -> int:
    with database.write() as session:
        user = accounts.create_user(
            session, email=email, name=name, password=PASSWORD, role=role, settings=QUICK_HASH
        )
        return user.id


@contextmanager
def app_client(
    settings: Settings,
    database: Database,
    *,
    address: str = "testclient",
    https: bool = False,
    **changes: Any,
) -> Iterator[TestClient]:
    """A client, from ``address``, of the app over ``database`` with ``settings`` changed
    by ``changes`` (``registration``, ``smtp_url``…); ``https`` serves it over https."""
    app = create_app(dataclasses.replace(settings, **changes), database)
    base_url = "https://testserver" if https else "http://testserver"
    with TestClient(app, base_url=base_url, client=(address, 50000)) as client:
        yield client


def form_token(client: TestClient) -> str:
    """This browser's CSRF token, fetching a page first when it has none yet."""
    if CSRF_COOKIE not in client.cookies:
        client.get("/signin")
    return client.cookies[CSRF_COOKIE]


def post_form(client: TestClient, path: str, **fields: str) -> httpx2.Response:
    data = {"csrf_token": form_token(client), **fields}
    return client.post(path, data=data, follow_redirects=False)


def sign_in(
    client: TestClient, email: str = EMAIL, password: str = PASSWORD, **fields: str
) -> httpx2.Response:
    return post_form(client, "/signin", email=email, password=password, **fields)


def csrf_header(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": form_token(client)}


def set_cookies(response: httpx2.Response) -> dict[str, str]:
    """Each cookie the response sets, by name: its whole ``Set-Cookie`` line."""
    lines = response.headers.get_list("set-cookie")
    return {line.split("=", 1)[0]: line for line in lines}


def stored_user(database: Database, email: str = EMAIL) -> User | None:
    with database.read() as session:
        return session.scalar(select(User).where(User.email == email))


# Sign-up ----------------------------------------------------------------------------------


def test_sign_up_signs_in_and_tells_the_first_account_how_to_become_admin(
    empty_client: TestClient, database: Database, settings: Settings
) -> None:
    page = parse(empty_client.get("/signup").text)
    assert [label.get("for") for label in find(page, "//main//label")] == [
        "signup-name",
        "signup-email",
        "signup-password",
    ]
    answer = post_form(
        empty_client, "/signup", email="Mira@Example.org", name=f"  {NAME} ", password=PASSWORD
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/account?done=welcome"
    assert SESSION_COOKIE in set_cookies(answer)
    account = parse(empty_client.get(answer.headers["location"]).text)
    assert "Your account is ready" in text(one(account, "//p[@role='status']"))
    assert f"storyline users set-role {EMAIL} admin" in text(account)
    assert "storyline users create --admin" in text(account)
    user = stored_user(database)
    assert user is not None and user.name == NAME and user.role == "reader"
    with database.write() as session:  # only the first account is told
        second = accounts.create_user(
            session,
            email="second@example.org",
            name="Second Reader",
            password=PASSWORD,
            settings=settings,
        )
        second_token = accounts.start_session(session, second, settings)
    first_token = empty_client.cookies.get(SESSION_COOKIE)
    empty_client.cookies.clear()
    empty_client.cookies.set(SESSION_COOKIE, second_token)
    assert "Second Reader" in (second_page := empty_client.get("/account").text)
    assert "set-role" not in second_page
    empty_client.cookies.clear()
    empty_client.cookies.set(SESSION_COOKIE, first_token)
    with database.write() as session:
        admin = session.get(User, user.id)
        assert admin is not None
        accounts.set_role(session, admin, "admin")
    assert "set-role" not in empty_client.get("/account").text


def test_sign_up_mistakes_are_shown_with_the_form_kept(
    empty_client: TestClient, database: Database
) -> None:
    make_user(database)
    answer = post_form(empty_client, "/signup", email=EMAIL, name="Another Name", password=PASSWORD)
    assert answer.status_code == 400
    page = parse(answer.text)
    assert "exists" in text(one(page, "//p[@role='alert']"))
    assert one(page, "//input[@name='email']").get("value") == EMAIL
    assert one(page, "//input[@name='name']").get("value") == "Another Name"
    assert one(page, "//input[@name='password']").get("value") is None
    short = post_form(empty_client, "/signup", email="a@example.org", name="Tal", password="short")
    assert short.status_code == 400 and "at least 10" in short.text
    assert SESSION_COOKIE not in set_cookies(short)


def test_sign_up_by_invitation_spends_the_code(settings: Settings, database: Database) -> None:
    make_user(database, "admin@example.org", "Site Keeper", role="admin")
    with app_client(settings, database, registration="invite") as admin:
        sign_in(admin, "admin@example.org")
        made = post_form(admin, "/account/invites")
        assert made.status_code == 200
        code = text(one(parse(made.text), "//div[contains(@class, 'account-secret')]//p[2]"))
        assert code not in admin.get("/account").text  # shown once
    with app_client(settings, database, registration="invite") as guest:
        page = parse(guest.get(f"/signup?invite={code}").text)
        assert one(page, "//input[@name='invite']").get("value") == code
        without = post_form(guest, "/signup", email=EMAIL, name=NAME, password=PASSWORD)
        assert without.status_code == 400 and "invitation" in without.text
        answer = post_form(guest, "/signup", email=EMAIL, name=NAME, password=PASSWORD, invite=code)
        assert answer.status_code == 303
        again = guest.post(
            "/api/signup",
            json={
                "email": "b@example.org",
                "name": "Bo Lind",
                "password": PASSWORD,
                "invite": code,
            },
        )
        assert again.status_code == 400 and "not valid" in again.json()["detail"]


def test_invitations_are_for_admins(settings: Settings, database: Database) -> None:
    make_user(database)
    with app_client(settings, database, registration="invite") as reader:
        sign_in(reader)
        assert "Invitations" not in reader.get("/account").text
        assert post_form(reader, "/account/invites").status_code == 403
        refused = reader.post("/api/account/invites", headers=csrf_header(reader))
        assert refused.status_code == 403


def test_closed_registration_says_so_and_refuses(settings: Settings, database: Database) -> None:
    with app_client(settings, database, registration="closed") as client:
        page = parse(client.get("/signup").text)
        assert "not taking new accounts" in text(one(page, "//main"))
        assert not find(page, "//main//form")
        assert "Create an account" not in client.get("/signin").text
        form = post_form(client, "/signup", email=EMAIL, name=NAME, password=PASSWORD)
        assert form.status_code == 403
        api = client.post("/api/signup", json={"email": EMAIL, "name": NAME, "password": PASSWORD})
        assert api.status_code == 403 and "not taking" in api.json()["detail"]
    assert stored_user(database) is None


# Sign-in and out --------------------------------------------------------------------------


def test_sign_in_sets_a_strict_session_cookie_and_goes_next(
    empty_client: TestClient, database: Database, settings: Settings
) -> None:
    make_user(database)
    page = parse(empty_client.get("/signin?next=/account%3Fdone%3Dpreferences").text)
    assert one(page, "//input[@name='next']").get("value") == "/account?done=preferences"
    answer = sign_in(empty_client, next="/account?done=preferences")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/account?done=preferences"
    cookie = set_cookies(answer)[SESSION_COOKIE]
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=lax"} <= attributes
    assert f"max-age={settings.session_days * 24 * 3600}" in attributes
    assert "secure" not in attributes  # plain http: a Secure cookie would never come back
    assert answer.headers["cache-control"] == "no-store"
    assert empty_client.get("/api/account").json()["email"] == EMAIL
    # Signed in, the sign-in page sends the reader on.
    onward = empty_client.get("/signin?next=/outlets", follow_redirects=False)
    assert onward.status_code == 303 and onward.headers["location"] == "/outlets"


def test_over_https_the_session_cookie_is_secure(settings: Settings, database: Database) -> None:
    make_user(database)
    with app_client(settings, database, https=True) as client:
        cookie = set_cookies(sign_in(client))[SESSION_COOKIE]
        assert "secure" in cookie.lower()


def test_a_wrong_password_shows_the_form_again(
    empty_client: TestClient, database: Database
) -> None:
    make_user(database)
    answer = sign_in(empty_client, password="not the password", next="/account")
    assert answer.status_code == 401
    page = parse(answer.text)
    assert "do not match" in text(one(page, "//p[@role='alert']"))
    assert one(page, "//input[@name='email']").get("value") == EMAIL
    assert one(page, "//input[@name='next']").get("value") == "/account"
    assert SESSION_COOKIE not in set_cookies(answer)
    assert empty_client.get("/api/account").status_code == 401


def test_sign_out_ends_the_session_and_clears_the_cookie(
    empty_client: TestClient, database: Database
) -> None:
    make_user(database)
    sign_in(empty_client)
    assert empty_client.get("/account").status_code == 200
    answer = post_form(empty_client, "/signout")
    assert answer.status_code == 303 and answer.headers["location"] == "/signin?done=signed-out"
    cleared = set_cookies(answer)[SESSION_COOKIE]
    assert 'storyline_session=""' in cleared and "max-age=0" in cleared.lower()
    assert "You are signed out" in empty_client.get("/signin?done=signed-out").text
    gone = empty_client.get("/account", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/signin?next=/account"


# The account page ---------------------------------------------------------------------------


def test_changing_the_password_keeps_this_browser_and_signs_out_the_others(
    settings: Settings, database: Database
) -> None:
    make_user(database)
    with app_client(settings, database) as here, app_client(settings, database) as there:
        sign_in(here)
        sign_in(there)
        wrong = post_form(here, "/account/password", current="not it", new=NEW_PASSWORD)
        assert wrong.status_code == 401
        assert "not right" in text(one(parse(wrong.text), "//p[@id='password-error']"))
        answer = post_form(here, "/account/password", current=PASSWORD, new=NEW_PASSWORD)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/account?done=password"
        assert "Your password is changed" in here.get(answer.headers["location"]).text
        assert there.get("/api/account").status_code == 401
    with app_client(settings, database) as later:
        assert sign_in(later).status_code == 401
        assert sign_in(later, password=NEW_PASSWORD).status_code == 303


def test_the_account_page_lists_browsers_and_ends_one(
    settings: Settings, database: Database
) -> None:
    make_user(database)
    with app_client(settings, database) as here, app_client(settings, database) as there:
        sign_in(here)
        sign_in(there)
        page = parse(here.get("/account").text)
        browsers = find(page, "//section[@id='sessions']/ul/li")
        assert len(browsers) == 2
        assert [bool(find(li, ".//*[text()='This browser']")) for li in browsers].count(True) == 1
        [end] = find(page, "//section[@id='sessions']//form[contains(@action, '/end')]")
        answer = post_form(here, end.get("action"))
        assert answer.headers["location"] == "/account?done=session#sessions"
        assert there.get("/api/account").status_code == 401
        assert here.get("/api/account").status_code == 200


def test_preferences_are_saved_from_the_form(empty_client: TestClient, database: Database) -> None:
    user_id = make_user(database)
    sign_in(empty_client)
    page = parse(empty_client.get("/account").text)
    assert len(find(page, "//input[@type='checkbox' and @checked]")) == 3
    assert one(page, "//input[@name='digest' and @checked]").get("value") == "off"
    answer = post_form(
        empty_client,
        "/account/preferences",
        notify_development="on",
        notify_moderation="on",
        digest="weekly",
    )
    assert answer.headers["location"] == "/account?done=preferences#preferences"
    with database.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.preferences["digest"] == "weekly"
        assert not wants(user.preferences, "reply")
        assert wants(user.preferences, "development") and wants(user.preferences, "moderation")
    page = parse(empty_client.get("/account").text)
    assert one(page, "//input[@name='digest' and @checked]").get("value") == "weekly"
    assert one(page, "//input[@id='notify-reply']").get("checked") is None


def test_an_api_token_is_shown_once_and_revoked_from_the_page(
    settings: Settings, database: Database
) -> None:
    make_user(database)
    with app_client(settings, database) as client:
        sign_in(client)
        made = post_form(client, "/account/tokens", name="Pocket reader")
        shown = text(one(parse(made.text), "//div[contains(@class, 'account-secret')]//code"))
        assert shown.startswith("sl_")
        page = client.get("/account").text
        assert "Pocket reader" in page and shown not in page
    with app_client(settings, database) as app:
        bearer = {"Authorization": f"Bearer {shown}"}
        assert app.get("/api/account", headers=bearer).json()["email"] == EMAIL
        with app_client(settings, database) as client:
            sign_in(client)
            [revoke] = find(
                parse(client.get("/account").text), "//form[contains(@action, 'revoke')]"
            )
            assert post_form(client, revoke.get("action")).headers["location"].endswith("#tokens")
        assert app.get("/api/account", headers=bearer).status_code == 401


def test_the_page_and_the_api_tell_when_a_token_was_last_used(
    settings: Settings, database: Database
) -> None:
    make_user(database)
    meta = "//section[@id='tokens']//span[contains(@class, 'account-list__meta')]"
    with app_client(settings, database) as client:
        sign_in(client)
        made = client.post(
            "/api/account/tokens", json={"name": "Night reader"}, headers=csrf_header(client)
        ).json()
        assert made["last_used_at"] is None
        assert client.get("/api/account/tokens").json()[0]["last_used_at"] is None
        assert "never used yet" in text(one(parse(client.get("/account").text), meta))
        with app_client(settings, database) as app:
            bearer = {"Authorization": f"Bearer {made['token']}"}
            assert app.get("/api/account", headers=bearer).status_code == 200
        [used] = client.get("/api/account/tokens").json()
        TokenOut.model_validate(used)
        assert used["last_used_at"] is not None and used["last_used_at"] >= used["created_at"]
        shown = one(parse(client.get("/account").text), meta)
        assert "last used" in text(shown) and "never" not in text(shown)
        assert find(shown, ".//time")[-1].get("datetime") == used["last_used_at"]


def test_the_data_download_is_a_json_attachment_without_secrets(
    empty_client: TestClient, database: Database
) -> None:
    make_user(database)
    sign_in(empty_client)
    post_form(empty_client, "/account/tokens", name="Kitchen tablet")
    answer = empty_client.get("/account/export")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["cache-control"] == "no-store"
    data = answer.json()
    assert data["account"]["email"] == EMAIL and data["account"]["name"] == NAME
    assert len(data["sessions"]) == 1
    assert [token["name"] for token in data["api_tokens"]] == ["Kitchen tablet"]
    assert "argon2" not in answer.text and "password_hash" not in answer.text
    assert empty_client.get("/api/account/export").json() == data


def test_deleting_the_account_needs_its_password(
    empty_client: TestClient, database: Database
) -> None:
    make_user(database)
    sign_in(empty_client)
    wrong = post_form(empty_client, "/account/delete", password="not it")
    assert wrong.status_code == 401
    assert "not right" in text(one(parse(wrong.text), "//p[@id='delete-error']"))
    assert stored_user(database) is not None
    answer = post_form(empty_client, "/account/delete", password=PASSWORD)
    assert answer.headers["location"] == "/signin?done=deleted"
    assert "max-age=0" in set_cookies(answer)[SESSION_COOKIE].lower()
    assert stored_user(database) is None
    assert "Your account is deleted" in empty_client.get("/signin?done=deleted").text


def test_a_banned_reader_can_still_delete_their_account(
    settings: Settings, database: Database
) -> None:
    """A ban stops posting, not leaving: the password confirms deletion, through the page
    and through the API, while a wrong one is still refused."""
    moderator_id = make_user(database, "keeper@example.org", "Site Keeper", role="moderator")
    by_page = make_user(database)
    by_api = make_user(database, "tove@example.org", "Tove Lindqvist")
    with app_client(settings, database) as page, app_client(settings, database) as api:
        sign_in(page)
        sign_in(api, "tove@example.org")
        with database.write() as session:
            for user_id in (by_page, by_api):
                act_on_user(
                    session,
                    user_id=user_id,
                    moderator_id=moderator_id,
                    action="ban",
                    reason="Repeated abuse of other readers.",
                    now=datetime.now(UTC),
                )
        account = parse(page.get("/account").text)
        assert "Banned" in text(one(account, "//dl[contains(@class, 'account-facts')]"))
        wrong = post_form(page, "/account/delete", password="not it")
        assert wrong.status_code == 401 and stored_user(database) is not None
        answer = post_form(page, "/account/delete", password=PASSWORD)
        assert answer.status_code == 303 and answer.headers["location"] == "/signin?done=deleted"
        assert stored_user(database) is None
        assert api.get("/api/account").json()["status"] == "banned"
        refused = api.request(
            "DELETE", "/api/account", json={"password": "not it"}, headers=csrf_header(api)
        )
        assert refused.status_code == 401 and stored_user(database, "tove@example.org")
        gone = api.request(
            "DELETE", "/api/account", json={"password": PASSWORD}, headers=csrf_header(api)
        )
        assert gone.status_code == 204
        assert stored_user(database, "tove@example.org") is None
        assert api.get("/api/account").status_code == 401


# The API ------------------------------------------------------------------------------------


def test_the_whole_account_through_the_api(empty_client: TestClient, database: Database) -> None:
    client = empty_client
    made = client.post("/api/signup", json={"email": EMAIL, "name": NAME, "password": PASSWORD})
    assert made.status_code == 201
    assert set(made.json()) == set(AccountOut.model_fields)
    header = {"X-CSRF-Token": made.headers["x-csrf-token"]}
    assert made.headers["x-csrf-token"] == client.cookies[CSRF_COOKIE]
    account = client.get("/api/account").json()
    AccountOut.model_validate(account)
    assert account["preferences"] == {
        "notify": {"development": True, "reply": True, "moderation": True},
        "digest": "off",
    }

    changed = client.patch(
        "/api/account/preferences",
        json={"notify": {"reply": False}, "digest": "daily"},
        headers=header,
    )
    assert changed.json()["notify"]["reply"] is False and changed.json()["digest"] == "daily"
    bad = client.patch("/api/account/preferences", json={"digest": "hourly"}, headers=header)
    assert bad.status_code == 422
    assert client.get("/api/account").json()["preferences"]["digest"] == "daily"

    token = client.post("/api/account/tokens", json={"name": "Script"}, headers=header)
    assert token.status_code == 201 and token.json()["token"].startswith("sl_")
    listed = client.get("/api/account/tokens").json()
    assert [TokenOut.model_validate(t).name for t in listed] == ["Script"]
    assert "token" not in listed[0]
    assert client.post("/api/account/tokens", json={"name": ""}, headers=header).status_code == 422

    [this] = client.get("/api/account/sessions").json()
    assert SessionOut.model_validate(this).current
    assert client.delete("/api/account/sessions/" + "0" * 64, headers=header).status_code == 404

    changed_password = client.post(
        "/api/account/password", json={"current": PASSWORD, "new": NEW_PASSWORD}, headers=header
    )
    assert changed_password.status_code == 200
    header = {"X-CSRF-Token": changed_password.headers["x-csrf-token"]}
    [renewed] = client.get("/api/account/sessions").json()
    assert renewed["id"] != this["id"]

    export = client.get("/api/account/export")
    assert [token["name"] for token in export.json()["api_tokens"]] == ["Script"]
    wrong = client.request("DELETE", "/api/account", json={"password": PASSWORD}, headers=header)
    assert wrong.status_code == 401 and wrong.json()["detail"] == "The password is not right."
    gone = client.request("DELETE", "/api/account", json={"password": NEW_PASSWORD}, headers=header)
    assert gone.status_code == 204
    assert stored_user(database) is None
    assert client.get("/api/account").status_code == 401


def test_api_sign_in_and_out(empty_client: TestClient, database: Database) -> None:
    make_user(database)
    wrong = empty_client.post("/api/signin", json={"email": EMAIL, "password": "nope"})
    assert wrong.status_code == 401 and "do not match" in wrong.json()["detail"]
    signed = empty_client.post("/api/signin", json={"email": EMAIL, "password": PASSWORD})
    assert signed.status_code == 200 and signed.json()["name"] == NAME
    header = {"X-CSRF-Token": signed.headers["x-csrf-token"]}
    assert empty_client.post("/api/signout", headers=header).status_code == 204
    assert empty_client.get("/api/account").status_code == 401
    invalid = empty_client.post("/api/signin", json={"email": EMAIL})
    assert invalid.status_code == 422
    too_long = empty_client.post("/api/signin", json={"email": EMAIL, "password": "x" * 5000})
    assert too_long.status_code == 422


def test_sign_out_everywhere_through_the_api_keeps_api_tokens(
    settings: Settings, database: Database
) -> None:
    make_user(database)
    with app_client(settings, database) as here, app_client(settings, database) as there:
        sign_in(here)
        sign_in(there)
        secret = here.post(
            "/api/account/tokens", json={"name": "Desk"}, headers=csrf_header(here)
        ).json()["token"]
        assert here.delete("/api/account/sessions", headers=csrf_header(here)).status_code == 204
        assert here.get("/api/account").status_code == 401
        assert there.get("/api/account").status_code == 401
        bearer = {"Authorization": f"Bearer {secret}"}
        assert there.get("/api/account", headers=bearer).status_code == 200
        assert there.post("/api/signout", headers=bearer).status_code == 400


def test_the_openapi_document_lists_the_account_api(empty_client: TestClient) -> None:
    paths = empty_client.get("/openapi.json").json()["paths"]
    expected = {
        "/api/signup": {"post"},
        "/api/signin": {"post"},
        "/api/signout": {"post"},
        "/api/account": {"get", "delete"},
        "/api/account/preferences": {"patch"},
        "/api/account/tokens": {"get", "post"},
        "/api/account/tokens/{token_id}": {"delete"},
        "/api/account/sessions": {"get", "delete"},
        "/api/account/sessions/{session_id}": {"delete"},
        "/api/account/password": {"post"},
        "/api/account/export": {"get"},
        "/api/account/invites": {"post"},
        "/api/reset": {"post"},
        "/api/reset/{token}": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            assert paths[path][method]["tags"] == ["account"], (path, method)
    assert not {"/signin", "/signup", "/account", "/reset"} & set(paths)
    account = paths["/api/account"]["get"]["responses"]
    assert account["200"]["content"]["application/json"]["schema"]["$ref"].endswith("AccountOut")
    assert "401" in account


# Password reset -----------------------------------------------------------------------------


def test_a_reset_link_arrives_by_mail_and_sets_a_new_password(
    settings: Settings, database: Database
) -> None:
    make_user(database)
    site = "https://news.example.org"
    with (
        served_smtp() as smtp,
        app_client(settings, database, smtp_url=smtp.url, base_url=site) as client,
    ):
        page = parse(client.get("/reset").text)
        assert one(page, "//label[@for='reset-email']") is not None
        answer = post_form(client, "/reset", email="MIRA@example.org")
        assert answer.status_code == 200
        assert "a link to choose a new password is on its way" in text(
            one(parse(answer.text), "//p[@role='status']")
        )
        [mail] = smtp.wait_for(1)
        assert mail["To"] == EMAIL and "Reset your Storyline password" in mail["Subject"]
        body = mail.get_body(("plain",))
        assert body is not None
        link = re.search(site + r"(/reset/[\w-]+)", body.get_content())
        assert link is not None
        path = link.group(1)
        form = parse(client.get(path).text)
        assert one(form, "//form").get("action") == path
        short = post_form(client, path, password="short")
        assert short.status_code == 400 and "at least 10" in short.text
        done = post_form(client, path, password=NEW_PASSWORD)
        assert done.status_code == 303 and done.headers["location"] == "/account?done=reset"
        assert client.get("/api/account").json()["email"] == EMAIL
    with app_client(settings, database) as later:
        assert sign_in(later).status_code == 401
        assert sign_in(later, password=NEW_PASSWORD).status_code == 303


def test_without_mail_the_reset_page_points_to_an_admin(
    empty_client: TestClient, settings: Settings
) -> None:
    assert settings.smtp_url == ""
    page = parse(empty_client.get("/reset").text)
    notice = text(one(page, "//p[@role='status']"))
    assert "not available here" in notice and "storyline users reset-link" in notice
    assert not find(page, "//main//form")
    assert post_form(empty_client, "/reset", email=EMAIL).status_code == 503
    api = empty_client.post("/api/reset", json={"email": EMAIL})
    assert api.status_code == 503 and "ask an admin" in api.json()["detail"].lower()


# The pages themselves -----------------------------------------------------------------------


def test_account_pages_are_accessible_and_script_free(
    empty_client: TestClient, database: Database
) -> None:
    make_user(database, role="admin")
    anonymous = ["/signin", "/signup", "/reset", "/reset/not-a-token"]
    pages = [(path, empty_client.get(path).text) for path in anonymous]
    sign_in(empty_client)
    pages.append(("/account", empty_client.get("/account").text))
    for path, body in pages:
        page = parse(body)
        assert len(find(page, "//h1")) == 1, path
        levels = [int(h.tag[1]) for h in find(page, "//main//h1|//main//h2|//main//h3")]
        assert all(after <= before + 1 for before, after in pairwise(levels)), path
        assert not find(page, "//script[not(@src)] | //style | //*[@style]"), path
        ids = [node.get("id") for node in find(page, "//*[@id]")]
        assert len(ids) == len(set(ids)), path
        for field in find(page, "//main//input[not(@type='hidden')]"):
            assert find(page, f"//label[@for='{field.get('id')}']"), (path, field.get("name"))
        for form in find(page, "//main//form[@method='post']"):
            assert find(form, ".//input[@name='csrf_token' and @value!='']"), path


def test_the_account_page_needs_a_signed_in_reader(empty_client: TestClient) -> None:
    answer = empty_client.get("/account", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/signin?next=/account"
    assert empty_client.get("/api/account").status_code == 401
    assert empty_client.get("/account/export", follow_redirects=False).status_code == 303


# Bans and the last admin -------------------------------------------------------------------


def test_a_banned_reader_signs_in_with_a_password_or_a_reset_link(
    settings: Settings, database: Database
) -> None:
    """A ban stops posting, not leaving: a banned reader whose session lapsed signs in
    again (by password, or by a reset link when it is forgotten) to read, download their
    data or delete their account, and reset and sign-in agree on it."""
    moderator_id = make_user(database, "keeper@example.org", "Site Keeper", role="moderator")
    user_id = make_user(database)
    with database.write() as session:
        act_on_user(
            session,
            user_id=user_id,
            moderator_id=moderator_id,
            action="ban",
            reason="Repeated abuse of other readers.",
            now=datetime.now(UTC),
        )
        user = session.get(User, user_id)
        assert user is not None
        token = accounts.create_reset(session, user)
    with app_client(settings, database) as by_password:
        assert sign_in(by_password).status_code == 303
        assert by_password.get("/api/account").json()["status"] == "banned"
        answer = by_password.post("/api/signin", json={"email": EMAIL, "password": PASSWORD})
        assert answer.status_code == 200 and answer.json()["status"] == "banned"
    with app_client(settings, database) as by_reset:
        done = post_form(by_reset, f"/reset/{token}", password=NEW_PASSWORD)
        assert done.status_code == 303 and done.headers["location"] == "/account?done=reset"
        assert by_reset.get("/api/account").json()["status"] == "banned"
        assert by_reset.get("/api/account/export").status_code == 200
        gone = by_reset.request(
            "DELETE", "/api/account", json={"password": NEW_PASSWORD}, headers=csrf_header(by_reset)
        )
        assert gone.status_code == 204 and stored_user(database) is None


def test_the_only_admin_cannot_delete_their_account(settings: Settings, database: Database) -> None:
    """Without an admin the operator pages (feeds, entity corrections) are everyone's, so
    the last admin's account stays until another account is admin."""
    make_user(database, role="admin")
    with app_client(settings, database) as page, app_client(settings, database) as api:
        sign_in(page)
        sign_in(api)
        refused = post_form(page, "/account/delete", password=PASSWORD)
        assert refused.status_code == 400
        reason = text(one(parse(refused.text), "//p[@id='delete-error']"))
        assert "only admin" in reason and "Make another account admin first." in reason
        by_api = api.request(
            "DELETE", "/api/account", json={"password": PASSWORD}, headers=csrf_header(api)
        )
        assert by_api.status_code == 400 and "admin first" in by_api.json()["detail"]
        assert stored_user(database) is not None
        # The password was right: neither refusal counts as a failed try.
        with database.read() as session:
            assert session.scalars(select(SignInFailure)).all() == []
        make_user(database, "second@example.org", "Second Admin", role="admin")
        assert post_form(page, "/account/delete", password=PASSWORD).status_code == 303
        assert stored_user(database) is None
