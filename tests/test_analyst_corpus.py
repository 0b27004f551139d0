"""A small, realistic zh/en/de corpus for the analyst tests, written through the real store code.

One Sina Finance story on AI computing power is translated by People's Daily English, China Daily and
China.org.cn (8 h, 18 h and 50 h later) and reposted by Qpute; People's Daily German translates a People's
Daily story and an English one; several articles name Xinhua in different ways; two crawl runs failed on
some URLs this week. `build_corpus(store)` fills an emptied database and returns the article ids by key.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from crawler.analyst.views import refresh_views
from crawler.items import Article, Attribution, Segment
from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.models import Article as ArticleRow
from crawler.store.models import CrawlRun, FetchFailure, Source
from crawler.store.repository import LinkRecord, upsert_links
from tests.conftest import DatabaseServer

pytestmark = pytest.mark.db

UTC = timezone.utc
PBC_URL = "http://www.pbc.gov.cn/goutongjiaoliu/113456/113469/5270000/index.html"


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC)


def _article(
    url: str, title: str, language: str, published_at: datetime, *segments: Segment, **extra: object
) -> Article:
    segs = list(segments)
    return Article(
        url=url,
        text="\n\n".join(s.text for s in segs),
        title=title,
        language=language,
        segments=segs,
        published_at=published_at,
        fetched_at=published_at + timedelta(hours=1),
        extractor_version="test",
        **extra,  # type: ignore[arg-type]
    )


def corpus_articles() -> dict[str, Article]:
    """The articles by a short key (S = Sina, P = People's Daily, E/C/O = English outlets, Q = Qpute, G = German)."""
    zh, en, de = "zh", "en", "de"
    return {
        "S1": _article(
            "https://finance.sina.com.cn/tech/2024-03-01/doc-inakaaaa0001.shtml",
            "国家发改委：加快人工智能算力基础设施建设",
            zh,
            _at(1, 2),
            Segment(
                zh,
                "新华社北京3月1日电 国家发展改革委表示，将加快建设全国一体化算力网络，推动人工智能算力基础设施建设。",
            ),
            Segment(zh, "专家认为，智能算力需求快速增长，数据中心建设将提速。"),
            attributions=[Attribution("attribution_text", source_name="Xinhua", snippet="新华社北京3月1日电")],
        ),
        "S2": _article(
            "https://finance.sina.com.cn/money/2024-03-02/doc-inakaaaa0002.shtml",
            "央行：保持流动性合理充裕",
            zh,
            _at(2, 1),
            Segment(zh, "中国人民银行表示，将保持流动性合理充裕，人工智能等科技产业贷款增长较快。"),
        ),
        "S3": _article(
            "https://finance.sina.com.cn/money/2024-03-02/doc-inakaaaa0003.shtml",
            "央行开展逆回购操作",
            zh,
            _at(2, 3),
            Segment(zh, "中国人民银行今日开展1000亿元7天期逆回购操作，中标利率为1.8%。"),
        ),
        "P1": _article(
            "http://finance.people.com.cn/n1/2024/0301/c1004-40000001.html",
            "贵州：建设国家级大数据中心集群",
            zh,
            _at(1, 0, 30),
            Segment(zh, "贵州省加快建设国家级数据中心集群，新建大型算力中心，服务东部地区。"),
        ),
        "E1": _article(
            "https://en.people.cn/n3/2024/0301/c90000-20000001.html",
            "China to speed up AI computing infrastructure",
            en,
            _at(1, 10),
            Segment(
                en,
                "China will accelerate the construction of computing power infrastructure for artificial "
                "intelligence, the National Development and Reform Commission said, according to Xinhua.",
            ),
        ),
        "C1": _article(
            "https://www.chinadaily.com.cn/a/202403/01/WS65e1a0001.html",
            "Semiconductor and computing power push to boost AI",
            en,
            _at(1, 20),
            Segment(en, "A national computing network will link data centres. Semiconductor makers expect demand."),
            attributions=[Attribution("attribution_text", source_name="Xinhua News Agency", snippet="(Xinhua)")],
        ),
        "O1": _article(
            "http://www.china.org.cn/business/2024-03/03/content_116000001.htm",
            "Computing network plan unveiled",
            en,
            _at(3, 4),
            Segment(en, "The plan for a national computing network mentions semiconductors once."),
        ),
        "Q1": _article(
            "https://qpute.com/2024/03/01/china-to-speed-up-ai-computing-infrastructure/",
            "China to speed up AI computing infrastructure",
            en,
            _at(1, 13),
            Segment(en, "China will accelerate the construction of computing power infrastructure. Source link"),
        ),
        "Q2": _article(
            "https://qpute.com/2024/03/02/computing-power-push-to-boost-ai/",
            "Computing power push to boost AI",
            en,
            _at(2, 0),
            Segment(en, "A national computing network will link data centres. Source link"),
        ),
        "G1": _article(
            "http://german.people.com.cn/n3/2024/0302/c209052-30000001.html",
            "Neues Rechenzentrum in Guizhou",
            de,
            _at(2, 8),
            Segment(de, "In Guizhou entsteht ein neues Rechenzentrum für künstliche Intelligenz."),
        ),
        "G2": _article(
            "http://german.people.com.cn/n3/2024/0302/c209052-30000002.html",
            "Ausbau der Rechenleistung",
            de,
            _at(2, 12),
            Segment(de, "Die Betreiber des Rechenzentrums melden Wachstum, berichtete die Nachrichtenagentur Xinhua."),
        ),
        "G3": _article(
            "http://german.people.com.cn/n3/2024/0303/c209052-30000003.html",
            "Neue Rechenzentren im Westen Chinas",
            de,
            _at(3, 10),
            Segment(de, "Mehrere Rechenzentren sollen bis 2025 in Betrieb gehen."),
        ),
        "B1": _article(
            "https://en.people.cn/n3/2024/0303/c90000-20000002.html",
            "China's economy is stable",
            en,
            _at(3, 6),
            Segment(zh, "中国经济稳中向好，消费持续恢复。"),
            Segment(en, "China's economy is stable and improving, and consumption keeps recovering."),
        ),
    }


def corpus_links(ids: dict[str, int], xinhua_id: int) -> list[LinkRecord]:
    """Copy -> original links as the linker would write them."""
    return [
        LinkRecord(ids["E1"], "translates", "cross_lingual", 0.86, original_article_id=ids["S1"]),
        LinkRecord(ids["C1"], "translates", "cross_lingual", 0.8, original_article_id=ids["S1"]),
        LinkRecord(ids["O1"], "translates", "cross_lingual", 0.75, original_article_id=ids["S1"]),
        LinkRecord(ids["Q1"], "republishes", "source_link", 1.0, original_article_id=ids["E1"]),
        LinkRecord(ids["Q2"], "republishes", "source_link", 1.0, original_article_id=ids["C1"]),
        LinkRecord(ids["G1"], "translates", "cross_lingual", 0.8, original_article_id=ids["P1"]),
        LinkRecord(ids["G3"], "translates", "cross_lingual", 0.7, original_article_id=ids["E1"]),
        LinkRecord(ids["S1"], "cites", "attribution_text", 0.9, original_source_id=xinhua_id),
        LinkRecord(ids["C1"], "cites", "attribution_text", 0.9, original_source_id=xinhua_id),
        LinkRecord(ids["S2"], "republishes", "source_link", 0.95, original_url=PBC_URL),
        LinkRecord(ids["S3"], "republishes", "source_link", 0.95, original_url=PBC_URL),
    ]


def _crawl_history(store: Store) -> None:
    """Runs and failures relative to now: Sina healthy, People's Daily stalled, an old failure last month."""
    now = datetime.now(UTC)
    with store.sessions.begin() as session:
        day = timedelta(days=1)
        runs = [
            CrawlRun(spider="sina", started_at=now - 2 * day, finished_at=now - 2 * day + timedelta(minutes=10),
                     status="finished", stats={"pages": 120}),
            CrawlRun(spider="sina", started_at=now - day, finished_at=now - day + timedelta(minutes=12),
                     status="finished", stats={"pages": 130}),
            CrawlRun(spider="people", started_at=now - 20 * day, finished_at=now - 20 * day, status="failed",
                     error="database unreachable"),
            CrawlRun(spider="people", started_at=now - timedelta(hours=10), status="running"),
        ]  # fmt: skip
        session.add_all(runs)
        session.flush()
        sina, old_people, people = runs[1].id, runs[2].id, runs[3].id
        failures = [
            ("https://finance.sina.com.cn/a/404-1.shtml", "sina", "http", 404, 1, False, sina, now - timedelta(days=1)),
            ("https://finance.sina.com.cn/a/404-2.shtml", "sina", "http", 404, 5, True, sina, now - timedelta(days=1)),
            (
                "https://finance.sina.com.cn/a/slow.shtml",
                "sina",
                "timeout",
                None,
                2,
                False,
                sina,
                now - timedelta(days=1),
            ),
            ("http://german.people.com.cn/x.html", "people", "dns", None, 1, False, people, now - timedelta(hours=9)),
            (
                "http://en.people.cn/old.html",
                "people",
                "connection",
                None,
                3,
                False,
                old_people,
                now - timedelta(days=20),
            ),
        ]
        session.add_all(
            FetchFailure(
                url=u, spider=sp, kind=k, http_status=st, attempts=n, gave_up=g, last_run_id=r, last_failed_at=t
            )
            for u, sp, k, st, n, g, r, t in failures
        )


def build_corpus(store: Store) -> dict[str, int]:
    """Store the corpus with Store.store_articles and upsert_links, then refresh the materialised views as the
    commands do; returns article key -> id."""
    articles = corpus_articles()
    store.seed_sources()
    store.store_articles(list(articles.values()))
    with store.sessions.begin() as session:
        by_title_source = {
            (title, lang, url): id_
            for id_, title, lang, url in session.execute(
                select(ArticleRow.id, ArticleRow.title, ArticleRow.language, ArticleRow.fetched_url)
            )
        }
        ids = {key: by_title_source[(a.title, a.language, a.url)] for key, a in articles.items()}
        xinhua_id = session.execute(select(Source.id).where(Source.name == "Xinhua")).scalar_one()
        upsert_links(session, corpus_links(ids, xinhua_id))
    _crawl_history(store)
    refresh_views(store)
    return ids


def test_corpus_is_stored_with_links_and_search_vectors(store: Store) -> None:
    ids = build_corpus(store)
    assert len(ids) == len(corpus_articles()) == 13
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM syndication_links")).scalar() == 11
        unsearchable = "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_search s WHERE " \
            "s.article_id = a.id AND s.sort_date = coalesce(a.published_at, a.fetched_at))"
        assert conn.execute(text(unsearchable)).scalar() == 0
        sources = dict(
            conn.execute(text("SELECT a.id, s.name FROM articles a JOIN sources s ON s.id = a.source_id")).all()
        )
    assert sources[ids["G1"]] == "People's Daily German"
    assert sources[ids["Q1"]] == "Qpute"
    assert sources[ids["O1"]] == "China.org.cn"


def corpus_database(db_server: DatabaseServer) -> tuple[str, dict[str, int]]:
    """A database of its own, migrated and filled with the corpus once (for read-only test modules)."""
    url = db_server.create_database()
    migrate.upgrade(url)
    store = Store(url)
    try:
        ids = build_corpus(store)
    finally:
        store.dispose()
    return url, ids
