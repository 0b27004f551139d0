"""`newscrawl serve` as users run it: a real HTTP server on 127.0.0.1 over a corpus database (DATABASE_URL, and the
embedded server after `db upgrade`), stopped by Ctrl-C; bad ports, a port in use and an unmigrated database
are one line and an exit code."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crawler.web.serve import is_loopback
from tests.conftest import DatabaseServer
from tests.test_cli import newscrawl
from tests.web_corpus import WebCorpus, web_corpus

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def corpus(db_server: DatabaseServer, tmp_path_factory: pytest.TempPathFactory) -> WebCorpus:
    return web_corpus(db_server, tmp_path_factory.mktemp("warc"))


@contextmanager
def serving(env: dict[str, str], *extra: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`newscrawl serve --port 0` running; yields its base URL and process (stopped with Ctrl-C after)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")} | env
    process = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", "--port", "0", *extra],
                               env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("serving the corpus at http://127.0.0.1:"):
            process.wait(timeout=30)
            raise AssertionError(f"newscrawl serve did not start: {line!r} {process.stderr and process.stderr.read()}")
        yield line.split()[4], process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_serve_answers_over_http_until_ctrl_c(corpus: WebCorpus, tmp_path: Path) -> None:
    env = {"DATABASE_URL": corpus.url, "NEWSCRAWL_DATA_DIR": str(tmp_path)}
    with serving(env) as (base, process):
        status, html = _get(base + "?q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD")
        assert status == 200 and "国家发改委：加快人工智能算力基础设施建设" in html
        status, html = _get(f"{base}stories/{corpus.ids['LZ']}")
        assert status == 200 and 'id="column-de"' in html
        assert _get(base + "articles/nope")[0] == 404
        assert _get(base + "?q=" + "x" * 400)[0] == 400
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) in (0, 130)
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()


def test_serve_on_the_embedded_database_keeps_it_up(tmp_path: Path) -> None:
    env = {"NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    assert newscrawl("db", "upgrade", env=env).returncode == 0
    with serving(env) as (base, _):
        for path in ("", "?q=test", "stories", "sources", "health"):
            status, html = _get(base + path)
            assert status == 200, (path, html[:300])
        assert "No crawl has run yet" in _get(base + "health")[1]


def test_serve_refuses_bad_settings_with_one_line(corpus: WebCorpus, fresh_database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": corpus.url, "NEWSCRAWL_DATA_DIR": str(tmp_path)}
    bad_port = newscrawl("serve", "--port", "70000", env=env)
    assert bad_port.returncode == 2 and "not a port number" in bad_port.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        in_use = newscrawl("serve", "--port", str(port), env=env)
    assert in_use.returncode == 1
    assert in_use.stderr.strip().count("\n") == 0 and f"cannot listen on 127.0.0.1:{port}" in in_use.stderr
    unmigrated = newscrawl("serve", "--port", "0", env={**env, "DATABASE_URL": fresh_database_url})
    assert unmigrated.returncode == 1 and "newscrawl db upgrade" in unmigrated.stderr


def test_only_loopback_counts_as_private() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
