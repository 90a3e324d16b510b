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
)

_PARSERS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "int": int,
    "float": float,
    "path": lambda value: Path(value).expanduser(),
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

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'storyline.db').resolve()}"

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
