"""`newscrawl search`, `newscrawl export` and `newscrawl db create-reader` as users run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from crawler.store.engine import make_engine
from tests.conftest import DatabaseServer
from tests.test_analyst_corpus import corpus_database
from tests.test_cli import newscrawl

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def env(db_server: DatabaseServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    url, _ = corpus_database(db_server)
    return {"DATABASE_URL": url, "NEWSCRAWL_DATA_DIR": str(tmp_path_factory.mktemp("data"))}


def test_search_prints_ranked_results(env: dict[str, str]) -> None:
    result = newscrawl("search", "人工智能 算力", "--lang", "zh", "--since", "2024-01-01", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1. 国家发改委：加快人工智能算力基础设施建设"
    assert lines[1].strip().startswith("Sina Finance | zh | 2024-03-01 | score ")
    assert "https://finance.sina.com.cn/tech/2024-03-01/doc-inakaaaa0001.shtml" in lines[1]
    assert "人工智能" in lines[2]
    assert len(lines) == 3

    german = newscrawl("search", "Rechenzentrum", "--lang", "de", env=env)
    assert [line for line in german.stdout.splitlines() if line[0].isdigit()] == [
        "1. Neues Rechenzentrum in Guizhou",
        "2. Ausbau der Rechenleistung",
    ]
    none = newscrawl("search", "Quantencomputer", env=env)
    assert none.returncode == 0 and "no articles match" in none.stdout


def test_export_jsonl_to_stdout_and_parquet_to_a_file(env: dict[str, str], tmp_path: Path) -> None:
    jsonl = newscrawl("export", "--format", "jsonl", "--lang", "de", env=env)
    assert jsonl.returncode == 0, jsonl.stderr
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["source"] for r in records] == ["People's Daily German"] * 3
    assert "3/3" in jsonl.stderr  # the progress bar
    assert "exported 3 articles as jsonl" in jsonl.stderr

    out = tmp_path / "sina.parquet"
    parquet = newscrawl(
        "export", "--format", "parquet", "--source", "新浪财经", "--since", "2024-03-01", "--output", str(out), env=env
    )
    assert parquet.returncode == 0, parquet.stderr
    table = pq.read_table(out)
    assert table.num_rows == 3 and set(table.column("source").to_pylist()) == {"Sina Finance"}


def test_create_reader_twice(env: dict[str, str]) -> None:
    name = f"analyst_{uuid.uuid4().hex[:8]}"
    try:
        for expected in ("created", "already existed"):
            result = newscrawl("db", "create-reader", name, env=env)
            assert result.returncode == 0, result.stderr
            assert expected in result.stdout
            assert f"connect with: postgresql://{name}@" in result.stdout
    finally:
        engine = make_engine(env["DATABASE_URL"])
        with engine.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{name}"'))
            conn.execute(text(f'DROP ROLE "{name}"'))
        engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "--format", "xml"), "invalid choice: 'xml'"),
        (("export", "--since", "notadate"), "'notadate' is not a date"),
        (("export", "--lang", "fr"), "unknown language 'fr'"),
        (("export", "--format", "parquet"), "needs --output FILE"),
        (("export", "--source", "No Such Paper"), "no source is named 'No Such Paper'"),
        (("search", "Xinhua", "--lang", "klingon"), "unknown language 'klingon'"),
        (("search", "Xinhua", "--since", "yesterday"), "'yesterday' is not a date"),
        (("search", "   "), "the query is empty"),
        (("db", "create-reader", "Bad-Name"), "must be lower-case letters"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(env: dict[str, str], args: tuple[str, ...], message: str) -> None:
    result = newscrawl(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "query,message",
    [("数字经济 " * 2000, "characters; at most 300"), ("chip " * 40, "the query has 40 words; at most 24")],
    ids=["10k-characters", "40-words"],
)
def test_a_query_too_long_to_search_is_refused_before_the_database(query: str, message: str, tmp_path: Path) -> None:
    """10,000 characters of repeated words used to run 9 s and fail in PostgreSQL with `invalid memory alloc`."""
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "search", query],
        env=os.environ | {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "NEWSCRAWL_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
