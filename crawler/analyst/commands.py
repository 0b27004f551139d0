"""The analyst commands of `newscrawl`: `search`, `export` and `db create-reader` (parsers and handlers).

crawler/cli.py adds these parsers to its own; every handler takes (args, config) and returns the exit code
(0 success, 1 failure at run time, 2 bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crawler.config import Config


def parse_when(value: str) -> datetime:
    """`2024-01-01` or an ISO 8601 time (`2024-01-01T08:00+08:00`); a time without zone is UTC."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: use YYYY-MM-DD or an ISO 8601 time such as 2024-01-01T08:00+08:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def parse_language(value: str) -> str:
    from crawler.analyst.search import SEARCH_LANGUAGES

    lang = value.strip().lower()
    if lang not in SEARCH_LANGUAGES:
        raise argparse.ArgumentTypeError(f"unknown language {value!r}: choose one of {', '.join(SEARCH_LANGUAGES)}")
    return lang


def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= number <= 1000:
        raise argparse.ArgumentTypeError(f"{value!r} must be between 1 and 1000")
    return number


def _open_store(config: Config) -> Any:
    from crawler.store.database import Store

    store = Store.from_config(config)
    store.check()
    return store


def _search(args: argparse.Namespace, config: Config) -> int:
    from crawler.analyst.search import QueryTooLong, check_query, search

    if not args.query.strip():
        print("newscrawl search: error: the query is empty", file=sys.stderr)
        return 2
    try:
        check_query(args.query)
    except QueryTooLong as exc:
        print(f"newscrawl search: error: {exc}", file=sys.stderr)
        return 2
    store = _open_store(config)
    try:
        with store.engine.connect() as conn:
            hits = search(conn, args.query, lang=args.lang, since=args.since, limit=args.limit)
    finally:
        store.dispose()
    if not hits:
        print(f"no articles match {args.query!r}")
        return 0
    for number, hit in enumerate(hits, 1):
        date = hit.published_at.strftime("%Y-%m-%d") if hit.published_at else "-"
        print(f"{number}. {hit.title or '(no title)'}")
        print(f"   {hit.source} | {hit.language or '?'} | {date} | score {hit.rank:.3f} | {hit.url}")
        print(f"   {hit.snippet}")
    return 0


def _export(args: argparse.Namespace, config: Config) -> int:
    from tqdm import tqdm

    from crawler.analyst.export import ExportFilter, count_articles, export, resolve_source

    if args.format == "parquet" and args.output is None:
        print("newscrawl export: error: --format parquet needs --output FILE", file=sys.stderr)
        return 2
    if args.output is not None and args.output.is_dir():
        print(f"newscrawl export: error: --output {args.output} is a folder; give a file name in it", file=sys.stderr)
        return 2
    if args.output is not None and not args.output.parent.is_dir():
        print(f"newscrawl export: error: the folder of {args.output} does not exist", file=sys.stderr)
        return 2
    store = _open_store(config)
    try:
        with store.engine.connect() as conn:
            source = None
            if args.source:
                source = resolve_source(conn, args.source)
                if source is None:
                    print(f"newscrawl export: error: no source is named {args.source!r} (see `newscrawl stats`)",
                          file=sys.stderr)  # fmt: skip
                    return 2
            selection = ExportFilter(since=args.since, until=args.until, language=args.lang, source=source)
            total = count_articles(conn, selection)
            with tqdm(total=total, unit=" articles", file=sys.stderr, disable=args.quiet, desc="export") as bar:
                written = export(conn, selection, args.format, args.output, sys.stdout, lambda: bar.update(1))
    finally:
        store.dispose()
    where = args.output if args.output is not None else "standard output"
    print(f"exported {written} articles as {args.format} to {where}", file=sys.stderr)
    return 0


