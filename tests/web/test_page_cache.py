"""Signed-out readers' pages are kept a few seconds per process; a comment posted here
shows at once; signed-in readers always get a fresh page."""

from __future__ import annotations

import dataclasses
import re
import time

from storyline.readers import accounts
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import Comment
from storyline.web.auth import SESSION_COOKIE
from storyline.web.page_cache import PageCache
from tests.web.conftest import Seeded, TestClient, create_app


def test_the_cache_keeps_pages_for_their_seconds_and_at_most_so_many() -> None:
    cache = PageCache(0.2, max_pages=2)
    cache.put("/a", "A")
    cache.put("/b", "B")
    cache.put("/c", "C")
    assert (cache.get("/a"), cache.get("/b"), cache.get("/c")) == (None, "B", "C")
    time.sleep(0.25)
    assert cache.get("/b") is None
    off = PageCache(0)
    off.put("/a", "A")
    assert off.get("/a") is None


def test_signed_out_readers_share_a_kept_page_until_something_changes(
    settings: Settings, database: Database, seeded: Seeded
) -> None:
    kept = dataclasses.replace(settings, page_cache_seconds=60)
    article = seeded.ids["ferry"]
    url = f"/articles/{article}"
    with database.write() as session:
        user = accounts.create_user(
            session, email="ola@example.org", name="Ola Brenn", password="long enough secret"
        )
        token = accounts.start_session(session, user, kept)
        user_id = user.id
    with (
        TestClient(create_app(kept, database)) as reader,
        TestClient(create_app(kept, database)) as other_process,
    ):
        for client in (reader, other_process):
            assert "No comments yet" in client.get(url).text
        with database.write() as session:  # written behind the apps' backs
            session.add(
                Comment(
                    target_kind="article",
                    target_id=article,
                    user_id=user_id,
                    body="Seen later",
                    html="<p>Seen later</p>",
                )
            )
        for client in (reader, other_process):
            assert "Seen later" not in client.get(url).text  # the kept page
        assert "Seen later" in reader.get(f"{url}?sort=newest").text  # another address
        reader.cookies.set(SESSION_COOKIE, token)
        page = reader.get(url)
        assert "Seen later" in page.text  # signed in: always fresh
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found
        posted = reader.post(
            f"{url}/comments", data={"body": "Posted here", "csrf_token": found.group(1)}
        )
        assert posted.status_code == 200 and "Posted here" in posted.text
        reader.cookies.delete(SESSION_COOKIE)
        assert "Posted here" in reader.get(url).text  # this process forgot its pages
        assert "Posted here" not in other_process.get(url).text  # that one, in 60 s
