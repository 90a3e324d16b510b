"""The AI features panel on the model page's articles and their stories: the JSON API, the
CLI and, in headless Chromium, the page. Everything runs offline (no LLM is configured),
over the seed read in place plus invented outlets' articles on the same events, imported,
analysed and placed by the real pipeline."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from storyline.analysis import analyze_backlog
from storyline.cli import main
from storyline.ingest import import_paths
from storyline.placement import place_backlog
from storyline.settings import Settings, load_settings
from storyline.store import Database
from tests.conftest import FIXTURES
from tests.support.app_server import served_app
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

EVENTS = FIXTURES / "stories" / "seed-events" / "articles.jsonl"


@pytest.fixture(scope="module")
def site_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("ai-site") / "home"
    return load_settings(environ={"STORYLINE_HOME": str(home)})


@pytest.fixture(scope="module")
def site(site_settings: Settings, shared_dir: Path) -> Iterator[str]:
    database = Database.from_settings(site_settings)
    seed = shared_dir / "seed" / "daily8-article-page.txt"
    import_paths(
        database, site_settings, [seed, EVENTS], as_of=datetime(2025, 6, 8, 15, tzinfo=UTC)
    )
    analyze_backlog(database, site_settings)
    place_backlog(database, site_settings)
    with served_app(site_settings, database) as url:
        yield url
    database.dispose()


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def _texts(site: str, ids: set[int]) -> dict[int, str]:
    return {i: _get(f"{site}/api/articles/{i}")["text"] for i in ids}


def _check_citations(site: str, sentences: list[dict[str, Any]], quoted: bool = False) -> None:
    """Every sentence cites spans of real articles; a sentence copied from its source
    (``quoted`` False) is exactly the text it cites."""
    ids = {c["article_id"] for s in sentences for c in s["citations"]}
    texts = _texts(site, ids)
    for sentence in sentences:
        assert sentence["citations"], sentence
        cited = [texts[c["article_id"]][c["start"] : c["end"]] for c in sentence["citations"]]
        assert all(len(c.split()) >= 4 for c in cited), cited
        if not quoted:
            # Copied from its source: the cited span, perhaps given back the capital and
            # full stop that a trim took away.
            assert _plain(sentence["text"]) in [_plain(c) for c in cited], (sentence, cited)


def _plain(text: str) -> str:
    return text.rstrip(".").casefold()


def _by_title(site: str, words: str) -> int:
    return next(a["id"] for a in _get(f"{site}/api/articles") if words in a["title"])


def _ask(site: str, kind: str, target: int, question: str) -> dict[str, Any]:
    query = urllib.parse.urlencode({"q": question})
    result: dict[str, Any] = _get(f"{site}/api/{kind}/{target}/ai/ask?{query}")
    return result


def test_the_panel_in_the_api_on_the_model_pages_articles(site: str) -> None:
    kursk = _by_title(site, "Kursk Oblast as Russia strikes back")
    panel = _get(f"{site}/api/articles/{kursk}/ai")
    assert panel["target"] == {"type": "article", "id": kursk, "title": panel["target"]["title"]}
    summary = panel["summary"]
    assert summary["engine"] == "offline" and "notice" not in summary
    assert 2 <= len(summary["sentences"]) <= 4
    assert 3 <= len(summary["key_points"]) <= 6
    _check_citations(site, summary["sentences"] + summary["key_points"])
    assert {c["article_id"] for s in summary["sentences"] for c in s["citations"]} == {kursk}
    assert str(kursk) in panel["sources"] or kursk in panel["sources"]

    samus = _ask(site, "articles", kursk, "Who is Mykhailo Samus?")
    assert samus["answer"] and (
        "military expert" in samus["answer"] or "New Geopolitics" in samus["answer"]
    ), samus
    _check_citations(site, samus["sentences"])
    unknown = _ask(site, "articles", kursk, "How old is Mykhailo Samus?")
    assert unknown["answer"] is None
    assert unknown["sentences"] == [{"text": "The coverage does not say.", "citations": []}]

    exchange = _by_title(site, "planned exchange of dead fighters")
    bodies = _ask(site, "articles", exchange, "How many bodies were to be exchanged?")
    assert bodies["answer"] == "6,000", bodies
    _check_citations(site, bodies["sentences"])
    airports = _ask(site, "articles", exchange, "Which airports suspended flights?")
    assert "Vnukovo" in airports["answer"] and "Domodedovo" in airports["answer"], airports

    # Bad questions get a clear error, not a guess.
    for bad in ("", "x" * 501):
        query = urllib.parse.urlencode({"q": bad})
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{site}/api/articles/{kursk}/ai/ask?{query}", timeout=30)
        assert error.value.code == 422
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{site}/api/articles/{kursk}/ai/horoscope", timeout=30)
    assert error.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{site}/api/articles/99999/ai", timeout=30)
    assert error.value.code == 404


def test_the_panel_of_a_story_across_outlets(site: str) -> None:
    kursk = _by_title(site, "Kursk Oblast as Russia strikes back")
    story_id = _get(f"{site}/api/articles/{kursk}")["story_id"]
    panel = _get(f"{site}/api/stories/{story_id}/ai")
    brief = panel["summary"]
    assert 2 <= len(brief["sentences"]) <= 5
    _check_citations(site, brief["sentences"] + brief["key_points"])
    cited = {
        c["article_id"] for s in brief["sentences"] + brief["key_points"] for c in s["citations"]
    }
    assert len(cited) >= 2, "a story's brief draws on several outlets"

    perspectives = panel["perspectives"]
    assert perspectives["sections"], perspectives
    _check_citations(site, perspectives["sentences"], quoted=True)
    labels = {s.get("label") for s in perspectives["sentences"]}
    assert "Kyiv Independent" in labels or "Baltic Morning Post" in labels, labels

    background = panel["background"]
    _check_citations(site, background["sentences"])
    assert all(s.get("label") for s in background["sentences"])

    hlushko = _ask(site, "stories", story_id, "Who is Taras Hlushko?")
    assert hlushko["answer"], hlushko
    _check_citations(site, hlushko["sentences"])


def test_the_cli_prints_what_the_api_returns(
    site: str,
    site_settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORYLINE_HOME", str(site_settings.home))
    exchange = _by_title(site, "planned exchange of dead fighters")
    assert main(["ai", "summary", str(exchange), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == _get(f"{site}/api/articles/{exchange}/ai/summary")
    assert main(["ai", "ask", f"article:{exchange}", "How many bodies were to be exchanged?"]) == 0
    out = capsys.readouterr().out
    assert "A: 6,000" in out and f"[{exchange}:" in out
    story_id = _get(f"{site}/api/articles/{exchange}")["story_id"]
    assert main(["ai", "perspectives", f"story:{story_id}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["target"] == {
        "type": "story",
        "id": story_id,
        "title": _get(f"{site}/api/stories/{story_id}")["title"],
    }
    assert main(["ai", "background", "story:999999"]) == 1
    assert "no story with id 999999" in capsys.readouterr().err
    assert main(["ai", "ask", "12x", "Who?"]) == 2
    assert main(["ai", "ask", str(exchange), "   "]) == 2


@pytest.mark.browser
def test_the_panel_in_chromium_cites_and_answers(site: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    from playwright.sync_api import sync_playwright

    kursk = _by_title(site, "Kursk Oblast as Russia strikes back")
    exchange = _by_title(site, "planned exchange of dead fighters")
    summary = _get(f"{site}/api/articles/{kursk}/ai/summary")
    first = summary["sentences"][0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 420, "height": 900})
        page.goto(f"{site}/articles/{kursk}")
        panel = page.locator("section.ai")
        assert panel.locator("h2").inner_text() == "AI features"
        assert first["text"][:40] in panel.locator(".ai__summary").inner_text()
        assert panel.locator("#ai-summary-title ~ ul li").count() == len(summary["key_points"])
        # A citation jumps to its sentence in the article, highlighted.
        panel.locator(".ai__summary a.cite").first.click()
        page.wait_for_load_state()
        mark = page.locator("mark.cited")
        assert mark.first.is_visible()
        assert _plain("".join(mark.all_inner_texts())) == _plain(first["text"])
        assert page.url.endswith("#hl")

        page.goto(f"{site}/articles/{exchange}")
        page.fill("#ai-question", "How many bodies were to be exchanged?")
        page.click(".ai__ask button")
        page.wait_for_load_state()
        assert page.locator(".ai__short-answer").inner_text() == "6,000"
        assert page.locator(".ai__answer a.cite").count() >= 1
        page.fill("#ai-question", "How old is Vladimir Medinsky?")
        page.click(".ai__ask button")
        page.wait_for_load_state()
        assert page.locator(".ai__no-answer").inner_text() == "The coverage does not say."

        story_id = _get(f"{site}/api/articles/{kursk}")["story_id"]
        page.goto(f"{site}/stories/{story_id}")
        assert page.locator("section.ai #ai-summary-title").inner_text() == "Brief"
        assert page.locator("section.ai #ai-perspectives-title ~ ul li").count() >= 1
        # What happened before the story: the Kyiv Independent's dated events, each linked.
        background = page.locator("section.ai #ai-background-title ~ ol li")
        assert background.count() >= 1
        assert background.first.locator("a.cite").count() >= 1
        browser.close()
