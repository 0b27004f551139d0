"""One crawl run as cron runs it: lock, `crawl_runs` row, spiders in one process, summary, exit status.

`run_crawl` takes the crawl lock (crawler.store.crawllock) so an overlapping run exits at once (one lock per
database; with REDIS_URL, where crawlers on several machines share a frontier, one per crawler name), records
the run in `crawl_runs` (status, counts of pages, articles new/updated/unchanged, errors by kind), logs to a
file and reports failure when a spider failed to start or did not finish normally.

A run's status says what happened, and the exit code of `newscrawl crawl` follows it:
  finished     every spider finished and every source could be discovered
  degraded     the spiders finished, but no feed, sitemap or listing of some source could be read
  failed       a spider failed; or nothing could be discovered for any source; or every article fetch failed
  interrupted  stopped by a signal (Ctrl-C, SIGTERM), or its process died and a later run closed the row
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text, update
from sqlalchemy.exc import SQLAlchemyError

from crawler.config import Config
from crawler.store import crawllock
from crawler.store.crawllock import CrawlLocked as CrawlLocked  # raised by run_crawl: the CLI catches it here
from crawler.store.database import Store
from crawler.store.models import CrawlRun

log = logging.getLogger(__name__)

# the application_name of the connection holding a run's lock: while it is connected, the run is alive
RUN_CONNECTION_NAME = "newscrawl crawl run {}"
CLOSE_ATTEMPTS = (0, 1, 3, 6, 10)  # seconds to wait before each try to record the run's end
NORMAL_FINISH = {"finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout"}


@dataclass
class SpiderOutcome:
    spider: str
    finish_reason: str | None
    error: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    signalled: bool = False  # the crawl got Ctrl-C or SIGTERM before this spider finished

    @property
    def ok(self) -> bool:
        return self.error is None and self.finish_reason in NORMAL_FINISH

    @property
    def status(self) -> str:
        """`finished`, `degraded`, `failed` or `interrupted` (see the module docstring)."""
        if self.interrupted:
            return "interrupted"
        if not self.ok:
            return "failed"
        failed_sources = self.failed_sources
        if failed_sources and len(failed_sources) >= int(self.stats.get("discovery/sources", 0)):
            return "failed"
        fetch_errors = sum(int(v) for k, v in self.stats.items() if k.startswith("errors/fetch/"))
        answered = int(self.stats.get("articles/fetched", 0)) + int(self.stats.get("incremental/not_modified", 0))
        # URLs that failed before and fail again on retry alone do not fail a run that found nothing new
        if fetch_errors > int(self.stats.get("incremental/retried", 0)) and not answered:
            return "failed"
        return "degraded" if failed_sources else "finished"

    @property
    def interrupted(self) -> bool:
        """Stopped by a signal: closed with reason `shutdown`, or started and then cut off (a second Ctrl-C)."""
        if self.finish_reason == "shutdown" or (self.error or "").startswith("KeyboardInterrupt"):
            return True
        return self.finish_reason is None and (self.signalled or "start_time" in self.stats)

    @property
    def failed_sources(self) -> list[str]:
        """The sources of which no feed, sitemap, listing or API page could be read."""
        names = self.stats.get("discovery/sources_failed") or ""
        return [name for name in str(names).split(", ") if name]

    @property
    def problem(self) -> str | None:
        """Why the status is not `finished`, in words (None when it is)."""
        status = self.status
        if status == "finished":
            return None
        if self.interrupted:
            return "stopped by Ctrl-C or SIGTERM"
        if not self.ok:
            return self.error or f"finished with reason {self.finish_reason}"
        failed_sources = self.failed_sources
        if failed_sources:
            every = "any source" if status == "failed" else "source(s)"
            return f"nothing could be discovered for {every}: {', '.join(failed_sources)}"
        return "every article fetch failed"


STATUS_ORDER = ("interrupted", "failed", "degraded", "finished")


def run_status(outcomes: Sequence[SpiderOutcome]) -> str:
    """The run's status: interrupted if any spider was stopped by a signal, else its spiders' worst."""
    if not outcomes:
        return "failed"
    return min((o.status for o in outcomes), key=STATUS_ORDER.index)


@dataclass
class RunOutcome:
    run_id: int
    status: str
    log_file: Path
    spiders: list[SpiderOutcome]
    summary: dict[str, Any]
    recorded: bool = True  # False: the database was gone when the run ended, its row still says `running`
    stale_runs_closed: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "finished"

    @property
    def exit_code(self) -> int:
        """What `newscrawl crawl` exits with: 0 finished, 130 interrupted, 1 degraded, failed or not recorded."""
        if not self.recorded and self.status == "finished":
            return 1
        return {"finished": 0, "interrupted": 130}.get(self.status, 1)


def _process_alive(pid: int, started_at: datetime | None) -> bool:
    """Whether process `pid` of this machine runs and is older than the run it would have started."""
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = process.create_time()
    except psutil.Error:
        return False
    return started_at is None or created <= started_at.timestamp() + 1


def close_stale_runs(store: Store, this_run: int) -> list[int]:
    """Close as `interrupted` the `running` rows whose crawl is gone; returns their ids.

    A run is alive while the connection holding its lock is connected (its application_name names the run),
    or, for a run of this machine, while its process runs: a database restart drops the connection of a
    crawl that goes on. A killed crawl (SIGKILL, OOM, power loss) has neither."""
    here = socket.gethostname()
    with store.sessions.begin() as session:
        rows = session.execute(
            text(
                "SELECT r.id, r.host, r.pid, r.started_at FROM crawl_runs AS r "
                "WHERE r.status = 'running' AND r.id <> :me AND NOT EXISTS ("
                "  SELECT 1 FROM pg_stat_activity AS a WHERE a.application_name = :prefix || r.id) "
                "FOR UPDATE OF r SKIP LOCKED"
            ),
            {"me": this_run, "prefix": RUN_CONNECTION_NAME.format("")},
        ).all()
        stale = [r.id for r in rows if not (r.host == here and r.pid and _process_alive(r.pid, r.started_at))]
        if stale:
            session.execute(
                update(CrawlRun)
                .where(CrawlRun.id.in_(stale))
                .values(
                    status="interrupted",
                    finished_at=datetime.now(timezone.utc),
                    error=f"its process ended without closing the run (killed?); closed by run {this_run}",
                )
            )
    if stale:
        log.warning("closed %d crawl run(s) whose process is gone as interrupted: %s", len(stale), stale)
    return stale


def _record_end(store: Store, run_id: int, values: Mapping[str, Any]) -> bool:
    """Write the run's end, retrying while the database restarts; False when it stayed unreachable."""
    import time

    for attempt, wait in enumerate(CLOSE_ATTEMPTS):
        time.sleep(wait)
        try:
            with store.sessions.begin() as session:
                session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))
            return True
        except SQLAlchemyError as exc:
            log.warning("recording the end of crawl run %d failed (try %d): %s", run_id, attempt + 1, exc)
    return False


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def summarise(outcomes: Sequence[SpiderOutcome]) -> dict[str, Any]:
    """The counts a cron operator reads: pages, articles new/updated/unchanged, errors by kind."""
    total: dict[str, Any] = {
        "pages": 0,
        "articles_new": 0,
        "articles_updated": 0,
        "articles_unchanged": 0,
        "not_modified": 0,
        "spooled": 0,
        "errors": {},
    }
    for outcome in outcomes:
        stats = outcome.stats
        total["pages"] += int(stats.get("downloader/response_count", 0))
        total["articles_new"] += int(stats.get("store/new", 0))
        total["articles_updated"] += int(stats.get("store/updated", 0))
        total["articles_unchanged"] += int(stats.get("store/unchanged", 0))
        total["not_modified"] += int(stats.get("incremental/not_modified", 0))
        total["spooled"] += int(stats.get("store/spooled", 0))
        for key, value in stats.items():
            if key.startswith("errors/"):
                kind = key.removeprefix("errors/")
                total["errors"][kind] = total["errors"].get(kind, 0) + int(value)
    total["failed_sources"] = sorted({name for o in outcomes for name in o.failed_sources})
    total["spiders"] = {
        o.spider: {
            "finish_reason": o.finish_reason,
            "error": o.error,
            "stats": {k: _jsonable(v) for k, v in sorted(o.stats.items())},
        }
        for o in outcomes
    }
    return total


