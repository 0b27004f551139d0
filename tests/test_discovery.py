"""Discovery parsers on real and recorded bytes: feeds (incl. GB2312), sitemaps, listings, APIs, URL dates."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.sources import DISCOVERY
from crawler.spiders.discovery import (
    DiscoveryError,
    Listed,
    date_from_url,
    extract_links,
    matching,
    parse_date,
    parse_feed,
    parse_sitemap,
)
from crawler.spiders.failures import classify
from crawler.spiders.sina import parse_roll_json
from crawler.spiders.syndicated import parse_wp_posts

FEEDS = Path(__file__).parent / "fixtures" / "pages" / "feeds_gb2312"


def test_real_gb2312_feeds_are_read_with_their_declared_encoding() -> None:
    entries = parse_feed((FEEDS / "chardet_coverer.com.xml").read_bytes(), "http://www.coverer.com/index.xml")
    assert len(entries) == 15
    assert entries[0].url == "http://www.coverer.com/archives/000839.shtml"
    cnblog = parse_feed((FEEDS / "chardet_cnblog.org.xml").read_bytes(), "http://www.cnblog.org/blog/cache/cnblog.xml")
    assert len(cnblog) == 16 and all(e.url.startswith("http://www.cnblog.org/") for e in cnblog)


def test_a_gb2312_declaration_over_gb18030_bytes_is_read_as_the_superset() -> None:
    title = "人民网财经 𠮷"  # 𠮷 exists only in GB18030's four-byte range
    body = (
        '<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel>'
        f"<item><title>{title}</title><link>http://finance.people.com.cn/n1/2024/0510/c1004-1.html</link></item>"
        "</channel></rss>"
    ).encode("gb18030")
    [entry] = parse_feed(body, "http://www.people.com.cn/rss/finance.xml")
    assert entry.url.endswith("c1004-1.html")


def test_atom_and_rss_dates_and_relative_links() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
      <entry><link rel="alternate" href="/2024/03/21/a/"/><published>2024-03-21T08:00:00+08:00</published></entry>
      <entry><link rel="self" href="/ignored"/><link href="https://x.org/2024/03/22/b/"/><updated>2024-03-22T00:00:00Z</updated></entry>
    </feed>"""
    entries = parse_feed(atom, "https://x.org/feed/")
    assert [e.url for e in entries] == ["https://x.org/2024/03/21/a/", "https://x.org/2024/03/22/b/"]
    assert entries[0].published == datetime(2024, 3, 21, 0, 0, tzinfo=timezone.utc)
    rss = b"""<rss><channel><item><guid isPermaLink="true">https://x.org/p/1</guid>
      <pubDate>Tue, 24 Aug 2021 12:02:59 GMT</pubDate></item></channel></rss>"""
    [item] = parse_feed(rss, "https://x.org/")
    assert item.url == "https://x.org/p/1" and item.published == datetime(2021, 8, 24, 12, 2, 59, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"<html><body>not a feed</body></html>", "not rss"),
        (b"<rss><channel><item>", "not well-formed"),
        (b"\x00\x01binary", "not well-formed"),
    ],
)
def test_bad_feeds_raise_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(DiscoveryError, match=reason.split()[0]):
        parse_feed(body, "https://x.org/feed/")


def test_sitemap_index_and_news_sitemap() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://qpute.com/wp-sitemap-posts-post-1.xml</loc><lastmod>2021-08-25</lastmod></sitemap>
    </sitemapindex>"""
    pages, children = parse_sitemap(index)
    assert pages == [] and [c.url for c in children] == ["https://qpute.com/wp-sitemap-posts-post-1.xml"]
    news = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://www.chinadaily.com.cn/a/202405/13/WS1.html</loc>
        <news:news><news:publication_date>2024-05-13T10:00:00+08:00</news:publication_date></news:news></url>
    </urlset>"""
    [page], _ = parse_sitemap(news)
    assert page.published == datetime(2024, 5, 13, 2, 0, tzinfo=timezone.utc)
    with pytest.raises(DiscoveryError, match="urlset or sitemapindex"):
        parse_sitemap(b"<rss/>")


def test_listing_links_follow_the_registry_patterns() -> None:
    html = """<html><body>
      <a href="/n1/2024/0510/c1004-40232587.html">财经</a>
      <a href="http://finance.people.com.cn/n1/2024/0510/c1004-40232587.html#comments">same, with fragment</a>
      <a href="http://finance.people.com.cn/GB/index.html">section</a>
      <a href="javascript:void(0)">x</a>
    </body></html>"""
    links = extract_links(
        html, "http://finance.people.com.cn/index1.html", DISCOVERY["People's Daily"].article_patterns
    )
    assert links == ["http://finance.people.com.cn/n1/2024/0510/c1004-40232587.html"]
    assert extract_links(b"", "http://x/", [".*"]) == []


def test_registry_article_patterns_accept_real_urls_and_refuse_sections() -> None:
    sina = DISCOVERY["Sina Finance"].article_patterns
    urls = [
        "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
        "https://finance.sina.cn/sa/2005-08-26/detail-ikknscsi2623250.d.html?from=wap",
        "https://finance.sina.com.cn/roll/index.d.html?cid=56588&page=1",
    ]
    assert [e.url for e in matching([Listed(u) for u in urls], sina)] == urls[:2]


def test_dates_in_urls_and_date_strings() -> None:
    assert date_from_url("https://finance.sina.com.cn/roll/2018-12-28/doc-i1.shtml") == datetime(
        2018, 12, 28, tzinfo=timezone.utc
    )
    assert date_from_url("http://en.people.cn/n3/2022/1123/c90000-10175286.html").month == 11
    assert date_from_url("https://english.news.cn/20230115/98a3/c.html").day == 15
    assert date_from_url("https://x.org/about/") is None
    assert parse_date("1629777779") == datetime(2021, 8, 24, 4, 2, 59, tzinfo=timezone.utc)
    assert parse_date("not a date at all, no") is None


def test_sina_roll_api_and_wordpress_api_answers() -> None:
    roll = {
        "result": {"data": [{"url": "https://finance.sina.com.cn/a/2021-08-24/doc-i1.shtml", "ctime": "1629777779"}]}
    }
    [entry] = parse_roll_json(json.dumps(roll).encode())
    assert entry.published == datetime(2021, 8, 24, 4, 2, 59, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="not a Sina roll API answer"):
        parse_roll_json(b"<html>")
    [post] = parse_wp_posts(b'[{"link": "https://qpute.com/2021/08/25/x/", "date_gmt": "2021-08-25T03:14:07"}]')
    assert post.published == datetime(2021, 8, 25, 3, 14, 7, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="not a list"):
        parse_wp_posts(b'{"code": "rest_no_route"}')


def test_failure_classification() -> None:
    from scrapy.exceptions import IgnoreRequest
    from twisted.internet.error import DNSLookupError, TimeoutError

    assert classify(TimeoutError())[0] == "timeout"
    assert classify(DNSLookupError())[0] == "dns"
    assert classify(IgnoreRequest("max redirections reached"))[0] == "redirect_loop"
    assert classify(RuntimeError("?"))[0] == "other"
