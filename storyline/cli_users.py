"""``storyline users``: accounts from the server's command line.

``create EMAIL --name NAME [--admin|--moderator] [--password-stdin]``, ``list [--json]``,
``set-role EMAIL ROLE``, ``invite`` and ``reset-link EMAIL``. These are how an install
gets its first admin (the web app cannot grant a role to somebody when nobody holds one),
and how an operator without a mail server helps a reader who lost their password: the
reset link is printed, to be passed on by hand. The last admin cannot be demoted: make
another account admin first.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from storyline.readers import accounts
from storyline.readers.accounts import ROLES, AccountError
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import User


def add_users_parser(commands: Any) -> None:
    users = commands.add_parser(
        "users",
        help="create accounts, list them, set roles, invite, make reset links",
        description=(
            "Manage reader accounts on the server: create the first admin, grant roles, "
            "make invitation codes, and make password-reset links when no mail is set up."
        ),
    )
    actions = users.add_subparsers(title="actions", metavar="ACTION")

    sub = actions.add_parser(
        "create",
        help="create an account",
        description=(
            "Create an account. The password is asked twice, or read from the first line of "
            "standard input with --password-stdin."
        ),
    )
    sub.add_argument("email", help="the account's email address")
    sub.add_argument("--name", required=True, help="the name shown beside its comments")
    role = sub.add_mutually_exclusive_group()
    role.add_argument("--admin", action="store_true", help="make it an admin")
    role.add_argument("--moderator", action="store_true", help="make it a moderator")
    sub.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    sub.set_defaults(handler=_cmd_create)

    sub = actions.add_parser(
        "list", help="list accounts", description="List every account, oldest first."
    )
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub.set_defaults(handler=_cmd_list)

    sub = actions.add_parser(
        "set-role",
        help="make an account a reader, moderator or admin",
        description=(
            "Give an account a role: reader, moderator or admin. The only admin cannot be "
            "made a reader or moderator: make another account admin first."
        ),
    )
    sub.add_argument("email", help="the account's email address")
    sub.add_argument("role", choices=ROLES, help="the new role")
    sub.set_defaults(handler=_cmd_set_role)

    sub = actions.add_parser(
        "invite",
        help="print a new invitation code",
        description=(
            "Print a new invitation code, good for one sign-up while STORYLINE_REGISTRATION "
            "is invite."
        ),
    )
    sub.set_defaults(handler=_cmd_invite)

    sub = actions.add_parser(
        "reset-link",
        help="print a password-reset link for an account",
        description=(
            "Print a link that sets a new password for the account, once, within an hour; "
            "for sites that send no mail. It is made with STORYLINE_BASE_URL."
        ),
    )
    sub.add_argument("email", help="the account's email address")
    sub.set_defaults(handler=_cmd_reset_link)


@contextmanager
def _database(settings: Settings) -> Iterator[Database]:
    database = Database.from_settings(settings)
    try:
        yield database
    finally:
        database.dispose()


def _fail(message: str, code: int = 1) -> int:
    print(f"storyline users: {message}", file=sys.stderr)
    return code


def _cmd_create(args: argparse.Namespace, settings: Settings) -> int:
    try:
        password = _read_password(args.password_stdin)
    except ValueError as error:
        return _fail(str(error), 2)
    role = "admin" if args.admin else "moderator" if args.moderator else "reader"
    # Hashed before the write opens: on SQLite its lock holds up the server's writers too.
    password_hash = accounts.hash_password(password, settings)
    with _database(settings) as database:
        try:
            with database.write() as session:
                user = accounts.create_user(
                    session,
                    email=args.email,
                    name=args.name,
                    password=password,
                    role=role,
                    settings=settings,
                    password_hash=password_hash,
                )
                shown = _describe(user)
        except AccountError as error:
            return _fail(str(error), 2)
    print(f"Created {shown}")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise ValueError("no password on standard input")
        return line.rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    with _database(settings) as database, database.read() as session:
        users = session.scalars(select(User).order_by(User.id)).all()
        rows = [accounts.user_view(user) for user in users]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif not rows:
        print("No accounts yet: create one with `storyline users create EMAIL --name NAME`.")
    else:
        for row in rows:
            status = "" if row["status"] == "active" else f" ({row['status']})"
            print(f"{row['id']:>5}  {row['role']:<9}  {row['name']} <{row['email']}>{status}")
    return 0


def _cmd_set_role(args: argparse.Namespace, settings: Settings) -> int:
    """Set the role; the last admin stays one, since without an admin the operator pages
    are open to everyone."""
    with _database(settings) as database, database.write() as session:
        user = accounts.get_user_by_email(session, args.email)
        if user is None:
            return _fail(f"no account uses {args.email}")
        try:
            accounts.set_role(session, user, args.role)
        except AccountError as error:
            return _fail(str(error))
        shown = _describe(user)
    print(f"Now {shown}")
    return 0


def _cmd_invite(_args: argparse.Namespace, settings: Settings) -> int:
    with _database(settings) as database, database.write() as session:
        code = accounts.create_invite(session, None)
    print(code)
    print(f"Sign-up link: {settings.public_url}/signup?invite={code}", file=sys.stderr)
    if settings.registration != "invite":
        print(
            f"Note: STORYLINE_REGISTRATION is {settings.registration}; codes are asked for "
            "only when it is invite.",
            file=sys.stderr,
        )
    return 0


def _cmd_reset_link(args: argparse.Namespace, settings: Settings) -> int:
    with _database(settings) as database, database.write() as session:
        user = accounts.get_user_by_email(session, args.email)
        if user is None:
            return _fail(f"no account uses {args.email}")
        token = accounts.create_reset(session, user)
    print(f"{settings.public_url}/reset/{token}")
    print("It works once, within an hour; earlier links for the account lapse.", file=sys.stderr)
    return 0


def _describe(user: User) -> str:
    return f"account {user.id}: {user.name} <{user.email}>, {user.role}"
