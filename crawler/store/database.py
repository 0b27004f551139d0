"""The store as one object: an engine plus the batch operations the pipeline, the CLI and replay use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler import items
from crawler.analyst import search
from crawler.config import Config
from crawler.sources import REGISTRY
from crawler.store import faults, migrate, repository
from crawler.store.engine import make_engine, make_session_factory, resolve_database_url
from crawler.store.models import Article, ArticleSegment, Source


def _utc_month(value: datetime) -> tuple[int, int] | None:
    """(year, month) of an aware datetime in UTC; None for a naive one (its month depends on the server)."""
    if value.tzinfo is None:
        return None
    utc = value.astimezone(timezone.utc)
    return utc.year, utc.month


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or is not migrated; the message says what to do."""


@dataclass
class Store:
    url: str
    engine: Engine = field(init=False)
    sessions: sessionmaker[Session] = field(init=False)
    # the months whose search partition exists (made or found by this process)
    _search_months: set[tuple[int, int]] = field(init=False, default_factory=set)

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
        self._make_search_partitions(articles)
        with self.sessions.begin() as session:
            return repository.store_articles(session, articles)

    def _make_search_partitions(self, articles: Sequence[items.Article]) -> None:
        """Create the search partitions of months this process has not seen yet, in a transaction of their own:
        attaching one locks `articles` until commit, which the batch's transaction would hold much longer.
        (`repository.store_articles` checks again inside the batch: this is only the cheaper place.)"""
        now = datetime.now(timezone.utc)
        dates = {search.sort_date(a.published_at, a.fetched_at or now) for a in articles}
        months = {d: _utc_month(d) for d in dates}
        new = [d for d, month in months.items() if month is None or month not in self._search_months]
        if not new:
            return
        with self.engine.begin() as conn:
            search.make_partitions(conn, new)
        self._search_months.update(month for d, month in months.items() if month is not None)

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
