"""Search vectors live in month partitions of `article_search` (migration 0018): the store makes the months it
needs, moves a row when its article's date changes, and makes a missing month again inside the batch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import Connection, text

from crawler.analyst.search import search
from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.engine import make_engine
from tests.factories import make_article

pytestmark = pytest.mark.db
URL = "https://finance.sina.com.cn/roll/2024-03-05/doc-imonth0001.shtml"
MARCH = datetime(2024, 3, 5, 2, tzinfo=timezone.utc)


@pytest.fixture
def fresh_store(fresh_database_url: str) -> Iterator[Store]:
    """A Store on a database of its own: the partitions other tests made are not there."""
    migrate.upgrade(fresh_database_url)
    db = Store(fresh_database_url)
    yield db
    db.dispose()


def partitions(conn: Connection) -> dict[str, int]:
    """Partition name -> rows in it."""
    return dict(
        conn.execute(
            text(
                "SELECT c.relname, count(s.article_id) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "LEFT JOIN article_search s ON s.tableoid = c.oid "
                "WHERE i.inhparent = 'article_search'::regclass GROUP BY 1"
            )
        ).all()
    )


def test_rows_go_to_their_month_and_move_when_the_date_changes(fresh_store: Store) -> None:
    fresh_store.store_articles([make_article(URL, "加快人工智能算力基础设施建设。", published_at=MARCH)])
    with fresh_store.engine.connect() as conn:
        assert partitions(conn) == {"article_search_2024_03": 1}
    # the page now gives another date: the row moves, none is left behind
    december = datetime(2023, 12, 31, 23, tzinfo=timezone.utc)
    fresh_store.store_articles([make_article(URL, "加快人工智能算力基础设施建设。", published_at=december)])
    with fresh_store.engine.connect() as conn:
        assert partitions(conn) == {"article_search_2024_03": 0, "article_search_2023_12": 1}
        hits = search(conn, "人工智能", lang="zh")
        since_march = search(conn, "人工智能", lang="zh", since=datetime(2024, 3, 1, tzinfo=timezone.utc))
    assert [hit.published_at for hit in hits] == [december]
    assert since_march == []


def test_search_partitions_makes_only_missing_months_in_utc(fresh_store: Store) -> None:
    with fresh_store.engine.begin() as conn:
        conn.execute(text("SET LOCAL TIME ZONE 'America/Sao_Paulo'"))  # months are UTC's, not the session's
        made = conn.execute(
            text(
                "SELECT search_partitions(ARRAY['2024-05-31 22:30-03', '2024-06-15 12:00+00', NULL, 'infinity']"
                "::timestamptz[])"
            )
        ).scalar_one()
        again = conn.execute(text("SELECT search_partitions(ARRAY['2024-06-02 00:00+00'::timestamptz])")).scalar_one()
        names = set(partitions(conn))
        conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
        bounds = conn.execute(
            text("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'article_search_2024_06'")
        ).scalar_one()
    assert made == 1 and again == 0
    assert names == {"article_search_2024_06"}  # 22:30 on 31 May in São Paulo is 01:30 on 1 June in UTC
    assert bounds == "FOR VALUES FROM ('2024-06-01 00:00:00+00') TO ('2024-07-01 00:00:00+00')"


def test_a_month_made_by_another_writer_is_waited_for_then_found(fresh_store: Store) -> None:
    """Two writers needing the same new month: the second waits for the first's transaction, then finds the
    partition instead of failing on a duplicate name."""
    engine = make_engine(fresh_store.url)
    answers: list[int] = []
    try:
        with engine.connect() as first:
            first.begin()
            assert (
                first.execute(text("SELECT search_partitions(ARRAY['2025-01-10 00:00+00'::timestamptz])")).scalar() == 1
            )

            def second_writer() -> None:
                with engine.begin() as second:
                    second.execute(text("SET LOCAL lock_timeout = '20s'"))
                    answers.append(
                        second.execute(
                            text("SELECT search_partitions(ARRAY['2025-01-20 00:00+00'::timestamptz])")
                        ).scalar_one()
                    )

            thread = threading.Thread(target=second_writer)
            thread.start()
            thread.join(1.0)
            assert thread.is_alive(), "the second writer should wait for the first one's transaction"
            first.commit()
        thread.join(20)
        assert answers == [0]
    finally:
        engine.dispose()


def test_a_partition_dropped_behind_the_store_is_made_again(fresh_store: Store) -> None:
    """The store remembers the months it made; a partition dropped since is made again inside the batch."""
    fresh_store.store_articles([make_article(URL, "第一篇文章。", published_at=MARCH)])
    with fresh_store.engine.begin() as conn:
        conn.execute(text("DROP TABLE article_search_2024_03"))
    other = URL.replace("0001", "0002")
    result = fresh_store.store_articles([make_article(other, "第二篇文章：算力建设。", published_at=MARCH)])
    assert result.new == 1
    with fresh_store.engine.connect() as conn:
        assert partitions(conn) == {"article_search_2024_03": 1}
        assert [hit.url for hit in search(conn, "算力", lang="zh")] == [other]
