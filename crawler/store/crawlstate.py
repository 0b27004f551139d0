"""What a re-run needs to know from earlier runs: known article URLs, validators of recent ones, URLs to retry.

Loaded once when a spider opens; failures of this run are written back when it closes. The known set
holds exact cleaned URLs (no probabilistic filter), so a new article is never skipped by mistake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from crawler.store import faults
from crawler.store.database import Store
from crawler.store.models import FAILURE_KINDS, Article, FetchFailure
from crawler.text.clean import clean_text
from crawler.urls import clean_url

GIVE_UP_AFTER_ATTEMPTS = 5


@dataclass(frozen=True)
class Validators:
    """HTTP validators of a stored article, for a conditional re-fetch."""

    etag: str | None
    last_modified: str | None

    def request_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Failure:
    url: str
    kind: str
    error: str
    http_status: int | None = None


@dataclass
class CrawlState:
    known: set[str] = field(default_factory=set)
    recheck: dict[str, Validators] = field(default_factory=dict)
    retry: list[str] = field(default_factory=list)
    failures: dict[str, Failure] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store, spider: str, recheck_days: float) -> CrawlState:
        """Known URLs (keys and fetched URLs), validators of articles first seen in the last
        `recheck_days`, and this spider's failed URLs that have not been given up."""
        state = cls()
        cutoff = datetime.now(timezone.utc) - timedelta(days=recheck_days)
        with store.sessions() as session:
            rows = session.execute(
                select(
                    Article.url, Article.fetched_url, Article.etag, Article.last_modified, Article.first_seen_at
                ).execution_options(yield_per=10_000)
            )
            for url, fetched_url, etag, last_modified, first_seen_at in rows:
                fetched = clean_url(fetched_url)
                state.known.update((url, fetched))
                if first_seen_at >= cutoff:
                    validators = Validators(etag, last_modified)
                    state.recheck[url] = validators
                    state.recheck[fetched] = validators
            state.retry = list(
                session.execute(
                    select(FetchFailure.url)
                    .where(FetchFailure.spider == spider, FetchFailure.gave_up.is_(False))
                    .order_by(FetchFailure.last_failed_at)
                ).scalars()
            )
        return state

    def record_failure(self, url: str, kind: str, error: str, http_status: int | None = None) -> None:
        key = clean_text(clean_url(url))
        if kind not in FAILURE_KINDS:  # a kind the table does not know must not cost the record
            kind, error = "other", f"{kind}: {error}"
        self.failures[key] = Failure(key, kind, clean_text(error)[:1000], http_status)

    def save_failures(self, store: Store, spider: str, run_id: int | None) -> tuple[int, list[tuple[Failure, str]]]:
        """Upsert this run's failures: attempts grow by one per run; at the limit the URL is given up.

        Returns (records written, [(failure, reason)] the database refused): a record the database refuses
        (a URL over the index's size limit) is isolated and costs only itself. An outage is raised."""
        written, refused = faults.isolate(
            list(self.failures.values()),
            lambda batch: self._upsert(store, spider, run_id, batch),
            int.__add__,
            0,
        )
        return written, refused

    @staticmethod
    def _upsert(store: Store, spider: str, run_id: int | None, failures: Sequence[Failure]) -> int:
        rows = [
            {
                "url": f.url,
                "spider": spider,
                "kind": f.kind,
                "error": f.error,
                "http_status": f.http_status,
                "last_run_id": run_id,
                "gave_up": GIVE_UP_AFTER_ATTEMPTS <= 1,
            }
            for f in failures
        ]
        stmt = insert(FetchFailure).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=[FetchFailure.url],
            set_={
                "spider": stmt.excluded.spider,
                "kind": stmt.excluded.kind,
                "error": stmt.excluded.error,
                "http_status": stmt.excluded.http_status,
                "last_run_id": stmt.excluded.last_run_id,
                "attempts": FetchFailure.attempts + 1,
                "gave_up": FetchFailure.attempts + 1 >= GIVE_UP_AFTER_ATTEMPTS,
                "last_failed_at": datetime.now(timezone.utc),
            },
        )
        with store.sessions.begin() as session:
            session.execute(stmt)
        return len(rows)
