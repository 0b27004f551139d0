"""The crawl lock: a row lock in `crawl_locks`, held by one connection for as long as the crawl runs.

Why a row lock and not an advisory lock: any role that can connect may call `pg_advisory_lock`, so the
read-only analyst role could take the crawl's key and make every crawl exit with "another crawl is running".
`SELECT … FOR UPDATE` (or `FOR SHARE`) needs the UPDATE privilege on the table, which the reader does not have.

Rows: `database` (one crawl at a time on the database) and `crawler:<name>` (with REDIS_URL, one crawl at a
time per crawler name). A local crawl locks `database` FOR UPDATE; a Redis-sharing crawl locks its
`crawler:<name>` row FOR UPDATE and `database` FOR SHARE, so crawlers of several machines run side by side but
never beside a local crawl. The lock is the open transaction of the returned connection: it ends when the
connection closes, also when the process dies. A server with `idle_in_transaction_session_timeout` set would
end it early; give the crawling role a value of 0 there (`ALTER ROLE … SET idle_in_transaction_session_timeout = 0`).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert

from crawler.store.models import CrawlLock

DATABASE_ROW = "database"


class CrawlLocked(RuntimeError):
    """Another crawl holds the lock on this database."""


def _row(conn: Connection, name: str, share: bool = False) -> bool:
    """Lock the row `name` (created first if missing); False when another transaction holds it."""
    query = select(CrawlLock.name).where(CrawlLock.name == name)
    query = query.with_for_update(read=share, skip_locked=True)
    return conn.execute(query).scalar() is not None


def acquire(engine: Engine, crawler_name: str | None = None) -> Connection:
    """Take the crawl lock (per database, or per crawler name when `crawler_name` is given) and return the
    connection holding it; close it to release. Raises CrawlLocked when another crawl holds it."""
    rows = [DATABASE_ROW] + ([f"crawler:{crawler_name}"] if crawler_name else [])
    conn = engine.connect()
    try:
        conn.execute(insert(CrawlLock).values([{"name": n} for n in rows]).on_conflict_do_nothing())
        conn.commit()
        if crawler_name:
            taken = _row(conn, f"crawler:{crawler_name}") and _row(conn, DATABASE_ROW, share=True)
            where = f"for crawler {crawler_name!r} (NEWSCRAWL_CRAWLER_NAME, default the host name), or a local crawl"
        else:
            taken = _row(conn, DATABASE_ROW)
            where = "on this database"
        if not taken:
            raise CrawlLocked(
                f"another crawl is running {where} (its crawl_runs row has status 'running'); "
                "this run exits without crawling"
            )
    except BaseException:
        conn.close()
        raise
    return conn
