"""The reader of each request: sessions extended on use (cookie too), API tokens' last use
recorded, the CSRF cookie set once, a malformed Cookie header read as no cookies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from storyline.readers import accounts
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import ApiToken, User, UserSession
from storyline.web.auth import SESSION_COOKIE
from tests.web.conftest import TestClient


def _reader(database: Database, settings: Settings) -> tuple[int, str, str]:
    with database.write() as session:
        user = accounts.create_user(
            session,
            email="nils@example.org",
            name="Nils Aberg",
            password="long enough secret",
            settings=settings,
        )
        token = accounts.start_session(session, user, settings)
        _, api_token = accounts.create_api_token(session, user, "phone app")
        return user.id, token, api_token


def test_a_session_used_after_a_while_lives_on_and_so_does_its_cookie(
    empty_client: TestClient, database: Database, settings: Settings
) -> None:
    user_id, token, _ = _reader(database, settings)
    empty_client.cookies.set(SESSION_COOKIE, token)
    fresh = empty_client.get("/")
    assert "Nils Aberg" in fresh.text
    assert SESSION_COOKIE not in fresh.headers.get("set-cookie", "")  # used just now
    earlier = datetime.now(UTC) - timedelta(hours=2)
    with database.write() as session:
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id)
            .values(last_seen_at=earlier, expires_at=earlier + timedelta(days=1))
        )
    answer = empty_client.get("/")
    assert f"{SESSION_COOKIE}={token}" in answer.headers["set-cookie"]
    assert f"Max-Age={settings.session_days * 24 * 3600}" in answer.headers["set-cookie"]
    with database.read() as session:
        row = session.query(UserSession).filter_by(user_id=user_id).one()
        assert row.expires_at > datetime.now(UTC) + timedelta(days=settings.session_days - 1)


def test_an_api_token_records_its_last_use_and_never_reaches_pages(
    empty_client: TestClient, database: Database, settings: Settings
) -> None:
    _, _, api_token = _reader(database, settings)
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert empty_client.get("/api/account", headers=bearer).json()["name"] == "Nils Aberg"
    with database.read() as session:
        [row] = session.query(ApiToken).all()
        assert row.last_used_at is not None
    assert "Nils Aberg" not in empty_client.get("/", headers=bearer).text


def test_a_malformed_cookie_header_reads_as_signed_out(
    empty_client: TestClient, database: Database, settings: Settings
) -> None:
    _reader(database, settings)
    answer = empty_client.get("/", headers={"Cookie": 'storyline_session="\\x00; ;=;'})
    assert answer.status_code == 200 and "Sign in" in answer.text


def test_a_banned_reader_can_still_confirm_their_password(
    database: Database, settings: Settings
) -> None:
    user_id, _, _ = _reader(database, settings)
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.status = "banned"
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        accounts.verify_password(session, settings, user, "long enough secret", address=None)
