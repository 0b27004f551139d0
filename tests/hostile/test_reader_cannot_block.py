"""The read-only analyst role cannot block crawls or linker runs or write large objects (issue 12, item 10),
and the crawl lock keeps a local crawl and Redis-sharing crawls apart on one database (item 12, last point)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from crawler.analyst.roles import create_reader
from crawler.linking.run import link_new
from crawler.store import crawllock
from crawler.store.crawllock import CrawlLocked
from crawler.store.database import Store
from crawler.store.engine import make_engine

pytestmark = pytest.mark.db
OLD_ADVISORY_KEY = 0x6E657773  # the key the crawl lock used to be


@pytest.fixture
def reader_engine(store: Store) -> Iterator[Engine]:
    name = f"reader_{uuid.uuid4().hex[:10]}"
    with store.engine.begin() as conn:
        result = create_reader(conn, name)
    assert result.large_object_creators == []  # the tests connect as a superuser, so the revoke took effect
    engine = make_engine(make_url(store.url).set(username=name, password=None).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with store.engine.begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{name}"'))
        conn.execute(text(f'DROP ROLE "{name}"'))


def test_the_reader_cannot_take_the_crawl_lock(store: Store, reader_engine: Engine) -> None:
    with reader_engine.connect() as conn:
        conn.execute(text("SET TRANSACTION READ WRITE"))
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": OLD_ADVISORY_KEY})  # harmless now
        for mode in ("UPDATE", "NO KEY UPDATE", "SHARE", "KEY SHARE"):
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text(f"SELECT name FROM crawl_locks FOR {mode}"))
            conn.rollback()
            conn.execute(text("SET TRANSACTION READ WRITE"))
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("LOCK TABLE crawl_locks IN EXCLUSIVE MODE"))
        conn.rollback()
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": OLD_ADVISORY_KEY})
        conn.execute(text("SELECT name FROM crawl_locks"))  # reading is allowed, and takes no row lock
        crawllock.acquire(store.engine).close()  # the crawl takes its lock while the reader holds what it can


def test_the_reader_cannot_create_large_objects(reader_engine: Engine) -> None:
    with reader_engine.connect() as conn:
        for call in ("lo_from_bytea(0, 'x'::bytea)", "lo_create(0)", "lo_creat(-1)"):
            conn.execute(text("SET TRANSACTION READ WRITE"))
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text(f"SELECT {call}"))
            conn.rollback()


def test_one_local_crawl_at_a_time_and_redis_crawlers_side_by_side_but_never_beside_a_local_one(store: Store) -> None:
    with crawllock.acquire(store.engine):
        with pytest.raises(CrawlLocked, match="on this database"):
            crawllock.acquire(store.engine)
        with pytest.raises(CrawlLocked, match="crawler 'a'"):
            crawllock.acquire(store.engine, "a")
    with crawllock.acquire(store.engine, "a"), crawllock.acquire(store.engine, "b"):
        with pytest.raises(CrawlLocked, match="crawler 'a'"):
            crawllock.acquire(store.engine, "a")
        with pytest.raises(CrawlLocked, match="on this database"):
            crawllock.acquire(store.engine)
    crawllock.acquire(store.engine).close()  # released when the holders closed


def test_the_reader_cannot_hold_the_linker_waiting(store: Store, reader_engine: Engine) -> None:
    old_linker_key = 0x6C696E6B  # the advisory key linker runs used to wait on
    with reader_engine.connect() as conn:
        conn.execute(text("SET TRANSACTION READ WRITE"))
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("SELECT name FROM crawl_locks FOR UPDATE"))
        conn.rollback()
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": old_linker_key})
        outcome: list[object] = []
        runner = threading.Thread(target=lambda: outcome.append(link_new(store, use_encoder=False)), daemon=True)
        runner.start()
        runner.join(60)
        assert outcome, "a linker run waited on a lock the read-only role holds"
