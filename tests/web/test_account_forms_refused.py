"""Account forms sent with values no page offers (a hand-made request): the page again
with the reason, or a 404, never the generic error page or a server error; on SQLite and
PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from storyline.store import Database
from storyline.store.schema import User
from tests.web.html import one, parse, text
from tests.web.test_accounts import make_user, post_form, sign_in


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
