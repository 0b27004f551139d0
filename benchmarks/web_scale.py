"""Whether the pages of `newscrawl serve` stay fast on a large corpus: a copy of a corpus multiplied to
--articles rows, then benchmarks/web_latency.py on it.

Copies the database of --database-url (for example the demo corpus: `newscrawl demo` with DATABASE_URL set) into a
new database on the same server (CREATE DATABASE … TEMPLATE), then repeats its articles in SQL until there are
--articles of them: each copy gets its own URL, its publication shifted by whole days (so days and searches
spread), the same segments and search vector, and links between copies of the same originals, so stories
repeat too (embeddings are left out), and refreshes the materialised views. Then it times every page as
web_latency.py does and drops the copy (--keep keeps it). The multiplied corpus is written in SQL, not
through the store: it measures reading.

Run: `.venv/bin/python benchmarks/web_scale.py --database-url postgresql://…/demo --articles 300000`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_latency

from crawler.config import normalise_database_url

COLUMNS = (
    "source_id, fetched_url, canonical_url, title, original_title, authors, modified_at, fetched_at, first_seen_at, "
    "updated_at, language, languages, site_language, section, image_url, text, content_hash, attributions, "
    "encoding, profile, extractor_version, http_status, etag, last_modified, capture_ref"
)


def multiply(url: str, articles: int) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        base = int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
        copies = max(0, -(-articles // base) - 1)
        conn.execute(text("CREATE TEMP TABLE copy_map (k int, old_id bigint, new_id bigint)"))
        conn.execute(text(f"""
            WITH inserted AS (
                INSERT INTO articles (url, published_at, {COLUMNS})
                SELECT a.url || '#copy-' || k, a.published_at - make_interval(days => k % 730), {COLUMNS.replace(
                    ', ', ', a.').replace('source_id', 'a.source_id', 1)}
                FROM articles a CROSS JOIN generate_series(1, :copies) AS k
                ORDER BY k, a.id
                RETURNING id, url
            )
            INSERT INTO copy_map
            SELECT split_part(i.url, '#copy-', 2)::int, a.id, i.id
            FROM inserted i JOIN articles a ON a.url = split_part(i.url, '#copy-', 1)
        """), {"copies": copies})  # fmt: skip
        conn.execute(text("CREATE INDEX ON copy_map (old_id, k)"))
        conn.execute(text("""
            INSERT INTO article_segments (article_id, ordinal, language, text, char_count)
            SELECT m.new_id, s.ordinal, s.language, s.text, s.char_count
            FROM article_segments s JOIN copy_map m ON m.old_id = s.article_id
        """))
        # each copy's search row, in the month of its shifted date (migration 0018)
        conn.execute(text("""
            SELECT search_partitions(ARRAY(
                SELECT DISTINCT coalesce(a.published_at, a.fetched_at)
                FROM articles a JOIN copy_map m ON m.new_id = a.id))
        """))
        conn.execute(text("""
            INSERT INTO article_search (article_id, sort_date, languages, search_vector)
            SELECT m.new_id, coalesce(a.published_at, a.fetched_at), s.languages, s.search_vector
            FROM copy_map m
            JOIN articles a ON a.id = m.new_id
            JOIN article_search s ON s.article_id = m.old_id
        """))
        conn.execute(text("""
            INSERT INTO syndication_links (copy_article_id, original_article_id, original_url, original_source_id,
                                           relation, evidence, score, details)
            SELECT c.new_id, o.new_id, CASE WHEN l.original_url IS NOT NULL THEN l.original_url || '#copy-' || c.k END,
                   l.original_source_id, l.relation, l.evidence, l.score, l.details
            FROM syndication_links l
            JOIN copy_map c ON c.old_id = l.copy_article_id
            LEFT JOIN copy_map o ON o.old_id = l.original_article_id AND o.k = c.k
            WHERE l.original_article_id IS NULL OR o.new_id IS NOT NULL
        """))
    with engine.begin() as conn:  # the stories and daily counts are materialised: refreshed as the linker's callers do
        conn.execute(text("SELECT refresh_analyst_views()"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="the corpus to multiply")
    parser.add_argument("--articles", type=int, default=300_000, help="articles in the copy (default 300000)")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page (default 10)")
    parser.add_argument("--keep", action="store_true", help="keep the copy")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url (a server database; the embedded one cannot be copied this way)")
    source = make_url(normalise_database_url(args.database_url))
    name = f"{source.database}_x{args.articles}"
    target = source.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"'))
    try:
        started = time.monotonic()
        multiply(target, args.articles)
        print(f"multiplied {source.database} into {name} in {time.monotonic() - started:.0f} s")
        return web_latency.main(["--database-url", target, "--repeat", str(args.repeat)])
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
