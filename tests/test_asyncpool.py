"""The event-loop-fed process pool: answers, errors, dying and hanging workers, bounds, no helper threads."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.asyncpool import IN_FLIGHT_PER_WORKER, MAX_FAILED_STARTS, PoolClosed, ProcessPool, WorkerCrashed
from crawler.items import FetchedPage
from crawler.pipelines.extract import ExtractPipeline


def double_or_fail(job: Any) -> Any:
    """The workers' function: module-level, so the forkserver's children can import it."""
    if job == "die":
        os._exit(3)
    if job == "hang":
        time.sleep(60)
    if job == "raise":
        raise ValueError("bad job")
    if job == "unpicklable":
        return threading.Lock()
    if job == "hog":
        hoard = [bytearray(1 << 20) for _ in range(400)]  # 400 MB, then wait to be stopped
        time.sleep(60)
        return len(hoard)
    return job * 2


def raise_on_page(page: FetchedPage) -> Any:
    assert isinstance(page, FetchedPage)
    raise ValueError("no parse")


def always_die(job: Any) -> Any:
    os._exit(5)


def _with_pool(
    test: Callable[[ProcessPool], Awaitable[None]],
    func: Callable[[Any], Any] = double_or_fail,
    workers: int = 2,
    **options: Any,
) -> ProcessPool:
    async def body() -> ProcessPool:
        pool = ProcessPool(func, workers, **options)
        await pool.start()
        try:
            await test(pool)
        finally:
            await pool.close()
        return pool

    return asyncio.run(body())


def test_answers_every_job_with_no_helper_thread() -> None:
    async def test(pool: ProcessPool) -> None:
        threads = threading.active_count()
        answers = await asyncio.gather(*(pool.run(n) for n in range(40)))
        assert answers == [2 * n for n in range(40)]
        assert threading.active_count() == threads
        assert pool.crashes == 0

    pool = _with_pool(test)
    assert not any(w.process.is_alive() for w in pool.workers)  # close() ended them


def test_the_functions_exception_reaches_the_caller_and_the_worker_goes_on() -> None:
    async def test(pool: ProcessPool) -> None:
        with pytest.raises(ValueError, match="bad job"):
            await pool.run("raise")
        with pytest.raises(RuntimeError, match="cannot be pickled"):
            await pool.run("unpicklable")
        assert await pool.run(21) == 42
        assert pool.crashes == 0

    _with_pool(test, workers=1)


def test_a_dying_worker_fails_only_its_job_and_is_replaced() -> None:
    async def test(pool: ProcessPool) -> None:
        outcomes = await asyncio.gather(*(pool.run(j) for j in [1, "die", 2, 3, 4, 5, 6]), return_exceptions=True)
        crashed = [o for o in outcomes if isinstance(o, WorkerCrashed)]
        assert len(crashed) == 1 and "died (exit code 3)" in str(crashed[0])
        assert [o for o in outcomes if not isinstance(o, Exception)] == [2, 4, 6, 8, 10, 12]
        assert await asyncio.gather(*(pool.run(n) for n in range(6))) == [0, 2, 4, 6, 8, 10]
        # The replacement starts in the background while the other worker answers: on a loaded machine it may
        # still be importing when those jobs are done.
        deadline = time.monotonic() + 60
        while len(pool.workers) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert pool.crashes == 1 and len(pool.workers) == 2

    _with_pool(test)


def test_a_job_over_the_timeout_kills_its_worker_only() -> None:
    async def test(pool: ProcessPool) -> None:
        started = time.monotonic()
        outcomes = await asyncio.gather(pool.run("hang"), pool.run(1), pool.run(2), return_exceptions=True)
        assert time.monotonic() - started < 30
        assert isinstance(outcomes[0], WorkerCrashed) and "job timeout" in str(outcomes[0])
        assert outcomes[1:] == [2, 4]
        assert await pool.run(5) == 10

    _with_pool(test, workers=1, job_timeout=1.0)


def test_a_worker_over_its_memory_limit_is_killed_and_only_its_job_fails() -> None:
    async def test(pool: ProcessPool) -> None:
        started = time.monotonic()
        outcomes = await asyncio.gather(pool.run("hog"), pool.run(1), return_exceptions=True)
        assert time.monotonic() - started < 30
        assert isinstance(outcomes[0], WorkerCrashed) and "memory limit of 200 MB" in str(outcomes[0])
        assert outcomes[1] == 2
        assert await pool.run(5) == 10  # a new worker took its place

    _with_pool(test, workers=1, max_rss=200 << 20)


def test_workers_that_keep_dying_break_the_pool_and_nothing_waits_forever() -> None:
    async def test(pool: ProcessPool) -> None:
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(pool.run(n) for n in range(10)), return_exceptions=True), timeout=60
        )
        assert all(isinstance(o, WorkerCrashed | PoolClosed) for o in outcomes)
        assert sum(isinstance(o, WorkerCrashed) for o in outcomes) == MAX_FAILED_STARTS
        assert pool.broken and "keep dying" in pool.broken
        with pytest.raises(PoolClosed):
            await pool.run(1)

    _with_pool(test, func=always_die, workers=1)


def test_each_worker_holds_a_bounded_number_of_jobs() -> None:
    async def test(pool: ProcessPool) -> None:
        tasks = [asyncio.ensure_future(pool.run(n)) for n in range(50)]
        await asyncio.sleep(0)  # every run() has queued its job
        assert all(len(w.in_flight) <= IN_FLIGHT_PER_WORKER for w in pool.workers)
        assert len(pool.waiting) == 50 - IN_FLIGHT_PER_WORKER * len(pool.workers)
        assert await asyncio.gather(*tasks) == [2 * n for n in range(50)]

    _with_pool(test)


# -- the extraction pipeline on top of it -----------------------------------------------------------


class _State:
    def __init__(self) -> None:
        self.failures: list[tuple[str, str, str]] = []

    def record_failure(self, url: str, kind: str, reason: str) -> None:
        self.failures.append((url, kind, reason))


class _Engine:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    async def close_spider_async(self, *, reason: str) -> None:
        self.reasons.append(reason)


def _page(n: int) -> FetchedPage:
    return FetchedPage(
        url=f"https://finance.sina.com.cn/roll/2024-01-01/doc-i{n}.shtml",
        status=200,
        headers={},
        body=b"<html></html>",
        fetched_at=datetime.now(timezone.utc),
    )


def test_the_extraction_pipeline_counts_a_crashed_page_and_stops_when_workers_cannot_run() -> None:
    crawler = get_crawler()
    crawler.spider = type("S", (), {"state": _State()})()  # type: ignore[assignment]
    crawler.engine = _Engine()  # type: ignore[assignment]
    crawler.stats.open_spider()
    pipeline = ExtractPipeline.from_crawler(crawler)

    async def body() -> None:
        pipeline.pool = ProcessPool(always_die, 1)
        await pipeline.pool.start()
        for n in range(MAX_FAILED_STARTS + 2):
            with pytest.raises(DropItem, match="extraction failed"):
                await pipeline.process_item(_page(n))
        await asyncio.sleep(0)  # the engine's close was scheduled, not awaited
        await pipeline.close_spider()

    asyncio.run(body())
    assert crawler.stats.get_value("errors/extract/crashed") == MAX_FAILED_STARTS + 2
    assert [kind for _, kind, _ in crawler.spider.state.failures] == ["crashed"] * (MAX_FAILED_STARTS + 2)
    assert crawler.engine.reasons == ["extraction_broken"]


def test_closing_with_a_job_still_running_fails_it_instead_of_leaving_it_waiting() -> None:
    async def body() -> None:
        pool = ProcessPool(double_or_fail, 1)
        await pool.start()
        process = pool.workers[0].process
        hanging = asyncio.ensure_future(pool.run("hang"))
        await asyncio.sleep(0.2)
        await pool.close(timeout=0.5)
        with pytest.raises(PoolClosed):
            await asyncio.wait_for(hanging, timeout=5)
        assert not process.is_alive()

    asyncio.run(body())


def test_an_exception_from_extraction_drops_only_that_page_and_records_it() -> None:
    crawler = get_crawler()
    crawler.spider = type("S", (), {"state": _State()})()  # type: ignore[assignment]
    crawler.stats.open_spider()
    pipeline = ExtractPipeline.from_crawler(crawler)

    async def body() -> None:
        pipeline.pool = ProcessPool(raise_on_page, 1)
        await pipeline.pool.start()
        with pytest.raises(DropItem, match="extraction raised ValueError: no parse"):
            await pipeline.process_item(_page(0))
        await pipeline.close_spider()

    asyncio.run(body())
    assert crawler.stats.get_value("errors/extract/error") == 1
    assert crawler.spider.state.failures == [(_page(0).url, "error", "ValueError: no parse")]
