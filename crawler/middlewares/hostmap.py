"""Send every request to one local server instead of the real host (tests and benchmarks only).

With `HOST_MAP_TARGET = "127.0.0.1:8123"`, a request for `https://finance.sina.com.cn/a?b` is sent to
`http://127.0.0.1:8123/https/finance.sina.com.cn/a?b`, and the response comes back under the original
URL, so spiders, redirects and pipelines see the real addresses. Only loopback targets are accepted.
Place it closest to the downloader (order 950+), after the redirect and retry middlewares.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

_META_KEY = "hostmap_original_url"


def mapped_url(url: str, target: str) -> str:
    parts = urlsplit(url)
    rest = parts.path or "/"
    if parts.query:
        rest += "?" + parts.query
    return f"http://{target}/{parts.scheme}/{parts.netloc}{rest}"


class HostMapMiddleware:
    def __init__(self, target: str) -> None:
        host = target.rsplit(":", 1)[0].strip("[]")
        if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
            raise ValueError(f"HOST_MAP_TARGET must be a loopback address, got {target!r}")
        self.target = target

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMapMiddleware:
        target = crawler.settings.get("HOST_MAP_TARGET")
        if not target:
            raise NotConfigured  # only tests and benchmarks map hosts: no warning
        return cls(target)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        # rewritten in place just before the download, restored right after it, so redirect and retry
        # middlewares (which copy the request) only ever see the original URL
        request.meta[_META_KEY] = request.url
        request._set_url(mapped_url(request.url, self.target))
        return None

    def _restore(self, request: Request) -> str | None:
        original = request.meta.pop(_META_KEY, None)
        if original is not None:
            request._set_url(original)
        return original

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        original = self._restore(request)
        return response if original is None else response.replace(url=original)

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self._restore(request)
        return None
