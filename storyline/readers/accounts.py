"""Accounts: passwords, sessions, API tokens, password resets, invitations, throttling.

Passwords are hashed with argon2id at the cost the settings name (by default argon2-cffi's
defaults, RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes) and rehashed on sign-in
when a stored hash was made at another cost. Every secret handed to a browser or a script
(a session cookie, an API token, a reset link, an invitation code) is 32 random bytes; the
database keeps only its sha256, so a copy of the database lets nobody in. Sessions live in
the database, so signing out (or out everywhere) takes effect at once in every process.

Failed sign-ins are counted per account and per address in ``sign_in_failures``, a table
every process shares; past the limit, sign-in waits until the oldest failure in the window
ages out, whether the password is right or not, so guessing gains nothing.

Hashing takes a tenth of a second on purpose, and a write transaction holds the writer
lock every thread (on SQLite, every process) waits for, so a server never hashes inside
one. A sign-in is three steps: :func:`record_attempt` (a short write: the throttle is
checked and the attempt recorded as a failure before anything is known, so parallel
guesses cannot all slip under the limit), :func:`check_password` (the hashing, with no
transaction open) and :func:`finish_attempt` (a short write: the failure forgotten, the
session started). New passwords are hashed before their write opens (``password_hash``
of :func:`create_user`, :func:`register`, :func:`set_password` and :func:`use_reset`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storyline.readers.notifications import shown_texts
from storyline.settings import Settings, SettingsError
from storyline.store.schema import (
    ApiToken,
    Comment,
    CommentVote,
    DigestDelivery,
    Follow,
    Invite,
    ModerationAction,
    Notification,
    PasswordReset,
    ReadingMark,
    Report,
    SignInFailure,
    User,
    UserSession,
)
from storyline.views import iso

ROLES = ("reader", "moderator", "admin")
REGISTRATION_MODES = ("open", "invite", "closed")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a cap keeps hashing a megabyte off the table
MAX_NAME = 40
THROTTLE_WINDOW = timedelta(minutes=15)
ADDRESS_FACTOR = 4  # an address (a household, an office) may fail more often than one account
RESET_LIFETIME = timedelta(hours=1)
# A session's last use is written at most this often: a page view must not be a write.
SEEN_EVERY = timedelta(minutes=10)
SESSION_ID = re.compile(r"[0-9a-f]{64}")  # how a session is stored and named: a sha256 in hex
NO_MATCH = "That email and password do not match an account."

HASH_LANES = 4  # argon2 parallelism, as in RFC 9106's profiles


@dataclass(frozen=True)
class _Hashing:
    hasher: PasswordHasher
    # Hashed once per cost, so that signing in as nobody takes as long as signing in as
    # somebody.
    dummy: str


@functools.cache
def _hashing_at(memory_kib: int, time_cost: int) -> _Hashing:
    if memory_kib < 8 * HASH_LANES or time_cost < 1:
        raise SettingsError(
            f"STORYLINE_PASSWORD_HASH_MEMORY_KIB={memory_kib} and "
            f"STORYLINE_PASSWORD_HASH_TIME_COST={time_cost}: argon2 needs at least "
            f"{8 * HASH_LANES} KiB and 1 pass"
        )
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=HASH_LANES)
    return _Hashing(hasher, hasher.hash(secrets.token_urlsafe(16)))


_DEFAULT_COST = Settings()


def _hashing(settings: Settings | None) -> _Hashing:
    """The hasher at the cost ``settings`` name (None: the default cost), made once per cost."""
    chosen = settings or _DEFAULT_COST
    return _hashing_at(chosen.password_hash_memory_kib, chosen.password_hash_time_cost)


class AccountError(ValueError):
    """A request about an account that cannot be done; the message says why, to the user."""


class SignInThrottled(AccountError):
    """Too many failed sign-ins; ``retry_after`` seconds until the next try is heard."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"Too many failed sign-ins. Try again in {minutes} minute{'s' * (minutes > 1)}, "
            "or reset your password."
        )
        self.retry_after = retry_after


