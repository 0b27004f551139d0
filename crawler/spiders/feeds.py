"""The generic spider: any registry source whose discovery names spider "feeds" (RSS/Atom, sitemaps, listings).

A new outlet is a registry entry in crawler/sources.py, not code: `scrapy crawl feeds -a source="China Daily"`.
For a one-off crawl, `-a feed=URL[,URL…]` and/or `-a sitemap=URL[,URL…]` crawl just those (every entry they
list is taken as an article; each article is filed under the source of its own site); together with
`-a source=NAME` they are crawled in addition to that registry source.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from crawler.sources import Discovery, SourceInfo
from crawler.spiders.base import NewsSpider, SpiderArgumentError


def _urls(name: str, value: str | None) -> tuple[str, ...]:
    urls = tuple(u.strip() for u in (value or "").split(",") if u.strip())
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SpiderArgumentError(f"-a {name}={url!r}: expected an http(s) URL like https://example.org/{name}.xml")
    return urls


class FeedsSpider(NewsSpider):
    name = "feeds"

    def __init__(self, feed: str | None = None, sitemap: str | None = None, **kwargs: Any) -> None:
        self.adhoc = Discovery(spider=self.name, feeds=_urls("feed", feed), sitemaps=_urls("sitemap", sitemap))
        super().__init__(**kwargs)

    def select_sources(self) -> list[tuple[SourceInfo, Discovery]]:
        if not (self.adhoc.feeds or self.adhoc.sitemaps):
            return super().select_sources()
        adhoc = [(SourceInfo("ad-hoc feeds", "aggregator"), self.adhoc)]
        return (super().select_sources() if self.source_names else []) + adhoc
