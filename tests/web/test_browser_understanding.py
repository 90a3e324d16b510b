"""The model page's first article in headless Chromium, with what the analysis found: its
hashtags, who is quoted (full names and roles) with links that jump to and highlight the
quote, its dated timeline and its entities. The seed is read in place and imported with the
real importer, which analyses what it stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.analysis import analyze_backlog
from storyline.ingest import import_paths
from storyline.settings import Settings
from storyline.store import Database
from tests.support.app_server import served_app
from tests.web.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
def seed_url(settings: Settings, sqlite_database: Database, seed_page: Path) -> Iterator[str]:
    import_paths(sqlite_database, settings, [seed_page], as_of=datetime(2025, 6, 8, 15, tzinfo=UTC))
    analyze_backlog(sqlite_database, settings)
    with served_app(settings, sqlite_database) as url:
        yield url


def test_the_model_articles_page_shows_what_the_analysis_found(seed_url: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(f"{seed_url}/articles/1")

        tags = page.locator(".hashtags .tag").all_inner_texts()
        assert 3 <= len(tags) <= 8 and "#KurskOblast" in tags

        speakers = page.locator(".speaker__name").all_inner_texts()
        samus_line = next(s for s in speakers if s.startswith("Mykhailo Samus"))
        assert "military expert" in samus_line  # the role, as the article gives it
        assert any(s.startswith("Ruslan Mykula") for s in speakers), speakers

        events = page.locator(".timeline__events time").all_inner_texts()
        assert any(e.endswith("March 2025") for e in events), events

        samus = page.locator(".speaker", has_text="Mykhailo Samus").locator(".quote-link")
        anchor = samus.first.get_attribute("href")
        assert anchor is not None and anchor.startswith("#q")
        samus.first.click()
        target = page.locator(f"[id='{anchor[1:]}']")
        assert target.evaluate("node => node.matches(':target')")
        highlight = target.evaluate("node => getComputedStyle(node).backgroundColor")
        assert highlight not in ("rgba(0, 0, 0, 0)", "transparent")

        people = page.locator(".story__body a.entity--person").all_inner_texts()
        assert "Mykhailo Samus" in people
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "article-understanding.png"), full_page=True)
        browser.close()
