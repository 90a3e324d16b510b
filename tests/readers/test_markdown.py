"""Comment Markdown: the subset renders as expected, and no payload renders as anything
but text or a plain http(s)/mailto link with ``rel="nofollow ugc noopener"``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest

from storyline.readers.markdown import (
    MAX_COMMENT_CHARS,
    comment_links,
    comment_text,
    render_comment,
)

ALLOWED = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
REL = "nofollow ugc noopener"

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "**<img src=x onerror=alert(1)>**",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "<details open ontoggle=alert(1)>",
    "<!-- --><script>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](javascript://%0aalert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x](//evil.example/path)",
    "[x](/account/delete)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](https://img.example/a.png"onerror="alert(1))',
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    '[x](https://ok.example "onmouseover=alert(1)")',
    '<https://ok.example/"onmouseover="alert(1)>',
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "> <script>alert(1)</script>\n> - [x](javascript:alert(1))",
    "*[x](javascript:alert(1))*",
    "[x](java\u0000script:alert(1))",
    "[x](https://ok.example/\u2028javascript:alert(1))",
]


def _elements(html: str) -> list[Any]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [e for e in root.iter() if e is not root]


def _assert_inert(html: str) -> None:
    assert "<script" not in html.lower() and "<svg" not in html.lower()
    for element in _elements(html):
        assert element.tag in ALLOWED, html
        allowed = {"a": {"href", "rel"}, "ol": {"start"}}.get(element.tag, set())
        assert set(element.attrib) <= allowed, html
        if element.tag == "a":
            assert element.get("rel") == REL
            parts = urlsplit(element.get("href"))
            assert parts.scheme in {"http", "https", "mailto"}, html
            assert parts.scheme == "mailto" or parts.hostname, html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_renders_as_anything_but_text_or_a_plain_link(payload: str) -> None:
    html = render_comment(payload)
    _assert_inert(html)
    # And whatever came through as a link goes to the one harmless host of the battery.
    for element in _elements(html):
        if element.tag == "a":
            assert urlsplit(element.get("href")).hostname in {"ok.example", "img.example"}


def test_raw_html_is_shown_as_the_text_it_is() -> None:
    html = render_comment("I <b>mean</b> it & <img src=x onerror=alert(1)>")
    assert html == "<p>I &lt;b&gt;mean&lt;/b&gt; it &amp; &lt;img src=x onerror=alert(1)&gt;</p>"
    assert lxml.html.fragment_fromstring(html).text_content() == (
        "I <b>mean</b> it & <img src=x onerror=alert(1)>"
    )


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("Plain words.", "<p>Plain words.</p>"),
        ("One.\n\nTwo.", "<p>One.</p>\n<p>Two.</p>"),
        ("Line one\nline two", "<p>Line one<br>\nline two</p>"),
        ("*soft* and **loud**", "<p><em>soft</em> and <strong>loud</strong></p>"),
        ("_soft_ and __loud__", "<p><em>soft</em> and <strong>loud</strong></p>"),
        ("Run `make test` now", "<p>Run <code>make test</code> now</p>"),
        ("```python\nif a < b:\n    pass\n```", "<pre><code>if a &lt; b:\n    pass\n</code></pre>"),
        ("    indented code", "<pre><code>indented code\n</code></pre>"),
        ("> Quoted\n> reply", "<blockquote>\n<p>Quoted<br>\nreply</p>\n</blockquote>"),
        ("- tea\n- coffee", "<ul>\n<li>tea</li>\n<li>coffee</li>\n</ul>"),
        ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
        ("3. third\n4. fourth", '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>'),
        (
            "[the ruling](https://courts.example/r/12)",
            f'<p><a href="https://courts.example/r/12" rel="{REL}">the ruling</a></p>',
        ),
        (
            "<https://courts.example/r/12>",
            f'<p><a href="https://courts.example/r/12" rel="{REL}">https://courts.example/r/12</a></p>',
        ),
        (
            "[write to us](mailto:desk@paper.example)",
            f'<p><a href="mailto:desk@paper.example" rel="{REL}">write to us</a></p>',
        ),
        (
            "[see][1]\n\n[1]: https://courts.example/r/12",
            f'<p><a href="https://courts.example/r/12" rel="{REL}">see</a></p>',
        ),
    ],
)
def test_the_subset_renders_as_readers_expect(body: str, html: str) -> None:
    assert render_comment(body) == html


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("# Loud title", "<p>Loud title</p>"),
        ("### Smaller title ###", "<p>Smaller title</p>"),
        ("Underlined title\n===", "<p>Underlined title</p>"),
        ("---", "<p>---</p>"),
        (
            "![the flooded square](https://img.example/square.jpg)",
            f'<p><a href="https://img.example/square.jpg" rel="{REL}">the flooded square</a></p>',
        ),
        (
            "![](https://img.example/square.jpg)",
            f'<p><a href="https://img.example/square.jpg" rel="{REL}">'
            "https://img.example/square.jpg</a></p>",
        ),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "<p>| a | b |<br>\n|---|---|<br>\n| 1 | 2 |</p>"),
        ("~~struck~~", "<p>~~struck~~</p>"),
        ("https://bare.example/page", "<p>https://bare.example/page</p>"),
    ],
)
def test_what_is_outside_the_subset_is_shown_as_text(body: str, html: str) -> None:
    assert render_comment(body) == html


def test_every_link_gets_the_rel_that_lends_no_ranking() -> None:
    html = render_comment(
        "[a](https://one.example) <https://two.example> ![c](https://three.example/c.png) "
        "[d](mailto:d@four.example)"
    )
    links = [e for e in _elements(html) if e.tag == "a"]
    assert len(links) == 4
    assert {link.get("rel") for link in links} == {REL}


def test_comment_text_is_the_plain_text_a_mail_can_carry() -> None:
    body = (
        "# Point\n\nThe **report** says [this](https://gov.example/r) & <not that>.\n"
        "Second line.\n\n- one\n- two\n\n3. three\n4. four\n\n> quoted\n> again\n\n"
        "```\nx < y\n```\n\n![chart](https://img.example/c.png) <https://plain.example>"
    )
    assert comment_text(body) == (
        "Point\n\n"
        "The report says this (https://gov.example/r) & <not that>.\nSecond line.\n\n"
        "- one\n- two\n\n"
        "3. three\n4. four\n\n"
        "> quoted\n> again\n\n"
        "x < y\n\n"
        "chart (https://img.example/c.png) https://plain.example"
    )


def test_comment_text_of_a_list_item_over_lines_and_of_nothing() -> None:
    assert comment_text("- first line\n  second line") == "- first line\n  second line"
    assert comment_text("") == ""
    assert comment_text("&amp; &#106; &copy;") == "& j ©"


def test_comment_links_are_every_address_linked_or_written_out() -> None:
    body = (
        "[a](https://one.example/a) and https://one.example/a again, "
        "(see www.two.example/b). `https://three.example/c` <d@four.example> "
        "[bad](javascript:alert(1)) [rel](/inside)\n\n```\nhttps://five.example\n```"
    )
    assert comment_links(body) == (
        "https://one.example/a",
        "www.two.example/b",
        "https://three.example/c",
        "mailto:d@four.example",
        "https://five.example",
    )
    assert comment_links("No links at all, only example.com mentioned.") == ()


def test_a_body_at_the_limit_renders_even_when_built_to_be_slow() -> None:
    # Quotes nest 20 deep at most; what is deeper is dropped, not a crash.
    _assert_inert(render_comment(">" * MAX_COMMENT_CHARS))
    for body in ("*a **" * (MAX_COMMENT_CHARS // 5), "[x](" * (MAX_COMMENT_CHARS // 4)):
        _assert_inert(render_comment(body))
        assert comment_text(body) == body
