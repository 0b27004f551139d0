"""The migrations themselves: up, down, up again on a fresh database; models and docs match the result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.engine import make_engine
from crawler.store.models import Base

pytestmark = pytest.mark.db
EXPECTED_TABLES = {
    "sources",
    "articles",
    "article_segments",
    "article_link_data",
    "article_search",
    "syndication_links",
    "crawl_runs",
    "fetch_failures",
    "crawl_locks",
}
DICTIONARY = Path(__file__).resolve().parents[1] / "schema" / "data_dictionary.md"


SEARCH_PARTITION = re.compile(r"article_search_\d{4}_\d{2}(_bc)?")


def _tables(url: str) -> set[str]:
    """The tables, without the month partitions of article_search (made as articles need them)."""
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    return {name for name in names if not SEARCH_PARTITION.fullmatch(name)}


def test_upgrade_downgrade_upgrade(fresh_database_url: str) -> None:
    url = fresh_database_url
    assert migrate.current_revision(url) is None
    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision()
    assert _tables(url) == EXPECTED_TABLES
    migrate.downgrade(url, "base")
    assert migrate.current_revision(url) is None
    assert _tables(url) == set()
    migrate.upgrade(url)
    assert _tables(url) == EXPECTED_TABLES


def test_models_match_migrated_schema(migrated_database_url: str) -> None:
    engine = make_engine(migrated_database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                # the month partitions of article_search are made by search_partitions(), not by models
                "include_name": lambda name, kind, _: not (kind == "table" and SEARCH_PARTITION.fullmatch(name or "")),
            },
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_timestamps_are_timezone_aware(migrated_database_url: str) -> None:
    engine = make_engine(migrated_database_url)
    with engine.connect() as conn:
        naive = (
            conn.execute(
                text(
                    "SELECT table_name || '.' || column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert naive == []


def test_constraints_have_stable_names_and_reject_bad_values(store) -> None:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        names = set(
            conn.execute(
                text("SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace")
            ).scalars()
        )
    assert {
        "ck_syndication_links_relation",
        "ck_syndication_links_evidence",
        "ck_syndication_links_score_range",
        "uq_syndication_links_copy_article_id_original_key_relation",
        "fk_articles_source_id_sources",
        "uq_articles_url",
    } <= names
    with pytest.raises(IntegrityError, match="ck_sources_kind"), store.engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (name, kind) VALUES ('x', 'blog')"))


def test_data_dictionary_documents_every_column(migrated_database_url: str) -> None:
    documented = set(re.findall(r"^\| `(\w+)\.(\w+)` \|", DICTIONARY.read_text(encoding="utf-8"), re.M))
    engine = make_engine(migrated_database_url)
    inspector = inspect(engine)
    actual = {(table, column["name"]) for table in EXPECTED_TABLES for column in inspector.get_columns(table)}
    engine.dispose()
    assert actual - documented == set(), "columns missing from schema/data_dictionary.md"
    assert documented - actual == set(), "schema/data_dictionary.md documents columns that do not exist"


def test_link_data_moves_to_its_own_table_and_back(fresh_database_url: str) -> None:
    """Migration 0016 moves signatures and embeddings out of `articles` with the hash of the text they describe;
    its downgrade puts the current ones back."""
    from tests.factories import make_article

    migrate.upgrade(fresh_database_url)  # the store writes what head has; then back to before 0016
    store = Store(fresh_database_url)
    store.store_articles([make_article("https://finance.sina.com.cn/a/1.shtml", "加快人工智能算力基础设施建设。"),
                          make_article("https://finance.sina.com.cn/a/2.shtml", "第二篇文章的正文。")])
    migrate.downgrade(fresh_database_url, "0015")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE articles SET signature = '\\x0102', embedding = '{0.6,0.8}', "
                          "embedding_model = 'm' WHERE url LIKE '%/1.shtml'"))
    migrate.upgrade(fresh_database_url)
    with store.engine.connect() as conn:
        moved = conn.execute(text(
            "SELECT a.url, d.signature, d.embedding, d.embedding_model, d.content_hash = a.content_hash "
            "FROM article_link_data d JOIN articles a ON a.id = d.article_id")).all()
        columns = set(conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'")).scalars())
    assert [(u, bytes(s), e, m, same) for u, s, e, m, same in moved] == [
        ("https://finance.sina.com.cn/a/1.shtml", b"\x01\x02", [0.6, 0.8], "m", True)]
    assert not columns & {"signature", "embedding", "embedding_model"}
    migrate.downgrade(fresh_database_url, "0015")
    with store.engine.connect() as conn:
        back = conn.execute(text("SELECT url, signature IS NOT NULL, embedding FROM articles ORDER BY url")).all()
    store.dispose()
    assert back == [("https://finance.sina.com.cn/a/1.shtml", True, [0.6, 0.8]),
                    ("https://finance.sina.com.cn/a/2.shtml", False, None)]


def test_search_vectors_move_to_month_partitions_and_back(fresh_database_url: str) -> None:
    """Migration 0018 moves every article's search vector from `articles` into its month's partition of
    `article_search`; its downgrade puts them back, and search finds the same articles either way."""
    from datetime import datetime, timezone

    from tests.factories import make_article

    migrate.upgrade(fresh_database_url)
    store = Store(fresh_database_url)
    store.store_articles([
        make_article("https://finance.sina.com.cn/a/1.shtml", "加快人工智能算力基础设施建设。",
                     published_at=datetime(2024, 1, 31, 23, 30, tzinfo=timezone.utc)),
        make_article("https://finance.sina.com.cn/a/2.shtml", "人工智能的第二篇文章。",
                     published_at=datetime(2024, 2, 1, 0, 30, tzinfo=timezone.utc)),
        make_article("https://finance.sina.com.cn/a/3.shtml", "没有日期的文章。", published_at=None),
    ])
    vectors_sql = ("SELECT a.url, s.search_vector::text FROM article_search s JOIN articles a ON a.id = s.article_id "
                   "ORDER BY 1")
    with store.engine.connect() as conn:
        at_head = conn.execute(text(vectors_sql)).all()
    migrate.downgrade(fresh_database_url, "0017")
    with store.engine.connect() as conn:
        on_articles = conn.execute(text("SELECT url, search_vector::text FROM articles ORDER BY 1")).all()
        before = conn.execute(text("SELECT article_id FROM search_articles('人工智能', 'zh') ORDER BY 1")).all()
    assert on_articles == at_head and len(at_head) == 3
    assert _tables(fresh_database_url) == EXPECTED_TABLES - {"article_search"}
    migrate.upgrade(fresh_database_url)
    with store.engine.connect() as conn:
        assert conn.execute(text(vectors_sql)).all() == at_head
        after = conn.execute(text("SELECT article_id FROM search_articles('人工智能', 'zh') ORDER BY 1")).all()
        partitions = conn.execute(text(
            "SELECT c.relname, count(s.*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "LEFT JOIN article_search s ON s.tableoid = c.oid "
            "WHERE i.inhparent = 'article_search'::regclass GROUP BY 1 ORDER BY 1")).all()
        this_month = conn.execute(text("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')")).scalar_one()
    store.dispose()
    assert len(before) == len(after) == 2 and before == after
    # months in UTC: 23:30 on 31 January is January, whatever the session's time zone; the undated article
    # is searched by its fetch time (now)
    assert partitions == sorted([("article_search_2024_01", 1), ("article_search_2024_02", 1),
                                 (f"article_search_{this_month}", 1)])
