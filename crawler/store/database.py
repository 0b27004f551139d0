"""The store as one object: an engine plus the batch operations the pipeline, the CLI and replay use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler import items
from crawler.config import Config
from crawler.sources import REGISTRY
from crawler.store import faults, migrate, repository
from crawler.store.engine import make_engine, make_session_factory, resolve_database_url
from crawler.store.models import Article, ArticleSegment, Source


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or is not migrated; the message says what to do."""


@dataclass
class Store:
    url: str
    engine: Engine = field(init=False)
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.url)
        self.sessions = make_session_factory(self.engine)

    @classmethod
    def from_config(cls, config: Config) -> Store:
        return cls(resolve_database_url(config))

    def check(self) -> None:
        """Raise DatabaseUnavailable unless the database answers and is migrated to head."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            current = migrate.current_revision(self.url)
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(f"{faults.what_failed(exc)}: {exc.__class__.__name__}: {exc}") from exc
        head = migrate.head_revision()
        if current != head:
            raise DatabaseUnavailable(
                f"the database is at revision {current or 'none'}, the code needs {head}: run `newscrawl db upgrade`"
            )

    def seed_sources(self) -> int:
        with self.sessions.begin() as session:
            return len(repository.upsert_sources(session, REGISTRY))

    def store_articles(self, articles: Sequence[items.Article]) -> repository.StoreResult:
        """Store one batch in one transaction (all or nothing)."""
        with self.sessions.begin() as session:
            return repository.store_articles(session, articles)

    def store_articles_isolating(
        self, articles: Sequence[items.Article]
    ) -> tuple[repository.StoreResult, list[tuple[items.Article, str]]]:
        """Store a batch; rows the database refuses (bad data) are isolated by bisection and returned
        with their reasons, the others stored. An outage (`faults.is_outage`) is raised: the caller keeps
        the rows not yet stored (re-storing the stored ones is an idempotent upsert)."""

        return faults.isolate(articles, self.store_articles, repository.StoreResult.__add__, repository.StoreResult())

    def counts(self) -> dict[str, int]:
        with self.sessions() as session:
            return {
                "sources": session.scalar(select(func.count()).select_from(Source)) or 0,
                "articles": session.scalar(select(func.count()).select_from(Article)) or 0,
                "segments": session.scalar(select(func.count()).select_from(ArticleSegment)) or 0,
            }

    def dispose(self) -> None:
        self.engine.dispose()