def digest(secret: str) -> str:
    """What the database keeps of a secret: its sha256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _unprintable(text: str) -> bool:
    """Whether ``text`` holds a control, format or unassigned character (U+0000 among
    them, which PostgreSQL cannot store in a text column)."""
    return any(unicodedata.category(c)[0] == "C" for c in text)


def normalize_email(email: str) -> str:
    """The address as stored and compared: trimmed and lower-cased."""
    address = email.strip().lower()
    local, _, domain = address.rpartition("@")
    if not local or "." not in domain or len(address) > 320 or any(c.isspace() for c in address):
        raise AccountError("Enter an email address such as name@example.org.")
    if _unprintable(address):
        raise AccountError("The email address has characters that cannot be part of one.")
    return address


def normalize_name(name: str) -> tuple[str, str]:
    """The display name as shown, and the key two names must not share (case-folded,
    compatibility-normalised, so "Ana" and "ＡＮＡ" are one name)."""
    shown = " ".join(unicodedata.normalize("NFC", name).split())
    if not 2 <= len(shown) <= MAX_NAME:
        raise AccountError(f"Choose a name of 2 to {MAX_NAME} characters.")
    if _unprintable(shown):
        raise AccountError("The name has characters that cannot be shown.")
    return shown, unicodedata.normalize("NFKC", shown).casefold()


def check_password_rules(password: str, email: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Choose a password of at most {MAX_PASSWORD} characters.")
    if email and password.strip().lower() == email.strip().lower():
        raise AccountError("Choose a password that is not your email address.")


def hash_password(password: str, settings: Settings | None = None) -> str:
    """The argon2id hash of ``password`` at the cost ``settings`` name (None: the default)."""
    return _hashing(settings).hasher.hash(password)


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str = "reader",
    now: datetime | None = None,
    settings: Settings | None = None,
    password_hash: str | None = None,
) -> User:
    """A new account. Raises :class:`AccountError` when a field is invalid or taken.
    ``settings`` names the password hash's cost (None: the default cost);
    ``password_hash``, the hash of ``password`` made beforehand by :func:`hash_password`,
    spares a caller in a write transaction the hashing (``password`` is still checked
    against the rules)."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: one of {', '.join(ROLES)}.")
    address = normalize_email(email)
    shown, key = normalize_name(name)
    check_password_rules(password, address)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise AccountError("An account with that email address exists; sign in instead.")
    if session.scalar(select(User.id).where(User.name_key == key)) is not None:
        raise AccountError("That name is taken; choose another.")
    moment = now or datetime.now(UTC)
    user = User(
        email=address,
        name=shown,
        name_key=key,
        password_hash=password_hash or hash_password(password, settings),
        role=role,
        status="active",
        preferences={},
        feed_secret=new_secret(),
        created_at=moment,
        password_changed_at=moment,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:  # another request took the address or name meanwhile
        raise AccountError("That email address or name was just taken; try another.") from error
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def first_user_id(session: Session) -> int | None:
    return session.scalar(select(func.min(User.id)))


def has_admin(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None


def register(
    session: Session,
    settings: Settings,
    *,
    email: str,
    name: str,
    password: str,
    invite: str | None = None,
    now: datetime | None = None,
    password_hash: str | None = None,
) -> User:
    """Sign-up as the registration setting allows: ``open``, ``invite`` (a valid unused
    invitation code, spent here) or ``closed``. ``password_hash`` as for
    :func:`create_user`."""
    moment = now or datetime.now(UTC)
    mode = settings.registration
    if mode not in REGISTRATION_MODES:
        raise AccountError(f"STORYLINE_REGISTRATION={mode!r}: one of open, invite, closed.")
    if mode == "closed":
        raise AccountError("This site is not taking new accounts.")
    row = None
    if mode == "invite":
        row = session.get(Invite, digest(invite or ""), with_for_update=True)
        if row is None or row.used_at is not None:
            raise AccountError("Sign-up here is by invitation: that code is not valid.")
    user = create_user(
        session,
        email=email,
        name=name,
        password=password,
        now=moment,
        settings=settings,
        password_hash=password_hash,
    )
    if row is not None:
        row.used_by_id, row.used_at = user.id, moment
    return user


def create_invite(session: Session, by: User | None, now: datetime | None = None) -> str:
    """A new invitation code (shown once)."""
    code = new_secret()
    session.add(
        Invite(
            digest=digest(code),
            created_by_id=by.id if by else None,
            created_at=now or datetime.now(UTC),
        )
    )
    return code


def get_user_by_email(session: Session, email: str) -> User | None:
    try:
        address = normalize_email(email)
    except AccountError:
        return None
    return session.scalar(select(User).where(User.email == address))


@dataclass(frozen=True)
class SignInAttempt:
    """A sign-in or password confirmation under way, as :func:`record_attempt` left it:
    already counted as a failure (``failure_ids``), and what its password is checked
    against, the account's hash as it was then (None: no such account)."""

    keys: tuple[str, ...]
    failure_ids: tuple[int, ...]
    user_id: int | None
    password_hash: str | None
    password_changed_at: datetime | None


def record_attempt(
    session: Session,
    settings: Settings,
    *,
    email: str,
    user: User | None,
    address: str | None,
    now: datetime,
) -> SignInAttempt:
    """Step one of a sign-in (``user`` is the account ``email`` names, if any): raise
    :class:`SignInThrottled` past the limit, else record the attempt as a failure of the
    account and of the address. It is recorded before the password is checked, in the
    same transaction as the count, so two guesses at once cannot both pass a limit that
    has room for one; :func:`finish_attempt` forgets it if the password was right."""
    keys = [_account_key(email)]
    limits = [settings.sign_in_limit]
    if address:
        keys.append(f"address:{address}")
        limits.append(settings.sign_in_limit * ADDRESS_FACTOR)
    wait = _throttle_wait(session, keys, limits, now)
    if wait:
        raise SignInThrottled(wait)
    rows = [SignInFailure(key=key, at=now) for key in keys]
    session.add_all(rows)
    session.flush()
    return SignInAttempt(
        keys=tuple(keys),
        failure_ids=tuple(row.id for row in rows),
        user_id=None if user is None else user.id,
        password_hash=None if user is None else user.password_hash,
        password_changed_at=None if user is None else user.password_changed_at,
    )


def check_password(attempt: SignInAttempt, password: str, settings: Settings | None) -> str | None:
    """Step two, the slow one, to run with no transaction open: raise
    :class:`AccountError` unless ``password`` is the account's. Returns the password
    hashed anew when the stored hash was made at another cost than ``settings`` name (a
    hash carries its own parameters, so any cost verifies), else None."""
    hashing = _hashing(settings)
    stored = attempt.password_hash
    if stored is None or len(password) > MAX_PASSWORD:
        # As long as a real check takes, so that timing does not tell who has an account.
        with contextlib.suppress(VerificationError):
            hashing.hasher.verify(hashing.dummy, password[:MAX_PASSWORD])
        raise AccountError(NO_MATCH)
    try:
        hashing.hasher.verify(stored, password)
    except (VerificationError, InvalidHashError) as error:
        raise AccountError(NO_MATCH) from error
    return hashing.hasher.hash(password) if hashing.hasher.check_needs_rehash(stored) else None


def finish_attempt(session: Session, attempt: SignInAttempt, rehash: str | None) -> User | None:
    """Step three, once :func:`check_password` passed: the account, with this attempt and
    the account's earlier failures forgotten and ``rehash`` stored. None when the account
    was deleted, or its password changed, since step one: the attempt stays a failure."""
    user = session.get(User, attempt.user_id) if attempt.user_id is not None else None
    if user is None or user.password_changed_at != attempt.password_changed_at:
        return None
    session.execute(
        delete(SignInFailure).where(
            or_(SignInFailure.id.in_(attempt.failure_ids), SignInFailure.key == attempt.keys[0])
        )
    )
    # Another sign-in may have redone the hash meanwhile; either new hash will do.
    if rehash is not None and user.password_hash == attempt.password_hash:
        user.password_hash = rehash
    return user


def authenticate(
    session: Session,
    settings: Settings,
    *,
    email: str,
    password: str,
    address: str | None,
    now: datetime | None = None,
) -> User:
    """The account these credentials open, or :class:`AccountError` (wrong email or
    password: one message for both) or :class:`SignInThrottled`. A banned account opens
    too: a ban stops posting, not reading, downloading one's data or leaving.

    All three steps run in ``session``'s transaction, hashing included: for the command
    line and scripts. The server runs them in transactions of their own
    (:mod:`storyline.web.account_api`)."""
    moment = now or datetime.now(UTC)
    user = get_user_by_email(session, email)
    attempt = record_attempt(session, settings, email=email, user=user, address=address, now=moment)
    found = finish_attempt(session, attempt, check_password(attempt, password, settings))
    if found is None:
        raise AccountError(NO_MATCH)
    return found


def verify_password(
    session: Session,
    settings: Settings,
    user: User,
    password: str,
    *,
    address: str | None,
    now: datetime | None = None,
) -> None:
    """Confirm a signed-in reader's password before a grave step (a new password, deleting
    the account), throttled as sign-in is, so a stolen session cannot guess it. A banned
    reader may still confirm, to delete their account. In ``session``'s transaction, as
    :func:`authenticate`."""
    attempt = record_attempt(
        session,
        settings,
        email=user.email,
        user=user,
        address=address,
        now=now or datetime.now(UTC),
    )
    if finish_attempt(session, attempt, check_password(attempt, password, settings)) is None:
        raise AccountError(NO_MATCH)


def _account_key(email: str) -> str:
    """The key an account's failures are counted under: the address as typed, trimmed
    and lower-cased, with characters no address holds (U+0000, which PostgreSQL cannot
    store) left out, so that any typed address is counted."""
    typed = "".join(c for c in email.strip().lower() if unicodedata.category(c)[0] != "C")
    return f"account:{typed[:320]}"


def _throttle_wait(session: Session, keys: list[str], limits: list[int], now: datetime) -> int:
    """Seconds until the next sign-in may be tried (0: now)."""
    since = now - THROTTLE_WINDOW
    wait = 0
    for key, limit in zip(keys, limits, strict=True):
        times = session.scalars(
            select(SignInFailure.at)
            .where(SignInFailure.key == key, SignInFailure.at > since)
            .order_by(SignInFailure.at.desc())
            .limit(limit)
        ).all()
        if len(times) >= limit:
            oldest = min(times)
            wait = max(wait, int((oldest + THROTTLE_WINDOW - now).total_seconds()) + 1)
    return wait


def forget_old_failures(session: Session, now: datetime) -> int:
    """Drop failures older than the throttling window (the ticker calls this)."""
    result = session.execute(delete(SignInFailure).where(SignInFailure.at < now - THROTTLE_WINDOW))
    return int(getattr(result, "rowcount", 0) or 0)


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    password_hash: str | None = None,
) -> None:
    """Set a new password and sign every session out (the caller starts a new one);
    ``settings`` names the hash's cost (None: the default cost), and ``password_hash`` is
    the hash made beforehand, as for :func:`create_user`. API tokens stay: a reader who
    changes their password knows it; :func:`use_reset` revokes them."""
    check_password_rules(password, user.email)
    user.password_hash = password_hash or hash_password(password, settings)
    user.password_changed_at = now or datetime.now(UTC)
    end_all_sessions(session, user.id)


# Sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in browser, as the account page lists it."""

    id: str
    created_at: datetime
    last_seen_at: datetime
    user_agent: str | None
    address: str | None


def start_session(
    session: Session,
    user: User,
    settings: Settings,
    *,
    user_agent: str | None = None,
    address: str | None = None,
    now: datetime | None = None,
) -> str:
    """Sign ``user`` in: a new random token (the cookie's value). A token the browser
    had before is never reused, so a planted cookie signs its planter in as nobody."""
    moment = now or datetime.now(UTC)
    token = new_secret()
    session.add(
        UserSession(
            id=digest(token),
            user_id=user.id,
            created_at=moment,
            last_seen_at=moment,
            expires_at=moment + timedelta(days=settings.session_days),
            user_agent=(user_agent or "")[:300] or None,
            address=address,
        )
    )
    return token


def session_user(
    session: Session, token: str, now: datetime | None = None
) -> tuple[User, UserSession] | None:
    """The account and session a cookie's token names, if it is still valid."""
    if not token or len(token) > 100:
        return None
    moment = now or datetime.now(UTC)
    row = session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.id == digest(token), UserSession.expires_at > moment)
    ).first()
    return None if row is None else (row[0], row[1])


