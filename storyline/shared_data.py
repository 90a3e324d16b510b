"""Where the shared evaluation data lives: the gold sets the quality gates, benchmarks and
tests read in place (never copied into the repository).

It is the ``shared`` folder beside the repository. A checkout made elsewhere with
``git clone`` from a local repository (as CI and a new user's ``mktemp -d`` clone are)
finds it beside the repository it was cloned from (following a few clones back);
``STORYLINE_SHARED_DIR`` names it outright.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# How many local clones deep the data is looked for.
_ORIGINS = 3


@functools.cache
def shared_dir() -> Path:
    """The shared data folder; the first candidate that exists, else the one beside the
    repository (so an error message names where it was looked for)."""
    beside = REPO.parent / "shared"
    candidates = (
        [Path(os.environ["STORYLINE_SHARED_DIR"])] if os.environ.get("STORYLINE_SHARED_DIR") else []
    )
    candidates.append(beside)
    repo: Path | None = REPO
    for _ in range(_ORIGINS):  # a clone of a clone of the checkout beside the data
        repo = _local_origin(repo) if repo is not None else None
        if repo is not None:
            candidates.append(repo.parent / "shared")
    return next((path for path in candidates if path.is_dir()), candidates[0])


def _local_origin(repo: Path) -> Path | None:
    """The repository ``repo`` was cloned from, when that is a folder on this machine."""
    try:
        found = subprocess.run(
            ["git", "-C", str(repo), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not found or "://" in found or found.startswith("git@"):
        return None
    path = Path(found.removeprefix("file:")).expanduser()
    return path.resolve() if path.is_dir() else None
