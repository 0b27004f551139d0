"""How analysts reach the database: `newscrawl db shell` (psql) and `newscrawl db serve` (a local port).

The embedded PostgreSQL listens on a Unix socket only and stops when the last command using it exits, so a URL
printed by one command is dead once it returns. `db shell` runs psql while it holds the server. `db serve`
holds it until Ctrl-C and forwards a TCP port on 127.0.0.1 to its socket, so psql, pandas, DBeaver and anything
else that speaks PostgreSQL can connect to `postgresql://postgres@127.0.0.1:PORT/newscrawl` meanwhile. The
port is bound to the loopback interface only: like the socket, it is open to users of this machine, without
a password (the embedded server trusts local connections).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from crawler.config import normalise_database_url

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


def libpq_url(url: str, *, with_password: bool = False) -> str:
    """The URL as psql, libpq and pandas take it: `postgresql://user@host:port/db?…`, no driver name, and no
    `:***` for an empty or hidden password (shown only when `with_password`)."""
    parsed = make_url(normalise_database_url(url))
    password = parsed.password if with_password and parsed.password else None
    plain = URL.create("postgresql", parsed.username, password, parsed.host, parsed.port, parsed.database, parsed.query)
    return plain.render_as_string(hide_password=False)


def psql_binary() -> str | None:
    """psql on PATH, else the one shipped in the embedded server's wheel (pgserver)."""
    found = shutil.which("psql")
    if found:
        return found
    try:
        import pgserver

        shipped = Path(pgserver.__file__).resolve().parent / "pginstall" / "bin" / "psql"
    except ImportError:
        return None
    return str(shipped) if shipped.exists() else None


def run_psql(url: str, extra: list[str]) -> int:
    """psql on `url` (its password through PGPASSWORD, never on the command line); returns psql's exit code."""
    binary = psql_binary()
    if binary is None:
        raise FileNotFoundError("psql is not installed: install the PostgreSQL client (apt install postgresql-client)")
    env = dict(os.environ)
    password = make_url(normalise_database_url(url)).password
    if password:
        env["PGPASSWORD"] = password
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C cancels psql's query, not this command
    try:
        return subprocess.run([binary, libpq_url(url), *extra], env=env).returncode
    finally:
        signal.signal(signal.SIGINT, previous)


def embedded_socket(pgdata: Path) -> Path:
    """The Unix socket of the running embedded server, from its postmaster.pid (port line 4, folder line 5)."""
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    return Path(lines[4]) / f".s.PGSQL.{lines[3].strip()}"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _forward(socket_path: Path, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
    try:
        server_reader, server = await asyncio.open_unix_connection(str(socket_path))
    except OSError as exc:
        log.warning("db serve: cannot reach the embedded server's socket %s: %s", socket_path, exc)
        client.close()
        return
    await asyncio.gather(_pipe(client_reader, server), _pipe(server_reader, client))


async def serve_socket(socket_path: Path, port: int, ready: Callable[[int], None], stop: asyncio.Event) -> None:
    """Forward connections to 127.0.0.1:`port` (0: any free port) to `socket_path` until `stop` is set."""
    server = await asyncio.start_server(
        lambda r, w: _forward(socket_path, r, w), host="127.0.0.1", port=port, reuse_address=True
    )
    async with server:
        ready(server.sockets[0].getsockname()[1])
        await stop.wait()


def serve_until_stopped(socket_path: Path, port: int, ready: Callable[[int], None]) -> None:
    """Run the forwarder until Ctrl-C or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve_socket(socket_path, port, ready, stop)

    asyncio.run(main())
