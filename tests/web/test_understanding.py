"""The article page's Hashtags, "Who's quoted" and Timeline sections, entity and hashtag
pages with their JSON twins, and the entity corrections behind CSRF protection."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from storyline.analysis import analyze_backlog
from storyline.settings import Settings
from storyline.store import Database
from tests.test_analysis import store_fixture_articles
from tests.web.html import cls, find, one, parse

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from storyline.web import create_app


@pytest.fixture
def analysed(database: Database, settings: Settings) -> dict[str, int]:
    ids = store_fixture_articles(database)
    analyze_backlog(database, settings)
    return ids


@pytest.fixture
def app_client(
    settings: Settings, database: Database, analysed: dict[str, int]
) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


def _token(page_text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_text)
    assert found, "the page carries a CSRF token"
    return found.group(1)


def _varga(client: TestClient, article_id: int) -> dict[str, Any]:
    detail = client.get(f"/api/articles/{article_id}").json()
    entity: dict[str, Any] = next(e for e in detail["entities"] if e["name"] == "Ilse Varga")
    return entity


def test_the_article_page_shows_hashtags_speakers_timeline_and_entities(
    app_client: TestClient, analysed: dict[str, int]
) -> None:
    article_id = analysed["courier"]
    detail = app_client.get(f"/api/articles/{article_id}").json()
    page = parse(app_client.get(f"/articles/{article_id}").text)

    tags = [a.text for a in find(page, f"//section[{cls('hashtags')}]//a")]
    assert tags == detail["hashtags"]
    for link in find(page, f"//section[{cls('hashtags')}]//a"):
        assert link.get("href").startswith("/tags/")

    speakers = [p.text_content() for p in find(page, f"//*[{cls('speaker__name')}]")]
    assert any(s.startswith("Ilse Varga") for s in speakers)
    # Every quote in "Who's quoted" jumps to its place in the text.
    for link in find(page, f"//a[{cls('quote-link')}]"):
        anchor = link.get("href").lstrip("#")
        assert one(page, f"//*[@id='{anchor}']").get("class") == "quote"

    assert len(find(page, f"//section[{cls('timeline')}]//li")) == len(detail["timeline"])
    entity_links = find(page, f"//div[{cls('story__body')}]//a[{cls('entity')}]")
    assert any(a.text_content() == "Ilse Varga" for a in entity_links)
    # The marked-up body still reads exactly as the text.
    body = "\n\n".join(p.text_content() for p in find(page, f"//*[{cls('block')}]"))
    assert body == detail["text"]


def test_entity_page_and_twin_list_articles_and_quotes(
    app_client: TestClient, analysed: dict[str, int]
) -> None:
    varga = _varga(app_client, analysed["courier"])
    data = app_client.get(f"/api/entities/{varga['id']}").json()
    assert data["entity"]["name"] == "Ilse Varga"
    assert {a["id"] for a in data["articles"]} >= {analysed["courier"], analysed["gazette"]}
    assert data["quotes"] and all(q["speaker_id"] == varga["id"] for q in data["quotes"])
    page = app_client.get(f"/entities/{varga['id']}")
    assert page.status_code == 200 and "Ilse Varga" in page.text
    assert app_client.get("/api/entities/999999").status_code == 404


def test_hashtag_page_and_twin_take_any_spelling(
    app_client: TestClient, analysed: dict[str, int]
) -> None:
    tag = app_client.get(f"/api/articles/{analysed['courier']}").json()["hashtags"][0]
    for spelling in (tag[1:], tag[1:].lower(), tag[1:].upper()):
        data = app_client.get(f"/api/tags/{spelling}").json()
        assert data["hashtag"]["tag"] == tag
        assert analysed["courier"] in {a["id"] for a in data["articles"]}
    assert app_client.get(f"/tags/{tag[1:]}").status_code == 200
    assert app_client.get("/api/tags/NoSuchTagAnywhere").status_code == 404


def test_merge_and_split_through_the_forms_need_their_token(
    app_client: TestClient, analysed: dict[str, int]
) -> None:
    varga = _varga(app_client, analysed["courier"])
    brink_entities = app_client.get(f"/api/articles/{analysed['gazette']}").json()["entities"]
    other = next(e for e in brink_entities if e["id"] != varga["id"])

    refused = app_client.post(f"/entities/{other['id']}/merge", data={"into": varga["id"]})
    assert refused.status_code == 403

    token = _token(app_client.get(f"/entities/{other['id']}").text)
    merged = app_client.post(
        f"/entities/{other['id']}/merge",
        data={"into": varga["id"], "csrf_token": token},
        follow_redirects=False,
    )
    assert merged.status_code == 303
    data = app_client.get(f"/api/entities/{varga['id']}").json()
    assert other["name"] in {m["name"] for m in data["entity"]["merged"]}

    cross_site = app_client.post(
        f"/api/entities/{other['id']}/unmerge", headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403
    assert app_client.post(f"/api/entities/{other['id']}/unmerge").status_code == 200

    split = app_client.post(
        f"/api/entities/{varga['id']}/split",
        json={"articles": [analysed["gazette"]], "name": "Ilse Varga-Holm"},
    )
    assert split.status_code == 200
    assert split.json()["entity"]["name"] == "Ilse Varga-Holm"
    assert _varga(app_client, analysed["courier"])["id"] == varga["id"]
    gazette = app_client.get(f"/api/articles/{analysed['gazette']}").json()
    assert "Ilse Varga-Holm" in {e["name"] for e in gazette["entities"]}
    bad = app_client.post(f"/api/entities/{varga['id']}/split", json={"articles": [], "name": "X"})
    assert bad.status_code == 422
