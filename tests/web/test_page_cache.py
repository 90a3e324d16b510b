"""Signed-out readers' pages are kept a few seconds per process, built once however many
ask at a time, and served stale only while one request rebuilds them; a comment posted
here shows on the next page built; signed-in readers always get a fresh page."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time

import pytest

from storyline.readers import accounts
from storyline.settings import Settings
from storyline.store import Database
from storyline.store.schema import Comment
from storyline.web import page_cache
from storyline.web.auth import SESSION_COOKIE
from storyline.web.page_cache import CHANGE_DELAY, STALE_LIMIT, PageCache
from storyline.web.rendering import BUILDS_AT_ONCE, Pages
from tests.web.conftest import Seeded, TestClient, create_app


class Builds:
    """A build function that counts its calls and can be held until released."""

    def __init__(self, prefix: str = "page") -> None:
        self.prefix = prefix
        self.calls = 0
        self.release = asyncio.Event()
        self.release.set()
        self.fail = False

    async def __call__(self) -> str:
        self.calls += 1
        number, fail = self.calls, self.fail
        await self.release.wait()
        if fail:
            raise RuntimeError("the build failed")
        return f"{self.prefix} {number}"


def test_the_cache_keeps_pages_for_their_seconds_and_at_most_so_many() -> None:
    async def scenario() -> None:
        cache = PageCache(0.2, max_pages=2)
        builds = {url: Builds(url) for url in ("/a", "/b", "/c")}
        for url in ("/a", "/b", "/c", "/b", "/c"):
            await cache.serve(url, builds[url])
        assert [b.calls for b in builds.values()] == [1, 1, 1]
        assert await cache.serve("/a", builds["/a"]) == "/a 2"  # the oldest was let go
        time.sleep(0.25)
        assert await cache.serve("/b", builds["/b"]) == "/b 2"  # past its time: rebuilt
        off, never = PageCache(0), Builds()
        assert [await off.serve("/a", never) for _ in range(2)] == ["page 1", "page 2"]

    asyncio.run(scenario())


def test_many_readers_of_a_page_not_kept_wait_for_one_build() -> None:
    async def scenario() -> None:
        cache, build = PageCache(60), Builds()
        build.release.clear()
        waiting = [asyncio.ensure_future(cache.serve("/a", build)) for _ in range(20)]
        await asyncio.sleep(0.01)
        build.release.set()
        assert set(await asyncio.gather(*waiting)) == {"page 1"}
        assert build.calls == 1

    asyncio.run(scenario())


def test_a_stale_page_is_served_only_while_one_request_rebuilds_it() -> None:
    async def scenario() -> None:
        cache, build = PageCache(60, change_delay=0), Builds()
        assert await cache.serve("/a", build) == "page 1"
        cache.mark_stale()  # a comment was posted
        build.release.clear()
        rebuilding = asyncio.ensure_future(cache.serve("/a", build))
        await asyncio.sleep(0.01)
        # Meanwhile the other readers get the stale copy at once, and start no build.
        assert [await cache.serve("/a", build) for _ in range(5)] == ["page 1"] * 5
        build.release.set()
        assert await rebuilding == "page 2"  # the request that found it stale waits
        assert await cache.serve("/a", build) == "page 2"
        assert build.calls == 2

    asyncio.run(scenario())


def test_a_change_rebuilds_a_page_no_sooner_than_the_change_delay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        now = [1000.0]
        monkeypatch.setattr(page_cache, "_clock", lambda: now[0])
        cache, build = PageCache(60), Builds()
        assert cache.change_delay == CHANGE_DELAY
        assert await cache.serve("/a", build) == "page 1"
        cache.mark_stale()
        now[0] += CHANGE_DELAY / 2  # comments keep coming: the page stays as built
        assert await cache.serve("/a", build) == "page 1"
        cache.mark_stale()
        now[0] += CHANGE_DELAY / 2 + 0.01  # then it is rebuilt, once
        assert await cache.serve("/a", build) == "page 2"
        assert await cache.serve("/a", build) == "page 2"
        assert build.calls == 2
        assert PageCache(0.5).change_delay == 0.5  # never longer than a page is kept

    asyncio.run(scenario())


def test_a_page_whose_build_began_before_a_change_is_kept_already_stale() -> None:
    async def scenario() -> None:
        cache, build = PageCache(60, change_delay=0), Builds()
        build.release.clear()
        first = asyncio.ensure_future(cache.serve("/a", build))
        await asyncio.sleep(0.01)
        cache.mark_stale()  # the change lands while page 1 is being built
        build.release.set()
        assert await first == "page 1"
        assert await cache.serve("/a", build) == "page 2"

    asyncio.run(scenario())


def test_a_failed_build_fails_its_waiters_too_and_is_not_kept() -> None:
    async def scenario() -> None:
        cache, build = PageCache(60), Builds()
        build.release.clear()
        build.fail = True
        waiting = [asyncio.ensure_future(cache.serve("/a", build)) for _ in range(5)]
        await asyncio.sleep(0.01)
        build.fail = False
        build.release.set()
        outcomes = await asyncio.gather(*waiting, return_exceptions=True)
        # One build, one error for everyone who waited for it (a missing article is
        # missing for all of them), and no request left hanging.
        assert build.calls == 1
        assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)
        assert await cache.serve("/a", build) == "page 2"  # the next request builds again

    asyncio.run(scenario())


def test_when_the_building_request_goes_away_a_waiter_builds_the_page() -> None:
    async def scenario() -> None:
        cache, build = PageCache(60), Builds()
        build.release.clear()
        first = asyncio.ensure_future(cache.serve("/a", build))
        await asyncio.sleep(0.01)
        second = asyncio.ensure_future(cache.serve("/a", build))
        await asyncio.sleep(0.01)
        first.cancel()  # its reader closed the connection
        await asyncio.sleep(0.01)
        build.release.set()
        assert await second == "page 2"
        assert first.cancelled()

    asyncio.run(scenario())


def test_a_page_long_past_its_time_is_not_served_even_while_rebuilt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        cache, build = PageCache(0.05), Builds()
        await cache.serve("/a", build)
        clock = time.monotonic() + 0.05 + STALE_LIMIT + 1
        monkeypatch.setattr(page_cache, "_clock", lambda: clock)
        build.release.clear()
        rebuilding = asyncio.ensure_future(cache.serve("/a", build))
        waiting = asyncio.ensure_future(cache.serve("/a", build))
        await asyncio.sleep(0.01)
        assert not waiting.done()  # no stale copy that old: it waits for the build
        build.release.set()
        assert (await rebuilding, await waiting) == ("page 2", "page 2")

    asyncio.run(scenario())


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
        assert "Seen later" not in reader.get(f"{url}?made-up=1").text  # not another page
        assert "Seen later" in reader.get(f"{url}?sort=newest").text  # another page
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
        time.sleep(CHANGE_DELAY)  # the kept page waits out the change delay, then:
        assert "Posted here" in reader.get(url).text  # this process rebuilds its pages
        assert "Posted here" not in other_process.get(url).text  # that one, in 60 s


def test_pages_are_built_at_most_so_many_at_a_time() -> None:
    async def scenario() -> None:
        pages, running, most = Pages(cache_seconds=0), 0, 0

        async def build() -> str:
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.01)
            running -= 1
            return "page"

        built = await asyncio.gather(*(pages.kept(f"/a?{n}", build) for n in range(12)))
        assert built == ["page"] * 12
        assert most == BUILDS_AT_ONCE

    asyncio.run(scenario())
