"""Full-text search over Chinese, English and German: what is found, what is not, and in which order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import Connection, text

from crawler.analyst.chinese import chinese_tsvector, segment_query
from crawler.analyst.search import refresh_search_vectors, search
from crawler.store.engine import make_engine
from tests.conftest import DatabaseServer
from tests.test_analyst_corpus import corpus_database

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def corpus(db_server: DatabaseServer) -> tuple[str, dict[str, int]]:
    return corpus_database(db_server)


@pytest.fixture
def conn(corpus: tuple[str, dict[str, int]]) -> Iterator[Connection]:
    engine = make_engine(corpus[0])
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.fixture
def ids(corpus: tuple[str, dict[str, int]]) -> dict[str, int]:
    return corpus[1]


def found(conn: Connection, ids: dict[str, int], query: str, **kwargs: object) -> list[str]:
    """The corpus keys of the hits, best first."""
    keys = {id_: key for key, id_ in ids.items()}
    return [keys[hit.article_id] for hit in search(conn, query, **kwargs)]  # type: ignore[arg-type]


def test_chinese_two_character_word(conn: Connection, ids: dict[str, int]) -> None:
    hits = found(conn, ids, "算力", lang="zh")
    assert set(hits) == {"S1", "P1"}
    assert hits[0] == "S1"  # in the title as well as the text


def test_chinese_query_words_must_all_occur(conn: Connection, ids: dict[str, int]) -> None:
    assert found(conn, ids, "人工智能", lang="zh") == ["S1", "S2"]  # S1 has it in the title
    assert found(conn, ids, "人工智能 算力", lang="zh") == ["S1"]
    assert found(conn, ids, "人工智能算力", lang="zh") == ["S1"]  # jieba segments an unspaced query


def test_chinese_word_found_as_a_substring_of_the_document(conn: Connection, ids: dict[str, int]) -> None:
    # 数据中心 occurs in S1 (数据中心建设) and P1 (大数据中心集群, 数据中心集群): found as a bigram phrase
    assert set(found(conn, ids, "数据中心", lang="zh")) == {"S1", "P1"}
    assert found(conn, ids, "大数据中心", lang="zh") == ["P1"]
    assert found(conn, ids, "能算力", lang="zh") == ["S1"]  # no word, but a substring of 人工智能算力


def test_traditional_query_finds_simplified_text(conn: Connection, ids: dict[str, int]) -> None:
    assert found(conn, ids, "基礎設施", lang="zh") == ["S1"]
    assert found(conn, ids, "數據中心", lang="zh") == found(conn, ids, "数据中心", lang="zh")


def test_english_word_stemmed_and_exact_match_first(conn: Connection, ids: dict[str, int]) -> None:
    assert found(conn, ids, "semiconductor", lang="en") == ["C1", "O1"]  # C1's title has it; O1 says semiconductors
    assert found(conn, ids, "semiconductors", lang="en") == ["O1", "C1"]  # now O1's wording is the exact one
    assert "Q1" in found(conn, ids, "infrastructure", lang="en")


def test_german_compound_and_its_inflections(conn: Connection, ids: dict[str, int]) -> None:
    # the german stemmer maps Rechenzentrum and Rechenzentrums to one lexeme: the exact form ranks first
    assert found(conn, ids, "Rechenzentrum", lang="de") == ["G1", "G2"]
    assert found(conn, ids, "Rechenzentrums", lang="de") == ["G2", "G1"]
    # documented limits: the plural Rechenzentren stems differently, and compounds are not split
    assert found(conn, ids, "Rechenzentren", lang="de") == ["G3"]
    assert found(conn, ids, "Zentrum", lang="de") == []


def test_language_filter_and_bilingual_articles(conn: Connection, ids: dict[str, int]) -> None:
    assert found(conn, ids, "消费", lang="zh") == ["B1"]  # the Chinese half of an English page
    assert found(conn, ids, "consumption", lang="en") == ["B1"]
    assert found(conn, ids, "consumption", lang="de") == []
    assert set(found(conn, ids, "Rechenzentrum")) == {"G1", "G2"}  # no language: all three analyses


def test_since_and_limit(conn: Connection, ids: dict[str, int]) -> None:
    since = datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    assert set(found(conn, ids, "computing", lang="en", since=since)) == {"C1", "O1", "Q1", "Q2"}
    assert "E1" not in found(conn, ids, "computing", lang="en", since=since)
    assert len(found(conn, ids, "computing", lang="en", limit=2)) == 2


def test_hits_carry_title_source_date_url_and_snippet(conn: Connection, ids: dict[str, int]) -> None:
    (hit,) = search(conn, "人工智能 算力", lang="zh")
    assert hit.title == "国家发改委：加快人工智能算力基础设施建设"
    assert hit.source == "Sina Finance"
    assert hit.published_at == datetime(2024, 3, 1, 2, tzinfo=timezone.utc)
    assert hit.url.startswith("https://finance.sina.com.cn/")
    assert "人工智能" in hit.snippet and len(hit.snippet) <= 110
    (german,) = search(conn, "Intelligenz", lang="de")
    assert "[Intelligenz]" in german.snippet


def test_sql_function_for_analysts_without_python(conn: Connection, ids: dict[str, int]) -> None:
    rows = conn.execute(text("SELECT article_id, source FROM search_articles('数据中心 算力', 'zh')")).all()
    assert {r.article_id for r in rows} == {ids["S1"], ids["P1"]}
    german = conn.execute(text("SELECT article_id FROM search_articles('Rechenzentrum', 'de', '2024-03-02')")).all()
    assert [r.article_id for r in german] == [ids["G1"], ids["G2"]]


def test_refresh_recomputes_missing_vectors(conn: Connection, ids: dict[str, int]) -> None:
    before = found(conn, ids, "数据中心", lang="zh")
    conn.execute(text("UPDATE articles SET search_vector = NULL"))  # in this connection's transaction only
    assert found(conn, ids, "数据中心", lang="zh") == []
    assert refresh_search_vectors(conn) == len(ids)
    assert found(conn, ids, "数据中心", lang="zh") == before
    conn.rollback()


def test_chinese_tsvector_and_query_segmentation() -> None:
    occurrences = chinese_tsvector("加快人工智能算力建设。A股2.3Gbps", "A")
    bigrams = ["加快", "快人", "人工", "工智", "智能", "能算", "算力", "力建", "建设"]
    expected = [f"'{bigram}':{i}A" for i, bigram in enumerate(bigrams, 1)]
    expected += ["'设':10A", "'a':12A", "'股':13A", "'2':14A", "'3gbps':16A"]  # a run's last character; words
    assert occurrences == " ".join(expected)
    assert chinese_tsvector("這個") == "'这个':1 '个':2"  # folded to Simplified
    assert chinese_tsvector("。") == ""
    assert segment_query("人工智慧算力 AI-Chips") == "人工智慧 算力 ai-chips"


def test_postgresql_merges_repeated_occurrences(conn: Connection) -> None:
    vector = conn.execute(text("SELECT CAST(:v AS tsvector)::text"), {"v": chinese_tsvector("人工人工")}).scalar_one()
    assert vector == "'人工':1,3 '工':4 '工人':2"


def test_sql_query_words_mixing_scripts_and_single_characters(conn: Connection, ids: dict[str, int]) -> None:
    # S3: "…中标利率为1.8%。": 率为 and 为 are lexemes, 1 and 8 are words
    assert found(conn, ids, "利率为", lang="zh") == ["S3"]
    assert found(conn, ids, "为1.8%", lang="zh") == ["S3"]  # 为 (run end) & 1 & 8
    assert found(conn, ids, "1.9%", lang="zh") == []
    tsquery = conn.execute(text("SELECT chinese_tsquery('a股 人工智能')::text")).scalar_one()
    assert tsquery == "'a' & '股':* & '人工' <-> '工智' <-> '智能'"


CHINESE_URL = "https://finance.sina.com.cn/roll/2024-01-01/doc-imigrate0001.shtml"


def test_migration_0005_rebuilds_chinese_vectors(fresh_database_url: str) -> None:
    """Vectors written by the jieba-word rules of 0003/0004 are rebuilt as bigrams; others are left alone."""
    from crawler.items import Segment
    from crawler.store import migrate
    from crawler.store.database import Store
    from tests.factories import make_article

    url = fresh_database_url
    migrate.upgrade(url)
    store = Store(url)
    try:
        store.store_articles(
            [
                make_article(CHINESE_URL, text="加快人工智能算力建设"),
                make_article(
                    "https://en.people.cn/n3/2024/0101/c90000-1.html",
                    text="Computing power",
                    title="Computing",
                    language="en",
                    segments=[Segment("en", "Computing power")],
                ),
            ]
        )
    finally:
        store.dispose()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            expected = dict(conn.execute(text("SELECT url, search_vector::text FROM articles")).all())
            conn.execute(text("UPDATE articles SET search_vector = to_tsvector('simple', 'stale')"))
        migrate.downgrade(url, "0004")
        migrate.upgrade(url)
        with engine.connect() as conn:
            after = dict(conn.execute(text("SELECT url, search_vector::text FROM articles")).all())
    finally:
        engine.dispose()
    assert after[CHINESE_URL] == expected[CHINESE_URL] and "'人工'" in after[CHINESE_URL]
    assert after["https://en.people.cn/n3/2024/0101/c90000-1.html"] == "'stale':1"  # not Chinese: untouched
