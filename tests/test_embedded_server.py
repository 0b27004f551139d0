"""The embedded PostgreSQL outlives no command: a killed user of it does not keep it running for good."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.test_cli import newscrawl

pytestmark = pytest.mark.db

HOLDER = """
import sys, time
from pathlib import Path
from crawler.store.embedded import start_embedded
start_embedded(Path(sys.argv[1]))
print("up", flush=True)
time.sleep(600)
"""


def _postmaster(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False


def test_a_killed_command_does_not_keep_the_embedded_server_running(tmp_path: Path) -> None:
    data = tmp_path / "data"
    pgdata = data / "pgdata"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(pgdata)], stdout=subprocess.PIPE, text=True)
    server_pid = None
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "up"
        server_pid = _postmaster(pgdata)
        assert server_pid is not None
        holder.send_signal(signal.SIGKILL)  # no exit handler runs: its id stays in the list of users
        holder.wait(timeout=10)
        assert json.loads((pgdata / ".handle_pids.json").read_text()) == [holder.pid]

        result = newscrawl("db", "upgrade", env={"NEWSCRAWL_DATA_DIR": str(data)})
        assert result.returncode == 0, result.stderr
        # the command was the server's last live user: the server stopped when it exited
        assert _gone(server_pid, within=20), "the embedded server kept running after its last user exited"
        assert json.loads((pgdata / ".handle_pids.json").read_text()) == []
    finally:
        holder.kill()
        holder.wait(timeout=10)
        if server_pid is not None and not _gone(server_pid, within=0):
            os.kill(server_pid, signal.SIGTERM)  # the server this test started, left behind by a failure


def test_analysts_reach_the_embedded_database_with_shell_and_serve(tmp_path: Path) -> None:
    """`db current` prints a URL without a `***` password; `db shell` runs psql on the embedded server;
    `db serve` keeps it up on a local TCP port that a plain client reaches, until Ctrl-C stops it."""
    import psycopg2

    from crawler.sources import REGISTRY

    data = tmp_path / "data"
    env = {"NEWSCRAWL_DATA_DIR": str(data)}
    assert newscrawl("db", "upgrade", env=env).returncode == 0
    current = newscrawl("db", "current", env=env)
    assert current.returncode == 0 and "***" not in current.stdout and "db serve" in current.stdout
    shell = newscrawl("db", "shell", "-c", "SELECT 40 + 2 AS answer", env=env)
    assert shell.returncode == 0, shell.stderr
    assert "42" in shell.stdout

    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")} | env
    serve = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "db", "serve", "--port", "0"],
        env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert serve.stdout is not None
        lines = [serve.stdout.readline() for _ in range(2)]
        url = lines[1].split()[-1]
        assert url.startswith("postgresql://postgres@127.0.0.1:"), lines
        with psycopg2.connect(url) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sources")
            assert cursor.fetchone() == (len(REGISTRY),)
        conn.close()
        server_pid = _postmaster(data / "pgdata")
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=30) == 0
    finally:
        serve.kill()
        serve.wait()
    assert server_pid is not None and _gone(server_pid, within=20)
