"""Shared fixtures: a real PostgreSQL for the database tests.

TEST_DATABASE_URL (any database on the server, e.g. postgresql://root@127.0.0.1:5432/test) makes
the tests create their own fresh databases on that server; without it they start the embedded
server (pgserver) in a temporary directory, so the suite also passes on a machine with no server.
Every test run gets its own databases, dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from crawler.config import normalise_database_url
from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.embedded import start_embedded

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TABLES = ("syndication_links", "article_segments", "articles", "sources", "fetch_failures", "crawl_runs")


class DatabaseServer:
    """Creates and drops throw-away databases on one PostgreSQL server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url: URL = make_url(normalise_database_url(admin_url))
        self.engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create_database(self) -> str:
        name = f"newscrawl_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.engine.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.engine.dispose()


@pytest.fixture(scope="session")
def db_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseServer]:
    admin_url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not admin_url:
        admin_url = start_embedded(tmp_path_factory.mktemp("embedded") / "pgdata", database="postgres")
    server = DatabaseServer(admin_url)
    yield server
    server.drop_all()


@pytest.fixture
def fresh_database_url(db_server: DatabaseServer) -> str:
    """An empty, unmigrated database of its own."""
    return db_server.create_database()


@pytest.fixture(scope="session")
def migrated_database_url(db_server: DatabaseServer) -> str:
    """One database migrated to head for the whole run (tests empty it with `store`)."""
    url = db_server.create_database()
    migrate.upgrade(url)
    return url


@pytest.fixture
def store(migrated_database_url: str) -> Iterator[Store]:
    """A Store on the migrated database, emptied before each test."""
    db = Store(migrated_database_url)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()
