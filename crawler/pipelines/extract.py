"""Scrapy pipeline: a downloaded page (`FetchedPage`) becomes an `Article` through `crawler.extract.extract`.

Extraction runs in a pool of worker processes (setting EXTRACT_WORKERS, default: one per core; 0 runs
it in the crawling process) so parsing uses every core while the crawler keeps downloading. A page
extraction refuses is dropped with its reason, counted, and recorded for retry on the next run.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

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
    def __init__(self, stats: StatsCollector, workers: int) -> None:
        if workers < 0:
            raise ValueError("EXTRACT_WORKERS must be 0 (in-process) or more")
        self.stats = stats
        self.workers = workers
        self.executor: Executor | None = None
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        workers = crawler.settings.getint("EXTRACT_WORKERS", os.cpu_count() or 1)
        pipeline = cls(crawler.stats, workers)  # type: ignore[arg-type]
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.workers > 0:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.extract"])
            self.executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=False)
            self.executor = None

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        try:
            if self.executor is None:
                article = article_from_page(item)
            else:
                article = await asyncio.wrap_future(self.executor.submit(article_from_page, item))
        except PageRejected as exc:
            self.stats.inc_value("errors/extract/rejected")
            state = getattr(self.crawler.spider if self.crawler else None, "state", None)
            if state is not None:
                state.record_failure(item.url, "rejected", exc.reason)
            raise DropItem(f"page rejected: {exc.reason} ({item.url})") from None
        self.stats.inc_value("articles/extracted")
        return article
