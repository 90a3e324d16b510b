"""Photo captions that a copied page repeats, with their credits.

A page copied as text often carries each photo caption twice, back to back (the image's
alt text, then its visible caption), followed by the photo credit:

    … the harbour reopened." <caption>. <caption>. Jane Doe/AFP via Getty Images What …

Sometimes the second copy is cut off mid-sentence and runs straight into the next
sentence of the article (the layout hid the rest). A sentence repeated back to back, or
followed by a long cut-off copy of itself, is never prose, so that is the signal: the
caption is kept once as a CAPTION block with its credit, and the running text before
and after it stays as paragraphs, so that no sentence of the article is lost.

The same signal works across blocks (a caption line followed by the same line), and a
block that is only a credit joins the caption before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from storyline.clean.credits import credit_length, is_credit
from storyline.clean.headings import find_heading
from storyline.clean.sentences import split_sentences
from storyline.model import Block, BlockKind

# A place where a caption may start or end: after end punctuation and a space, before a
# capital, a digit or an opening quote.
_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*(?P<space>\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
_MIN_CAPTION_WORDS = 4
_MAX_CAPTION_CHARS = 400
# A cut-off copy must repeat most of the caption, and a good many words of it: two
# sentences that merely open alike ("The mayor of Linden said …") are not a caption.
_MIN_CUT_SHARE = 0.85
_MIN_CUT_WORDS = 8
_MAX_CAPTION_SENTENCES = 2
_TEXT_KINDS = (BlockKind.PARAGRAPH, BlockKind.BLOCKQUOTE)


def separate_captions(blocks: Iterable[Block]) -> list[Block]:
    """The blocks with repeated captions kept once as CAPTION blocks, credits attached."""
    split: list[Block] = []
    for block in blocks:
        split.extend(_split_run_in(block) if block.kind in _TEXT_KINDS else [block])
    return _attach_credits(_merge_repeated_lines(split))


def copy_length(caption: str, rest: str) -> int:
    """How much of ``rest``, from its start, is a copy of ``caption``: whole or cut off.

    0 when ``rest`` does not start with a copy. A whole copy must end at a word boundary;
    a cut-off copy must be long (see ``_MIN_CUT_SHARE``) and is taken back to the last
    space, so that the sentence it runs into keeps its first word.
    """
    if len(caption.split()) < _MIN_CAPTION_WORDS:
        return 0
    if rest.startswith(caption) and (len(rest) == len(caption) or rest[len(caption)].isspace()):
        return len(caption)
    shared = _common_prefix(caption, rest)
    if shared < _MIN_CUT_SHARE * len(caption):
        return 0
    cut = rest.rfind(" ", 0, shared + 1)
    if cut <= 0 or len(rest[:cut].split()) < _MIN_CUT_WORDS:
        return 0
    return cut + 1


def _split_run_in(block: Block) -> list[Block]:
    """Paragraph / caption / paragraph pieces of a block holding repeated captions."""
    pieces: list[Block] = []
    text = block.text
    found = _find_repeat(text)
    while found is not None:
        start, caption, after = found
        if text[:start].strip():
            pieces.append(Block(block.kind, text[:start].strip()))
        rest = text[after:].lstrip()
        credit = _leading_credit(rest, bare=True)
        caption_text = f"{caption} {credit}" if credit else caption
        pieces.append(Block(BlockKind.CAPTION, caption_text))
        text = rest[len(credit) :].lstrip()
        found = _find_repeat(text)
    if text.strip():
        pieces.append(Block(block.kind, text.strip()))
    return pieces


def _find_repeat(text: str) -> tuple[int, str, int] | None:
    """The first caption repeated in ``text``: (its start, its text, the end of the copy)."""
    boundaries = list(_BOUNDARY.finditer(text))
    starts = [0, *(match.end() for match in boundaries)]
    for index, start in enumerate(starts):
        # starts[index] is where boundaries[index - 1] ends: later boundaries follow it.
        for boundary in boundaries[index:]:
            end = boundary.start("space")
            if end - start > _MAX_CAPTION_CHARS:
                break
            caption = text[start:end]
            copied = copy_length(caption, text[boundary.end() :])
            if copied:
                return start, caption, boundary.end() + copied
    return None


def _leading_credit(text: str, *, bare: bool) -> str:
    """The photo credit ``text`` starts with, cut before any section heading it swallowed.

    "Jon Hale/Harbor Gazette What To Know The port …" has the form of a longer credit;
    the heading vocabulary says where the credit really ends.
    """
    length = credit_length(text, bare=bare)
    for match in re.finditer(r"(?<=\s)\S", text[:length]):
        heading = find_heading(text[match.start() :])
        if heading is not None and heading.start() == 0:
            length = credit_length(text[: match.start()].rstrip(), bare=bare)
            break
    return text[:length]


def _merge_repeated_lines(blocks: Sequence[Block]) -> list[Block]:
    """A short line followed by a copy of itself (whole or cut off) is a caption."""
    result: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is not None and block.kind in _TEXT_KINDS and _is_caption_sized(block.text):
            copied = copy_length(block.text, following.text)
            if copied:
                result.append(Block(BlockKind.CAPTION, block.text))
                rest = following.text[copied:].strip()
                if rest:
                    result.append(Block(following.kind, rest))
                index += 2
                continue
        result.append(block)
        index += 1
    return result


def _attach_credits(blocks: Sequence[Block]) -> list[Block]:
    """Credits join the caption before them; a credit opening a paragraph moves there too.

    A credit line after a short paragraph makes that paragraph a caption (only pictures
    get credits); a credit with nothing to join stays as a caption of its own.
    """
    result: list[Block] = []
    credited: list[bool] = []
    for block in blocks:
        previous = result[-1] if result else None
        if is_credit(block.text):
            if previous is not None and not credited[-1] and _takes_credit(previous):
                result[-1] = Block(BlockKind.CAPTION, f"{previous.text} {block.text}")
                credited[-1] = True
            else:
                result.append(Block(BlockKind.CAPTION, block.text))
                credited.append(True)
            continue
        if previous is not None and previous.kind is BlockKind.CAPTION and not credited[-1]:
            credit = _leading_credit(block.text, bare=False)
            if credit:
                result[-1] = Block(BlockKind.CAPTION, f"{previous.text} {credit}")
                credited[-1] = True
                block = Block(block.kind, block.text[len(credit) :].strip())
                if not block.text:
                    continue
        result.append(block)
        credited.append(False)
    return result


def _takes_credit(block: Block) -> bool:
    if block.kind is BlockKind.CAPTION:
        return True
    return block.kind in _TEXT_KINDS and _is_caption_sized(block.text)


def _is_caption_sized(text: str) -> bool:
    return (
        len(text) <= _MAX_CAPTION_CHARS
        and len(split_sentences(text)) <= _MAX_CAPTION_SENTENCES
        and not text.endswith(":")
    )


def _common_prefix(first: str, second: str) -> int:
    length = 0
    for left, right in zip(first, second, strict=False):
        if left != right:
            break
        length += 1
    return length
