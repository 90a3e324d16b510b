"""An invented news site served by the fixture server: an RSS feed and its article pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.support.fixture_server import FixtureServer, Reply, Request

START = datetime(2031, 5, 4, 8, 0, tzinfo=UTC)


@dataclass
class Story:
    slug: str
    title: str
    paragraphs: list[str]
    summary: str = ""

    def page(self, base: str, outlet: str) -> str:
        body = "\n".join(f"<p>{p}</p>" for p in self.paragraphs)
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{self.title} | {outlet}</title>
<link rel="canonical" href="{base}/news/{self.slug}">
<meta property="og:site_name" content="{outlet}">
<meta name="author" content="Mira Oskarsdottir">
<meta property="article:published_time" content="2031-05-04T08:00:00+00:00">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<main><article><h1>{self.title}</h1>
<p class="byline">By Mira Oskarsdottir</p>
{body}
</article></main>
<footer><p>Copyright {outlet}. All rights reserved.</p></footer>
</body></html>"""


def _paragraphs(topic: str, n: int) -> list[str]:
    lines = []
    for i in range(n):
        lines.append(
            f"The {topic} council met for the {i + 1}th time this spring to weigh the plan, "
            f"and members of the Tessaly ward said the vote on item {i + 1} would come "
            f"before the summer recess, according to the minutes released on Thursday."
        )
    return lines


@dataclass
class NewsSite:
    """Serves ``/feed.xml`` and one page per story; stories can change between fetches."""

    server: FixtureServer
    outlet: str = "Harbor Gazette"
    prefix: str = ""
    stories: list[Story] = field(default_factory=list)
    etag_version: int = 1

    def __post_init__(self) -> None:
        self.server.route(f"{self.prefix}/feed.xml", self._feed)
        self.server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n")

    @property
    def feed_url(self) -> str:
        return self.server.url(f"{self.prefix}/feed.xml")

    def add_story(self, slug: str, title: str, paragraphs: int = 6) -> Story:
        story = Story(slug, title, _paragraphs(slug.replace("-", " "), paragraphs))
        story.summary = story.paragraphs[0][:120]
        self.stories.append(story)
        self._serve(story)
        self.etag_version += 1
        return story

    def change_story(self, story: Story, title: str, extra: str) -> None:
        story.title = title
        story.paragraphs.append(extra)
        story.summary = story.summary + " (updated)"
        self._serve(story)
        self.etag_version += 1

    def _serve(self, story: Story) -> None:
        html = story.page(self.server.base, self.outlet)
        self.server.route(
            f"/news/{story.slug}",
            lambda _r: Reply(200, html.encode(), {"Content-Type": "text/html; charset=utf-8"}),
        )

    def _feed(self, request: Request) -> Reply:
        etag = f'"v{self.etag_version}"'
        if request.headers.get("If-None-Match") == etag:
            return Reply(304, headers={"ETag": etag})
        items = []
        for i, story in enumerate(self.stories):
            published = format_datetime(START + timedelta(minutes=i))
            items.append(
                f"<item><title>{story.title}</title>"
                f"<link>{self.server.base}/news/{story.slug}?utm_source=rss</link>"
                f'<guid isPermaLink="false">{self.prefix}story-{story.slug}</guid>'
                f"<pubDate>{published}</pubDate>"
                f"<description>{story.summary}</description></item>"
            )
        xml = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{self.outlet}</title><link>{self.server.base}/</link>"
            "<description>Local news</description>" + "".join(items) + "</channel></rss>"
        )
        return Reply(200, xml.encode(), {"Content-Type": "application/rss+xml", "ETag": etag})
