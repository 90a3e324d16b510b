"""``storyline users``: the real command, in-process, against SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import getpass
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from storyline.cli import main
from storyline.readers import accounts
from storyline.readers.accounts import AccountError
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import User
from tests.conftest import QUICK_HASH, QUICK_HASHING

SITE = "https://news.example.org"
PASSWORD = "amber tide compass"


@pytest.fixture
def env(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The environment of the command: this test's database, and a public address."""
    monkeypatch.setenv("STORYLINE_HOME", str(tmp_path / "cli-home"))
    monkeypatch.setenv("STORYLINE_DATABASE_URL", database.url)
    monkeypatch.setenv("STORYLINE_BASE_URL", SITE)
    for name, value in QUICK_HASHING.items():
        monkeypatch.setenv(name, value)
    return database


def _user(database: Database, email: str) -> User | None:
    with database.read() as session:
        return session.scalar(select(User).where(User.email == email))


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_create_an_admin_with_the_password_on_stdin(
    env: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    code = main(
        [
            "users",
            "create",
            "Oskar@Example.org",
            "--name",
            "Oskar Veld",
            "--admin",
            "--password-stdin",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Oskar Veld <oskar@example.org>, admin" in out
    assert PASSWORD not in out
    user = _user(env, "oskar@example.org")
    assert user is not None and user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    with env.write() as session:
        accounts.authenticate(
            session, settings, email="oskar@example.org", password=PASSWORD, address=None
        )


def test_create_asks_for_the_password_twice(
    env: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, "something else entirely"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    code = main(["users", "create", "ruth@example.org", "--name", "Ruth Anand", "--moderator"])
    assert code == 2
    assert "differ" in capsys.readouterr().err
    assert _user(env, "ruth@example.org") is None
    answers = iter([PASSWORD, PASSWORD])
    assert main(["users", "create", "ruth@example.org", "--name", "Ruth Anand", "--moderator"]) == 0
    user = _user(env, "ruth@example.org")
    assert user is not None and user.role == "moderator"


def test_create_refuses_what_sign_up_refuses(
    env: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "short\n")
    assert (
        main(["users", "create", "tam@example.org", "--name", "Tam Reyes", "--password-stdin"]) == 2
    )
    assert "at least 10" in capsys.readouterr().err
    _stdin(monkeypatch, "")
    assert (
        main(["users", "create", "tam@example.org", "--name", "Tam Reyes", "--password-stdin"]) == 2
    )
    assert "no password" in capsys.readouterr().err
    assert _user(env, "tam@example.org") is None


def test_list_and_set_role(
    env: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "list"]) == 0
    assert "No accounts yet" in capsys.readouterr().out
    with env.write() as session:
        accounts.create_user(
            session,
            email="ana@example.org",
            name="Ana Brisk",
            password=PASSWORD,
            settings=QUICK_HASH,
        )
        accounts.create_user(
            session,
            email="ben@example.org",
            name="Ben Corr",
            password=PASSWORD,
            settings=QUICK_HASH,
        )
    assert main(["users", "set-role", "ANA@example.org", "moderator"]) == 0
    assert "Ana Brisk <ana@example.org>, moderator" in capsys.readouterr().out
    assert main(["users", "set-role", "nobody@example.org", "admin"]) == 1
    assert "no account uses nobody@example.org" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["users", "set-role", "ben@example.org", "owner"])
    capsys.readouterr()
    assert main(["users", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(row["email"], row["role"]) for row in rows] == [
        ("ana@example.org", "moderator"),
        ("ben@example.org", "reader"),
    ]
    assert set(rows[0]) == {
        "id",
        "email",
        "name",
        "role",
        "status",
        "suspended_until",
        "created_at",
    }
    assert main(["users", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "moderator" in listed[0] and "Ana Brisk <ana@example.org>" in listed[0]


def test_the_last_admin_is_not_demoted(env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """Without an admin the operator pages (feeds, entity corrections) are open to
    everyone: the only admin keeps the role until another account has it."""
    with env.write() as session:
        for email, name in (("ana@example.org", "Ana Brisk"), ("ben@example.org", "Ben Corr")):
            accounts.create_user(
                session,
                email=email,
                name=name,
                password=PASSWORD,
                role="admin" if email.startswith("ana") else "reader",
                settings=QUICK_HASH,
            )
    for role in ("moderator", "reader"):
        assert main(["users", "set-role", "ana@example.org", role]) == 1
        err = capsys.readouterr().err
        assert "ana@example.org is the only admin account" in err
        assert "Make another account admin first." in err
    assert main(["users", "set-role", "ana@example.org", "admin"]) == 0  # stays admin
    user = _user(env, "ana@example.org")
    assert user is not None and user.role == "admin"
    assert main(["users", "set-role", "ben@example.org", "admin"]) == 0
    assert main(["users", "set-role", "ana@example.org", "reader"]) == 0
    assert "Ana Brisk <ana@example.org>, reader" in capsys.readouterr().out
    assert main(["users", "set-role", "ben@example.org", "moderator"]) == 1
    user = _user(env, "ben@example.org")
    assert user is not None and user.role == "admin"


def test_an_invitation_code_opens_one_account(
    env: Database, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "invite"]) == 0
    captured = capsys.readouterr()
    code = captured.out.strip()
    assert f"{SITE}/signup?invite={code}" in captured.err
    invite_only = dataclasses.replace(settings, registration="invite")
    with env.write() as session:
        accounts.register(
            session,
            invite_only,
            email="cy@example.org",
            name="Cy Dunmore",
            password=PASSWORD,
            invite=code,
        )
    with env.write() as session, pytest.raises(AccountError, match="not valid"):
        accounts.register(
            session,
            invite_only,
            email="di@example.org",
            name="Di Evers",
            password=PASSWORD,
            invite=code,
        )


def test_a_reset_link_for_operators_without_mail(
    env: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with env.write() as session:
        accounts.create_user(
            session,
            email="ana@example.org",
            name="Ana Brisk",
            password=PASSWORD,
            settings=QUICK_HASH,
        )
    assert main(["users", "reset-link", "ana@example.org"]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith(f"{SITE}/reset/")
    token = link.rsplit("/", 1)[1]
    with env.write() as session:
        user = accounts.use_reset(session, token, "a brand new secret", settings=QUICK_HASH)
        assert user.email == "ana@example.org"
    assert main(["users", "reset-link", "nobody@example.org"]) == 1


def test_every_users_action_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for action in ("create", "list", "set-role", "invite", "reset-link"):
        with pytest.raises(SystemExit) as exited:
            main(["users", action, "--help"])
        assert exited.value.code == 0
        assert "usage: storyline users" in capsys.readouterr().out
