"""Third-party text renders inert, and every response carries the security headers."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from storyline.web.headers import SECURITY_HEADERS
from storyline.web.sanitize import safe_url, sanitize_html
from tests.web.conftest import Seeded
from tests.web.html import find, one, parse, text

_ACTIVE = re.compile(r"<(script|iframe|svg|img)", re.I)  # escaped, they read "&lt;script"


def _all_attributes(page: object) -> list[tuple[str, str]]:
    return [(name, value) for node in find(page, "//*") for name, value in node.attrib.items()]


@pytest.mark.parametrize("path", ["/articles/{id}", "/", "/outlets/{slug}"])
def test_script_payloads_in_an_article_render_as_text(
    client: TestClient, seeded: Seeded, path: str
) -> None:
    slug = "brackwater-img-src-x-onerror-alert-outlet-post"
    response = client.get(path.format(id=seeded.ids["hostile"], slug=slug))
    assert response.status_code == 200
    body = response.text
    assert not _ACTIVE.search(body), _ACTIVE.search(body)
    page = parse(body)
    assert not find(page, "//script | //iframe | //svg | //img")
    for name, value in _all_attributes(page):
        assert not name.startswith("on"), (name, value)
        assert not value.strip().lower().startswith(("javascript:", "data:")), (name, value)
    # The payloads are still there, as text a reader can see.
    assert "<script>alert('title')</script>" in text(page)


def test_hostile_article_page_keeps_its_text_but_no_active_link(
    client: TestClient, seeded: Seeded
) -> None:
    page = parse(client.get(f"/articles/{seeded.ids['hostile']}").text)
    assert text(one(page, "//h1")) == seeded.records["hostile"]["title"]
    assert "onerror=alert('byline')" in text(one(page, "//p[@class='byline']"))
    links = find(page, "//section//li")
    assert [text(li) for li in links] == [t for t, _url in seeded.records["hostile"]["links"]]
    assert not find(page, "//section//li/a")
    assert not find(page, "//a[contains(@class, 'original-link')]")  # javascript: original


def test_every_response_has_the_security_headers(client: TestClient, seeded: Seeded) -> None:
    paths = [
        "/",
        f"/articles/{seeded.ids['ferry']}",
        f"/api/articles/{seeded.ids['ferry']}",
        "/api/articles",
        "/healthz",
        "/articles/0",
        "/api/articles?limit=0",
        "/static/style.css",
        "/static/missing.css",
        "/openapi.json",
    ]
    for path in paths:
        response = client.get(path)
        for name, value in SECURITY_HEADERS:
            assert response.headers.get(name) == value, (path, name)
    csp = dict(SECURITY_HEADERS)["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp


def test_pages_have_no_inline_scripts_or_styles(client: TestClient, seeded: Seeded) -> None:
    for path in ("/", f"/articles/{seeded.ids['ferry']}", "/outlets", "/articles/0"):
        page = parse(client.get(path).text)
        assert not find(page, "//script[not(@src)] | //style | //*[@style]"), path


def test_static_files_are_cached_for_long_under_a_versioned_url(
    client: TestClient,
) -> None:
    page = parse(client.get("/").text)
    href = one(page, "//link[@rel='stylesheet']").get("href")
    assert re.fullmatch(r"/static/style\.css\?v=[0-9a-f]{12}", href)
    response = client.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "max-age=31536000" in response.headers["cache-control"]
    assert "immutable" in response.headers["cache-control"]


def test_sanitize_html_keeps_reading_markup_only() -> None:
    cleaned = sanitize_html(
        '<p class="x" onclick="steal()">Hello <b>there</b><script>alert(1)</script>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">bad</a> '
        '<a href="https://example.org/a" target="_blank">good</a> '
        '<a href="mailto:desk@example.org">mail</a><iframe src="https://e.org"></iframe>'
        "<style>p{}</style></p>"
    )
    assert cleaned == (
        '<p>Hello <b>there</b><a rel="nofollow ugc noopener">bad</a> '
        '<a href="https://example.org/a" rel="nofollow ugc noopener">good</a> '
        '<a href="mailto:desk@example.org" rel="nofollow ugc noopener">mail</a></p>'
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://saltmarsh-gazette.example/a?b=1#c", "https://saltmarsh-gazette.example/a?b=1#c"),
        ("  http://kestrel-courier.example/  ", "http://kestrel-courier.example/"),
        ("HTTPS://KESTREL-COURIER.EXAMPLE/", "HTTPS://KESTREL-COURIER.EXAMPLE/"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox(1)", None),
        ("mailto:desk@example.org", None),
        ("/articles/1", None),
        ("//evil.example/x", None),
        ("http://", None),
        ("https://exa mple.org/", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url_allows_absolute_http_urls_only(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected
