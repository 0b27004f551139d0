"""Scrapy settings. Deployment-specific values come from the environment (see crawler/config.py).

Nothing here opens a connection: pipelines read crawler.config when the spider opens.
"""

from __future__ import annotations

import os

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` with one-line errors for unknown spiders and arguments

CONTACT_URL = os.environ.get("NEWSCRAWL_CONTACT_URL", "https://github.com/newscrawl/newscrawl")
USER_AGENT = f"newscrawl/0.1 (+{CONTACT_URL}; research corpus crawler)"

# politeness
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# robustness
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
REDIRECT_MAX_TIMES = 10
RETRY_AFTER_MAX = 120  # seconds; a server asking for a longer wait is retried by the next run

# A live progress line on a terminal (PROGRESS = auto|on|off, every PROGRESS_INTERVAL seconds); silent under cron.
EXTENSIONS = {"crawler.progress.ProgressLine": 500}
PROGRESS = os.environ.get("NEWSCRAWL_PROGRESS", "auto")

ITEM_PIPELINES = {
    "crawler.pipelines.extract.ExtractPipeline": 300,
    "crawler.pipelines.store.StorePipeline": 900,
}
# Items of one response processed at once. An article page yields one item and a listing only requests, but
# Scrapy starts this many asyncio tasks for every response whatever it yields: its default of 100 costs the
# crawling process about 0.5 ms a page for nothing (extraction runs in EXTRACT_WORKERS processes anyway).
CONCURRENT_ITEMS = 8
EXTRACT_WORKERS = int(os.environ.get("NEWSCRAWL_EXTRACT_WORKERS", str(os.cpu_count() or 1)))

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's retries, waiting what a 429/503's Retry-After asks (up to RETRY_AFTER_MAX seconds)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retryafter.RetryAfterMiddleware": 550,
    # Scrapy's meta-refresh redirects, without decoding every page on the crawling process to look for them
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.metarefresh.ByteCheckedMetaRefreshMiddleware": 580,
    # raw capture of every response (WARC_ENABLED, WARC_DIR, WARC_MAX_SIZE, WARC_COMPRESSION_LEVEL)
    "crawler.archive.middleware.WarcCaptureMiddleware": 940,
    # no request to, no response from private, loopback, link-local or reserved addresses (ALLOWED_ADDRESSES)
    "crawler.middlewares.addressguard.AddressGuardMiddleware": 950,
    # offline: answer requests from WARC files (REPLAY_WARCS) instead of the network
    "crawler.archive.replay.ReplayDownloaderMiddleware": 960,
    # tests and benchmarks only: send every request to a local server (HOST_MAP_TARGET)
    "crawler.middlewares.hostmap.HostMapMiddleware": 990,
}
# networks (CIDR) the address guard lets through although they are not public, e.g. an intranet; tests: 127.0.0.1
ALLOWED_ADDRESSES: list[str] = []
STORE_BATCH_SIZE = int(os.environ.get("NEWSCRAWL_STORE_BATCH_SIZE", "200"))

# no listening sockets in a cron job: the telnet console and the remote-control server stay off
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = os.environ.get("NEWSCRAWL_LOG_LEVEL", "INFO").upper()
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
