"""Scrapy downloader middleware that answers every request from WARC files instead of the network.

Setting: REPLAY_WARCS, a list of WARC files or directories (a comma-separated string works too); when it
is empty the middleware is off. Requests are matched on `crawler.urls.clean_url`; a later capture of a URL
wins (a 304 never hides the 200 before it). A URL that is not in the archive gets an empty 404 (flag
`replay-miss`) — robots.txt included, which Scrapy reads as "allow all" — so nothing ever reaches the network.
Hits are flagged `replayed` and carry the capture reference in `response.meta["capture_ref"]`.

Bodies stay on disk (an index of file offsets is built when the middleware starts) and are read per request.
Give it a high priority (e.g. 960) so every other middleware's process_request has run; redirects, robots.txt
and decompression then behave as they would online. Stats: replay/hits, replay/misses.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.statscollectors import StatsCollector

from crawler.archive.reader import load_locations, read_record
from crawler.urls import clean_url

log = logging.getLogger(__name__)


class ReplayDownloaderMiddleware:
    def __init__(self, warcs: Iterable[Path | str], stats: StatsCollector | None = None) -> None:
        self.warcs = [Path(p) for p in warcs]
        if not self.warcs:
            raise NotConfigured  # not replaying: the normal case, no warning
        self.stats = stats
        self.index = load_locations(self.warcs)
        log.info("replaying %d captured URLs from %s", len(self.index), ", ".join(map(str, self.warcs)))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayDownloaderMiddleware:
        return cls(crawler.settings.getlist("REPLAY_WARCS"), stats=crawler.stats)

    def process_request(self, request: Request, spider: Spider | None = None) -> Response:
        location = self.index.get(clean_url(request.url))
        if location is None:
            self._count("replay/misses")
            log.debug("not in the archive, answering 404: %s", request.url)
            return Response(request.url, status=404, request=request, flags=["replay-miss"])
        captured = read_record(location.path, location.offset)
        headers = Headers(captured.headers)
        response_class = responsetypes.from_args(headers=headers, url=request.url, body=captured.body)
        request.meta["capture_ref"] = captured.capture_ref
        self._count("replay/hits")
        return response_class(
            url=request.url,
            status=captured.status,
            headers=headers,
            body=captured.body,
            request=request,
            flags=["replayed"],
        )

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
