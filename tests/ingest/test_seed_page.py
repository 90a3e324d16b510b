"""The seed page (``../shared/seed``, read in place): four articles, then nothing new.

The two titles that must not be written into the repository are read from the page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.ingest import import_paths
from storyline.settings import Settings
from storyline.store import Database, list_articles
from storyline.views import article_summary
from tests.conftest import REPO

AS_OF = datetime(2025, 6, 8, 15, 0, tzinfo=UTC)


def _expected(seed_page: Path, main_outlet: str) -> dict[str, tuple[str, str | None]]:
    """Title -> (outlet, published_at) for the four articles of the page."""
    lines = seed_page.read_text(encoding="utf-8").splitlines()
    main_title = lines[0]
    exchange_title = lines[lines.index("- Los Angeles Times") + 1]
    assert main_title.startswith("Ukraine struggles to hold on in Kursk Oblast")
    assert exchange_title.endswith("of dead fighters, officials say")
    return {
        main_title: (main_outlet, None),
        exchange_title: ("Los Angeles Times", "2025-06-08T13:00:00Z"),
        "Moscow temporarily closes airports as Ukraine targets Russia with drones": (
            "UPI",
            "2025-06-08T13:00:00Z",
        ),
        "Zelensky Addresses 'Complicated' Aftermath of Oval Office Blowup With Trump": (
            "Newsweek",
            "2025-06-08T12:00:00Z",
        ),
    }


def _stored(database: Database) -> dict[str, tuple[str | None, str | None]]:
    with database.read() as session:
        summaries = [article_summary(a) for a in list_articles(session, limit=None)]
    return {s["title"]: (s["outlet"], s["published_at"]) for s in summaries}


def test_the_seed_page_stores_four_articles_once(
    database: Database, settings: Settings, seed_page: Path
) -> None:
    report = import_paths(database, settings, [seed_page], as_of=AS_OF)
    assert report.errors == []
    assert report.summary_lines() == [
        f"{seed_page} (aggregator page): 4 articles: 4 new, 0 revised, 0 unchanged"
    ]
    assert _stored(database) == _expected(seed_page, "Kyiv Independent")

    again = import_paths(database, settings, [seed_page], as_of=AS_OF)
    assert again.errors == []
    assert again.summary_lines() == [
        f"{seed_page} (aggregator page): 4 articles: 0 new, 0 revised, 4 unchanged"
    ]
    assert len(_stored(database)) == 4


def test_the_outlet_option_names_the_main_article(
    sqlite_database: Database, settings: Settings, seed_page: Path
) -> None:
    report = import_paths(
        sqlite_database, settings, [seed_page], as_of=AS_OF, outlet="Harbor Digest"
    )
    assert report.errors == []
    assert _stored(sqlite_database) == _expected(seed_page, "Harbor Digest")


@pytest.mark.slow
def test_the_command_line_imports_the_seed_page(tmp_path: Path, seed_page: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}
    env["STORYLINE_HOME"] = str(tmp_path / "home")

    def storyline(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "storyline", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    imported = storyline("import", str(seed_page), "--as-of", "2025-06-08T15:00:00Z")
    assert imported.returncode == 0, imported.stderr
    summary = f"{seed_page} (aggregator page): 4 articles: 4 new, 0 revised, 0 unchanged"
    assert imported.stdout.splitlines() == [summary]
    assert summary in imported.stderr.splitlines()  # the progress line at the end of the file
    listed = storyline("articles", "--json")
    assert listed.returncode == 0, listed.stderr
    articles = json.loads(listed.stdout)
    stored = {a["title"]: (a["outlet"], a["published_at"]) for a in articles}
    assert stored == _expected(seed_page, "Kyiv Independent")

    again = storyline("import", "--quiet", str(seed_page), "--as-of", "2025-06-08T15:00:00Z")
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 revised, 4 unchanged" in again.stdout
    assert "storyline import:" not in again.stderr  # no errors
    assert "unchanged" not in again.stderr  # --quiet: no progress lines
