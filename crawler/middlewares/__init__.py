"""Scrapy downloader middlewares of the project (host mapping for tests; WARC capture lives in crawler.archive)."""
