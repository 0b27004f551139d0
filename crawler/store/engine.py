"""Engine and session factory for the configured database (DATABASE_URL or the embedded server)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config, normalise_database_url
from crawler.store.embedded import start_embedded


def resolve_database_url(config: Config) -> str:
    """The URL to connect to: DATABASE_URL, or the embedded server (started on demand)."""
    if config.database_url:
        return config.database_url
    return start_embedded(config.embedded_pgdata)


def make_engine(url: str, *, connect_timeout: int = 10, **kwargs: Any) -> Engine:
    """An engine for a PostgreSQL URL (plain `postgresql://` is accepted and pinned to psycopg2)."""
    return create_engine(
        normalise_database_url(url),
        pool_pre_ping=True,
        connect_args={"connect_timeout": connect_timeout, "application_name": "newscrawl"},
        **kwargs,
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def redacted(url: str) -> str:
    """The URL with any password hidden, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(normalise_database_url(url)).render_as_string(hide_password=True)
