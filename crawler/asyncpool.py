"""A pool of worker processes fed straight from the running asyncio event loop, with no helper threads.

`concurrent.futures.ProcessPoolExecutor` moves every job and result through two helper threads in the
calling process (a manager and a queue feeder), each woken per job: several context switches per crawled
page, each taking a core away from an extraction worker for a moment (benchmarks/crawl_costs.py prices
both). Here each worker has a pipe for jobs and one for results, and both ends in the calling process are
asyncio pipe transports: a job is written from the loop, a result wakes the loop once, and nothing else
runs in between.

- `await pool.run(job)` returns `func(job)` computed in a worker, or raises the exception `func` raised.
- Each worker holds at most IN_FLIGHT_PER_WORKER jobs (one running, one waiting in its pipe, so it never
  waits for the loop); the rest wait in the pool, so memory stays bounded whatever the caller submits.
- A worker that dies (killed, out of memory, a crash in C code), exceeds `job_timeout` or holds more than
  `max_rss` bytes of memory (it is killed) fails only the job it was running, with `WorkerCrashed`; the
  jobs queued behind it go to other workers and a new worker takes its place. Workers that keep dying
  before finishing anything break the pool: every job then fails (`WorkerCrashed`, then `PoolClosed`),
  none waits forever.
- Workers ignore SIGINT and SIGTERM, which a terminal's Ctrl-C or a service manager sends to the whole
  process group: the caller decides how to wind down (Scrapy finishes the items in flight) and `close()`
  ends the workers, every one it started, a replacement still starting included (an orphan would keep the
  process from exiting: multiprocessing's exit handler waits for it). A worker whose caller died reads the end
  of its job pipe and exits. A new worker gets
  jobs only once it has said it is ready (imports done, signals ignored).

Frames are an 8-byte big-endian length and a pickle. Workers start from a `multiprocessing` forkserver that
imports `preload` once, so each worker begins with those modules loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import multiprocessing
import os
import pickle
import signal
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

IN_FLIGHT_PER_WORKER = 2
PIPE_BYTES = 1 << 20  # Linux's default pipe-max-size: room for both jobs a worker may hold
MAX_FAILED_STARTS = 3  # workers dying in a row without finishing a job: the pool is broken
START_TIMEOUT = 120.0  # seconds for a new worker to import what it needs and say it is ready
_HEADER = struct.Struct("!Q")
MEMORY_WATCH_EVERY = 0.5  # seconds between looks at the workers' resident memory, when it is limited
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes(pid: int | None) -> int:
    """A process's resident memory (Linux /proc); 0 where it cannot be read (the process is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return 0


class WorkerCrashed(RuntimeError):
    """The worker process running a job died or was killed before it answered."""


class PoolClosed(RuntimeError):
    """A job was given to a pool that is closed or broken."""


# -- worker side -----------------------------------------------------------------------------------


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _answer(func: Callable[[Any], Any], payload: bytes) -> bytes:
    try:
        outcome: tuple[bool, Any] = (True, func(pickle.loads(payload)))
    except Exception as exc:
        outcome = (False, exc)
    try:
        return pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # a result or exception that cannot travel: say so instead
        error = RuntimeError(f"the worker's {'result' if outcome[0] else 'exception'} cannot be pickled: {exc!r}")
        return pickle.dumps((False, error), pickle.HIGHEST_PROTOCOL)


def _serve(func: Callable[[Any], Any], jobs: Any, results: Any) -> None:
    """A worker's main loop: read a job, answer it, until the job pipe closes."""
    # Ctrl-C and a service manager's SIGTERM reach the whole process group: the caller shuts down gracefully
    # and closes the pool; a worker whose caller is gone reads the end of its job pipe and returns
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    jobs_fd, results_fd = jobs.fileno(), results.fileno()
    _write_all(results_fd, _HEADER.pack(0))  # ready: an empty frame, which no answer ever is
    while True:
        header = _read_exact(jobs_fd, _HEADER.size)
        payload = _read_exact(jobs_fd, _HEADER.unpack(header)[0]) if header is not None else None
        if payload is None:
            return
        answer = _answer(func, payload)
        _write_all(results_fd, _HEADER.pack(len(answer)) + answer)


