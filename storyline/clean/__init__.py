"""Cleaning an article's body: keep every sentence of the article once, drop the rest.

A parser hands over the blocks it found, and on a copied page these carry more than the
article: the outlet's appeals, the host site's chrome, notices about AI features, trust
labels, captions shown twice, "Read also" pointers, headings run into the text.
:func:`clean_article` removes or retypes each of these with a general rule (one module
per rule, none keyed to an outlet's name) and touches nothing else. It is pure: no
database, no network.
"""

from __future__ import annotations

from storyline.clean.appeals import drop_appeals
from storyline.clean.captions import separate_captions
from storyline.clean.chrome import drop_chrome
from storyline.clean.disclaimers import drop_disclaimers
from storyline.clean.duplicates import drop_duplicates
from storyline.clean.headings import split_headings
from storyline.clean.labels import drop_labels
from storyline.clean.links import extract_read_also
from storyline.clean.sentences import split_sentences
from storyline.clean.spacing import normalise_blocks, normalise_text
from storyline.model import ArticleDraft

__all__ = ["clean_article", "split_sentences"]


def clean_article(draft: ArticleDraft) -> ArticleDraft:
    """The draft with a clean body; "Read also" lines are added to its links.

    The stages, in order:

    1. spacing: whitespace normalised, invisible characters removed, empty blocks dropped
       (every later rule compares text, so they all see the same spacing);
    2. links: "Read also: …", "Related: …", "See also: …" lines become read-also links;
    3. chrome: the host site's labels, buttons, promotions and cookie notices go;
    4. appeals: the outlet's asks for support and sign-ups go, sentence by sentence;
    5. disclaimers: AI-in-beta and translation notices go, sentence by sentence;
    6. labels: fact-check and trust labels near the start of a block go;
    7. captions: captions shown twice are kept once as CAPTION blocks with their credit,
       the running text around them stays; credit lines join their caption;
    8. headings: section headings run into the text become HEADING blocks;
    9. duplicates: a sentence or paragraph found twice is kept once (the fuller copy);
    10. spacing again, since removals can leave empty blocks.

    Captions come before headings because a heading often follows a photo credit
    directly, and is recognised only once the credit has been cut off.
    """
    blocks = normalise_blocks(draft.blocks)
    blocks, found_links = extract_read_also(blocks)
    blocks = drop_chrome(blocks)
    blocks = drop_appeals(blocks)
    blocks = drop_disclaimers(blocks)
    blocks = drop_labels(blocks)
    blocks = separate_captions(blocks)
    blocks = split_headings(blocks)
    blocks = drop_duplicates(blocks)
    blocks = normalise_blocks(blocks)
    links = list(draft.links)
    links.extend(link for link in found_links if link not in links)
    title = normalise_text(draft.title) or draft.title
    return draft.with_changes(title=title, blocks=tuple(blocks), links=tuple(links))
