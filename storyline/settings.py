"""The one table of Storyline's settings.

Every setting is read once from a ``STORYLINE_*`` environment variable into a frozen
:class:`Settings` object that is passed down to whatever needs it. The README's settings
table is generated from :data:`SETTINGS` (``storyline settings --markdown``) and a test
checks that the two agree.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A ``STORYLINE_*`` variable holds a value of the wrong type."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    type: str  # "str", "int", "float", "bool", "path"
    help: str

    @property
    def env(self) -> str:
        return "STORYLINE_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "home", "./storyline-data", "path", "Folder for the SQLite database, indexes and caches."
    ),
    Setting(
        "database_url",
        "",
        "str",
        "SQLAlchemy URL of the database, e.g. `postgresql+psycopg://host/db`. "
        "Empty: SQLite at `$STORYLINE_HOME/storyline.db`.",
    ),
    Setting("host", "127.0.0.1", "str", "Address `storyline serve` listens on."),
    Setting("port", "8000", "int", "Port `storyline serve` listens on."),
    Setting("page_size", "50", "int", "Articles per page on lists and in `/api/articles`."),
    Setting(
        "max_import_bytes",
        "50000000",
        "int",
        "Largest file `storyline import` reads; bigger files are refused with an error.",
    ),
    Setting("log_level", "info", "str", "Logging level: debug, info, warning or error."),
    Setting(
        "queue_url",
        "",
        "str",
        "Job queue: `redis://host:6379/0` for Redis, a `postgresql://` URL for PostgreSQL. "
        "Empty: SQLite at `$STORYLINE_HOME/queue.db`, or the PostgreSQL database when "
        "`STORYLINE_DATABASE_URL` is one.",
    ),
    Setting("workers", "4", "int", "Worker threads per process (`serve` and `worker`)."),
    Setting(
        "tick_seconds",
        "15",
        "float",
        "How often each process queues due feed checks and redoes work whose lease expired.",
    ),
    Setting(
        "default_opml",
        "",
        "str",
        "OPML file subscribed to on first start. Empty: the bundled list of about 30 "
        "outlets; `none`: subscribe to nothing.",
    ),
    Setting(
        "allow_private_urls",
        "false",
        "bool",
        "Allow fetching URLs that resolve to private, loopback or link-local addresses.",
    ),
    Setting(
        "user_agent",
        "",
        "str",
        "User-Agent sent with every fetch. Empty: `Storyline/<version>`.",
    ),
    Setting("fetch_timeout", "20", "float", "Seconds to wait to connect, and between bytes."),
    Setting("fetch_total_timeout", "60", "float", "Seconds a whole response may take to arrive."),
    Setting("max_response_bytes", "10000000", "int", "Largest response read, after decompression."),
    Setting("max_redirects", "5", "int", "Redirects followed before a fetch fails."),
    Setting(
        "fetch_attempts",
        "3",
        "int",
        "Tries of one fetch on a transient failure (backing off exponentially, with jitter).",
    ),
    Setting("host_delay", "1.0", "float", "Seconds between two requests to the same host."),
    Setting("host_concurrency", "2", "int", "Requests in flight to one host, per worker process."),
    Setting("feed_min_interval", "600", "int", "Shortest time between two checks of a feed (s)."),
    Setting("feed_max_interval", "43200", "int", "Longest time between two checks of a feed (s)."),
    Setting(
        "feed_max_failures",
        "10",
        "int",
        "Failures in a row after which a feed is paused (it can be resumed).",
    ),
    Setting(
        "lease_seconds",
        "300",
        "int",
        "How long a feed check or an entry is reserved by one worker before another may redo it.",
    ),
    Setting(
        "nlp_model",
        "en_core_web_sm",
        "str",
        "spaCy pipeline for English analysis: an installed package name such as `en_core_web_trf`.",
    ),
    Setting(
        "nlp_model_path",
        "",
        "str",
        "Folder of a spaCy pipeline on disk; when set it is loaded instead of `nlp_model`.",
    ),
    Setting(
        "nlp_batch_size",
        "32",
        "int",
        "Articles per spaCy batch when analysing.",
    ),
    Setting(
        "embedding_model",
        "sentence-transformers/all-MiniLM-L6-v2",
        "str",
        "Sentence-embedding model for related articles and stories (a sentence-transformers name).",
    ),
    Setting(
        "embedding_model_path",
        "",
        "str",
        "Folder of a sentence-transformers model on disk; when set it is loaded instead.",
    ),
    Setting(
        "embedding_backend",
        "auto",
        "str",
        "How vectors are computed: `auto`, `torch`, `onnx` or `onnx-int8` (see docs/stories.md).",
    ),
    Setting(
        "llm_url",
        "",
        "str",
        "Base URL of an OpenAI-compatible chat endpoint for the AI features, e.g. "
        "`http://127.0.0.1:8080/v1`. Empty: the offline engine only (see docs/ai.md).",
    ),
    Setting("llm_model", "", "str", "Model name sent to the LLM endpoint."),
    Setting("llm_api_key", "", "str", "Bearer token for the LLM endpoint (empty: none sent)."),
    Setting("llm_timeout", "30", "float", "Seconds one LLM request may take."),
    Setting("llm_retries", "2", "int", "Retries of an LLM request that failed or timed out."),
    Setting(
        "llm_daily_tokens",
        "200000",
        "int",
        "Tokens (prompt and completion) the LLM may use per UTC day; past it the offline "
        "engine answers. 0: no limit.",
    ),
    Setting(
        "page_cache_seconds",
        "5",
        "float",
        "Seconds an article or story page is kept, per process, for signed-out readers "
        "(signed-in readers always get a fresh page). 0: no cache.",
    ),
    Setting(
        "base_url",
        "",
        "str",
        "The address readers reach Storyline at, e.g. `https://news.example.org`, for links in "
        "mail and Atom feeds. Empty: `http://HOST:PORT`.",
    ),
    Setting(
        "registration",
        "open",
        "str",
        "Who may create an account: `open`, `invite` (with a code from an admin) or `closed`.",
    ),
    Setting("session_days", "30", "int", "Days a sign-in lasts without being used."),
    Setting(
        "password_hash_memory_kib",
        "65536",
        "int",
        "Memory one argon2id password hash takes (KiB; at least 32). The default and "
        "`STORYLINE_PASSWORD_HASH_TIME_COST`'s are RFC 9106's low-memory profile; lower both "
        "only on a small machine. Stored hashes of another cost are redone at sign-in.",
    ),
    Setting(
        "password_hash_time_cost",
        "3",
        "int",
        "Passes one argon2id password hash makes over its memory (at least 1).",
    ),
    Setting(
        "sign_in_limit",
        "5",
        "int",
        "Failed sign-ins per account, and 4 times as many per address, allowed in 15 minutes "
        "before further tries wait.",
    ),
    Setting(
        "smtp_url",
        "",
        "str",
        "Mail server for password resets and digests: `smtp://user:pass@host:587` (STARTTLS, "
        "required), `smtps://…:465` or `smtp+plain://host:25` (never TLS). Empty: no mail.",
    ),
    Setting("mail_from", "storyline@localhost", "str", "Sender address of Storyline's mail."),
    Setting(
        "comment_edit_minutes",
        "15",
        "int",
        "Minutes after posting during which a comment may be edited (it is marked edited).",
    ),
    Setting(
        "comment_rate",
        "5/60,60/86400",
        "str",
        "Comments one account may post: `COUNT/SECONDS` limits, comma-separated.",
    ),
    Setting(
        "automod",
        "new_account,links,repetition,words,classifier",
        "str",
        "Automatic pre-moderation rules in force, comma-separated: `new_account`, `links`, "
        "`repetition`, `words`, `classifier`, `llm` (asks the LLM endpoint too). "
        "`none` switches pre-moderation off.",
    ),
    Setting(
        "automod_words",
        "",
        "path",
        "File of words and phrases (one per line) that hold a comment for a moderator. "
        "Empty: a short built-in list of slurs and threats.",
    ),
    Setting(
        "automod_new_account_hours",
        "24",
        "int",
        "Accounts younger than this may post one comment with a link and 3 comments an hour.",
    ),
)

# Settings below which what they govern breaks: a sign-in limit under 1 would let nobody
# sign in (and fails in the query that counts failures).
_MINIMUMS = {"sign_in_limit": 1}

_PARSERS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "int": int,
    "float": float,
    "path": lambda value: Path(value).expanduser() if value else None,
}


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(value)


_PARSERS["bool"] = _parse_bool


@dataclass(frozen=True)
class Settings:
    """Settings in force for one process. Build with :func:`load_settings`."""

    home: Path = Path("./storyline-data")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    page_size: int = 50
    max_import_bytes: int = 50_000_000
    log_level: str = "info"
    queue_url: str = ""
    workers: int = 4
    tick_seconds: float = 15.0
    default_opml: str = ""
    allow_private_urls: bool = False
    user_agent: str = ""
    fetch_timeout: float = 20.0
    fetch_total_timeout: float = 60.0
    max_response_bytes: int = 10_000_000
    max_redirects: int = 5
    fetch_attempts: int = 3
    host_delay: float = 1.0
    host_concurrency: int = 2
    feed_min_interval: int = 600
    feed_max_interval: int = 43_200
    feed_max_failures: int = 10
    lease_seconds: int = 300
    nlp_model: str = "en_core_web_sm"
    nlp_model_path: str = ""
    nlp_batch_size: int = 32
    embedding_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    embedding_model_path: str = ""
    embedding_backend: str = "auto"
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 30.0
    llm_retries: int = 2
    llm_daily_tokens: int = 200_000
    page_cache_seconds: float = 5.0
    base_url: str = ""
    registration: str = "open"
    session_days: int = 30
    password_hash_memory_kib: int = 65_536
    password_hash_time_cost: int = 3
    sign_in_limit: int = 5
    smtp_url: str = ""
    mail_from: str = "storyline@localhost"
    comment_edit_minutes: int = 15
    comment_rate: str = "5/60,60/86400"
    automod: str = "new_account,links,repetition,words,classifier"
    automod_words: Path | None = None
    automod_new_account_hours: int = 24

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'storyline.db').resolve()}"

    @property
    def public_url(self) -> str:
        """Where readers reach this installation, without a trailing slash."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read every setting from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.env, setting.default)
        try:
            values[setting.name] = _PARSERS[setting.type](raw)
        except ValueError as exc:
            raise SettingsError(
                f"{setting.env}={raw!r} is not a valid {setting.type}: {setting.help}"
            ) from exc
    values.update(overrides)
    for setting in SETTINGS:
        least = _MINIMUMS.get(setting.name)
        if least is not None and values[setting.name] < least:
            raise SettingsError(
                f"{setting.env}={values[setting.name]!r} is less than {least}: {setting.help}"
            )
    known = {f.name for f in fields(Settings)}
    unknown = set(values) - known
    if unknown:
        raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
    return Settings(**values)


def settings_markdown() -> str:
    """The README's settings table, generated from :data:`SETTINGS`."""
    lines = ["| Variable | Default | Type | Meaning |", "| --- | --- | --- | --- |"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "(empty)"
        lines.append(f"| `{setting.env}` | {default} | {setting.type} | {setting.help} |")
    return "\n".join(lines) + "\n"
