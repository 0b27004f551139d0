"""Scrapy pipeline: a downloaded page (`FetchedPage`) becomes an `Article` through `crawler.extract.extract`.

Extraction runs in a pool of worker processes fed from the event loop (`crawler.asyncpool`; setting
EXTRACT_WORKERS, default one per core; 0 runs it in the crawling process) so parsing uses every core while
the crawler keeps downloading. A page extraction refuses is dropped with its reason, counted
(errors/extract/rejected) and recorded for retry on the next run. So is a page on which extraction raised
(errors/extract/error) and one whose worker died or ran longer than EXTRACT_TIMEOUT seconds (default 300)
on it (errors/extract/crashed): the worker is replaced and the crawl goes on. If workers keep dying before
finishing anything, the spider is closed with the reason `extraction_broken`, which fails the run.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.asyncpool import PoolClosed, ProcessPool, WorkerCrashed
from crawler.extract import extract
from crawler.items import Article, FetchedPage, PageRejected

log = logging.getLogger(__name__)


def article_from_page(page: FetchedPage) -> Article:
    """Extract one page and attach what the fetch knows (time, status, validators, capture).

    Runs in worker processes: module-level and picklable. Raises PageRejected.
    """
    article = extract(page.body, page.url, page.headers)
    article.fetched_at = page.fetched_at
    article.http_status = page.status
    article.etag = page.headers.get("etag")
    article.last_modified = page.headers.get("last-modified")
    article.capture_ref = page.capture_ref
    if article.published_at is None and page.listed_at is not None:
        article.published_at = page.listed_at
    return article


class ExtractPipeline:
    def __init__(self, stats: StatsCollector, workers: int, timeout: float = 300.0, max_rss_mb: int = 1024) -> None:
        if workers < 0:
            raise ValueError("EXTRACT_WORKERS must be 0 (in-process) or more")
        if timeout <= 0:
            raise ValueError("EXTRACT_TIMEOUT must be a positive number of seconds")
        self.stats = stats
        self.workers = workers
        self.timeout = timeout
        self.max_rss_mb = max_rss_mb
        self.pool: ProcessPool | None = None
        self.crawler: Crawler | None = None
        self._closing: asyncio.Future[Any] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        workers = crawler.settings.getint("EXTRACT_WORKERS", os.cpu_count() or 1)
        timeout = crawler.settings.getfloat("EXTRACT_TIMEOUT", 300.0)
        max_rss_mb = crawler.settings.getint("EXTRACT_MAX_RSS_MB", 1024)
        pipeline = cls(crawler.stats, workers, timeout, max_rss_mb)  # type: ignore[arg-type]
        pipeline.crawler = crawler
        return pipeline

    async def open_spider(self, spider: Spider | None = None) -> None:
        if self.workers > 0:
            pool = ProcessPool(
                article_from_page,
                self.workers,
                preload=["crawler.pipelines.extract"],  # the worker function and all it imports
                job_timeout=self.timeout,
                max_rss=self.max_rss_mb << 20 if self.max_rss_mb > 0 else None,
                label="extraction worker",
            )
            self.pool = pool
            await pool.start()

    async def close_spider(self, spider: Spider | None = None) -> None:
        if self.pool is not None:
            pool, self.pool = self.pool, None
            await pool.close()

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        try:
            article = article_from_page(item) if self.pool is None else await self.pool.run(item)
        except PageRejected as exc:
            self._failed(item, "rejected", exc.reason)
            raise DropItem(f"page rejected: {exc.reason} ({item.url})") from None
        except (WorkerCrashed, PoolClosed) as exc:
            self._failed(item, "crashed", str(exc))
            if isinstance(exc, PoolClosed) and self.pool is not None and self.pool.broken:
                self._give_up()
            raise DropItem(f"extraction failed: {exc} ({item.url})") from None
        except Exception as exc:  # a bug the page set off in extraction: this page only, retried next run
            reason = f"{exc.__class__.__name__}: {exc}"
            log.error("extraction raised on %s: %s", item.url, reason)
            self._failed(item, "error", reason)
            raise DropItem(f"extraction raised {reason} ({item.url})") from None
        self.stats.inc_value("articles/extracted")
        return article

    def _failed(self, page: FetchedPage, kind: str, reason: str) -> None:
        self.stats.inc_value(f"errors/extract/{kind}")
        state = getattr(self.crawler.spider if self.crawler else None, "state", None)
        if state is not None:
            state.record_failure(page.url, kind, reason)

    def _give_up(self) -> None:
        """Workers cannot run: stop fetching pages nobody can extract (the run fails, the pages are retried).

        The engine waits for the items in flight (this one too) before it closes, so it is not awaited here."""
        engine = self.crawler.engine if self.crawler is not None else None
        if engine is None or self._closing is not None:
            return
        if hasattr(engine, "close_spider_async"):
            self._closing = asyncio.ensure_future(engine.close_spider_async(reason="extraction_broken"))
        else:  # Scrapy before 2.14
            self._closing = asyncio.ensure_future(
                maybe_deferred_to_future(engine.close_spider(engine.spider, "extraction_broken"))
            )
