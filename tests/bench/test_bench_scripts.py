"""The benchmark scripts run: the seeder stores what it says, and every script has --help.

The benchmarks themselves are not timed tests (docs/benchmarks.md holds their figures);
these only make sure the scripts do not rot between runs.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from storyline.model import BlockKind
from storyline.settings import load_settings
from storyline.store import Database, count_articles, list_articles

BENCH = Path(__file__).resolve().parents[2] / "bench"

pytestmark = pytest.mark.slow


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_seeder_stores_the_count_asked_for_and_is_idempotent(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _run(str(BENCH / "seed_articles.py"), "--home", str(home), "--count", "50")
    assert first.returncode == 0, first.stderr
    assert "50 articles created" in first.stdout
    assert "articles/s" in first.stdout

    again = _run(str(BENCH / "seed_articles.py"), "--home", str(home), "--count", "50")
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout

    database = Database.from_settings(load_settings(environ={"STORYLINE_HOME": str(home)}))
    try:
        with database.read() as session:
            assert count_articles(session) == 50
            articles = list_articles(session, limit=None)
            outlets = {article.outlet.name for article in articles if article.outlet}
            assert len(outlets) > 10
            for article in articles:
                kinds = Counter(block.kind for block in article.blocks)
                assert 10 <= kinds[BlockKind.PARAGRAPH] <= 30
                assert kinds[BlockKind.CAPTION] == 1
                assert 1 <= kinds[BlockKind.HEADING] <= 2
                assert [link.kind for link in article.links] == ["read-also"]
            published = sorted(a.published_at for a in articles if a.published_at)
            assert len(published) == 50
            assert (published[-1] - published[0]).days >= 30
    finally:
        database.dispose()


@pytest.mark.parametrize(
    "script", ["seed_articles.py", "web_load.py", "comment_page.py", "personal_feed.py"]
)
def test_bench_script_help(script: str) -> None:
    completed = _run(str(BENCH / script), "--help")
    assert completed.returncode == 0, completed.stderr
    assert "--home" in completed.stdout
