"""The repository's upserts on a real PostgreSQL: idempotent, updating in place, one row per article."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from crawler.items import Segment
from crawler.store.database import Store
from crawler.store.models import Article, ArticleSegment, Source, SyndicationLink
from crawler.store.repository import LinkRecord, article_key, upsert_links
from tests.factories import make_article, sample_batch

pytestmark = pytest.mark.db


def _count(store: Store, model: type) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_storing_the_same_batch_twice_creates_no_duplicates(store: Store) -> None:
    batch = sample_batch(25)
    first = store.store_articles(batch)
    counts = (_count(store, Article), _count(store, ArticleSegment), _count(store, Source))
    second = store.store_articles(batch)
    assert (first.new, first.updated, first.unchanged) == (25, 0, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 25)
    assert counts == (25, 25, 1)
    assert (_count(store, Article), _count(store, ArticleSegment), _count(store, Source)) == counts


def test_changed_text_updates_the_row_in_place(store: Store) -> None:
    url = "https://finance.sina.com.cn/roll/2021-08-24/doc-ikqciyzm3161712.shtml"
    store.store_articles([make_article(url, "旧的正文。")])
    with store.sessions() as session:
        before = session.execute(select(Article.id, Article.first_seen_at, Article.updated_at)).one()
    changed = make_article(
        url,
        "新的正文。\n\nThe new English paragraph.",
        segments=[Segment("zh", "新的正文。"), Segment("en", "The new English paragraph.")],
    )
    result = store.store_articles([changed])
    assert (result.new, result.updated) == (0, 1)
    with store.sessions() as session:
        row = session.execute(select(Article)).scalar_one()
        segments = session.execute(select(ArticleSegment.language).order_by(ArticleSegment.ordinal)).scalars().all()
    assert row.id == before.id
    assert row.first_seen_at == before.first_seen_at
    assert row.updated_at > before.updated_at
    assert row.text.startswith("新的正文")
    assert segments == ["zh", "en"]


def test_refetch_of_unchanged_text_keeps_updated_at_but_moves_fetched_at(store: Store) -> None:
    from datetime import datetime, timedelta, timezone

    url = "https://en.people.cn/n3/2021/0824/c90000-9888888.html"
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    store.store_articles([make_article(url, "Same text.", fetched_at=t0, etag='"v1"')])
    with store.sessions() as session:
        updated_before = session.scalar(select(Article.updated_at))
    store.store_articles([make_article(url, "Same text.", fetched_at=t0 + timedelta(days=1), etag='"v2"')])
    with store.sessions() as session:
        row = session.execute(select(Article)).scalar_one()
    assert row.updated_at == updated_before
    assert row.fetched_at == t0 + timedelta(days=1)
    assert row.etag == '"v2"'


def test_article_key_uses_same_site_canonical_but_not_an_offsite_one() -> None:
    same = make_article(
        "http://WWW.People.com.cn/n1/2024/0424/c1004-40232587.html?utm_source=rss#top",
        canonical_url="https://www.people.com.cn/n1/2024/0424/c1004-40232587.html",
    )
    assert article_key(same) == "https://www.people.com.cn/n1/2024/0424/c1004-40232587.html"
    offsite = make_article(
        "https://qpute.com/2021/08/25/beijing-haidian/",
        canonical_url="https://finance.sina.com.cn/roll/2021-08-24/doc-ikqciyzm3161712.shtml",
    )
    assert article_key(offsite) == "https://qpute.com/2021/08/25/beijing-haidian/"


def test_tracking_parameters_and_www_variants_meet_in_one_row(store: Store) -> None:
    base = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    store.store_articles([make_article(base, "Text one.", language="en")])
    store.store_articles([make_article(base + "?utm_source=feed&utm_medium=rss#comments", "Text one.", language="en")])
    assert _count(store, Article) == 1


def test_sources_come_from_the_registry_or_the_host(store: Store) -> None:
    store.store_articles(
        [
            make_article("https://finance.sina.com.cn/a/doc-1.shtml"),
            make_article("https://german.people.com.cn/n3/2024/0321/c209052-1.html", "Deutscher Text.", language="de"),
            make_article("https://blog.example.org/2024/03/21/post/", "An unknown blog.", language="en"),
        ]
    )
    with store.sessions() as session:
        rows = dict(
            session.execute(select(Source.name, Source.kind).join(Article, Article.source_id == Source.id)).all()
        )
    assert rows == {"Sina Finance": "publisher", "People's Daily German": "publisher", "blog.example.org": "publisher"}


def test_the_last_copy_of_a_url_in_one_batch_wins(store: Store) -> None:
    url = "https://finance.sina.com.cn/a/doc-2.shtml"
    result = store.store_articles([make_article(url, "第一版。"), make_article(url, "第二版。")])
    assert result.new == 1
    with store.sessions() as session:
        assert session.scalar(select(Article.text)) == "第二版。"


def test_a_bad_article_is_isolated_from_its_batch(store: Store) -> None:
    batch = [*sample_batch(3), make_article("https://finance.sina.com.cn/a/empty.shtml", "   ")]
    result, rejected = store.store_articles_isolating(batch)
    assert result.new == 3
    assert [a.url for a, _ in rejected] == ["https://finance.sina.com.cn/a/empty.shtml"]
    assert "no text" in rejected[0][1]


def test_links_are_unique_per_copy_original_relation_and_keep_the_best_score(store: Store) -> None:
    store.store_articles(
        [
            make_article("https://finance.sina.com.cn/a/doc-3.shtml", "原文。"),
            make_article("https://qpute.com/2021/08/25/copy/", "The copy.", language="en"),
        ]
    )
    with store.sessions() as session:
        ids = dict(session.execute(select(Article.url, Article.id)).all())
    original, copy = ids["https://finance.sina.com.cn/a/doc-3.shtml"], ids["https://qpute.com/2021/08/25/copy/"]
    links = [
        LinkRecord(copy, "translates", "cross_lingual", 0.7, original_article_id=original),
        LinkRecord(copy, "translates", "source_link", 0.95, original_article_id=original),
        LinkRecord(copy, "cites", "attribution_text", 0.5, original_url="https://www.shobserver.com/news/1"),
    ]
    for _ in range(2):
        with store.sessions.begin() as session:
            upsert_links(session, links)
    with store.sessions.begin() as session:
        upsert_links(session, [LinkRecord(copy, "translates", "cross_lingual", 0.4, original_article_id=original)])
    with store.sessions() as session:
        rows = session.execute(
            select(
                SyndicationLink.original_key, SyndicationLink.relation, SyndicationLink.evidence, SyndicationLink.score
            ).order_by(SyndicationLink.relation)
        ).all()
    assert rows == [
        ("url:https://www.shobserver.com/news/1", "cites", "attribution_text", 0.5),
        (f"article:{original}", "translates", "source_link", 0.95),
    ]


def test_link_checks_reject_bad_rows(store: Store) -> None:
    store.store_articles([make_article("https://finance.sina.com.cn/a/doc-4.shtml")])
    with pytest.raises(IntegrityError, match="ck_syndication_links_score_range"), store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO syndication_links (copy_article_id, original_url, relation, evidence, score) "
                "VALUES (1, 'https://x.org/', 'cites', 'attribution_text', 1.5)"
            )
        )
    with (
        pytest.raises(IntegrityError, match=r"ck_syndication_links_has_original|original_key"),
        store.engine.begin() as conn,
    ):
        conn.execute(
            text(
                "INSERT INTO syndication_links (copy_article_id, relation, evidence, score) "
                "VALUES (1, 'cites', 'attribution_text', 0.5)"
            )
        )


def test_article_row_holds_exactly_the_upserted_columns() -> None:
    """The upsert writes every key of the row as a column (a misspelt key would fail, not be dropped); the search
    vector is written apart, into `article_search`."""
    from datetime import datetime, timezone

    from crawler.store import repository

    article = make_article("https://finance.sina.com.cn/roll/2024-01-01/doc-icolumns001.shtml")
    row = repository._article_row(article, article.url, 1, datetime.now(timezone.utc))
    columns = set(row) & set(Article.__table__.c.keys())
    assert set(row) == columns
    assert {"url", "text", "content_hash", "capture_ref"} <= columns
