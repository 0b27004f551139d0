"""Full-text search over Chinese, English and German: what is found, what is not, and in which order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Connection, text

from crawler.analyst.chinese import chinese_tsvector, fold
from crawler.analyst.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, QueryTooLong, refresh_search_vectors, search
from crawler.items import Article, Segment
from crawler.store.database import Store
from crawler.store.engine import make_engine
from tests.conftest import DatabaseServer
from tests.factories import make_article
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
    assert found(conn, ids, "人工智能算力", lang="zh") == ["S1"]  # an unspaced query is one phrase: S1 has it


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
    conn.execute(text("DELETE FROM article_search"))  # in this connection's transaction only
    assert found(conn, ids, "数据中心", lang="zh") == []
    assert refresh_search_vectors(conn) == len(ids)
    assert found(conn, ids, "数据中心", lang="zh") == before
    conn.rollback()


def test_chinese_tsvector_and_query_folding() -> None:
    occurrences = chinese_tsvector("加快人工智能算力建设。A股2.3Gbps", "A")
    bigrams = ["加快", "快人", "人工", "工智", "智能", "能算", "算力", "力建", "建设"]
    expected = [f"'{bigram}':{i}A" for i, bigram in enumerate(bigrams, 1)]
    expected += ["'设':10A", "'a':12A", "'股':13A", "'2':14A", "'3gbps':16A"]  # a run's last character; words
    assert occurrences == " ".join(expected)
    assert chinese_tsvector("這個") == "'这个':1 '个':2"  # folded to Simplified
    assert chinese_tsvector("。") == ""
    assert fold("數據中心算力 AI-Chips") == "数据中心算力 ai-chips"  # folded, not segmented


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
    migrate.downgrade(url, "0017")  # where the vectors were on `articles`
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            expected = dict(conn.execute(text("SELECT url, search_vector::text FROM articles")).all())
            conn.execute(text("UPDATE articles SET search_vector = to_tsvector('simple', 'stale')"))
        migrate.downgrade(url, "0004")
        migrate.upgrade(url, "0017")
        with engine.connect() as conn:
            after = dict(conn.execute(text("SELECT url, search_vector::text FROM articles")).all())
    finally:
        engine.dispose()
    assert after[CHINESE_URL] == expected[CHINESE_URL] and "'人工'" in after[CHINESE_URL]
    assert after["https://en.people.cn/n3/2024/0101/c90000-1.html"] == "'stale':1"  # not Chinese: untouched


# -- issue 14 (items 9, 10) and issue 16: one meaning of a query in SQL and the CLI, bounds, scores, tie order,
# -- and a cost bounded by the newest matches


UNSPACED = ["人工智能算力", "算力人工智能", "数据中心", "大数据中心", "人工智能 算力", "數據中心"]


@pytest.mark.parametrize("query", UNSPACED)
def test_the_command_and_sql_agree_on_unspaced_chinese(conn: Connection, ids: dict[str, int], query: str) -> None:
    """`newscrawl search` (crawler.analyst.search.search) used to segment 人工智能算力 with jieba, so it found
    articles where the two words stood apart, which SQL's phrase did not; both now read an unspaced run as one
    phrase (only folding Traditional script, which SQL cannot, happens in Python)."""
    sql = conn.execute(text("SELECT article_id FROM search_articles(:q, 'zh')"), {"q": fold(query)}).scalars().all()
    assert [hit.article_id for hit in search(conn, query, lang="zh")] == sql
    if query == "算力人工智能":  # both words occur in S1, but not in this order: no match, in either
        assert sql == []


@pytest.mark.parametrize(
    "query,message",
    [
        ("数字经济 " * 2000, f"the query has 10000 characters; at most {MAX_QUERY_CHARS}"),
        ("chip " * 40, f"the query has 40 words; at most {MAX_QUERY_WORDS}"),
        ("a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z", "the query has 26 words; at most 24"),
    ],
    ids=["10k-characters", "40-words", "26-words-in-one-token"],
)
def test_sql_refuses_a_query_too_long_with_a_clear_message(conn: Connection, query: str, message: str) -> None:
    """10,000 characters of repeated words used to run 9 s and fail with `invalid memory alloc request`."""
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as raised:
        conn.execute(text("SELECT * FROM search_articles(:q)"), {"q": query})
    conn.rollback()
    assert raised.value.orig.pgcode == "22023"  # type: ignore[union-attr]
    assert f"search_articles: {message}" in str(raised.value.orig)
    with pytest.raises(QueryTooLong, match=message):  # the same bound and words in Python, before the database
        search(conn, query)


def test_queries_at_the_bounds_run(conn: Connection) -> None:
    longest = " ".join(["computing"] * MAX_QUERY_WORDS)
    assert len(search(conn, longest)) >= 1
    assert search(conn, "人" * MAX_QUERY_CHARS, lang="zh") == []


def test_scores_are_normalised_with_a_tier_for_exact_matches(conn: Connection, ids: dict[str, int]) -> None:
    ranks = {hit.article_id: hit.rank for hit in search(conn, "semiconductor", lang="en")}
    assert all(0 <= rank < 1 for rank in ranks.values())
    assert ranks[ids["C1"]] >= 2 / 3  # the title holds the query as written
    assert ranks[ids["O1"]] < 1 / 3  # only the stem matches (semiconductors)
    every = [hit.rank for q in ("数据中心", "computing", "Rechenzentrum", "消费") for hit in search(conn, q)]
    assert every and all(0 <= rank < 1 for rank in every)


def _same_story(url: str, published: datetime, title: str = "Chip output") -> Article:
    text_ = "Semiconductor output rose in the third quarter, the ministry said on Monday."
    return make_article(url, text_, title=title, language="en", segments=[Segment("en", text_)],
                        published_at=published, attributions=[])


def test_ties_come_newest_first_then_by_larger_id_every_time(store: Store) -> None:
    day = datetime(2024, 5, 1, tzinfo=timezone.utc)
    older, newer = datetime(2024, 4, 1, tzinfo=timezone.utc), day
    urls = [f"https://en.people.cn/n3/2024/0501/c90000-{n}.html" for n in range(6)]
    # four identical articles on one day, one older and one newer: equal scores
    store.store_articles([_same_story(urls[0], older), *(_same_story(u, newer) for u in urls[1:5])])
    store.store_articles([_same_story(urls[5], newer + timedelta(hours=1))])
    with store.engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT url, id FROM articles")).all())
        orders = {tuple(h.article_id for h in search(conn, "semiconductor output", lang="en")) for _ in range(5)}
        ranks = {h.rank for h in search(conn, "semiconductor output", lang="en")}
    assert len(ranks) == 1  # all tied
    assert orders == {(ids[urls[5]], ids[urls[4]], ids[urls[3]], ids[urls[2]], ids[urls[1]], ids[urls[0]])}


def test_only_the_newest_matches_are_ranked(store: Store) -> None:
    """The documented trade-off for a first page whose cost does not grow with the matches: the newest 200
    matches (or 2 x max_results) are ranked; an older, better match is found by narrowing the query."""
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    best = _same_story("https://en.people.cn/n3/2024/0101/c90000-0.html", start, title="Semiconductor output")
    rest = [_same_story(f"https://en.people.cn/n3/2024/0101/c90000-{n}.html", start + timedelta(hours=n))
            for n in range(1, 221)]
    store.store_articles([best, *rest])
    with store.engine.connect() as conn:
        first_page = search(conn, "semiconductor output", lang="en")
        many = search(conn, "semiconductor output", lang="en", limit=111)  # 222 candidates: the best is one
        all_rows = conn.execute(text("SELECT count(*) FROM search_articles('semiconductor output', 'en', NULL, 1000)"))
    assert len(first_page) == 20 and best.url not in {h.url for h in first_page}
    assert first_page[0].url == rest[-1].url  # newest first among equals
    assert many[0].url == best.url and many[0].rank >= 2 / 3
    assert all_rows.scalar() == 221


def test_or_and_not_queries_keep_their_meaning(conn: Connection, ids: dict[str, int]) -> None:
    """`or` and `-word` queries are looked up as written; only all-required words take the rarest-word path."""
    assert set(found(conn, ids, "semiconductor or Rechenzentrum")) == {"C1", "O1", "G1", "G2"}
    with_chips = set(found(conn, ids, "computing", lang="en"))
    assert set(found(conn, ids, "computing -semiconductor", lang="en")) == with_chips - {"C1", "O1"}
    assert {"C1", "O1"} <= with_chips
    assert set(found(conn, ids, "computing semiconductor", lang="en")) == {"C1", "O1"}


def test_a_word_absent_from_the_newest_day_is_found_by_widening_windows(store: Store) -> None:
    """Nothing matches in the last day: the window grows 16-fold until it finds the word (not a scan of every
    match); the newest matches come first, an older one still within the candidates, and nothing is lost."""
    newest = datetime(2024, 6, 1, tzinfo=timezone.utc)
    other = make_article("https://en.people.cn/n3/2024/0601/c90000-1.html", "Rain is expected over the weekend.",
                         title="Weather", language="en", segments=[Segment("en", "Rain is expected.")],
                         published_at=newest, attributions=[])  # fmt: skip
    matches = [_same_story(f"https://en.people.cn/n3/2024/0101/c90001-{n}.html", newest - timedelta(days=40 + n))
               for n in range(30)]  # fmt: skip
    store.store_articles([other, *matches])
    with store.engine.connect() as conn:
        hits = search(conn, "semiconductor", lang="en", limit=50)
        since = search(conn, "semiconductor", lang="en", since=newest - timedelta(days=45), limit=50)
    assert [h.url for h in hits] == [m.url for m in matches]  # newest first, all 30 found
    assert [h.url for h in since] == [m.url for m in matches[:6]]  # since is inclusive: 40 to 45 days back


def test_a_query_every_language_reads_alike_is_one_term(conn: Connection) -> None:
    """Without a language the three readings are joined once each: 'wirtschaft' three times over made the planner
    expect three times the matches (migration 0015)."""
    def tsquery(query: str) -> str:
        return str(conn.execute(text("SELECT search_tsquery(:q)::text"), {"q": query}).scalar())

    assert tsquery("Wirtschaft") == "'wirtschaft'"
    assert tsquery("central bank") == "'central' & 'bank'"
    assert tsquery("banks") == "'banks' | 'bank'"  # the English stem differs: both kept
    assert "'人工' <-> '工智' <-> '智能'" in tsquery("人工智能")


def test_the_store_writes_every_language_of_the_text(conn: Connection, ids: dict[str, int]) -> None:
    languages = dict(conn.execute(text("SELECT id, languages FROM articles")).all())
    assert languages[ids["B1"]] == ["en", "zh"]  # an English page holding its Chinese original
    assert languages[ids["G1"]] == ["de"]
    assert all(languages.values())


def test_migration_0015_fills_the_languages_of_stored_articles(fresh_database_url: str) -> None:
    from crawler.store import migrate

    url = fresh_database_url
    migrate.upgrade(url)
    store = Store(url)
    try:
        store.store_articles([make_article(
            "https://en.people.cn/n3/2024/0101/c90000-2.html", text="Consumption grew.\n\n消费增长。",
            title="Consumption", language="en",
            segments=[Segment("en", "Consumption grew."), Segment("zh", "消费增长。")])])
    finally:
        store.dispose()
    migrate.downgrade(url, "0014")
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT languages FROM articles")).scalar() == ["en", "zh"]
            hits = search(conn, "消费", lang="zh")
    finally:
        engine.dispose()
    assert [h.title for h in hits] == ["Consumption"]


def test_upgrading_across_0015_vacuums_the_rewritten_articles() -> None:
    from crawler.store.migrate import rewritten_tables

    assert rewritten_tables("0014", "0015") == ["articles"]
    assert rewritten_tables(None, "0015") == ["articles"]
    assert rewritten_tables("0015", "0015") == []
    assert rewritten_tables("0012", "0014") == []
