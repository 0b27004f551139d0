"""The `newscrawl` command as users run it: a real process, a real database, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import build_parser
from crawler.sources import REGISTRY
from crawler.store import migrate
from crawler.store.database import Store
from tests.factories import make_article

pytestmark = pytest.mark.db


def newscrawl(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def test_help_lists_every_command_with_one_line() -> None:
    parser = build_parser()
    help_text = parser.format_help()
    for command in ("db", "stats"):
        assert f"    {command} " in help_text
    result = newscrawl("--help", env={})
    assert result.returncode == 0
    assert "stats" in result.stdout and "db" in result.stdout
    db_help = newscrawl("db", "--help", env={})
    for sub in ("upgrade", "downgrade", "current", "replay-spool"):
        assert sub in db_help.stdout


def test_upgrade_then_stats_counts_per_source_and_language(fresh_database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(tmp_path)}
    before = newscrawl("stats", env=env)
    assert before.returncode == 1
    assert "newscrawl db upgrade" in before.stderr

    upgraded = newscrawl("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"is at revision {migrate.head_revision()}" in upgraded.stdout
    current = newscrawl("db", "current", env=env)
    assert "(up to date)" in current.stdout

    store = Store(fresh_database_url)
    store.store_articles(
        [
            make_article("https://finance.sina.com.cn/a/1.shtml"),
            make_article("https://finance.sina.com.cn/a/2.shtml"),
            make_article("https://en.people.cn/n3/2024/0101/c90000-1.html", "English text.", language="en"),
        ]
    )
    store.dispose()
    stats = newscrawl("stats", env=env)
    assert stats.returncode == 0, stats.stderr
    lines = stats.stdout.splitlines()
    assert lines[0].startswith("3 articles, 3 language segments")
    sina = next(line for line in lines if line.startswith("Sina Finance"))
    assert sina.split()[2:4] == ["zh", "2"]
    assert any(line.startswith("People's Daily English") and " en " in line for line in lines)


def test_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    result = newscrawl(
        "stats", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "NEWSCRAWL_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_settings_and_arguments_exit_2(tmp_path: Path) -> None:
    result = newscrawl("stats", env={"DATABASE_URL": "mysql://root@localhost/x", "NEWSCRAWL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr
    assert newscrawl("db", "replay-spool", "--batch-size", "0", env={}).returncode == 2
    assert newscrawl("no-such-command", env={}).returncode == 2


def test_embedded_default_needs_no_server(tmp_path: Path) -> None:
    env = {"NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    upgraded = newscrawl("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "data" / "pgdata" / "PG_VERSION").exists()
    stats = newscrawl("stats", env=env)  # a second process reuses the same data directory
    assert stats.returncode == 0, stats.stderr
    assert "0 articles" in stats.stdout and f"{len(REGISTRY)} sources" in stats.stdout


def test_embedded_failure_says_how_to_set_database_url(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data directory should be")
    result = newscrawl("stats", env={"NEWSCRAWL_DATA_DIR": str(blocker)})
    assert result.returncode == 1
    assert "could not start the embedded PostgreSQL" in result.stderr
    assert "DATABASE_URL" in result.stderr
