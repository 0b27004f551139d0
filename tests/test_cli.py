"""The `newscrawl` command as users run it: a real process, a real database, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

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


def _at_head(url: str) -> bool:
    return migrate.current_revision(url) == migrate.head_revision()


def _typed(args: list[str], env: dict[str, str], answer: str) -> subprocess.CompletedProcess[str]:
    """Run `newscrawl ARGS` with a terminal as standard input, on which the user types `answer`."""
    import pty

    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")} | env
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", *args], stdin=terminal, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=full_env, text=True,
        )
        os.write(controller, (answer + "\n").encode())
        stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(terminal)
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_a_downgrade_deletes_nothing_unconfirmed(fresh_database_url: str, tmp_path: Path) -> None:
    """`db downgrade` drops tables: without --yes it needs the database's name typed on a terminal; from a
    script it refuses (exit 2). A revision that does not exist is one line and exit 2, for upgrade too."""
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(tmp_path)}
    migrate.upgrade(fresh_database_url)
    store = Store(fresh_database_url)
    store.store_articles([make_article("https://finance.sina.com.cn/a/1.shtml")])
    store.dispose()
    name = make_url(fresh_database_url).database or ""

    scripted = newscrawl("db", "downgrade", "base", env=env)
    assert scripted.returncode == 2
    assert "--yes" in scripted.stderr and "1 articles are stored" in scripted.stderr
    wrong = _typed(["db", "downgrade", "base"], env, "yes")
    assert wrong.returncode == 2 and "not confirmed" in wrong.stderr
    assert _at_head(fresh_database_url)

    for args in (("db", "downgrade", "nonsense", "--yes"), ("db", "upgrade", "nonsense")):
        bad = newscrawl(*args, env=env)
        assert bad.returncode == 2, bad.stderr
        assert bad.stderr.strip().splitlines() == [bad.stderr.strip()] and "unknown revision 'nonsense'" in bad.stderr
    assert _at_head(fresh_database_url)

    typed = _typed(["db", "downgrade", "-1"], env, name)
    assert typed.returncode == 0, typed.stderr
    assert not _at_head(fresh_database_url)
    assert newscrawl("db", "downgrade", "base", "--yes", env=env).returncode == 0
    assert migrate.current_revision(fresh_database_url) is None


def test_the_data_folder_does_not_follow_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.config import Config

    monkeypatch.chdir(tmp_path)
    assert Config.from_env({}).data_dir == Path(__file__).resolve().parents[1] / "data"
    assert Config.from_env({"NEWSCRAWL_DATA_DIR": "here"}).data_dir == tmp_path / "here"


def test_a_database_without_schema_names_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "elsewhere"
    result = newscrawl("stats", env={"NEWSCRAWL_DATA_DIR": str(data)})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "run `newscrawl db upgrade`" in lines[0] and str(data / "pgdata") in lines[0]


def test_database_errors_are_one_line(tmp_path: Path) -> None:
    result = newscrawl(
        "stats", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "NEWSCRAWL_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "sqlalche.me" not in result.stderr and "127.0.0.1:1/none" in result.stderr


def test_export_errors_and_a_closed_pipe_are_no_tracebacks(fresh_database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": fresh_database_url, "NEWSCRAWL_DATA_DIR": str(tmp_path)}
    migrate.upgrade(fresh_database_url)
    store = Store(fresh_database_url)
    text = "Ein langer Absatz über Rechenzentren und Energie. " * 80
    store.store_articles(
        [make_article(f"https://www.dw.com/de/a-{i}", text, language="de") for i in range(60)]
    )
    store.dispose()

    folder = newscrawl("export", "--output", str(tmp_path), env=env)
    assert folder.returncode == 2 and "is a folder" in folder.stderr and "Traceback" not in folder.stderr

    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")} | env
    piped = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{sys.executable} -m crawler.cli export --quiet | head -1"],
        env=full_env, capture_output=True, text=True, timeout=120,
    )
    assert len(piped.stdout.splitlines()) == 1
    assert piped.returncode == 141, piped.stderr
    assert "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr


def test_the_readme_cron_line_works_on_a_fresh_deployment(fresh_database_url: str, tmp_path: Path) -> None:
    """The README's cron line, run by a shell in a deployment folder that has no data/ yet (the crawl is
    replaced by `db current`: this checks the line's folders and redirections, not a crawl)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    line = next(row for row in readme.splitlines() if row.startswith("17 * * * *"))
    command = line.split(None, 5)[5]
    deployment = tmp_path / "deployment"
    deployment.mkdir()
    (deployment / ".venv").symlink_to(Path(sys.executable).parent.parent)
    command = command.replace("/srv/newscrawl", str(deployment))
    command = command.replace("postgresql://crawler@db/news", fresh_database_url)
    command = command.split("newscrawl crawl", 1)[0] + "newscrawl db current >>" + command.split(">>", 1)[1]
    migrate.upgrade(fresh_database_url)
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")}
    result = subprocess.run(["bash", "-c", command.replace("\\%", "%")], env=full_env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "current revision" in (deployment / "data" / "logs" / "cron.log").read_text()
