"""The source registry: publishers, syndicators and agencies we know, kept apart from parsing.

Each entry names an outlet once, with its domains, main language and every name it goes by
(Chinese and English names of one agency meet here), so extraction can map a named source to a
canonical name and the store can give every article a `sources` row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.urls import bare_host

SOURCE_KINDS: tuple[str, ...] = ("publisher", "syndicator", "aggregator", "agency")


@dataclass(frozen=True)
class SourceInfo:
    name: str
    kind: str
    domains: tuple[str, ...] = ()
    language: str | None = None
    country: str | None = None
    aliases: tuple[str, ...] = ()
    # hosts that mirror the first domain's paths (mobile sites)
    mobile_hosts: tuple[str, ...] = ()
    # a regex whose first group is the site's article id, the same in every URL form of one article
    # (Sina: desktop `…/doc-i<id>.shtml` and mobile `…/detail-i<id>.d.html`)
    article_id_pattern: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"source {self.name!r}: kind {self.kind!r} not in {SOURCE_KINDS}")


REGISTRY: tuple[SourceInfo, ...] = (
    SourceInfo(
        "Sina Finance", "publisher", ("finance.sina.com.cn", "finance.sina.cn"), "zh", "CN",
        mobile_hosts=("finance.sina.cn",), article_id_pattern=r"/(?:doc|detail)-(i[a-z0-9]{8,})\.",
        aliases=("新浪财经", "新浪财经APP", "新浪财经综合"),
    ),
    SourceInfo(
        "Sina News", "publisher", ("news.sina.com.cn", "sina.com.cn", "sina.cn"), "zh", "CN",
        mobile_hosts=("news.sina.cn",), article_id_pattern=r"/(?:doc|detail)-(i[a-z0-9]{8,})\.",
        aliases=("新浪新闻", "新浪网", "新浪", "新浪科技"),
    ),
    SourceInfo(
        "People's Daily", "publisher", ("people.com.cn",), "zh", "CN",
        aliases=("人民日报", "人民网", "People's Daily Online"),
    ),
    SourceInfo(
        "People's Daily English", "publisher", ("en.people.cn",), "en", "CN",
        aliases=("People's Daily Online English",),
    ),
    SourceInfo(
        "People's Daily German", "publisher", ("german.people.com.cn",), "de", "CN",
        aliases=("Volkszeitung", "German.people.cn"),
    ),
    SourceInfo("Qpute", "syndicator", ("qpute.com",), "en", None, aliases=("Qpute.com",)),
    SourceInfo(
        "China Daily", "publisher", ("chinadaily.com.cn",), "en", "CN",
        aliases=("中国日报", "中国日报网", "chinadaily.com.cn"),
    ),
    SourceInfo(
        "Xinhua", "agency", ("news.cn", "xinhuanet.com", "english.news.cn"), "zh", "CN",
        aliases=("新华社", "新华网", "Xinhua News Agency", "Xinhua", "Xinhuanet", "Nachrichtenagentur Xinhua"),
    ),
    SourceInfo(
        "China News Service", "agency", ("chinanews.com.cn", "chinanews.com", "ecns.cn"), "zh", "CN",
        aliases=("中新社", "中国新闻社", "中新网", "China News Service", "CNS", "ECNS"),
    ),
    SourceInfo(
        "Workers' Daily", "publisher", ("workercn.cn",), "zh", "CN",
        aliases=("工人日报", "中工网", "Workers' Daily", "Workers Daily"),
    ),
    SourceInfo(
        "Shanghai Observer", "publisher", ("shobserver.com",), "zh", "CN",
        aliases=("上观新闻", "上观", "解放日报", "Jiefang Daily"),
    ),
    SourceInfo("China.org.cn", "publisher", ("china.org.cn",), "en", "CN", aliases=("中国网",)),
)


@dataclass(frozen=True)
class Discovery:
    """Where a spider finds a source's articles: feeds (RSS/Atom), sitemaps (incl. indexes and news
    sitemaps), HTML listing pages, JSON listing APIs and WordPress REST endpoints; which URLs are
    articles (`article_patterns`, regexes on the full URL); and which spider crawls it.

    `listings` may contain `{page}`: the spider follows pages 1, 2, … until the listed articles are older
    than the crawl window or `max_pages` is reached.
    """

    spider: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    json_listings: tuple[str, ...] = ()
    wp_api: tuple[str, ...] = ()
    article_patterns: tuple[str, ...] = ()
    max_pages: int = 20
    edition: str | None = None


def _norm_name(name: str) -> str:
    return re.sub(r"[\s'’`.\-_]+", "", name).casefold()


_BY_NAME: dict[str, SourceInfo] = {}
for _source in REGISTRY:
    for _alias in (_source.name, *_source.aliases):
        _BY_NAME.setdefault(_norm_name(_alias), _source)


def host_of(url: str) -> str:
    """The lower-cased host of a URL without a leading `www.` or mobile prefix."""
    return bare_host(url)


def source_for_url(url: str) -> SourceInfo | None:
    """The registry entry whose domain is the URL's host or a parent of it (longest match wins)."""
    host = host_of(url)
    best: tuple[int, SourceInfo] | None = None
    for source in REGISTRY:
        for domain in source.domains:
            if (host == domain or host.endswith("." + domain)) and (best is None or len(domain) > best[0]):
                best = (len(domain), source)
    return best[1] if best else None


