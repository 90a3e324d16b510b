"""Finding the shared evaluation data from a checkout beside it, or from a clone of one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storyline.shared_data import REPO, shared_dir


def test_the_shared_folder_is_found_beside_this_checkout_or_its_origin() -> None:
    found = shared_dir()
    assert found.is_dir() and (found / "datasets").is_dir()


def test_a_clone_made_elsewhere_finds_it_through_the_repository_it_came_from(
    tmp_path: Path,
) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    environ = {k: v for k, v in os.environ.items() if k != "STORYLINE_SHARED_DIR"}
    environ["PYTHONPATH"] = str(clone)
    printed = subprocess.run(
        [sys.executable, "-c", "from storyline.shared_data import shared_dir; print(shared_dir())"],
        cwd=clone,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(printed) == shared_dir()


def test_the_variable_names_it_outright(tmp_path: Path) -> None:
    elsewhere = tmp_path / "gold"
    elsewhere.mkdir()
    printed = subprocess.run(
        [sys.executable, "-c", "from storyline.shared_data import shared_dir; print(shared_dir())"],
        env={**os.environ, "STORYLINE_SHARED_DIR": str(elsewhere), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(printed) == elsewhere
