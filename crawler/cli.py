"""`newscrawl`: the command line of the crawler (database, statistics, spool replay).

Exit codes: 0 success, 1 failure at run time (database unreachable, …), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from crawler import __version__
from crawler.analyst import commands as analyst_commands
from crawler.analyst.access import libpq_url
from crawler.config import Config, ConfigError
from crawler.store import migrate
from crawler.store.database import DatabaseUnavailable, Store
from crawler.store.embedded import EmbeddedDatabaseError
from crawler.store.engine import redacted, resolve_database_url
from crawler.store.spool import SpoolReplayError, replay_spool, spool_files

log = logging.getLogger("newscrawl")

Handler = Callable[[argparse.Namespace, Config], int]


def _db_upgrade(args: argparse.Namespace, config: Config) -> int:
    migrate.check_revision(args.revision)
    url = resolve_database_url(config)
    migrate.upgrade(url, args.revision)
    store = Store(url)
    try:
        seeded = store.seed_sources()
    finally:
        store.dispose()
    print(f"database {libpq_url(url)} is at revision {migrate.current_revision(url)}; {seeded} registry sources")
    return 0


def _stored_articles(url: str) -> int | None:
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
    except SQLAlchemyError:  # no articles table (yet): nothing to count
        return None
    finally:
        store.dispose()


def _confirmed(url: str, revision: str) -> bool:
    """A downgrade deletes data: go ahead only with --yes or after the user types the database's name."""
    name = make_url(url).database or "newscrawl"
    articles = _stored_articles(url)
    what = "every table" if revision == "base" else "the tables and columns added after that revision"
    held = f" ({articles} articles are stored)" if articles else ""
    warning = f"`db downgrade {revision}` deletes {what} of database {name}{held}, with their data."
    if not sys.stdin.isatty():
        print(f"newscrawl: error: {warning} Add --yes to do it.", file=sys.stderr)
        return False
    print(warning, file=sys.stderr)
    try:
        answer = input(f"Type the database name ({name}) to go ahead: ")
    except EOFError:
        answer = ""
    if answer.strip() != name:
        print("newscrawl: not confirmed; nothing changed", file=sys.stderr)
        return False
    return True


def _db_downgrade(args: argparse.Namespace, config: Config) -> int:
    migrate.check_revision(args.revision)
    url = resolve_database_url(config)
    if not args.yes and not _confirmed(url, args.revision):
        return 2
    migrate.downgrade(url, args.revision)
    print(f"database {redacted(url)} is at revision {migrate.current_revision(url) or 'base (empty)'}")
    return 0


def _db_current(args: argparse.Namespace, config: Config) -> int:
    url = resolve_database_url(config)
    current, head = migrate.current_revision(url), migrate.head_revision()
    state = "up to date" if current == head else "needs `newscrawl db upgrade`"
    print(f"database: {libpq_url(url)}\ncurrent revision: {current or 'none'}\nhead revision: {head} ({state})")
    if config.embedded:
        print(
            f"the embedded server ({config.embedded_pgdata}) runs only while a newscrawl command uses it: "
            "`newscrawl db shell` opens psql on it, `newscrawl db serve` keeps it up on a local port"
        )
    return 0


def _db_replay_spool(args: argparse.Namespace, config: Config) -> int:
    pending = spool_files(config.spool_dir)
    if not pending:
        print(f"the spool {config.spool_dir} is empty: nothing to replay")
        return 0
    store = Store.from_config(config)
    try:
        store.check()
        result = replay_spool(config.spool_dir, store.store_articles_isolating, batch_size=args.batch_size)
        if result.stored:
            from crawler.analyst.views import refresh_views

            refresh_views(store)  # the materialised analyst views (stories, daily counts)
    except SpoolReplayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    print(
        f"replayed {result.files} spool file(s): {result.stored} articles stored, "
        f"{result.rejected} refused or unreadable records set aside in *.rejected files"
    )
    return 0


STATS_SQL = """
SELECT s.name AS source, coalesce(a.language, '?') AS language, count(*) AS articles,
       min(a.published_at) AS first_published, max(a.published_at) AS last_published,
       max(a.fetched_at) AS last_fetched
FROM articles a JOIN sources s ON s.id = a.source_id
GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
"""


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")  # type: ignore[no-any-return]
    return str(value)


