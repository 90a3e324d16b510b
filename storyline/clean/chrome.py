"""The host site's own furniture, copied along with the article.

A page copied as text carries the site's section labels ("Comments", "Related
Articles", "Hashtags"), buttons ("Share this article", "Read more"), promotions of the
site's own features ("Try Our AI Features"), advertising markers and cookie notices.
None of it is the article. Most of it is a whole line, so a block that consists only of
such a label goes; cookie notices and "Follow us on …" are also removed when they are a
sentence inside a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from storyline.clean.sentences import remove_sentences
from storyline.model import Block

_NAME = r"[\w&.'’ -]{1,40}"
_WHOLE_LINES = (
    r"hashtags?|tags?|topics?|keywords?|#\w+(?:\s+#\w+)*",
    r"comments?|\d[\d,]* comments?|no comments(?: yet)?|be the first to comment|"
    r"(?:leave|add|post|write) a comment|(?:show|view|load|hide) (?:all )?comments?|"
    r"join the (?:conversation|discussion)",
    r"related(?: articles?| stories| content| coverage| news| posts| reading| topics)?|"
    r"more (?:stories|articles|news|from|on|in)(?: " + _NAME + ")?|"
    r"(?:most|top) (?:read|popular|viewed|shared)|trending(?: now| stories)?|"
    r"recommended(?: for you| stories)?|you (?:may|might) (?:also )?(?:like|be interested in)|"
    r"editor'?s? picks?|latest(?: news| stories)?|up next",
    r"share(?: this)?(?: article| story| post| page)?|share (?:on|via) " + _NAME + r"|"
    r"(?:copy|copied) link|print(?: this)?(?: article| story)?|e-?mail(?: this)?(?: article)?|"
    r"save(?: article| for later)?|bookmark|listen(?: to (?:this )?(?:article|story))?|"
    r"\d+ min(?:ute)?s? read|font size|text size",
    r"advertisement|advertising|ad|ads|sponsored(?: content| links?)?|"
    r"story continues below(?: this)? advertisement|scroll to continue(?: with content)?|"
    r"continue reading(?: below)?|read more|read (?:the )?full (?:story|article)|show more|"
    r"load more|see more|view more|click here.*|skip to (?:main )?content|back to top|"
    r"sign in|log ?in|sign up|register|menu|search|close",
    r"try our ai features?|explore what " + _NAME + r" can do for you|"
    r"(?:ask|chat with) " + _NAME + r" ai|ai (?:summary|features?|tools?)",
    r"follow us(?: on " + _NAME + r")?|follow " + _NAME + r" on " + _NAME,
    r"\d+ (?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?) ago|just now",
)
_WHOLE_LINE = re.compile(
    r"^(?:" + "|".join(_WHOLE_LINES) + r")\s*[:.…!]*$",
    re.IGNORECASE,
)
# Sentences that are chrome wherever they appear.
_CHROME_SENTENCE = re.compile(
    r"^(?:follow us (?:on|at)\b|"
    r"(?:we|this (?:web)?site|our (?:web)?site) uses? cookies\b|"
    r"by (?:continuing to )?(?:use|using|browse|browsing) (?:this|our) (?:web)?site\b|"
    r"(?:accept|reject|manage) (?:all )?cookies\b|"
    r"cookie (?:settings|policy|preferences|notice)\b|"
    r"explore what " + _NAME + r" can do for you\b|"
    r"(?:click|tap) here to\b)",
    re.IGNORECASE,
)


def is_chrome_line(text: str) -> bool:
    """Whether a whole block is one of the host site's labels, buttons or notices."""
    return bool(_WHOLE_LINE.match(text)) or is_chrome_sentence(text)


def is_chrome_sentence(text: str) -> bool:
    """Whether a sentence is a cookie notice or a "follow us" prompt."""
    return bool(_CHROME_SENTENCE.match(text))


def drop_chrome(blocks: Iterable[Block]) -> list[Block]:
    """The blocks without chrome lines and without chrome sentences inside paragraphs."""
    lines = [block for block in blocks if not is_chrome_line(block.text)]
    return remove_sentences(lines, is_chrome_sentence)
