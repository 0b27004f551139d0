"""The store as one object: an engine plus the batch operations the pipeline, the CLI and replay use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler import items
from crawler.config import Config
from crawler.sources import REGISTRY
from crawler.store import migrate, repository
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
            raise DatabaseUnavailable(f"cannot reach the database: {exc.__class__.__name__}: {exc}") from exc
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
        """Store a batch; if it fails on bad data, store its articles one by one and return the bad ones.

        A connection failure (the database went away) is raised: the caller keeps the whole batch.
        """
        try:
            return self.store_articles(articles), []
        except (OperationalError, InterfaceError):
            raise
        except (SQLAlchemyError, ValueError) as exc:
            if len(articles) == 1:
                return repository.StoreResult(), [(articles[0], f"{exc.__class__.__name__}: {exc}"[:500])]
        total, failed = repository.StoreResult(), []
        for article in articles:
            result, bad = self.store_articles_isolating([article])
            total += result
            failed.extend(bad)
        return total, failed

    def counts(self) -> dict[str, int]:
        with self.sessions() as session:
            return {
                "sources": session.scalar(select(func.count()).select_from(Source)) or 0,
                "articles": session.scalar(select(func.count()).select_from(Article)) or 0,
                "segments": session.scalar(select(func.count()).select_from(ArticleSegment)) or 0,
            }

    def dispose(self) -> None:
        self.engine.dispose()
