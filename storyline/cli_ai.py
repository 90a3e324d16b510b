"""``storyline ai``: the AI features from the command line.

``storyline ai summary|background|perspectives TARGET [--json]`` and
``storyline ai ask TARGET QUESTION [--json]``. TARGET is an article id (``12`` or
``article:12``) or a story id (``story:3``, or ``3 --story``). ``--json`` prints what
``/api/articles/{id}/ai/{feature}`` returns.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from storyline.settings import Settings

_TARGET = re.compile(r"(?:(article|story|a|s):)?(\d{1,18})")
FEATURE_HELP = {
    "summary": "a summary and key points (an article), or a brief (a story)",
    "background": "what happened before, from the storyline and the timeline",
    "perspectives": "how the outlets covering the story differ",
}


def add_ai_commands(commands: Any) -> None:
    ai = commands.add_parser(
        "ai",
        help="summaries, answers, background and perspectives, with citations",
        description=(
            "The AI features of an article or a story. Every sentence cites the article and "
            "the character offsets it comes from. Offline unless STORYLINE_LLM_URL is set."
        ),
    )
    actions = ai.add_subparsers(title="features", metavar="FEATURE")
    for feature, text in FEATURE_HELP.items():
        sub = actions.add_parser(feature, help=text, description=text[0].upper() + text[1:] + ".")
        _target_arguments(sub)
        sub.set_defaults(handler=_cmd_ai, feature=feature, question=None)
    sub = actions.add_parser(
        "ask",
        help="answer a question from the text, citing the sentences that support it",
        description=(
            "Answer a question from the article's or story's text; the answer is null "
            '("the coverage does not say") when nothing supports one.'
        ),
    )
    _target_arguments(sub)
    sub.add_argument("question", help="the question, in quotes")
    sub.set_defaults(handler=_cmd_ai, feature="ask")


def _target_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("target", help="an article id (12, article:12) or a story id (story:3)")
    sub.add_argument("--story", action="store_true", help="TARGET is a story id")
    sub.add_argument("--json", action="store_true", help="print JSON, as the API returns it")


def parse_target(value: str, story: bool = False) -> tuple[str, int]:
    """``("article", 12)`` or ``("story", 3)`` from a TARGET argument."""
    found = _TARGET.fullmatch(value.strip())
    if found is None:
        raise ValueError(f"not an article or story id: {value!r} (use 12, article:12 or story:3)")
    prefix = found.group(1) or ("story" if story else "article")
    return ("story" if prefix in ("story", "s") else "article"), int(found.group(2))


def _cmd_ai(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.ai_views import AiService, article_material, story_material
    from storyline.store import Database

    try:
        kind, target_id = parse_target(args.target, args.story)
    except ValueError as exc:
        print(f"storyline ai: {exc}", file=sys.stderr)
        return 2
    database = Database.from_settings(settings)
    read = article_material if kind == "article" else story_material
    with database.read() as session:
        material = read(session, target_id)
    if material is None:
        print(f"storyline ai: no {kind} with id {target_id}", file=sys.stderr)
        return 1
    try:
        result = AiService(database, settings).run(material, args.feature, args.question)
    except ValueError as exc:
        print(f"storyline ai: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_result(result))
    return 0


def format_result(result: dict[str, Any]) -> str:
    """A feature's result as text: each sentence followed by its citations."""
    lines: list[str] = []
    if result.get("notice"):
        lines.append(f"({result['notice']})")
    if result["feature"] == "ask":
        lines.append(f"Q: {result['question']}")
        lines.append(f"A: {result['answer'] or 'The coverage does not say.'}")
        if result["answer"]:
            lines.extend(_sentence(s) for s in result["sentences"])
        return "\n".join(lines) + "\n"
    if result.get("sections"):
        for section in result["sections"]:
            lines.append(f"{section['title']}:")
            lines.extend(_sentence(s) for s in section["sentences"])
    else:
        lines.extend(_sentence(s, bullet="") for s in result["sentences"])
    if result.get("key_points"):
        lines.append("Key points:")
        lines.extend(_sentence(s) for s in result["key_points"])
    if not lines:
        lines.append("(nothing to show yet)")
    return "\n".join(lines) + "\n"


def _sentence(sentence: dict[str, Any], bullet: str = "- ") -> str:
    label = f"{sentence['label']}: " if sentence.get("label") else ""
    cites = " ".join(f"[{c['article_id']}:{c['start']}-{c['end']}]" for c in sentence["citations"])
    return f"{bullet}{label}{sentence['text']} {cites}".rstrip()
