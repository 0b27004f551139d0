"""The store pipeline: batches, and nothing lost when the database is down or goes away mid-crawl."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from crawler.cli import main
from crawler.config import Config
from crawler.pipelines.store import StorePipeline
from crawler.store.database import Store
from crawler.store.models import Article
from crawler.store.spool import spool_files
from tests.factories import make_article, sample_batch

pytestmark = pytest.mark.db
T = TypeVar("T")


class NewsSpider(Spider):
    name = "test_news"


def _pipeline(monkeypatch: pytest.MonkeyPatch, data_dir: Path, database_url: str, batch_size: int = 10):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSCRAWL_DATA_DIR", str(data_dir))
    crawler = get_crawler(NewsSpider, {"STORE_BATCH_SIZE": batch_size})
    pipeline = StorePipeline.from_crawler(crawler)
    return pipeline, crawler.stats


def _run(step: Coroutine[Any, Any, T]) -> T:
    """Drive one of the pipeline's coroutines as Scrapy's loop would."""
    return asyncio.run(step)


def _articles(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


def test_pipeline_flushes_by_size_and_on_close(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline, stats = _pipeline(monkeypatch, tmp_path, store.url, batch_size=10)
    pipeline.open_spider()
    for article in sample_batch(25):
        assert _run(pipeline.process_item(article)) is article
    assert _articles(store) == 20  # two full batches written, five buffered
    _run(pipeline.close_spider())
    assert _articles(store) == 25
    assert stats.get_value("store/new") == 25
    assert spool_files(tmp_path / "spool") == []


def test_unreachable_database_spools_and_replay_stores_once(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong_port = make_url(store.url).set(host="127.0.0.1", port=1, query={}).render_as_string(hide_password=False)
    pipeline, stats = _pipeline(monkeypatch, tmp_path, wrong_port, batch_size=10)
    pipeline.open_spider()
    for article in sample_batch(15):
        _run(pipeline.process_item(article))
    _run(pipeline.close_spider())
    assert stats.get_value("store/spooled") == 15
    spooled = spool_files(tmp_path / "spool")  # one file per batch, each written whole
    lines = [line for path in spooled for line in path.read_text(encoding="utf-8").splitlines()]
    assert (len(spooled), len(lines)) == (2, 15)
    assert "database unavailable" in json.loads(lines[0])["reason"]

    monkeypatch.setenv("DATABASE_URL", store.url)
    assert main(["db", "replay-spool"]) == 0
    assert "15 articles stored" in capsys.readouterr().out
    assert _articles(store) == 15
    assert spool_files(tmp_path / "spool") == []
    assert all((tmp_path / "spool" / "done" / path.name).exists() for path in spooled)
    assert main(["db", "replay-spool"]) == 0
    assert "nothing to replay" in capsys.readouterr().out
    assert _articles(store) == 15


def test_database_lost_mid_crawl_spools_the_rest(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline, stats = _pipeline(monkeypatch, tmp_path, store.url, batch_size=5)
    pipeline.open_spider()
    batch = sample_batch(12)
    for article in batch[:5]:
        _run(pipeline.process_item(article))
    database = make_url(store.url).database
    admin = Store(make_url(store.url).set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :d AND pid <> pg_backend_pid()"
                ),
                {"d": database},
            )
            conn.commit()
        for article in batch[5:]:
            _run(pipeline.process_item(article))
        _run(pipeline.close_spider())
    finally:
        with admin.engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
            conn.commit()
        admin.dispose()
    assert stats.get_value("store/new") == 5
    assert stats.get_value("store/spooled") == 7
    assert stats.get_value("store/errors") == 2
    store.engine.dispose()  # its pooled connections were terminated
    from crawler.store.spool import replay_spool

    result = replay_spool(tmp_path / "spool", store.store_articles_isolating)
    assert (result.stored, result.rejected) == (7, 0)
    assert _articles(store) == 12


def test_a_poison_article_is_set_aside_alone_with_its_reason(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline, stats = _pipeline(monkeypatch, tmp_path, store.url, batch_size=50)
    pipeline.open_spider()
    for article in [*sample_batch(4), make_article("https://finance.sina.com.cn/a/blank.shtml", " \n ")]:
        _run(pipeline.process_item(article))
    _run(pipeline.close_spider())
    assert stats.get_value("store/new") == 4
    assert stats.get_value("store/spooled") is None
    assert stats.get_value("errors/store/rejected") == 1
    assert spool_files(tmp_path / "spool") == []  # nothing to replay: the database will never take it
    [rejected] = (tmp_path / "spool").glob("*.rejected")
    record = json.loads(rejected.read_text(encoding="utf-8"))
    assert "no text" in record["reason"]
    assert record["data"]["url"] == "https://finance.sina.com.cn/a/blank.shtml"


def test_unreadable_spool_lines_are_set_aside(store: Store, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    good = {"format": 1, "kind": "article", "reason": "x", "data": sample_batch(1)[0].to_dict()}
    (spool / "20240101T000000-x.jsonl").write_text(
        json.dumps(good, ensure_ascii=False)
        + "\n{not json\n"
        + json.dumps({"format": 1, "kind": "article", "data": {"bogus": 1}})
        + "\n",
        encoding="utf-8",
    )
    from crawler.store.spool import replay_spool

    result = replay_spool(spool, store.store_articles_isolating)
    assert (result.stored, result.rejected) == (1, 2)


def test_config_is_read_from_the_environment(tmp_path: Path) -> None:
    config = Config.from_env({"DATABASE_URL": "postgres://u@h:5433/db", "NEWSCRAWL_DATA_DIR": str(tmp_path)})
    assert config.database_url == "postgresql+psycopg2://u@h:5433/db"
    assert config.spool_dir == tmp_path / "spool"
    assert Config.from_env({"NEWSCRAWL_DATA_DIR": str(tmp_path)}).embedded
