"""A form's notice shows once, on the page it leads to, and nobody can put words on a page
of this site through its address."""

from __future__ import annotations

from storyline.settings import Settings
from storyline.store import Database
from storyline.web.notices import COOKIE
from tests.web.html import cls, one, parse, text
from tests.web.test_accounts import app_client, make_user, post_form, set_cookies, sign_in

PHISH = "Your account is locked: re-enter your password at https://evil.example"


def test_a_notice_shows_once_on_the_page_the_form_leads_to(
    settings: Settings, database: Database
) -> None:
    make_user(database)
    with app_client(settings, database) as client:
        sign_in(client)
        answer = post_form(
            client, "/follow", mode="mute", kind="word", target="Gossip", next="/following"
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/following"
        cookie = set_cookies(answer)[COOKIE].lower()
        assert "path=/following" in cookie and "max-age=60" in cookie and "httponly" in cookie
        page = client.get("/following")
        assert text(one(parse(page.text), f"//*[{cls('notice')}]")) == "You muted “gossip”."
        assert COOKIE not in client.cookies  # shown, and cleared
        assert not parse(client.get("/following").text).xpath(f"//*[{cls('notice')}]")


def test_a_message_in_the_address_is_not_shown(settings: Settings, database: Database) -> None:
    make_user(database)
    with app_client(settings, database) as client:
        sign_in(client)
        for path in ("/following", "/for-you", "/saved", "/notifications", "/feeds"):
            page = client.get(path, params={"message": PHISH})
            assert page.status_code == 200, path
            assert "evil.example" not in page.text, path