# -- loop side -------------------------------------------------------------------------------------


def _fail(jobs: Iterable[_Job], error: Exception) -> None:
    """Answer every job still waiting for its answer with `error`."""
    for job in jobs:
        if not job.future.done():
            job.future.set_exception(error)


def _end(process: Any) -> None:
    """Kill a worker process (it ignores SIGTERM) and reap it."""
    if process.is_alive():
        process.kill()
    process.join(5)


@dataclass
class _Job:
    payload: bytes
    future: asyncio.Future[Any]


@dataclass(eq=False)
class _Worker:
    process: Any  # multiprocessing.Process
    jobs: asyncio.WriteTransport
    in_flight: deque[_Job] = field(default_factory=deque)
    results: asyncio.ReadTransport | None = None
    answered: int = 0
    started: float = 0.0  # loop time when the job at the head of in_flight began
    timed_out: bool = False
    over_memory: bool = False


def _own_file(connection: Any, mode: str) -> Any:
    """A multiprocessing Connection's pipe end as a plain unbuffered file (for an asyncio transport), its pipe
    enlarged where Linux allows (F_SETPIPE_SZ), so a page goes in with one write instead of several rounds
    of partial writes and waits for the worker to read."""
    fd = os.dup(connection.fileno())
    connection.close()
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size for unprivileged users
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    return os.fdopen(fd, mode, 0)


class _ResultReader(asyncio.Protocol):
    def __init__(self, pool: ProcessPool) -> None:
        self.pool = pool
        self.worker: _Worker | None = None
        self.buffer = bytearray()
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # a start given up (cancelled by close) never awaits it: retrieve its failure so none is reported as lost
        self.ready.add_done_callback(lambda future: future.cancelled() or future.exception())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= _HEADER.size:
            size = _HEADER.unpack_from(self.buffer)[0]
            end = _HEADER.size + size
            if len(self.buffer) < end:
                return
            frame = bytes(self.buffer[_HEADER.size : end])
            del self.buffer[:end]
            if not self.ready.done():  # the worker's first frame: it has started and ignores stop signals
                self.ready.set_result(None)
                continue
            assert self.worker is not None
            self.pool._answered(self.worker, frame)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(WorkerCrashed("the worker exited while starting"))
        elif self.worker is not None:
            self.pool._lost(self.worker)


