"""The read-only analyst role: reads tables, views and search; every write is refused; creating it twice is fine."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InternalError, ProgrammingError

from crawler.analyst.roles import ReaderRoleError, create_reader
from crawler.store.database import Store
from crawler.store.engine import make_engine
from tests.factories import make_article

pytestmark = pytest.mark.db


@pytest.fixture
def reader(store: Store) -> Iterator[str]:
    """A fresh reader role name; the role is dropped afterwards (roles belong to the whole server)."""
    name = f"reader_{uuid.uuid4().hex[:10]}"
    yield name
    with store.engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar():
            conn.execute(text(f'DROP OWNED BY "{name}"'))
            conn.execute(text(f'DROP ROLE "{name}"'))


def connect_as(store: Store, name: str) -> Engine:
    return make_engine(make_url(store.url).set(username=name, password=None).render_as_string(hide_password=False))


def test_reader_reads_everything_and_writes_nothing(store: Store, reader: str) -> None:
    store.store_articles([make_article("https://finance.sina.com.cn/a/1.shtml", "加快人工智能算力基础设施建设。")])
    with store.engine.begin() as conn:
        first = create_reader(conn, reader)
    with store.engine.begin() as conn:
        again = create_reader(conn, reader)  # idempotent
    assert first.created and not again.created

    engine = connect_as(store, reader)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM articles_overview")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM search_articles('算力', 'zh')")).scalar() == 1
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
            conn.rollback()
            writes = [
                "INSERT INTO sources (name, kind) VALUES ('x', 'publisher')",
                "UPDATE articles SET title = 'x'",
                "DELETE FROM syndication_links",
                "CREATE TABLE mine (id int)",
            ]
            for statement in writes:  # first guard: sessions are read-only
                with pytest.raises(InternalError, match="read-only transaction"):
                    conn.execute(text(statement))
                conn.rollback()
            for statement in writes[:3]:  # second guard, even after switching read-only off: no privilege
                conn.execute(text("SET TRANSACTION READ WRITE"))
                with pytest.raises(ProgrammingError, match="permission denied"):
                    conn.execute(text(statement))
                conn.rollback()
    finally:
        engine.dispose()


def test_tables_created_later_are_readable(store: Store, reader: str) -> None:
    with store.engine.begin() as conn:
        create_reader(conn, reader)
        conn.execute(text("CREATE TABLE later_table (id int)"))
        conn.execute(text("CREATE VIEW later_view AS SELECT 1 AS one"))
    engine = connect_as(store, reader)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM later_table")).scalar() == 0
            assert conn.execute(text("SELECT one FROM later_view")).scalar() == 1
    finally:
        engine.dispose()
        with store.engine.begin() as conn:
            conn.execute(text("DROP VIEW later_view"))
            conn.execute(text("DROP TABLE later_table"))


def test_refuses_bad_names_and_roles_that_can_write(store: Store) -> None:
    with store.engine.begin() as conn:
        with pytest.raises(ReaderRoleError, match="lower-case"):
            create_reader(conn, 'Robert"; DROP TABLE articles; --')
        me = conn.execute(text("SELECT current_user")).scalar()
        with pytest.raises(ReaderRoleError, match="can write"):
            create_reader(conn, str(me))
