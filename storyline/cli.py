"""The ``storyline`` command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storyline import __version__
from storyline.settings import SETTINGS, Settings, SettingsError, load_settings, settings_markdown

DESCRIPTION = """\
Storyline turns articles from many outlets into stories you can follow.

Settings come from STORYLINE_* environment variables; `storyline settings` lists them.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"storyline: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not hasattr(args, "handler"):
        parser.print_help()
        return 0
    result: int = args.handler(args, settings)
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storyline",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"storyline {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    sub = commands.add_parser(
        "import",
        help="import articles from files",
        description=(
            "Import articles from HTML pages, JSON Lines files, plain-text articles and "
            "plain-text dumps of aggregator pages. Importing the same file twice changes nothing."
        ),
    )
    sub.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files to import")
    sub.add_argument(
        "--as-of",
        type=_parse_instant,
        default=None,
        metavar="ISO-8601",
        help='the moment relative times such as "2 hours ago" count back from (default: now)',
    )
    sub.add_argument(
        "--outlet", default=None, metavar="NAME", help="the outlet of articles that do not name one"
    )
    sub.add_argument("--quiet", action="store_true", help="no progress output")
    sub.set_defaults(handler=_cmd_import)

    sub = commands.add_parser(
        "articles",
        help="list stored articles, or show one",
        description="List stored articles newest first, or show one article by its id.",
    )
    sub.add_argument("id", nargs="?", type=int, help="show this article")
    sub.add_argument("--json", action="store_true", help="print JSON, as the API returns it")
    sub.add_argument("--limit", type=int, default=None, help="list at most this many")
    sub.set_defaults(handler=_cmd_articles)

    sub = commands.add_parser(
        "serve",
        help="run the web app and background work",
        description=(
            "Run the web app and the background work in one process. Stops on Ctrl-C or SIGTERM."
        ),
    )
    sub.add_argument("--host", default=None, help="address to listen on (STORYLINE_HOST)")
    sub.add_argument("--port", type=int, default=None, help="port to listen on (STORYLINE_PORT)")
    sub.set_defaults(handler=_cmd_serve)

    sub = commands.add_parser(
        "migrate",
        help="bring the database schema up to date",
        description="Apply every pending migration. Other commands do this on start too.",
    )
    sub.set_defaults(handler=_cmd_migrate)

    sub = commands.add_parser(
        "settings",
        help="list settings and their values",
        description="List every STORYLINE_* setting with its value in this environment.",
    )
    sub.add_argument("--markdown", action="store_true", help="print the README's settings table")
    sub.set_defaults(handler=_cmd_settings)
    return parser


def _parse_instant(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _open_database(settings: Settings) -> Any:
    from storyline.store import Database

    return Database.from_settings(settings)


def _cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.ingest import import_paths

    database = _open_database(settings)
    report = import_paths(
        database,
        settings,
        args.paths,
        as_of=args.as_of or datetime.now(UTC),
        outlet=args.outlet,
        progress=None if args.quiet else sys.stderr,
    )
    for line in report.summary_lines():
        print(line)
    for error in report.errors:
        print(f"storyline import: {error}", file=sys.stderr)
    return 1 if report.errors else 0


def _cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store import get_article, list_articles
    from storyline.views import article_detail, article_summary

    database = _open_database(settings)
    with database.read() as session:
        if args.id is not None:
            article = get_article(session, args.id)
            if article is None:
                print(f"storyline articles: no article with id {args.id}", file=sys.stderr)
                return 1
            detail = article_detail(article)
            if args.json:
                _print_json(detail)
            else:
                print(_article_as_text(detail))
            return 0
        summaries = [article_summary(a) for a in list_articles(session, limit=args.limit)]
    if args.json:
        _print_json(summaries)
    else:
        for item in summaries:
            when = item["published_at"] or "undated"
            print(f"{item['id']:>6}  {when:<20}  {item['outlet'] or '-'}: {item['title']}")
    return 0


def _article_as_text(detail: dict[str, Any]) -> str:
    lines = [detail["title"], f"{detail['outlet'] or '-'} · {detail['published_at'] or 'undated'}"]
    lines += ["", detail["text"]]
    lines += [f"\n{link['kind']}: {link['text']}" for link in detail["links"]]
    return "\n".join(lines)


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.web.server import serve

    return serve(settings, host=args.host or settings.host, port=args.port or settings.port)


def _cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _open_database(settings).dispose()
    print(f"database is up to date: {_redacted(settings.resolved_database_url)}")
    return 0


def _cmd_settings(args: argparse.Namespace, settings: Settings) -> int:
    if args.markdown:
        sys.stdout.write(settings_markdown())
        return 0
    for setting in SETTINGS:
        value = getattr(settings, setting.name)
        if setting.name == "database_url":
            value = _redacted(settings.resolved_database_url)
        print(f"{setting.env}={value}")
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cli_reference_markdown() -> str:
    """The README's CLI reference: every subcommand's usage and description."""
    parser = build_parser()
    parts = [f"```\n{parser.format_usage().strip()}\n```\n"]
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, sub in action.choices.items():
            usage = " ".join(sub.format_usage().split())
            options = []
            for option in sub._actions:
                if option.dest == "help" or option.help is None:
                    continue
                flag = ", ".join(option.option_strings) or option.metavar or option.dest
                options.append(f"- `{flag}`: {option.help}")
            parts.append(f"### `storyline {name}`\n\n{sub.description}\n\n```\n{usage}\n```\n")
            if options:
                parts.append("\n".join(options) + "\n")
    return "\n".join(parts)
