"""`search_articles()` before and after a migration, side by side in one run on one corpus.

Installs the function of each named revision in turn (migrations/versions/*.py, their SEARCH_ARTICLES_SQL)
into the database of --database-url, times a set of queries under each (median of --repeat runs after one
warm-up, the first page of 20), and puts the database's own function back at the end, whatever happened.
Use it on a large copy, e.g. the one `benchmarks/web_scale.py --keep` leaves (web_demo_x300000):

  .venv/bin/python benchmarks/search_revisions.py --database-url postgresql://…/web_demo_x300000

It changes a function in that database while it runs: do not point it at a corpus others are searching.
Revisions 0010 to 0015 read the search vectors from `articles.search_vector`, where they were until migration
0018 moved them to `article_search`: compare those on a copy downgraded to 0017 (`newscrawl db downgrade 0017`),
and 0018 onwards on one at head.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg2

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
REVISIONS = ("0010_bounded_search", "0014_search_checks_newest_first", "0015_search_languages_and_expected_window")
# the table the search vectors are read from, by the revision that moved them
VECTORS_MOVED = "0018"
QUERIES: tuple[tuple[str, str | None], ...] = (
    ("人工智能", None), ("人工智能", "zh"), ("贷款", None), ("央行 贷款", None), ("China", "en"),
    ("Regierung", "de"), ('"central bank"', "en"), ("Wirtschaft", None), ("政府", None), ("economy", "en"),
)


def function_sql(revision: str) -> str:
    spec = importlib.util.spec_from_file_location(f"_revision_{revision}", VERSIONS / f"{revision}.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no migration {revision} in {VERSIONS}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.SEARCH_ARTICLES_SQL)


def time_query(cursor: psycopg2.extensions.cursor, query: str, lang: str | None, repeat: int) -> tuple[float, int]:
    cursor.execute("SELECT count(*) FROM search_articles(%s, %s)", (query, lang))  # warm-up
    times = []
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        cursor.execute("SELECT count(*) FROM search_articles(%s, %s)", (query, lang))
        rows = cursor.fetchone()[0]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a migrated corpus (a large copy)")
    parser.add_argument("--revisions", default=",".join(REVISIONS), help="migration files to compare, in order")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query (default 5)")
    args = parser.parse_args(argv)
    revisions = args.revisions.split(",")
    try:
        sql = {revision: function_sql(revision) for revision in revisions}
    except FileNotFoundError as exc:
        print(f"search_revisions: {exc}", file=sys.stderr)
        return 2
    connection = psycopg2.connect(args.database_url.replace("postgresql+psycopg2://", "postgresql://"))
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("SELECT pg_get_functiondef('search_articles'::regproc), to_regclass('article_search') IS NOT NULL")
    own_sql, partitioned = cursor.fetchone()
    wrong = [r for r in revisions if (r[:4] >= VECTORS_MOVED) != partitioned]
    if wrong:
        where = "article_search (head)" if partitioned else "articles.search_vector (0017 or earlier)"
        print(f"search_revisions: this database keeps its vectors in {where}; {', '.join(wrong)} cannot run on it",
              file=sys.stderr)
        connection.close()
        return 2
    cursor.execute("SELECT count(*) FROM articles")
    print(f"{cursor.fetchone()[0]} articles; median of {args.repeat} runs of the first page (20), ms (rows)")
    width = max(len(f"{q} / {lang or 'any'}") for q, lang in QUERIES) + 2
    print(f"{'query / language':<{width}}" + "".join(f"{r[:4]:>12}" for r in revisions))
    try:
        results: dict[str, list[tuple[float, int]]] = {}
        for revision in revisions:
            cursor.execute(sql[revision])
            results[revision] = [time_query(cursor, q, lang, args.repeat) for q, lang in QUERIES]
        for index, (query, lang) in enumerate(QUERIES):
            cells = "".join(f"{results[r][index][0]:>7.0f} ({results[r][index][1]:>2})" for r in revisions)
            label = f"{query} / {lang or 'any'}"
            print(f"{label:<{width}}{cells}")
    finally:
        cursor.execute(own_sql)
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
