"""The operator's pages and API: feeds (with CSRF protection), status, revisions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.settings import load_settings
from storyline.store import Database
from tests.conftest import QUICK_HASH
from tests.crawl.conftest import CRAWL_ENV
from tests.crawl.site import NewsSite
from tests.support.fixture_server import FixtureServer
from tests.web.conftest import Seeded, TestClient, create_app

OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
<outline text="Coast"><outline text="Harbor Gazette" type="rss" xmlUrl="https://harbor.example/feed.xml"/></outline>
</body></opml>"""


@pytest.fixture
def ops_client(tmp_path: Path, database: Database) -> Iterator[TestClient]:
    settings = load_settings(environ={"STORYLINE_HOME": str(tmp_path), **CRAWL_ENV})
    with TestClient(create_app(settings, database)) as client:
        yield client


def _token(client: TestClient) -> str:
    page = client.get("/feeds")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the feeds page has no CSRF field"
    return found.group(1)


def test_following_a_feed_through_the_form(
    ops_client: TestClient, fixture_server: FixtureServer
) -> None:
    site = NewsSite(fixture_server)
    site.add_story("pier-fire", "Fire on the old pier")
    token = _token(ops_client)
    answer = ops_client.post(
        "/feeds/add",
        data={"url": site.feed_url, "folder": "Coast", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "Subscribed" in ops_client.get(answer.headers["location"]).text
    [feed] = ops_client.get("/api/feeds").json()
    assert (feed["url"], feed["folder"], feed["kind"]) == (site.feed_url, "Coast", "rss")
    assert "Harbor Gazette" in ops_client.get("/feeds").text


def test_a_form_post_without_its_token_is_refused(ops_client: TestClient) -> None:
    _token(ops_client)  # the cookie is set, but the form field is missing or wrong
    for data in ({"url": "https://a.example/"}, {"url": "https://a.example/", "csrf_token": "x"}):
        assert ops_client.post("/feeds/add", data=data).status_code == 403
    assert ops_client.get("/api/feeds").json() == []


def test_a_cross_site_api_call_is_refused(ops_client: TestClient) -> None:
    answer = ops_client.post(
        "/api/feeds.opml",
        content=OPML,
        headers={"Origin": "https://evil.example", "Content-Type": "text/x-opml"},
    )
    assert answer.status_code == 403
    assert ops_client.get("/api/feeds").json() == []


def test_opml_import_pause_resume_remove_and_export(ops_client: TestClient) -> None:
    imported = ops_client.post(
        "/api/feeds.opml", content=OPML, headers={"Content-Type": "text/x-opml"}
    )
    assert imported.json() == {"added": 1, "already_followed": 0}
    [feed] = ops_client.get("/api/feeds").json()
    assert ops_client.post(f"/api/feeds/{feed['id']}/pause").json()["state"] == "paused"
    assert ops_client.post(f"/api/feeds/{feed['id']}/resume").json()["state"] == "active"
    exported = ops_client.get("/api/feeds.opml")
    assert b"https://harbor.example/feed.xml" in exported.content and b"Coast" in exported.content
    assert ops_client.delete(f"/api/feeds/{feed['id']}").status_code == 204
    assert ops_client.delete(f"/api/feeds/{feed['id']}").status_code == 404
    bad = ops_client.post(
        "/api/feeds.opml", content=b"<html>no</html>", headers={"Content-Type": "text/x-opml"}
    )
    assert bad.status_code == 400 and "OPML" in bad.json()["detail"]


def test_an_unreachable_url_is_a_clear_error(ops_client: TestClient) -> None:
    answer = ops_client.post("/api/feeds", json={"url": "http://127.0.0.1:9/feed.xml"})
    assert answer.status_code == 400
    assert "cannot fetch" in answer.json()["detail"]


def test_status_page_and_its_twin(ops_client: TestClient) -> None:
    status = ops_client.get("/api/status").json()
    assert set(status) == {"queue", "workers", "failing_feeds"}
    assert status["workers"] == []
    assert "No worker process is running" in ops_client.get("/status").text


def test_revisions_show_what_changed(client: TestClient, seeded: Seeded) -> None:
    key = next(k for k, r in seeded.records.items() if "revised_blocks" in r)
    article_id = seeded.ids[key]
    assert f"/articles/{article_id}/revisions" in client.get(f"/articles/{article_id}").text
    data = client.get(f"/api/articles/{article_id}/revisions").json()
    assert [r["number"] for r in data["revisions"]] == [2, 1]
    assert data["revisions"][0]["changes"]["paragraphs"]
    page = client.get(f"/articles/{article_id}/revisions").text
    assert "<ins>" in page or "<del>" in page
    assert client.get("/api/articles/999999/revisions").status_code == 404


def test_once_an_admin_exists_only_admins_change_feeds(
    ops_client: TestClient, database: Database
) -> None:
    """A laptop install without accounts keeps its operator pages open; an install with an
    admin account lets only admins subscribe, pause or correct."""
    from storyline.readers import accounts

    imported = ops_client.post(
        "/api/feeds.opml", content=OPML, headers={"Content-Type": "text/x-opml"}
    )
    assert imported.status_code == 200
    [feed] = ops_client.get("/api/feeds").json()
    with database.write() as session:
        admin = accounts.create_user(
            session,
            email="admin@example.org",
            name="Site Admin",
            password="long admin secret",
            role="admin",
            settings=QUICK_HASH,
        )
        reader = accounts.create_user(
            session,
            email="reader@example.org",
            name="A Reader",
            password="long reader secret",
            settings=QUICK_HASH,
        )
        _, admin_token = accounts.create_api_token(session, admin, "ops script")
        _, reader_token = accounts.create_api_token(session, reader, "reader app")
    pause = f"/api/feeds/{feed['id']}/pause"
    assert ops_client.post(pause).status_code == 401
    assert (
        ops_client.post(pause, headers={"Authorization": f"Bearer {reader_token}"}).status_code
        == 403
    )
    token = _token(ops_client)
    form = ops_client.post(
        f"/feeds/{feed['id']}/pause", data={"csrf_token": token}, follow_redirects=False
    )
    assert form.status_code == 303 and form.headers["location"].startswith("/signin?next=")
    answer = ops_client.post(pause, headers={"Authorization": f"Bearer {admin_token}"})
    assert answer.status_code == 200 and answer.json()["state"] == "paused"