def source_by_name(name: str) -> SourceInfo | None:
    """The registry entry known by this name or alias, in any of its languages."""
    return _BY_NAME.get(_norm_name(name))


def canonical_source_name(name: str) -> str | None:
    """Canonical name for a named source ("新华社" -> "Xinhua"), or None if unknown."""
    source = source_by_name(name)
    return source.name if source else None


# Crawl configuration per source: a new outlet is an entry here (spider "feeds" needs no code).
_SINA_ARTICLE = r"^https?://[a-z0-9.]+\.sina\.(?:com\.)?cn/(?:[\w-]+/)*\d{4}-\d{2}-\d{2}/(?:doc|detail)-i[a-z0-9]+(?:\.d)?\.s?html"
_PEOPLE_ARTICLE = r"^https?://[a-z0-9.]*people\.(?:com\.)?cn/n[13]/\d{4}/\d{4}/c\d+-\d+\.html"
_WORDPRESS_ARTICLE = r"^https?://[^/]+/\d{4}/\d{2}/\d{2}/[^/?#]+/?$"

DISCOVERY: dict[str, Discovery] = {
    "Sina Finance": Discovery(
        spider="sina_finance",
        json_listings=(
            "https://feed.mix.sina.com.cn/api/roll/get?pageid=153&lid=2516&k=&num=50&page={page}",
            "https://feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686&k=&num=50&page={page}",
        ),
        listings=("https://finance.sina.com.cn/roll/index.d.html?cid=56588&page={page}",),
        article_patterns=(_SINA_ARTICLE,),
    ),
    "People's Daily": Discovery(
        spider="people_daily",
        edition="zh",
        feeds=(
            "http://www.people.com.cn/rss/politics.xml",
            "http://www.people.com.cn/rss/finance.xml",
            "http://www.people.com.cn/rss/world.xml",
        ),
        listings=("http://finance.people.com.cn/index{page}.html", "http://politics.people.com.cn/GB/1024/index{page}.html"),
        article_patterns=(_PEOPLE_ARTICLE,),
    ),
    "People's Daily English": Discovery(
        spider="people_daily",
        edition="en",
        feeds=("http://en.people.cn/rss/90000.xml", "http://en.people.cn/rss/business.xml"),
        listings=("http://en.people.cn/90778/index{page}.html",),
        article_patterns=(_PEOPLE_ARTICLE,),
    ),
    "People's Daily German": Discovery(
        spider="people_daily",
        edition="de",
        listings=("http://german.people.com.cn/209052/index{page}.html", "http://german.people.com.cn/index.html"),
        article_patterns=(_PEOPLE_ARTICLE,),
    ),
    "Qpute": Discovery(
        spider="syndicated",
        feeds=("https://qpute.com/feed/",),
        sitemaps=("https://qpute.com/wp-sitemap.xml",),
        wp_api=("https://qpute.com/wp-json/wp/v2/posts",),
        article_patterns=(_WORDPRESS_ARTICLE,),
    ),
    "China Daily": Discovery(
        spider="feeds",
        feeds=("http://www.chinadaily.com.cn/rss/china_rss.xml", "http://www.chinadaily.com.cn/rss/bizchina_rss.xml"),
        article_patterns=(r"^https?://[a-z0-9.]*chinadaily\.com\.cn/a/\d{6}/\d{2}/WS[0-9a-f]+\.html",),
    ),
    "Xinhua": Discovery(
        spider="feeds",
        listings=("https://english.news.cn/china/index.htm", "https://english.news.cn/business/index.htm"),
        article_patterns=(r"^https?://english\.news\.cn/\d{8}/[0-9a-f]{32}/c\.html",),
    ),
}


def discovery_for_spider(spider: str, edition: str | None = None) -> list[tuple[SourceInfo, Discovery]]:
    """The sources a spider crawls (optionally one edition), with their discovery configuration."""
    by_name = {source.name: source for source in REGISTRY}
    return [
        (by_name[name], disc)
        for name, disc in DISCOVERY.items()
        if disc.spider == spider and (edition is None or disc.edition == edition)
    ]
