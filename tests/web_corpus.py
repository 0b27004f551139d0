"""The corpus the web tests browse: the analysts' zh/en/de corpus (tests/test_analyst_corpus.py) plus a story
whose three languages share figures and a date (the evidence the story page marks), an article titled
`<script>…`, one whose raw capture is in a real WARC file and one whose WARC file is missing. Everything is
written through the real store (Store.store_articles, upsert_links, WarcWriter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from crawler.analyst.views import refresh_views
from crawler.archive.writer import WarcWriter
from crawler.items import Article, Segment
from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.models import Article as ArticleRow
from crawler.store.repository import LinkRecord, upsert_links
from tests.conftest import DatabaseServer
from tests.test_analyst_corpus import build_corpus

HOSTILE_TITLE = "<script>alert('owned')</script> & <b>bold</b>"
CAPTURED_HTML = (
    "<html><head><meta charset='utf-8'><title>央行报告</title><script>document.title='ran'</script></head>"
    "<body><h1>央行：一季度新增贷款1000亿元</h1><p>captured body</p></body></html>"
).encode()
T = datetime(2024, 3, 2, 1, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class WebCorpus:
    url: str
    ids: dict[str, int]
    warc_dir: Path


def _article(url: str, title: str, language: str, hours: float, text: str, **extra: object) -> Article:
    return Article(
        url=url, text=text, title=title, language=language, segments=[Segment(language, line) for line in
        text.split("\n")], published_at=T + timedelta(hours=hours), fetched_at=T + timedelta(hours=hours + 1),
        extractor_version="test", **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def web_articles(capture_ref: str) -> dict[str, Article]:
    return {
        "LZ": _article(
            "https://finance.sina.com.cn/money/2024-03-02/doc-inakwebz0001.shtml",
            "央行：一季度新增贷款1000亿元",
            "zh",
            0,
            "中国人民银行3月2日表示，一季度新增贷款1000亿元，同比增长12.5%。\n专家认为，货币政策将保持稳健。",
            capture_ref=capture_ref,
            profile="sina",
            encoding="utf-8",
        ),
        "LE": _article(
            "https://en.people.cn/n3/2024/0302/c90000-20000101.html",
            "New loans reach 100 billion yuan in first quarter",
            "en",
            6,
            "The People's Bank of China said on March 2 that new loans reached 100 billion yuan, up 12.5 percent.\n"
            "Experts expect monetary policy to stay prudent.",
        ),
        "LD": _article(
            "http://german.people.com.cn/n3/2024/0302/c209052-30000101.html",
            "Neue Kredite erreichen 100 Milliarden Yuan",
            "de",
            9,
            "Die Volksbank Chinas teilte am 2. März mit, die neuen Kredite hätten 100 Milliarden Yuan erreicht, "
            "ein Plus von 12,5 Prozent.\nExperten erwarten eine umsichtige Geldpolitik.",
        ),
        "XSS": _article(
            "https://qpute.com/2024/03/02/script-title/",
            HOSTILE_TITLE,
            "en",
            12,
            "A page whose title is markup: <img src=x onerror=alert(1)> must show as text.",
            original_title="<iframe src='javascript:alert(2)'>",
            authors=["<b>Mallory</b>"],
        ),
        "GONE": _article(
            "https://finance.sina.com.cn/money/2024-03-02/doc-inakwebz0002.shtml",
            "存档文件已删除",
            "zh",
            13,
            "这篇文章的存档文件已经不在了。",
            capture_ref="newscrawl-20240302-gone.warc.gz#0",
            profile="generic",  # read without Sina's profile: the sources page counts it
        ),
    }


def build_web_corpus(store: Store, warc_dir: Path) -> dict[str, int]:
    """The analysts' corpus plus the web articles; returns article key -> id."""
    ids = build_corpus(store)
    warc_dir.mkdir(parents=True, exist_ok=True)
    with WarcWriter(warc_dir) as writer:
        ref = writer.write_response(
            "https://finance.sina.com.cn/money/2024-03-02/doc-inakwebz0001.shtml",
            200,
            {"Content-Type": "text/html; charset=utf-8"},
            CAPTURED_HTML,
            fetched_at=T,
            role="article",
        )
    articles = web_articles(ref)
    store.store_articles(list(articles.values()))
    with store.sessions.begin() as session:
        by_url = {url: id_ for url, id_ in session.execute(select(ArticleRow.url, ArticleRow.id))}
        ids.update({key: by_url[a.url] for key, a in articles.items()})
        upsert_links(session, [
            LinkRecord(ids["LE"], "translates", "cross_lingual", 0.9, original_article_id=ids["LZ"],
                       details={"shared_anchors": ["n:1e11", "n:12.5%", "d:03-02"]}),
            LinkRecord(ids["LD"], "translates", "cross_lingual", 0.85, original_article_id=ids["LZ"],
                       details={"shared_anchors": ["n:1e11", "n:12.5%", "d:03-02"]}),
        ])  # fmt: skip
    refresh_views(store)  # the stories and daily counts are materialised: the linker's caller refreshes them
    return ids


def web_corpus(db_server: DatabaseServer, warc_dir: Path) -> WebCorpus:
    """A database of its own, migrated and filled once (for read-only test modules)."""
    url = db_server.create_database()
    migrate.upgrade(url)
    store = Store(url)
    try:
        ids = build_web_corpus(store, warc_dir)
    finally:
        store.dispose()
    return WebCorpus(url, ids, warc_dir)
