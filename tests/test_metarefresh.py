"""The byte-checked meta-refresh middleware redirects exactly where Scrapy's does, without decoding other pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.metarefresh import ByteCheckedMetaRefreshMiddleware, may_meta_refresh

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "https://finance.sina.com.cn/roll/2024-01-01/doc-iabc.shtml"
REFRESH = '<meta http-equiv="Refresh" content="0; url=/moved.html">'


def _page(html: str, encoding: str = "utf-8", bom: bytes = b"") -> bytes:
    return bom + html.encode(encoding)


SYNTHETIC = {
    "refresh in head": _page(f"<html><head>{REFRESH}</head><body>x</body></html>"),
    "upper case": _page(f"<HTML><HEAD>{REFRESH.upper()}</HEAD></HTML>"),
    "gbk page": _page(f"<html><head><meta charset=gbk>{REFRESH}<title>新闻</title></head></html>", "gbk"),
    "utf-16 with bom": _page(f"<html><head>{REFRESH}</head></html>", "utf-16-le", b"\xff\xfe"),
    "utf-16 without bom": _page(f"<html><head>{REFRESH}</head></html>", "utf-16-le"),
    "past 4096 characters": _page("<html><head>" + "中" * 6000 + REFRESH + "</head></html>"),
    "word in the text only": _page("<html><body>refresh the http-equiv page 刷新</body></html>"),
    "slow refresh": _page('<html><head><meta http-equiv="refresh" content="600; url=/later"></head></html>'),
    "no refresh": _page("<html><head><title>t</title></head><body>正文</body></html>"),
}
# the encoding of a page without a byte order mark comes from its header
HEADERS = {"utf-16 without bom": {"Content-Type": "text/html; charset=utf-16-le"}}


def _response(name: str, body: bytes, cls: type[HtmlResponse] = HtmlResponse) -> HtmlResponse:
    return cls(URL, body=body, headers=HEADERS.get(name))


def _middlewares() -> tuple[MetaRefreshMiddleware, ByteCheckedMetaRefreshMiddleware]:
    crawler = get_crawler(Spider, {"METAREFRESH_MAXDELAY": 100})
    crawler.spider = crawler._create_spider("s")
    return MetaRefreshMiddleware.from_crawler(crawler), ByteCheckedMetaRefreshMiddleware.from_crawler(crawler)


def _outcome(result: Request | Response) -> str:
    return f"redirect to {result.url}" if isinstance(result, Request) else "kept"


def _bodies() -> list[tuple[str, bytes]]:
    recorded = sorted(p for p in PAGES.rglob("*") if p.suffix in {".html", ".htm", ".shtml"})
    assert len(recorded) >= 20
    return [(p.name, p.read_bytes()) for p in recorded] + list(SYNTHETIC.items())


@pytest.mark.parametrize("name,body", _bodies(), ids=lambda v: v if isinstance(v, str) else "")
def test_redirects_exactly_where_scrapy_does(name: str, body: bytes) -> None:
    scrapy_mw, ours = _middlewares()
    expected = _outcome(scrapy_mw.process_response(Request(URL), _response(name, body)))
    assert _outcome(ours.process_response(Request(URL), _response(name, body))) == expected


def test_the_synthetic_pages_cover_both_outcomes() -> None:
    scrapy_mw, _ = _middlewares()
    outcomes = {
        name: _outcome(scrapy_mw.process_response(Request(URL), _response(name, body)))
        for name, body in SYNTHETIC.items()
    }
    redirected = {name for name, outcome in outcomes.items() if outcome.startswith("redirect")}
    assert redirected == {"refresh in head", "upper case", "gbk page", "utf-16 with bom", "utf-16 without bom"}


class _UndecodableResponse(HtmlResponse):
    @property
    def text(self) -> str:
        raise AssertionError("the page was decoded")


def test_a_page_without_refresh_is_never_decoded() -> None:
    _, ours = _middlewares()
    body = (PAGES / "sina").glob("*.html").__next__().read_bytes()
    assert not may_meta_refresh(body)
    response = _response("sina", body, _UndecodableResponse)
    assert ours.process_response(Request(URL), response) is response


def test_the_byte_test() -> None:
    assert may_meta_refresh(SYNTHETIC["refresh in head"])
    assert may_meta_refresh(SYNTHETIC["utf-16 without bom"])
    assert not may_meta_refresh(SYNTHETIC["no refresh"])
    assert not may_meta_refresh(SYNTHETIC["past 4096 characters"])  # its tag starts after byte 18,000
