"""A hostile news site for the crawler, served by tests.localsite on 127.0.0.1 (issue 12).

`hostile_site(site)` adds a feed (`FEED`) listing valid control articles beside hostile entries: wrong and
conflicting charsets, a page over DOWNLOAD_MAXSIZE, a gzip bomb, a slow answer, truncated and reset bodies, a
redirect loop, redirects and a meta refresh to internal addresses, a PDF and a PNG sent as text/html, NUL
bytes and lone surrogates, SQL metacharacters, a 10 KB title, 10 KB URLs (the page's own and its canonical),
script injection, HTTP errors with and without Retry-After, a 304 nobody asked for and an empty page. Each
`Case` says what must become of it: stored, recorded in fetch_failures with a kind, or set aside by the store.

Crawl it with the generic spider: `newscrawl crawl feeds -a feed=<FEED>` (every feed entry is an article)
through HOST_MAP_TARGET, with ALLOWED_ADDRESSES=127.0.0.1. Used by tests/hostile/test_hostile_crawl.py and
benchmarks/faults.py. Every body is generated here; nothing is read from outside the repository.
"""

from __future__ import annotations

import gzip
import json
import random
import string
from dataclasses import dataclass, field
from pathlib import Path

from tests.localsite import LocalSite, Page

HOST = "news.hostile.test"
FEED = f"https://{HOST}/feed.xml"
STORED = "stored"
SET_ASIDE = "set aside"  # refused by the database, kept in a .jsonl.rejected spool file with the reason
URL_TOO_LONG = "url_too_long"  # not fetched: logged and counted (errors/discovery/url_too_long); the URL would not
# fit the fetch_failures index either
VALID_ARTICLES = 20


@dataclass
class Case:
    name: str
    expect: str  # STORED, SET_ASIDE, or the fetch_failures kind
    page: Page
    url: str = ""
    extra: dict[str, Page] = field(default_factory=dict)  # other URLs the case needs (redirect targets)
    what: str = ""

    def __post_init__(self) -> None:
        self.url = self.url or f"https://{HOST}/news/{self.name}.html"


def _paragraphs(seed: int, count: int = 8) -> list[str]:
    rng = random.Random(seed)
    places = ["海淀区", "浦东新区", "深圳湾", "雄安新区", "滨海新区", "成都高新区"]
    things = ["数字新基建", "算力中心", "新能源汽车", "集成电路", "生物医药", "智能制造"]
    return [
        f"{rng.choice(places)}第{seed}号报道第{i}段：{rng.choice(things)}项目稳步推进，今年计划完成投资"
        f"{rng.randint(10, 900)}亿元，带动上下游{rng.randint(20, 300)}家企业发展，预计新增就业岗位"
        f"{rng.randint(1000, 9000)}个。"
        for i in range(count)
    ]


def article_html(
    seed: int,
    title: str | None = None,
    head_extra: str = "",
    body_extra: str = "",
    charset: str = "utf-8",
    paragraphs: list[str] | None = None,
) -> str:
    title = title if title is not None else f"第{seed}号：数字经济项目建设提速"
    body = "".join(f"<p>{p}</p>" for p in (paragraphs if paragraphs is not None else _paragraphs(seed)))
    return (
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="{charset}"><title>{title}</title>{head_extra}</head>'
        f"<body><header><nav><a href='/'>首页</a></nav></header><article><h1>{title}</h1>{body}{body_extra}"
        "</article><footer>版权所有</footer></body></html>"
    )


def _noise(length: int, seed: int) -> str:
    return "".join(random.Random(seed).choices(string.ascii_letters + string.digits, k=length))


