"""A form's notice shows once, on the page it leads to, and nobody can put words on a page
of this site through its address."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Body, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient

from storyline.settings import Settings
from storyline.store import Database
from storyline.web import notices
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


def test_a_long_notice_in_any_script_fits_in_its_cookie() -> None:
    """Browsers drop a cookie of more than 4 KB without a word. A notice of 500
    characters of three or four UTF-8 bytes each percent-encodes to 4,500 or 6,000:
    it is cut short (with "…") until its encoded form takes 3,000 bytes at most."""
    app = FastAPI()

    @app.post("/act")
    async def act(request: Request, notice: str = Body(embed=True)) -> Response:
        return notices.redirect(request, "/shown", notice)

    @app.get("/shown")
    async def shown(request: Request) -> Response:
        return PlainTextResponse(notices.take(request) or "")

    cases = {
        "cyrillic": "ж" * 500,  # 6 bytes encoded each: exactly 3,000
        "han": "新闻" * 250,  # 9 each
        "emoji": "🗞" * 500,  # 12 each
        "mixed": ("Subscribed to “Gazeta Pólnocna” 🗞 " * 20)[:500],
        "ascii": "Subscribed to Harbour Daily. " * 17,
    }
    with TestClient(app) as client:
        for case, notice in cases.items():
            answer = client.post("/act", json={"notice": notice}, follow_redirects=False)
            [line] = [
                header
                for header in answer.headers.get_list("set-cookie")
                if header.startswith(f"{COOKIE}=")
            ]
            value = line.split(";", 1)[0].split("=", 1)[1]
            assert len(value) <= notices.MAX_ENCODED, case
            assert len(line) < 4000, case
            page = client.get("/shown").text
            expected = notice[: notices.MAX_CHARS]
            if quote(expected) == value:  # it fitted whole
                assert page == expected, case
            else:
                assert page.endswith("…") and expected.startswith(page[:-1]), case
                # Cut no shorter than it must: one character more would not fit.
                assert len(quote(expected[: len(page)] + "…")) > notices.MAX_ENCODED, case
