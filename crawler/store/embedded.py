"""The embedded PostgreSQL server used when DATABASE_URL is unset (a PyPI wheel: pgserver).

The data directory lives inside the project's data folder and is reused across runs; the server
listens on a Unix socket only and is stopped when the last process using it exits. pgserver keeps the ids of
the processes using it in `pgdata/.handle_pids.json`; a process that was killed (SIGKILL, OOM) never takes
its id out, which would keep the server running for good, so ids of processes that are gone are dropped
before each start.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "newscrawl"

_servers: dict[Path, Any] = {}


class EmbeddedDatabaseError(RuntimeError):
    """The embedded server could not start; the message says how to use DATABASE_URL instead."""


def _hint(pgdata: Path, cause: BaseException) -> str:
    return (
        f"could not start the embedded PostgreSQL in {pgdata}: {cause}\n"
        "Set DATABASE_URL to use a server of your own instead, for example\n"
        "  export DATABASE_URL=postgresql://user@127.0.0.1:5432/newscrawl\n"
        f"(the embedded server's log, if any, is {pgdata / 'log'})"
    )


HOLDERS_FILE = ".handle_pids.json"


def drop_stale_holders(pgdata: Path) -> list[int]:
    """Take the ids of processes that no longer run out of the server's list of users; returns them.

    Runs under pgserver's own inter-process lock, the one it holds while it edits the list."""
    import psutil
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import DiskList

    holders = DiskList(pgdata / HOLDERS_FILE)
    with PostgresServer._lock:
        try:
            pids = holders.get()
        except ValueError:  # a torn file: nobody can be counted on as a user
            pids, holders_torn = [], True
        else:
            holders_torn = False
        gone = [pid for pid in pids if not _alive(psutil, pid)]
        if gone or holders_torn:
            holders.put([pid for pid in pids if pid not in gone])
    if gone:
        log.info("embedded PostgreSQL: dropped %d holder(s) whose process is gone: %s", len(gone), gone)
    return gone


def _alive(psutil: Any, pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def start_embedded(pgdata: Path, database: str = EMBEDDED_DATABASE) -> str:
    """Start (or join) the embedded server for `pgdata` and return a psycopg2 URL to `database`.

    The database is created on first use. Calling it again in the same process is cheap.
    """
    pgdata = pgdata.resolve()
    try:
        server = _servers.get(pgdata)
        if server is None:
            # pgserver asks platformdirs for a runtime dir; without XDG_RUNTIME_DIR that only warns.
            os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import pgserver  # imported lazily: only the embedded mode needs it

                pgdata.parent.mkdir(parents=True, exist_ok=True)
                if (pgdata / HOLDERS_FILE).exists():
                    drop_stale_holders(pgdata)
                server = pgserver.get_server(pgdata, cleanup_mode="stop")
            _servers[pgdata] = server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
        if "(1 row)" not in exists:
            server.psql(f'CREATE DATABASE "{database}";')
        uri: str = server.get_uri(database)
    except Exception as exc:  # any failure of a third-party server start becomes one clear message
        raise EmbeddedDatabaseError(_hint(pgdata, exc)) from exc
    log.debug("embedded PostgreSQL at %s", uri)
    return "postgresql+psycopg2://" + uri.split("://", 1)[1]


def stop_embedded() -> None:
    """Release this process's handles (the server stops when no process uses it any more)."""
    while _servers:
        _, server = _servers.popitem()
        server.cleanup()
