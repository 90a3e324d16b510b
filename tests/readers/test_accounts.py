"""Accounts in the store: passwords, sign-in throttling, sessions, tokens, resets, invites,
export and deletion, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from storyline.readers import accounts
from storyline.readers.accounts import AccountError, SignInThrottled
from storyline.settings import Settings, SettingsError, load_settings
from storyline.store import Database
from storyline.store.schema import (
    Comment,
    CommentVote,
    DigestDelivery,
    SignInFailure,
    User,
)
from tests.conftest import QUICK_HASH

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def _user(
    database: Database,
    email: str = "ines@example.org",
    name: str = "Ines Marr",
    settings: Settings | None = QUICK_HASH,
) -> int:
    with database.write() as session:
        user = accounts.create_user(
            session, email=email, name=name, password=PASSWORD, now=NOW, settings=settings
        )
        return user.id


def _stored_hash(database: Database, user_id: int) -> str:
    with database.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.password_hash


def _sign_in(database: Database, settings: Settings) -> None:
    with database.write() as session:
        accounts.authenticate(
            session, settings, email="ines@example.org", password=PASSWORD, address=None
        )


def test_password_is_stored_as_argon2id_at_rfc_9106s_low_memory_profile(
    database: Database,
) -> None:
    # The defaults are the strong cost (the suite's own settings use the lowest one).
    default = load_settings(environ={})
    assert (default.password_hash_memory_kib, default.password_hash_time_cost) == (65_536, 3)
    assert default == Settings()
    user_id = _user(database, settings=default)
    with database.read() as session:
        stored = session.get(User, user_id)
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert PASSWORD not in stored.password_hash
        assert stored.email == "ines@example.org"
    # Without settings, the default cost too.
    with database.write() as session:
        user = accounts.create_user(
            session, email="other@example.org", name="Other Name", password=PASSWORD
        )
        assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_hash_of_another_cost_verifies_and_is_redone_at_the_cost_in_force(
    database: Database, settings: Settings
) -> None:
    default = Settings()
    user_id = _user(database, settings=default)
    strong = _stored_hash(database, user_id)
    _sign_in(database, settings)  # the suite's settings: the lowest cost
    assert _stored_hash(database, user_id).startswith("$argon2id$v=19$m=32,t=1,p=4$")
    _sign_in(database, default)
    again = _stored_hash(database, user_id)
    assert again.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and again != strong
    # A hash made before the cost was a setting (argon2-cffi's defaults) is already at
    # the default cost: it verifies and is kept as it is.
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.password_hash = PasswordHasher().hash(PASSWORD)
    before = _stored_hash(database, user_id)
    _sign_in(database, default)
    assert _stored_hash(database, user_id) == before
    # A wrong password is refused whatever the cost of the stored hash.
    with database.write() as session, pytest.raises(AccountError, match="do not match"):
        accounts.authenticate(
            session, settings, email="ines@example.org", password="wrong guess!", address=None
        )
    assert _stored_hash(database, user_id) == before


def test_a_cost_argon2_cannot_take_is_a_settings_error(database: Database) -> None:
    for memory, passes in (("16", "1"), ("65536", "0")):
        cheap = load_settings(
            environ={
                "STORYLINE_PASSWORD_HASH_MEMORY_KIB": memory,
                "STORYLINE_PASSWORD_HASH_TIME_COST": passes,
            }
        )
        with pytest.raises(SettingsError, match="argon2 needs"):
            accounts.hash_password(PASSWORD, cheap)


@pytest.mark.parametrize(
    ("email", "name", "password", "message"),
    [
        ("not-an-address", "Ines Marr", PASSWORD, "email address"),
        ("a@example.org", "I", PASSWORD, "name of 2"),
        ("a@example.org", "Ines Marr", "short", "at least"),
        ("a@example.org", "Ines Marr", "a@example.org", "not your email"),
    ],
)
def test_invalid_accounts_are_refused_with_a_reason(
    database: Database, email: str, name: str, password: str, message: str
) -> None:
    with database.write() as session, pytest.raises(AccountError, match=message):
        accounts.create_user(session, email=email, name=name, password=password)


def test_email_and_name_are_unique_across_case(database: Database) -> None:
    _user(database)
    with database.write() as session, pytest.raises(AccountError, match="exists"):
        accounts.create_user(
            session, email="INES@Example.org", name="Other Name", password=PASSWORD
        )
    with database.write() as session, pytest.raises(AccountError, match="taken"):
        accounts.create_user(
            session, email="other@example.org", name="INES MARR", password=PASSWORD
        )


def test_sign_in_checks_the_password_and_one_message_serves_both_mistakes(
    database: Database, settings: Settings
) -> None:
    _user(database)
    with database.write() as session:
        user = accounts.authenticate(
            session, settings, email=" Ines@example.org", password=PASSWORD, address="10.0.0.1"
        )
        assert user.name == "Ines Marr"
    messages = []
    for email in ("ines@example.org", "nobody@example.org"):
        with database.write() as session, pytest.raises(AccountError) as caught:
            accounts.authenticate(
                session, settings, email=email, password="wrong password", address="10.0.0.1"
            )
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_sign_in_is_throttled_per_account_even_with_the_right_password(
    database: Database, settings: Settings
) -> None:
    _user(database)
    for attempt in range(settings.sign_in_limit):
        with database.write() as session, pytest.raises(AccountError):
            accounts.authenticate(
                session,
                settings,
                email="ines@example.org",
                password="wrong",
                address=f"10.0.0.{attempt}",
                now=NOW,
            )
    with database.write() as session, pytest.raises(SignInThrottled) as caught:
        accounts.authenticate(
            session,
            settings,
            email="ines@example.org",
            password=PASSWORD,
            address="10.9.9.9",
            now=NOW + timedelta(minutes=1),
        )
    assert 0 < caught.value.retry_after <= 15 * 60
    with database.write() as session:  # once the window has passed, it opens again
        accounts.authenticate(
            session,
            settings,
            email="ines@example.org",
            password=PASSWORD,
            address="10.9.9.9",
            now=NOW + timedelta(minutes=16),
        )


def test_sign_in_is_throttled_per_address_across_accounts(
    database: Database, settings: Settings
) -> None:
    strict = dataclasses.replace(settings, sign_in_limit=2)
    _user(database)
    for attempt in range(2 * accounts.ADDRESS_FACTOR):
        with database.write() as session, pytest.raises(AccountError):
            accounts.authenticate(
                session,
                strict,
                email=f"guess{attempt}@example.org",
                password="wrong",
                address="10.0.0.7",
                now=NOW,
            )
    with database.write() as session, pytest.raises(SignInThrottled):
        accounts.authenticate(
            session,
            strict,
            email="ines@example.org",
            password=PASSWORD,
            address="10.0.0.7",
            now=NOW,
        )
    with database.write() as session:  # another address is not held back
        accounts.authenticate(
            session,
            strict,
            email="ines@example.org",
            password=PASSWORD,
            address="10.0.0.8",
            now=NOW,
        )


def test_sessions_are_server_side_and_revocable(database: Database, settings: Settings) -> None:
    user_id = _user(database)
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        first = accounts.start_session(session, user, settings, now=NOW)
        second = accounts.start_session(session, user, settings, now=NOW)
    assert first != second
    with database.read() as session:
        found = accounts.session_user(session, first, NOW)
        assert found is not None and found[0].id == user_id
        assert accounts.session_user(session, first + "x", NOW) is None
        expiry = NOW + timedelta(days=settings.session_days + 1)
        assert accounts.session_user(session, first, expiry) is None
    with database.write() as session:
        accounts.end_session(session, first)
    with database.read() as session:
        assert accounts.session_user(session, first, NOW) is None
        assert accounts.session_user(session, second, NOW) is not None
    with database.write() as session:
        accounts.end_all_sessions(session, user_id)
    with database.read() as session:
        assert accounts.session_user(session, second, NOW) is None


def test_changing_the_password_ends_every_session_and_keeps_api_tokens(
    database: Database, settings: Settings
) -> None:
    user_id = _user(database)
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        token = accounts.start_session(session, user, settings, now=NOW)
        _, api_secret = accounts.create_api_token(session, user, "Kitchen tablet")
    new_hash = accounts.hash_password("another long secret", settings)  # before the write
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        with pytest.raises(AccountError, match="at least"):
            accounts.set_password(session, user, "short", password_hash=new_hash)
        accounts.set_password(session, user, "another long secret", password_hash=new_hash)
    assert _stored_hash(database, user_id) == new_hash
    with database.read() as session:
        assert accounts.session_user(session, token, NOW) is None
        assert accounts.token_user(session, api_secret) is not None  # the owner changed it
    with database.write() as session:
        accounts.authenticate(
            session,
            settings,
            email="ines@example.org",
            password="another long secret",
            address=None,
        )


def test_api_tokens_are_shown_once_and_revocable(database: Database) -> None:
    user_id = _user(database)
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        row, secret = accounts.create_api_token(session, user, "My reader app")
        token_id = row.id
    with database.read() as session:
        found = accounts.token_user(session, secret)
        assert found is not None and found[0].id == user_id
        assert all(secret not in t.digest for t in accounts.list_api_tokens(session, user_id))
    with database.write() as session:
        assert accounts.revoke_api_token(session, user_id + 1, token_id) is False
        assert accounts.revoke_api_token(session, user_id, token_id) is True
    with database.read() as session:
        assert accounts.token_user(session, secret) is None


def test_a_reset_link_works_once_and_expires(database: Database, settings: Settings) -> None:
    user_id = _user(database)
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        stale = accounts.create_reset(session, user, now=NOW)
        token = accounts.create_reset(session, user, now=NOW)  # a newer link voids the first
    with database.write() as session, pytest.raises(AccountError, match="expired or was used"):
        accounts.use_reset(session, stale, "brand new password", now=NOW, settings=settings)
    later = NOW + timedelta(hours=2)
    with database.write() as session, pytest.raises(AccountError, match="expired"):
        accounts.use_reset(session, token, "brand new password", now=later, settings=settings)
    with database.write() as session:
        user = accounts.use_reset(session, token, "brand new password", now=NOW, settings=settings)
        assert user.id == user_id
    with database.write() as session, pytest.raises(AccountError):
        accounts.use_reset(session, token, "yet another password", now=NOW, settings=settings)


def test_registration_modes(database: Database, settings: Settings) -> None:
    closed = dataclasses.replace(settings, registration="closed")
    with database.write() as session, pytest.raises(AccountError, match="not taking"):
        accounts.register(session, closed, email="a@example.org", name="Ann Lee", password=PASSWORD)
    invite_only = dataclasses.replace(settings, registration="invite")
    with database.write() as session, pytest.raises(AccountError, match="invitation"):
        accounts.register(
            session, invite_only, email="a@example.org", name="Ann Lee", password=PASSWORD
        )
    with database.write() as session:
        code = accounts.create_invite(session, None)
    with database.write() as session:
        accounts.register(
            session,
            invite_only,
            email="a@example.org",
            name="Ann Lee",
            password=PASSWORD,
            invite=code,
        )
    with database.write() as session, pytest.raises(AccountError, match="invitation"):
        accounts.register(
            session,
            invite_only,
            email="b@example.org",
            name="Bo Lee",
            password=PASSWORD,
            invite=code,
        )


def test_deleting_an_account_keeps_replied_comments_as_deleted_and_undoes_votes(
    database: Database,
) -> None:
    author = _user(database)
    voter = _user(database, "voter@example.org", "Voter One")
    with database.write() as session:
        parent = Comment(
            target_kind="article", target_id=1, user_id=voter, body="First", html="<p>First</p>"
        )
        session.add(parent)
        session.flush()
        session.add(
            Comment(
                target_kind="article",
                target_id=1,
                user_id=author,
                parent_id=parent.id,
                body="Reply",
                html="<p>Reply</p>",
            )
        )
        session.add(CommentVote(comment_id=parent.id, user_id=author, value=1))
        parent.upvotes, parent.score = 1, 1
    with database.read() as session:
        user = session.get(User, author)
        assert user is not None
        exported = accounts.export_user(session, user)
    assert exported["account"]["email"] == "ines@example.org"
    assert [c["body"] for c in exported["comments"]] == ["Reply"]
    assert "password_hash" not in str(exported)
    with database.write() as session:
        user = session.get(User, author)
        assert user is not None
        accounts.delete_user(session, user)
    with database.read() as session:
        assert session.get(User, author) is None
        rows = session.scalars(select(Comment).order_by(Comment.id)).all()
        assert rows[0].score == 0 and rows[0].upvotes == 0
        assert rows[1].status == "deleted" and rows[1].body == "" and rows[1].user_id is None


def test_housekeeping_forgets_expired_sessions_and_old_failures(
    database: Database, settings: Settings
) -> None:
    user_id = _user(database)
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        old = accounts.start_session(session, user, settings, now=NOW - timedelta(days=90))
        fresh = accounts.start_session(session, user, settings, now=NOW)
        for minutes in (30, 1):
            with pytest.raises(AccountError):
                accounts.authenticate(
                    session,
                    settings,
                    email="ines@example.org",
                    password="wrong",
                    address=None,
                    now=NOW - timedelta(minutes=minutes),
                )
    with database.write() as session:
        accounts.forget_expired_sessions(session, NOW)
        assert accounts.forget_old_failures(session, NOW) == 1
    with database.read() as session:
        assert [
            s.id for s in accounts.list_sessions(session, user_id, NOW - timedelta(days=91))
        ] == [accounts.digest(fresh)]
        assert accounts.session_user(session, old, NOW - timedelta(days=89)) is None


def test_a_try_counts_as_a_failure_until_its_password_proves_right(
    database: Database, settings: Settings
) -> None:
    """The three steps of a sign-in, each in a transaction of its own as the server runs
    them: a try is recorded before its password is checked, so tries at once cannot all
    pass a limit that has room for one; a right password then forgets it."""
    strict = dataclasses.replace(settings, sign_in_limit=1)
    user_id = _user(database)

    def record(address: str) -> accounts.SignInAttempt:
        with database.write() as session:
            user = accounts.get_user_by_email(session, "ines@example.org")
            return accounts.record_attempt(
                session, strict, email="ines@example.org", user=user, address=address, now=NOW
            )

    first = record("10.0.0.1")
    with pytest.raises(SignInThrottled):  # the first is still being checked
        record("10.0.0.2")
    rehash = accounts.check_password(first, PASSWORD, strict)
    with database.write() as session:
        found = accounts.finish_attempt(session, first, rehash)
        assert found is not None and found.id == user_id
    with database.read() as session:
        assert session.scalars(select(SignInFailure)).all() == []
    # A try whose password changed while it was checked is not let in.
    second = record("10.0.0.1")
    accounts.check_password(second, PASSWORD, strict)
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        accounts.set_password(
            session, user, "changed meanwhile", now=NOW + timedelta(seconds=1), settings=strict
        )
    with database.write() as session:
        assert accounts.finish_attempt(session, second, None) is None
    with database.read() as session:
        assert len(session.scalars(select(SignInFailure)).all()) == 2  # account and address
    with pytest.raises(AccountError, match="do not match"):
        accounts.check_password(second, "wrong password", strict)


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_a_sign_in_limit_below_one_is_a_settings_error(limit: str) -> None:
    with pytest.raises(SettingsError, match="STORYLINE_SIGN_IN_LIMIT"):
        load_settings(environ={"STORYLINE_SIGN_IN_LIMIT": limit})
    with pytest.raises(SettingsError, match="less than 1"):
        load_settings(environ={}, sign_in_limit=int(limit))
    assert load_settings(environ={"STORYLINE_SIGN_IN_LIMIT": "1"}).sign_in_limit == 1


def test_control_characters_in_an_address_or_a_token_name_are_refused(
    database: Database, settings: Settings
) -> None:
    """U+0000 cannot be stored in, or compared with, a PostgreSQL text column: it is
    refused with a reason, and a sign-in or reset with it finds nobody."""
    user_id = _user(database)
    for email in ("ines\x00@example.org", "ines@exam\x1bple.org", "ines\u200b@example.org"):
        with pytest.raises(AccountError, match="cannot be part of one"):
            accounts.normalize_email(email)
        with database.write() as session:
            assert accounts.get_user_by_email(session, email) is None
            with pytest.raises(AccountError, match="do not match"):
                accounts.authenticate(
                    session, settings, email=email, password=PASSWORD, address="10.0.0.1"
                )
    with database.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        with pytest.raises(AccountError, match="cannot be shown"):
            accounts.create_api_token(session, user, "Pocket\x00reader")
        row, _ = accounts.create_api_token(session, user, "  Pocket\treader ")
        assert row.name == "Pocket reader"  # whitespace is folded, not refused


def test_the_last_admin_is_neither_deleted_nor_demoted(database: Database) -> None:
    admin_id = _user(database)
    other_id = _user(database, "omar@example.org", "Omar Haddad")
    with database.write() as session:
        admin, other = session.get(User, admin_id), session.get(User, other_id)
        assert admin is not None and other is not None
        accounts.set_role(session, admin, "admin")
        accounts.delete_user(session, other)  # no admin's account: nothing to keep
    with database.write() as session:
        admin = session.get(User, admin_id)
        assert admin is not None
        with pytest.raises(AccountError, match="only admin account: deleting it"):
            accounts.delete_user(session, admin)
        with pytest.raises(AccountError, match="only admin account: making it a moderator"):
            accounts.set_role(session, admin, "moderator")
    with database.read() as session:
        admin = session.get(User, admin_id)
        assert admin is not None and admin.role == "admin"
    second_id = _user(database, "omar@example.org", "Omar Haddad")
    with database.write() as session:
        admin, second = session.get(User, admin_id), session.get(User, second_id)
        assert admin is not None and second is not None
        accounts.set_role(session, second, "admin")
        accounts.set_role(session, admin, "reader")
        with pytest.raises(AccountError, match="Make another account admin first"):
            accounts.delete_user(session, second)
        accounts.delete_user(session, admin)


def test_a_reset_revokes_the_accounts_api_tokens(database: Database, settings: Settings) -> None:
    user_id = _user(database)
    other_id = _user(database, "omar@example.org", "Omar Haddad")
    with database.write() as session:
        user, other = session.get(User, user_id), session.get(User, other_id)
        assert user is not None and other is not None
        _, planted = accounts.create_api_token(session, user, "Somebody else's")
        _, theirs = accounts.create_api_token(session, other, "Omar's app")
        token = accounts.create_reset(session, user, now=NOW)
    new_hash = accounts.hash_password("taken back at last", settings)  # before the write
    with database.write() as session:
        accounts.use_reset(session, token, "taken back at last", now=NOW, password_hash=new_hash)
    with database.read() as session:
        assert accounts.token_user(session, planted) is None
        assert accounts.token_user(session, theirs) is not None
    assert _stored_hash(database, user_id) == new_hash


def test_the_export_holds_digests_sent_and_invitations_made_or_used(
    database: Database, settings: Settings
) -> None:
    inviter_id = _user(database)
    with database.write() as session:
        inviter = session.get(User, inviter_id)
        assert inviter is not None
        used_code = accounts.create_invite(session, inviter, now=NOW)
        accounts.create_invite(session, inviter, now=NOW + timedelta(minutes=1))
    invited = dataclasses.replace(settings, registration="invite")
    with database.write() as session:
        guest = accounts.register(
            session,
            invited,
            email="omar@example.org",
            name="Omar Haddad",
            password=PASSWORD,
            invite=used_code,
            now=NOW + timedelta(hours=1),
        )
        guest_id = guest.id
        session.add_all(
            [
                DigestDelivery(user_id=inviter_id, period="2026-11-26", sent_at=NOW, stories=3),
                DigestDelivery(user_id=inviter_id, period="2026-11-27", stories=-1),
                DigestDelivery(user_id=guest_id, period="2026-11-27", sent_at=NOW, stories=1),
            ]
        )
    with database.read() as session:
        inviter = session.get(User, inviter_id)
        guest = session.get(User, guest_id)
        assert inviter is not None and guest is not None
        mine = accounts.export_user(session, inviter)
        theirs = accounts.export_user(session, guest)
    assert mine["digests"] == [
        {"period": "2026-11-26", "sent_at": "2026-11-26T12:00:00Z", "stories": 3},
        {"period": "2026-11-27", "sent_at": None, "stories": -1},
    ]
    assert mine["invitations"] == [
        {
            "made_by_you": True,
            "used_by_you": False,
            "created_at": "2026-11-26T12:00:00Z",
            "used_at": "2026-11-26T13:00:00Z",
        },
        {
            "made_by_you": True,
            "used_by_you": False,
            "created_at": "2026-11-26T12:01:00Z",
            "used_at": None,
        },
    ]
    assert theirs["digests"] == [
        {"period": "2026-11-27", "sent_at": "2026-11-26T12:00:00Z", "stories": 1}
    ]
    assert [i["used_by_you"] for i in theirs["invitations"]] == [True]
    assert used_code not in str(mine) and accounts.digest(used_code) not in str(mine)
