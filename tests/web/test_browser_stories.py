"""The model page plus invented outlets' articles on the same events, in headless Chromium:
the Kursk article's story page shows the merged timeline, who said what across outlets,
where the sources disagree and the coverage chart; its related articles are on topic; the
front page lists the stories. The same data is in the JSON API. The seed is read in place
and everything goes through the real importer, which analyses and places what it stores."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from storyline.analysis import analyze_backlog
from storyline.ingest import import_paths
from storyline.placement import place_backlog
from storyline.settings import Settings
from storyline.store import Database
from tests.conftest import FIXTURES
from tests.support.app_server import served_app
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

EVENTS = FIXTURES / "stories" / "seed-events" / "articles.jsonl"


@pytest.fixture
def site(settings: Settings, sqlite_database: Database, seed_page: Path) -> Iterator[str]:
    as_of = datetime(2025, 6, 8, 15, tzinfo=UTC)
    import_paths(sqlite_database, settings, [seed_page, EVENTS], as_of=as_of)
    analyze_backlog(sqlite_database, settings)
    place_backlog(sqlite_database, settings)
    with served_app(settings, sqlite_database) as url:
        yield url


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_story_pages_show_timeline_quotes_disagreements_and_coverage(site: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    kursk = _get(f"{site}/api/articles/1")
    assert "Kursk" in kursk["title"]
    story_id = kursk["story_id"]
    story = _get(f"{site}/api/stories/{story_id}")
    outlets = set(story["outlets"])
    assert {"Kyiv Independent", "Northgate Wire", "Baltic Morning Post"} <= outlets, outlets
    assert all("airport" not in a["title"].lower() for a in story["articles"])
    related = kursk["related"]
    assert related and related[0]["same_story"] and "Kursk" in related[0]["title"]
    digest = story["digest"]
    assert digest["timeline"] and digest["speakers"] and digest["disagreements"]
    hlushko = next(s for s in digest["speakers"] if s["name"].endswith("Taras Hlushko"))
    assert any(len(q["outlets"]) >= 2 for q in hlushko["quotes"]), hlushko

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(f"{site}/stories/{story_id}")
        assert page.locator("h1").inner_text() == story["title"]
        assert page.locator(".timeline li").count() == len(digest["timeline"])
        speakers = page.locator(".quoted .speaker h3").all_inner_texts()
        assert any("Taras Hlushko" in s for s in speakers), speakers
        sides = page.locator(".disagreement__side")
        assert sides.count() >= 2
        chart = page.locator(".coverage svg")
        box = chart.bounding_box()
        assert chart.is_visible() and box is not None and box["width"] > 100
        page.locator(".story-articles li", has_text="Northgate Wire").locator("a").first.click()
        page.wait_for_load_state()
        assert "/articles/" in page.url
        assert page.locator(".copies a", has_text="Dnipro Ledger").count() == 1

        page.goto(f"{site}/articles/1")
        titles = page.locator(".related h3").all_inner_texts()
        assert titles and "Kursk" in titles[0], titles

        page.goto(site)
        stories = page.locator(".top-stories .summary__title a").all_inner_texts()
        assert len(stories) >= 2, stories
        browser.close()