class ProcessPool:
    """`workers` processes computing `func` (a picklable, module-level function) for jobs from the loop."""

    def __init__(
        self,
        func: Callable[[Any], Any],
        workers: int,
        *,
        preload: Sequence[str] = (),
        job_timeout: float | None = None,
        max_rss: int | None = None,
        label: str = "worker",
    ) -> None:
        if workers < 1:
            raise ValueError("a process pool needs at least one worker")
        if job_timeout is not None and job_timeout <= 0:
            raise ValueError("job_timeout must be positive")
        if max_rss is not None and max_rss <= 0:
            raise ValueError("max_rss must be positive")
        self.func = func
        self.max_rss = max_rss
        self.size = workers
        self.job_timeout = job_timeout
        self.label = label  # how log lines and errors name a worker, e.g. "extraction worker"
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(list(preload))
        self.workers: list[_Worker] = []
        self.waiting: deque[_Job] = deque()
        self.closed = False
        self.broken: str | None = None
        self.failed_starts = 0
        self.crashes = 0
        self._watchdog: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._started: list[Any] = []  # every worker process started and not yet reaped by close()

    async def start(self) -> None:
        for _ in range(self.size):
            await self._spawn()
        if self.job_timeout is not None or self.max_rss is not None:  # one check now and then, not a timer per job
            self._watchdog = asyncio.get_running_loop().call_later(self._watch_every(), self._watch)

    async def run(self, job: Any) -> Any:
        """`func(job)` in a worker. Raises what `func` raised, WorkerCrashed, or PoolClosed."""
        if self.closed or self.broken:
            raise PoolClosed(self.broken or "the process pool is closed")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting.append(_Job(pickle.dumps(job, pickle.HIGHEST_PROTOCOL), future))
        self._dispatch()
        return await future

    async def close(self, timeout: float = 10.0) -> None:
        """Let the workers finish what they hold, end them, and fail whatever still waits."""
        self.closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
        _fail(self.waiting, PoolClosed("the process pool was closed"))
        self.waiting.clear()
        for worker in self.workers:
            worker.jobs.close()  # end of the job pipe: the worker returns once its jobs are answered
        deadline = time.monotonic() + timeout
        while any(w.process.is_alive() for w in self.workers) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join(1)
            if worker.results is not None:
                worker.results.close()
            _fail(worker.in_flight, PoolClosed("the process pool was closed before answering"))  # killed
            worker.in_flight.clear()
        for task in list(self._tasks):
            task.cancel()
        # a worker being started (replacing one that died) is ended by its cancelled task; then make sure
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for process in self._started:
            _end(process)
        self._started.clear()

    # -- internals ---------------------------------------------------------------------------------

    async def _spawn(self) -> None:
        loop = asyncio.get_running_loop()
        jobs_reader, jobs_writer = self.context.Pipe(duplex=False)
        results_reader, results_writer = self.context.Pipe(duplex=False)
        process = self.context.Process(
            target=_serve, args=(self.func, jobs_reader, results_writer), name=self.label.replace(" ", "-"), daemon=True
        )
        process.start()
        self._started = [p for p in self._started if p.exitcode is None]  # polling exitcode reaps the dead
        self._started.append(process)  # whatever happens next, close() kills and reaps it
        jobs_reader.close()  # the worker has its own copies; closing these lets EOF reach both sides
        results_writer.close()
        transports: list[asyncio.BaseTransport] = []
        try:
            jobs, _ = await loop.connect_write_pipe(asyncio.Protocol, _own_file(jobs_writer, "wb"))
            transports.append(jobs)
            reader = _ResultReader(self)
            results, _ = await loop.connect_read_pipe(lambda: reader, _own_file(results_reader, "rb"))
            transports.append(results)
            worker = _Worker(process, jobs, results=results)
            reader.worker = worker
            # jobs go only to a worker that has started (its imports done, stop signals ignored)
            await asyncio.wait_for(asyncio.shield(reader.ready), START_TIMEOUT)
            if self.closed:  # the pool closed while this worker started (a replacement as the spider closes)
                raise PoolClosed("the process pool was closed while a worker started")
        except BaseException as exc:  # cancelled by close() too: never leave a started worker behind
            _end(process)
            for transport in transports:
                transport.close()
            if isinstance(exc, (WorkerCrashed, asyncio.TimeoutError)):
                how = f"did not start within {START_TIMEOUT} s" if isinstance(exc, asyncio.TimeoutError) else "died"
                raise WorkerCrashed(f"a {self.label} {how} while starting (exit code {process.exitcode})") from None
            raise
        self.workers.append(worker)
        self._dispatch()

    def _dispatch(self) -> None:
        while self.waiting:
            job = self.waiting[0]
            if job.future.done():  # its caller gave up (cancelled) before a worker took it
                self.waiting.popleft()
                continue
            idle = [w for w in self.workers if len(w.in_flight) < IN_FLIGHT_PER_WORKER]
            if not idle:
                return
            worker = min(idle, key=lambda w: len(w.in_flight))
            self.waiting.popleft()
            if not worker.in_flight:
                worker.started = asyncio.get_running_loop().time()
            worker.in_flight.append(job)
            worker.jobs.write(_HEADER.pack(len(job.payload)))
            worker.jobs.write(job.payload)

    def _watch_every(self) -> float:
        every = min(max(self.job_timeout / 10, 0.05), 5.0) if self.job_timeout is not None else 5.0
        return min(every, MEMORY_WATCH_EVERY) if self.max_rss is not None else every

    def _watch(self) -> None:
        """Kill the workers whose current job has run past the timeout, or that hold more memory than allowed;
        their pipes closing does the rest."""
        now = asyncio.get_running_loop().time()
        for worker in self.workers:
            if not worker.in_flight or worker.timed_out or worker.over_memory or not worker.process.is_alive():
                continue
            if self.job_timeout is not None and now - worker.started > self.job_timeout:
                log.error("a %s took over %s s on one job: killing it", self.label, self.job_timeout)
                worker.timed_out = True
                worker.process.kill()  # its result pipe closes: _lost fails the job and replaces the worker
            elif self.max_rss is not None and (rss := resident_bytes(worker.process.pid)) > self.max_rss:
                log.error("a %s holds %d MB (limit %d MB): killing it", self.label, rss >> 20, self.max_rss >> 20)
                worker.over_memory = True
                worker.process.kill()
        if not self.closed:
            self._watchdog = asyncio.get_running_loop().call_later(self._watch_every(), self._watch)

    def _answered(self, worker: _Worker, frame: bytes) -> None:
        job = worker.in_flight.popleft()
        worker.answered += 1
        self.failed_starts = 0
        if worker.in_flight:
            worker.started = asyncio.get_running_loop().time()
        if not job.future.done():
            try:
                ok, value = pickle.loads(frame)
            except Exception as exc:
                job.future.set_exception(RuntimeError(f"the worker's answer cannot be read: {exc!r}"))
            else:
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)
        self._dispatch()

    def _lost(self, worker: _Worker) -> None:
        """The worker's result pipe closed: it exited. Fail its job, requeue the rest, start another."""
        if worker not in self.workers:
            return
        self.workers.remove(worker)
        worker.jobs.close()
        if self.closed:
            _fail(worker.in_flight, PoolClosed("the process pool was closed before answering"))
            worker.in_flight.clear()
            return
        worker.process.join(0.5)  # its pipe closed as it exited: this returns at once
        code = worker.process.exitcode
        if worker.timed_out:
            how = "was killed after exceeding the job timeout"
        elif worker.over_memory:
            how = f"was killed after exceeding its memory limit of {self.max_rss >> 20 if self.max_rss else 0} MB"
        else:
            how = f"died (exit code {code})"
        self.crashes += 1
        if worker.in_flight:
            running = worker.in_flight.popleft()
            if not running.future.done():
                running.future.set_exception(WorkerCrashed(f"the {self.label} {how} while working on this job"))
        self.waiting.extendleft(reversed(worker.in_flight))  # never started: they go to the front again
        worker.in_flight.clear()
        if worker.answered == 0 and not (worker.timed_out or worker.over_memory):
            self.failed_starts += 1
        if self.failed_starts >= MAX_FAILED_STARTS:
            self._break(f"{self.label}s keep dying before finishing any job (last: exit code {code})")
            return
        log.error("a %s %s; starting another", self.label, how)
        task = asyncio.get_running_loop().create_task(self._respawn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self) -> None:
        while not self.closed and not self.broken:
            try:
                await self._spawn()
                return
            except PoolClosed:
                return
            except WorkerCrashed as exc:
                self.failed_starts += 1
                if self.failed_starts >= MAX_FAILED_STARTS:
                    self._break(f"{self.label}s keep dying before finishing any job (last: {exc})")
            except Exception as exc:
                self._break(f"could not start a {self.label}: {exc.__class__.__name__}: {exc}")

    def _break(self, reason: str) -> None:
        self.broken = reason
        log.error("%s", reason)
        _fail(self.waiting, PoolClosed(reason))
        self.waiting.clear()
        for worker in self.workers:
            _fail(worker.in_flight, PoolClosed(reason))
            worker.in_flight.clear()