def _stats(args: argparse.Namespace, config: Config) -> int:
    store = Store.from_config(config)
    try:
        store.check()
        counts = store.counts()
        with store.engine.connect() as conn:
            rows = conn.execute(text(STATS_SQL)).all()
    finally:
        store.dispose()
    print(f"{counts['articles']} articles, {counts['segments']} language segments, {counts['sources']} sources")
    if not rows:
        print("no articles stored yet: run a crawl (`newscrawl demo` works offline)")
        return 0
    header = ("source", "language", "articles", "first published", "last published", "last fetched")
    table = [header, *[tuple(_fmt(v) for v in row) for row in rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


def _pairs(values: Sequence[str] | None, flag: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise argparse.ArgumentTypeError(f"{flag} {item!r}: expected NAME=VALUE")
        pairs[name] = value
    return pairs


def _crawl(args: argparse.Namespace, config: Config) -> int:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from crawler.runner import CrawlLocked, run_crawl
    from crawler.sources import DISCOVERY
    from crawler.spiders.arguments import known_arguments, unknown_arguments

    loader = SpiderLoader.from_settings(get_project_settings())
    available = sorted(loader.list())
    spiders = sorted({d.spider for d in DISCOVERY.values()}) if args.all else list(dict.fromkeys(args.spiders))
    if not spiders:
        print(f"newscrawl: error: name a spider ({', '.join(available)}) or use --all", file=sys.stderr)
        return 2
    unknown = [name for name in spiders if name not in available]
    if unknown:
        print(
            f"newscrawl: error: unknown spider(s) {', '.join(unknown)}; known: {', '.join(available)}", file=sys.stderr
        )
        return 2
    try:
        spider_args = _pairs(args.arg, "-a")
        settings = _pairs(args.set, "-s")
        # an argument goes to the spiders that know it (`--all -a edition=de`); one that none knows is a mistake
        unknown = [n for n in spider_args if all(n in unknown_arguments(s, [n]) for s in spiders)]
        if unknown:
            known = sorted({n for s in spiders for n in known_arguments(s)})
            raise ValueError(f"unknown spider argument(s) {', '.join(unknown)}; known: {', '.join(known)}")
        per_spider = {s: {n: v for n, v in spider_args.items() if not unknown_arguments(s, [n])} for s in spiders}
        for name in spiders:
            loader.load(name)(**per_spider[name])  # validates the arguments before anything runs
    except (argparse.ArgumentTypeError, ValueError) as exc:
        print(f"newscrawl: error: {exc}", file=sys.stderr)
        return 2
    try:
        outcome = run_crawl(
            spiders, config, {}, settings, label="all" if args.all else None, per_spider_args=per_spider
        )
    except CrawlLocked as exc:
        print(f"newscrawl: {exc}", file=sys.stderr)
        return 3
    print(format_outcome(outcome))
    stored = outcome.summary["articles_new"] or outcome.summary["articles_updated"]
    if stored and outcome.status != "interrupted":
        from crawler.analyst.views import refresh_views

        store = Store.from_config(config)
        try:
            if not args.no_link:  # the articles this run stored or changed, and only those
                from crawler.linking.run import link_new

                print("  " + link_new(store, since_run=outcome.run_id).summary())
            refresh_views(store)  # the materialised analyst views (stories, daily counts)
        finally:
            store.dispose()
    return _exit_code(outcome)


def _exit_code(outcome: object) -> int:
    """The command's exit code for a crawl outcome. After an interrupted crawl the command only winds down:
    a further Ctrl-C (pressed twice, or late) is ignored, so the exit code stays 130 and the exit handlers
    (embedded server, workers) still run instead of the process dying of the signal."""
    from crawler.runner import RunOutcome

    assert isinstance(outcome, RunOutcome)
    if outcome.status == "interrupted":
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return outcome.exit_code


def format_outcome(outcome: object) -> str:
    """A few lines summarising a crawl run (what cron mails to its owner)."""
    from crawler.runner import RunOutcome

    assert isinstance(outcome, RunOutcome)
    s = outcome.summary
    errors = ", ".join(f"{kind} {count}" for kind, count in sorted(s["errors"].items())) or "none"
    lines = [
        f"crawl run {outcome.run_id}: {outcome.status}",
        f"  pages fetched: {s['pages']}; articles new {s['articles_new']}, updated {s['articles_updated']}, "
        f"unchanged {s['articles_unchanged'] + s['not_modified']}",
        f"  errors: {errors}",
    ]
    if s["spooled"]:
        lines.append(f"  {s['spooled']} articles spooled to disk: run `newscrawl db replay-spool`")
    for spider in outcome.spiders:
        if spider.problem:
            lines.append(f"  spider {spider.spider} {spider.status}: {spider.problem}")
    if outcome.stale_runs_closed:
        closed = ", ".join(str(run) for run in outcome.stale_runs_closed)
        lines.append(f"  closed earlier run(s) {closed} as interrupted: their process had ended without closing them")
    if not outcome.recorded:
        lines.append(
            f"  the database was unreachable at the end: crawl_runs row {outcome.run_id} still says 'running' "
            "(the next run closes it as interrupted)"
        )
    lines.append(f"  log: {outcome.log_file}")
    return "\n".join(lines)


def _demo(args: argparse.Namespace, config: Config) -> int:
    from crawler.demo import report, run_demo
    from crawler.runner import CrawlLocked

    try:
        outcome, links = run_demo(config)
    except CrawlLocked as exc:
        print(f"newscrawl: {exc}", file=sys.stderr)
        return 3
    print("offline demo: recorded pages replayed through the spiders and pipelines\n" + format_outcome(outcome))
    if outcome.status == "interrupted":
        print("  interrupted: not linked; run `newscrawl demo` again to finish (nothing is stored twice)")
        return _exit_code(outcome)
    if links is not None:
        print("  " + links.summary())
    print(report(config))
    print(_next_steps(config))
    return _exit_code(outcome)


def _next_steps(config: Config) -> str:
    """Where the demo's data is and what to try next."""
    where = (
        f"an embedded PostgreSQL in {config.embedded_pgdata}"
        if config.embedded
        else "the database of DATABASE_URL"
    )
    captures = f"; the pages as fetched are in {config.warc_dir}" if config.warc_dir.is_dir() else ""
    return (
        f"\nThe corpus is in {where}{captures}.\n"
        "Try next:\n"
        "  newscrawl serve                      browse it at http://127.0.0.1:8000 (stories side by side, health)\n"
        "  newscrawl search 人工智能              ranked full-text search (zh/en/de)\n"
        "  newscrawl similar 1                  the articles closest to article 1, in any language\n"
        "  newscrawl export --output demo.jsonl articles with segments and links\n"
        "  newscrawl db shell                   SQL on the corpus (views: articles_overview, stories, ...)\n"
        "  newscrawl crawl --all -a since=$(date -d '3 days ago' +%F)   a real crawl"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newscrawl",
        description="Multilingual news-and-policy corpus crawler. The database is DATABASE_URL, "
        "or an embedded PostgreSQL in NEWSCRAWL_DATA_DIR when it is unset (default: data/ in the project "
        "folder, whatever the current directory; ~/.local/share/newscrawl for an installed wheel).",
    )
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = commands.add_parser(
        "db",
        help="database schema, maintenance and access (upgrade, downgrade, current, replay-spool, create-reader, "
        "shell, serve)",
    )
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    up = db_commands.add_parser("upgrade", help="migrate the schema to the newest revision and register sources")
    up.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    up.set_defaults(handler=_db_upgrade)
    down = db_commands.add_parser("downgrade", help="migrate the schema back to REVISION ('base' empties it)")
    down.add_argument("revision", help="target revision, e.g. base or -1")
    down.add_argument("--yes", action="store_true", help="do not ask: the downgrade deletes tables and their data")
    down.set_defaults(handler=_db_downgrade)
    cur = db_commands.add_parser("current", help="show the database URL and its schema revision")
    cur.set_defaults(handler=_db_current)
    replay = db_commands.add_parser("replay-spool", help="store the articles that a crawl spooled to disk")
    replay.add_argument("--batch-size", type=_positive_int, default=200, help="articles per transaction")
    replay.set_defaults(handler=_db_replay_spool)
    analyst_commands.add_create_reader_parser(db_commands)
    analyst_commands.add_access_parsers(db_commands)

    from crawler.spiders.arguments import SPECIFIC, describe

    crawl = commands.add_parser(
        "crawl",
        help="run spiders under the crawl lock and record the run in crawl_runs",
        description="Run spiders under the crawl lock and record the run in crawl_runs. Exit codes: 0 finished, "
        "1 degraded or failed, 2 bad arguments, 3 another crawl holds the lock, 130 interrupted.",
        epilog=describe(SPECIFIC),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    crawl.add_argument("spiders", nargs="*", metavar="SPIDER", help="spider name(s): sina_finance, people_daily, …")
    crawl.add_argument("--all", action="store_true", help="run every spider the source registry uses")
    crawl.add_argument("-a", dest="arg", action="append", metavar="NAME=VALUE", help="spider argument (listed below)")
    crawl.add_argument("-s", dest="set", action="append", metavar="NAME=VALUE", help="Scrapy setting override")
    crawl.add_argument("--no-link", action="store_true", help="skip linking the new articles after the crawl")
    crawl.set_defaults(handler=_crawl)

    from crawler.archive.reextract import replay_command

    rerun = commands.add_parser("replay", help="re-extract the pages in WARC files (or directories) into the database")
    rerun.add_argument("warcs", nargs="+", metavar="WARC", help="WARC file(s) or directories of them")
    rerun.add_argument("--batch-size", type=_positive_int, default=200, help="articles per transaction")
    rerun.set_defaults(handler=replay_command)

    demo = commands.add_parser("demo", help="offline demo: replay bundled recorded pages through the real crawl")
    demo.set_defaults(handler=_demo)

    stats = commands.add_parser("stats", help="article counts per source and language")
    stats.set_defaults(handler=_stats)
    analyst_commands.add_search_parser(commands)
    analyst_commands.add_export_parser(commands)
    from crawler.extract_cli import add_extract_parser
    from crawler.linking.cli import add_link_parser, add_similar_parser

    add_extract_parser(commands)
    add_link_parser(commands)
    add_similar_parser(commands)
    from crawler.web.serve import add_serve_parser

    add_serve_parser(commands)
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be at least 1")
    return number


def one_line(exc: BaseException) -> str:
    """An error as one line: the driver's first line for database errors, no SQLAlchemy background link."""
    orig = getattr(exc, "orig", None)
    message = str(orig if orig is not None else exc)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("(Background on this error", "[SQL:", "[parameters:"))]
    return lines[0] if lines else exc.__class__.__name__


def database_in_use(config: Config) -> str:
    """Which database a command used, for error messages."""
    if config.embedded:
        return f"the embedded PostgreSQL in {config.embedded_pgdata} (NEWSCRAWL_DATA_DIR picks another folder)"
    return redacted(config.database_url or "")


def _quiet_stdout() -> None:
    """The reader of standard output went away (`| head`): send what is left to /dev/null, exit quietly."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = Config.from_env()
    except ConfigError as exc:
        parser.exit(2, f"newscrawl: error: {exc}\n")
    logging.basicConfig(level=config.log_level_number, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if config.log_level != "DEBUG":  # the embedded server and Alembic narrate every step at INFO
        for noisy in ("pgserver", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    handler: Handler = args.handler
    try:
        return handler(args, config)
    except KeyboardInterrupt:  # Ctrl-C outside a crawl (which handles it itself): stop, one line, no traceback
        print("newscrawl: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 141  # as a shell reports a writer killed by SIGPIPE
    except migrate.UnknownRevision as exc:
        print(f"newscrawl: error: {exc}", file=sys.stderr)
        return 2
    except EmbeddedDatabaseError as exc:  # several lines on purpose: how to use a server of one's own instead
        print(f"newscrawl: error: {exc}", file=sys.stderr)
        return 1
    except DatabaseUnavailable as exc:
        print(f"newscrawl: error: {one_line(exc)}; database: {database_in_use(config)}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        from sqlalchemy.exc import InterfaceError, OperationalError

        from crawler.store.faults import what_failed

        what = what_failed(exc) if isinstance(exc, (OperationalError, InterfaceError)) else "database error"
        print(f"newscrawl: error: {what}: {one_line(exc)}; database: {database_in_use(config)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