def touch_session(
    session: Session, session_id: str, settings: Settings, now: datetime | None = None
) -> None:
    """Record a use: the session lives ``session_days`` from its last use."""
    moment = now or datetime.now(UTC)
    session.execute(
        update(UserSession)
        .where(UserSession.id == session_id)
        .values(last_seen_at=moment, expires_at=moment + timedelta(days=settings.session_days))
    )


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == digest(token)))


def end_session_by_id(session: Session, user_id: int, session_id: str) -> bool:
    result = session.execute(
        delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


def end_all_sessions(session: Session, user_id: int) -> None:
    """Sign out everywhere."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def list_sessions(session: Session, user_id: int, now: datetime) -> list[SessionInfo]:
    rows = session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return [
        SessionInfo(row.id, row.created_at, row.last_seen_at, row.user_agent, row.address)
        for row in rows
    ]


def forget_expired_sessions(session: Session, now: datetime) -> None:
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))


# API tokens ----------------------------------------------------------------------------


def create_api_token(
    session: Session, user: User, name: str, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A personal API token; the secret is returned once and never stored."""
    label = " ".join(name.split())[:100]
    if not label:
        raise AccountError("Name the token, e.g. the app that will use it.")
    if _unprintable(label):
        raise AccountError("The token's name has characters that cannot be shown.")
    secret = "sl_" + new_secret()
    row = ApiToken(
        digest=digest(secret), user_id=user.id, name=label, created_at=now or datetime.now(UTC)
    )
    session.add(row)
    session.flush()
    return row, secret


def token_user(session: Session, secret: str) -> tuple[User, ApiToken] | None:
    if not secret or len(secret) > 100:
        return None
    row = session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.digest == digest(secret))
    ).first()
    return None if row is None else (row[0], row[1])


