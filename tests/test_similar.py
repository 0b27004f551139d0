"""Stored embeddings, `newscrawl similar ARTICLE_ID` and the `similar_articles(…)` SQL function against a real
PostgreSQL, on the WMT24 news documents of tests/fixtures/linking. (That the function in the database matches
schema/functions/similar.sql is checked with the other analyst functions in test_analyst_views.)"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from crawler.items import Article, Segment
from crawler.linking import encoder as encoder_mod
from crawler.linking.run import link_new
from crawler.store.database import Store
from tests.translation_fixtures import wmt_articles

pytestmark = pytest.mark.db
needs_encoder = pytest.mark.skipif(encoder_mod.get_encoder() is None, reason="the translation extra is not installed")


def _ids(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return dict(conn.execute(text("SELECT url, id FROM articles")).all())  # type: ignore[arg-type]


def _similar(store: Store, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")}
    env.update({"DATABASE_URL": store.url, "NEWSCRAWL_DATA_DIR": str(tmp_path)})
    return subprocess.run([sys.executable, "-m", "crawler.cli", "similar", *args], env=env, capture_output=True,
                          text=True, timeout=300)


@needs_encoder
def test_embeddings_are_stored_once_and_go_stale_when_the_text_changes(store: Store) -> None:
    articles, _truth = wmt_articles()
    store.store_articles(articles)
    first = link_new(store)
    assert first.embeddings_computed == len(articles)
    with store.engine.connect() as conn:
        models = conn.execute(text("SELECT DISTINCT embedding_model FROM article_link_data")).scalars().all()
        length = conn.execute(text("SELECT DISTINCT array_length(embedding, 1) FROM article_link_data")).scalar()
    assert models == [encoder_mod.model_tag()] and length == encoder_mod.DIM
    changed = dataclasses.replace(articles[0], text=articles[0].text + "\n\nA correction was added.")
    store.store_articles([changed])
    with store.engine.connect() as conn:
        stale = conn.execute(text("SELECT d.content_hash <> a.content_hash FROM articles a JOIN article_link_data d "
                                  "ON d.article_id = a.id WHERE a.url = :u"), {"u": changed.url}).scalar()
        similar = conn.execute(text("SELECT count(*) FROM articles a, similar_articles(a.id) WHERE a.url = :u"),
                               {"u": changed.url}).scalar()
    assert stale and similar == 0  # the stored embedding describes the old text: no longer read
    again = link_new(store)  # only the changed article is embedded again, the others are read back
    assert again.embeddings_computed == 1
    with store.engine.connect() as conn:
        similar = conn.execute(text("SELECT count(*) FROM articles a, similar_articles(a.id) WHERE a.url = :u"),
                               {"u": changed.url}).scalar()
    assert similar and similar > 0


@needs_encoder
def test_similar_command_and_sql_list_the_translation_first(store: Store, tmp_path: Path) -> None:
    articles, truth = wmt_articles()
    store.store_articles(articles)
    link_new(store)
    ids = _ids(store)
    english, chinese = sorted(truth)[0]
    result = _similar(store, tmp_path, str(ids[english]), "--limit", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"article {ids[english]} (en,")
    assert lines[1].startswith(f"1. #{ids[chinese]} zh |") and "translates link" in lines[1]
    assert chinese in lines[2]
    assert len([line for line in lines if line[:3] in ("1. ", "2. ", "3. ")]) == 3
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM similar_articles(:a, 3)"), {"a": ids[english]}).mappings().all()
    assert len(rows) == 3 and rows[0]["article_id"] == ids[chinese]
    assert rows[0]["relation"] == "translates" and rows[0]["cosine"] > rows[1]["cosine"]
    assert rows[0]["url"] == chinese and rows[0]["language"] == "zh"


def test_similar_without_embeddings_ranks_by_shared_anchors(store: Store, tmp_path: Path) -> None:
    articles, truth = wmt_articles()
    store.store_articles(articles)
    ids = _ids(store)
    english, chinese = sorted(truth)[0]
    result = _similar(store, tmp_path, str(ids[english]), "--no-encoder")
    assert result.returncode == 0, result.stderr
    assert f"#{ids[chinese]} zh" in result.stdout.splitlines()[1]
    assert "cosine -" in result.stdout and "shared anchors:" in result.stdout


def test_similar_rejects_an_unknown_article(store: Store, tmp_path: Path) -> None:
    result = _similar(store, tmp_path, "987654321")
    assert result.returncode == 2
    assert "no article with id 987654321" in result.stderr
    assert _similar(store, tmp_path, "abc").returncode == 2


def test_a_better_translation_crawled_later_replaces_the_earlier_link(store: Store) -> None:
    from tests.test_translation_links import EN_DIGITS, T0, ZH_NUMERALS

    def article(url: str, body: str, language: str, hours: int) -> Article:
        return Article(url=url, text=body, title=body[:30], language=language, segments=[Segment(language, body)],
                       published_at=T0 + timedelta(hours=hours))

    english = article("https://news-en.example.org/gdp.html", EN_DIGITS, "en", 3)
    partial = article("https://news-zh.example.org/industry.html",
                      "国家统计局十月一日表示，二○二一年前三季度全国规模以上工业增加值同比增长百分之九点八。", "zh", 1)
    store.store_articles([english, partial])
    link_new(store, use_encoder=False)
    assert _translations(store) == {(english.url, partial.url)}
    store.store_articles([article("https://news-zh.example.org/gdp.html", ZH_NUMERALS, "zh", 0)])
    stats = link_new(store, use_encoder=False)
    assert _translations(store) == {(english.url, "https://news-zh.example.org/gdp.html")}
    assert stats.links_removed == 1


def _translations(store: Store) -> set[tuple[str, str]]:
    sql = """SELECT c.url, o.url FROM syndication_links l JOIN articles c ON c.id = l.copy_article_id
             JOIN articles o ON o.id = l.original_article_id WHERE l.relation = 'translates'"""
    with store.engine.connect() as conn:
        return {(a, b) for a, b in conn.execute(text(sql))}


def test_similar_articles_is_documented_with_a_running_example(store: Store) -> None:
    doc = (Path(__file__).resolve().parents[1] / "schema" / "views.md").read_text(encoding="utf-8")
    section = doc.split("## similar_articles(…)", 1)[1]
    example = re.findall(r"```sql\n(.*?)```", section, re.S)[0]
    with store.engine.connect() as conn:
        conn.execute(text(example))
        columns = set(conn.execute(text("SELECT * FROM similar_articles(1) LIMIT 0")).keys())
    assert columns == set(re.findall(r"^\| `(\w+)` \|", section, re.M))
