"""The ``storyline`` command: help for every subcommand, settings, migrate."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from storyline.cli import build_parser, main
from storyline.settings import settings_markdown


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_subcommand_has_help_text() -> None:
    parser = build_parser()
    listed = parser.format_help()
    for name, sub in _subcommands().items():
        assert name in listed
        assert sub.description, f"`storyline {name}` has no description"
        for action in sub._actions:
            if action.dest != "help" and not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"`storyline {name}` option {action.dest} has no help"


def test_settings_markdown_matches_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings", "--markdown"]) == 0
    assert capsys.readouterr().out == settings_markdown()


def test_migrate_creates_the_database_in_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STORYLINE_HOME", str(tmp_path))
    assert main(["migrate"]) == 0
    assert (tmp_path / "storyline.db").exists()
    assert "up to date" in capsys.readouterr().out


def test_a_bad_setting_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STORYLINE_PAGE_SIZE", "many")
    assert main(["settings"]) == 2
    assert "STORYLINE_PAGE_SIZE" in capsys.readouterr().err


def test_unknown_article_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STORYLINE_HOME", str(tmp_path))
    assert main(["articles", "999", "--json"]) == 1
    assert "no article with id 999" in capsys.readouterr().err
