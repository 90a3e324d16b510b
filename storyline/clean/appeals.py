"""An outlet's appeals to its readers: asks for money, subscriptions and sign-ups.

"Consider supporting <Outlet>.", "Subscribe to our newsletter", "This story was made
possible by readers like you": they are the outlet talking about itself, not the
article. They often share a paragraph with the last sentence of the story, so they are
removed sentence by sentence and the rest of the paragraph stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from storyline.clean.sentences import remove_sentences
from storyline.model import Block

_WE = r"(?:we|we've|we’ve|we have|we are|we're|we’re|our (?:team|newsroom|reporters) (?:has|have))"
_SUPPORTERS = r"(?:readers|supporters|members|donors|subscribers|listeners|viewers|people)"
_PATTERNS = (
    # "We've been working hard to bring you independent … news …"
    rf"{_WE}(?: been)? (?:working|striving|committed) (?:hard |tirelessly |day and night )?"
    r"to (?:bring|deliver|give|provide) you\b",
    r"(?:please )?consider (?:supporting|donating to|subscribing to|"
    r"becoming an? (?:member|subscriber|supporter|patron) of)\b",
    r"(?:please )?(?:support|fund|back) (?:us\b|(?:our|independent|local|quality|this|"
    r"[\w&.'’ -]{1,30}'s) (?:journalism|reporting|newsroom|work|mission)\b)",
    r"(?:please )?(?:subscribe|sign up|register)(?: now| today| here)?(?: to| for|\.|!|$)",
    r".{0,40}\bsign up for (?:our|the|a|this)(?: free)?(?: [\w'’-]+){0,3} newsletters?\b",
    rf"(?:this|the|our) (?:story|article|report|reporting|journalism|work|coverage|podcast)"
    rf" (?:was|is|has been) (?:made possible|funded|supported|paid for) by {_SUPPORTERS}"
    r" like you\b",
    rf".{{0,60}}\bmade possible by {_SUPPORTERS} like you\b",
    r"(?:become|join as|join us as) an? (?:member|subscriber|patron|supporter|donor)\b",
    r"(?:donate|give|chip in|contribute) (?:now|today|here|monthly|to us|to our)\b",
    r"(?:your|reader|our readers'?) support (?:helps|keeps|makes|allows|enables|powers|matters)\b",
    r"if you (?:value|like|enjoy|appreciate|rely on|believe in) (?:our|this|what we do|"
    r"independent|local|quality)\b",
    r"(?:independent|quality|local) journalism (?:needs|relies on|depends on|costs)\b",
    r"(?:get|have) (?:our|the)(?: [\w-]+){0,4} (?:in|to|delivered to|straight to) your inbox\b",
    r"(?:download|get|install) (?:our|the [\w&.'’-]+) app\b",
)
_APPEAL = re.compile(r"^(?:" + "|".join(f"(?:{p})" for p in _PATTERNS) + ")", re.IGNORECASE)


def is_appeal(sentence: str) -> bool:
    """Whether a sentence is the outlet asking its readers for support."""
    return bool(_APPEAL.match(sentence.lstrip("\"'“‘(")))


def drop_appeals(blocks: Iterable[Block]) -> list[Block]:
    """The blocks without appeal sentences."""
    return remove_sentences(blocks, is_appeal)