def list_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        ).all()
    )


def revoke_api_token(session: Session, user_id: int, token_id: int) -> bool:
    result = session.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_all_api_tokens(session: Session, user_id: int) -> None:
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


# Password resets -----------------------------------------------------------------------


def create_reset(session: Session, user: User, now: datetime | None = None) -> str:
    """A single-use reset token valid for :data:`RESET_LIFETIME`; earlier ones lapse."""
    moment = now or datetime.now(UTC)
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=moment)
    )
    token = new_secret()
    session.add(
        PasswordReset(
            digest=digest(token),
            user_id=user.id,
            created_at=moment,
            expires_at=moment + RESET_LIFETIME,
        )
    )
    return token


def reset_is_valid(session: Session, token: str, now: datetime | None = None) -> bool:
    row = session.get(PasswordReset, digest(token)) if token else None
    moment = now or datetime.now(UTC)
    return row is not None and row.used_at is None and row.expires_at > moment


def use_reset(
    session: Session,
    token: str,
    password: str,
    now: datetime | None = None,
    settings: Settings | None = None,
    password_hash: str | None = None,
) -> User:
    """Set the password a valid reset link allows (``password_hash`` as for
    :func:`set_password`); the link is spent, and every session and API token ends: a
    reset is how a reader takes back an account somebody else got into, and a token
    that somebody made would outlive the password otherwise."""
    moment = now or datetime.now(UTC)
    row = session.get(PasswordReset, digest(token), with_for_update=True) if token else None
    if row is None or row.used_at is not None or row.expires_at <= moment:
        raise AccountError("That reset link has expired or was used; ask for a new one.")
    user = session.get(User, row.user_id)
    if user is None:
        raise AccountError("That reset link has expired or was used; ask for a new one.")
    set_password(
        session, user, password, now=moment, settings=settings, password_hash=password_hash
    )
    revoke_all_api_tokens(session, user.id)
    row.used_at = moment
    return user


