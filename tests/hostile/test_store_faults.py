"""Faults on the way to the database: a row the database refuses, unstorable characters, a full disk.

Issue 12, items 1, 2 and 4: one bad page must cost only itself (it is set aside with its reason and the rest
of its batch is stored), a NUL or a lone surrogate in any field must neither block the store nor break the
spool, and a full disk while the database is down must lose nothing silently.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler
from sqlalchemy import select
from sqlalchemy.engine import make_url

from crawler.cli import main
from crawler.pipelines.store import StorePipeline
from crawler.store import spool as spool_module
from crawler.store.database import Store
from crawler.store.models import Article
from crawler.store.spool import SpoolWriter, pending_articles, read_spool, replay_spool, spool_files
from tests.factories import make_article, sample_batch

pytestmark = pytest.mark.db


class NewsSpider(Spider):
    name = "test_news"


def _pipeline(monkeypatch: pytest.MonkeyPatch, data_dir: Path, database_url: str, batch_size: int):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSCRAWL_DATA_DIR", str(data_dir))
    crawler = get_crawler(NewsSpider, {"STORE_BATCH_SIZE": batch_size})
    return StorePipeline.from_crawler(crawler), crawler.stats


def _crawl(pipeline: StorePipeline, articles: list[Any]) -> None:
    async def run() -> None:
        pipeline.open_spider()
        for article in articles:
            await pipeline.process_item(article)
        await pipeline.close_spider()

    asyncio.run(run())


def _stored_urls(store: Store) -> set[str]:
    with store.sessions() as session:
        return set(session.scalars(select(Article.url)))


def _oversized_canonical(seed: int = 12) -> Any:
    """A page whose same-site canonical URL is 10 KB of random characters: over the btree index's row limit."""
    noise = "".join(random.Random(seed).choices(string.ascii_letters + string.digits, k=10_000))
    return make_article(
        "https://finance.sina.com.cn/roll/2021-08-24/doc-poison.shtml",
        canonical_url=f"https://finance.sina.com.cn/{noise}",
    )


def _unreachable(store: Store) -> str:
    return make_url(store.url).set(host="127.0.0.1", port=1, query={}).render_as_string(hide_password=False)


# -- item 1: a row over a database limit poisons only itself -----------------------------------------------


