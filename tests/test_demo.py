"""`newscrawl demo` end to end: the bundled capture through the real spiders, pipelines and linker, twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from crawler.store.database import Store

pytestmark = pytest.mark.db


def demo(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")} | env
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "demo"], env=full_env, capture_output=True, text=True, timeout=600
    )


def _query(url: str, sql: str) -> list[tuple]:
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        store.dispose()


LINKS_SQL = """
SELECT c.url, l.relation, l.evidence, coalesce(o.url, l.original_url, s.name)
FROM syndication_links l JOIN articles c ON c.id = l.copy_article_id
LEFT JOIN articles o ON o.id = l.original_article_id LEFT JOIN sources s ON s.id = l.original_source_id
"""


def test_demo_crawls_links_and_reports_then_stores_nothing_twice(fresh_database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    first = demo(env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "articles new 37" in first.stdout
    assert "errors: none" in first.stdout
    for title in ("Articles per source and language", "Who republishes, translates or cites whom"):
        assert title in first.stdout
    assert "The corpus is in the database of DATABASE_URL" in first.stdout
    assert "Try next:" in first.stdout and "newscrawl search" in first.stdout and "newscrawl serve" in first.stdout

    per_source = dict(
        _query(
            fresh_database_url,
            "SELECT s.name, count(*) FROM articles a JOIN sources s ON s.id = a.source_id GROUP BY 1",
        )
    )
    assert per_source["Sina Finance"] == 4 and per_source["Sina News"] == 4
    assert per_source["People's Daily"] == 3 and per_source["People's Daily English"] == 1
    assert per_source["China Daily"] == 2 and per_source["Qpute"] == 1
    languages = dict(_query(fresh_database_url, "SELECT language, count(*) FROM articles GROUP BY 1"))
    assert languages["de"] >= 17 and languages["zh"] >= 12 and languages["en"] >= 5

    links = _query(fresh_database_url, LINKS_SQL)
    sina = "https://finance.sina.com.cn/china/dfjj/2021-08-24/doc-ikqciyzm3386217.shtml"
    qpute = next(url for url, *_ in links if url.startswith("https://qpute.com/"))
    assert (qpute, "translates", "source_link", sina) in links
    assert any(c.startswith("https://ai-news.example/") and o and "shobserver.com" in o for c, _, _, o in links)
    assert any(c.startswith("https://snapshot-news.example/") and o == "Workers' Daily" for c, _, _, o in links)
    assert any(c.startswith("https://ki-nachrichten.example/") and o == "China News Service" for c, _, _, o in links)

    second = demo(env)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "articles new 0" in second.stdout
    assert _query(fresh_database_url, "SELECT count(*) FROM articles") == [(37,)]
    assert sorted(_query(fresh_database_url, LINKS_SQL)) == sorted(links)
    runs = _query(fresh_database_url, "SELECT spider, status FROM crawl_runs ORDER BY id")
    assert runs == [("demo", "finished"), ("demo", "finished")]


def _wait_for(url: str, sql: str, within: float = 120) -> None:
    deadline = time.monotonic() + within
    tables = "SELECT 1 FROM pg_tables WHERE tablename = 'crawl_runs'"
    while not (_query(url, tables) and _query(url, sql)):
        assert time.monotonic() < deadline, f"never true: {sql}"
        time.sleep(0.05)


STAGES = {
    "starting": "SELECT 1 FROM crawl_runs WHERE status = 'running'",  # the spiders are being set up
    "crawling": "SELECT 1 FROM articles",  # pages are being fetched and stored
}


@pytest.mark.parametrize(
    "stage,presses", [("starting", 1), ("crawling", 1), ("crawling", 2)], ids=["starting", "crawling", "twice"]
)
def test_ctrl_c_stops_the_demo(fresh_database_url: str, tmp_path: Path, stage: str, presses: int) -> None:
    """Ctrl-C (to the whole process group, as a terminal sends it) as the crawl starts or while it runs: the
    demo stops there, does not link or report, records the run as interrupted and exits 130; so it does when
    Ctrl-C is pressed twice."""
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")} | env
    running = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "demo"],
        env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        _wait_for(fresh_database_url, STAGES[stage])
        for _ in range(presses):
            os.killpg(running.pid, signal.SIGINT)
            time.sleep(0.3)
        stdout, stderr = running.communicate(timeout=120)
    finally:
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
            running.wait()
    assert running.returncode == 130, stdout[-3000:] + stderr[-3000:]
    assert "crawl run 1: interrupted" in stdout and "not linked" in stdout
    assert "links:" not in stdout and "Articles per source and language" not in stdout
    assert _query(fresh_database_url, "SELECT status FROM crawl_runs") == [("interrupted",)]
