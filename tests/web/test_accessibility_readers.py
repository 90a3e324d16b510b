"""The accessibility checks of test_accessibility.py, on the reader pages: signed out
(sign-in, sign-up, reset) and signed in as a moderator with a comment, a reply, a report,
a follow and a notification in place; every form field has a label."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise

import pytest

from storyline.readers import accounts
from storyline.settings import Settings
from storyline.store import Database
from storyline.web.auth import SESSION_COOKIE
from tests.web.conftest import Seeded, TestClient, create_app
from tests.web.html import find, one, parse, text

SIGNED_OUT = ["/signin", "/signup", "/reset"]
SIGNED_IN = [
    "/articles/{ferry}",
    "/account",
    "/for-you",
    "/following",
    "/saved",
    "/notifications",
    "/moderation",
    "/moderation/log",
]


@pytest.fixture
def pages(
    settings: Settings, database: Database, seeded: Seeded
) -> Iterator[list[tuple[str, object]]]:
    with database.write() as session:
        mod = accounts.create_user(
            session,
            email="mod@example.org",
            name="Mara Velde",
            password="long moderator secret",
            role="moderator",
            settings=settings,
        )
        other = accounts.create_user(
            session,
            email="ivo@example.org",
            name="Ivo Salt",
            password="long reader secret",
            settings=settings,
        )
        third = accounts.create_user(
            session,
            email="tove@example.org",
            name="Tove Lind",
            password="long reader secret",
            settings=settings,
        )
        mod_token = accounts.start_session(session, mod, settings)
        other_token = accounts.start_session(session, other, settings)
        third_token = accounts.start_session(session, third, settings)
    article = seeded.ids["ferry"]
    with TestClient(create_app(settings, database)) as client:
        found = [(path, parse(client.get(path).text)) for path in SIGNED_OUT]
        client.cookies.set(SESSION_COOKIE, other_token)
        comment = _post(client, f"/articles/{article}/comments", body="The timetable is *wrong*.")
        client.cookies.set(SESSION_COOKIE, mod_token)
        _post(client, f"/articles/{article}/comments", body="Agreed.", parent_id=comment)
        _post(
            client,
            "/follow",
            mode="follow",
            kind="outlet",
            target="kestrel-valley-courier",
            next="/following",
        )
        client.cookies.set(SESSION_COOKIE, third_token)
        _post(client, f"/comments/{comment}/report", reason="off-topic", note="")
        client.cookies.set(SESSION_COOKIE, mod_token)
        found += [(path, parse(client.get(path.format(**seeded.ids)).text)) for path in SIGNED_IN]
    queue = dict(found)["/moderation"]
    assert "off-topic" in text(one(queue, "//main")).lower()  # the setup took
    yield found


def _post(client: TestClient, path: str, **fields: object) -> int:
    page = client.get("/account").text if client.cookies.get(SESSION_COOKIE) else ""
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF field on the account page"
    answer = client.post(
        path, data={**fields, "csrf_token": token.group(1)}, follow_redirects=False
    )
    assert answer.status_code in (200, 303), (path, answer.status_code, answer.text[:300])
    location = answer.headers.get("location", "")
    last = re.findall(r"\d+", location.rsplit("/", 1)[-1])
    return int(last[0]) if last else 0


def test_reader_pages_have_landmarks_one_h1_and_ordered_headings(
    pages: list[tuple[str, object]],
) -> None:
    for path, page in pages:
        assert page.get("lang") == "en", path
        for landmark in ("header", "nav", "main", "footer"):
            assert find(page, f"//{landmark}"), (path, landmark)
        for nav in find(page, "//nav"):
            assert nav.get("aria-label"), path
        levels = [int(h.tag[1]) for h in find(page, "//h1|//h2|//h3|//h4|//h5|//h6")]
        assert levels.count(1) == 1 and levels[0] == 1, (path, levels)
        for before, after in pairwise(levels):
            assert after <= before + 1, (path, levels)


def test_reader_pages_label_every_field_and_keep_ids_unique(
    pages: list[tuple[str, object]],
) -> None:
    for path, page in pages:
        ids = Counter(node.get("id") for node in find(page, "//*[@id]"))
        assert all(count == 1 for count in ids.values()), (path, ids.most_common(3))
        labelled = {label.get("for") for label in find(page, "//label[@for]")}
        for field in find(page, "//input[not(@type='hidden')]|//textarea|//select"):
            named = (
                field.get("id") in labelled
                or field.get("aria-label")
                or field.get("aria-labelledby")
                or find(field, "ancestor::label")
            )
            assert named, (path, field.tag, field.get("name"))
        for link in find(page, "//a"):
            assert text(link) or link.get("aria-label"), (path, link.get("href"))
        for button in find(page, "//button"):
            assert text(button) or button.get("aria-label"), path
        for time in find(page, "//time"):
            assert time.get("datetime"), path
