"""The linker against a real PostgreSQL: seed articles, links with evidence, idempotent re-runs, URL links
upgraded when the original is crawled, the stories views."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from crawler.analyst.views import refresh_views, run_script
from crawler.items import Article
from crawler.linking.run import link_all, link_new
from crawler.store.database import Store
from crawler.store.engine import make_engine
from tests.linking_seeds import SHOBSERVER_URL, all_seeds, qpute_001, sina_000

pytestmark = pytest.mark.db
SCHEMA_VIEWS = Path(__file__).resolve().parents[1] / "schema" / "views"
SEED_PAGES = Path(__file__).resolve().parent / "fixtures" / "pages" / "seeds"

LINKS_SQL = """
SELECT c.url AS copy_url, o.url AS original_url_of_article, l.original_url, s.name AS source, s.kind AS source_kind,
       l.relation, l.evidence, l.score, l.details
FROM syndication_links l
JOIN articles c ON c.id = l.copy_article_id
LEFT JOIN articles o ON o.id = l.original_article_id
LEFT JOIN sources s ON s.id = l.original_source_id
ORDER BY l.id
"""


def _links(store: Store) -> list[dict[str, object]]:
    with store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(text(LINKS_SQL))]


def _count(store: Store, sql: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar() or 0)


def test_seed_articles_link_with_evidence_and_reruns_add_nothing(store: Store) -> None:
    store.seed_sources()
    store.store_articles(all_seeds())
    stats = link_new(store)
    assert stats.articles == 5 and stats.signatures_computed == 5
    links = _links(store)

    [translation] = [x for x in links if x["relation"] == "translates" and x["original_url_of_article"]]
    assert "qpute.com" in str(translation["copy_url"]) and "sina.com.cn" in str(translation["original_url_of_article"])
    assert translation["evidence"] == "cross_lingual"
    assert {"1.75e12", "3.16e3", "4.094e9", "7.205e10"} <= set(translation["details"]["numbers"])  # type: ignore[index]

    [shobserver] = [x for x in links if x["original_url"] and "shobserver.com" in str(x["original_url"])]
    assert (shobserver["relation"], shobserver["evidence"], shobserver["source"]) == (
        "republishes", "source_link", "Shanghai Observer")

    [workers] = [x for x in links if x["source"] == "Workers' Daily"]
    assert (workers["relation"], workers["evidence"]) == ("republishes", "attribution_text")

    [cns] = [x for x in links if x["source"] == "China News Service"]
    assert (cns["relation"], cns["evidence"], cns["source_kind"]) == ("cites", "attribution_text", "agency")

    assert _count(store, "SELECT count(*) FROM articles a LEFT JOIN article_link_data d ON d.article_id = a.id "
                  "AND d.content_hash = a.content_hash WHERE d.signature IS NULL") == 0
    before = _count(store, "SELECT count(*) FROM syndication_links")
    assert link_new(store).articles == 0  # nothing new
    link_new(store, since_run=[1, 2, 3, 4, 5])
    assert link_all(store).links_removed == 0
    assert _count(store, "SELECT count(*) FROM syndication_links") == before


def test_source_link_to_stored_article_and_url_link_upgraded_later(store: Store) -> None:
    store.seed_sources()
    store.store_articles([qpute_001(with_source_link=True)])
    link_new(store)
    [url_link] = _links(store)
    assert url_link["original_url_of_article"] is None and "sina.com.cn" in str(url_link["original_url"])
    assert (url_link["relation"], url_link["source"]) == ("translates", "Sina Finance")  # registry: Sina is zh

    store.store_articles([sina_000()])
    stats = link_new(store)
    assert stats.url_links_resolved == 1
    [link] = _links(store)
    assert "sina.com.cn" in str(link["original_url_of_article"])
    assert (link["relation"], link["evidence"]) == ("translates", "source_link")
    assert "cross_lingual" in link["details"]["evidence"]  # type: ignore[index]
    assert link_all(store).links_written == 1 and len(_links(store)) == 1


def test_shobserver_link_resolves_when_its_page_is_crawled(store: Store) -> None:
    seeds = all_seeds()
    store.store_articles(seeds)
    link_new(store)
    original = Article(url=SHOBSERVER_URL.replace("https://www.", "http://"), text=seeds[2].text, language="zh",
                       published_at=seeds[2].published_at)
    store.store_articles([original])
    link_new(store)
    rows = [x for x in _links(store) if "shobserver" in str(x["original_url_of_article"] or "")]
    assert rows and rows[0]["relation"] == "republishes"


def test_stories_views(store: Store) -> None:
    store.store_articles(all_seeds())
    link_new(store)
    refresh_views(store)  # as the commands do after linking (the stories views are materialised)
    with store.engine.connect() as conn:
        stories = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM stories ORDER BY story_id"))]
        members = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM story_articles ORDER BY article_id"))]
    sina = next(s for s in stories if s["original_source"] == "Sina Finance")
    assert sina["article_count"] == 2 and sina["translated_count"] == 1 and sina["languages"] == ["en", "zh"]
    assert sina["sources"] == ["Qpute", "Sina Finance"] and sina["max_lag_hours"] > 0
    copy = next(m for m in members if m["source"] == "Qpute")
    assert (copy["is_original"], copy["relation"], copy["story_id"]) == (False, "translates", sina["story_id"])
    shob = next(s for s in stories if s["original_url"] and "shobserver" in s["original_url"])
    assert shob["original_article_id"] is None and shob["article_count"] == 1
    # a source named in prose (China News Service) makes no story
    assert len(stories) == 2


def test_stories_views_match_schema_files(migrated_database_url: str) -> None:
    engine = make_engine(migrated_database_url)
    names = ("story_articles", "stories")
    sql = "SELECT pg_get_viewdef(c.oid, true) FROM pg_class c WHERE c.relname = :n AND c.relkind = 'm'"
    with engine.connect() as conn:
        migrated = {n: conn.execute(text(sql), {"n": n}).scalar() for n in names}
        assert all(migrated.values())
        for name in reversed(names):
            conn.execute(text(f"DROP MATERIALIZED VIEW {name}"))
        for name in names:
            run_script(conn, (SCHEMA_VIEWS / f"{name}.sql").read_text(encoding="utf-8"))
        from_files = {n: conn.execute(text(sql), {"n": n}).scalar() for n in names}
        conn.rollback()
    engine.dispose()
    assert from_files == migrated


@pytest.mark.skipif(not (SEED_PAGES / "qpute_seed001.html").exists(), reason="seed page fixtures not built")
def test_through_the_extractor(store: Store) -> None:
    from crawler.extract import extract

    articles = []
    for page in sorted(SEED_PAGES.glob("*.html")):
        expected = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
        articles.append(extract(page.read_bytes(), expected["url"]))
    store.seed_sources()
    store.store_articles(articles)
    link_new(store)
    links = _links(store)
    [qpute] = [x for x in links if "qpute.com" in str(x["copy_url"])]
    assert "sina.com.cn" in str(qpute["original_url_of_article"]) and qpute["relation"] == "translates"
    assert {"source_link", "cross_lingual"} <= set(qpute["details"]["evidence"])  # type: ignore[index]
    assert any(x["source"] == "Workers' Daily" for x in links)
    assert any(x["source"] == "China News Service" and x["relation"] == "cites" for x in links)
    assert any("shobserver.com" in str(x["original_url"]) for x in links)


def test_stories_views_are_documented(migrated_database_url: str) -> None:
    doc = (SCHEMA_VIEWS.parent / "views.md").read_text(encoding="utf-8")
    engine = make_engine(migrated_database_url)
    with engine.connect() as conn:
        for name in ("story_articles", "stories"):
            section = doc.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
            conn.execute(text(re.findall(r"```sql\n(.*?)```", section, re.S)[0]))
            columns = set(conn.execute(text(f"SELECT * FROM {name} LIMIT 0")).keys())
            assert columns == set(re.findall(r"^\| `(\w+)` \|", section, re.M)), name
    engine.dispose()


def test_newscrawl_link_command(store: Store, tmp_path: Path) -> None:
    store.store_articles(all_seeds())
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")}
    env.update({"DATABASE_URL": store.url, "NEWSCRAWL_DATA_DIR": str(tmp_path)})
    for args in (["link", "--no-encoder"], ["link", "--rebuild", "--no-encoder"]):
        result = subprocess.run([sys.executable, "-m", "crawler.cli", *args], env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "links written" in result.stdout
    assert _count(store, "SELECT count(*) FROM syndication_links WHERE relation = 'translates'") == 1
    # the command refreshed the materialised stories views: the Sina story and the uncrawled shobserver page
    assert _count(store, "SELECT count(*) FROM stories") == 2