# Roles and sanctions -------------------------------------------------------------------


def set_role(session: Session, user: User, role: str) -> None:
    """Give ``user`` a role; the last admin keeps theirs (see :func:`refuse_last_admin`)."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: one of {', '.join(ROLES)}.")
    if role != "admin":
        refuse_last_admin(session, user, f"making it a {role}")
    user.role = role


def refuse_last_admin(session: Session, user: User, doing: str) -> None:
    """Raise :class:`AccountError` if ``user`` is the only admin: an install without one
    opens its operator pages (feeds, entity corrections) to everyone, so the last admin
    may be neither demoted nor deleted. The admins' rows are locked (on PostgreSQL), so
    two admins leaving at once cannot both count on the other."""
    if user.role != "admin":
        return
    admins = session.scalars(select(User.id).where(User.role == "admin").with_for_update()).all()
    if set(admins) <= {user.id}:
        raise AccountError(
            f"{user.email} is the only admin account: {doing} would leave the feeds and "
            "entity corrections open to everyone. Make another account admin first."
        )


def is_suspended(user: User, now: datetime) -> bool:
    if user.status == "banned":
        return True
    return user.status == "suspended" and (
        user.suspended_until is None or user.suspended_until > now
    )


# The reader's own data -----------------------------------------------------------------


def user_view(user: User) -> dict[str, Any]:
    """An account as the API, the CLI and the data export show it (no secrets)."""
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "status": user.status,
        "suspended_until": iso(user.suspended_until),
        "created_at": iso(user.created_at),
    }


def export_user(session: Session, user: User) -> dict[str, Any]:
    """Everything Storyline keeps about ``user``, as JSON-ready data (secrets excepted:
    the password hash, session and token digests)."""

    comments = session.scalars(
        select(Comment).where(Comment.user_id == user.id).order_by(Comment.id)
    ).all()
    votes = session.scalars(select(CommentVote).where(CommentVote.user_id == user.id)).all()
    reports = session.scalars(select(Report).where(Report.reporter_id == user.id)).all()
    follows = session.scalars(
        select(Follow).where(Follow.user_id == user.id).order_by(Follow.id)
    ).all()
    marks = session.scalars(select(ReadingMark).where(ReadingMark.user_id == user.id)).all()
    notices = session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    actions = session.scalars(
        select(ModerationAction).where(ModerationAction.user_id == user.id)
    ).all()
    sessions = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    tokens = list_api_tokens(session, user.id)
    digests = session.scalars(
        select(DigestDelivery)
        .where(DigestDelivery.user_id == user.id)
        .order_by(DigestDelivery.period)
    ).all()
    invites = session.scalars(
        select(Invite)
        .where(or_(Invite.created_by_id == user.id, Invite.used_by_id == user.id))
        .order_by(Invite.created_at)
    ).all()
    return {
        "account": {
            **user_view(user),
            "password_changed_at": iso(user.password_changed_at),
            "preferences": user.preferences,
        },
        "comments": [
            {
                "id": c.id,
                "target": f"{c.target_kind}:{c.target_id}",
                "parent_id": c.parent_id,
                "body": c.body,
                "status": c.status,
                "created_at": iso(c.created_at),
                "edited_at": iso(c.edited_at),
                "deleted_at": iso(c.deleted_at),
            }
            for c in comments
        ],
        "votes": [{"comment_id": v.comment_id, "value": v.value} for v in votes],
        "reports": [
            {"comment_id": r.comment_id, "reason": r.reason, "note": r.note} for r in reports
        ],
        "follows": [
            {"mode": f.mode, "kind": f.kind, "target": f.target, "since": iso(f.created_at)}
            for f in follows
        ],
        "reading": [
            {"article_id": m.article_id, "read_at": iso(m.read_at), "saved_at": iso(m.saved_at)}
            for m in marks
        ],
        "notifications": [
            {"kind": n.kind, "text": shown, "url": n.url, "created_at": iso(n.created_at)}
            for n, shown in zip(notices, shown_texts(session, notices), strict=True)
        ],
        "moderation": [
            {"action": a.action, "reason": a.reason, "until": iso(a.until), "at": iso(a.created_at)}
            for a in actions
        ],
        "sessions": [
            {
                "created_at": iso(s.created_at),
                "last_seen_at": iso(s.last_seen_at),
                "user_agent": s.user_agent,
                "address": s.address,
            }
            for s in sessions
        ],
        "api_tokens": [{"name": t.name, "created_at": iso(t.created_at)} for t in tokens],
        # stories: how many the mail told of; -1, the address could not take it.
        "digests": [
            {"period": d.period, "sent_at": iso(d.sent_at), "stories": d.stories} for d in digests
        ],
        # Codes are secrets (only their digest is kept), and who used one made by this
        # account is that reader's to know, not this one's: only whether it was used.
        "invitations": [
            {
                "made_by_you": i.created_by_id == user.id,
                "used_by_you": i.used_by_id == user.id,
                "created_at": iso(i.created_at),
                "used_at": iso(i.used_at),
            }
            for i in invites
        ],
    }


def delete_user(session: Session, user: User, now: datetime | None = None) -> None:
    """Delete the account. Its comments lose their text and author; one with replies
    keeps its place as "[deleted]" so the thread still reads. Everything else the
    account owned (sessions, tokens, follows, votes, notifications) goes with it. The
    last admin's account is refused (:func:`refuse_last_admin`)."""
    refuse_last_admin(session, user, "deleting it")
    moment = now or datetime.now(UTC)
    session.execute(
        update(Comment)
        .where(Comment.user_id == user.id, Comment.status != "deleted")
        .values(status="deleted", body="", html="", deleted_at=moment)
    )
    session.execute(update(Comment).where(Comment.user_id == user.id).values(user_id=None))
    for vote in session.scalars(select(CommentVote).where(CommentVote.user_id == user.id)):
        column = Comment.upvotes if vote.value > 0 else Comment.downvotes
        session.execute(
            update(Comment)
            .where(Comment.id == vote.comment_id)
            .values({column: column - 1, Comment.score: Comment.score - vote.value})
        )
    session.execute(delete(CommentVote).where(CommentVote.user_id == user.id))
    session.delete(user)
    session.flush()