def _stats_of(crawler: Any) -> dict[str, Any]:
    """A crawler's stats; empty when its crawl never started (its spider could not be created)."""
    try:
        stats = crawler.stats
    except RuntimeError:  # Scrapy >= 2.13: "Crawler.stats is not set yet"
        return {}
    return dict(stats.get_stats()) if stats is not None else {}


def _crawl(
    spiders: Sequence[str],
    spider_args: Mapping[str, Mapping[str, str]],
    settings_overrides: Mapping[str, Any],
    log_file: Path,
    run_id: int,
    stopper: _StopOnSignal,
) -> list[SpiderOutcome]:
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    stop_signals = stopper.received
    settings = get_project_settings()
    settings.setdict(dict(settings_overrides), priority="cmdline")
    settings.set("LOG_FILE", str(log_file), priority="cmdline")
    settings.set("CRAWL_RUN_ID", run_id, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    # the crawl's own log goes to LOG_FILE; a console handler installed before (the CLI's) shows warnings only
    for handler in logging.getLogger().handlers:
        if type(handler) is logging.StreamHandler:
            handler.setLevel(max(handler.level, logging.WARNING))
    process = CrawlerProcess(settings)
    # Scrapy leaves the root logger at NOTSET and filters in its handler, so every request's and item's DEBUG
    # line ("Crawled (200)", "Scraped from") is built and thrown away: the level on its own loggers skips that
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL") or "DEBUG")
    outcomes: dict[str, SpiderOutcome] = {}
    crawlers = {}
    for name in spiders:
        crawler = process.create_crawler(name)
        crawlers[name] = crawler
        outcomes[name] = SpiderOutcome(name, None)
        deferred = process.crawl(crawler, **spider_args.get(name, {}))

        def failed(failure: Any, name: str = name) -> None:
            outcomes[name].error = f"{failure.value.__class__.__name__}: {failure.value}"
            if isinstance(failure.value, KeyboardInterrupt):
                log.warning("spider %s interrupted before it started", name)
            else:
                log.error("spider %s failed: %s", name, outcomes[name].error)

        deferred.addErrback(failed)
    if stop_signals or any((o.error or "").startswith("KeyboardInterrupt") for o in outcomes.values()):
        for outcome in outcomes.values():  # Ctrl-C while the spiders were being set up: none of them runs
            outcome.error = outcome.error or "KeyboardInterrupt: stopped before it started"
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command only winds down now
        return list(outcomes.values())
    stopper.process = process  # a signal before Scrapy's own handlers are in place stops the crawlers
    _note_stop_signals(stop_signals)
    process.start()
    # after a second Ctrl-C Scrapy ignores SIGINT and SIGTERM for good: give them back for what follows the crawl,
    # except Ctrl-C once the crawl was stopped by one: the command only winds down then (see cli._exit_code)
    signal.signal(signal.SIGINT, signal.SIG_IGN if stop_signals else signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_leftover_workers()
    for name, crawler in crawlers.items():
        stats = _stats_of(crawler)
        outcomes[name].stats = dict(stats)
        outcomes[name].finish_reason = stats.get("finish_reason")
        outcomes[name].signalled = bool(stop_signals)
        if outcomes[name].finish_reason is None and outcomes[name].error is None:
            started = "start_time" in stats
            outcomes[name].error = "stopped before it finished" if started else "the spider did not run"
    return list(outcomes.values())


class _StopOnSignal:
    """Records SIGINT and SIGTERM from the moment a crawl is being set up until Scrapy installs its own handlers
    (just after the event loop starts); once the crawlers exist, such a signal stops them as Scrapy's would.
    Python's default handler raises KeyboardInterrupt wherever the program happens to be: inside the event loop
    or a weakref callback it is logged and swallowed, and the crawl ran on and reported success."""

    def __init__(self, received: list[int]) -> None:
        self.received = received
        self.process: Any = None
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self)

    def __call__(self, number: int, frame: Any) -> None:
        self.received.append(number)
        if self.process is not None:
            from twisted.internet import reactor

            reactor.callFromThread(self.process.stop)


def _note_stop_signals(received: list[int]) -> None:
    """Append to `received` each stop signal the crawl gets: Scrapy's handlers (installed as the event loop
    starts) are wrapped once they are in place. A spider stopped before it was fully open has no finish
    reason; this tells an interrupted run from one whose spiders never ran."""
    from twisted.internet import reactor

    def wrap() -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            handler = signal.getsignal(signum)
            if callable(handler):

                def noting(number: int, frame: Any, handler: Any = handler) -> None:
                    received.append(number)
                    handler(number, frame)

                signal.signal(signum, noting)

    reactor.callWhenRunning(reactor.callLater, 0, wrap)  # type: ignore[attr-defined]


def _end_leftover_workers() -> None:
    """Kill worker processes that a cut-short crawl (a second Ctrl-C stops the event loop at once) could not
    close. Extraction workers ignore stop signals, so Python's exit would otherwise wait for them forever."""
    import multiprocessing

    for child in multiprocessing.active_children():
        log.warning("ending worker process %d (%s) left by the crawl", child.pid, child.name)
        child.kill()
        child.join(5)


def run_crawl(
    spiders: Sequence[str],
    config: Config,
    spider_args: Mapping[str, str] | None = None,
    settings_overrides: Mapping[str, Any] | None = None,
    label: str | None = None,
    per_spider_args: Mapping[str, Mapping[str, str]] | None = None,
) -> RunOutcome:
    """Run `spiders` in this process under the crawl lock and record the run. Raises CrawlLocked.

    `spider_args` go to every spider, `per_spider_args[name]` to one (and win over the common ones).
    """
    store = Store.from_config(config)
    store.check()
    config.log_dir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    log_file = config.log_dir / f"crawl-{started.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
    # crawlers on other machines share the frontier (REDIS_URL): only this crawler's runs wait
    crawler_name = (config.crawler_name or socket.gethostname()) if config.redis_url else None
    lock = crawllock.acquire(store.engine, crawler_name)
    stopper = _StopOnSignal([])  # from the moment the run is recorded, a stop signal is noted, never lost
    try:
        with store.sessions.begin() as session:
            run_id = session.execute(
                insert(CrawlRun)
                .values(
                    spider=label or ",".join(spiders),
                    status="running",
                    host=socket.gethostname(),
                    pid=os.getpid(),
                    log_file=str(log_file),
                )
                .returning(CrawlRun.id)
            ).scalar_one()
        status, error = "failed", None
        outcomes: list[SpiderOutcome] = []
        stale: list[int] = []
        try:
            # named in its open transaction (a commit would end the lock): pg_stat_activity shows the name at once
            name_run = text("SELECT set_config('application_name', :name, false)")
            lock.execute(name_run, {"name": RUN_CONNECTION_NAME.format(run_id)})
            stale = close_stale_runs(store, run_id)
            arguments = {name: {**(spider_args or {}), **(per_spider_args or {}).get(name, {})} for name in spiders}
            if stopper.received:
                raise KeyboardInterrupt
            outcomes = _crawl(spiders, arguments, settings_overrides or {}, log_file, run_id, stopper)
            status = run_status(outcomes)
            problems = [f"{o.spider}: {o.problem}" for o in outcomes if o.problem]
            error = "; ".join(problems) or None
        except KeyboardInterrupt:  # Ctrl-C before Scrapy's own handling is in place: the run stops here
            status, error = "interrupted", "stopped by Ctrl-C or SIGTERM before the spiders ran"
        except BaseException as exc:
            error = f"{exc.__class__.__name__}: {exc}"
            status = "failed"
            raise
        finally:
            summary = summarise(outcomes)
            ended = {"status": status, "finished_at": datetime.now(timezone.utc), "stats": summary, "error": error}
            recorded = _record_end(store, run_id, ended)
        return RunOutcome(run_id, status, log_file, outcomes, summary, recorded, stale)
    finally:
        try:  # ends the transaction holding the lock; a connection lost with the database took its lock with it
            lock.close()
        except SQLAlchemyError as exc:
            log.warning("the crawl lock's connection was lost (%s); its lock went with it", exc.__class__.__name__)
            with contextlib.suppress(SQLAlchemyError):  # already closed by the failed close
                lock.invalidate()
        store.dispose()