def test_a_row_over_an_index_limit_is_set_aside_and_its_batch_stored(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    valid = sample_batch(10)
    pipeline, stats = _pipeline(monkeypatch, tmp_path, store.url, batch_size=200)
    _crawl(pipeline, [*valid[:5], _oversized_canonical(), *valid[5:]])
    assert _stored_urls(store) == {a.url for a in valid}
    assert stats.get_value("store/new") == 10
    assert stats.get_value("errors/store/rejected") == 1
    assert stats.get_value("store/spooled") is None  # not an outage: nothing waits for a replay
    [rejected] = (tmp_path / "spool").glob("*.jsonl.rejected")
    [record] = [json.loads(line) for line in rejected.read_text(encoding="utf-8").splitlines()]
    assert "ProgramLimitExceeded" in record["reason"] and "index" in record["reason"]
    assert record["data"]["url"].endswith("doc-poison.shtml")


def test_replay_spool_sets_the_poison_row_aside_instead_of_failing_forever(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spool file holding such a row (spooled while the database was down) replays: exit 0, file done."""
    pipeline, stats = _pipeline(monkeypatch, tmp_path, _unreachable(store), batch_size=200)
    _crawl(pipeline, [*sample_batch(10), _oversized_canonical()])
    assert stats.get_value("store/spooled") == 11
    monkeypatch.setenv("DATABASE_URL", store.url)
    assert main(["db", "replay-spool"]) == 0
    assert "10 articles stored" in capsys.readouterr().out
    assert len(_stored_urls(store)) == 10
    assert spool_files(tmp_path / "spool") == []
    assert main(["db", "replay-spool"]) == 0  # nothing left to fail on
    [rejected] = (tmp_path / "spool").glob("*.jsonl.rejected")
    assert "ProgramLimitExceeded" in json.loads(rejected.read_text(encoding="utf-8"))["reason"]


def test_an_outage_still_keeps_the_whole_batch(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline, stats = _pipeline(monkeypatch, tmp_path, store.url, batch_size=4)
    pipeline.open_spider()
    assert pipeline.store is not None
    pipeline.store.engine.dispose()
    pipeline.store.engine.url = make_url(_unreachable(store))  # type: ignore[misc]
    from crawler.store.engine import make_engine, make_session_factory

    pipeline.store.engine = make_engine(_unreachable(store))
    pipeline.store.sessions = make_session_factory(pipeline.store.engine)

    async def rest() -> None:
        for article in sample_batch(6):
            await pipeline.process_item(article)
        await pipeline.close_spider()

    asyncio.run(rest())
    assert stats.get_value("store/spooled") == 6
    assert stats.get_value("errors/store/rejected") is None
    assert pending_articles(tmp_path / "spool") == 6


# -- item 2: NULs and lone surrogates in any field --------------------------------------------------------


def _hostile_fields() -> Any:
    return make_article(
        "https://finance.sina.com.cn/roll/2021-08-24/doc-hostile.shtml",
        "正文\x00没有问题。",
        title="Title\x00 with NUL \ud800",
        authors=["Eve \ud800", "Bob\x00"],
        section="财经\x07",
    )


def test_nul_and_lone_surrogates_in_any_field_are_cleaned_and_stored(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline, stats = _pipeline(monkeypatch, tmp_path, store.url, batch_size=10)
    _crawl(pipeline, [*sample_batch(3), _hostile_fields()])
    assert stats.get_value("store/new") == 4
    with store.sessions() as session:
        row = session.scalars(select(Article).where(Article.url.like("%doc-hostile%"))).one()
        assert row.authors == ["Eve \ufffd", "Bob"]
        assert row.title == "Title with NUL \ufffd"
        assert row.text == "正文没有问题。"
        assert row.section == "财经"


def test_the_spool_takes_nul_and_lone_surrogates_and_replays_them(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline, stats = _pipeline(monkeypatch, tmp_path, _unreachable(store), batch_size=10)
    _crawl(pipeline, [*sample_batch(3), _hostile_fields()])
    assert stats.get_value("store/spooled") == 4
    files = spool_files(tmp_path / "spool")
    assert files and all(path.stat().st_size > 0 for path in files)
    result = replay_spool(tmp_path / "spool", store.store_articles_isolating)
    assert (result.stored, result.rejected) == (4, 0)
    assert len(_stored_urls(store)) == 4


# -- item 4: a full disk while the database is down -------------------------------------------------------


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """fsync in the spool raises ENOSPC while the list holds a number > 0 (decremented per failure)."""
    failures = [0]
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if failures[0] > 0:
            failures[0] -= 1
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(spool_module.os, "fsync", fsync)
    yield failures


def test_a_spool_write_that_hits_a_full_disk_is_retried_and_leaves_no_torn_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_disk: list[int]
) -> None:
    full_disk[0] = 1  # the first batch's write fails, then space is freed
    pipeline, stats = _pipeline(monkeypatch, tmp_path, _unreachable(store), batch_size=10)
    _crawl(pipeline, sample_batch(30))
    assert stats.get_value("store/spooled") == 30
    assert stats.get_value("errors/store/lost") is None
    assert pipeline.spool.count == pending_articles(tmp_path / "spool") == 30
    assert not list((tmp_path / "spool").glob("*.tmp"))
    assert replay_spool(tmp_path / "spool", store.store_articles_isolating).stored == 30


def test_a_disk_that_stays_full_reports_every_lost_article(
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    full_disk: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    full_disk[0] = 10**6
    pipeline, stats = _pipeline(monkeypatch, tmp_path, _unreachable(store), batch_size=10)
    batch = sample_batch(25)
    _crawl(pipeline, batch)
    assert stats.get_value("store/spooled") is None
    assert stats.get_value("errors/store/lost") == 25
    assert pending_articles(tmp_path / "spool") == 0
    assert not [p for p in (tmp_path / "spool").iterdir() if p.is_file()]  # no 0-byte or torn file
    lost_lines = [r.getMessage() for r in caplog.records if "is lost" in r.getMessage()]
    assert {a.url for a in batch} == {line.split()[1] for line in lost_lines}


def test_a_spool_file_with_a_torn_last_line_is_replayed_up_to_the_tear(store: Store, tmp_path: Path) -> None:
    """A file an older version appended to when the disk filled: the line is cut inside a character."""
    spool = tmp_path / "spool"
    writer = SpoolWriter(spool, "old")
    writer.write(sample_batch(3), "database unavailable")
    [path] = spool_files(spool)
    torn = json.dumps({"format": 1, "kind": "article", "reason": "x", "data": sample_batch(4)[3].to_dict()})
    torn_bytes = json.dumps(json.loads(torn), ensure_ascii=False).encode("utf-8")
    cut = torn_bytes.index("条".encode()) + 1  # in the middle of a three-byte character
    with path.open("ab") as out:
        out.write(torn_bytes[:cut])
    assert [article is not None for _, article, _ in read_spool(path)] == [True, True, True, False]
    result = replay_spool(spool, store.store_articles_isolating)
    assert (result.stored, result.rejected) == (3, 1)
    [rejected] = spool.glob("*.rejected")
    assert "unreadable line 4" in rejected.read_text(encoding="utf-8")
