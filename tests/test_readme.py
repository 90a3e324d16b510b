"""The README is the entry point for people and CI: keep it true."""

from __future__ import annotations

import re
from pathlib import Path

from storyline.cli import cli_reference_markdown
from storyline.settings import settings_markdown

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "the Set up section has no shell block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_gives_exactly_two_setup_commands() -> None:
    assert _setup_commands() == ["bin/run", "bin/test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec bin/test" in ci


def test_readme_settings_and_cli_reference_are_current() -> None:
    assert settings_markdown() in README, "run bin/update-readme"
    assert cli_reference_markdown() in README, "run bin/update-readme"


def test_readme_screenshot_exists() -> None:
    image = re.search(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert image and (ROOT / image.group(1)).is_file()
