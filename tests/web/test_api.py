"""The ``/api/`` twins: the same dicts as the CLI, pagination, errors, the OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storyline.cli import main
from storyline.settings import Settings
from storyline.store import Database
from storyline.web import create_app
from storyline.web.schemas import ArticleDetail, ArticleSummary, OutletArticles
from tests.web.conftest import Seeded


def _cli_json(
    argv: list[str], database: Database, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> Any:
    """What ``storyline ARGV`` prints, run against the database the app serves."""
    monkeypatch.setenv("STORYLINE_DATABASE_URL", database.url)
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_article_list_equals_the_cli_json(
    client: TestClient,
    database: Database,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    response = client.get("/api/articles")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "link" not in response.headers  # everything fits on one page
    listed = response.json()
    assert isinstance(listed, list) and len(listed) == len(seeded.ids)
    assert listed == _cli_json(["articles", "--json"], database, monkeypatch, capsys)


def test_article_detail_equals_the_cli_json(
    client: TestClient,
    database: Database,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key in ("ferry", "library", "hostile"):
        article_id = seeded.ids[key]
        detail = client.get(f"/api/articles/{article_id}").json()
        cli = _cli_json(["articles", str(article_id), "--json"], database, monkeypatch, capsys)
        assert detail == cli
    library = client.get(f"/api/articles/{seeded.ids['library']}").json()
    assert library["revision"] == 2
    assert [
        link["url"] for link in client.get(f"/api/articles/{seeded.ids['ferry']}").json()["links"]
    ] == [url for _text, url in seeded.records["ferry"]["links"]]


def test_pagination_follows_link_headers_through_every_article(
    tmp_path: Path, database: Database, seeded: Seeded
) -> None:
    settings = Settings(home=tmp_path / "home", page_size=50)
    with TestClient(create_app(settings, database)) as client:
        everything = client.get("/api/articles").json()
        pages: list[list[dict[str, Any]]] = []
        url: str | None = "/api/articles?limit=2"
        while url is not None:
            response = client.get(url)
            assert response.status_code == 200
            pages.append(response.json())
            link = response.headers.get("link")
            url = _next_url(link) if link else None
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [item for page in pages for item in page] == everything


def _next_url(link: str) -> str:
    target, rel = link.split(";", 1)
    assert rel.strip() == 'rel="next"'
    assert target.startswith("<http") and target.endswith(">")
    return target[1:-1]


def test_limit_defaults_to_the_page_size(
    tmp_path: Path, database: Database, seeded: Seeded
) -> None:
    settings = Settings(home=tmp_path / "home", page_size=3)
    with TestClient(create_app(settings, database)) as client:
        response = client.get("/api/articles")
        assert len(response.json()) == 3
        assert "after=" in response.headers["link"]


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=-3", "limit=ten"])
def test_a_limit_out_of_range_is_a_422_json_error(client: TestClient, query: str) -> None:
    response = client.get(f"/api/articles?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize(
    "cursor",
    [
        "yesterday",
        "20310101T000000.000000Z_x",
        "_1",
        "",
        "20310101T000000.000000Z_99999999999999999999",  # past a database id
        "20310101T000000.000000Z_-1",
    ],
)
def test_a_bad_cursor_is_a_400_json_error(client: TestClient, cursor: str) -> None:
    response = client.get("/api/articles", params={"after": cursor})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "not a list cursor" in detail and "Link" in detail


def test_unknown_article_is_a_json_404(client: TestClient) -> None:
    for path in ("/api/articles/424242", "/api/articles/abc", "/api/nothing-here"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"
        assert response.json()["detail"]


def test_outlet_api_is_the_outlet_and_its_articles(client: TestClient, seeded: Seeded) -> None:
    response = client.get("/api/outlets/saltmarsh-gazette")
    data = response.json()
    assert data["outlet"] == {
        "name": "Saltmarsh Gazette",
        "slug": "saltmarsh-gazette",
        "homepage_url": None,
    }
    assert [item["id"] for item in data["articles"]] == [seeded.ids["undated"], seeded.ids["ferry"]]
    everything = {item["id"]: item for item in client.get("/api/articles").json()}
    assert all(item == everything[item["id"]] for item in data["articles"])
    paged = client.get("/api/outlets/saltmarsh-gazette?limit=1")
    assert len(paged.json()["articles"]) == 1
    second = client.get(_next_url(paged.headers["link"])).json()["articles"]
    assert [item["id"] for item in second] == [seeded.ids["ferry"]]
    assert client.get("/api/outlets/unknown-outlet").status_code == 404


def test_outlets_api_lists_every_outlet(client: TestClient) -> None:
    slugs = [outlet["slug"] for outlet in client.get("/api/outlets").json()]
    assert "kestrel-valley-courier" in slugs and "saltmarsh-gazette" in slugs
    assert len(slugs) == len(set(slugs)) == 3


def test_healthz(empty_client: TestClient) -> None:
    response = empty_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_documents_the_api_with_the_served_keys(client: TestClient, seeded: Seeded) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/outlets",
        "/api/outlets/{slug}",
        "/healthz",
    ):
        assert "get" in paths[path], path
    assert "/" not in paths and "/articles/{article_id}" not in paths
    listed = paths["/api/articles"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"]["type"] == "array"
    summary = client.get("/api/articles").json()[0]
    detail = client.get(f"/api/articles/{seeded.ids['ferry']}").json()
    outlet = client.get("/api/outlets/saltmarsh-gazette").json()
    assert set(summary) == set(ArticleSummary.model_fields)
    assert set(detail) == set(ArticleDetail.model_fields)
    assert set(outlet) == set(OutletArticles.model_fields)
    ArticleDetail.model_validate(detail)
    ArticleSummary.model_validate(summary)
    OutletArticles.model_validate(outlet)
