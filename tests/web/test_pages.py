"""The HTML pages, read in-process over a real temp SQLite database."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from storyline.settings import Settings
from storyline.store import Database
from storyline.web import create_app
from tests.web.conftest import Seeded
from tests.web.html import cls, find, one, parse, text


def _page(client: TestClient, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    return parse(response.text)


def test_home_lists_the_latest_articles_newest_first(client: TestClient, seeded: Seeded) -> None:
    page = _page(client, "/")
    titles = [text(a) for a in find(page, f"//ol[{cls('article-list')}]//h2/a")]
    assert titles[:3] == [
        seeded.records["undated"]["title"],
        seeded.records["ferry"]["title"],
        seeded.records["library"]["title"],
    ]
    assert len(titles) == len(seeded.ids)
    ferry = one(page, f'//h2/a[@href="/articles/{seeded.ids["ferry"]}"]').getparent()
    item = ferry.getparent()
    assert text(one(item, f".//*[{cls('meta__outlet')}]")) == "Saltmarsh Gazette"
    assert one(item, f".//*[{cls('meta__outlet')}]").get("href") == "/outlets/saltmarsh-gazette"
    time = one(item, ".//time")
    assert text(time) == "2 hours ago"
    assert time.get("datetime").endswith("Z")
    assert time.get("title").endswith("UTC")
    excerpt = text(one(item, f".//*[{cls('summary__excerpt')}]"))
    assert excerpt == seeded.records["ferry"]["blocks"][0][1]


def test_home_marks_revised_articles_and_old_ones_get_a_date(
    client: TestClient, seeded: Seeded
) -> None:
    page = _page(client, "/")
    library = one(page, f'//h2/a[@href="/articles/{seeded.ids["library"]}"]')
    assert "Updated" in text(library.getparent().getparent())
    old = one(page, f'//h2/a[@href="/articles/{seeded.ids["old"]}"]')
    when = text(old.getparent().getparent().xpath(".//time")[0])
    assert "ago" not in when and when.split()[-1].isdigit()  # "8 June 2031"
    undated = one(page, f'//h2/a[@href="/articles/{seeded.ids["undated"]}"]')
    assert text(undated.getparent().getparent().xpath(".//time")[0]) == "1 hour ago"


def test_home_pages_through_everything_with_older_articles_links(
    tmp_path: Any, database: Database, seeded: Seeded
) -> None:
    settings = Settings(home=tmp_path / "home", page_size=2)
    seen: list[str] = []
    with TestClient(create_app(settings, database)) as client:
        path: str | None = "/"
        while path is not None:
            page = _page(client, path)
            seen += [a.get("href") for a in find(page, f"//ol[{cls('article-list')}]//h2/a")]
            older = find(page, '//a[@rel="next"]')
            assert text(older[0]) == "Older articles" if older else True
            if path != "/":
                assert find(page, f'//nav[{cls("pager")}]/a[@href="/"]'), (
                    "no way back to the newest"
                )
            path = older[0].get("href") if older else None
    assert seen == [f"/articles/{i}" for i in _newest_first(seeded)]


def _newest_first(seeded: Seeded) -> list[int]:
    order = ["undated", "ferry", "library", "hostile", "old"]
    return [seeded.ids[key] for key in order]


def test_a_bad_cursor_on_the_home_page_is_a_400_page(client: TestClient) -> None:
    page = _page(client, "/?after=yesterday", status=400)
    assert "not a list cursor" in text(one(page, "//main"))


def test_article_page_shows_the_article(client: TestClient, seeded: Seeded) -> None:
    record = seeded.records["ferry"]
    page = _page(client, f"/articles/{seeded.ids['ferry']}")
    story = one(page, "//article[@data-article-id]")
    assert [text(h) for h in find(page, "//h1")] == [record["title"]]
    assert text(one(story, f".//*[{cls('kicker')}]")) == "Saltmarsh Gazette"
    assert text(one(story, f".//*[{cls('byline')}]")) == "By Maren Oakes"
    meta = text(one(story, f".//header//*[{cls('meta')}]"))
    assert "UTC" in meta and "2 hours ago" in meta
    assert not find(story, f".//*[{cls('badge')}]"), "a first revision is not 'updated'"
    assert story.get("lang") == "en"
    original = one(story, f".//a[{cls('original-link')}]")
    assert original.get("href") == record["url"]
    assert "nofollow" in original.get("rel")


def test_article_blocks_render_by_kind_with_offsets_into_thetext(
    client: TestClient, seeded: Seeded
) -> None:
    article_id = seeded.ids["ferry"]
    page = _page(client, f"/articles/{article_id}")
    detail = client.get(f"/api/articles/{article_id}").json()
    body = one(page, f"//div[{cls('story__body')}]")
    rendered = [(child.tag, child) for child in body]
    expected_tags = {
        "paragraph": "p",
        "heading": "h2",
        "caption": "figure",
        "blockquote": "blockquote",
    }
    assert [tag for tag, _ in rendered] == [
        expected_tags[k] for k, _ in seeded.records["ferry"]["blocks"]
    ]
    for (tag, node), block in zip(rendered, detail["blocks"], strict=True):
        start, end = int(node.get("data-start")), int(node.get("data-end"))
        assert detail["text"][start:end] == block["text"] == text(node)
        assert node.get("id") == block["id"]
        if tag == "figure":
            assert text(one(node, "figcaption")) == block["text"]
    assert len({node.get("id") for _, node in rendered}) == len(rendered)


def test_read_also_links_show_http_urls_and_plaintext(client: TestClient, seeded: Seeded) -> None:
    page = _page(client, f"/articles/{seeded.ids['ferry']}")
    section = one(page, f"//section[{cls('read-also')}]")
    assert text(one(section, "h2")) == "Read also"
    items = find(section, ".//li")
    (first_text, first_url), (second_text, _none) = seeded.records["ferry"]["links"]
    assert text(items[0]) == first_text
    assert one(items[0], "a").get("href") == first_url
    assert text(items[1]) == second_text
    assert not find(items[1], "a")


def test_revised_article_is_marked_updated(client: TestClient, seeded: Seeded) -> None:
    page = _page(client, f"/articles/{seeded.ids['library']}")
    badge = one(page, f"//header//*[{cls('badge')}]")
    assert text(badge) == "Updated 10 minutes ago"
    assert "3,200 books" in text(one(page, f"//div[{cls('story__body')}]"))
    assert text(one(page, f"//*[{cls('byline')}]")) == "By Tomasz Ellery"  # no "By By"


def test_article_without_links_or_url_renders_no_empty_sections(
    client: TestClient, seeded: Seeded
) -> None:
    response = client.get(f"/articles/{seeded.ids['undated']}")
    page = parse(response.text)
    assert not find(page, f"//*[{cls('read-also')}]")
    assert not find(page, f"//*[{cls('story__footer')}]")
    assert not find(page, f"//*[{cls('byline')}]")
    main = text(one(page, "//main")).lower()
    for later in ("hashtags", "related articles", "summary", "coming soon"):
        assert later not in main
    # The one section: the comment thread, always offered ("No comments yet").
    assert [s.get("id") for s in find(page, "//main//section")] == ["comments"]
    assert "no comments yet" in main


def test_unknown_article_is_a_404_page(client: TestClient) -> None:
    for path in ("/articles/999999", "/articles/not-a-number", "/articles/99999999999999999999"):
        page = _page(client, path, status=404)
        assert text(one(page, "//h1")) == "Page not found"
        assert find(page, '//main//a[@href="/"]')


def test_outlet_page_lists_only_that_outlets_articles(client: TestClient, seeded: Seeded) -> None:
    page = _page(client, "/outlets/kestrel-valley-courier")
    assert text(one(page, "//h1")) == "Kestrel Valley Courier"
    links = [a.get("href") for a in find(page, f"//ol[{cls('article-list')}]//h2/a")]
    assert links == [f"/articles/{seeded.ids['library']}", f"/articles/{seeded.ids['old']}"]
    _page(client, "/outlets/no-such-outlet", status=404)


def test_outlets_page_links_every_outlet(client: TestClient) -> None:
    page = _page(client, "/outlets")
    names = [text(a) for a in find(page, f"//ul[{cls('outlet-list')}]//a")]
    assert "Kestrel Valley Courier" in names and "Saltmarsh Gazette" in names
    assert find(page, '//nav//a[@aria-current="page"][@href="/outlets"]')


def test_empty_database_has_a_friendly_home(empty_client: TestClient) -> None:
    page = _page(empty_client, "/")
    assert "No articles yet" in text(one(page, "//main"))
    assert not find(page, f"//*[{cls('pager')}]")
