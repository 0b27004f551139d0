"""Scrapy pipeline that buffers articles and writes them in batches; failed batches go to the spool.

Batches are written by one thread of their own, in order, so the crawl's event loop keeps downloading and
feeding the extraction workers while PostgreSQL stores a batch (a batch of 200 takes a few hundred ms). The
item that fills a batch waits for it to be stored, so a slow database slows the crawl rather than piling
up articles in memory.

Settings: STORE_BATCH_SIZE (default 200). The database comes from crawler.config (DATABASE_URL or
the embedded server). Counts land in the crawl stats as store/new, store/updated, store/unchanged,
store/spooled and store/errors.
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
            log.error("database unavailable, articles go to the spool %s: %s", self.spool.path, exc)
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
        if not batch:
            return
        if self.store is None:
            self._spool(batch, f"database unavailable: {self.unavailable_reason}")
            return
        try:
            result, rejected = self.store.store_articles_isolating(batch)
        except Exception as exc:  # the database went away: keep the whole batch, go on crawling
            self.stats.inc_value("store/errors")
            log.error("storing a batch of %d articles failed, spooling it: %s", len(batch), exc)
            self._spool(batch, f"batch failed: {exc.__class__.__name__}: {exc}")
            return
        self.stats.inc_value("store/new", result.new)
        self.stats.inc_value("store/updated", result.updated)
        self.stats.inc_value("store/unchanged", result.unchanged)
        for article, reason in rejected:
            self.stats.inc_value("store/errors")
            log.error("article %s could not be stored, spooling it: %s", article.url, reason)
            self._spool([article], f"rejected by the database: {reason}")

    def _spool(self, batch: list[Article], reason: str) -> None:
        written = self.spool.write(batch, reason[:500])
        self.stats.inc_value("store/spooled", written)

    async def close_spider(self, spider: Spider | None = None) -> None:
        batch, self.buffer = self.buffer, []
        await self._write_on_thread(batch)
        self.writer.shutdown(wait=True)
        if self.spool.count:
            log.warning(
                "%d articles were not stored and wait in %s: run `newscrawl db replay-spool` once the database is back",
                self.spool.count,
                self.spool.path,
            )
        if self.store is not None:
            self.store.dispose()
