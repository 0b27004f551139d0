"""Exports round-trip: JSON lines and Parquet read back with the same articles, fields, segments and links."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Connection

from crawler.analyst.export import FIELDS, PARQUET_SCHEMA, ExportFilter, count_articles, export, resolve_source
from crawler.store.engine import make_engine
from tests.conftest import DatabaseServer
from tests.test_analyst_corpus import corpus_articles, corpus_database

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def corpus(db_server: DatabaseServer) -> tuple[str, dict[str, int]]:
    return corpus_database(db_server)


@pytest.fixture
def conn(corpus: tuple[str, dict[str, int]]) -> Iterator[Connection]:
    engine = make_engine(corpus[0])
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _jsonl(conn: Connection, selection: ExportFilter, path: Path) -> list[dict[str, Any]]:
    export(conn, selection, "jsonl", path, io.StringIO(), batch_size=4)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_and_parquet_round_trip(conn: Connection, corpus: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    ids = corpus[1]
    everything = ExportFilter()
    ticks: list[int] = []
    written = export(
        conn, everything, "parquet", tmp_path / "all.parquet", io.StringIO(), lambda: ticks.append(1), batch_size=4
    )  # fmt: skip  (several row groups)
    from_jsonl = _jsonl(conn, everything, tmp_path / "all.jsonl")
    table = pq.read_table(tmp_path / "all.parquet")
    from_parquet = table.to_pylist()

    assert written == len(ticks) == len(from_jsonl) == len(from_parquet) == len(corpus_articles()) == 13
    assert table.schema.equals(PARQUET_SCHEMA)
    assert pq.ParquetFile(tmp_path / "all.parquet").num_row_groups == 4
    assert all(tuple(record) == FIELDS for record in from_jsonl)
    assert [r["id"] for r in from_jsonl] == [r["id"] for r in from_parquet] == sorted(ids.values())

    for j, p in zip(from_jsonl, from_parquet, strict=True):
        p["published_at"] = p["published_at"].isoformat() if p["published_at"] else None
        p["modified_at"] = p["modified_at"].isoformat() if p["modified_at"] else None
        p["fetched_at"] = p["fetched_at"].isoformat() if p["fetched_at"] else None
        assert j == p

    by_id = {r["id"]: r for r in from_jsonl}
    s1 = by_id[ids["S1"]]
    assert s1["source"] == "Sina Finance" and s1["language"] == "zh"
    assert datetime.fromisoformat(s1["published_at"]) == datetime(2024, 3, 1, 2, tzinfo=timezone.utc)
    assert [seg["ordinal"] for seg in s1["segments"]] == [0, 1]
    assert s1["text"] == "\n\n".join(seg["text"] for seg in s1["segments"])
    assert s1["attributions"] == [
        {"evidence": "attribution_text", "url": None, "source_name": "Xinhua", "snippet": "新华社北京3月1日电"}
    ]
    copies = {(link["source"], link["relation"]) for link in s1["links"] if link["direction"] == "original_of"}
    assert copies == {("People's Daily English", "translates"), ("China Daily", "translates"),
                      ("China.org.cn", "translates")}  # fmt: skip
    (cites,) = [link for link in s1["links"] if link["direction"] == "copy_of"]
    assert (cites["relation"], cites["source"], cites["article_id"]) == ("cites", "Xinhua", None)
    b1 = by_id[ids["B1"]]
    assert [seg["language"] for seg in b1["segments"]] == ["zh", "en"]


def test_filters(conn: Connection, corpus: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    ids = corpus[1]
    keys = {id_: key for key, id_ in ids.items()}
    german = _jsonl(conn, ExportFilter(language="de"), tmp_path / "de.jsonl")
    assert sorted(keys[r["id"]] for r in german) == ["G1", "G2", "G3"]
    chinese = ExportFilter(language="zh")  # the bilingual English page has Chinese text too
    assert sorted(keys[r["id"]] for r in _jsonl(conn, chinese, tmp_path / "zh.jsonl")) == ["B1", "P1", "S1", "S2", "S3"]
    source = resolve_source(conn, "新浪财经")
    assert source == "Sina Finance"
    since = ExportFilter(since=datetime(2024, 3, 2, tzinfo=timezone.utc), source=source)
    assert sorted(keys[r["id"]] for r in _jsonl(conn, since, tmp_path / "s.jsonl")) == ["S2", "S3"]
    assert count_articles(conn, since) == 2
    assert resolve_source(conn, "No Such Paper") is None


def test_empty_export_is_a_valid_file(conn: Connection, tmp_path: Path) -> None:
    nothing = ExportFilter(since=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert export(conn, nothing, "parquet", tmp_path / "none.parquet", io.StringIO()) == 0
    assert pq.read_table(tmp_path / "none.parquet").num_rows == 0
    assert not list(tmp_path.glob("*.partial"))


def test_the_documented_sample_record_has_the_exported_fields() -> None:
    doc = (Path(__file__).parent.parent / "schema" / "export.md").read_text(encoding="utf-8")
    sample = json.loads(doc.split("```json\n", 1)[1].split("\n```", 1)[0])
    assert tuple(sample) == FIELDS
