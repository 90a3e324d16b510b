"""The host site's labels, buttons and notices are not the article."""

from __future__ import annotations

import pytest

from storyline.clean.chrome import drop_chrome, is_chrome_line
from tests.clean.drafts import paragraphs, texts


@pytest.mark.parametrize(
    "line",
    [
        "Hashtags",
        "#Linden #SableRiver",
        "Try Our AI Features",
        "Explore what Quaywire AI can do for you:",
        "Comments",
        "14 comments",
        "No comments yet...",
        "Related Articles",
        "More from the Marlow Ledger",
        "Share this article",
        "Share on Chirper",
        "Advertisement",
        "Story continues below advertisement",
        "Read more",
        "Continue reading",
        "Follow us on Pinecone and Chirper",
        "We use cookies to improve your experience on our site.",
        "Accept all cookies",
        "2 hours ago",
        "4 min read",
        "Most Read",
    ],
)
def test_chrome_lines_are_recognised(line: str) -> None:
    assert is_chrome_line(line)


@pytest.mark.parametrize(
    "text",
    [
        "Comments from residents filled three hours of the meeting.",
        "Related costs rose by 4 percent, the council said.",
        "Advertisement revenue at the Ledger fell last year.",
        "Share prices of Harrow & Pike rose on Tuesday.",
        "The mayor will follow up on the complaints.",
    ],
)
def test_prose_is_not_chrome(text: str) -> None:
    assert not is_chrome_line(text)


def test_drops_chrome_lines_and_chrome_sentences() -> None:
    blocks = paragraphs(
        "The ferry left at noon.",
        "Share this article",
        "The crossing took an hour. Follow us on Pinecone for more updates.",
        "Advertisement",
        "This site uses cookies. By continuing to browse this site you agree.",
    )
    assert texts(drop_chrome(blocks)) == ["The ferry left at noon.", "The crossing took an hour."]
