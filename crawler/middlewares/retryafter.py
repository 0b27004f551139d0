"""Scrapy's retries, honouring `Retry-After` on 429 and 503 answers.

Scrapy's RetryMiddleware sends the retry of a 503 or 429 at once, whatever the server asked: a server that
says `Retry-After: 120` gets every retry within a fraction of a second. Here a retry of such an answer waits
the time the header gives (seconds, or an HTTP date) before it is scheduled. A wait longer than
RETRY_AFTER_MAX seconds (default 120) is not waited for in this run: the answer stands, so the page is
recorded as a failed fetch (kind `http`) and the next run retries it. Without the header, retries go as
Scrapy sends them. Stats: retry/retry_after_waits, retry/retry_after_too_long.

Replaces `scrapy.downloadermiddlewares.retry.RetryMiddleware` at the same order (550).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

log = logging.getLogger(__name__)

BACK_OFF_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """The wait a Retry-After header asks for, in seconds (0 for a date in the past); None if absent or bad."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings, crawler: Crawler | None = None) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 120.0)
        if self.max_wait < 0:
            raise ValueError("RETRY_AFTER_MAX must be 0 or more seconds")
        self.stats = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        middleware = cls(crawler.settings, crawler)
        middleware.crawler = crawler
        return middleware

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        wait = None
        if response.status in BACK_OFF_STATUSES and not request.meta.get("dont_retry", False):
            wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is not None and wait > self.max_wait:
            log.warning("%s asks to retry after %.0f s (over RETRY_AFTER_MAX): not retried in this run", request, wait)
            self._count("retry/retry_after_too_long")
            return response
        result = super().process_response(request, response)
        if isinstance(result, Request) and wait:
            self._count("retry/retry_after_waits")
            from twisted.internet import reactor  # the one Scrapy installed (importing it early would pick one)

            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return result

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