def hostile_cases() -> list[Case]:
    article = article_html(900).encode()
    gbk_page = article_html(901, charset="utf-8").encode("gbk")  # the meta says UTF-8, the header says GBK
    json_ld = json.dumps({"@type": "NewsArticle", "author": [{"name": "Eve \ud800"}, {"name": "Bob\u0000"}]})
    cases = [
        Case("gbkheader", STORED, Page(gbk_page, content_type="text/html; charset=GBK"), what="GBK, meta says UTF-8"),
        Case(
            "utf8bom",
            STORED,
            Page(b"\xef\xbb\xbf" + article_html(902).encode(), content_type="text/html; charset=gb2312"),
            what="UTF-8 BOM, header says GB2312",
        ),
        Case(
            "utf16bom",
            STORED,
            Page(article_html(903).encode("utf-16"), content_type="text/html"),
            what="UTF-16 with a BOM",
        ),
        Case("huge", "too_large", Page(b"<html>" + b"x" * 20_000_000), what="20 MB page (over DOWNLOAD_MAXSIZE)"),
        Case(
            "gzipbomb",
            "too_large",
            Page(gzip.compress(b"\0" * 64_000_000), extra_headers={"Content-Encoding": "gzip"}),
            what="gzip bomb: 62 KB inflating to 64 MB",
        ),
        Case("slow", "timeout", Page(article, delay=6), what="answers after the download timeout"),
        Case("truncated", "connection", Page(article, truncate_at=500), what="body cut off after 500 bytes"),
        Case("reset", "connection", Page(b"", reset=True), what="connection reset"),
        Case("loop", "redirect_loop", Page(redirect_to=f"https://{HOST}/news/loop.html"), what="redirects to itself"),
        Case(
            "metadata",
            "blocked",
            Page(redirect_to="http://169.254.169.254/latest/meta-data/"),
            extra={"http://169.254.169.254/latest/meta-data/": Page(article)},
            what="redirect to the cloud metadata address",
        ),
        Case(
            "private",
            "blocked",
            Page(redirect_to="http://10.0.0.5/internal.html"),
            extra={"http://10.0.0.5/internal.html": Page(article)},
            what="redirect to 10.0.0.5",
        ),
        Case(
            "loopback",
            "blocked",
            Page(redirect_to="http://127.0.0.2/admin.html"),
            extra={"http://127.0.0.2/admin.html": Page(article)},
            what="redirect to 127.0.0.2",
        ),
        Case(
            "refresh",
            "blocked",
            Page(b'<html><head><meta http-equiv="refresh" content="0; url=http://10.0.0.6/"></head></html>'),
            extra={"http://10.0.0.6/": Page(article)},
            what="meta refresh to 10.0.0.6",
        ),
        Case(
            "pdf",
            "rejected",
            Page(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 40),
            what="PDF as text/html",
        ),
        Case("png", "rejected", Page(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40), what="PNG as text/html"),
        Case(
            "nulsurrogate",
            STORED,
            Page(
                article_html(
                    904,
                    title="标题\x00含有空字符",
                    head_extra=f'<script type="application/ld+json">{json_ld}</script>',
                ).encode()
            ),
            what="NUL in the title, lone surrogate and NUL in JSON-LD authors",
        ),
        Case(
            "sqlmeta",
            STORED,
            Page(article_html(905, title="Robert'); DROP TABLE articles;-- 与 %s %(x)s \\ $1").encode()),
            what="SQL metacharacters in the title",
        ),
        Case("longtitle", STORED, Page(article_html(906, title="长" * 10_000).encode()), what="10 KB title"),
        Case(
            "longcanonical",
            SET_ASIDE,
            Page(
                article_html(
                    907, head_extra=f'<link rel="canonical" href="https://{HOST}/news/{_noise(10_000, 7)}.html">'
                ).encode()
            ),
            what="same-site canonical URL of 10 KB (over the index limit)",
        ),
        Case(
            "longurl",
            URL_TOO_LONG,
            Page(article_html(908).encode()),
            url=f"https://{HOST}/news/longurl-{_noise(10_000, 8)}.html",
            what="a 10 KB URL (over URLLENGTH_LIMIT)",
        ),
        Case(
            "script",
            STORED,
            Page(
                article_html(
                    909,
                    title="<script>alert(1)</script>新闻",
                    body_extra="<script>document.write('injected')</script><p onclick=\"alert(2)\">结尾段落。</p>",
                ).encode()
            ),
            what="script injection in title and body",
        ),
        Case("missing", "http", Page(b"gone", status=404), what="404"),
        Case(
            "busy",
            STORED,
            Page(b"busy", status=503, extra_headers={"Retry-After": "1"}, then=Page(article_html(910).encode())),
            what="503 with Retry-After: 1, then the page",
        ),
        Case(
            "away",
            "http",
            Page(b"later", status=429, extra_headers={"Retry-After": "3600"}),
            what="429 with Retry-After: 3600",
        ),
        Case("unasked304", "http", Page(b"", status=304), what="304 to a request without validators"),
        Case("empty", "rejected", Page(b"<html><body><nav>menu</nav></body></html>"), what="no article text"),
    ]
    return cases


def valid_cases(count: int = VALID_ARTICLES) -> list[Case]:
    return [Case(f"valid{i:02d}", STORED, Page(article_html(i).encode()), what="control article") for i in range(count)]


def rss(urls: list[str]) -> bytes:
    entries = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in urls)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{entries}</channel></rss>'.encode()


def hostile_site(site: LocalSite, valid: int = VALID_ARTICLES) -> list[Case]:
    """Serve the feed, the control articles and every hostile case on `site`; returns all cases."""
    cases = valid_cases(valid) + hostile_cases()
    for case in cases:
        site.add(case.url, case.page)
        for url, page in case.extra.items():
            site.add(url, page)
    site.add(FEED, rss([c.url.replace("&", "&amp;") for c in cases]), content_type="application/rss+xml")
    site.add(f"https://{HOST}/robots.txt", b"User-agent: *\nAllow: /\n", content_type="text/plain")
    return cases


CRAWL_SETTINGS = {
    "RETRY_TIMES": "1",  # the 503 with Retry-After is retried once
    "DOWNLOAD_TIMEOUT": "3",
}


def outcomes(database_url: str, spool_dir: Path, cases: list[Case]) -> dict[str, str]:
    """What became of each case after a crawl: STORED, SET_ASIDE, a fetch_failures kind, or 'lost'."""
    from sqlalchemy import select

    from crawler.store.database import Store
    from crawler.store.models import Article, CrawlRun, FetchFailure
    from crawler.urls import clean_url

    store = Store(database_url)
    try:
        with store.sessions() as session:
            stored = {clean_url(u) for u in session.scalars(select(Article.fetched_url))}
            failed = dict(session.execute(select(FetchFailure.url, FetchFailure.kind)).all())
            errors = session.scalar(select(CrawlRun.stats["errors"]).order_by(CrawlRun.id.desc()).limit(1)) or {}
    finally:
        store.dispose()
    too_long = int(errors.get("discovery/url_too_long", 0))  # counted, not listed: as many cases as the count
    set_aside = set()
    for path in spool_dir.glob("*.rejected"):
        for line in path.read_text(encoding="utf-8").splitlines():
            set_aside.add(clean_url(json.loads(line)["data"]["url"]))
    result = {}
    for case in cases:
        key = clean_url(case.url)
        if key in stored:
            result[case.name] = STORED
        elif key in set_aside:
            result[case.name] = SET_ASIDE
        elif case.expect == URL_TOO_LONG and too_long > 0:
            result[case.name] = URL_TOO_LONG
            too_long -= 1
        else:
            result[case.name] = failed.get(key, "lost")
    return result
