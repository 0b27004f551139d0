"""Every analyst question in schema/queries/ runs on the test corpus and gives the answer we know is right."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text

from crawler.analyst.views import SCHEMA_DIR
from crawler.store.engine import make_engine
from tests.conftest import DatabaseServer
from tests.test_analyst_corpus import PBC_URL, corpus_articles, corpus_database

pytestmark = pytest.mark.db
QUERIES = SCHEMA_DIR / "queries"
Rows = list[dict[str, Any]]


@pytest.fixture(scope="module")
def conn(db_server: DatabaseServer) -> Iterator[Connection]:
    url, _ = corpus_database(db_server)
    engine = make_engine(url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def run(conn: Connection, name: str) -> Rows:
    sql = (QUERIES / name).read_text(encoding="utf-8")
    return [dict(row) for row in conn.execute(text(sql)).mappings()]


def check_01(rows: Rows) -> None:
    assert [(r["copy_source"], r["stories"], r["avg_lag_hours"]) for r in rows] == [
        ("People's Daily English", 1, Decimal("8.0")),
        ("China Daily", 1, Decimal("18.0")),
    ]  # China.org.cn took 50 hours


def check_02(rows: Rows) -> None:
    assert rows == [{"german_articles": 3, "translations_of_chinese": 1, "percent": Decimal("33.3")}]


def check_03(rows: Rows) -> None:
    assert [(r["source"], r["outlets"], r["copies"], r["stories"]) for r in rows] == [
        ("Sina Finance", 3, 3, 1),
        ("People's Daily English", 2, 2, 1),
        ("China Daily", 1, 1, 1),
        ("People's Daily", 1, 1, 1),
    ]


def check_04(rows: Rows) -> None:
    expected: Counter[tuple[date, str]] = Counter()
    for article in corpus_articles().values():
        assert article.published_at is not None
        expected[(article.published_at.date(), article.language or "und")] += 1
    assert {(r["day"], r["language"]): r["articles"] for r in rows} == dict(expected)
    assert sum(r["articles"] for r in rows) == 13


def check_05(rows: Rows) -> None:
    titles = {r["title"]: r["named_as"] for r in rows}
    assert titles == {
        "国家发改委：加快人工智能算力基础设施建设": "新华社",  # link, attribution and text
        "China to speed up AI computing infrastructure": "Xinhua",  # "according to Xinhua"
        "Semiconductor and computing power push to boost AI": "Xinhua News Agency",  # attribution
        "Ausbau der Rechenleistung": "Nachrichtenagentur Xinhua",  # text
    }


def check_06(rows: Rows) -> None:
    assert [(r["spider"], r["kind"], r["urls"], r["given_up"]) for r in rows] == [
        ("people", "dns", 1, 0),
        ("sina", "http", 2, 1),
        ("sina", "timeout", 1, 0),
    ]  # the connection failure of 20 days ago is not this week's


def check_07(rows: Rows) -> None:
    by_spider = {r["spider"]: r for r in rows}
    assert set(by_spider) == {"people", "sina"}
    assert by_spider["people"]["status"] == "running" and by_spider["people"]["stalled"] is True
    assert by_spider["people"]["failures"] == 1
    assert by_spider["sina"]["status"] == "finished" and by_spider["sina"]["stalled"] is False
    assert by_spider["sina"]["failures"] == 3
    assert by_spider["sina"]["failures_by_kind"] == {"http": 2, "timeout": 1}
    assert abs(by_spider["sina"]["since_previous_run"] - timedelta(days=1)) < timedelta(seconds=5)


def check_08(rows: Rows) -> None:
    assert [(r["relation"], r["copies"], r["median_lag_hours"], r["max_lag_hours"]) for r in rows] == [
        ("republishes", 2, 3.5, 4.0),  # Qpute: 3 h after People's Daily English, 4 h after China Daily
        ("translates", 5, 31.5, 50.0),  # 8, 18, 31.5, 48, 50 hours
    ]


def check_09(rows: Rows) -> None:
    assert [(r["title"], r["segment_languages"]) for r in rows] == [("China's economy is stable", ["en", "zh"])]
    assert rows[0]["chars_by_language"] == {"zh": 16, "en": 74}


def check_10(rows: Rows) -> None:
    assert [(r["original_url"], r["copies"], r["copied_by"]) for r in rows] == [(PBC_URL, 2, ["Sina Finance"])]


def check_11(rows: Rows) -> None:
    mix = {(r["source"], r["language"]): r["articles"] for r in rows}
    assert mix[("People's Daily English", "en")] == 2
    assert mix[("People's Daily English", "zh")] == 1
    assert mix[("Sina Finance", "zh")] == 3
    assert mix[("People's Daily German", "de")] == 3


def check_12(rows: Rows) -> None:
    assert [(r["title"], r["source"]) for r in rows] == [("国家发改委：加快人工智能算力基础设施建设", "Sina Finance")]
    assert "人工智能" in rows[0]["snippet"]


CHECKS: dict[str, Callable[[Rows], None]] = {
    "01_english_outlets_carrying_sina_within_24h.sql": check_01,
    "02_people_daily_german_translation_share.sql": check_02,
    "03_top_sources_by_syndication_reach.sql": check_03,
    "04_daily_volume_per_language.sql": check_04,
    "05_articles_citing_xinhua_by_any_name.sql": check_05,
    "06_crawl_failures_by_kind_this_week.sql": check_06,
    "07_latest_run_per_spider.sql": check_07,
    "08_syndication_lag_by_relation.sql": check_08,
    "09_bilingual_articles.sql": check_09,
    "10_uncrawled_originals.sql": check_10,
    "11_source_language_mix.sql": check_11,
    "12_search_ai_computing_power.sql": check_12,
}


def test_every_query_file_has_a_question_and_a_check() -> None:
    files = sorted(p.name for p in QUERIES.glob("*.sql"))
    assert len(files) >= 10
    assert files == sorted(CHECKS)
    for name in files:
        assert (QUERIES / name).read_text(encoding="utf-8").startswith("-- Question: "), name


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_query_answers_its_question(conn: Connection, name: str) -> None:
    assert Path(QUERIES / name).is_file()
    CHECKS[name](run(conn, name))
