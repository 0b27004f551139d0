"""What storing one article costs the crawl, in this process and in PostgreSQL, and the search row's share of it.

Copies of the recorded article pages (tests/fixtures/pages, as benchmarks/throughput.py renders them: each copy
its own URL and text) are extracted once, then stored through `Store.store_articles` in batches of --batch (the
crawl's STORE_BATCH_SIZE) into a fresh, migrated database (on DATABASE_URL's or TEST_DATABASE_URL's server when
set, dropped afterwards; else an embedded server in a temporary directory). Measured per article, for each way of
storing, each in a database of its own: CPU of this process (the store thread's work: rows, search vectors,
SQLAlchemy) and CPU of the PostgreSQL backends serving that database (from /proc, so Linux only).

Ways: `as stored` (what the crawl does), `without search rows` (article_search not written: the difference is
what search costs at store time).

Run: `TEST_DATABASE_URL=postgresql://root@127.0.0.1:5432/test .venv/bin/python benchmarks/store_costs.py`
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from throughput import ARTICLE_URL, HTML_CONTENT_TYPE, fresh_database, load_templates


def backend_cpu(store, database: str) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds used so far by the server processes connected to the database."""
    from sqlalchemy import text

    with store.engine.connect() as conn:
        pids = [row[0] for row in conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                                               {"d": database})]
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def recorded_articles() -> list:  # type: ignore[type-arg]
    """The recorded pages, each extracted once."""
    from crawler.extract import extract

    headers = {"content-type": HTML_CONTENT_TYPE.decode()}
    return [extract(t.render(i), ARTICLE_URL.format(n=i), headers) for i, t in enumerate(load_templates())]


def articles(base: list, count: int, offset: int) -> list:  # type: ignore[type-arg]
    """`count` distinct articles made from the recorded ones."""
    made = []
    for n in range(offset, offset + count):
        article = copy.copy(base[n % len(base)])
        article.url, article.canonical_url = ARTICLE_URL.format(n=n), None
        article.text = f"{article.text} ({n})"
        article.fetched_at = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=n)
        made.append(article)
    return made


def measure(
    label: str, base: list, count: int, batch: int, workdir: Path, patch: Callable[[], Callable[[], None]]  # type: ignore[type-arg]
) -> None:
    from sqlalchemy.engine import make_url

    from crawler.store.database import Store

    with fresh_database(workdir) as url:
        store = Store(url)
        store.seed_sources()
        database = make_url(url).database or ""
        store.store_articles(articles(base, batch, 10**6))  # warm: statements compiled, partitions made
        work = articles(base, count, 0)
        undo = patch()
        try:
            server_before, own_before = backend_cpu(store, database), time.process_time()
            for start in range(0, count, batch):
                store.store_articles(work[start : start + batch])
            server = backend_cpu(store, database) - server_before
            own = time.process_time() - own_before
        finally:
            undo()
            store.dispose()
    print(f"{label:22} {own / count * 1000:10.2f} {server / count * 1000:14.2f} {(own + server) / count * 1000:9.2f}")


def _as_stored() -> Callable[[], None]:
    return lambda: None


def _without_search_rows() -> Callable[[], None]:
    from crawler.store import repository

    original = repository._store_search_rows
    repository._store_search_rows = lambda *args, **kwargs: None  # type: ignore[assignment]

    def undo() -> None:
        repository._store_search_rows = original  # type: ignore[assignment]

    return undo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=2000, help="articles stored per way (default 2000)")
    parser.add_argument("--batch", type=int, default=200, help="articles per batch (default 200)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/stat").exists():
        print("this benchmark reads server CPU from /proc: Linux only", file=sys.stderr)
        return 2
    print(f"{args.articles} articles in batches of {args.batch}; CPU ms per article")
    print(f"{'way':22} {'this process':>10} {'PostgreSQL':>14} {'together':>9}")
    base = recorded_articles()
    with tempfile.TemporaryDirectory() as tmp:
        measure("as stored", base, args.articles, args.batch, Path(tmp), _as_stored)
        measure("without search rows", base, args.articles, args.batch, Path(tmp), _without_search_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
