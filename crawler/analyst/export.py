"""Streamed corpus exports: one record per article, with its segments and links, as JSON lines or Parquet.

Rows come from a server-side cursor (`yield_per`), records are written as they arrive (Parquet in row
groups of `batch_size`), so memory stays constant whatever the corpus size. The record layout and the
Parquet schema are documented in schema/export.md; `PARQUET_SCHEMA` below is that schema.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection, text

FORMATS: tuple[str, ...] = ("jsonl", "parquet")


@dataclass(frozen=True)
class ExportFilter:
    """Which articles to export: published (else fetched) since a time, with text in a language, from a source."""

    since: datetime | None = None
    until: datetime | None = None
    language: str | None = None
    source: str | None = None  # a canonical source name (see resolve_source)


_WHERE = """
WHERE (CAST(:since AS timestamptz) IS NULL OR coalesce(a.published_at, a.fetched_at) >= :since)
  AND (CAST(:until AS timestamptz) IS NULL OR coalesce(a.published_at, a.fetched_at) < :until)
  AND (CAST(:lang AS text) IS NULL OR a.language = :lang
       OR EXISTS (SELECT 1 FROM article_segments g WHERE g.article_id = a.id AND g.language = :lang))
  AND (CAST(:source AS text) IS NULL OR s.name = :source)
"""

_COUNT_SQL = "SELECT count(*) FROM articles a JOIN sources s ON s.id = a.source_id" + _WHERE

_EXPORT_SQL = (
    """
SELECT a.id, a.url, a.fetched_url, a.canonical_url, s.name AS source, s.kind AS source_kind,
       a.title, a.original_title, a.authors, a.published_at, a.modified_at, a.fetched_at,
       a.language, a.site_language, a.section, a.image_url, a.text, a.content_hash,
       a.attributions, a.profile, a.extractor_version, a.capture_ref,
       coalesce((SELECT jsonb_agg(jsonb_build_object('ordinal', g.ordinal, 'language', g.language,
                                                     'text', g.text, 'char_count', g.char_count)
                                  ORDER BY g.ordinal)
                 FROM article_segments g WHERE g.article_id = a.id), '[]'::jsonb) AS segments,
       coalesce((SELECT jsonb_agg(x.link ORDER BY x.direction, x.link_id) FROM (
           SELECT 'copy_of' AS direction, l.id AS link_id,
                  jsonb_build_object('direction', 'copy_of', 'relation', l.relation, 'evidence', l.evidence,
                                     'score', l.score, 'article_id', o.id,
                                     'url', coalesce(o.url, l.original_url),
                                     'source', coalesce(os.name, ns.name)) AS link
           FROM syndication_links l
           LEFT JOIN articles o ON o.id = l.original_article_id
           LEFT JOIN sources os ON os.id = o.source_id
           LEFT JOIN sources ns ON ns.id = l.original_source_id
           WHERE l.copy_article_id = a.id
           UNION ALL
           SELECT 'original_of', l.id,
                  jsonb_build_object('direction', 'original_of', 'relation', l.relation, 'evidence', l.evidence,
                                     'score', l.score, 'article_id', c.id, 'url', c.url, 'source', cs.name)
           FROM syndication_links l
           JOIN articles c ON c.id = l.copy_article_id
           JOIN sources cs ON cs.id = c.source_id
           WHERE l.original_article_id = a.id
       ) x), '[]'::jsonb) AS links
