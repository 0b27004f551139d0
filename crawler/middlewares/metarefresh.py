"""Scrapy's meta-refresh redirects without decoding every page: a byte test first, Scrapy's parser after.

Scrapy's MetaRefreshMiddleware looks for `<meta http-equiv="refresh" content="0; url=…">` in the first 4096
characters of a page, but to get them it decodes the whole body (`response.text`), about 0.1 ms for a news
page on the crawling process, which never needs the text otherwise (extraction decodes in its workers). This
subclass hands a response to Scrapy's code only when the bytes that can hold those 4096 characters contain
both `http-equiv` and `refresh` (any case), or when the page is in an encoding that does not write ASCII as
ASCII bytes (UTF-16/32). In every encoding a crawled page can have otherwise, those words are the same bytes,
so a page this test passes over has no meta refresh that Scrapy would have followed: behaviour is unchanged.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response

SCANNED_CHARS = 4096  # what scrapy.utils.response.get_meta_refresh reads
MAX_BYTES_PER_CHAR = 4  # UTF-8's longest character; every other ASCII-compatible encoding uses fewer
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16/32 byte order marks (UTF-32 LE starts like UTF-16 LE)


def may_meta_refresh(body: bytes) -> bool:
    """False only when `body` certainly has no meta refresh within Scrapy's first 4096 characters."""
    head = body[: SCANNED_CHARS * MAX_BYTES_PER_CHAR]
    if head.startswith(_WIDE_BOMS) or b"\x00" in head[:256]:
        return True  # UTF-16/32: ASCII letters are not plain bytes there, let Scrapy decode
    lowered = head.lower()
    return b"refresh" in lowered and b"http-equiv" in lowered


class ByteCheckedMetaRefreshMiddleware(MetaRefreshMiddleware):
    """MetaRefreshMiddleware for pages that may hold a meta refresh; every other page passes untouched."""

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if isinstance(response, HtmlResponse) and not may_meta_refresh(response.body):
            return response
        return super().process_response(request, response)
