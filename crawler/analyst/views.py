"""The analyst views and functions (search, similar articles): their names, their source files in schema/, and
what a database has.

`schema/views/*.sql` and `schema/functions/*.sql` are the readable source of the objects; the migration that
creates them carries the same statements (migrations never change once released), and a test re-creates the
objects from the files and compares PostgreSQL's own rendering of both, so the two cannot drift.

`story_articles`, `stories` and `daily_source_counts` are materialised views (too slow to compute per query
on a large corpus). `refresh_views` recomputes them; the commands that change articles or links call it when
they are done (`newscrawl crawl`, `link`, `demo`, `db replay-spool`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
# in the order they are created (stories is built on story_articles)
VIEWS: tuple[str, ...] = (
    "articles_overview",
    "syndication_pairs",
    "daily_source_counts",
    "crawl_health",
    "story_articles",
    "stories",
)
MATERIALISED: tuple[str, ...] = ("daily_source_counts", "story_articles", "stories")
FUNCTIONS: tuple[str, ...] = (
    "search_partitions",
    "search_form",
    "chinese_tsquery",
    "search_tsquery",
    "search_word_share",
    "search_articles",
    "similar_articles",
    "refresh_analyst_views",
)


def refresh_views(target: Engine | Any) -> float:
    """Recompute the materialised views (`refresh_analyst_views()`, in a transaction of its own) and return
    the seconds it took. `target` is an Engine or anything with one as `.engine` (a crawler Store)."""
    engine: Engine = target if isinstance(target, Engine) else target.engine
    with engine.begin() as conn:
        return float(conn.execute(text("SELECT refresh_analyst_views()")).scalar_one())


def view_files(schema_dir: Path = SCHEMA_DIR) -> dict[str, Path]:
    """View name -> its `schema/views/<name>.sql` file."""
    return {name: schema_dir / "views" / f"{name}.sql" for name in VIEWS}


def function_files(schema_dir: Path = SCHEMA_DIR) -> list[Path]:
    """The files that create the analyst functions, in the order they must run."""
    return sorted((schema_dir / "functions").glob("*.sql"))


def run_script(conn: Connection, sql: str) -> None:
    """Run a multi-statement SQL script as written (no bind-parameter or `%` processing) in conn's transaction."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def definitions(conn: Connection) -> dict[str, str]:
    """What the database has: PostgreSQL's rendering of each analyst view and function ('' when missing)."""
    found: dict[str, str] = {}
    for name in VIEWS:
        kind = "m" if name in MATERIALISED else "v"
        found[f"view {name}"] = (
            conn.execute(
                text("SELECT pg_get_viewdef(c.oid, true) FROM pg_class c WHERE c.relname = :n AND c.relkind = :k"),
                {"n": name, "k": kind},
            ).scalar()
            or ""
        )
        if name in MATERIALISED:
            indexes = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = :n ORDER BY 1"),
                {"n": name},
            ).scalars()
            found[f"indexes of {name}"] = "\n".join(indexes)
    for name in FUNCTIONS:
        rows = conn.execute(
            text("SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.proname = :n ORDER BY p.oid"), {"n": name}
        ).scalars()
        found[f"function {name}"] = "\n".join(rows)
    return found


def drop_all(conn: Connection) -> None:
    """Drop the analyst views and functions, and whatever depends on them (CASCADE: views other code builds
    on ours go too, so run this in a transaction you roll back, as the drift test does)."""
    for name in reversed(VIEWS):
        kind = "MATERIALIZED VIEW" if name in MATERIALISED else "VIEW"
        conn.execute(text(f"DROP {kind} IF EXISTS {name} CASCADE"))
    for name in reversed(FUNCTIONS):
        conn.execute(text(f"DROP FUNCTION IF EXISTS {name} CASCADE"))


def create_from_files(conn: Connection, schema_dir: Path = SCHEMA_DIR) -> None:
    """Create the functions, then the views, from the files in schema/."""
    for path in function_files(schema_dir):
        run_script(conn, path.read_text(encoding="utf-8"))
    for path in view_files(schema_dir).values():
        run_script(conn, path.read_text(encoding="utf-8"))