def _create_reader(args: argparse.Namespace, config: Config) -> int:
    from sqlalchemy.engine import URL, make_url

    from crawler.analyst.roles import ReaderRoleError, check_role_name, create_reader

    try:
        check_role_name(args.name)
    except ReaderRoleError as exc:
        print(f"newscrawl db create-reader: error: {exc}", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    store = _open_store(config)
    try:
        with store.engine.begin() as conn:
            result = create_reader(conn, args.name, password)
    except ReaderRoleError as exc:
        print(f"newscrawl db create-reader: error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    own = make_url(store.url)
    url = URL.create("postgresql", args.name, None, own.host, own.port, own.database, own.query)
    print(
        f"role {result.name} {'created' if result.created else 'already existed; grants refreshed'}: it can read "
        f"every table, view and function of database {result.database} (and those {result.owner} creates later), "
        f"and write nothing.\nconnect with: {url.render_as_string(hide_password=True)}"
    )
    if result.large_object_creators:
        print(
            "warning: every role can create large objects in this database (which needs no table privilege); "
            "a superuser closes that with `REVOKE EXECUTE ON FUNCTION "
            + ", ".join(result.large_object_creators)
            + " FROM PUBLIC`, or by running this command",
            file=sys.stderr,
        )
    if result.public_can_create:
        print(
            "warning: this server lets every role create tables in schema public (PostgreSQL < 15); "
            "run `REVOKE CREATE ON SCHEMA public FROM PUBLIC` as the owner to close that",
            file=sys.stderr,
        )
    return 0


def add_search_parser(commands: Any) -> None:
    """`newscrawl search QUERY [--lang] [--since] [--limit]`."""
    parser = commands.add_parser("search", help="full-text search over Chinese, English and German articles")
    parser.add_argument("query", help="words that must all occur, e.g. '人工智能 算力' or 'Rechenzentrum'")
    parser.add_argument("--lang", type=parse_language, help="query language and results with text in it: zh, en, de")
    parser.add_argument("--since", type=parse_when, help="published on or after (YYYY-MM-DD or ISO time; UTC)")
    parser.add_argument("--limit", type=_limit, default=20, help="number of results (default 20)")
    parser.set_defaults(handler=_search)


def add_export_parser(commands: Any) -> None:
    """`newscrawl export --format jsonl|parquet [--since] [--until] [--lang] [--source] [--output FILE]`."""
    parser = commands.add_parser("export", help="export articles with segments and links as JSON lines or Parquet")
    parser.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl", help="default: jsonl")
    parser.add_argument("--since", type=parse_when, help="published (else fetched) on or after this date/time")
    parser.add_argument("--until", type=parse_when, help="published (else fetched) before this date/time")
    parser.add_argument("--lang", type=parse_language, help="only articles with text in this language: zh, en, de")
    parser.add_argument("--source", help="only this source (name or alias, e.g. 'Sina Finance' or 新浪财经)")
    parser.add_argument("--output", type=Path, help="file to write (default: standard output, jsonl only)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar on standard error")
    parser.set_defaults(handler=_export)


def add_create_reader_parser(db_commands: Any) -> None:
    """`newscrawl db create-reader NAME [--password-stdin]`."""
    parser = db_commands.add_parser("create-reader", help="create a read-only role for analysts (idempotent)")
    parser.add_argument("name", help="role name: lower-case letters, digits, underscores")
    parser.add_argument("--password-stdin", action="store_true", help="read the role's password from standard input")
    parser.set_defaults(handler=_create_reader)


def _db_shell(args: argparse.Namespace, config: Config) -> int:
    from crawler.analyst.access import run_psql
    from crawler.store.engine import resolve_database_url

    url = resolve_database_url(config)  # the embedded server stays up while psql runs
    try:
        return run_psql(url, ["-c", args.command] if args.command else [])
    except FileNotFoundError as exc:
        print(f"newscrawl db shell: error: {exc}", file=sys.stderr)
        return 1


def _db_serve(args: argparse.Namespace, config: Config) -> int:
    from crawler.analyst.access import embedded_socket, libpq_url, serve_until_stopped
    from crawler.store.embedded import EMBEDDED_DATABASE
    from crawler.store.engine import resolve_database_url

    url = resolve_database_url(config)
    if not config.embedded:
        print(f"DATABASE_URL names a server already; connect to it directly: {libpq_url(url)}")
        return 0

    def ready(port: int) -> None:
        tcp = f"postgresql://postgres@127.0.0.1:{port}/{EMBEDDED_DATABASE}"
        print(
            f"serving the embedded database ({config.embedded_pgdata}) until Ctrl-C:\n"
            f"  psql {tcp}\n"
            f"  pandas: pandas.read_sql(query, sqlalchemy.create_engine('{tcp}'))\n"
            f"  DBeaver: host 127.0.0.1, port {port}, database {EMBEDDED_DATABASE}, user postgres, no password\n"
            f"  or its Unix socket: {libpq_url(url)}",
            flush=True,
        )

    try:
        serve_until_stopped(embedded_socket(config.embedded_pgdata), args.port, ready)
    except OSError as exc:
        print(f"newscrawl db serve: error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}"
              " (another port: --port N, any free one: --port 0)", file=sys.stderr)  # fmt: skip
        return 1
    print("stopped serving", file=sys.stderr)
    return 0


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0-65535)")
    return port


def add_access_parsers(db_commands: Any) -> None:
    """`newscrawl db shell [-c SQL]` and `newscrawl db serve [--port N]`."""
    shell = db_commands.add_parser("shell", help="psql on the database (the embedded one stays up meanwhile)")
    shell.add_argument("-c", dest="command", metavar="SQL", help="run this SQL and exit, as psql -c")
    shell.set_defaults(handler=_db_shell)
    serve = db_commands.add_parser(
        "serve", help="keep the embedded database up on 127.0.0.1:PORT for psql, pandas, DBeaver until Ctrl-C"
    )
    serve.add_argument("--port", type=_port, default=5433, help="TCP port on 127.0.0.1 (default 5433; 0: any free)")
    serve.set_defaults(handler=_db_serve)
