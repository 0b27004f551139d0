"""A live progress line for people watching a crawl on a terminal; silent under cron or in a log.

Every PROGRESS_INTERVAL seconds (default 2) it rewrites one line on standard error: pages fetched, articles
stored (new and updated), pages refused or failed, and the fetch rate over the last interval. PROGRESS is
`auto` (the default: only when standard error is a terminal), `on` or `off`. At the end the line is finished
with a newline, so the summary that follows starts on its own line.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


def progress_line(spider: str, stats: Mapping[str, Any], pages_per_second: float) -> str:
    """The text of the progress line for a spider's stats."""
    pages = int(stats.get("downloader/response_count", 0))
    stored = int(stats.get("store/new", 0)) + int(stats.get("store/updated", 0))
    errors = sum(int(v) for k, v in stats.items() if k.startswith("errors/"))
    return (
        f"{spider}: {pages} pages fetched, {stored} articles stored, {errors} refused or failed, "
        f"{pages_per_second:.1f} pages/s"
    )


class ProgressLine:
    """Scrapy extension writing `progress_line` over itself on a terminal."""

    def __init__(self, stats: Any, interval: float, stream: TextIO) -> None:
        self.stats = stats
        self.interval = interval
        self.stream = stream
        self._loop: task.LoopingCall | None = None
        self._last = (time.monotonic(), 0)
        self._width = 0
        self._spider = "crawl"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        mode = str(crawler.settings.get("PROGRESS", "auto")).lower()
        if mode not in ("auto", "on", "off"):
            raise NotConfigured(f"PROGRESS must be auto, on or off, not {mode!r}")
        if mode == "off" or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured  # no terminal to show it on: silently off (a message would be logged as a warning)
        extension = cls(crawler.stats, crawler.settings.getfloat("PROGRESS_INTERVAL", 2.0), sys.stderr)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any = None) -> None:
        self._spider = getattr(spider, "name", None) or "crawl"
        self._last = (time.monotonic(), 0)
        self._loop = task.LoopingCall(self.show)
        self._loop.start(self.interval, now=False)

    def show(self) -> None:
        stats = self.stats.get_stats()
        now, pages = time.monotonic(), int(stats.get("downloader/response_count", 0))
        then, before = self._last
        self._last = (now, pages)
        line = progress_line(self._spider, stats, (pages - before) / max(now - then, 1e-6))
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
            self.show()
            self.stream.write("\n")
            self.stream.flush()
