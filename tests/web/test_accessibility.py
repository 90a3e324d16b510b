"""What can be checked of accessibility on the HTML itself, on every kind of page."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Seeded
from tests.web.html import find, one, parse, text

PAGES = [
    "/",
    "/articles/{ferry}",
    "/articles/{hostile}",
    "/articles/{undated}",
    "/outlets",
    "/outlets/saltmarsh-gazette",
    "/articles/0",
]


def _pages(client: TestClient, seeded: Seeded) -> list[tuple[str, object]]:
    return [(path, parse(client.get(path.format(**seeded.ids)).text)) for path in PAGES]


def test_pages_declare_their_language_and_title(client: TestClient, seeded: Seeded) -> None:
    for path, page in _pages(client, seeded):
        assert page.get("lang") == "en", path
        assert text(one(page, "//head/title")), path
        assert (
            one(page, "//meta[@name='viewport']").get("content").startswith("width=device-width")
        ), path


def test_pages_have_the_landmarks_and_a_skip_link(client: TestClient, seeded: Seeded) -> None:
    for path, page in _pages(client, seeded):
        body = one(page, "//body")
        for landmark in ("header", "nav", "main", "footer"):
            assert find(body, f"//{landmark}"), (path, landmark)
        assert len(find(body, "//main")) == 1, path
        skip = find(body, "./*")[0]
        assert skip.tag == "a" and skip.get("href") == "#main", path
        assert one(page, "//main").get("id") == "main", path
        for nav in find(page, "//nav"):
            assert nav.get("aria-label"), path


def test_one_h1_and_no_skipped_heading_levels(client: TestClient, seeded: Seeded) -> None:
    for path, page in _pages(client, seeded):
        levels = [int(h.tag[1]) for h in find(page, "//h1|//h2|//h3|//h4|//h5|//h6")]
        assert levels.count(1) == 1, (path, levels)
        assert levels[0] == 1, (path, levels)
        for before, after in pairwise(levels):
            assert after <= before + 1, (path, levels)


def test_ids_are_unique_and_labels_point_somewhere(client: TestClient, seeded: Seeded) -> None:
    for path, page in _pages(client, seeded):
        ids = Counter(node.get("id") for node in find(page, "//*[@id]"))
        assert all(count == 1 for count in ids.values()), (path, ids)
        for node in find(page, "//*[@aria-labelledby]"):
            assert node.get("aria-labelledby") in ids, path


def test_images_have_alt_and_links_have_text(client: TestClient, seeded: Seeded) -> None:
    for path, page in _pages(client, seeded):
        for image in find(page, "//img"):
            assert image.get("alt") is not None, path
        for link in find(page, "//a"):
            assert text(link) or link.get("aria-label"), (path, link.get("href"))


def test_times_are_machine_readable(client: TestClient, seeded: Seeded) -> None:
    for path, page in _pages(client, seeded):
        for time in find(page, "//time"):
            assert time.get("datetime"), path
            assert time.get("title"), path


@pytest.mark.parametrize("key", ["ferry", "hostile"])
def test_article_language_is_marked(client: TestClient, seeded: Seeded, key: str) -> None:
    page = parse(client.get(f"/articles/{seeded.ids[key]}").text)
    assert one(page, "//article").get("lang") == seeded.records[key]["language"]
