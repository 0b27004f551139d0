"""Closing the extraction pool while it replaces a dead worker (issue 12, item 6): every worker it started is
killed and reaped, so the crawl's process can exit (workers ignore SIGTERM, so an orphan would hang it)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time

from crawler.asyncpool import ProcessPool
from tests.hostile.slow_start_worker import echo


def test_closing_while_a_replacement_worker_starts_leaves_no_process_behind() -> None:
    started: list[multiprocessing.process.BaseProcess] = []

    async def body() -> None:
        pool = ProcessPool(echo, 1, job_timeout=30)  # nothing preloaded: each worker imports slowly
        await pool.start()
        try:
            assert await pool.run(21) == 21
            [first] = pool.workers
            started.append(first.process)
            os.kill(first.process.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # the replacement process exists but is not ready yet
                children = [p for p in multiprocessing.active_children() if p is not first.process]
                if children and not pool.workers:
                    started.extend(children)
                    break
                await asyncio.sleep(0.01)
            assert len(started) == 2, "no replacement worker was started"
        finally:
            await pool.close()

    try:
        asyncio.run(body())
        assert [p.is_alive() for p in started] == [False, False]
        assert all(p.exitcode is not None for p in started)  # reaped, not left a zombie
        assert multiprocessing.active_children() == []
    finally:
        for process in started:
            if process.is_alive():
                process.kill()
                process.join(5)
