"""The settings table: parsing, errors, and the README's copy of it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from storyline.settings import SETTINGS, Settings, SettingsError, load_settings


def test_defaults_come_from_the_table() -> None:
    settings = load_settings(environ={})
    assert settings.home == Path("./storyline-data")
    assert settings.port == 8000
    assert settings.resolved_database_url.endswith("storyline-data/storyline.db")
    assert settings.is_sqlite


def test_every_table_row_is_a_field_with_the_same_default() -> None:
    field_defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    parsed = load_settings(environ={})
    assert set(field_defaults) == {s.name for s in SETTINGS}
    for setting in SETTINGS:
        assert getattr(parsed, setting.name) == field_defaults[setting.name], setting.name


def test_environment_overrides_and_selects_postgresql() -> None:
    settings = load_settings(
        environ={
            "STORYLINE_PORT": "9001",
            "STORYLINE_DATABASE_URL": "postgresql+psycopg://db.internal/news",
        }
    )
    assert settings.port == 9001
    assert not settings.is_sqlite


def test_a_wrong_type_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="STORYLINE_PORT"):
        load_settings(environ={"STORYLINE_PORT": "eighty"})


def test_settings_are_frozen() -> None:
    settings = load_settings(environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]
