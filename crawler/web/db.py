"""The web application's database access: an engine whose sessions are read-only, and one transaction per request.

Two guards: the connection starts with `default_transaction_read_only=on` (and a statement timeout, so no page
can hold the server for long, and times in UTC), and every request's transaction is opened with
`SET TRANSACTION READ ONLY`. A write attempted through either fails with PostgreSQL's "cannot execute … in a
read-only transaction".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, text

from crawler.config import normalise_database_url

STATEMENT_TIMEOUT_MS = 5000


def read_only_engine(url: str, *, pool_size: int = 4) -> Engine:
    """An engine whose every session starts read-only, with a statement timeout."""
    options = f"-c default_transaction_read_only=on -c statement_timeout={STATEMENT_TIMEOUT_MS} -c TimeZone=UTC"
    return create_engine(
        normalise_database_url(url),
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=2,
        connect_args={"connect_timeout": 10, "application_name": "newscrawl-web", "options": options},
    )


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    """A connection in a read-only transaction, rolled back at the end (nothing is ever committed)."""
    with engine.connect() as conn:
        conn.execute(text("SET TRANSACTION READ ONLY"))
        try:
            yield conn
        finally:
            conn.rollback()
