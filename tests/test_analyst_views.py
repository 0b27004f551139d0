"""The analyst views and functions: the database has exactly what schema/ says, and the migration undoes cleanly."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from crawler.analyst import views
from crawler.store import migrate
from crawler.store.database import Store
from crawler.store.engine import make_engine

pytestmark = pytest.mark.db
DOC = views.SCHEMA_DIR / "views.md"


def test_database_matches_schema_files(migrated_database_url: str) -> None:
    """Re-create every view and function from schema/ and compare PostgreSQL's rendering of both."""
    engine = make_engine(migrated_database_url)
    with engine.connect() as conn:
        migrated = views.definitions(conn)
        assert all(migrated.values()), [name for name, sql in migrated.items() if not sql]
        views.drop_all(conn)
        assert not any(views.definitions(conn).values())
        views.create_from_files(conn)
        from_files = views.definitions(conn)
        conn.rollback()
    engine.dispose()
    assert from_files == migrated


def test_every_view_is_documented_with_an_example(migrated_database_url: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    engine = make_engine(migrated_database_url)
    with engine.connect() as conn:
        for name in views.VIEWS:
            assert f"## {name}" in doc, name
            section = doc.split(f"## {name}", 1)[1].split("\n## ", 1)[0]
            examples = re.findall(r"```sql\n(.*?)```", section, re.S)
            assert examples, f"no example query for {name}"
            conn.execute(text(examples[0]))  # the example runs
            columns = set(conn.execute(text(f"SELECT * FROM {name} LIMIT 0")).keys())
            documented = set(re.findall(r"^\| `(\w+)` \|", section, re.M))
            assert columns == documented, f"{name}: documented columns differ"
    engine.dispose()


def test_downgrade_removes_views_functions_and_column(fresh_database_url: str) -> None:
    migrate.upgrade(fresh_database_url)
    migrate.downgrade(fresh_database_url, "0002")
    engine = make_engine(fresh_database_url)
    with engine.connect() as conn:
        assert not any(views.definitions(conn).values())
        columns = conn.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'")
        ).scalars()
        assert "search_vector" not in set(columns)
    engine.dispose()
    migrate.upgrade(fresh_database_url)


def test_migration_fills_vectors_of_articles_stored_before_it(fresh_database_url: str) -> None:
    from tests.factories import make_article

    migrate.upgrade(fresh_database_url)
    store = Store(fresh_database_url)
    store.store_articles([make_article("https://finance.sina.com.cn/a/1.shtml", "加快人工智能算力基础设施建设。")])
    migrate.downgrade(fresh_database_url, "0002")
    migrate.upgrade(fresh_database_url)  # the column comes back empty and the migration fills it
    with store.engine.connect() as conn:
        hits = conn.execute(text("SELECT count(*) FROM search_articles('算力', 'zh')")).scalar()
    store.dispose()
    assert hits == 1


def test_materialised_views_change_only_when_refreshed(store: Store) -> None:
    """daily_source_counts, story_articles and stories are materialised (issue 16): a write shows in them after
    refresh_views (which the crawl, link, demo and replay-spool commands call), CONCURRENTLY once populated."""
    from crawler.store.repository import LinkRecord, upsert_links
    from tests.factories import make_article

    def counts() -> tuple[int, int, int]:
        with store.engine.connect() as conn:
            return tuple(  # type: ignore[return-value]
                conn.execute(text(f"SELECT coalesce(sum({column}), 0) FROM {name}")).scalar_one()
                for name, column in (("daily_source_counts", "articles"), ("story_articles", "1"), ("stories", "1"))
            )

    views.refresh_views(store)  # the fixture empties the tables, not the views' last results
    assert counts() == (0, 0, 0)
    store.store_articles([make_article("https://finance.sina.com.cn/a/1.shtml", "加快人工智能算力基础设施建设。"),
                          make_article("https://news.sina.com.cn/a/2.shtml", "加快人工智能算力基础设施建设。")])
    with store.sessions.begin() as session:
        first, second = session.execute(text("SELECT id FROM articles ORDER BY id")).scalars()
        upsert_links(session, [LinkRecord(second, "republishes", "near_duplicate", 0.9, original_article_id=first)])
    assert counts() == (0, 0, 0)  # not yet
    assert views.refresh_views(store) >= 0
    assert counts() == (2, 2, 1)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM syndication_links"))
    views.refresh_views(store.engine)  # an Engine works too
    assert counts() == (2, 0, 0)


def test_daily_counts_characters_add_up_to_the_texts(store: Store) -> None:
    """`characters` is read from the segments' counts (no text is decompressed) and equals the texts' length:
    a bilingual text (two segments and the break between them), a one-segment text, a text without segments."""
    from crawler.items import Segment
    from tests.factories import make_article

    zh, en = "加快人工智能算力基础设施建设。\n\n第二段。", "Build computing infrastructure faster."
    articles = [
        make_article("https://finance.sina.com.cn/a/1.shtml", f"{zh}\n\n{en}",
                     segments=[Segment("zh", zh), Segment("en", en)]),
        make_article("https://finance.sina.com.cn/a/2.shtml", "海淀区稳步推进18项数字新基建项目。"),
        make_article("https://finance.sina.com.cn/a/3.shtml", "没有分段的文章。", segments=[]),
    ]
    store.store_articles(articles)
    views.refresh_views(store)
    with store.engine.connect() as conn:
        characters, expected = conn.execute(text(
            "SELECT (SELECT sum(characters) FROM daily_source_counts), "
            "(SELECT sum(char_length(text)) FROM articles)")).one()
    assert characters == expected == sum(len(a.text) for a in articles)
