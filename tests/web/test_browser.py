"""The article page in headless Chromium: sections, dark mode, a phone-sized screen.

Uses Debian's chromium (never a downloaded browser) through Playwright, against the app
served by uvicorn on 127.0.0.1 in a thread of this process. Leaves a screenshot in
``test-artifacts/article-page.png`` for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.settings import Settings
from storyline.store import Database
from tests.conftest import REPO
from tests.support.app_server import served_app
from tests.web.conftest import Seeded, seed_articles

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def seeded_sqlite(sqlite_database: Database) -> Seeded:
    return seed_articles(sqlite_database)


@pytest.fixture
def base_url(settings: Settings, sqlite_database: Database, seeded_sqlite: Seeded) -> Iterator[str]:
    with served_app(settings, sqlite_database) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


def _luminance(css_color: str) -> float:
    """Relative luminance (WCAG) of an ``rgb(…)``/``rgba(…)`` computed colour."""
    numbers = css_color[css_color.index("(") + 1 : css_color.index(")")].split(",")
    channels = [int(float(n)) / 255 for n in numbers[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


_COLOURS = """() => {
  const style = (selector, prop) => getComputedStyle(document.querySelector(selector))[prop];
  return {
    background: style('body', 'backgroundColor'),
    text: style('body', 'color'),
    meta: style('.story__header .meta', 'color'),
    link: style('.read-also a', 'color'),
    caption: style('figcaption', 'color'),
    kicker: style('.kicker a', 'color'),
  };
}"""


def test_article_page_in_chromium(browser: object, base_url: str, seeded_sqlite: Seeded) -> None:
    seeded = seeded_sqlite
    url = f"{base_url}/articles/{seeded.ids['ferry']}"
    record = seeded.records["ferry"]
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []

    light = browser.new_page(color_scheme="light", viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    light.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    light.goto(url)
    assert light.locator("h1").inner_text() == record["title"]
    paragraphs = [text for kind, text in record["blocks"] if kind == "paragraph"]
    assert light.locator(".story__body p.block").count() == len(paragraphs)
    assert light.locator(".story__body h2").all_inner_texts() == [
        text for kind, text in record["blocks"] if kind == "heading"
    ]
    assert light.locator(".story__body figure figcaption").is_visible()
    assert light.locator(".story__body blockquote").is_visible()
    assert light.locator(".read-also li").count() == len(record["links"])
    assert light.locator(".read-also h2").is_visible()
    colours = light.evaluate(_COLOURS)
    assert _luminance(colours["background"]) > 0.8
    for name in ("text", "meta", "link", "caption", "kicker"):
        assert _contrast(colours[name], colours["background"]) >= 4.5, (name, colours)
    light.screenshot(path=str(ARTIFACTS / "article-page.png"), full_page=True)
    assert light.locator(".skip-link").bounding_box()["y"] < 0  # hidden until focused
    light.keyboard.press("Tab")
    assert light.evaluate("document.activeElement.className") == "skip-link"
    assert light.locator(".skip-link").bounding_box()["y"] >= 0
    outline = light.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # keyboard focus is visible
    assert errors == []  # nothing blocked by the CSP, no missing stylesheet

    dark = browser.new_page(color_scheme="dark")  # type: ignore[attr-defined]
    dark.goto(url)
    colours = dark.evaluate(_COLOURS)
    assert _luminance(colours["background"]) < 0.05, colours
    for name in ("text", "meta", "link", "caption", "kicker"):
        assert _contrast(colours[name], colours["background"]) >= 4.5, (name, colours)
    dark.screenshot(path=str(ARTIFACTS / "article-page-dark.png"), full_page=True)

    for path in (url, f"{base_url}/", f"{base_url}/articles/{seeded.ids['hostile']}"):
        phone = browser.new_page(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
        phone.goto(path)
        scroll_width = phone.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 360, (path, scroll_width)
        if path == url:
            phone.screenshot(path=str(ARTIFACTS / "article-page-phone.png"), full_page=True)
        phone.close()
