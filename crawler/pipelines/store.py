"""Scrapy pipeline that buffers articles and writes them in batches; failed batches go to the spool.

Batches are written by one thread of their own, in order, so the crawl's event loop keeps downloading and
feeding the extraction workers while PostgreSQL stores a batch (a batch of 200 takes a few hundred ms). The
item that fills a batch waits for it to be stored, so a slow database slows the crawl rather than piling
up articles in memory.

Settings: STORE_BATCH_SIZE (default 200). The database comes from crawler.config (DATABASE_URL or
the embedded server). Counts land in the crawl stats as store/new, store/updated, store/unchanged,
store/spooled (articles written to the spool because the database was unreachable or went away) and
store/errors (failed batches). An article the database refuses (bad data: it never will take it) is set
aside in a `.jsonl.rejected` spool file with its reason and counted as errors/store/rejected; the rest of its
batch is stored. When the spool cannot be written either (a full disk), the batch stays in memory and is
tried again with the next batch and at the end; what still cannot be written is logged URL by URL and
counted as errors/store/lost.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.config import Config
from crawler.items import Article
from crawler.store.database import DatabaseUnavailable, Store
from crawler.store.embedded import EmbeddedDatabaseError
from crawler.store.faults import describe_error
from crawler.store.spool import SpoolWriter

log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, config: Config, stats: StatsCollector, batch_size: int = 200, label: str = "crawl") -> None:
        if batch_size < 1:
            raise ValueError("STORE_BATCH_SIZE must be at least 1")
        self.config = config
        self.stats = stats
        self.batch_size = batch_size
        self.spool = SpoolWriter(config.spool_dir, label)
        self.buffer: list[Article] = []
        self.store: Store | None = None
        self.unavailable_reason: str | None = None
        self.unspooled: list[tuple[list[Article], str]] = []  # batches the spool could not take (full disk)
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        label = crawler.spidercls.name if crawler.spidercls else "crawl"
        return cls(
            Config.from_env(),
            crawler.stats,  # type: ignore[arg-type]
            batch_size=crawler.settings.getint("STORE_BATCH_SIZE", 200),
            label=label,
        )

    def open_spider(self, spider: Spider | None = None) -> None:
        try:
            store = Store.from_config(self.config)
            store.check()
        except (DatabaseUnavailable, EmbeddedDatabaseError, OSError) as exc:
            self.unavailable_reason = str(exc)
            log.error("database unavailable, articles go to the spool in %s: %s", self.spool.directory, exc)
            return
        self.store = store

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, Article):
            self.buffer.append(item)
            if len(self.buffer) >= self.batch_size:
                batch, self.buffer = self.buffer, []
                await self._write_on_thread(batch)
        return item

    async def _write_on_thread(self, batch: list[Article]) -> None:
        await asyncio.wrap_future(self.writer.submit(self.write, batch))

    def write(self, batch: list[Article]) -> None:
        """Store one batch (on the writer thread; it alone touches the store/* stats)."""
        self._retry_unspooled()
        if not batch:
            return
        if self.store is None:
            self._spool(batch, f"database unavailable: {self.unavailable_reason}")
            return
        try:
            result, rejected = self.store.store_articles_isolating(batch)
        except Exception as exc:  # an outage (faults.is_outage): keep the whole batch, go on crawling
            self.stats.inc_value("store/errors")
            log.error("storing a batch of %d articles failed, spooling it: %s", len(batch), exc)
            self._spool(batch, f"batch failed: {describe_error(exc)}")
            return
        self.stats.inc_value("store/new", result.new)
        self.stats.inc_value("store/updated", result.updated)
        self.stats.inc_value("store/unchanged", result.unchanged)
        if rejected:
            self._set_aside(rejected)

    def _set_aside(self, rejected: list[tuple[Article, str]]) -> None:
        """Articles the database refuses (bad data): to `.jsonl.rejected` with their reason, counted as errors."""
        self.stats.inc_value("errors/store/rejected", len(rejected))
        for article, reason in rejected:
            log.error("the database refused article %s, setting it aside: %s", article.url, reason)
        try:
            self.spool.write_rejected(rejected)
        except OSError as exc:
            self._lost([article for article, _ in rejected], f"cannot set aside refused articles: {exc}")

    def _spool(self, batch: list[Article], reason: str) -> None:
        try:
            written = self.spool.write(batch, reason[:500])
        except OSError as exc:  # a full disk: keep the batch in memory and try again with the next one
            log.error("cannot spool %d articles (kept in memory, retried): %s", len(batch), exc)
            self.unspooled.append((batch, reason))
            return
        self.stats.inc_value("store/spooled", written)

    def _retry_unspooled(self) -> None:
        pending, self.unspooled = self.unspooled, []
        for batch, reason in pending:
            self._spool(batch, reason)

    def _lost(self, articles: list[Article], why: str) -> None:
        """Neither stored nor written anywhere: say so, article by article, and count them."""
        self.stats.inc_value("errors/store/lost", len(articles))
        for article in articles:
            log.error("article %s is lost: %s", article.url, why)

    async def close_spider(self, spider: Spider | None = None) -> None:
        batch, self.buffer = self.buffer, []
        await self._write_on_thread(batch)
        await asyncio.wrap_future(self.writer.submit(self._retry_unspooled))
        self.writer.shutdown(wait=True)
        for unspooled, reason in self.unspooled:
            self._lost(unspooled, f"not stored ({reason}) and the spool cannot be written")
        if self.spool.count:
            log.warning(
                "%d articles were not stored and wait in %d spool file(s) in %s: "
                "run `newscrawl db replay-spool` once the database is back",
                self.spool.count,
                len(self.spool.paths),
                self.spool.directory,
            )
        if self.store is not None:
            self.store.dispose()
