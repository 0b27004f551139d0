"""Scrapy downloader middleware that writes every downloaded response to WARC files.

Settings: WARC_ENABLED (default True), WARC_DIR (default: crawler.config's data dir + /warc),
WARC_MAX_SIZE (bytes per file, default 1 GiB), WARC_COMPRESSION_LEVEL (zlib level 0-9 of each record's gzip
member, default 1: a third of level 6's CPU on the reactor thread for files ~15% larger).

Every response the downloader produced is written, whatever its status (304 and 404 too), except those the
replay middleware made up (flag `replayed` or `replay-miss`) or the HTTP cache served (`cached`). The capture
reference lands in `response.meta["capture_ref"]`.

Give it a priority above HttpCompressionMiddleware (590), e.g. 950, so it sees responses before they are
decompressed or redirected: the archive then holds the bytes as sent (minus chunking). Writing is synchronous
in the reactor thread (one buffered append per response).
Stats: warc/records, warc/bytes. A response that cannot be written (a full disk) still goes on to the spider
and the store, without a capture reference, and is counted as errors/warc/write_failed; the writer has cut the
file back to its last whole record. When a crawl starts, the `.open` files that crashed crawls on this host
left are repaired (`crawler.archive.recover`; stat warc/repaired_files).
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.archive.recover import recover_open_files
from crawler.archive.writer import DEFAULT_COMPRESSION_LEVEL, DEFAULT_MAX_SIZE, WarcWriter
from crawler.config import Config

log = logging.getLogger(__name__)

# not downloaded: made up by the replay middleware, or served by Scrapy's HTTP cache
SKIP_FLAGS = frozenset({"replayed", "replay-miss", "cached"})


class WarcCaptureMiddleware:
    def __init__(
        self,
        warc_dir: Path | str,
        max_size: int = DEFAULT_MAX_SIZE,
        stats: StatsCollector | None = None,
        compression_level: int = DEFAULT_COMPRESSION_LEVEL,
    ) -> None:
        if not 0 <= compression_level <= 9:
            raise ValueError("WARC_COMPRESSION_LEVEL must be 0 to 9")
        self.warc_dir = Path(warc_dir)
        self.max_size = max_size
        self.compression_level = compression_level
        self.stats = stats
        self.writer: WarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED", True):
            raise NotConfigured  # switched off on purpose: no warning
        middleware = cls(
            settings.get("WARC_DIR") or Config.from_env().warc_dir,
            max_size=settings.getint("WARC_MAX_SIZE", DEFAULT_MAX_SIZE),
            stats=crawler.stats,
            compression_level=settings.getint("WARC_COMPRESSION_LEVEL", DEFAULT_COMPRESSION_LEVEL),
        )
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider | None = None) -> None:
        # the writer creates its first file on the first response, so a crawl that fetches nothing leaves none
        self.writer = WarcWriter(self.warc_dir, self.max_size, compression_level=self.compression_level)
        log.info("writing responses to WARC files in %s", self.warc_dir)
        repaired = recover_open_files(self.warc_dir)
        if repaired and self.stats is not None:
            self.stats.inc_value("warc/repaired_files", len(repaired))

    def spider_closed(self, spider: Spider | None = None) -> None:
        if self.writer is not None:
            self.writer.close()
            if self.writer.closed_files:
                log.info("WARC files written: %s", ", ".join(p.name for p in self.writer.closed_files))

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if SKIP_FLAGS.intersection(response.flags):
            return response
        if self.writer is None:
            self.spider_opened(spider)
        assert self.writer is not None
        ip = response.ip_address
        try:
            ref = self.writer.write_response(
                response.url,
                response.status,
                [(name, value) for name, values in response.headers.items() for value in values],
                response.body,
                request_headers=[(name, value) for name, values in request.headers.items() for value in values],
                method=request.method,
                protocol=response.protocol or "HTTP/1.1",
                ip_address=str(ip) if ip is not None else None,
                role="discovery" if "discovery" in request.meta else "article",
            )
        except OSError as exc:  # a full disk: the page goes on without its capture, and the run says so
            log.error(
                "could not write %s to the WARC archive (the page is processed without it): %s", response.url, exc
            )
            if self.stats is not None:
                self.stats.inc_value("errors/warc/write_failed")
            return response
        request.meta["capture_ref"] = ref  # response.meta is this dict once the engine ties them
        if self.stats is not None:
            self.stats.inc_value("warc/records")
            self.stats.inc_value("warc/bytes", len(response.body))
        return response
