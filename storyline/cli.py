"""The ``storyline`` command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storyline import __version__
from storyline.cli_ai import add_ai_commands
from storyline.cli_users import add_users_parser
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
    if settings.log_level.lower() != "debug":
        # Migration steps and huey's start-up banner are noise unless debugging.
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("huey").setLevel(logging.WARNING)
        logging.getLogger("faiss").setLevel(logging.WARNING)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 0
    try:
        result: int = args.handler(args, settings)
    except BrokenPipeError:  # `storyline articles --json | head`: the reader has gone
        sys.stderr.close()
        return 0
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
    sub.add_argument(
        "--no-analyze",
        action="store_true",
        help="store only; leave the analysis to `storyline analyze` or the workers",
    )
    sub.set_defaults(handler=_cmd_import)

    sub = commands.add_parser(
        "analyze",
        help="analyse articles: entities, quotes, dates, hashtags",
        description=(
            "Analyse every article that has no analysis yet, or one made by an older version "
            "of Storyline or of an older revision of the article. Interrupted, it resumes "
            "where it stopped; run it after an upgrade to redo what the new version finds."
        ),
    )
    sub.add_argument("--limit", type=int, default=None, help="analyse at most this many")
    sub.add_argument("--quiet", action="store_true", help="no progress output")
    sub.set_defaults(handler=_cmd_analyze)

    _add_entity_commands(commands)
    add_ai_commands(commands)
    add_users_parser(commands)

    sub = commands.add_parser(
        "stories",
        help="list stories, or show one",
        description=(
            "List the stories (each with its article ids and storyline), or show one story "
            "by its id. Articles are placed in stories as they are analysed; --place places "
            "any analysed article not placed yet, and --rebuild places every article again "
            "from scratch, in the order they were stored."
        ),
    )
    sub.add_argument("id", nargs="?", type=int, help="a story's id")
    sub.add_argument("--json", action="store_true", help="print JSON, as /api/stories returns it")
    sub.add_argument("--place", action="store_true", help="place analysed articles first")
    sub.add_argument("--rebuild", action="store_true", help="place every article again first")
    sub.set_defaults(handler=_cmd_stories)

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
    sub.add_argument(
        "--no-workers",
        action="store_true",
        help="serve the web app only; leave background work to `storyline worker` processes",
    )
    sub.set_defaults(handler=_cmd_serve)

    _add_feed_commands(commands)

    sub = commands.add_parser(
        "worker",
        help="run background work only",
        description=(
            "Run background work (feed checks, article fetching) without the web app. "
            "Start any number of these, on any number of machines sharing one PostgreSQL "
            "database. Stops cleanly on SIGTERM or Ctrl-C."
        ),
    )
    sub.set_defaults(handler=_cmd_worker)

    sub = commands.add_parser(
        "status",
        help="show the queue, the workers and failing feeds",
        description="Show queue depth, live worker processes, and feeds that are failing.",
    )
    sub.add_argument("--json", action="store_true", help="print JSON, as /api/status returns it")
    sub.set_defaults(handler=_cmd_status)

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
    if not args.no_analyze:
        _analyze(database, settings, quiet=args.quiet, limit=None)
        _place(database, settings, quiet=args.quiet)
    return 1 if report.errors else 0


def _cmd_stories(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.story_views import stories_list, story_view

    database = _open_database(settings)
    if args.place or args.rebuild:
        _place(database, settings, quiet=args.json, rebuild=args.rebuild)
    with database.read() as session:
        if args.id is not None:
            view = story_view(session, args.id)
            if view is None:
                print(f"storyline stories: no story with id {args.id}", file=sys.stderr)
                return 1
            if args.json:
                _print_json(view)
                return 0
            print(f"{view.get('title')}\n")
            for article in view.get("articles", []):
                print(f"{article['id']:>6}  {article['outlet'] or '-'}: {article['title']}")
            return 0
        stories = stories_list(session, limit=None)
    if args.json:
        _print_json(stories)
    else:
        for story in stories:
            outlets = story["outlet_count"]
            print(
                f"{story['id']:>6}  {story['article_count']:>4} articles, {outlets:>3} outlets  "
                f"{story['title']}"
            )
    return 0


def _cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    report = _analyze(_open_database(settings), settings, quiet=args.quiet, limit=args.limit)
    print(f"{report.analyzed} analysed, {report.remaining} left to analyse")
    return 0


def _analyze(database: Any, settings: Settings, *, quiet: bool, limit: int | None) -> Any:
    from storyline.analysis import analyze_backlog

    def progress(done: int) -> None:
        if not quiet:
            print(f"analysed {done} articles", file=sys.stderr)

    return analyze_backlog(database, settings, limit=limit, progress=progress)


def _place(database: Any, settings: Settings, *, quiet: bool, rebuild: bool = False) -> Any:
    from storyline.placement import place_backlog, reset_placements

    if rebuild:
        with database.write() as session:
            reset_placements(session)
    report = place_backlog(database, settings)
    if rebuild:
        from storyline.readers.notifications import skip_fan_out

        with database.write() as session:
            skip_fan_out(session)
    if not quiet:
        print(f"placed {report.placed} articles in stories", file=sys.stderr)
    return report


def _cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store import list_articles
    from storyline.store.analysis import read_analysis
    from storyline.store.reads import read_article
    from storyline.story_views import story_fields
    from storyline.views import article_detail, article_summary

    database = _open_database(settings)
    with database.read() as session:
        if args.id is not None:
            article = read_article(session, args.id)
            if article is None:
                print(f"storyline articles: no article with id {args.id}", file=sys.stderr)
                return 1
            detail = article_detail(article, read_analysis(session, article.id))
            detail.update(story_fields(session, database, settings, article))
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

    return serve(
        settings,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=not args.no_workers,
    )


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
    """The README's CLI reference: every subcommand's usage, description and options."""
    parser = build_parser()
    parts = [f"```\n{parser.format_usage().strip()}\n```\n"]
    parts += _reference_of(parser, "storyline")
    return "\n".join(parts)


def _reference_of(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
    parts: list[str] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, sub in action.choices.items():
            usage = " ".join(sub.format_usage().split())
            options = []
            nested = False
            for option in sub._actions:
                if isinstance(option, argparse._SubParsersAction):
                    nested = True
                    continue
                if option.dest == "help" or option.help is None:
                    continue
                flag = ", ".join(option.option_strings) or option.metavar or option.dest
                options.append(f"- `{flag}`: {option.help}")
            parts.append(f"### `{prefix} {name}`\n\n{sub.description}\n\n```\n{usage}\n```\n")
            if options:
                parts.append("\n".join(options) + "\n")
            if nested:
                parts += _reference_of(sub, f"{prefix} {name}")
    return parts


def _add_feed_commands(commands: Any) -> None:
    feeds = commands.add_parser(
        "feeds",
        help="manage subscriptions: add, list, import, export, pause, resume, remove, check",
        description="Manage the feeds Storyline follows.",
    )
    actions = feeds.add_subparsers(title="actions", metavar="ACTION", help="what to do")
    feeds.set_defaults(handler=lambda _args, _settings: feeds.print_help() or 0)

    sub = actions.add_parser(
        "add",
        help="subscribe to a feed, a site or a page",
        description=(
            "Subscribe to URL: a feed (RSS, Atom, JSON Feed, news sitemap) as it is, a site's "
            "home page through the feeds it links to, or else the page as a single article."
        ),
    )
    sub.add_argument("url", help="feed, site or article URL")
    sub.add_argument("--folder", default=None, help="folder to file the feed under")
    sub.set_defaults(handler=_cmd_feeds_add)

    sub = actions.add_parser(
        "list", help="list feeds and their state", description="List feeds and their state."
    )
    sub.add_argument("--json", action="store_true", help="print JSON, as /api/feeds returns it")
    sub.set_defaults(handler=_cmd_feeds_list)

    sub = actions.add_parser(
        "import",
        help="subscribe to the feeds of an OPML file",
        description="Subscribe to every feed of an OPML file, keeping its folders.",
    )
    sub.add_argument("file", type=Path, help="OPML file")
    sub.set_defaults(handler=_cmd_feeds_import)

    sub = actions.add_parser(
        "export",
        help="print the subscriptions as OPML",
        description="Print every feed as OPML 2.0, with folders.",
    )
    sub.set_defaults(handler=_cmd_feeds_export)

    for name, text in (("pause", "stop checking a feed"), ("resume", "check a paused feed again")):
        sub = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        sub.add_argument("feed_id", type=int, help="feed id (see `storyline feeds list`)")
        sub.set_defaults(handler=_cmd_feeds_state, paused=name == "pause")

    sub = actions.add_parser(
        "remove",
        help="unsubscribe from a feed",
        description="Unsubscribe from a feed. Its articles stay.",
    )
    sub.add_argument("feed_id", type=int, help="feed id")
    sub.set_defaults(handler=_cmd_feeds_remove)

    sub = actions.add_parser(
        "check",
        help="check feeds now, in this process",
        description=(
            "Check a feed (or every due feed) now and store its new articles, in this "
            "process, without a worker."
        ),
    )
    sub.add_argument("feed_id", type=int, nargs="?", help="feed id (default: every due feed)")
    sub.set_defaults(handler=_cmd_feeds_check)


def _cmd_feeds_add(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.crawl import Crawler
    from storyline.crawl.subscribe import SubscribeError, subscribe

    crawler = Crawler(settings, _open_database(settings))
    try:
        feed, created = subscribe(crawler, args.url, folder=args.folder)
    except SubscribeError as error:
        print(f"storyline feeds add: {error}", file=sys.stderr)
        return 1
    finally:
        crawler.close()
    verb = "subscribed to" if created else "already subscribed to"
    print(f"{verb} feed {feed.id}: {feed.url} ({feed.kind or 'feed'})")
    return 0


def _cmd_feeds_list(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.monitor import feed_view
    from storyline.store.feeds import list_feeds

    with _open_database(settings).read() as session:
        feeds = [feed_view(feed) for feed in list_feeds(session)]
    if args.json:
        _print_json(feeds)
        return 0
    for feed in feeds:
        state = feed["state"] if feed["state"] != "active" else ""
        error = f"  error: {feed['last_error']}" if feed["last_error"] else ""
        print(
            f"{feed['id']:>5}  {feed['folder'] or '-':<16} {feed['title'] or feed['url']} {state}"
        )
        print(f"       next check {feed['next_check_at']}, {feed['articles_per_day']}/day{error}")
    return 0


def _cmd_feeds_import(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.crawl.subscribe import import_opml
    from storyline.feeds import FeedParseError

    try:
        added, known = import_opml(_open_database(settings), settings, args.file.read_bytes())
    except (OSError, FeedParseError) as error:
        print(f"storyline feeds import: {args.file}: {error}", file=sys.stderr)
        return 1
    print(f"{args.file}: {added} feeds added, {known} already followed")
    return 0


def _cmd_feeds_export(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.crawl.subscribe import export_opml

    sys.stdout.write(export_opml(_open_database(settings)).decode("utf-8"))
    return 0


def _cmd_feeds_state(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store.feeds import set_feed_state

    with _open_database(settings).write() as session:
        feed = set_feed_state(session, args.feed_id, paused=args.paused, now=datetime.now(UTC))
        if feed is None:
            print(f"storyline feeds: no feed with id {args.feed_id}", file=sys.stderr)
            return 1
        print(f"feed {feed.id} is {feed.state}")
    return 0


def _cmd_feeds_remove(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store.feeds import delete_feed

    with _open_database(settings).write() as session:
        if not delete_feed(session, args.feed_id):
            print(f"storyline feeds: no feed with id {args.feed_id}", file=sys.stderr)
            return 1
    print(f"unsubscribed from feed {args.feed_id}")
    return 0


def _cmd_feeds_check(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.crawl import Crawler
    from storyline.store.feeds import reserve_due_feeds

    database = _open_database(settings)
    crawler = Crawler(settings, database)
    try:
        if args.feed_id is not None:
            targets: list[tuple[int, str | None]] = [(args.feed_id, None)]
        else:
            with database.write() as session:
                targets = list(reserve_due_feeds(session, datetime.now(UTC), crawler.lease))
        failed = 0
        for feed_id, token in targets:
            outcome = crawler.check_feed(feed_id, token)
            stored = [crawler.process_entry(e, t) for e, t in outcome.entries]
            kept = sum(1 for s in stored if s.status == "stored")
            detail = f": {outcome.reason}" if outcome.reason else ""
            print(f"feed {feed_id}: {outcome.status}{detail}; {kept} articles stored")
            failed += outcome.status == "failed"
    finally:
        crawler.close()
    return 1 if failed else 0


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.crawl.subscribe import subscribe_defaults
    from storyline.worker import Background

    database = _open_database(settings)
    subscribe_defaults(database, settings)
    Background(settings, database, role="worker").run_forever()
    return 0


def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.monitor import status_view

    status = status_view(settings, _open_database(settings))
    if args.json:
        _print_json(status)
        return 0
    queue = status["queue"]
    print(
        f"queue: {queue['jobs']} jobs waiting, {queue['due_feeds']} feeds due, "
        f"{queue['pending_entries']} entries pending"
    )
    print(f"workers alive: {len(status['workers'])}")
    for worker in status["workers"]:
        print(f"  {worker['id']} ({worker['role']}) last seen {worker['last_seen_at']}")
    print(f"failing feeds: {len(status['failing_feeds'])}")
    for feed in status["failing_feeds"]:
        print(f"  {feed['id']} {feed['title'] or feed['url']}: {feed['last_error']}")
    return 0


def _add_entity_commands(commands: Any) -> None:
    entities = commands.add_parser(
        "entities",
        help="find, merge and split people, organisations and places",
        description="Find entities, and correct the analysis where it joined or split wrongly.",
    )
    actions = entities.add_subparsers(title="actions", metavar="ACTION")

    sub = actions.add_parser(
        "find", help="entities whose name contains NAME", description="List matching entities."
    )
    sub.add_argument("name", help="part of the name, any case")
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub.set_defaults(handler=_cmd_entities_find)

    sub = actions.add_parser(
        "show",
        help="an entity, its articles and its quotes",
        description="Show an entity as its page does.",
    )
    sub.add_argument("entity_id", type=int, help="entity id")
    sub.add_argument("--json", action="store_true", help="print JSON, as /api/entities/ID does")
    sub.set_defaults(handler=_cmd_entities_show)

    sub = actions.add_parser(
        "merge",
        help="make one entity part of another",
        description="Merge SOURCE into TARGET: SOURCE's mentions and quotes read as TARGET's.",
    )
    sub.add_argument("source_id", type=int, help="the entity to merge away")
    sub.add_argument("target_id", type=int, help="the entity that stays")
    sub.set_defaults(handler=_cmd_entities_merge)

    sub = actions.add_parser(
        "unmerge", help="undo a merge", description="Let a merged entity read as itself again."
    )
    sub.add_argument("entity_id", type=int, help="the merged entity")
    sub.set_defaults(handler=_cmd_entities_unmerge)

    sub = actions.add_parser(
        "split",
        help="move an entity's mentions in some articles to another entity",
        description=(
            "In the given articles, the entity is really someone or something else: move its "
            "mentions and quotes there to the entity NAME (made if new). Re-analysis keeps it."
        ),
    )
    sub.add_argument("entity_id", type=int, help="the entity that joined two things")
    sub.add_argument("--articles", required=True, help="comma-separated article ids, e.g. 12,40")
    sub.add_argument("--name", required=True, help="the other entity's full name")
    sub.set_defaults(handler=_cmd_entities_split)


def _cmd_entities_find(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store.analysis import find_entities

    with _open_database(settings).read() as session:
        found = find_entities(session, args.name)
    if args.json:
        _print_json([{"id": e.id, "name": e.name, "type": e.type} for e in found])
    else:
        for entity in found:
            print(f"{entity.id:>6}  {entity.type:<6}  {entity.name}")
    return 0


def _cmd_entities_show(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store.analysis import read_entity_page
    from storyline.views import entity_page_view

    with _open_database(settings).read() as session:
        page = read_entity_page(session, args.entity_id, limit=settings.page_size)
        if page is None:
            print(f"storyline entities: no entity with id {args.entity_id}", file=sys.stderr)
            return 1
        view = entity_page_view(page)
    if args.json:
        _print_json(view)
        return 0
    entity = view["entity"]
    print(f"{entity['name']} ({entity['type']})")
    for article in view["articles"]:
        print(f"  {article['id']:>6}  {article['outlet'] or '-'}: {article['title']}")
    for quote in view["quotes"]:
        print(f"  «{quote['text']}» ({quote['cue'] or 'quoted'}, article {quote['article_id']})")
    return 0


def _correct_entities(settings: Settings, change: Callable[[Any], str]) -> int:
    """Run one merge, unmerge or split in a write transaction; print what it did."""
    from storyline.store.analysis import EntityError

    try:
        with _open_database(settings).write() as session:
            message = change(session)
    except EntityError as exc:
        print(f"storyline entities: {exc}", file=sys.stderr)
        return 1
    print(message)
    return 0


def _cmd_entities_merge(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store.analysis import merge_entities

    def merge(session: Any) -> str:
        merge_entities(session, args.source_id, args.target_id)
        return f"entity {args.source_id} merged into {args.target_id}"

    return _correct_entities(settings, merge)


def _cmd_entities_unmerge(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store.analysis import unmerge_entity

    def unmerge(session: Any) -> str:
        unmerge_entity(session, args.entity_id)
        return f"entity {args.entity_id} reads as itself again"

    return _correct_entities(settings, unmerge)


def _cmd_entities_split(args: argparse.Namespace, settings: Settings) -> int:
    from storyline.store.analysis import split_entity
    from storyline.store.schema import Entity
    from storyline.understand.entities import entity_key

    try:
        article_ids = [int(part) for part in args.articles.split(",") if part.strip()]
    except ValueError:
        print(f"storyline entities: not a list of ids: {args.articles!r}", file=sys.stderr)
        return 2

    def split(session: Any) -> str:
        found = session.get(Entity, args.entity_id)
        kind = found.type if found is not None else "PERSON"
        key = entity_key(args.name, kind)
        new_id = split_entity(session, args.entity_id, article_ids, args.name, key)
        return f"split off as entity {new_id} ({args.name})"

    return _correct_entities(settings, split)
