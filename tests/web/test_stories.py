"""Story pages, the stories front page, and an article's related articles and copies,
with their JSON twins, over the invented copies fixtures placed by the real pipeline."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator

import pytest

from storyline.analysis import analyze_backlog
from storyline.cli import main
from storyline.placement import place_backlog
from storyline.settings import Settings
from storyline.store import Database
from tests.test_placement import META, store_copies_fixtures
from tests.web.html import cls, find, parse

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from storyline.web import create_app


@pytest.fixture
def sqlite_placed(sqlite_database: Database, settings: Settings) -> dict[str, int]:
    ids = store_copies_fixtures(sqlite_database, ("breach", "strike"))
    analyze_backlog(sqlite_database, settings)
    place_backlog(sqlite_database, settings)
    return ids


@pytest.fixture
def client(
    settings: Settings, sqlite_database: Database, sqlite_placed: dict[str, int]
) -> Iterator[TestClient]:
    with TestClient(create_app(settings, sqlite_database)) as test_client:
        yield test_client


def test_stories_pages_articles_and_cli_agree(
    client: TestClient,
    sqlite_placed: dict[str, int],
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORYLINE_HOME", str(settings.home))
    stories = client.get("/api/stories?all=true").json()
    by_article = {a: s["id"] for s in stories for a in s["article_ids"]}
    assert set(by_article) == set(sqlite_placed.values())

    # The CLI lists the same stories (the heldout scoring reads this).
    assert main(["stories", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(s["id"], s["article_ids"], s["storyline_id"]) for s in listed] == [
        (s["id"], s["article_ids"], s["storyline_id"]) for s in stories
    ]

    original = sqlite_placed["breach-kestrel"]
    detail = client.get(f"/api/articles/{original}").json()
    assert detail["story_id"] == by_article[original]
    copies = {c["id"] for c in detail["copies"]}
    family = {a for name, a in sqlite_placed.items() if META[name]["family"] == "breach-kestrel"}
    assert copies == family - {original}
    related = detail["related"]
    assert related and related[0]["same_story"]
    assert all(r["id"] not in copies for r in related), "copies are listed apart, not related"
    events = {
        sqlite_placed_id: META[name]["event"] for name, sqlite_placed_id in sqlite_placed.items()
    }
    same_story = [r for r in related if r["same_story"]]
    assert all(events[r["id"]] == "breach" for r in same_story)

    page = parse(client.get(f"/articles/{original}").text)
    assert find(page, f"//section[{cls('related')}]//h3/a")
    assert find(page, f"//section[{cls('copies')}]//a")

    story_id = detail["story_id"]
    story = client.get(f"/api/stories/{story_id}").json()
    assert story["title"] and story["digest"]["timeline"] is not None
    assert {a["id"] for a in story["articles"]} == {
        a for a, s in by_article.items() if s == story_id
    }
    assert story["digest"]["carriage"]["carried"], "the wire story's carriers are shown"
    html = client.get(f"/stories/{story_id}").text
    page = parse(html)
    assert find(page, f"//section[{cls('story-articles')}]//a")
    assert "<svg" in html and find(page, f"//section[{cls('coverage')}]")
    front = parse(client.get("/").text)
    assert find(front, f"//section[{cls('top-stories')}]//a")
    assert len(find(front, "//h1")) == 1
    storyline = client.get(f"/api/storylines/{story['storyline_id']}").json()
    assert story_id in [s["id"] for s in storyline["stories"]]
    storyline_page = parse(client.get(f"/storylines/{story['storyline_id']}").text)
    assert find(storyline_page, f"//ol[{cls('story-list')}]//a")
    assert client.get("/api/stories/999999").status_code == 404

    # Hashtag and entity pages list the stories of their articles too.
    tag = detail["hashtags"][0].lstrip("#")
    tagged = client.get(f"/api/tags/{tag}").json()
    assert story_id in [s["id"] for s in tagged["stories"]]
    entity = detail["entities"][0]["id"]
    named = client.get(f"/api/entities/{entity}").json()
    assert story_id in [s["id"] for s in named["stories"]]
    assert find(parse(client.get(f"/tags/{tag}").text), f"//section[{cls('stories')}]//a")