FROM articles a JOIN sources s ON s.id = a.source_id
"""
    + _WHERE
    + "ORDER BY a.id"
)

_STR = pa.string()
_TS = pa.timestamp("us", tz="UTC")
PARQUET_SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("url", _STR, nullable=False),
        pa.field("fetched_url", _STR),
        pa.field("canonical_url", _STR),
        pa.field("source", _STR, nullable=False),
        pa.field("source_kind", _STR),
        pa.field("title", _STR),
        pa.field("original_title", _STR),
        pa.field("authors", pa.list_(_STR)),
        pa.field("published_at", _TS),
        pa.field("modified_at", _TS),
        pa.field("fetched_at", _TS),
        pa.field("language", _STR),
        pa.field("site_language", _STR),
        pa.field("section", _STR),
        pa.field("image_url", _STR),
        pa.field("text", _STR, nullable=False),
        pa.field("content_hash", _STR),
        pa.field(
            "attributions",
            pa.list_(pa.struct([("evidence", _STR), ("url", _STR), ("source_name", _STR), ("snippet", _STR)])),
        ),
        pa.field("profile", _STR),
        pa.field("extractor_version", _STR),
        pa.field("capture_ref", _STR),
        pa.field(
            "segments",
            pa.list_(
                pa.struct([("ordinal", pa.int16()), ("language", _STR), ("text", _STR), ("char_count", pa.int32())])
            ),
        ),
        pa.field(
            "links",
            pa.list_(
                pa.struct(
                    [
                        ("direction", _STR),
                        ("relation", _STR),
                        ("evidence", _STR),
                        ("score", pa.float64()),
                        ("article_id", pa.int64()),
                        ("url", _STR),
                        ("source", _STR),
                    ]
                )
            ),
        ),
    ]
)
FIELDS: tuple[str, ...] = tuple(PARQUET_SCHEMA.names)
_ATTRIBUTION_KEYS = ("evidence", "url", "source_name", "snippet")


def resolve_source(conn: Connection, name: str) -> str | None:
    """The canonical name of a source given its name or any alias (case-insensitive), or None."""
    return conn.execute(
        text(
            "SELECT name FROM sources WHERE lower(name) = lower(:n) "
            "OR lower(:n) IN (SELECT lower(x) FROM unnest(aliases) x) ORDER BY (lower(name) = lower(:n)) DESC LIMIT 1"
        ),
        {"n": name},
    ).scalar()


def _params(selection: ExportFilter) -> dict[str, Any]:
    return {
        "since": selection.since,
        "until": selection.until,
        "lang": selection.language,
        "source": selection.source,
    }


def count_articles(conn: Connection, selection: ExportFilter) -> int:
    return int(conn.execute(text(_COUNT_SQL), _params(selection)).scalar() or 0)


def iter_records(conn: Connection, selection: ExportFilter, *, batch_size: int = 500) -> Iterator[dict[str, Any]]:
    """One dict per article (fields as in FIELDS), streamed from a server-side cursor."""
    result = conn.execute(text(_EXPORT_SQL), _params(selection), execution_options={"yield_per": batch_size})
    for row in result.mappings():
        record = dict(row)
        record["authors"] = list(record["authors"] or [])
        record["attributions"] = [{k: a.get(k) for k in _ATTRIBUTION_KEYS} for a in record["attributions"] or []]
        yield record


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str], on_record: Callable[[], None]) -> int:
    written = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
        written += 1
        on_record()
    return written


def write_parquet(
    records: Iterator[dict[str, Any]], path: Path, on_record: Callable[[], None], *, batch_size: int = 500
) -> int:
    written = 0
    with pq.ParquetWriter(str(path), PARQUET_SCHEMA, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record)
            on_record()
            if len(batch) >= batch_size:
                writer.write_table(pa.Table.from_pylist(batch, schema=PARQUET_SCHEMA))
                written += len(batch)
                batch.clear()
        if batch or not written:  # an empty export is still a valid file with the schema
            writer.write_table(pa.Table.from_pylist(batch, schema=PARQUET_SCHEMA))
            written += len(batch)
    return written


def export(
    conn: Connection,
    selection: ExportFilter,
    fmt: str,
    output: Path | None,
    stdout: IO[str],
    on_record: Callable[[], None] = lambda: None,
    *,
    batch_size: int = 500,
) -> int:
    """Write the selected articles in `fmt` to `output` (JSON lines may go to stdout); returns the count.

    A file is written under a temporary name and renamed when complete, so a failed export leaves no
    half-written file behind.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    records = iter_records(conn, selection, batch_size=batch_size)
    if output is None:
        if fmt != "jsonl":
            raise ValueError("a Parquet export needs --output FILE")
        return write_jsonl(records, stdout, on_record)
    partial = output.with_name(output.name + ".partial")
    try:
        if fmt == "jsonl":
            with partial.open("w", encoding="utf-8") as out:
                written = write_jsonl(records, out, on_record)
        else:
            written = write_parquet(records, partial, on_record, batch_size=batch_size)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return written
